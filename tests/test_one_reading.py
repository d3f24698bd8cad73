"""One reading of each page: no page of the demo says the same paragraph twice in its <main>.

A "paragraph" is the text of a block a reader reads as one (p, li, headings, quotes, captions, table cells);
two blocks repeat each other when one holds the other's whole text and that text has 12 words or more
(the chapô copied as the body, a quote shown as a figure and again in the body, a card's summary beside the
page it summarises). Run with Django's test client over the demo loaded once for the module.
"""
import io
import re

import pytest
from bs4 import BeautifulSoup

from tests.conftest import shared_data

BLOCKS = ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "dd", "dt", "td", "th"]
MIN_WORDS = 12


@pytest.fixture(scope="module")
def demo_urls(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.core.management import call_command
    from django.test import override_settings

    def build():
        from wagtail.models import Page

        call_command("load_demo", collectivites="demo", stdout=io.StringIO())
        return [page.url for page in Page.objects.live().public().filter(depth__gte=2).order_by("path").specific()]

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("one-reading-media")):
        yield from shared_data(django_db_blocker, build)


def normalise(text: str) -> str:
    text = text.replace("\u2026", " ").replace("...", " ")  # a truncated summary ends with an ellipsis
    text = re.sub(r"[«»\"“”()\[\]]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .:;,!?").lower()


def paragraphs(html: str) -> list[str]:
    """The text of each innermost reading block of <main> (a block inside another block counts once)."""
    main = BeautifulSoup(html, "html.parser").find("main")
    assert main is not None
    # The breadcrumb names the current page by design (DSFR): navigation, not content.
    for hidden in main.select("nav, .fr-breadcrumb, .fr-sr-only, script, style, template"):
        hidden.decompose()
    texts = []
    for element in main.find_all(BLOCKS):
        if element.find(BLOCKS):
            continue  # its own blocks are read one by one
        text = normalise(element.get_text(" "))
        if len(text.split()) >= MIN_WORDS:
            texts.append(text)
    return texts


def repeats(texts: list[str]) -> list[str]:
    found = []
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            shorter, longer = sorted((a, b), key=len)
            if shorter in longer:
                found.append(shorter[:120])
    return found


def test_the_helper_finds_a_chapo_repeated_as_the_body_and_ignores_short_repeats():
    chapo = "Le projet réunit les habitants, les élus et les associations autour d'un budget participatif annuel."
    html = f"<main><h1>Titre</h1><p class='fr-text--lead'>{chapo}</p><div><p>{chapo} Et puis la suite.</p></div>" \
           "<p>En savoir plus</p><p>En savoir plus</p></main>"
    assert repeats(paragraphs(html)) == [normalise(chapo)[:120]]
    assert repeats(paragraphs(f"<main><p>{chapo}</p><p>Un autre texte, tout à fait différent du premier, "
                              "qui dit les faits : le porteur, le territoire et les dates.</p></main>")) == []


@pytest.mark.django_db
def test_no_page_of_the_demo_repeats_a_paragraph_in_its_main(client, demo_urls):
    assert len(demo_urls) > 30
    report = {}
    for url in demo_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = repeats(paragraphs(response.content.decode()))
        if found:
            report[url] = found
    assert not report, "\n".join(f"{url}:\n  " + "\n  ".join(texts) for url, texts in report.items())
