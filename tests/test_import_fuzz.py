"""Property-based: mangled or random HTML never crashes the importer (only EditionImportError,
with a message) and a failed file never leaves partial data."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from wagtail.models import Page

from newsletter.importer import EditionImportError
from newsletter.importer.parsing import parse_edition
from newsletter.importer.reading import read_source
from newsletter.importer.service import EditionImporter

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
SAMPLES = [(FIXTURES / name).read_bytes() for name in
           ("mailchimp-2021-12.html", "brevo-2022-03.html", "mailjet-2022-06.html", "mjml-2022-09.html")]
TAGS = ["html", "body", "table", "tr", "td", "div", "p", "h1", "h2", "h3", "a", "img", "ul", "li", "span", "strong",
        "br", "!--[if mso]", "![endif]--", "center", "style", "script", "title", "meta"]
ATTRS = ['href="https://x.org/?url=https%3A%2F%2Fy.org"', 'style="display:none"', 'src="https://i.org/p.gif"',
         'width="1"', 'href="*|UNSUB|*"', 'href="[[PERMALINK]]"', 'alt="{{ mirror }}"', 'role="heading"',
         'aria-level="9"', 'style="font-size:40px;font-weight:bold"', 'charset="utf-8"', "", 'href="javascript:x"']

tag_soup = st.lists(
    st.one_of(
        st.builds(lambda t, a: f"<{t} {a}>", st.sampled_from(TAGS), st.sampled_from(ATTRS)),
        st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
        st.text(max_size=40),
        st.sampled_from(["Vous recevez cet email", "décembre 2021", "Lire la suite", "*|FNAME|*", "&nbsp;", "&#0;"]),
    ),
    max_size=60,
).map("".join)


def mangle(data: bytes, cuts: list) -> bytes:
    out = bytearray(data)
    for position, byte in cuts:
        if out:
            out[position % len(out)] = byte
    return bytes(out)


def check(name: str, data: bytes) -> None:
    try:
        source = read_source(name, data)
        parse_edition(source.html, meta=source.meta, filename=name)
    except EditionImportError as exc:
        assert str(exc) and "\n" not in str(exc)


@settings(max_examples=150, deadline=None)
@given(tag_soup)
def test_random_tag_soup_never_crashes_the_parser(html):
    check("soupe.html", html.encode("utf-8", "surrogatepass") if html.isascii() else html.encode("utf-8", "replace"))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(range(len(SAMPLES))), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=30),
       st.integers(0, 10**6))
def test_mangled_editions_never_crash_the_parser(index, cuts, truncate):
    data = mangle(SAMPLES[index], cuts)
    check("edition.html", data[: max(1, truncate % (len(data) + 1))])


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_parser(data):
    check("octets.html", data)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(html=st.one_of(tag_soup, st.sampled_from(range(len(SAMPLES))).map(lambda i: SAMPLES[i].decode("cp1252", "replace"))),
       cuts=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(b"<>/\"'= \x00a")), max_size=8))
# Found by hypothesis: a mangled card whose address is a page of another type (the importer crashed on it).
@example(html=SAMPLES[2].decode("cp1252", "replace"), cuts=[(1600, ord(">"))])
def test_a_failed_import_leaves_no_partial_data(site_tree_for_fuzz, html, cuts):
    before = Page.objects.count()
    report = EditionImporter().import_one("fuzz.html", mangle(html.encode("utf-8"), cuts))
    if not report.ok:
        assert report.error and "\n" not in report.error
        assert Page.objects.count() == before
    else:
        assert Page.objects.count() > before or any("déjà importée" in line for line in report.reused)


@pytest.fixture
def site_tree_for_fuzz(home, ressource_index):
    """An archive and a library, but no agenda nor thématiques: some sections must fail or degrade."""
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))
