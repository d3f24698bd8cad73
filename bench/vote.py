"""Benchmark of the theme vote: confirmed votes per second with 50 concurrent clients on PostgreSQL.

The 50 clients are threads spread over worker processes (one per core by default, as gunicorn workers
would be); each has its own Django test client and its own PostgreSQL connection, posting
confirmation links (the real view: signature check, row lock or insert under the unique constraint,
choices, page-cache invalidation). The final number of confirmed ballots is checked exact.

    .venv/bin/python bench/vote.py            # prints the table
    BENCH_VOTE_DATABASE_URL=postgres://…/db   # default postgres://postgres@127.0.0.1:5432/bench_vote

``run()`` runs the measurement in a child process (its own Django settings and database) and
returns the rows, so that ``bench/run.py`` can collect several benchmarks in one process.
Target: at least 200 confirmed votes per second.
"""
from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_vote"
TARGET_PER_SECOND = 200
CLIENTS = 50
DISTINCT_VOTES = 3000
CONTENDED_COLLECTIVITES = 20
CONTENDED_CONFIRMATIONS = 1000
# Worker processes the 50 clients are spread over (like gunicorn workers); threads inside each.
PROCESSES = int(os.environ.get("BENCH_VOTE_PROCESSES", str(max(2, os.cpu_count() or 2))))
COLUMNS = ["scénario", "clients", "processus", "confirmations", "durée (s)", "votes/s", "p50 (ms)", "p95 (ms)",
           "bulletins attendus", "bulletins en base", "exact", "objectif ≥ 200/s"]


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
    os.environ.setdefault("CONN_MAX_AGE", "600")  # persistent connections, as in production behind gunicorn
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _fixtures(n_collectivites: int):
    """A fresh open campaign with 3 thématiques and n collectivités (previous bench data removed)."""
    import datetime as dt

    from django.utils import timezone
    from wagtail.models import Page

    from home.models import HomePage
    from thematiques.models import Collectivite, ThematiqueIndexPage, ThematiquePage
    from thematiques.vote.models import Ballot, Campaign, CampaignThematique

    Ballot.objects.all().delete()
    Campaign.objects.all().delete()
    Collectivite.objects.filter(code__startswith="B").delete()
    home = HomePage.objects.first()
    if home is None:
        home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil bench", slug="accueil-bench"))
    index = ThematiqueIndexPage.objects.first() or home.add_child(
        instance=ThematiqueIndexPage(title="Thématiques", slug="thematiques"))
    themes = []
    for title in ("Aménagement des territoires", "Droit à la mobilité", "Précarité alimentaire"):
        themes.append(ThematiquePage.objects.filter(title=title).first()
                      or index.add_child(instance=ThematiquePage(title=title)))
    now = timezone.now()
    campaign = Campaign.objects.create(title="Bench", opens_at=now - dt.timedelta(hours=1),
                                       closes_at=now + dt.timedelta(days=1), status=Campaign.Status.OUVERT)
    props = [CampaignThematique.objects.create(campaign=campaign, thematique=t, sort_order=i) for i, t in enumerate(themes)]
    Collectivite.objects.bulk_create([
        Collectivite(code=f"B{i:08d}", nom=f"Collectivité bench {i}", echelon=Collectivite.Echelon.COMMUNE,
                     departement="34") for i in range(n_collectivites)
    ], batch_size=1000)
    collectivites = list(Collectivite.objects.filter(code__startswith="B").order_by("code"))
    return campaign, props, collectivites


def _client_threads(tokens: list[str], clients: int, start_barrier) -> tuple[list[float], dict]:
    """Post every token to the confirmation view from `clients` threads (each its own DB connection)."""
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    url = reverse("thematiques:vote_confirm")
    work: queue.Queue = queue.Queue()
    for token in tokens:
        work.put(token)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client_loop():
        client = Client()
        local_lat, local_status = [], {}
        ready.wait()
        while True:
            try:
                token = work.get_nowait()
            except queue.Empty:
                break
            start = time.perf_counter()
            status = client.post(url, {"jeton": token}).status_code
            local_lat.append(time.perf_counter() - start)
            local_status[status] = local_status.get(status, 0) + 1
        with lock:
            latencies.extend(local_lat)
            for k, v in local_status.items():
                statuses[k] = statuses.get(k, 0) + v
        connections.close_all()

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for t in threads:
        t.start()
    start_barrier.wait()  # every process's clients start together
    ready.wait()
    for t in threads:
        t.join()
    return latencies, statuses


def _process_main(tokens, clients, start_barrier, results):
    latencies, statuses = _client_threads(tokens, clients, start_barrier)
    results.put((latencies, statuses))


def _hammer(tokens: list[str], clients: int, processes: int):
    """`clients` concurrent clients spread over `processes` worker processes (as gunicorn workers would
    be), each client a thread; return (seconds, latencies, statuses)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # never share a connection across fork
    ctx = multiprocessing.get_context("fork")
    start_barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    slices = [tokens[i::processes] for i in range(processes)]
    workers = [ctx.Process(target=_process_main, args=(slices[i], per_process[i], start_barrier, results))
               for i in range(processes)]
    for w in workers:
        w.start()
    start_barrier.wait()
    start = time.perf_counter()
    latencies, statuses = [], {}
    for _ in workers:
        lat, st = results.get()
        latencies.extend(lat)
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    seconds = time.perf_counter() - start
    for w in workers:
        w.join()
    return seconds, latencies, statuses


def _row(name, clients, processes, confirmations, seconds, latencies, expected, actual):
    lat = sorted(latencies)
    per_second = confirmations / seconds if seconds else 0.0
    return {
        "scénario": name, "clients": clients, "processus": processes, "confirmations": confirmations, "durée (s)": round(seconds, 2),
        "votes/s": round(per_second, 1),
        "p50 (ms)": round(statistics.median(lat) * 1000, 1) if lat else 0,
        "p95 (ms)": round(lat[int(len(lat) * 0.95) - 1] * 1000, 1) if lat else 0,
        "bulletins attendus": expected, "bulletins en base": actual, "exact": "oui" if expected == actual else "NON",
        "objectif ≥ 200/s": "oui" if per_second >= TARGET_PER_SECOND else "non",
    }


def measure(url: str = DEFAULT_URL, clients: int = CLIENTS, votes: int = DISTINCT_VOTES, processes: int = PROCESSES) -> list[dict]:
    _ensure_database(url)
    _setup_django(url)
    from thematiques.vote.models import Ballot
    from thematiques.vote.services import make_token, vote_payload

    rows = []
    # 1. distinct collectivités: every confirmation creates a ballot.
    campaign, props, collectivites = _fixtures(votes)
    tokens = [make_token(vote_payload(campaign, c, f"dgs@c{i}.fr", [props[i % 3]])) for i, c in enumerate(collectivites)]
    seconds, latencies, statuses = _hammer(tokens, clients, processes)
    actual = Ballot.objects.filter(campaign=campaign, status=Ballot.Status.CONFIRME).count()
    counted = sum(n for _label, n in campaign.results())
    row = _row("collectivités distinctes", clients, processes, len(tokens), seconds, latencies, votes, actual)
    if statuses != {303: len(tokens)} or counted != votes:
        row["exact"] = f"NON (statuts {statuses}, résultats {counted})"
    rows.append(row)

    # 2. contention: many confirmations racing on a few collectivités; one ballot each, never more.
    campaign, props, collectivites = _fixtures(CONTENDED_COLLECTIVITES)
    tokens = [make_token(vote_payload(campaign, collectivites[i % CONTENDED_COLLECTIVITES], "dgs@meme-adresse.fr",
                                      [props[i % 3]])) for i in range(CONTENDED_CONFIRMATIONS)]
    seconds, latencies, statuses = _hammer(tokens, clients, processes)
    actual = Ballot.objects.filter(campaign=campaign).count()
    rows.append(_row("même collectivité en concurrence", clients, processes, len(tokens), seconds, latencies,
                     CONTENDED_COLLECTIVITES, actual))
    return rows


def print_table(rows: list[dict], out=sys.stdout) -> None:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in COLUMNS}
    out.write(" | ".join(c.ljust(widths[c]) for c in COLUMNS) + "\n")
    out.write("-+-".join("-" * widths[c] for c in COLUMNS) + "\n")
    for r in rows:
        out.write(" | ".join(str(r.get(c, "")).ljust(widths[c]) for c in COLUMNS) + "\n")


def run(print_rows: bool = True) -> list[dict]:
    """Measure in a child process (own settings and database) and return the rows; print them too."""
    url = os.environ.get("BENCH_VOTE_DATABASE_URL", DEFAULT_URL)
    child = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--json", url],
                           cwd=str(ROOT), capture_output=True, text=True, check=False)
    if child.returncode != 0:
        raise RuntimeError(f"bench/vote.py a échoué : {child.stderr.strip().splitlines()[-1] if child.stderr else child.returncode}")
    rows = json.loads(child.stdout.strip().splitlines()[-1])
    if print_rows:
        print("Vote : confirmations par seconde (PostgreSQL, 50 clients concurrents)")
        print_table(rows)
    return rows


def targets_met(rows) -> bool:
    """Counts exact in every scenario and at least 200 confirmed votes per second with distinct collectivités."""
    return all(r["exact"] == "oui" for r in rows) and rows[0]["objectif ≥ 200/s"] == "oui"


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--json":
        result = measure(sys.argv[2] if len(sys.argv) > 2 else DEFAULT_URL)
        print(json.dumps(result, ensure_ascii=False))
    else:
        sys.exit(0 if targets_met(run()) else 1)
