"""Bounded work per file: zip bombs, deep nesting (HTML and MJML), huge .eml subjects, the time budget.
Each fails fast with one French line, never a crash, and changes nothing."""
import io
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from newsletter.importer import parsing
from newsletter.importer.errors import EditionImportError
from newsletter.importer.parsing import parse_edition
from newsletter.importer.reading import read_source

ROOT = Path(__file__).resolve().parent.parent


def lying_zip(real_size: int, claimed: int = 1024) -> bytes:
    """An export-like zip whose index.html unpacks to ``real_size`` bytes but says ``claimed``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("index.html", "w", force_zip64=False) as member:
            member.write(b"<html><body><h2>Titre</h2>")
            chunk = b"<p>x</p>" * (1024 * 128)
            for _ in range(real_size // len(chunk)):
                member.write(chunk)
    data = bytearray(buffer.getvalue())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local + 22, claimed)
    struct.pack_into("<I", data, central + 24, claimed)
    return bytes(data)


def one_line(exc) -> str:
    message = str(exc.value)
    assert "\n" not in message and message
    return message


def test_zip_bomb_lying_about_its_size_fails_fast_with_little_memory():
    bomb = lying_zip(300 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(EditionImportError) as exc:
        read_source("bombe.zip", bomb)
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 200 * 1024 * 1024
    assert "archive ZIP refusée" in one_line(exc)


def test_zip_entry_larger_than_the_limit_once_unpacked_is_refused():
    bomb = lying_zip(40 * 1024 * 1024, claimed=40 * 1024 * 1024)
    with pytest.raises(EditionImportError) as exc:
        read_source("gros.zip", bomb)
    assert "trop volumineux" in one_line(exc)


@pytest.mark.parametrize("depth", [10_000, 200_000])
def test_deeply_nested_divs_fail_fast(depth):
    html = "<html><body>" + "<div>" * depth + "<h2>Titre</h2><p>Texte</p>" + "</div>" * depth + "</body></html>"
    start = time.perf_counter()
    with pytest.raises(EditionImportError) as exc:
        parse_edition(read_source("profond.html", html.encode()).html)
    assert time.perf_counter() - start < 2
    assert "imbriqués" in one_line(exc)


def test_deeply_nested_mjml_fails_without_crashing_the_process():
    # In a child process: a crash of mrml (SIGSEGV) would otherwise take the test run down.
    code = (
        "import os, time\n"
        "import django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cms.settings.test')\n"
        "django.setup()\n"
        "from newsletter.importer.reading import read_source\n"
        "from newsletter.importer.errors import EditionImportError\n"
        "src = '<mjml><mj-body>' + '<mj-wrapper>' * 5000 + '<mj-section><mj-column><mj-text>x</mj-text>'"
        " + '</mj-column></mj-section>' + '</mj-wrapper>' * 5000 + '</mj-body></mjml>'\n"
        "t = time.perf_counter()\n"
        "try:\n    read_source('profond.mjml', src.encode())\nexcept EditionImportError as exc:\n"
        "    print(round(time.perf_counter() - t, 2), exc)\n"
    )
    child = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr[-500:]
    seconds, _sep, message = child.stdout.strip().partition(" ")
    assert float(seconds) < 2 and "imbriqués" in message


def test_eml_with_thousands_of_encoded_words_in_its_subject_is_read_fast():
    words = " ".join(["=?utf-8?q?caf=C3=A9?="] * 20_000)
    data = (f"Subject: {words}\r\nDate: Tue, 12 Mar 2024 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/html; charset=utf-8\r\n\r\n"
            "<html><body><h2>Section</h2><p>Texte</p></body></html>").encode()
    start = time.perf_counter()
    source = read_source("lettre.eml", data)
    assert time.perf_counter() - start < 2
    assert source.meta["subject"].startswith("café") and len(source.meta["subject"]) <= 255
    assert source.meta["sent_date"] == "2024-03-12"


def test_time_budget_per_file(monkeypatch):
    monkeypatch.setattr(parsing, "TIME_BUDGET_SECONDS", 0.0)
    html = "<html><body>" + "<p><b>a</b> b</p>" * 2000 + "<h2>T</h2></body></html>"
    with pytest.raises(EditionImportError) as exc:
        parse_edition(html)
    assert "lecture arrêtée" in one_line(exc)


@pytest.mark.django_db
def test_command_dry_run_on_deep_mjml_fails_with_one_line(tmp_path, home):
    from django.core.management import CommandError, call_command

    from newsletter.models import NewsletterIndexPage, NewsletterPage

    home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))
    path = tmp_path / "profond.mjml"
    path.write_text("<mjml><mj-body>" + "<mj-wrapper>" * 5000 + "</mj-wrapper>" * 5000 + "</mj-body></mjml>")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_newsletter", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and "imbriqués" in lines[0]
    assert not NewsletterPage.objects.exists()
