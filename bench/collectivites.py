"""Benchmark of the reference data and demo loads, on SQLite and PostgreSQL.

Measures, in a fresh database: ``load_collectivites`` the first time (36 395 inserts) and again
(nothing changes), then ``load_demo`` the first time and again (nothing changes).

    .venv/bin/python bench/collectivites.py
    BENCH_COLLECTIVITES_DATABASE_URL=postgres://…/db   # default postgres://postgres@127.0.0.1:5432/bench_collectivites

Each database runs in a child process (its own Django settings). Targets: a first load of the
collectivités under 10 s and a repeated one under 5 s on both databases.
"""
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, where a module named like a stdlib one would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import json
import os
import subprocess
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_COLLECTIVITES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_collectivites")
FIRST_TARGET, AGAIN_TARGET = 10.0, 5.0
COLUMNS = ["base", "étape", "durée (s)", "lignes", "exact", "objectif"]


def _child(url: str, var_dir: str) -> None:
    import io

    os.environ["DATABASE_URL"] = url
    os.environ["VAR_DIR"] = var_dir
    os.environ["MEDIA_ROOT"] = os.path.join(var_dir, "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from wagtail.models import Page

    from thematiques.management.commands.load_collectivites import load
    from thematiques.models import Collectivite

    call_command("migrate", verbosity=0, interactive=False)
    rows = []
    for step in ("premier chargement", "second chargement"):
        started = time.perf_counter()
        counts = load()
        rows.append({"étape": f"load_collectivites — {step}", "durée (s)": round(time.perf_counter() - started, 2),
                     "lignes": Collectivite.objects.count(),
                     "exact": "oui" if Collectivite.objects.count() == counts["total"] else "non",
                     "objectif": f"< {FIRST_TARGET if step.startswith('premier') else AGAIN_TARGET:g} s"})
    for step in ("premier chargement", "second chargement"):
        started = time.perf_counter()
        call_command("load_demo", collectivites="aucune", stdout=io.StringIO())
        rows.append({"étape": f"load_demo — {step}", "durée (s)": round(time.perf_counter() - started, 2),
                     "lignes": Page.objects.count(), "exact": "oui", "objectif": ""})
    print(json.dumps(rows))


def _ensure_pg_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                             user=parsed.username or "postgres", password=parsed.password or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def run():
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", f"sqlite:///{tmp}/bench.sqlite3")]
        try:
            _ensure_pg_database(PG_URL)
            targets.append(("PostgreSQL", PG_URL))
        except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: measure SQLite only, and say so
            print(f"PostgreSQL indisponible ({exc.__class__.__name__}) : mesure sur SQLite seulement.")
        for name, url in targets:
            out = subprocess.run([sys.executable, __file__, "--child", url, tmp], capture_output=True, text=True,
                                 cwd=ROOT, check=True)
            for row in json.loads(out.stdout.strip().splitlines()[-1]):
                results.append({"base": name, **row})
    widths = {c: max(len(c), *(len(str(r[c])) for r in results)) for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS))
    for row in results:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in COLUMNS))
    return results


def targets_met(rows) -> bool:
    for row in rows:
        if row["étape"].startswith("load_collectivites"):
            limit = FIRST_TARGET if "premier" in row["étape"] else AGAIN_TARGET
            if row["durée (s)"] >= limit:
                return False
    return True


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        rows = run()
        sys.exit(0 if targets_met(rows) else 1)
