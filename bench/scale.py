"""The site at Territoires Conseils' size: demo size next to 5,000 resources, 1,000 events, 120 editions.

One run on PostgreSQL with the production settings (Redis for the caches): the demo is loaded
(``load_demo``, every collectivité), measured, then ``load_scale`` adds the generated content (timed)
and everything is measured again. For each public page: p50 and p95 of the server time (the Django
handler, in process, through the test client: no network), with every cache off and with the
fragment cache (page cache off; fragments warm), and the SQL queries of one request; for editors:
the page explorer of the library, the collectivité chooser search, the edition edit view, the
resource chooser (and its search), an export of the 100-item edition, and ``update_index``.
The table prints both sizes side by side with the ratio.

Targets: no page's p95 grows more than 2 × from demo size to scale; queries per page constant
(scale ≤ demo, but one per resource kind the scale page shows beyond the demo's: a ``.specific()``
listing reads each kind's table once, at most five); every editor view under 1 s p95 at scale.

    .venv/bin/python bench/scale.py            # or: make bench  (bench/run.py collects it)

Environment: BENCH_SCALE_RUNS (timed requests per URL and mode, default 15), BENCH_SCALE_POSTGRES
(server, default postgres://postgres@127.0.0.1:5432), BENCH_SCALE_REDIS (default
redis://127.0.0.1:6379/6), BENCH_SCALE_ARGS (load_scale's options, default its own defaults).
Everything it creates (database, Redis keys, temporary folder) is removed at the end, even on failure,
except with BENCH_SCALE_REUSE=<name>: the databases <name>_demo and <name> (and var/bench-scale-<name>/
for media and static files) are loaded the first time and kept for the next runs (load_scale then
runs only its second, idempotent pass). The machine's load average is printed with the figures.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # no bench module shadows an app

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time

ROOT = HERE.parent
PY = sys.executable
RUNS = int(os.environ.get("BENCH_SCALE_RUNS", "15"))
PG = os.environ.get("BENCH_SCALE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_SCALE_REDIS", "redis://127.0.0.1:6379/6")
SCALE_ARGS = os.environ.get("BENCH_SCALE_ARGS", "").split()
PAGE_RATIO_TARGET = 2.0
EDITOR_P95_TARGET_MS = 1000

# Run in a child process (production settings from the environment); prints one JSON line.
MEASURE_SCRIPT = r'''
import json, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsletter.models import NewsletterPage
from ressources.models import RessourceIndexPage
from thematiques.models import ThematiquePage

RUNS = int(sys.argv[1])
settings.ALLOWED_HOSTS = ["*"]
thematique = ThematiquePage.objects.live().order_by("path").first()
library = RessourceIndexPage.objects.get()
seed = NewsletterPage.objects.filter(slug="decembre-2021").first() or NewsletterPage.objects.order_by("path").first()
big = NewsletterPage.objects.filter(slug__startswith="echelle-").order_by("-date").first()
lib = library.url

PAGES = [
    ("accueil", "/"),
    ("thématique", thematique.url),
    ("bibliothèque", lib),
    ("… thématique", f"{lib}?thematique={thematique.slug}"),
    ("… type", f"{lib}?type=projet"),
    ("… département", f"{lib}?departement=34"),
    ("… région", f"{lib}?region=76"),
    ("… année", f"{lib}?annee=2021"),
    ("… deux filtres", f"{lib}?thematique={thematique.slug}&type=projet"),
    ("… un mot", f"{lib}?q=participation"),
    ("… page 50", f"{lib}?page=50"),
    ("agenda", "/agenda/"),
    ("agenda .ics", "/agenda.ics"),
    ("archive newsletter", "/newsletter/"),
    ("édition (démo)", seed.url),
    ("sitemap (index)", "/sitemap.xml"),
    ("sitemap (1re section)", "/sitemap-pages.xml"),
    ("RSS ressources", "/flux/ressources.xml"),
    ("RSS thématique", f"/flux/thematiques/{thematique.slug}.xml"),
    ("API ressources", "/api/v2/pages/?type=ressources.ProjetPage&fields=chapo,territoire,tags"),
    ("API événements", "/api/v2/pages/?type=ressources.EvenementPage&fields=start,end,location"),
    ("API éditions", "/api/v2/pages/?type=newsletter.NewsletterPage"),
]


from ressources.models import RessourcePage

KIND_TABLES = [f'FROM "{model._meta.db_table}"' for _kind, _label, model in RessourcePage.kinds()]


def timed(client, url, runs=RUNS):
    response = client.get(url)  # warm-up: per-process caches, fragments
    status = response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    count = len(queries)  # read now: a reconnection (CONN_MAX_AGE) would empty the log
    # The resource kinds whose own table the request read: a .specific() listing reads each kind's
    # table once (at most five, whatever the volume), as tests/test_scale_queries.py allows.
    kinds = sum(1 for table in KIND_TABLES if any(table in q["sql"] for q in queries.captured_queries))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[max(0, round(0.95 * len(samples)) - 1)],
            "queries": count, "status": status, "kinds": kinds}


def pct(samples):
    samples = sorted(samples)
    return {"p50": statistics.median(samples), "p95": samples[max(0, round(0.95 * len(samples)) - 1)]}


import os
out = {"pages": {}, "editors": {}, "sitemap_urls": None, "load_before": os.getloadavg()}
client = Client(HTTP_HOST="127.0.0.1")
settings.PAGE_CACHE_ENABLED = False
for mode, fragments in (("sans cache", False), ("fragments", True)):
    settings.FRAGMENT_CACHE_ENABLED = fragments
    for name, url in PAGES:
        out["pages"][f"{name}|{mode}"] = {"url": url, **timed(client, url)}
settings.FRAGMENT_CACHE_ENABLED = True

user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
    "bench-echelle", "bench@example.org", "x" * 20)
editor = Client(HTTP_HOST="127.0.0.1")
editor.force_login(user)
EDITORS = [
    ("explorateur de la bibliothèque", reverse("wagtailadmin_explore", args=[library.pk])),
    ("sélecteur de collectivité (« saint »)", reverse("collectivite_chooser:choose_results") + "?q=saint"),
    ("édition : modification (démo)", reverse("wagtailadmin_pages:edit", args=[seed.pk])),
    ("sélecteur de ressource", reverse("wagtailadmin_choose_page") + "?page_type=ressources.ressourcepage"),
    ("sélecteur de ressource (« budget »)",
     reverse("wagtailadmin_choose_page_search") + "?page_type=ressources.ressourcepage&q=budget"),
]
if big is not None:
    EDITORS.append(("édition de 100 éléments : modification", reverse("wagtailadmin_pages:edit", args=[big.pk])))
for name, url in EDITORS:
    out["editors"][name] = {"url": url, **timed(editor, url, runs=max(5, RUNS // 2))}

if big is not None:
    from newsletter.exports import export_edition
    from newsletter.rendering import render_email

    def exports(cold=False):
        from wagtail.images import get_image_model

        renditions = get_image_model().get_rendition_model()
        samples = []
        for _ in range(5):
            with transaction.atomic():  # the export is recorded (frozen): rolled back, the site stays as it was
                if cold:  # no rendition yet (rolled back too); the bench's own Redis database forgets them
                    renditions.objects.all().delete()
                    renditions.cache_backend.clear()
                start = time.perf_counter()
                export_edition(NewsletterPage.objects.get(pk=big.pk), "mailchimp", "zip", force=True)
                samples.append((time.perf_counter() - start) * 1000)
                transaction.set_rollback(True)
        return {**pct(samples), "queries": None, "status": 200}

    # The first export of an edition nobody previewed: every e-mail rendition to make. Then with the
    # renditions made as the editor's e-mail preview makes them (kept, as after any preview or export).
    out["editors"]["export de 100 éléments, vignettes à créer"] = exports(cold=True)
    render_email(NewsletterPage.objects.get(pk=big.pk), "mailchimp", preview=True)
    out["editors"]["export de 100 éléments, après l'aperçu"] = exports()

start = time.perf_counter()
call_command("update_index", verbosity=0)
elapsed = (time.perf_counter() - start) * 1000
out["editors"]["update_index (reconstruction de l'index)"] = {"p50": elapsed, "p95": elapsed, "queries": None,
                                                              "status": 200, "once": True}
out["load_after"] = os.getloadavg()
print(json.dumps(out))
'''


def _run(cmd, env, timeout=1800):
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        tail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:] or ["?"]
        raise RuntimeError(f"« {' '.join(map(str, cmd[1:4]))} » a échoué : {' | '.join(tail)}")
    return done.stdout


def _pg_admin(sql: str):
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _measure(env) -> dict:
    return json.loads(_run([PY, "-c", MEASURE_SCRIPT, str(RUNS)], env).strip().splitlines()[-1])


def _database_exists(name: str) -> bool:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def _env(database: str, prefix: str, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env.update({
        "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{PG}/{database}", "REDIS_URL": REDIS, "CACHE_KEY_PREFIX": prefix,
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1", "EMAIL_HOST": "localhost", "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp / "static"), "MEDIA_ROOT": str(tmp / "media"), "VAR_DIR": str(tmp),
        "LOG_LEVEL": "WARNING", "TASKS_BACKEND": "immediate",
    })
    return env


def collect() -> dict:
    """Both sizes measured in one run. With ``BENCH_SCALE_REUSE=<name>`` the databases ``<name>_demo``
    (the demo) and ``<name>`` (the demo + load_scale) are made the first time and kept (media and
    static files under ``var/bench-scale-<name>/``), so that a later run measures without loading."""
    reuse = os.environ.get("BENCH_SCALE_REUSE", "").strip()
    if reuse:
        return _collect_reused(reuse)
    tag = f"h_scale_bench_{os.getpid()}"
    prefix = f"tecscale{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="tec-bench-scale-"))
    created = False
    try:
        _pg_admin(f'CREATE DATABASE "{tag}"')
        created = True
        env = _env(tag, prefix, tmp)
        manage = [PY, str(ROOT / "manage.py")]
        _run(manage + ["migrate", "--noinput", "-v", "0"], env)
        _run(manage + ["load_demo"], env)
        _run(manage + ["collectstatic", "--noinput", "-v", "0"], env)
        demo = _measure(env)
        started = time.perf_counter()
        report = _run(manage + ["load_scale", *SCALE_ARGS], env)
        load_seconds = time.perf_counter() - started
        again = time.perf_counter()
        second = _run(manage + ["load_scale", *SCALE_ARGS], env)
        rerun_seconds = time.perf_counter() - again
        scale = _measure(env)
        return {"demo": demo, "scale": scale, "load_seconds": load_seconds, "rerun_seconds": rerun_seconds,
                "report": report.strip(), "rerun": second.strip()}
    finally:
        if created:
            try:
                _pg_admin(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 - cleanup goes on
                print(f"(base {tag} non supprimée : {exc})", file=sys.stderr)
        _drop_redis(prefix)
        shutil.rmtree(tmp, ignore_errors=True)


def _collect_reused(name: str) -> dict:
    demo_db, scale_db = f"{name}_demo", name
    folder = ROOT / "var" / f"bench-scale-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"tecscale{os.getpid()}"
    manage = [PY, str(ROOT / "manage.py")]
    load_seconds, report = None, "(données déjà chargées)"
    try:
        if not _database_exists(demo_db):
            _pg_admin(f'CREATE DATABASE "{demo_db}"')
            env = _env(demo_db, prefix, folder)
            _run(manage + ["migrate", "--noinput", "-v", "0"], env)
            _run(manage + ["load_demo"], env)
        if not _database_exists(scale_db):
            _pg_admin(f'CREATE DATABASE "{scale_db}" TEMPLATE "{demo_db}"')
            started = time.perf_counter()
            report = _run(manage + ["load_scale", *SCALE_ARGS], _env(scale_db, prefix, folder)).strip()
            load_seconds = time.perf_counter() - started
        demo_env, scale_env = _env(demo_db, prefix + "d", folder), _env(scale_db, prefix + "s", folder)
        for env in (demo_env, scale_env):  # kept databases get the migrations added since they were made
            _run(manage + ["migrate", "--noinput", "-v", "0"], env)
        _run(manage + ["collectstatic", "--noinput", "-v", "0"], demo_env)
        again = time.perf_counter()
        second = _run(manage + ["load_scale", *SCALE_ARGS], scale_env)
        rerun_seconds = time.perf_counter() - again
        demo = _measure(demo_env)
        scale = _measure(scale_env)
        return {"demo": demo, "scale": scale, "load_seconds": load_seconds, "rerun_seconds": rerun_seconds,
                "report": report, "rerun": second.strip(), "reused": name}
    finally:
        for suffix in ("", "d", "s"):
            _drop_redis(prefix + suffix)


def _drop_redis(prefix: str):
    try:
        import redis

        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
    except Exception as exc:  # noqa: BLE001 - cleanup goes on, whatever failed
        print(f"(clés Redis {prefix}* non supprimées : {exc})", file=sys.stderr)


def rows_from(result: dict) -> list[dict]:
    rows = []
    for kind in ("pages", "editors"):
        for name, scale in result["scale"][kind].items():
            demo = result["demo"][kind].get(name)
            page, _sep, mode = name.partition("|")
            ratio = scale["p95"] / demo["p95"] if demo and demo["p95"] else None
            if kind == "pages":
                more_kinds = max(0, scale.get("kinds", 0) - demo.get("kinds", 0))  # one query per kind shown
                ok = ratio is not None and ratio <= PAGE_RATIO_TARGET \
                    and scale["queries"] <= demo["queries"] + more_kinds and scale["status"] == 200
            else:
                ok = scale["p95"] < EDITOR_P95_TARGET_MS and scale["status"] == 200
            rows.append({"kind": kind, "name": page, "mode": mode or "—", "demo": demo, "scale": scale,
                         "ratio": ratio, "ok": ok})
    return rows


def _fmt(value, digits=0):
    return "—" if value is None else f"{value:.{digits}f}"


def _nothing_created(report: str) -> bool:
    lines = [line for line in report.splitlines() if " créé(s)" in line]
    return bool(lines) and all(" : 0 créé(s)" in line for line in lines)


def print_table(rows: list[dict], result: dict):
    header = ["", "mode", "p50 démo", "p95 démo", "p50 échelle", "p95 échelle", "× p95", "req. démo",
              "req. échelle", "objectif"]
    lines = [header]
    for r in rows:
        d, s = r["demo"] or {}, r["scale"]
        lines.append([r["name"], r["mode"], _fmt(d.get("p50")), _fmt(d.get("p95")), _fmt(s["p50"]), _fmt(s["p95"]),
                      _fmt(r["ratio"], 2), _fmt(d.get("queries")), _fmt(s.get("queries")),
                      "oui" if r["ok"] else "NON"])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    loaded = ("déjà chargé (BENCH_SCALE_REUSE)" if result["load_seconds"] is None else
              f"{result['load_seconds']:.1f} s ({result['report'].splitlines()[-1]})")
    print(f"load_scale : {loaded} ; second passage : {result['rerun_seconds']:.1f} s, "
          f"{'rien de créé' if _nothing_created(result['rerun']) else result['rerun']}")
    for size in ("demo", "scale"):
        before, after = result[size].get("load_before"), result[size].get("load_after")
        if before and after:
            print(f"charge de la machine (1, 5, 15 min) pendant la mesure {'démo' if size == 'demo' else 'échelle'} : "
                  f"{' '.join(f'{x:.2f}' for x in before)} au début, {' '.join(f'{x:.2f}' for x in after)} à la fin")
    print("Temps serveur en ms (client de test Django, en processus), requêtes SQL d'une requête HTTP.")
    for i, line in enumerate(lines):
        print("  ".join(str(c).ljust(widths[k]) if k < 2 else str(c).rjust(widths[k]) for k, c in enumerate(line)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def run() -> list[dict]:
    result = collect()
    rows = rows_from(result)
    print_table(rows, result)
    out = ROOT / "var" / "bench-scale.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"(figures brutes : {out.relative_to(ROOT)})")
    return rows


def targets_met(rows: list[dict]) -> bool:
    return all(r["ok"] for r in rows)


if __name__ == "__main__":
    sys.exit(0 if targets_met(run()) else 1)
