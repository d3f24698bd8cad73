"""Email rendering: sections → MJML → mrml → HTML post-processing → plain text → merge tags.

Order matters: the merge tags of the mailing tool are written as neutral placeholders and only
replaced at the very end, after every HTML pass, so they come out byte for byte.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import mrml
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from django.conf import settings
from django.template.loader import render_to_string

from .blocks import format_date
from .profiles import ARCHIVE, PREFERENCES, UNSUBSCRIBE, apply_substitutions, get_profile, placeholder

IMAGE_SPEC = "fill-1200x630"
IMAGE_WIDTH = 560
IMAGE_HEIGHT = 294  # 560 × 630 / 1200
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")


@dataclass
class RenderedEmail:
    html: str
    text: str
    links: list = field(default_factory=list)
    missing_alt: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    mjml: str = ""
    web_url: str = ""


# --- URLs ----------------------------------------------------------------------------------------------


def base_url() -> str:
    return settings.SITE_BASE_URL.rstrip("/")


def site_netlocs() -> set:
    """The host names under which the site's pages are addressed (Wagtail caches the site list)."""
    from wagtail.models import Site

    netlocs = {urlsplit(base_url()).netloc}
    for site_root in Site.get_site_root_paths():
        netloc = urlsplit(site_root.root_url).netloc
        netlocs.update({netloc, netloc.split(":")[0]})
    return netlocs


def absolutize(url: str) -> str:
    if not url or url.startswith(("http://", "https://", "mailto:", "tel:", "#", "__NL_")):
        return url
    if url.startswith("//"):
        return urlsplit(base_url()).scheme + ":" + url
    return base_url() + "/" + url.lstrip("/")


def tag_site_link(url: str, campaign: str, netlocs: set) -> str:
    """An absolute link on the public site with the newsletter's UTM parameters; other links untouched."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc not in netlocs:
        return url
    base = urlsplit(base_url())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in UTM_KEYS]
    query += [("utm_source", "newsletter"), ("utm_medium", "email"), ("utm_campaign", campaign)]
    return urlunsplit((base.scheme, base.netloc, parts.path or "/", urlencode(query), parts.fragment))


def is_site_link(url: str, netlocs: set) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.netloc in netlocs


def image_for_email(image, alt: str) -> dict | None:
    """An absolute rendition URL with its displayed size and alt text, for an MJML image."""
    if image is None:
        return None
    rendition = image.get_rendition(IMAGE_SPEC)
    return {"src": absolutize(rendition.url), "width": IMAGE_WIDTH,
            "height": round(IMAGE_WIDTH * rendition.height / rendition.width) if rendition.width else IMAGE_HEIGHT,
            "alt": alt}


def stream_to_html(body) -> str:
    """Email-safe HTML of a page body: text blocks only (paragraphs, headings, quotes, callouts)."""
    from django.utils.html import escape, linebreaks
    from wagtail.rich_text import expand_db_html

    parts = []
    for block in body or []:
        value = block.value
        if block.block_type == "paragraph":
            parts.append(expand_db_html(value.source))
        elif block.block_type == "heading":
            parts.append(f"<h4>{escape(value['text'])}</h4>")
        elif block.block_type == "quote":
            author = f" — {escape(value['author'])}" if value.get("author") else ""
            parts.append(f"<blockquote><p>« {escape(value['quote'])} »{author}</p></blockquote>")
        elif block.block_type == "callout":
            title = f"<strong>{escape(value['title'])}</strong><br>" if value.get("title") else ""
            parts.append(f"<p>{title}{escape(value['text'])}</p>")
        elif block.block_type == "button":
            url = value["page"].url if value.get("page") else value.get("url")
            if url:
                parts.append(f'<p><a href="{escape(url)}">{escape(value["label"])}</a></p>')
        elif isinstance(value, str):
            parts.append(linebreaks(value))
    return "".join(parts)


# --- HTML post-processing ------------------------------------------------------------------------------

BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "blockquote",
              "section", "article", "header", "footer", "td"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


COLOR_SCHEME_META = ('<meta name="color-scheme" content="light dark">'
                     '<meta name="supported-color-schemes" content="light dark">')


class LinkRewriter:
    """Absolute links everywhere; the newsletter's UTM parameters on links to the site only.

    Applied to the values that go into the MJML (cards, buttons, rich text), so that the compiled
    HTML is never rewritten afterwards: what mrml outputs is what is exported.
    """

    def __init__(self, campaign: str):
        self.campaign = campaign
        self.netlocs = site_netlocs()

    def url(self, url: str) -> str:
        if not url:
            return url
        return tag_site_link(absolutize(url.strip()), self.campaign, self.netlocs)

    def card(self, card):
        return replace(card, url=self.url(card.url), external_url=self.url(card.external_url))

    def fragment(self, html: str) -> str:
        """Editor rich text: links and images made absolute, site links tagged."""
        if not html or ("href" not in html and "src" not in html):
            return html
        soup = BeautifulSoup(html, "html.parser")
        for a in soup.find_all("a", href=True):
            a["href"] = self.url(a["href"])
        for img in soup.find_all("img", src=True):
            img["src"] = absolutize(img["src"])
        return str(soup)

    def section(self, section):
        section.cards = [self.card(card) for card in section.cards]
        section.buttons = [(label, self.url(url)) for label, url in section.buttons]
        section.links = [(title, self.url(url), source) for title, url, source in section.links]
        section.body_html = self.fragment(section.body_html)
        return section


class EmailHtml:
    """The compiled HTML, read (never rewritten) for the plain text, the links and the checks."""

    def __init__(self, html: str):
        self.soup = BeautifulSoup(html, "html.parser")
        self.links = [a["href"] for a in self.soup.find_all("a", href=True)]
        decorative = {id(img) for cell in self.soup.select("td.nl-decorative") for img in cell.find_all("img")}
        self.missing_alt = [
            img.get("src", "") for img in self.soup.find_all("img")
            if img.get("alt") is None or (not img["alt"].strip() and id(img) not in decorative)
        ]

    def text(self) -> str:
        return html_to_text(self.soup)


def _hidden(tag: Tag) -> bool:
    style = (tag.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or tag.get("aria-hidden") == "true"


def html_to_text(soup) -> str:
    """Plain text in reading order: headings, paragraphs, list items, each link's URL after its text."""
    body = soup.body or soup
    lines: list = []
    current: list = []

    def flush():
        text = re.sub(r"[ \t\u00a0]+", " ", "".join(current)).strip()
        current.clear()
        for line in text.split("\n"):
            line = line.strip()
            if line:
                lines.append(line)

    def blank():
        flush()
        if lines and lines[-1] != "":
            lines.append("")

    def walk(node, in_heading=False):
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                current.append(re.sub(r"\s+", " ", str(child)))
                continue
            if not isinstance(child, Tag) or child.name in ("style", "script", "head", "title") or _hidden(child):
                continue
            name = child.name
            if name == "br":
                current.append("\n")
            elif name == "img":
                continue
            elif name == "a":
                href = child.get("href", "")
                label = re.sub(r"\s+", " ", child.get_text(" ")).strip()
                target = href[len("mailto:"):] if href.startswith("mailto:") else href
                if not label or label == target:
                    current.append(target)
                elif in_heading:
                    current.append(f"{label}\n{target}")
                else:
                    current.append(f"{label} ({target})")
            elif name in HEADINGS:
                blank()
                walk(child, in_heading=True)
                flush()
            elif name == "li":
                flush()
                current.append("- ")
                walk(child, in_heading)
                flush()
            elif name in BLOCK_TAGS:
                flush()
                walk(child, in_heading)
                flush()
                if name in ("p", "ul", "ol", "blockquote"):
                    blank()
            else:
                walk(child, in_heading)

    walk(body)
    flush()
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


# --- the edition ---------------------------------------------------------------------------------------


def site_links(edition) -> dict:
    """The site's own link for every merge-tag role (used by the generic profile and test sends)."""
    from .models import NewsletterIndexPage

    index = NewsletterIndexPage.objects.live().first()
    unsubscribe = index.specific.unsubscribe_url() if index else absolutize("/")
    return {UNSUBSCRIBE: unsubscribe, PREFERENCES: unsubscribe, ARCHIVE: edition_web_url(edition)}


def edition_web_url(edition) -> str:
    return absolutize(edition.url or edition.get_url() or "/")


def _prefetched_images(sections) -> dict:
    """The card images the email shows, with their email rendition, in two queries."""
    from wagtail.images import get_image_model

    ids = {card.image.pk for section in sections if section.show_images for card in section.cards if card.image}
    if not ids:
        return {}
    return {image.pk: image for image in get_image_model().objects.filter(pk__in=ids).prefetch_renditions(IMAGE_SPEC)}


def email_context(edition, profile, sections, request=None) -> dict:
    from cms.models import Partenaire, SiteSettings

    site = SiteSettings.load(request_or_site=request)
    links = LinkRewriter(campaign=edition.slug)
    sections = [links.section(section) for section in sections]
    partners = []
    for partner in Partenaire.objects.select_related("logo"):
        logo = None
        if partner.logo_id:
            rendition = partner.logo.get_rendition("max-240x80")
            logo = {"src": absolutize(rendition.url), "width": rendition.width, "height": rendition.height}
        partners.append({"name": partner.name, "logo": logo, "url": partner.url})
    images = _prefetched_images(sections)
    for section in sections:
        section.email_cards = [
            {"card": card, "image": image_for_email(images.get(card.image.pk, card.image), card.image_alt)
             if (card.image and section.show_images) else None}
            for card in section.cards
        ]
    return {
        "edition": edition,
        "sections": sections,
        "site": site,
        "partners": partners,
        "profile": profile,
        "web_url": links.url(edition_web_url(edition)),
        "licence_url": links.url(site.licence_url),
        "edition_date": format_date(edition.date) if edition.date else "",
        "show_unsubscribe": profile.has_role(UNSUBSCRIBE),
        "show_preferences": profile.has_role(PREFERENCES),
        "show_archive": profile.has_role(ARCHIVE),
        "unsubscribe_href": placeholder(UNSUBSCRIBE),
        "preferences_href": placeholder(PREFERENCES),
        "archive_href": placeholder(ARCHIVE),
        "postal_lines": [line for line in site.postal_address.splitlines() if line.strip()],
    }


def compile_mjml(mjml_source: str) -> str:
    return mrml.to_html(mjml_source).content


def render_email(edition, tool: str = "generic", request=None, preview: bool = False,
                 working_links: bool = False, sections=None) -> RenderedEmail:
    """The email of an edition for a mailing tool: HTML, plain text and the list of links.

    ``working_links``: the tool's tags are replaced by the site's links (test sends, previews).
    """
    profile = get_profile(tool)
    sections = sections if sections is not None else edition.build_sections(request)
    context = email_context(edition, profile, sections, request)
    mjml_source = render_to_string("newsletter/email/edition.mjml", context)
    html = compile_mjml(mjml_source).replace("<head>", "<head>" + COLOR_SCHEME_META, 1)
    doc = EmailHtml(html)
    text = doc.text()
    links = site_links(edition)
    substitutions = (profile.working_substitutions(links) if (working_links or preview)
                     else profile.substitutions(links))
    return RenderedEmail(
        html=apply_substitutions(html, substitutions),
        text=apply_substitutions(text, substitutions),
        links=[apply_substitutions(link, substitutions) for link in doc.links],
        missing_alt=doc.missing_alt,
        sections=sections,
        mjml=mjml_source,
        web_url=edition_web_url(edition),
    )
