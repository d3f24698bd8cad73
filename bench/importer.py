"""Benchmark of the archive importer: 100 generated editions imported, then imported again.

The editions are generated in the four styles the importer reads (Mailchimp tables, Brevo bold
paragraphs in Windows-1252, Mailjet/MJML compiled by mrml with tracking links), 12 cards each, half
of them pointing to resources an earlier edition already brought in (so matching is exercised).
Each run uses its own temporary SQLite database (removed afterwards), or PostgreSQL when
``BENCH_IMPORT_DATABASE_URL`` is set (a throw-away database, dropped afterwards).

    .venv/bin/python bench/importer.py

``run()`` measures in a child process (own settings and database) and returns the rows, so that
``bench/run.py`` can collect several benchmarks. Target: 100 editions in under 20 s.
"""
from __future__ import annotations

import base64
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
EDITIONS = 100
CARDS = 12
TARGET_SECONDS = 20
COLUMNS = ["scénario", "base", "éditions", "pages créées", "durée (s)", "CPU (s)", "ms/édition p50", "ms/édition p95",
           "échecs", "objectif < 20 s"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def _b64(url: str) -> str:
    return base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def _cards(n: int) -> list[dict]:
    cards = []
    for k in range(CARDS):
        # Half the cards are new, half repeat a resource of an earlier edition (same URL, same title).
        ref = n * CARDS + k if k % 2 == 0 or n == 0 else (n - 1) * CARDS + k - 1
        cards.append({"title": f"Initiative solidaire numéro {ref}",
                      "summary": f"Une collectivité partage son expérience {ref} de participation citoyenne.",
                      "url": f"https://initiatives.example.org/projet-{ref}/",
                      "image": f"https://cdn.example.org/img/{ref}.jpg"})
    return cards


def mailchimp(n: int) -> bytes:
    month, year = MONTHS[n % 12], 2015 + n // 12
    blocks = []
    for index, card in enumerate(_cards(n)):
        if index % 4 == 0:
            blocks.append(f'<table class="mcnTextBlock"><tr><td class="mcnTextContent"><h2>Rubrique {index // 4 + 1}</h2>'
                          f"<p>Texte d'introduction de la rubrique.</p></td></tr></table>")
        link = f"{card['url']}?utm_source=newsletter&amp;mc_cid=abc&amp;mc_eid=def"
        blocks.append(
            f'<table class="mcnCaptionBlock"><tr><td><img src="{card["image"]}" alt="Illustration {index}" width="564"></td></tr>'
            f'<tr><td class="mcnTextContent"><h3>{card["title"]}</h3><p>{card["summary"]}</p></td></tr></table>'
            f'<table class="mcnButtonBlock"><tr><td style="background-color:#000091;padding:15px">'
            f'<a class="mcnButton" href="{link}">Pour découvrir le projet</a></td></tr></table>')
    html = (f'<!doctype html><html><head><meta charset="UTF-8"><title>Lettre n° {n + 1} — {month} {year}</title>'
            f'<!--[if gte mso 15]><xml><o:OfficeDocumentSettings/></xml><![endif]--></head><body>'
            f'<span class="mcnPreviewText" style="display:none">Aperçu {n}</span><center><table id="bodyTable"><tr><td>'
            f'<table><tr><td><a href="*|ARCHIVE|*">Voir cette newsletter dans votre navigateur</a></td></tr></table>'
            + "".join(blocks) +
            '<table id="templateFooter"><tr><td><a href="*|UNSUB|*">unsubscribe</a></td></tr></table>'
            '</td></tr></table></center><img src="https://x.us5.list-manage.com/track/open.php?u=1" width="1" height="1" alt="">'
            "</body></html>")
    return html.encode("utf-8")


def brevo(n: int) -> bytes:
    month, year = MONTHS[n % 12], 2015 + n // 12
    rows = [f'<tr><td><div><span style="font-size:26px"><strong>Lettre n° {n + 1}</strong></span></div>'
            f"<div>{month.capitalize()} {year}</div></td></tr>"]
    for index, card in enumerate(_cards(n)):
        if index % 6 == 0:
            rows.append(f'<tr><td><div><span style="font-size:20px"><strong>Projets pour vous inspirer {index}</strong>'
                        "</span></div></td></tr>")
        link = f"https://r.lettre.example.fr/mk/cl/f/AAA{index}/{_b64(card['url'] + '?utm_source=brevo')}"
        rows.append(f'<tr><td><a href="{link}"><img src="{card["image"]}" alt="" width="263"></a></td></tr>'
                    f'<tr><td><div><strong><span style="font-size:18px">{card["title"]}</span></strong></div>'
                    f"<div>Bonjour {{{{ contact.PRENOM }}}}, {card['summary']}</div></td></tr>"
                    f'<tr><td bgcolor="#000091" style="padding:10px"><a href="{link}">Découvrez l\'initiative</a></td></tr>')
    rows.append('<tr><td><div>Vous avez reçu cet email car vous êtes inscrit.</div>'
                '<div><a href="{{ unsubscribe }}">Se désinscrire</a></div></td></tr>')
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><title>{{ params.sujet }}</title>'
            '</head><body><table>' + "".join(rows) + "</table></body></html>")
    return html.encode("cp1252")


def mjml(n: int) -> bytes:
    import mrml

    month, year = MONTHS[n % 12], 2015 + n // 12
    parts = []
    for index, card in enumerate(_cards(n)):
        if index % 4 == 0:
            parts.append(f"<mj-text><h2>Pour aller plus loin {index // 4 + 1}</h2></mj-text>")
        link = f"https://abc.mjt.lu/lnk/AUs/{index}/x/{_b64(card['url'])}"
        parts.append(f'<mj-image src="{card["image"]}" alt="Illustration" href="{link}" />'
                     f'<mj-text><h3>{card["title"]}</h3><p>{card["summary"]}</p></mj-text>'
                     f'<mj-button href="{link}">Lire l\'article</mj-button>')
    source = (f"<mjml><mj-head><mj-title>Territoires en Commun | 15 {month} {year}</mj-title>"
              f"<mj-preview>Aperçu {n}</mj-preview></mj-head><mj-body><mj-section><mj-column>"
              + "".join(parts) +
              '<mj-text><p>Cet e-mail a été envoyé à [[EMAIL_TO]], <a href="[[UNSUB_LINK_FR]]">désabonner</a>.</p></mj-text>'
              "</mj-column></mj-section></mj-body></mjml>")
    return mrml.to_html(source).content.encode("utf-8")


GENERATORS = [mailchimp, brevo, mjml]


def generate(count: int = EDITIONS) -> list[tuple[str, bytes]]:
    return [(f"edition-{n + 1:03d}-{GENERATORS[n % len(GENERATORS)].__name__}.html", GENERATORS[n % len(GENERATORS)](n))
            for n in range(count)]


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _site():
    from wagtail.models import Page, Site

    from home.models import HomePage
    from newsletter.models import NewsletterIndexPage
    from ressources.models import AgendaIndexPage, RessourceIndexPage
    from thematiques.models import ThematiqueIndexPage

    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Territoires en Commun", slug="accueil-bench"))
    Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "testserver", "port": 80,
                                                                 "root_page": home})
    for model, slug in ((RessourceIndexPage, "ressources"), (AgendaIndexPage, "agenda"),
                        (ThematiqueIndexPage, "thematiques")):
        home.add_child(instance=model(title=slug.capitalize(), slug=slug))
    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


def measure(url: str) -> list[dict]:
    _setup_django(url)
    from wagtail.models import Page

    from newsletter.importer.service import EditionImporter

    files = generate()
    archive = _site()
    rows = []
    for scenario in ("premier import", "second import (rien de nouveau)"):
        before = Page.objects.count()
        durations, failures = [], 0
        importer = EditionImporter(parent=archive)
        start, cpu_start = time.perf_counter(), time.process_time()
        for name, data in files:
            t0 = time.perf_counter()
            report = importer.import_one(name, data)
            durations.append((time.perf_counter() - t0) * 1000)
            failures += 0 if report.ok else 1
        total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        durations.sort()
        rows.append({
            "scénario": scenario, "base": "PostgreSQL" if url.startswith("postgres") else "SQLite",
            "éditions": len(files), "pages créées": Page.objects.count() - before, "durée (s)": f"{total:.1f}", "CPU (s)": f"{cpu:.1f}",
            "ms/édition p50": f"{statistics.median(durations):.0f}",
            "ms/édition p95": f"{durations[int(len(durations) * 0.95) - 1]:.0f}", "échecs": failures,
            "objectif < 20 s": "oui" if total < TARGET_SECONDS and not failures else "NON",
        })
    return rows


def corpus_dir() -> Path | None:
    """The shared corpus of real archived editions: beside the repository first (CI), then /work/shared."""
    for base in (ROOT.parent / "shared", Path("/work/shared")):
        folder = base / "newsletters-corpus"
        if folder.is_dir():
            return folder
    return None


CORPUS_COLUMNS = ["fichier", "sections", "éléments", "liens gardés", "titres gardés", "date", "ms"]


def measure_corpus(url: str) -> dict:
    """Fidelity on every file of the corpus: links and headings kept, each edition imported once."""
    _setup_django(url)
    from newsletter.importer.fidelity import fidelity
    from newsletter.importer.service import EditionImporter
    from newsletter.models import NewsletterPage

    folder = corpus_dir()
    files = sorted(folder.glob("*.html")) if folder else []
    archive = _site()
    rows, totals = [], {"links": 0, "links_kept": 0, "headings": 0, "headings_kept": 0}
    failures = []
    for path in files:
        data = path.read_bytes()
        t0 = time.perf_counter()
        report = EditionImporter(parent=archive).import_one(path.name, data)
        ms = (time.perf_counter() - t0) * 1000
        if not report.ok:
            failures.append(f"{path.name}: {report.error}")
            rows.append({"fichier": path.name[:40], "sections": "ÉCHEC", "ms": f"{ms:.0f}"})
            continue
        edition = NewsletterPage.objects.get(pk=report.edition_id)
        fid = fidelity(path.name, data, edition)
        for key in totals:
            totals[key] += fid[key]
        rows.append({"fichier": path.name[:40], "sections": report.sections, "éléments": report.items,
                     "liens gardés": f"{fid['links_kept']}/{fid['links']}",
                     "titres gardés": f"{fid['headings_kept']}/{fid['headings']}", "date": str(edition.date),
                     "ms": f"{ms:.0f}", "_lost": fid["lost_links"][:5] + fid["lost_headings"][:5]})
    editions = NewsletterPage.objects.count()
    again = [EditionImporter(parent=archive).import_one(p.name, p.read_bytes()) for p in files]
    return {
        "rows": rows, "failures": failures, "files": len(files), "editions": editions,
        "editions_after_second_import": NewsletterPage.objects.count(),
        "second_import_created": sum(len(r.created) for r in again),
        "links_share": totals["links_kept"] / totals["links"] if totals["links"] else 1.0,
        "headings_share": totals["headings_kept"] / totals["headings"] if totals["headings"] else 1.0,
    }


def print_corpus(result: dict, out=sys.stdout) -> None:
    out.write(f"Corpus d'éditions réelles : {result['files']} fichiers\n")
    print_table(result["rows"], out, CORPUS_COLUMNS)
    for row in result["rows"]:
        if row.get("_lost") and "-v" in sys.argv:
            out.write(f"  {row['fichier']} perdus : {row['_lost']}\n")
    out.write(f"liens du contenu gardés : {result['links_share']:.1%} (objectif ≥ 95 %)\n")
    out.write(f"titres gardés comme titres de section ou d'élément : {result['headings_share']:.1%} (objectif ≥ 95 %)\n")
    out.write(f"éditions : {result['editions']} pour {result['files']} fichiers distincts ; second import : "
              f"{result['editions_after_second_import'] - result['editions']} nouvelle(s), "
              f"{result['second_import_created']} ligne(s) « créé »\n")
    for failure in result["failures"]:
        out.write(f"ÉCHEC {failure}\n")


def print_table(rows: list[dict], out=sys.stdout, columns=None) -> None:
    COLUMNS = columns or globals()["COLUMNS"]  # noqa: N806 — the module's table by default
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in COLUMNS}
    out.write(" | ".join(c.ljust(widths[c]) for c in COLUMNS) + "\n")
    out.write("-+-".join("-" * widths[c] for c in COLUMNS) + "\n")
    for r in rows:
        out.write(" | ".join(str(r.get(c, "")).ljust(widths[c]) for c in COLUMNS) + "\n")


def _postgres(url: str, action: str) -> None:
    from urllib.parse import urlparse

    import psycopg2
    from psycopg2 import sql

    parsed = urlparse(url)
    admin = psycopg2.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 5432,
                             user=parsed.username or "postgres", password=parsed.password or None, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(parsed.path.lstrip("/"))))
        if action == "create":
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.path.lstrip("/"))))
    admin.close()


def run(print_rows: bool = True) -> list[dict]:
    """Measure in a child process (own settings and throw-away database) and return the rows."""
    pg_url = os.environ.get("BENCH_IMPORT_DATABASE_URL")
    tmp = tempfile.mkdtemp(prefix="bench-import-")
    url = pg_url or f"sqlite:///{tmp}/bench.sqlite3"
    env = {**os.environ, "VAR_DIR": tmp}
    try:
        if pg_url:
            _postgres(pg_url, "create")
        child = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--json", url], cwd=str(ROOT),
                               capture_output=True, text=True, check=False, env=env)
        if child.returncode != 0:
            last = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else child.returncode
            raise RuntimeError(f"bench/importer.py a échoué : {last}")
        rows = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if pg_url:
            _postgres(pg_url, "drop")
    if print_rows:
        print(f"Import d'éditions archivées : {EDITIONS} éditions de {CARDS} cartes (Mailchimp, Brevo, MJML)")
        print_table(rows)
    return rows


def run_corpus(print_result: bool = True) -> bool:
    """Fidelity on the real corpus, in a child process with its own SQLite database."""
    if corpus_dir() is None:
        print("Corpus d'éditions réelles introuvable (../shared/newsletters-corpus) : mesure sautée")
        return True
    tmp = tempfile.mkdtemp(prefix="bench-import-corpus-")
    try:
        child = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--corpus-json",
                                f"sqlite:///{tmp}/bench.sqlite3"], cwd=str(ROOT), capture_output=True, text=True,
                               check=False, env={**os.environ, "VAR_DIR": tmp})
        if child.returncode != 0:
            last = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else child.returncode
            raise RuntimeError(f"bench/importer.py (corpus) a échoué : {last}")
        result = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if print_result:
        print_corpus(result)
    return (result["links_share"] >= 0.95 and result["headings_share"] >= 0.95 and not result["failures"]
            and result["editions"] == result["files"] and result["editions_after_second_import"] == result["editions"])


def targets_met(rows: list[dict]) -> bool:
    return all(r["objectif < 20 s"] == "oui" for r in rows)


if __name__ == "__main__":
    # Run as a script, this folder comes first on sys.path, where a benchmark module may shadow a
    # standard library module (bench/http.py): look up modules from the project root instead.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
    if len(sys.argv) >= 2 and sys.argv[1] == "--json":
        print(json.dumps(measure(sys.argv[2]), ensure_ascii=False))
    elif len(sys.argv) >= 2 and sys.argv[1] == "--corpus-json":
        print(json.dumps(measure_corpus(sys.argv[2]), ensure_ascii=False))
    else:
        ok = targets_met(run())
        sys.exit(0 if run_corpus() and ok else 1)
