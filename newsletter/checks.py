"""Checks run before every export, shown to the editor and printed by the command."""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

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


def check_edition(edition, rendered) -> list[Check]:
    from wagtail.models import Page

    checks: list[Check] = []
    if not (edition.subject or "").strip():
        checks.append(Check(ERROR, "subject", _("l'objet du courriel est vide.")))
    if not (edition.preheader or "").strip():
        checks.append(Check(WARNING, "preheader", _("le texte d'aperçu (preheader) est vide.")))

    size = len(rendered.html.encode("utf-8"))
    if size >= GMAIL_CLIP_BYTES:
        checks.append(Check(ERROR, "size", _(
            "le HTML pèse %(size).1f Ko : Gmail coupera le message (limite 102 Ko). Allégez l'édition ou forcez l'export."
        ) % {"size": size / KB}))
    elif size >= GMAIL_WARN_BYTES:
        checks.append(Check(WARNING, "size", _(
            "le HTML pèse %(size).1f Ko, proche de la limite de 102 Ko au-delà de laquelle Gmail coupe le message."
        ) % {"size": size / KB}))

    for src in rendered.missing_alt:
        checks.append(Check(ERROR, "alt", _("une image n'a pas de texte alternatif : %(src)s") % {"src": src}))

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

    for section in rendered.sections:
        if section.is_empty:
            checks.append(Check(WARNING, "empty", _("la section « %(title)s » est vide.") % {"title": section.title}))
    return checks


def has_errors(checks) -> bool:
    return any(c.is_error for c in checks)
