"""Email rendering: sections → MJML → mrml → HTML post-processing → plain text → merge tags.

Order matters: the merge tags of the mailing tool are written as neutral placeholders and only
replaced at the very end, after every HTML pass, so they come out byte for byte.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import mrml
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _
from wagtail.rich_text import RichText

from .dates import format_date
from .profiles import (
    ADDRESS,
    ARCHIVE,
    PREFERENCES,
    REWARDS,
    UNSUBSCRIBE,
    apply_substitutions,
    get_profile,
    placeholder,
)

IMAGE_SPEC = "fill-1200x630"
IMAGE_WIDTH = 560  # the full card's picture: the 600 px column less 2 × 20 px
THUMB_SPEC = "fill-272x143"  # the compact card's thumbnail, twice its displayed size (sharp on HiDPI)
THUMB_WIDTH = 136
THUMB_BOX = THUMB_WIDTH + 16  # the thumbnail's column: the picture and the gap before the text
SPECS = {"full": (IMAGE_SPEC, IMAGE_WIDTH), "compact": (THUMB_SPEC, THUMB_WIDTH)}
LOGO_SPEC = "max-240x80"  # partner logos, shown at half size: one size in attributes and CSS
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")

# --- the two colour schemes ------------------------------------------------------------------------------
# Light is inline (every client, SFR and La Poste included, which drop <style>); dark is a stylesheet for the
# clients that honour prefers-color-scheme (Apple Mail, Outlook for Mac, iOS) and the [data-ogsc]/[data-ogsb]
# attributes Outlook.com adds when it darkens a message. Every text/background pair is WCAG AA (≥ 4.5:1):
# light #000091 on #ffffff 14.9, #161616 on #eeeeee 15.6; dark #a9b8ff on #1c1c1c 8.9, #ececec on #1c1c1c 14.4.
LIGHT = {
    "font": "Helvetica, Arial, sans-serif", "page": "#f6f6f6", "surface": "#ffffff", "footer": "#eeeeee",
    "text": "#161616", "muted": "#3a3a3a", "heading": "#000091", "link": "#000091", "rule": "#dddddd",
    "button_bg": "#000091", "button_text": "#ffffff",
}
DARK = {
    "page": "#121212", "surface": "#1c1c1c", "footer": "#262626", "text": "#ececec", "muted": "#c8c8c8",
    "heading": "#a9b8ff", "link": "#a9b8ff", "button_bg": "#a9b8ff", "button_text": "#000091",
}


def _dark_rules(prefix: str, bg_prefix: str) -> str:
    d = DARK
    return (
        f"{bg_prefix}body,{bg_prefix}.nl-page,{bg_prefix}.nl-page-bg,{bg_prefix}.nl-page-bg>table"
        f"{{background:{d['page']} !important;background-color:{d['page']} !important}}"
        f"{bg_prefix}.nl-surface,{bg_prefix}.nl-surface>table{{background:{d['surface']} !important;"
        f"background-color:{d['surface']} !important}}"
        f"{bg_prefix}.nl-foot,{bg_prefix}.nl-foot>table{{background:{d['footer']} !important;"
        f"background-color:{d['footer']} !important}}"
        f"{prefix}.nl-text div,{prefix}.nl-text p,{prefix}.nl-text li,{prefix}.nl-text strong,{prefix}.nl-text em,"
        f"{prefix}.nl-text h3,{prefix}.nl-text blockquote{{color:{d['text']} !important}}"
        f"{prefix}.nl-text h1,{prefix}.nl-text h2,{prefix}.nl-text a,{prefix}.nl-text h3 a"
        f"{{color:{d['link']} !important}}"
        f"{prefix}.nl-text h2{{border-color:#444444 !important}}"
        f"{bg_prefix}.nl-text td.nl-btn,{bg_prefix}.nl-text a.nl-btn-a{{background:{d['button_bg']} !important;"
        f"border-color:{d['button_bg']} !important}}"
        f"{prefix}.nl-text a.nl-btn-a{{color:{d['button_text']} !important}}"
        f"{bg_prefix}.nl-plate{{background:#ffffff !important}}{prefix}.nl-plate span{{color:#161616 !important}}"
    )


# The stylesheet of the <head>: Apple's data detectors keep the text's look, phones get full-width pictures,
# and the dark scheme. Nothing in it is needed to read the message (webmails that drop it show the light one).
HEAD_CSS = (
    ":root{color-scheme:light dark;supported-color-schemes:light dark}"
    "a[x-apple-data-detectors]{color:inherit !important;text-decoration:none !important;font-size:inherit !important;"
    "font-family:inherit !important;font-weight:inherit !important;line-height:inherit !important}"
    "@media (prefers-color-scheme:dark){" + _dark_rules("", "") + "}"
    + _dark_rules("[data-ogsc] ", "[data-ogsb] ")
)

HEAD_META = (
    '<meta name="color-scheme" content="light dark">'
    '<meta name="supported-color-schemes" content="light dark">'
    '<meta name="x-apple-disable-message-reformatting">'
    '<meta name="format-detection" content="telephone=no, date=no, address=no, email=no, url=no">'
)
# After the preheader, invisible characters fill the inbox preview so that it does not run on into the body.
PREHEADER_FILLER = "&#847;&zwnj;&nbsp;" * 90


@dataclass
class RenderedEmail:
    html: str
    text: str
    links: list = field(default_factory=list)
    missing_alt: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    mjml: str = ""
    web_url: str = ""
    tool: str = ""
    soup: object = field(default=None, repr=False)  # the compiled HTML, parsed once (checks read it)
    _compatibility: object = field(default=None, repr=False)

    @property
    def compatibility(self):
        """The e-mail client compatibility report (newsletter.compatibility), computed once."""
        if self._compatibility is None:
            from .compatibility import report

            self._compatibility = report(self.soup if self.soup is not None else BeautifulSoup(self.html, "html.parser"))
        return self._compatibility


# --- URLs ----------------------------------------------------------------------------------------------


_BASE_OVERRIDE: ContextVar[str | None] = ContextVar("newsletter_base_url", default=None)


def public_base_url() -> str:
    """The public site's root URL that every export's links and images start with.

    One documented setting, ``SITE_BASE_URL`` (defaulting to ``WAGTAILADMIN_BASE_URL``, which ``make run``
    and ``make demo`` set from ``HOST`` and ``PORT``). The pre-export checks (newsletter.checks) refuse a
    local or private address, and plain http with the production settings.
    """
    return settings.SITE_BASE_URL.rstrip("/")


def base_url() -> str:
    return _BASE_OVERRIDE.get() or public_base_url()


@contextmanager
def base_url_override(url: str | None):
    """Render with another root URL (the admin's preview: the host the editor is looking at)."""
    token = _BASE_OVERRIDE.set(url.rstrip("/") if url else None)
    try:
        yield
    finally:
        _BASE_OVERRIDE.reset(token)


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


def image_for_email(image, alt: str, style: str = "full") -> dict | None:
    """An absolute rendition URL with its displayed size (the rendition's ratio) and alt text."""
    if image is None:
        return None
    spec, width = SPECS.get(style, SPECS["full"])
    rendition = image.get_rendition(spec)
    height = round(width * rendition.height / rendition.width) if rendition.width else width
    return {"src": absolutize(rendition.url), "width": width, "height": height, "alt": alt}


def picture_html(image, alt: str, width: int = IMAGE_WIDTH) -> str:
    """A full-width picture in e-mail-safe markup (the same as the full card's, see card.mjml)."""
    rendition = image.get_rendition(f"width-{width * 2}")
    height = round(width * rendition.height / rendition.width) if rendition.width else width
    src, alt = escape(absolutize(rendition.url)), escape(alt)
    role = "" if alt else ' role="presentation"'
    return (f'<!--[if mso]><img src="{src}" alt="{alt}" width="{width}" height="{height}" style="display:block;'
            f'border:0;"><![endif]--><!--[if !mso]><!--><img class="nl-img" src="{src}" alt="{alt}" width="{width}"'
            f'{role} style="display:block;width:100%;max-width:{width}px;height:auto;border:0;margin:12px 0;">'
            f'<!--<![endif]-->')


def video_poster(value) -> str:
    """The poster of a body video from Wagtail's embed cache (never fetched while an e-mail is rendered), or ""."""
    from wagtail.embeds.models import Embed

    url = getattr(value.get("video"), "url", "") or ""
    if not url:
        return ""
    embed = Embed.objects.filter(url=url).exclude(thumbnail_url="").only("thumbnail_url").first()
    return embed.thumbnail_url if embed else ""


def email_body_html(body) -> str:
    """A page body for the e-mail: each block by ``newsletter/email/body.html`` (rich text by Wagtail's
    ``richtext`` filter), pictures in e-mail-safe markup, a video as its linked poster (no player in an
    e-mail). The result is made e-mail-safe by ``LinkRewriter.fragment``."""
    if not body:
        return ""
    from django.utils.safestring import mark_safe

    blocks = []
    for block in body:
        value, extra = block.value, ""
        if block.block_type == "image":
            if value.get("image") is None:
                continue
            extra = mark_safe(picture_html(value["image"], "" if value.get("decorative") else (value.get("alt") or "")))
        elif block.block_type == "video":
            if not getattr(value.get("video"), "url", ""):
                continue
            extra = video_poster(value)
        elif block.block_type == "button":
            extra = value["page"].url if value.get("page") else value.get("url")
        blocks.append({"type": block.block_type, "value": value, "extra": extra})
    return render_to_string("newsletter/email/body.html", {"blocks": blocks, "c": LIGHT})


def rich_text_html(value) -> str:
    """Editor rich text (a RichText value), expanded by Wagtail (``richtext`` filter): page and document links,
    embeds."""
    from wagtail.templatetags.wagtailcore_tags import richtext

    return str(richtext(value.source)) if value else ""


# --- HTML post-processing ------------------------------------------------------------------------------

BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "blockquote",
              "section", "article", "header", "footer", "td"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


# Inline styles of editor rich text (SFR and La Poste drop <style>: fonts, colours and spacing must be inline).
# (font, size and colour come from the inline style of the mj-text <div> around them; the margins must be here)
P_STYLE = "margin:8px 0;"
INLINE_STYLES = {
    "p": P_STYLE,
    "li": P_STYLE.replace("margin:8px 0", "margin:4px 0"),
    "ul": "margin:8px 0;padding-left:20px;",
    "ol": "margin:8px 0;padding-left:20px;",
    "a": f"color:{LIGHT['link']};text-decoration:underline;",
    "h4": "margin:16px 0 4px;font-size:17px;line-height:24px;font-weight:bold;",
    "blockquote": f"margin:12px 0;padding:0 0 0 12px;border-left:4px solid {LIGHT['heading']};",
}


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
        """Editor rich text made e-mail-safe: links and images absolute, site links tagged, the styles inline."""
        if not html:
            return html
        soup = BeautifulSoup(html, "html.parser")
        for a in soup.find_all("a", href=True):
            a["href"] = self.url(a["href"])
        for img in soup.find_all("img", src=True):
            img["src"] = absolutize(img["src"])
            img["style"] = "display:block;max-width:100%;height:auto;border:0;" + (img.get("style") or "")
        for tag in soup.find_all(list(INLINE_STYLES)):
            tag["style"] = INLINE_STYLES[tag.name] + (tag.get("style") or "")
        return str(soup)

    def section(self, section):
        """A presentation value (newsletter.presentation) ready for the e-mail: links rewritten, its body (rich
        text or a page's body) rendered once and made e-mail-safe in ``email_body``."""
        section.cards = [self.card(card) for card in section.cards]
        if hasattr(section, "buttons"):
            section.buttons = [(label, self.url(url)) for label, url in section.buttons]
        if hasattr(section, "links"):
            section.links = [(title, self.url(url), source) for title, url, source in section.links]
        body = getattr(section, "body", None)
        html = (rich_text_html(body) if isinstance(body, RichText) else email_body_html(body)) if body else ""
        section.email_body = self.fragment(html)
        return section


class EmailHtml:
    """The compiled HTML, read (never rewritten) for the plain text, the links and the checks."""

    def __init__(self, html: str):
        self.soup = BeautifulSoup(html, "html.parser")
        self.links = [a["href"] for a in self.soup.find_all("a", href=True)]
        decorative = {id(img) for cell in self.soup.select("td.nl-decorative") for img in cell.find_all("img")}
        self.missing_alt = [
            img.get("src", "") for img in self.soup.find_all("img")
            if img.get("alt") is None
            or (not img["alt"].strip() and id(img) not in decorative and img.get("role") != "presentation")
        ]

    def text(self) -> str:
        return html_to_text(self.soup)


def _hidden(tag: Tag) -> bool:
    style = (tag.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or tag.get("aria-hidden") == "true"


TEXT_WIDTH = 76  # RFC 5322 wants lines under 78 characters; 76 leaves room for quoted replies
UNDERLINE = "="


def _is_url(token: str) -> bool:
    return token.startswith(("http://", "https://", "__NL_"))


def wrap_line(line: str, width: int = TEXT_WIDTH) -> list[str]:
    """One logical line wrapped at ``width``: words are never cut, a URL stands alone on its line."""
    if len(line) <= width and not any(_is_url(t) for t in line.split(" ")[1:]):
        return [line]
    indent = "  " if line.startswith("- ") else ""
    out, current = [], ""
    for token in line.split(" "):
        if not token:
            continue
        if _is_url(token):
            if current.strip():
                out.append(current)
            out.append(token)
            current = indent
        elif not current.strip():
            current = (current or "") + token if current else token
        elif len(current) + 1 + len(token) <= width:
            current += " " + token
        else:
            out.append(current)
            current = indent + token
    if current.strip():
        out.append(current)
    return out


def html_to_text(soup) -> str:
    """Plain text in reading order, wrapped at 76 characters: section titles underlined, paragraphs,
    list items, each link's URL on its own line after its text, the partners by name."""
    body = soup.body or soup
    lines: list = []
    current: list = []

    def flush():
        text = re.sub(r"[ \t\u00a0]+", " ", "".join(current)).strip()
        current.clear()
        for line in text.split("\n"):
            line = line.strip()
            if line:
                lines.extend(wrap_line(line))

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
            classes = child.get("class") or []
            if "nl-partners" in classes:
                blank()
                names = [img.get("alt", "") for img in child.find_all("img")] + [
                    span.get_text(" ").strip() for span in child.select("span.nl-partner-name")]
                current.append(_("Partenaires : %(names)s") % {"names": ", ".join(n for n in names if n)})
                blank()
            elif name == "br":
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
                elif _is_url(target):
                    current.append(f"{label} {target} ")  # the wrapping puts the URL on its own line
                else:
                    current.append(f"{label} ({target})")
            elif name == "h2":  # a section title: underlined
                blank()
                walk(child, in_heading=True)
                title = re.sub(r"\s+", " ", "".join(current)).strip()
                current.clear()
                if title:
                    wrapped = wrap_line(title)
                    lines.extend(wrapped)
                    lines.append(UNDERLINE * max(len(t) for t in wrapped))
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
    from cms.models import SiteSettings

    lines = [line.strip() for line in SiteSettings.load().postal_address.splitlines() if line.strip()]
    return {UNSUBSCRIBE: unsubscribe, PREFERENCES: unsubscribe, ARCHIVE: edition_web_url(edition),
            # test sends: the site's own postal address where the tool would put the list's
            (ADDRESS, "html"): "<br>".join(escape(line) for line in lines), (ADDRESS, "text"): "\n".join(lines)}


def edition_web_url(edition) -> str:
    return absolutize(edition.url or edition.get_url() or "/")


def _prefetched_images(sections) -> dict:
    """The card images the email shows, with their email rendition, in two queries."""
    from wagtail.images import get_image_model

    ids = {card.image.pk for section in sections if section.show_images for card in section.cards if card.image}
    if not ids:
        return {}
    specs = [spec for spec, _width in SPECS.values()]
    return {image.pk: image for image in get_image_model().objects.filter(pk__in=ids).prefetch_renditions(*specs)}


def email_context(edition, profile, sections, request=None) -> dict:
    from cms.models import Partenaire, SiteSettings

    site = SiteSettings.load(request_or_site=request)
    links = LinkRewriter(campaign=edition.slug)
    sections = [links.section(section) for section in sections]
    partners = []
    for partner in Partenaire.objects.select_related("logo"):
        logo = None
        if partner.logo_id:
            rendition = partner.logo.get_rendition(LOGO_SPEC)
            logo = {"src": absolutize(rendition.url), "width": max(1, round(rendition.width / 2)),
                    "height": max(1, round(rendition.height / 2))}
        partners.append({"name": partner.name, "logo": logo, "url": partner.url})
    images = _prefetched_images(sections)
    for section in sections:
        section.email_cards = [
            {"card": card, "image": image_for_email(images.get(card.image.pk, card.image), card.image_alt,
                                                    section.card_style)
             if (card.image and section.show_images) else None}
            for card in section.cards
        ]
    return {
        "c": LIGHT,
        "thumb_box": THUMB_BOX,
        "text_box": IMAGE_WIDTH - THUMB_BOX,
        "head_css": HEAD_CSS,
        "preheader_filler": PREHEADER_FILLER,
        "address_tag": placeholder(ADDRESS) if profile.has_footer(ADDRESS) else "",
        "rewards_tag": placeholder(REWARDS) if profile.has_footer(REWARDS) else "",
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
    ``preview``: the admin's preview; links and images start with the address the editor is on, so that
    they load whatever host and port the admin is served from (exports always use public_base_url()).
    """
    if preview and request is not None and _BASE_OVERRIDE.get() is None:
        with base_url_override(request.build_absolute_uri("/")):
            return render_email(edition, tool, request, preview, working_links, sections)
    profile = get_profile(tool)
    sections = sections if sections is not None else edition.build_sections(request)
    context = email_context(edition, profile, sections, request)
    mjml_source = render_to_string("newsletter/email/edition.mjml", context)
    html = compile_mjml(mjml_source).replace("<head>", "<head>" + HEAD_META, 1)
    doc = EmailHtml(html)
    text = doc.text()
    links = site_links(edition)
    working = working_links or preview
    substitutions = profile.working_substitutions(links) if working else profile.substitutions(links)
    text_substitutions = (profile.working_substitutions(links, text=True) if working
                          else profile.substitutions(links, text=True))
    return RenderedEmail(
        html=apply_substitutions(html, substitutions),
        text=apply_substitutions(text, text_substitutions),
        links=[apply_substitutions(link, substitutions) for link in doc.links],
        missing_alt=doc.missing_alt,
        sections=sections,
        mjml=mjml_source,
        web_url=edition_web_url(edition),
        tool=tool,
        soup=doc.soup,
    )
