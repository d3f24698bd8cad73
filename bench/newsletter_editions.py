"""Benchmark of the newsletter: render and export time, HTML size, for the seed edition and bigger ones.

The seed edition (``decembre-2021``, as the demo builds it, with card images) and editions of 25, 50
and 100 resource items are rendered (MJML → mrml → HTML → text) and exported (render + checks +
frozen record), N times each; the table gives the medians and the HTML size.
Targets on this machine: seed exported in under 150 ms (median), seed HTML under 60 KB, the seed at least
30 % shorter at 600 px (Chromium) than with full cards everywhere, time growing linearly with the number of
items and the export's queries the same whatever the number of items.

    .venv/bin/python bench/newsletter_editions.py

``run()`` measures in a child process with its own settings and a temporary SQLite database (removed
afterwards), so ``bench/run.py`` can collect it with the other benchmarks. (The module is not called
``newsletter.py``: run as a script, it would shadow the ``newsletter`` app.)
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_NEWSLETTER_RUNS", "15"))
SIZES = (25, 50, 100)
TARGET_EXPORT_MS = 150
TARGET_HTML_KB = 60
COLUMNS = ["édition", "éléments", "rendu p50 (ms)", "export p50 (ms)", "requêtes", "HTML (Ko)", "ms/élément",
           "600 px (px)", "objectif"]
TARGET_SHORTER = 0.30  # compact cards: the seed at least 30 % shorter at 600 px than with full cards everywhere
CHROMIUM = "/usr/bin/chromium"


def _setup_django():
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]  # no bench module shadows an app
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _image(title: str, alt: str):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    return get_image_model().objects.create(title=title, description=alt,
                                            file=get_test_image_file(size=(1200, 800)))


def _fixtures():
    from wagtail.models import Page, Site

    from home.models import HomePage
    from newsletter import demo
    from newsletter.models import NewsletterPage
    from ressources.models import ActualitePage, ProjetPage, RessourceIndexPage
    from thematiques.models import ThematiquePage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Territoires en Commun", slug="accueil"))
    site = Site.objects.get(is_default_site=True)
    old_root, site.root_page, site.hostname = site.root_page, home, "localhost"
    site.save()
    old_root.delete()
    demo.ensure_minimal_site()
    illustrated = list(ThematiquePage.objects.all()) + list(ProjetPage.objects.all()) + list(ActualitePage.objects.all())
    for page in illustrated:  # the demo's card images, with an alt text as long as the demo's
        page.listing_image = _image(f"Illustration — {page.title}",
                                    f"Illustration de « {page.title} » : pictogramme sur fond de couleur.")
        page.save_revision().publish()
    seed = demo.load()

    index = seed.get_parent()
    ressources = RessourceIndexPage.objects.get()
    image = _image("Illustration générique", "Illustration : des habitants réunis autour d'une table.")
    pages = [ressources.add_child(instance=ProjetPage(
        title=f"Initiative solidaire numéro {i}", chapo=f"Une collectivité partage son expérience {i} de "
        "participation citoyenne et de coopération entre habitants, élus et associations.",
        listing_image=image, external_url=f"https://initiatives.example.org/projet-{i}/",
        link_label="Pour découvrir le projet")) for i in range(max(SIZES))]
    editions = []
    for size in SIZES:
        edition = NewsletterPage(
            title=f"Édition de {size} éléments", slug=f"edition-{size}", subject=f"Édition de {size} éléments",
            preheader="Une édition pour mesurer.", date=seed.date,
            sections=[("projets", {"title": "Projets démocratiques et expériences territoriales pour vous inspirer",
                                   "items": [{"page": p, "title": "", "text": "", "cta_label": ""}
                                             for p in pages[:size]]})])
        index.add_child(instance=edition)
        edition.save_revision().publish()
        editions.append((size, NewsletterPage.objects.get(pk=edition.pk)))
    return seed, editions


def _median_ms(fn, runs=RUNS) -> float:
    fn()  # warm-up: templates compiled, renditions created
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def _measure_edition(edition):
    from newsletter.exports import export_edition
    from newsletter.models import NewsletterPage
    from newsletter.rendering import render_email

    def fresh():
        return NewsletterPage.objects.get(pk=edition.pk)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    render_ms = _median_ms(lambda: render_email(fresh(), "mailchimp"))
    export_ms = _median_ms(lambda: export_edition(fresh(), "mailchimp", "html", force=True))
    size_kb = len(render_email(fresh(), "mailchimp").html.encode("utf-8")) / 1024
    with CaptureQueriesContext(connection) as queries:
        export_edition(fresh(), "mailchimp", "html", force=True)
    return render_ms, export_ms, size_kb, len(queries.captured_queries)


def _length_at_600(html: str) -> int | None:
    """document.body.scrollHeight of the e-mail in Chromium at 600 px, pictures served from MEDIA_ROOT."""
    if not os.path.exists(CHROMIUM):
        return None
    from urllib.parse import urlsplit

    from django.conf import settings
    from playwright.sync_api import sync_playwright

    def handle(route):
        path = urlsplit(route.request.url).path
        if path.startswith(settings.MEDIA_URL):
            file = Path(settings.MEDIA_ROOT) / path[len(settings.MEDIA_URL):]
            if file.exists():
                return route.fulfill(path=str(file))
        return route.fulfill(status=204, body="")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 600, "height": 900})
        page.route("**/*", handle)
        page.set_content(html, wait_until="load")
        height = page.evaluate("document.body.scrollHeight")
        browser.close()
    return height


def _all_full(edition):
    """The same edition with every section in full cards (the layout before compact cards)."""
    from newsletter.models import NewsletterPage

    copy = NewsletterPage.objects.get(pk=edition.pk)
    blocks = list(copy.sections)
    for block in blocks:
        if "card_style" in block.value:
            block.value["card_style"] = "full"
    copy.sections = [(b.block_type, b.value) for b in blocks]
    return copy


def measure() -> list[dict]:
    _setup_django()
    seed, editions = _fixtures()
    rows = []
    from newsletter.rendering import render_email

    render_ms, export_ms, size_kb, queries = _measure_edition(seed)
    items = sum(len(view.cards) for view in seed.build_sections())
    length = _length_at_600(render_email(seed, "mailchimp").html)
    full_length = _length_at_600(render_email(_all_full(seed), "mailchimp").html)
    shorter = 1 - length / full_length if length and full_length else None
    ok = export_ms < TARGET_EXPORT_MS and size_kb < TARGET_HTML_KB and (shorter is None or shorter >= TARGET_SHORTER)
    rows.append({"édition": "décembre 2021 (seed)", "éléments": items, "rendu p50 (ms)": f"{render_ms:.1f}",
                 "export p50 (ms)": f"{export_ms:.1f}", "requêtes": queries, "HTML (Ko)": f"{size_kb:.1f}",
                 "ms/élément": f"{export_ms / items:.2f}",
                 "600 px (px)": (f"{length} (cartes complètes : {full_length}, −{shorter * 100:.0f}\u202f%)" if length
                                 else "Chromium absent"),
                 "objectif": f"export < {TARGET_EXPORT_MS} ms, HTML < {TARGET_HTML_KB} Ko, "
                             f"≥ {TARGET_SHORTER * 100:.0f}\u202f% plus courte : {'oui' if ok else 'NON'}"})
    per_item, counts = [], []
    for size, edition in editions:
        render_ms, export_ms, size_kb, queries = _measure_edition(edition)
        per_item.append(export_ms / size)
        counts.append(queries)
        rows.append({"édition": f"{size} éléments", "éléments": size, "rendu p50 (ms)": f"{render_ms:.1f}",
                     "export p50 (ms)": f"{export_ms:.1f}", "requêtes": queries, "HTML (Ko)": f"{size_kb:.1f}",
                     "ms/élément": f"{export_ms / size:.2f}", "objectif": ""})
    # Linear growth: the cost per item of the biggest edition stays within 1.5× that of the smallest.
    # The export's queries do not grow with the number of items (no query per item).
    linear = per_item[-1] <= 1.5 * per_item[0]
    constant = len(set(counts)) == 1
    rows[-1]["objectif"] = (f"croissance linéaire : {'oui' if linear else 'NON'}, "
                            f"requêtes constantes : {'oui' if constant else 'NON'}")
    return rows


def print_table(rows: list[dict], out=sys.stdout) -> None:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in COLUMNS}
    out.write(" | ".join(c.ljust(widths[c]) for c in COLUMNS) + "\n")
    out.write("-+-".join("-" * widths[c] for c in COLUMNS) + "\n")
    for r in rows:
        out.write(" | ".join(str(r.get(c, "")).ljust(widths[c]) for c in COLUMNS) + "\n")


def run(print_rows: bool = True) -> list[dict]:
    """Measure in a child process (own settings, temporary SQLite database) and return the rows."""
    tmp = tempfile.mkdtemp(prefix="bench-newsletter-")
    env = {**os.environ, "VAR_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
           "MEDIA_ROOT": str(Path(tmp) / "media")}
    try:
        child = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--json"], cwd=str(ROOT), env=env,
                               capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if child.returncode != 0:
        last = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else child.returncode
        raise RuntimeError(f"bench/newsletter_editions.py a échoué : {last}")
    rows = json.loads(child.stdout.strip().splitlines()[-1])
    if print_rows:
        print(f"Newsletter : rendu et export (médiane sur {RUNS} exécutions, SQLite, outil mailchimp)")
        print_table(rows)
    return rows


def targets_met(rows) -> bool:
    return all("NON" not in r["objectif"] for r in rows)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--json":
        print(json.dumps(measure(), ensure_ascii=False))
    else:
        sys.exit(0 if targets_met(run()) else 1)
