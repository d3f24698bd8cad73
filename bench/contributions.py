"""Benchmark of the contribution flows on PostgreSQL: public form submissions and editor acceptances.

- « soumission » : POST of the event form through the real view (CSRF middleware, rate limit in the
  cache, validation, collectivité lookup, insert, two emails rendered text + HTML, locmem backend);
- « contact » : the same for the contact form (insert, two emails);
- « acceptation » : ``services.accept`` publishing the event under the agenda (row lock, page tree
  insert, revision, publish), then the same contribution accepted again (must create nothing).

Exactness: contributions and pages in the database equal what was posted / accepted, and the
second acceptance created no page. Targets: p95 under 150 ms per submission and 300 ms per acceptance.

    .venv/bin/python bench/contributions.py
    BENCH_CONTRIB_DATABASE_URL=postgres://…/db   # default postgres://postgres@127.0.0.1:5432/bench_contrib
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on sys.path and a module named like a stdlib one would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_contrib"
SUBMISSIONS = 200
ACCEPTANCES = 60
TARGET_SUBMIT_P95_MS = 150
TARGET_ACCEPT_P95_MS = 300
COLUMNS = ["opération", "nombre", "p50 (ms)", "p95 (ms)", "attendu en base", "en base", "exact", "objectif p95"]


def _ensure_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                             user=parsed.username or "postgres", password=parsed.password or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def _setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _fixtures():
    """A fresh agenda under the home page, one collectivité, a moderator; previous bench data removed."""
    from django.contrib.auth.models import Group, User
    from wagtail.models import Page, Site

    from home.models import HomePage
    from ressources.contrib.models import ContributionEvenement, DemandeContact
    from ressources.models import AgendaIndexPage
    from thematiques.models import Collectivite

    ContributionEvenement.objects.all().delete()
    DemandeContact.objects.all().delete()
    for page in AgendaIndexPage.objects.all():
        page.delete()
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Territoires en Commun", slug="accueil-bench"))
        Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "testserver"})
    agenda = home.add_child(instance=AgendaIndexPage(title="Agenda", slug="agenda"))
    Collectivite.objects.get_or_create(code="34172", defaults={"nom": "Montpellier", "echelon": "com",
                                                               "departement": "34"})
    user, _ = User.objects.get_or_create(username="bench-moderation", defaults={"email": "m@example.org"})
    user.groups.add(Group.objects.get(name="Moderators"))
    return agenda, user


def _percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def measure(url: str) -> list[dict]:
    _ensure_database(url)
    _setup_django(url)
    import datetime as dt

    from django.core import mail
    from django.core.cache import cache
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from ressources.contrib import services
    from ressources.contrib.models import ContributionEvenement, DemandeContact
    from ressources.models import EvenementPage

    setup_test_environment()  # locmem email backend, no real SMTP
    agenda, moderator = _fixtures()
    cache.clear()
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    rows = []
    with override_settings(CONTRIBUTIONS_RATE_LIMIT=(10 * SUBMISSIONS, 600)):
        client = Client()
        timings = []
        for i in range(SUBMISSIONS):
            data = {"title": f"Forum {i}", "start_date": day, "start_time": "14:00", "end_time": "16:00",
                    "location": "Montpellier", "organizer": "Ville", "collectivite": "34172",
                    "description": "Un après-midi d'échanges.\n\nAteliers.", "contact_name": "Camille",
                    "contact_email": f"c{i}@example.org", "consent": "on", "site_web": ""}
            started = time.perf_counter()
            response = client.post("/contribuer/evenement/", data, REMOTE_ADDR=f"10.0.{i // 250}.{i % 250}")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
        stored = ContributionEvenement.objects.count()
        p50, p95 = _percentiles(timings)
        rows.append({"opération": "soumission d'un événement", "nombre": SUBMISSIONS, "p50 (ms)": round(p50, 1),
                     "p95 (ms)": round(p95, 1), "attendu en base": SUBMISSIONS, "en base": stored,
                     "exact": "oui" if stored == SUBMISSIONS and len(mail.outbox) == 2 * SUBMISSIONS else "non",
                     "objectif p95": f"< {TARGET_SUBMIT_P95_MS} ms", "_ok": p95 < TARGET_SUBMIT_P95_MS})

        mail.outbox.clear()
        timings = []
        for i in range(SUBMISSIONS):
            data = {"name": f"Nom {i}", "collectivite": "Commune", "job_title": "Maire", "email": f"n{i}@example.org",
                    "message": "Bonjour, nous souhaitons être accompagnés.", "thematique": "", "site_web": ""}
            started = time.perf_counter()
            response = client.post("/contact/", data, REMOTE_ADDR=f"10.1.{i // 250}.{i % 250}")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 302, response.status_code
        stored = DemandeContact.objects.count()
        p50, p95 = _percentiles(timings)
        rows.append({"opération": "demande de contact", "nombre": SUBMISSIONS, "p50 (ms)": round(p50, 1),
                     "p95 (ms)": round(p95, 1), "attendu en base": SUBMISSIONS, "en base": stored,
                     "exact": "oui" if stored == SUBMISSIONS and len(mail.outbox) == 2 * SUBMISSIONS else "non",
                     "objectif p95": f"< {TARGET_SUBMIT_P95_MS} ms", "_ok": p95 < TARGET_SUBMIT_P95_MS})

    timings, again = [], []
    for contribution in ContributionEvenement.objects.order_by("pk")[:ACCEPTANCES]:
        started = time.perf_counter()
        services.accept(contribution.pk, moderator, publish=True)
        timings.append(time.perf_counter() - started)
        again.append(services.accept(contribution.pk, moderator, publish=True).created)
    pages = EvenementPage.objects.child_of(agenda).live().count()
    p50, p95 = _percentiles(timings)
    rows.append({"opération": "acceptation (publiée), puis seconde acceptation", "nombre": ACCEPTANCES,
                 "p50 (ms)": round(p50, 1), "p95 (ms)": round(p95, 1), "attendu en base": ACCEPTANCES,
                 "en base": pages, "exact": "oui" if pages == ACCEPTANCES and not any(again) else "non",
                 "objectif p95": f"< {TARGET_ACCEPT_P95_MS} ms", "_ok": p95 < TARGET_ACCEPT_P95_MS})
    return rows


def print_table(rows):
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS}
    print(" | ".join(c.ljust(widths[c]) for c in COLUMNS))
    print("-+-".join("-" * widths[c] for c in COLUMNS))
    for r in rows:
        print(" | ".join(str(r[c]).ljust(widths[c]) for c in COLUMNS))


def run(print_rows: bool = True) -> list[dict]:
    """Measure in a child process (own settings and database) and return the rows; print them too."""
    url = os.environ.get("BENCH_CONTRIB_DATABASE_URL", DEFAULT_URL)
    child = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--json", url],
                           cwd=str(ROOT), capture_output=True, text=True, check=False)
    if child.returncode != 0:
        tail = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else child.returncode
        raise RuntimeError(f"bench/contributions.py a échoué : {tail}")
    rows = json.loads(child.stdout.strip().splitlines()[-1])
    if print_rows:
        print("Contributions : soumissions publiques et acceptations (PostgreSQL)")
        print_table(rows)
    return rows


def targets_met(rows) -> bool:
    return all(r.get("_ok") for r in rows)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--json":
        print(json.dumps(measure(sys.argv[2]), ensure_ascii=False))
    else:
        run()
