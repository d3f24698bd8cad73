"""Email HTML → ``ParsedEdition``: subject, date, preheader, sections, their text and their cards.

Email layouts are tables inside tables; what matters is the reading order. The DOM is cleaned
(comments — Outlook's ``<!--[if mso]>`` included —, scripts, styles, hidden preheaders, tracking
pixels, footers), then flattened into a list of blocks in reading order (heading, paragraph,
standalone link or button, image), then grouped:

- the smallest heading level left once the edition's own title is set aside marks sections;
- a deeper heading starts a card; the card takes the image just before it, the paragraphs after
  it as summary, and its link from the heading, a button or a "Lire la suite" link;
- a deeper heading with no link anywhere stays a sub-heading of the section's text (the headings'
  hierarchy is kept);
- a list of links is a list of cards (title and link only).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import re
import time
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag
from bs4.element import CData
from django.utils.translation import gettext as _

from .cleaning import (
    clean_text,
    has_merge_tag,
    is_footer_text,
    is_social_icon,
    is_social_link,
    is_unresolved_tracking_link,
    normalise_title,
    strip_merge_tags,
    strip_stray_conditionals,
    usable_link,
)
from .errors import EditionImportError
from .reading import check_depth

INLINE_TAGS = {
    "a", "span", "strong", "b", "em", "i", "u", "font", "small", "big", "sup", "sub", "abbr", "code", "mark", "s",
    "strike", "del", "ins", "label", "time", "cite", "q", "bdi", "bdo", "wbr", "nobr", "tt", "var", "kbd", "dfn",
}
DROP_TAGS = {"script", "style", "head", "noscript", "template", "iframe", "object", "embed", "svg", "math", "input",
             "select", "textarea", "button", "form", "audio", "video", "canvas", "map", "meta", "link", "title", "base"}
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|max-height\s*:\s*0(px)?\s*(;|$|!)"
                             r"|(^|;)\s*opacity\s*:\s*0(\.0+)?\s*(;|$|!)", re.IGNORECASE)
HIDDEN_CLASS_RE = re.compile(r"(^|\s)(preheader|preview-?text|mcnPreviewText|hidden-?preheader|preheader-?text)(\s|$)",
                             re.IGNORECASE)
FOOTER_CONTAINER_RE = re.compile(r"(^|[\s_-])(template-?footer|mcnFooter\w*|footer\w*|archive-?bar|awesome(wrap|bar)"
                                 r"|mc-?archive\w*|unsubscribe\w*)($|[\s_-])", re.IGNORECASE)
PIXEL_SRC_RE = re.compile(r"/(open|track(ing)?/open|trk|pixel|beacon|oo|mk/op|o/)\b|open\.(php|aspx|gif)|spacer|blank\.gif"
                          r"|/s\.gif|transparent\.(gif|png)|1x1", re.IGNORECASE)
FONT_SIZE_RE = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)\s*(px|pt|em|rem)?", re.IGNORECASE)
BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(bold|bolder|[6-9]00)", re.IGNORECASE)
BACKGROUND_RE = re.compile(r"background(-color)?\s*:\s*(?!transparent|none|#fff\b|#ffffff\b|white\b)[#a-z0-9(]",
                           re.IGNORECASE)
CTA_RE = re.compile(r"^\s*(lire|d[ée]couvr|pour d[ée]couvrir|en savoir|voir|retrouve|acc[ée]d|consulte|s'inscrire"
                    r"|inscri|t[ée]l[ée]charg|participe|r[ée]server|visionner|regarder|[ée]couter|plus d'info|read|learn"
                    r"|discover|see|more|suite|>|→|»)", re.IGNORECASE)
MAX_BLOCKS = 20000
INTRODUCTION_MIN_CHARS = 200  # text before the first section heading, below which it is the tool's header
TIME_BUDGET_SECONDS = 10.0  # of reading one edition's HTML (parse, walk, grouping): then it is refused

MONTHS = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "october": 10,
    "november": 11, "december": 12,
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7, "oktober": 10, "okt": 10,
    "dezember": 12, "dez": 12,
}
MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
# "16 décembre 2021", "1er mars 2024", "12. März 2024", "3rd February 2023"; "October 20, 2022".
DAY_MONTH_YEAR_RE = re.compile(rf"\b(\d{{1,2}})(?:er|\.|st|nd|rd|th)?\s+(?:of\s+)?({MONTH_ALT})\.?,?\s+(\d{{4}})\b",
                               re.IGNORECASE)
MONTH_DAY_YEAR_RE = re.compile(rf"\b({MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)
MONTH_YEAR_RE = re.compile(rf"\b({MONTH_ALT})\.?\s+(\d{{4}})\b", re.IGNORECASE)
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
FR_NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
DATE_META_NAMES = {"date", "dc.date", "dcterms.date", "dcterms.created", "article:published_time", "og:published_time",
                   "campaign-date", "sent-date", "x-campaign-date", "newsletter:date", "edition:date", "pubdate",
                   "publish-date", "datepublished"}
NUMBER_RE = re.compile(r"(?:n[°ºo]\.?|num[ée]ro|#)\s*(\d{1,4})\b", re.IGNORECASE)


@dataclass
class Heading:
    level: int
    text: str
    href: str = ""
    pseudo: bool = False  # a bold or large paragraph standing for a heading


@dataclass
class Paragraph:
    text: str
    html: str
    links: list = field(default_factory=list)  # [(label, href)]
    list_item: bool = False


@dataclass
class Link:
    label: str
    href: str
    button: bool = False
    list_item: bool = False
    note: str = ""  # the text after the link in a list item ("(ICPC)")


@dataclass
class Image:
    src: str
    alt: str
    href: str = ""


@dataclass
class ParsedItem:
    """A card of the edition: what points to a resource page."""

    title: str
    link: str = ""
    summary: str = ""
    cta_label: str = ""
    button_link: str = ""  # the button's target when it differs from the title's (an external resource)
    image_url: str = ""
    image_alt: str = ""
    heading_level: int = 3
    from_list: bool = False  # a link of a list, not a card with a heading
    list_content: bool = False  # (while grouping) the heading introduced a list: not a card


@dataclass
class ContentPiece:
    """Text of a section outside its cards: a sub-heading (level 3–6) or a paragraph (``html`` kept)."""

    kind: str  # "heading" | "paragraph"
    text: str
    html: str = ""
    level: int = 0
    list_item: bool = False
    links: list = field(default_factory=list)  # [(label, href)] of a paragraph: kept as items outside rich text


@dataclass
class ParsedSection:
    title: str
    heading_level: int = 2
    content: list[ContentPiece] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # [(label, href)] not attached to a card

    @property
    def paragraphs(self) -> list[str]:
        return [c.text for c in self.content if c.kind == "paragraph"]


@dataclass
class ParsedEdition:
    subject: str
    date: dt.date | None = None
    date_source: str = ""
    date_clue: str = ""  # the words the date was read from ("mars 2024")
    preheader: str = ""
    number: int | None = None
    sections: list[ParsedSection] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # [(what, why)]
    warnings: list[str] = field(default_factory=list)
    tool: str = ""
    body_key: str = ""  # the body's text once cleaned and normalised: what the fingerprint hashes

    @property
    def fingerprint(self) -> str:
        """Identity of the edition: its normalised body text plus its date when found (never its title)."""
        date = self.date.isoformat() if self.date else ""
        return hashlib.sha256(f"{self.body_key}\n{date}".encode()).hexdigest()

    @property
    def items(self) -> list[ParsedItem]:
        return [item for section in self.sections for item in section.items]


# ---------------------------------------------------------------------------------------------- cleaning


def detect_tool(html: str) -> str:
    lowered = html[:200000].lower()
    if "territoires-en-commun:edition" in lowered or 'name="generator" content="territoires en commun' in lowered:
        return "territoires-en-commun"
    if "list-manage.com" in lowered or "mcntextcontent" in lowered or "*|mc:" in lowered or "mailchimp" in lowered:
        return "mailchimp"
    if "sendibt" in lowered or "sendinblue" in lowered or "brevo" in lowered or "/mk/cl/" in lowered:
        return "brevo"
    if "mjt.lu" in lowered or "mailjet" in lowered or "[[unsub_link" in lowered:
        return "mailjet"
    if "mj-column-per" in lowered or "mj-outlook-group-fix" in lowered:
        return "mjml"
    return "html"


def _style(tag: Tag) -> str:
    style = tag.get("style") if tag.attrs else None
    return style if isinstance(style, str) else ""


def _classes(tag: Tag) -> str:
    if not tag.attrs:
        return ""
    value = tag.get("class")
    if isinstance(value, list):
        value = " ".join(value)
    ident = tag.get("id")
    return f"{value or ''} {ident if isinstance(ident, str) else ''}".strip()


def _is_hidden(tag: Tag) -> bool:
    if not tag.attrs:
        return False
    if "hidden" in tag.attrs:
        return True
    style = _style(tag)
    if style and HIDDEN_STYLE_RE.search(style):
        return True
    classes = tag.get("class")
    return bool(HIDDEN_CLASS_RE.search(" ".join(classes) if isinstance(classes, list) else str(classes or "")))


def _int_attr(value) -> int | None:
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*(\d+)", value)
    return int(match.group(1)) if match else None


def _is_pixel(img: Tag) -> bool:
    width, height = _int_attr(img.get("width")), _int_attr(img.get("height"))
    if (width is not None and width <= 2) or (height is not None and height <= 2):
        return True
    style = _style(img)
    if re.search(r"(^|;)\s*(width|height)\s*:\s*[0-2]px", style, re.IGNORECASE):
        return True
    src = img.get("src") if isinstance(img.get("src"), str) else ""
    return bool(PIXEL_SRC_RE.search(src))


def _pre_clean(soup: BeautifulSoup, parsed: ParsedEdition) -> None:
    for node in soup.find_all(string=lambda s: isinstance(s, (Comment, Declaration, Doctype, ProcessingInstruction, CData))):
        node.extract()
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    pixels = 0
    for img in soup.find_all("img"):
        if _is_pixel(img):
            img.decompose()
            pixels += 1
    if pixels:
        parsed.skipped.append((_("%(n)s pixel(s) de suivi ou espaceur(s)") % {"n": pixels}, _("image invisible")))
    for tag in soup.find_all(True):
        if tag.decomposed or tag.parent is None:
            continue
        if _is_hidden(tag):
            text = clean_text(tag.get_text(" "))
            if text and not parsed.preheader:
                parsed.preheader = text[:255]
                parsed.skipped.append((_("texte d'aperçu caché"), _("gardé comme préheader de l'édition")))
            elif text:
                parsed.skipped.append((text[:60], _("texte caché (display:none)")))
            tag.decompose()
        elif tag.name in ("table", "td", "div", "tr", "tbody", "section", "footer") and FOOTER_CONTAINER_RE.search(_classes(tag)):
            text = clean_text(tag.get_text(" "))
            if text:
                parsed.skipped.append((text[:60] + ("…" if len(text) > 60 else ""), _("pied de page de l'outil d'envoi")))
            tag.decompose()
        elif tag.name == "footer":
            tag.decompose()


# ---------------------------------------------------------------------------------------------- flattening


@dataclass
class _Fragment:
    text: str
    href: str
    bold: bool
    size: float
    italic: bool = False


class _Flattener:
    """Walks the cleaned DOM once, in reading order, and emits blocks."""

    def __init__(self, parsed: ParsedEdition):
        self.parsed = parsed
        self.blocks: list = []
        self.buffer: list[_Fragment] = []
        self.unresolved: set[str] = set()
        self.italic = 0  # depth of <em>/<i> around the text being read
        self.deadline = time.monotonic() + TIME_BUDGET_SECONDS
        self.visits = 0

    def link_of(self, href) -> str:
        if not isinstance(href, str):
            return ""
        link = usable_link(href)
        if link and is_unresolved_tracking_link(link):
            self.unresolved.add(link)
        return link

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise EditionImportError(_("mise en page trop lourde : lecture arrêtée après %(n)s s")
                                     % {"n": f"{TIME_BUDGET_SECONDS:g}".replace(".", ",")})

    def emit(self, block) -> None:
        if len(self.blocks) >= MAX_BLOCKS:
            raise EditionImportError(_("mise en page illisible : plus de %(n)s blocs de texte") % {"n": MAX_BLOCKS})
        self.blocks.append(block)

    def walk(self, node: Tag, href: str = "", bold: bool = False, size: float = 0.0, in_list: bool = False) -> None:
        for child in list(node.children):
            if isinstance(child, NavigableString):
                if type(child) is NavigableString and str(child).strip():
                    self.buffer.append(_Fragment(str(child), href, bold, size, self.italic > 0))
                elif type(child) is NavigableString and child and self.buffer:
                    self.buffer.append(_Fragment(" ", href, bold, size))
                continue
            if not isinstance(child, Tag):
                continue
            self.visit(child, href, bold, size, in_list)

    def visit(self, tag: Tag, href: str, bold: bool, size: float, in_list: bool) -> None:
        self.visits += 1
        if self.visits % 512 == 0:
            self.check_time()
        name = (tag.name or "").lower()
        style = _style(tag)
        if name in ("b", "strong") or (style and BOLD_STYLE_RE.search(style)):
            bold = True
        if style:
            match = FONT_SIZE_RE.search(style)
            if match:
                value, unit = float(match.group(1)), (match.group(2) or "px").lower()
                size = value * (16 if unit in ("em", "rem") else 1.333 if unit == "pt" else 1)
        if name == "a":
            href = self.link_of(tag.get("href")) or href
        if name in HEADING_TAGS or (tag.attrs and tag.get("role") == "heading"):
            self.flush(in_list)
            level = HEADING_TAGS.get(name) or _int_attr(tag.get("aria-level")) or 2
            self.heading(tag, min(max(level, 1), 6), href)
            return
        if name == "img":
            self.flush(in_list)
            src = tag.get("src") if isinstance(tag.get("src"), str) else ""
            src = src.strip()
            if src.startswith("//"):
                src = "https:" + src
            if re.match(r"^https?://", src, re.IGNORECASE) and not has_merge_tag(src):
                alt = tag.get("alt") if isinstance(tag.get("alt"), str) else ""
                self.emit(Image(src=src[:500], alt=clean_text(alt)[:255], href=href))
            return
        if name == "br":
            self.buffer.append(_Fragment("\n", href, bold, size))
            return
        if name in INLINE_TAGS or ":" in name:
            if name == "a" and self.is_button(tag):
                self.flush(in_list)
                label = clean_text(tag.get_text(" "))
                if label and href:
                    self.emit(Link(label=label, href=href, button=True, list_item=in_list))
                return
            italic = name in ("em", "i")
            self.italic += italic
            try:
                self.walk(tag, href, bold, size, in_list)
            finally:
                self.italic -= italic
            return
        if name == "li":
            self.flush(in_list)
            self.walk(tag, href, bold, size, True)
            self.flush(True)
            return
        if name == "tr" and self.is_data_row(tag):
            self.flush(in_list)
            cells = [clean_text(td.get_text(" ")) for td in tag.find_all(["td", "th"], recursive=False)]
            text = " ".join(c for c in cells if c)
            if text:
                self.emit(Paragraph(text=text, html=html_lib.escape(text), list_item=in_list))
            return
        self.flush(in_list)
        self.walk(tag, href, bold, size, in_list)
        self.flush(in_list)

    @staticmethod
    def is_button(tag: Tag) -> bool:
        style = _style(tag)
        if re.search(r"(^|\s)(btn|button|mcnButton|cta)", _classes(tag), re.IGNORECASE):
            return True
        if style and BACKGROUND_RE.search(style) and re.search(r"padding|display\s*:\s*(inline-)?block", style, re.IGNORECASE):
            return True
        parent = tag.parent
        if parent is not None and parent.name == "td":
            parent_style = _style(parent)
            has_bg = bool(parent.get("bgcolor")) or bool(parent_style and BACKGROUND_RE.search(parent_style))
            if has_bg and clean_text(parent.get_text(" ")) == clean_text(tag.get_text(" ")):
                return True
        return False

    @staticmethod
    def is_data_row(tr: Tag) -> bool:
        cells = tr.find_all(["td", "th"], recursive=False)
        if len(cells) < 2:
            return False
        filled = 0
        for cell in cells:
            if cell.find(lambda t: (t.name not in INLINE_TAGS and t.name != "br") or (t.name == "a" and t.get("href"))):
                return False  # a block inside, or a link (a row "• <a>headline</a>" is a list item, not data)
            if clean_text(cell.get_text(" ")):
                filled += 1
        return filled >= 2

    def heading(self, tag: Tag, level: int, href: str) -> None:
        text = clean_text(tag.get_text(" "))
        if not href:
            link = tag.find("a", href=True)
            if link is not None:
                href = self.link_of(link.get("href"))
        for img in tag.find_all("img"):
            if not text:
                text = clean_text(img.get("alt") or "") if isinstance(img.get("alt"), str) else ""
        if text and re.search(r"\w", text):
            self.emit(Heading(level=level, text=text[:255], href=href))

    def flush(self, in_list: bool = False) -> None:
        fragments, self.buffer = self.buffer, []
        if not fragments:
            return
        text = clean_text("".join(f.text for f in fragments))
        if not text or not re.search(r"\w", text):
            return
        solid = [f for f in fragments if f.text.strip() and clean_text(f.text)]
        hrefs = {f.href for f in solid}
        if len(hrefs) == 1 and next(iter(hrefs)):
            # The whole paragraph is one link: a card title if bold or large, else a standalone link.
            href = next(iter(hrefs))
            if (all(f.bold for f in solid) and len(text) <= 200 and not CTA_RE.match(text) and not in_list
                    and href.startswith("http")):
                self.emit(Heading(level=self.pseudo_level(solid), text=text[:255], href=href, pseudo=True))
            else:
                self.emit(Link(label=text, href=href, list_item=in_list))
            return
        if (solid and not in_list and len(text) <= 150 and not text.endswith((".", ":", ",", ";"))
                and (all(f.bold for f in solid) or min(f.size for f in solid) >= 20)
                and not any(f.href for f in solid)):
            self.emit(Heading(level=self.pseudo_level(solid), text=text[:255], pseudo=True))
            return
        if in_list:
            linked = [f for f in solid if f.href]
            hrefs = {f.href for f in linked}
            label = clean_text("".join(f.text for f in linked))
            if len(hrefs) == 1 and label and text.startswith(label) and solid[0].href:
                self.emit(Link(label=label, href=linked[0].href, list_item=True, note=text[len(label):].strip()))
                return
        links = []
        for f in solid:
            label = clean_text(f.text)
            if f.href and label:
                if links and links[-1][1] == f.href:
                    links[-1] = (clean_text(links[-1][0] + " " + label), f.href)
                else:
                    links.append((label, f.href))
        self.emit(Paragraph(text=text, html=self.fragments_html(fragments), links=links, list_item=in_list))

    @staticmethod
    def pseudo_level(fragments) -> int:
        size = max(f.size for f in fragments)
        if size >= 26:
            return 1
        if size >= 20:
            return 2
        if size >= 16:
            return 3
        return 4

    @staticmethod
    def fragments_html(fragments) -> str:
        """Escaped HTML of a paragraph keeping its links, bold and line breaks."""
        runs: list[list] = []
        for f in fragments:
            text = f.text
            if f.text != "\n":
                text = re.sub(r"\s+", " ", re.sub(r"[\u200b\u200c\ufeff\u034f]", "", text))
                text = strip_merge_tags(text)
            if runs and runs[-1][1] == f.href and runs[-1][2] == f.bold and runs[-1][3] == f.italic:
                runs[-1][0] += text
            else:
                runs.append([text, f.href, f.bold, f.italic])
        out: list[list] = []  # [[href, html]]: consecutive runs of one link share one <a>
        for text, href, bold, italic in runs:
            escaped = html_lib.escape(text).replace("\n", "<br/>")
            if bold and escaped.strip():
                escaped = f"<b>{escaped}</b>"
            if italic and escaped.strip():
                escaped = f"<i>{escaped}</i>"
            href = href if text.strip() or (out and out[-1][0] == href) else ""
            if out and out[-1][0] == href:
                out[-1][1] += escaped
            else:
                out.append([href, escaped])
        out = [f'<a href="{html_lib.escape(href)}">{inner}</a>' if href else inner for href, inner in out]
        result = re.sub(r"\s+", " ", "".join(out)).strip()
        result = re.sub(r"^(<br/>\s*)+|(\s*<br/>)+$", "", result)
        return re.sub(r"\s+([,.)])", r"\1", result)


# ---------------------------------------------------------------------------------------------- metadata


def _parse_date_text(text: str) -> dt.date | None:
    for regex, order in ((DAY_MONTH_YEAR_RE, "dmy"), (MONTH_DAY_YEAR_RE, "mdy"), (MONTH_YEAR_RE, "my")):
        match = regex.search(text)
        if not match:
            continue
        try:
            if order == "dmy":
                return dt.date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
            if order == "mdy":
                return dt.date(int(match.group(3)), MONTHS[match.group(1).lower()], int(match.group(2)))
            return dt.date(int(match.group(2)), MONTHS[match.group(1).lower()], 1)
        except (ValueError, KeyError):
            continue
    match = ISO_DATE_RE.search(text)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    match = FR_NUMERIC_DATE_RE.search(text)
    if match:
        try:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            pass
    return None


def _date_clue(text: str) -> str:
    for regex in (DAY_MONTH_YEAR_RE, MONTH_DAY_YEAR_RE, MONTH_YEAR_RE, ISO_DATE_RE, FR_NUMERIC_DATE_RE):
        match = regex.search(text)
        if match:
            return match.group(0)
    return text[:40]


EDITION_WORDS_RE = re.compile(r"\b(lettre d'information|lettre d.info|newsletter|[ée]dition|bulletin|issue|ausgabe"
                              r"|rundbrief|weekly|hebdo)\b", re.IGNORECASE)


def _names_edition(text: str) -> bool:
    """A heading or preheader that names the edition: a number or a date, and the tool's words for it."""
    if not text or len(text) > 160:
        return False
    dated = bool(DAY_MONTH_YEAR_RE.search(text) or MONTH_DAY_YEAR_RE.search(text) or MONTH_YEAR_RE.search(text))
    numbered = bool(NUMBER_RE.search(text))
    return (dated or numbered) and (bool(EDITION_WORDS_RE.search(text)) or (dated and numbered))


def _subject_from_body(blocks: list, parsed: ParsedEdition, title_candidates: list[str]) -> None:
    """« Lettre d'information n° 12 — mars 2024 » as first heading (or preheader) names the edition
    better than a generic <title>: it becomes the subject (and is not taken for a section)."""
    if _names_edition(parsed.subject):
        return
    first = next((b for b in blocks[:15] if isinstance(b, Heading)), None)
    if first is not None and _names_edition(first.text):
        parsed.subject = first.text[:255]
        title_candidates.append(first.text)
    elif _names_edition(parsed.preheader):
        parsed.subject = parsed.preheader[:255]


def _plausible(date: dt.date | None) -> dt.date | None:
    if date and 1990 <= date.year <= dt.date.today().year + 2:
        return date
    return None


def _metadata(soup: BeautifulSoup, parsed: ParsedEdition, meta: dict, filename: str) -> list[str]:
    """Subject, date and number from the head; returns the candidates for the edition's title heading."""
    title_tag = soup.find("title")
    html_title = clean_text(title_tag.get_text(" ")) if title_tag else ""
    meta_values = {}
    for tag in soup.find_all("meta"):
        key = tag.get("name") or tag.get("property") or tag.get("itemprop")
        content = tag.get("content")
        if isinstance(key, str) and isinstance(content, str):
            meta_values.setdefault(key.strip().lower(), content.strip())
    if meta.get("preheader"):
        parsed.preheader = clean_text(meta["preheader"])[:255]
    subject = clean_text(meta.get("subject", "")) or html_title or clean_text(meta_values.get("og:title", ""))
    parsed.subject = subject[:255]
    candidates = [meta.get("date", "")] + [meta_values[k] for k in DATE_META_NAMES if k in meta_values]
    for tag in soup.find_all("time"):
        if isinstance(tag.get("datetime"), str):
            candidates.append(tag["datetime"])
    for candidate in candidates:
        date = _plausible(_parse_date_text(candidate or ""))
        if date:
            parsed.date, parsed.date_source, parsed.date_clue = date, _("métadonnées"), (candidate or "")[:40]
            break
    number = meta.get("number")
    if number and str(number).isdigit():
        parsed.number = int(number)
    return [html_title, clean_text(meta_values.get("og:title", "")), subject]


# ---------------------------------------------------------------------------------------------- grouping


def _has_link_until_next_heading(blocks: list, start: int) -> bool:
    heading = blocks[start]
    if heading.href:
        return True
    for block in blocks[start + 1:]:
        if isinstance(block, Heading):
            return False
        if isinstance(block, Link):
            return True
        if isinstance(block, Paragraph) and block.links and CTA_RE.match(block.links[-1][0]):
            return True
    return False


def _section_level(blocks: list, headings: list[int], title_index: int | None) -> int | None:
    """The heading level that marks sections (``None``: one untitled section of cards)."""
    real_levels = sorted({blocks[i].level for i in headings if i != title_index and not blocks[i].pseudo})
    levels = real_levels or sorted({blocks[i].level for i in headings if i != title_index})
    if not levels:
        return None
    if len(levels) == 1:
        same = [i for i in headings if i != title_index and blocks[i].level == levels[0]]
        linked = sum(1 for i in same if _has_link_until_next_heading(blocks, i))
        # Headings of one level that all lead somewhere are cards of one untitled section.
        return None if linked and linked >= len(same) * 0.75 else levels[0]
    return levels[0]


class _Grouper:
    """Blocks in reading order → the edition's sections, their text and their cards.

    One pass over the blocks; each kind of block has its method (``heading``, ``image``, ``link``,
    ``paragraph``), and the state of the pass (the open section, the open card, the image waiting for its
    card, whether the tool's footer has started) is set here and nowhere else."""

    def __init__(self, blocks: list, parsed: ParsedEdition, title_candidates: list[str],
                 boilerplate: frozenset = frozenset()):
        self.blocks, self.parsed, self.boilerplate = blocks, parsed, boilerplate
        headings = [i for i, b in enumerate(blocks) if isinstance(b, Heading)]
        # The edition's own title (an h1 repeating the subject, or a lone h1 before any other heading) is not a section.
        keys = {normalise_title(c) for c in title_candidates if c}
        h1s = [i for i in headings if blocks[i].level == 1]
        self.title_index: int | None = None
        if headings:
            first = blocks[headings[0]]
            if normalise_title(first.text) in keys or (len(h1s) == 1 and h1s[0] == headings[0]):
                self.title_index = headings[0]
                if not normalise_title(parsed.subject):
                    parsed.subject = first.text
        self.section_level = _section_level(blocks, headings, self.title_index)
        self.sections: list[ParsedSection] = []
        self.section: ParsedSection | None = None
        self.card: ParsedItem | None = None
        self.card_open_text = False  # the open card has received text or a link (a following image starts the next)
        self.card_content: list[ContentPiece] = []
        self.pending_image: Image | None = None
        self.header_skipped: list[str] = []
        self.header_text: list[ContentPiece] = []  # paragraphs before the first section: an introduction if long enough
        self.header_links: list[tuple[str, str]] = []  # linked images before the first section: kept in it
        self.footer_reached = False

    # --- state helpers ----------------------------------------------------------------------------------

    @property
    def before_first_section(self) -> bool:
        return self.section is None and self.section_level is not None

    def ensure_section(self) -> ParsedSection:
        if self.section is None:
            self.section = ParsedSection(title="", heading_level=self.section_level or 2)
            self.sections.append(self.section)
        return self.section

    def close_card(self) -> None:
        card, card_content = self.card, self.card_content
        if card is None:
            return
        target = self.ensure_section()
        if card.link and not card.list_content:
            target.items.append(card)
            if any(href != card.link for piece in card_content for _label, href in piece.links):
                # Text with links of its own after the card: an article, not a summary; kept as the section's text.
                target.content.extend(card_content)
                card.summary = card_content[0].text if card_content else card.summary
        else:
            # A sub-heading with text but no link: keep it as the section's text, hierarchy included.
            target.content.append(ContentPiece("heading", card.title, level=card.heading_level))
            target.content.extend(card_content)
            if card.image_url:
                self.parsed.skipped.append((card.image_alt or card.image_url[:60], _("image sans lien hors carte")))
        self.card, self.card_content, self.card_open_text = None, [], False

    def drop_image(self, image: Image) -> None:
        """An image left out of any card: its link (a logo, a banner, a partner) is kept as a link of the section."""
        if not image.href:
            self.parsed.skipped.append((image.alt or image.src[:60], _("image hors carte")))
        elif is_social_icon(image.alt, image.src):
            self.parsed.skipped.append((image.alt or image.src[:60], _("icône de réseau social")))
        else:
            label = image.alt or _("Image « %s »") % image.src.rsplit("/", 1)[-1].split("?")[0][:80]
            if self.before_first_section:
                self.header_links.append((label, image.href))
            else:
                self.ensure_section().buttons.append((label, image.href))

    def skip_footer(self, block) -> bool:
        """The tool's footer (unsubscribe, address…) and what follows it, but a short linked item (between <hr>)."""
        if not isinstance(block, (Paragraph, Link)):
            return False
        text = block.text if isinstance(block, Paragraph) else block.label
        shown = text[:60] + ("…" if len(text) > 60 else "")
        if len(text) < 400 and is_footer_text(text):
            self.footer_reached = True
            self.parsed.skipped.append((shown, _("mention de pied de page")))
            return True
        if self.footer_reached and self.section is not None and not (isinstance(block, Link) and len(block.label) >= 15):
            self.parsed.skipped.append((shown, _("mention de pied de page")))
            return True
        if self.footer_reached and isinstance(block, Link):
            self.footer_reached = False
        return False

    # --- one method per kind of block -------------------------------------------------------------------

    def heading(self, block: Heading) -> None:
        self.footer_reached = False
        if self.section_level is not None and block.level <= self.section_level:
            self.close_card()
            if self.pending_image is not None:
                self.drop_image(self.pending_image)
            self.section = ParsedSection(title=block.text, heading_level=block.level)
            self.sections.append(self.section)
            if block.href:
                self.section.buttons.append((block.text, block.href))
            self.pending_image = None
            return
        self.close_card()
        level = block.level if self.section_level is None else max(3, 2 + block.level - self.section_level)
        self.card = ParsedItem(title=block.text, link=block.href, heading_level=level)
        if self.pending_image is not None:
            self.card.image_url, self.card.image_alt = self.pending_image.src, self.pending_image.alt
            self.card.link = self.card.link or self.pending_image.href
            self.pending_image = None

    def image(self, block: Image) -> None:
        card = self.card
        if self.footer_reached and self.section is not None:
            return
        if card is not None and not card.image_url and not self.card_open_text:
            card.image_url, card.image_alt = block.src, block.alt
            card.link = card.link or block.href
            return
        if self.pending_image is not None:
            self.drop_image(self.pending_image)
        if card is not None and self.card_open_text:
            self.close_card()
        self.pending_image = block

    def link(self, block: Link) -> None:
        card = self.card
        if block.list_item:
            # A list of links: each one is a card (title and link); never the link of an open card.
            self.close_card()
            if self.before_first_section:
                self.header_skipped.append(block.label)
                return
            item = ParsedItem(title=block.label, link=block.href, heading_level=3, from_list=True, summary=block.note)
            if self.pending_image is not None:
                item.image_url, item.image_alt = self.pending_image.src, self.pending_image.alt
                self.pending_image = None
            self.ensure_section().items.append(item)
            return
        if card is not None and not card.link and not card.list_content:
            card.link, card.cta_label = block.href, block.label
            self.close_card()  # the button ends its card: what follows belongs to the section
            return
        if card is not None and card.link and not card.cta_label:
            card.cta_label = block.label
            if block.href != card.link:
                card.button_link = block.href
            self.close_card()
            return
        self.close_card()
        if self.before_first_section:
            self.header_skipped.append(block.label)
            return
        self.ensure_section().buttons.append((block.label, block.href))

    def paragraph(self, block: Paragraph) -> None:
        card = self.card
        piece = ContentPiece("paragraph", block.text, block.html, list_item=block.list_item, links=block.links)
        if card is not None and block.list_item and not card.link:
            card.list_content = True
        if card is not None:
            self.card_open_text = True
            if block.links and not card.link and CTA_RE.match(block.links[-1][0]) and block.text.endswith(block.links[-1][0]):
                label, href = block.links[-1]
                card.link, card.cta_label = href, label
                text = block.text[: -len(label)].strip()
                if text:
                    card.summary = f"{card.summary}\n\n{text}".strip()
                    self.card_content.append(ContentPiece("paragraph", text, html_lib.escape(text)))
                self.close_card()
                return
            card.summary = f"{card.summary}\n\n{block.text}".strip() if card.summary else block.text
            self.card_content.append(piece)
            return
        if self.before_first_section:
            self.header_skipped.append(block.text)
            if normalise_title(block.text) not in self.boilerplate:
                self.header_text.append(piece)
            return
        self.ensure_section().content.append(piece)

    # --- the pass ---------------------------------------------------------------------------------------

    def run(self) -> list[ParsedSection]:
        for index, block in enumerate(self.blocks):
            if index == self.title_index:
                if block.href:  # the edition's title links to its web version: kept as a link of the first section
                    self.header_links.append((block.text, block.href))
                continue
            if isinstance(block, Link) and is_social_link(block.href) and len(block.label) <= 40:
                self.parsed.skipped.append((block.label[:60], _("icône de réseau social")))
                continue
            if self.skip_footer(block):
                continue
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Image):
                self.image(block)
            elif isinstance(block, Link):
                self.link(block)
            else:
                self.paragraph(block)
        self.close_card()
        if self.pending_image is not None:
            self.drop_image(self.pending_image)
        sections = self.sections
        first = next((s for s in sections if s.title or s.content or s.items or s.buttons), None)
        if first is not None and self.header_links:
            first.buttons[:0] = self.header_links
        header_skipped = self.header_skipped
        if sum(len(p.text) for p in self.header_text) >= INTRODUCTION_MIN_CHARS:
            # Real text before the first section heading (« GM, this is the Milk Road… »): the edition's introduction.
            sections.insert(0, ParsedSection(title="", heading_level=self.section_level or 2, content=self.header_text))
            kept = {piece.text for piece in self.header_text}
            header_skipped = [text for text in header_skipped if text not in kept]
        for text in header_skipped:
            self.parsed.skipped.append((text[:60] + ("…" if len(text) > 60 else ""), _("en-tête avant la première section")))
        return [s for s in sections if s.title or s.content or s.items or s.buttons]


def _group(blocks: list, parsed: ParsedEdition, title_candidates: list[str], boilerplate: frozenset = frozenset()) -> None:
    parsed.sections = _Grouper(blocks, parsed, title_candidates, boilerplate).run()


# ---------------------------------------------------------------------------------------------- entry point


def parse_edition(html: str, *, meta: dict | None = None, filename: str = "", boilerplate=()) -> ParsedEdition:
    """Read one edition's HTML. Raises ``EditionImportError`` when no section or card can be found.

    ``boilerplate``: texts of the sender's standing header (this site's tagline), never an introduction."""
    meta = meta or {}
    parsed = ParsedEdition(subject="")
    started = time.monotonic()
    check_depth(html)
    parsed.tool = detect_tool(html)
    html = strip_stray_conditionals(html)
    try:
        soup = BeautifulSoup(html, "html.parser")
    except (AssertionError, ValueError, TypeError, RecursionError):
        raise EditionImportError(_("mise en page illisible : le HTML ne peut pas être analysé")) from None
    title_candidates = _metadata(soup, parsed, meta, filename)
    body = soup.body or soup
    _pre_clean(soup, parsed)
    parsed.body_key = normalise_title(strip_merge_tags(body.get_text(" ")))
    flattener = _Flattener(parsed)
    flattener.deadline = started + TIME_BUDGET_SECONDS
    flattener.check_time()
    try:
        flattener.walk(body)
        flattener.flush()
    except RecursionError:
        raise EditionImportError(_("mise en page illisible : éléments imbriqués trop profondément")) from None
    blocks = flattener.blocks
    for link in sorted(flattener.unresolved):
        parsed.skipped.append((link[:80], _("lien de suivi non résoluble (la cible n'est pas dans l'adresse) : gardé tel quel")))
    if not meta.get("subject"):
        _subject_from_body(blocks, parsed, title_candidates)
    _group(blocks, parsed, title_candidates, frozenset(normalise_title(t) for t in boilerplate if t))
    flattener.check_time()
    if not parsed.subject:
        first_heading = next((b.text for b in blocks if isinstance(b, Heading)), "")
        parsed.subject = first_heading or re.sub(r"\.[a-z0-9]+$", "", filename.rsplit("/", 1)[-1]).replace("_", " ").strip()
    parsed.subject = parsed.subject[:255]
    if not parsed.sections:
        raise EditionImportError(_("mise en page illisible : aucune section ni carte trouvée"))
    if not parsed.subject:
        raise EditionImportError(_("aucun sujet ni titre trouvé (<title> vide)"))
    head_texts = [(t, _("sujet")) for t in [parsed.subject, parsed.preheader] + title_candidates if t]
    early_texts = [(b.text, _("en-tête")) for b in blocks[:15] if isinstance(b, (Paragraph, Heading))]
    early_text = " ".join(t for t, _source in early_texts)
    if parsed.date is None:
        # A full date in the subject or the header first ("16 décembre 2021"), then a month ("décembre 2021").
        for text, source in head_texts + early_texts:
            match = DAY_MONTH_YEAR_RE.search(text) or MONTH_DAY_YEAR_RE.search(text)
            date = _plausible(_parse_date_text(match.group(0))) if match else None
            if date:
                parsed.date, parsed.date_source, parsed.date_clue = date, source, match.group(0)
                break
    if parsed.date is None and meta.get("sent_date"):
        parsed.date, parsed.date_source = _plausible(_parse_date_text(meta["sent_date"])), _("date d'envoi du message")
        parsed.date_clue = meta["sent_date"]
    if parsed.date is None:
        for text, source in head_texts + early_texts:
            date = _plausible(_parse_date_text(text))
            if date:
                parsed.date, parsed.date_source, parsed.date_clue = date, source, _date_clue(text)
                break
    if parsed.number is None:
        match = NUMBER_RE.search(parsed.subject) or NUMBER_RE.search(early_text)
        if match:
            parsed.number = int(match.group(1))
    return parsed
