"""Checks run before every export, shown to the editor and printed by the command."""
from __future__ import annotations

import html
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from cms.typography import plural_fr, quote_fr

KB = 1024
GMAIL_WARN_BYTES = 90 * KB  # Gmail clips messages over ~102 KB: warn early
GMAIL_CLIP_BYTES = 102 * KB

ERROR = "error"
WARNING = "warning"

PAGE_KEYS = ("page", "thematique", "concept", "button_page")
RICH_TEXT_PAGE_LINK = re.compile(r'<a[^>]*\blinktype="page"[^>]*\bid="(\d+)"')


@dataclass(frozen=True)
class Location:
    """Where in the editor a problem comes from: « Section « À vos agendas ! », élément 2 « … » ».

    ``contentpath`` is Wagtail's own address of a field or block in the edit form (the ``data-contentpath``
    attributes, dot-separated: ``sections.<block uuid>.items.<item uuid>``, or ``subject``), the one
    Wagtail's « Usage » listing links to as ``<edit url>#:w:contentpath=<path>``. Empty when the problem
    comes from the e-mail's template or the site's settings, not from something the editor can open.
    """

    label: str
    contentpath: str = ""

    def as_dict(self) -> dict:
        return {"label": self.label, "contentpath": self.contentpath}


@dataclass(frozen=True)
class Check:
    level: str  # "error" blocks the export unless forced; "warning" is shown
    code: str
    message: str
    locations: tuple = ()  # (Location, …): the sections and items the problem comes from

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def as_dict(self) -> dict:
        return {"level": self.level, "code": self.code, "message": self.message,
                "locations": [location.as_dict() for location in self.locations]}

    def __str__(self):
        prefix = _("Erreur") if self.is_error else _("Avertissement")
        where = " ; ".join(location.label for location in self.locations)
        return f"{prefix} : {self.message}" + (f" ({where})" if where else "")


def _referenced_page_ids(raw) -> list:
    """Every page id referenced by the raw stream data (choosers and rich-text links), in order."""
    ids = []

    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, int) and key in PAGE_KEYS:
            ids.append(value)
        elif isinstance(value, str) and 'linktype="page"' in value:
            ids.extend(int(i) for i in RICH_TEXT_PAGE_LINK.findall(value))

    walk(raw)
    return list(dict.fromkeys(ids))


# --- where a problem comes from ---------------------------------------------------------------------------

HREF = re.compile(r"""\bhref=["']([^"']+)["']""")
SRC = re.compile(r"""\bsrc=["']([^"']+)["']""")
SUBJECT = Location(_("Objet du courriel"), "subject")
PREHEADER = Location(_("Texte d'aperçu"), "preheader")
TEMPLATE = Location(_("Gabarit de l'e-mail (en-tête, pied de page, logos des partenaires)"))


def _raw_items(raw_value) -> list:
    """(item uuid or "", item value) of a section's « items » list, in the editor's order.

    A ListBlock's raw data is a list of {"type": "item", "value": …, "id": …} since Wagtail 2.16, or of
    bare values in data saved before (no uuid: the section is then the finest address)."""
    items = []
    for entry in (raw_value or {}).get("items") or []:
        if isinstance(entry, dict) and entry.get("type") == "item" and "value" in entry:
            items.append((entry.get("id") or "", entry.get("value") or {}))
        elif isinstance(entry, dict):
            items.append(("", entry))
    return items


@dataclass
class _SectionPlace:
    index: int  # 1-based, as the editor counts
    block_id: str
    title: str
    items: list  # [(uuid, raw value)]
    page_titles: dict
    value: dict  # the section's raw value

    @property
    def contentpath(self) -> str:
        return f"sections.{self.block_id}" if self.block_id else "sections"

    def label(self) -> str:
        return _("Section %(title)s") % {"title": quote_fr(self.title or _("sans titre"))}

    def location(self) -> Location:
        return Location(self.label(), self.contentpath)

    def item_location(self, position: int, *, title: str = "", automatic: bool = False) -> Location:
        """Item ``position`` (0-based) of the section: its own address when the editor chose it, the
        section's when the section picked it by itself (the agenda's upcoming events)."""
        if automatic or position >= len(self.items):
            label = _("%(section)s, élément %(n)s %(title)s (choisi automatiquement)")
            path = self.contentpath
        else:
            uuid, value = self.items[position]
            title = title or (value.get("title") or "").strip() or self.page_titles.get(value.get("page"), "")
            label = _("%(section)s, élément %(n)s %(title)s")
            path = f"{self.contentpath}.items.{uuid}" if uuid and self.block_id else self.contentpath
        text = label % {"section": self.label(), "n": position + 1, "title": quote_fr(title) if title else ""}
        return Location(re.sub(" +", " ", text).strip(), path)  # not split(): it eats the narrow no-break spaces


class EditionMap:
    """The edition's sections and items as the editor sees them, and what the e-mail made of each: finds
    the section and item a page id, a link or an image of the compiled e-mail comes from."""

    def __init__(self, edition, rendered):
        self.places: list[_SectionPlace] = []
        self.by_block: dict = {}
        self.urls: dict = {}  # url -> Location (links and image sources)
        raw = list(edition.sections.raw_data) if edition is not None and hasattr(edition, "sections") else []
        ids = _referenced_page_ids(raw)
        titles = {}
        if ids:
            from wagtail.models import Page

            titles = dict(Page.objects.filter(pk__in=ids).values_list("pk", "title"))
        for index, child in enumerate(raw, start=1):
            value = child.get("value") if isinstance(child, dict) else {}
            value = value if isinstance(value, dict) else {}
            place = _SectionPlace(index, child.get("id") or "", value.get("title") or "", _raw_items(value), titles,
                                  value)
            self.places.append(place)
            if place.block_id:
                self.by_block[place.block_id] = place
        for section in getattr(rendered, "sections", None) or []:
            place = self.by_block.get(getattr(section, "block_id", "") or "")
            if place is not None:
                self._index_section(place, section)

    def _remember(self, url, location):
        if url:
            self.urls.setdefault(url, location)

    def _index_section(self, place, section):
        used: set = set()
        email_cards = getattr(section, "email_cards", None) or [{"card": c, "image": None}
                                                                 for c in getattr(section, "cards", [])]
        for n, entry in enumerate(email_cards):
            card = entry["card"]
            position = next((i for i, (_uuid, value) in enumerate(place.items)
                             if i not in used and card.page_id and value.get("page") == card.page_id), None)
            if position is not None:
                used.add(position)
                location = place.item_location(position, title=card.title)
            elif not place.items:  # the section chose it (the agenda's upcoming events)
                location = place.item_location(n, title=card.title, automatic=True)
            else:
                location = place.location()
            for url in (card.url, card.external_url, getattr(card, "link", "")):
                self._remember(url, location)
            image = entry.get("image") or {}
            self._remember(image.get("src"), location)
        section_location = place.location()
        for _label, url in getattr(section, "buttons", []):
            self._remember(url, section_location)
        for _title, url, _source in getattr(section, "links", []):
            self._remember(url, section_location)
        for fragment in (getattr(section, "email_body", ""),):
            for url in HREF.findall(fragment or "") + SRC.findall(fragment or ""):
                self._remember(html.unescape(url), section_location)

    def for_url(self, url: str) -> Location:
        return self.urls.get(url) or TEMPLATE

    def for_page(self, page_id: int) -> list[Location]:
        """Every place of the edition that references the page (a chooser or a rich-text link)."""
        found = []
        for place in self.places:
            for position, (_uuid, value) in enumerate(place.items):
                if page_id in _referenced_page_ids([value]):
                    found.append(place.item_location(position))
            rest = {k: v for k, v in place.value.items() if k != "items"}  # the section's own choosers, its text
            if page_id in _referenced_page_ids([rest]):
                found.append(place.location())
        return found

    def for_block(self, block_id: str) -> Location | None:
        place = self.by_block.get(block_id or "")
        return place.location() if place else None


def edition_map(edition, rendered) -> EditionMap:
    """The map of ``edition`` for ``rendered``, built once per rendering (the checks share it)."""
    cached = getattr(rendered, "_newsletter_edition_map", None)
    if cached is not None and cached[0] is edition:
        return cached[1]
    built = EditionMap(edition, rendered)
    try:
        rendered._newsletter_edition_map = (edition, built)
    except AttributeError:  # an object without a __dict__ (tests' stand-ins): built again next time
        pass
    return built


# Each check is a function (edition, rendered) -> [Check], run in this order; adding a check is appending one.
# ``rendered`` is a newsletter.rendering.RenderedEmail (tests may pass any object with ``html``,
# ``missing_alt`` and ``sections``; the checks that need more read it with getattr).


def check_subject(edition, rendered) -> list[Check]:
    checks = []
    if not (edition.subject or "").strip():
        checks.append(Check(ERROR, "subject", _("l'objet du courriel est vide."), (SUBJECT,)))
    if not (edition.preheader or "").strip():
        checks.append(Check(WARNING, "preheader", _("le texte d'aperçu (preheader) est vide."), (PREHEADER,)))
    return checks


def check_size(edition, rendered) -> list[Check]:
    size = len(rendered.html.encode("utf-8"))
    if size >= GMAIL_CLIP_BYTES:
        return [Check(ERROR, "size", _(
            "le HTML pèse %(size).1f Ko : Gmail coupera le message (limite 102 Ko). Allégez l'édition ou forcez l'export."
        ) % {"size": size / KB})]
    if size >= GMAIL_WARN_BYTES:
        return [Check(WARNING, "size", _(
            "le HTML pèse %(size).1f Ko, proche de la limite de 102 Ko au-delà de laquelle Gmail coupe le message."
        ) % {"size": size / KB})]
    return []


def check_alt(edition, rendered) -> list[Check]:
    where = edition_map(edition, rendered)
    return [Check(ERROR, "alt", _("une image n'a pas de texte alternatif : %(src)s") % {"src": src},
                  (where.for_url(src),))
            for src in rendered.missing_alt]


def check_links(edition, rendered) -> list[Check]:
    from wagtail.models import Page

    checks = []
    ids = _referenced_page_ids(list(edition.sections.raw_data))
    if ids:
        found = {p.pk: p for p in Page.objects.filter(pk__in=ids).only("id", "title", "live")}
        where = None
        for pk in ids:
            page = found.get(pk)
            if page is not None and page.live:
                continue
            where = where or edition_map(edition, rendered)
            if page is None:
                checks.append(Check(ERROR, "deleted", _(
                    "un lien renvoie vers une page supprimée (identifiant %(id)s).") % {"id": pk},
                    tuple(where.for_page(pk))))
            else:
                checks.append(Check(ERROR, "unpublished", _(
                    "un lien renvoie vers la page non publiée %(title)s.") % {"title": quote_fr(page.title)},
                    tuple(where.for_page(pk))))
    return checks


def check_empty_sections(edition, rendered) -> list[Check]:
    empty = [section for section in rendered.sections if section.is_empty]
    if not empty:
        return []
    where = edition_map(edition, rendered)
    return [Check(WARNING, "empty", _("la section %(title)s est vide.") % {"title": quote_fr(section.title)},
                  tuple(filter(None, [where.for_block(getattr(section, "block_id", ""))])))
            for section in empty]


def check_required_tags(edition, rendered) -> list[Check]:
    """The footer tags the mailing tool requires (its unsubscribe link, Mailchimp's address and badge)."""
    from .profiles import PROFILES

    profile = PROFILES.get(getattr(rendered, "tool", "") or "")
    if profile is None:
        return []
    return [Check(ERROR, "required_tag", _(
        "la balise obligatoire %(tag)s de %(tool)s manque dans le courriel : l'outil refusera l'envoi.")
        % {"tag": tag, "tool": profile.label}, (TEMPLATE,)) for tag in profile.required_tags if tag not in rendered.html]


def check_compatibility(edition, rendered) -> list[Check]:
    """Features of the HTML that a client family does not support (caniemail), the accepted ones aside."""
    report = getattr(rendered, "compatibility", None)
    if report is None:
        return []
    if not report.available:
        return [Check(WARNING, "compat_data", _(
            "vérification de compatibilité impossible : données caniemail absentes (lancez make install)."))]
    problems: dict = {}
    for family, slug, title, where in report.problems:
        problems.setdefault((slug, title, where), []).append(family)
    return [Check(WARNING, "compat", _("%(feature)s (%(where)s) n'est pas pris en charge par %(clients)s.")
                  % {"feature": title, "where": where, "clients": ", ".join(families)}, (TEMPLATE,))
            for (slug, title, where), families in problems.items()]


# --- the addresses links and images point at ----------------------------------------------------------


def address_problem(url: str, *, production: bool | None = None) -> str | None:
    """Why subscribers could not open ``url`` (French, for the editor), or None when it is a public address.

    Refused: ``localhost`` and ``*.localhost``, loopback (127.0.0.0/8, ::1), private (10/8, 172.16/12,
    192.168/16, fc00::/7), link-local, unspecified and reserved addresses; and plain ``http`` when the
    settings are production's (``NEWSLETTER_REQUIRE_HTTPS``). Anything that is not an http(s) URL
    (mailto:, merge tags, anchors) is not an address and passes.
    """
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return _("adresse sans nom d'hôte")
    if host == "localhost" or host.endswith(".localhost"):
        return _("« localhost », la machine de l'éditeur")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        if ip.is_loopback:
            return _("une adresse de bouclage (loopback), la machine de l'éditeur")
        if ip.is_unspecified:
            return _("une adresse non spécifiée")
        if ip.is_link_local:
            return _("une adresse de lien local")
        if ip.is_private or ip.is_reserved:
            return _("une adresse de réseau privé, injoignable depuis Internet")
    if production is None:
        production = getattr(settings, "NEWSLETTER_REQUIRE_HTTPS", False)
    if production and parts.scheme == "http":
        return _("une adresse en http, sans chiffrement, refusée en production")
    return None


def _addresses(rendered):
    """(kind, url) of every link and image of the compiled HTML."""
    soup = getattr(rendered, "soup", None)
    if soup is None:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(rendered.html, "html.parser")
    for a in soup.find_all("a", href=True):
        yield "link", a["href"]
    for img in soup.find_all("img", src=True):
        yield "image", img["src"]


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def check_public_urls(edition, rendered) -> list[Check]:
    """Links and images must point at the public site: one error per origin subscribers could not reach."""
    found: dict = {}
    for kind, url in _addresses(rendered):
        problem = address_problem(url)
        if problem is None:
            continue
        parts = urlsplit(url.strip())
        origin = f"{parts.scheme}://{parts.netloc}"
        entry = found.setdefault(origin, {"problem": problem, "link": 0, "image": 0, "urls": []})
        entry[kind] += 1
        entry["urls"].append(url)
    checks = []
    site_origin = _origin(getattr(settings, "SITE_BASE_URL", "") or "")
    for origin, entry in found.items():
        if origin == site_origin:
            # The site's own address: the setting is at fault, not the sections (every link would be listed).
            locations = (Location(_("Réglage SITE_BASE_URL du site (toutes les sections)")),)
        else:
            where = edition_map(edition, rendered)
            locations = tuple(dict.fromkeys(where.for_url(url) for url in entry["urls"]))
        what = [plural_fr(entry["link"], "lien")] if entry["link"] else []
        if entry["image"]:
            what.append(plural_fr(entry["image"], "image"))
        checks.append(Check(ERROR, "address", _(
            "%(what)s %(verb)s vers %(origin)s, %(problem)s : les abonnés ne pourront pas les ouvrir. "
            "Réglez SITE_BASE_URL (ou WAGTAILADMIN_BASE_URL) sur l'adresse publique du site, "
            "ou forcez l'export.") % {"what": " et ".join(what).capitalize(),
                                     "verb": "pointe" if entry["link"] + entry["image"] == 1 else "pointent",
                                     "origin": quote_fr(origin),
                                     "problem": entry["problem"]}, locations))
    return checks


EDITION_CHECKS = [check_subject, check_public_urls, check_size, check_alt, check_links, check_empty_sections, check_required_tags,
                  check_compatibility]


def check_edition(edition, rendered) -> list[Check]:
    checks: list[Check] = []
    for check in EDITION_CHECKS:
        checks.extend(check(edition, rendered))
    return checks


def has_errors(checks) -> bool:
    return any(c.is_error for c in checks)
