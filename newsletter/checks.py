"""Checks run before every export, shown to the editor and printed by the command."""
from __future__ import annotations

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
class Check:
    level: str  # "error" blocks the export unless forced; "warning" is shown
    code: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def as_dict(self) -> dict:
        return {"level": self.level, "code": self.code, "message": self.message}

    def __str__(self):
        prefix = _("Erreur") if self.is_error else _("Avertissement")
        return f"{prefix} : {self.message}"


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


# Each check is a function (edition, rendered) -> [Check], run in this order; adding a check is appending one.
# ``rendered`` is a newsletter.rendering.RenderedEmail (tests may pass any object with ``html``,
# ``missing_alt`` and ``sections``; the checks that need more read it with getattr).


def check_subject(edition, rendered) -> list[Check]:
    checks = []
    if not (edition.subject or "").strip():
        checks.append(Check(ERROR, "subject", _("l'objet du courriel est vide.")))
    if not (edition.preheader or "").strip():
        checks.append(Check(WARNING, "preheader", _("le texte d'aperçu (preheader) est vide.")))
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
    return [Check(ERROR, "alt", _("une image n'a pas de texte alternatif : %(src)s") % {"src": src})
            for src in rendered.missing_alt]


def check_links(edition, rendered) -> list[Check]:
    from wagtail.models import Page

    checks = []
    ids = _referenced_page_ids(list(edition.sections.raw_data))
    if ids:
        found = {p.pk: p for p in Page.objects.filter(pk__in=ids).only("id", "title", "live")}
        for pk in ids:
            page = found.get(pk)
            if page is None:
                checks.append(Check(ERROR, "deleted", _(
                    "un lien renvoie vers une page supprimée (identifiant %(id)s).") % {"id": pk}))
            elif not page.live:
                checks.append(Check(ERROR, "unpublished", _(
                    "un lien renvoie vers la page non publiée « %(title)s ».") % {"title": page.title}))
    return checks


def check_empty_sections(edition, rendered) -> list[Check]:
    return [Check(WARNING, "empty", _("la section « %(title)s » est vide.") % {"title": section.title})
            for section in rendered.sections if section.is_empty]


def check_required_tags(edition, rendered) -> list[Check]:
    """The footer tags the mailing tool requires (its unsubscribe link, Mailchimp's address and badge)."""
    from .profiles import PROFILES

    profile = PROFILES.get(getattr(rendered, "tool", "") or "")
    if profile is None:
        return []
    return [Check(ERROR, "required_tag", _(
        "la balise obligatoire %(tag)s de %(tool)s manque dans le courriel : l'outil refusera l'envoi.")
        % {"tag": tag, "tool": profile.label}) for tag in profile.required_tags if tag not in rendered.html]


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
                  % {"feature": title, "where": where, "clients": ", ".join(families)})
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


def check_public_urls(edition, rendered) -> list[Check]:
    """Links and images must point at the public site: one error per origin subscribers could not reach."""
    found: dict = {}
    for kind, url in _addresses(rendered):
        problem = address_problem(url)
        if problem is None:
            continue
        parts = urlsplit(url.strip())
        origin = f"{parts.scheme}://{parts.netloc}"
        entry = found.setdefault(origin, {"problem": problem, "link": 0, "image": 0})
        entry[kind] += 1
    checks = []
    for origin, entry in found.items():
        what = [plural_fr(entry["link"], "lien")] if entry["link"] else []
        if entry["image"]:
            what.append(plural_fr(entry["image"], "image"))
        checks.append(Check(ERROR, "address", _(
            "%(what)s %(verb)s vers %(origin)s, %(problem)s : les abonnés ne pourront pas les ouvrir. "
            "Réglez SITE_BASE_URL (ou WAGTAILADMIN_BASE_URL) sur l'adresse publique du site, "
            "ou forcez l'export.") % {"what": " et ".join(what).capitalize(),
                                     "verb": "pointe" if entry["link"] + entry["image"] == 1 else "pointent",
                                     "origin": quote_fr(origin),
                                     "problem": entry["problem"]}))
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
