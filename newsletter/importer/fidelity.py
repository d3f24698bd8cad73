"""How much of an archived edition the import kept: the body's content links and headings found again
in the edition written (rich text, items' pages, section fields). Used by bench/importer.py and the
corpus tests.

Content links are the body's ``<a href>`` once hidden text, comments and the tool's footer
containers are off, minus the tool's boilerplate (unsubscribe, preferences, view in browser, social
icons, whether their host or their picture says so, links of a footer line, mailto:), compared as
``comparable_url`` (no scheme, no www, no tracking parameters)."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

from .cleaning import (
    clean_text,
    comparable_url,
    is_footer_text,
    is_social_icon,
    is_social_link,
    normalise_title,
    strip_stray_conditionals,
    usable_link,
)
from .parsing import ParsedEdition, _pre_clean
from .reading import read_source

HREF_RE = re.compile(r'href="([^"]+)"')
BOILERPLATE_URL_RE = re.compile(r"unsubscribe|optout|opt-out|/preferences|manage|desinscri|view.?online|webversion",
                                re.IGNORECASE)


def source_content(name: str, data: bytes) -> tuple[set[str], list[str]]:
    """(content links as comparable keys, heading texts) of a file's body."""
    source = read_source(name, data)
    soup = BeautifulSoup(strip_stray_conditionals(source.html), "html.parser")
    title = soup.find("title")
    subject = normalise_title(title.get_text(" ")) if title else ""
    _pre_clean(soup, ParsedEdition(subject=""))
    body = soup.body or soup
    links = set()
    for anchor in body.find_all("a"):
        href = usable_link(anchor.get("href") if isinstance(anchor.get("href"), str) else "")
        label = clean_text(anchor.get_text(" "))
        if not href.startswith(("http://", "https://")) or is_social_link(href) or BOILERPLATE_URL_RE.search(href):
            continue
        if (label and len(label) < 400 and is_footer_text(label)) or (not label and not anchor.find("img")):
            continue
        block = anchor.find_parent(["p", "li", "td", "div"])
        around = clean_text(block.get_text(" ")) if block is not None else ""
        if around and len(around) < 400 and is_footer_text(around):
            continue  # a link of the tool's footer line ("À propos – Contact – Conditions d'utilisation")
        image = anchor.find("img")
        alt = clean_text(str(image.get("alt") or "")) if image is not None else ""
        if not label and image is not None and (is_social_icon(alt, str(image.get("src") or ""))
                                                or (alt and is_footer_text(alt))):
            continue
        links.add(comparable_url(href))
    headings = []
    for tag in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        text = clean_text(tag.get_text(" "))
        if text and re.search(r"\w", text) and not is_footer_text(text) and normalise_title(text) != subject:
            headings.append(text)
    return links, headings


def edition_content(edition) -> tuple[set[str], set[str], str]:
    """(links as comparable keys, titles normalised, rich text normalised) of an imported edition."""
    links, titles, texts = set(), {normalise_title(edition.title)}, []
    for block in edition.sections:
        value = block.value
        titles.add(normalise_title(value.get("title") or ""))
        if value.get("body") is not None and hasattr(value["body"], "source"):
            source = value["body"].source
            links.update(comparable_url(h.replace("&amp;", "&")) for h in HREF_RE.findall(source))
            texts.append(BeautifulSoup(source, "html.parser").get_text(" "))
        for key in ("button_url", "contact_url"):
            if value.get(key):
                links.add(comparable_url(value[key]))
        items = list(value.get("items") or [])
        if value.get("item"):
            items.append(value["item"])
        pages = [item["page"] for item in items if item.get("page")]
        for item in items:
            if item.get("title"):
                titles.add(normalise_title(item["title"]))
        for key in ("thematique", "concept"):
            if value.get(key):
                pages.append(value[key])
        for page in pages:
            page = page.specific
            titles.add(normalise_title(page.title))
            for field in ("external_url", "registration_url"):
                if getattr(page, field, ""):
                    links.add(comparable_url(getattr(page, field)))
            for lien in getattr(page, "liens", None).all() if hasattr(page, "liens") else []:
                links.add(comparable_url(lien.url))
    return links, titles, normalise_title(" ".join(texts))


def fidelity(name: str, data: bytes, edition) -> dict:
    """Share of the file's content links and headings the edition kept, with what was lost."""
    source_links, headings = source_content(name, data)
    links, titles, text = edition_content(edition)
    lost_links = sorted(source_links - links)
    lost_headings = [h for h in headings if normalise_title(h) not in titles and normalise_title(h) not in text]
    return {
        "links": len(source_links), "links_kept": len(source_links) - len(lost_links), "lost_links": lost_links,
        "headings": len(headings), "headings_kept": len(headings) - len(lost_headings), "lost_headings": lost_headings,
    }
