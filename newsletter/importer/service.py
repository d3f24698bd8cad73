"""One file → one ``NewsletterPage`` and the resource pages its cards point to, in one transaction.

Sections are mapped onto the edition's section blocks (newsletter/blocks.py) by their title:
édito, thématique du mois, tribune, vote, concept du mois, agenda, actualités, pour aller plus
loin, partager ses événements; any other section with cards becomes a "projets" list with its
title, and text-only sections become the édito (the first one) or a titled list with an intro.
"""
from __future__ import annotations

import datetime as dt
import html as html_lib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.signal_handlers import disable_reference_index_auto_update

from .cleaning import normalise_title
from .errors import EditionImportError
from .matching import PageIndex
from .parsing import CTA_RE, MONTHS, ParsedEdition, ParsedItem, ParsedSection, parse_edition
from .reading import read_source

VOTE_ROW_RE = re.compile(r"^(?P<label>.{2,200}?)\s*:\s*(?P<count>\d{1,9})$")
DAY_PREFIX_RE = re.compile(r"^(?P<day>\d{1,2})(?:er)?\s+(?P<month>[a-zéû]+)\.?(?:\s+(?P<year>\d{4}))?\s*:\s*(?P<title>.+)$",
                           re.IGNORECASE)


MAX_LINK_LENGTH = 2000  # the resource pages' link fields (click-tracking redirects run to 1,000 characters)

def index_references(pages) -> None:
    """Reference index (what the edition's sections point to) of the created pages, once each at the end of
    the file rather than at every save. Search indexing is left to the search backend's own ``post_save``
    handler, which enqueues one task per page on the project's task queue (a row of django-tasks-db written
    in the file's transaction: a failed file enqueues nothing); no global signal is touched."""
    from wagtail.models import ReferenceIndex

    for page in pages:
        if ReferenceIndex.model_is_indexable(type(page)):
            ReferenceIndex.create_or_update_for_object(page)


@dataclass
class FileReport:
    """What importing one file did: one line per created, reused and skipped thing."""

    name: str
    ok: bool = False
    error: str = ""
    edition: str = ""
    edition_id: int | None = None
    tool: str = ""
    created: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sections: int = 0
    items: int = 0

    def lines(self) -> list[str]:
        if not self.ok:
            return [_("ÉCHEC %(name)s : %(error)s") % {"name": self.name, "error": self.error}]
        out = [_("%(name)s → « %(edition)s » (%(tool)s) : %(sections)s section(s), %(items)s élément(s)")
               % {"name": self.name, "edition": self.edition, "tool": self.tool, "sections": self.sections,
                  "items": self.items}]
        out += [_("  créé : %s") % line for line in self.created]
        out += [_("  réutilisé : %s") % line for line in self.reused]
        out += [_("  ignoré : %s") % line for line in self.skipped]
        out += [_("  attention : %s") % line for line in self.warnings]
        return out


@dataclass(frozen=True)
class SectionMapper:
    """One type of section of ``NewsletterPage.sections``: which imported sections it takes (``matches``, given
    the section's normalised title) and how one is written (``to_value``: the block, or ``None`` when the section
    does not fit, a tribune without its page say, which is then written as cards or text)."""

    kind: str
    matches: Callable[[str, ParsedSection], bool]
    to_value: Callable[[EditionImporter, ParsedSection], dict | None]


def kind_of(section: ParsedSection) -> str:
    """The first mapper of ``SECTION_MAPPERS`` (in order) that takes the section."""
    key = normalise_title(section.title)
    return next(m.kind for m in SECTION_MAPPERS if m.matches(key, section))


def stream_value(model, field_name: str, blocks: list[dict]):
    """The StreamField value of ``blocks`` (``{"type", "value", "id"}``) built by the field's own StreamBlock
    (``normalize``), never JSON written by hand; a type the field does not have is a programming error."""
    stream_block = model._meta.get_field(field_name).stream_block
    unknown = {b["type"] for b in blocks} - set(stream_block.child_blocks)
    if unknown:
        raise ValueError(f"{model.__name__}.{field_name} has no block type {sorted(unknown)}")
    return stream_block.normalize(blocks)


def _valid_url(url: str, limit: int = 200) -> bool:
    """An http(s) address within ``limit`` characters (200: URLBlock's)."""
    if len(url) > limit:
        return False
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


def _block(kind: str, value: dict) -> dict:
    return {"type": kind, "value": value, "id": str(uuid.uuid4())}


def _paragraphs_html(section: ParsedSection) -> str:
    """Rich text of a section's text: paragraphs, lists, and sub-headings as bold paragraphs
    (the édito's editor has no heading feature; the section/card hierarchy carries the headings)."""
    out, in_list = [], False
    for piece in section.content:
        if piece.kind == "paragraph" and piece.list_item:
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{piece.html}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if piece.kind == "heading":
            out.append(f"<p><b>{html_lib.escape(piece.text)}</b></p>")
        else:
            out.append(f"<p>{piece.html}</p>")
    if in_list:
        out.append("</ul>")
    return "".join(out)


def _rich_text(section: ParsedSection) -> str:
    """The section's text as rich text, then its cards and buttons as links of their own paragraphs."""
    body = _paragraphs_html(section) + "".join(
        f'<p><a href="{html_lib.escape(i.link)}">{html_lib.escape(i.title)}</a></p>' for i in section.items
    ) + "".join(f'<p><a href="{html_lib.escape(href)}">{html_lib.escape(label)}</a></p>'
                for label, href in section.buttons)
    return body or "<p></p>"


def _reads_as_text(section: ParsedSection) -> bool:
    """A section whose text has sub-headings, or links of its own in more than twice as many paragraphs as
    cards (an article, not a card list with an introduction)."""
    paragraphs = [p for p in section.content if p.kind == "paragraph"]
    if any(p.kind == "heading" for p in section.content) and not section.items:
        return True
    return any(p.links for p in paragraphs) and len(paragraphs) > max(2, 2 * len(section.items))


def _plain(section: ParsedSection) -> str:
    return "\n\n".join(piece.text for piece in section.content)


class EditionImporter:
    """Imports files one by one; each file in its own transaction (a savepoint in a dry run)."""

    def __init__(self, *, parent=None, publish: bool = False, user=None, dry_run: bool = False):
        self.parent = parent
        self.publish = publish
        self.user = user
        self.dry_run = dry_run
        self._standing_texts: tuple[str, ...] | None = None
        self.created_pages: list = []  # of the file being written: their references are indexed at its end

    # --- entry points ---------------------------------------------------------------------------------

    def import_files(self, files, progress=None) -> list[FileReport]:
        """``files``: [(name, bytes)]. ``progress(index, total, name)`` is called before each file."""
        reports = []
        if self.dry_run:
            with transaction.atomic():
                for index, (name, data) in enumerate(files, 1):
                    if progress:
                        progress(index, len(files), name)
                    reports.append(self.import_one(name, data))
                transaction.set_rollback(True)
        else:
            for index, (name, data) in enumerate(files, 1):
                if progress:
                    progress(index, len(files), name)
                reports.append(self.import_one(name, data))
        return reports

    def import_one(self, name: str, data: bytes) -> FileReport:
        report = FileReport(name=name)
        try:
            source = read_source(name, data)
            parsed = parse_edition(source.html, meta=source.meta, filename=name, boilerplate=self._boilerplate())
            report.warnings.extend(source.warnings)
            self.created_pages = []
            with transaction.atomic(), disable_reference_index_auto_update():
                self._write(parsed, report)
                index_references(self.created_pages)
        except ValidationError as exc:
            # The site refused a page (its own validation): the file's transaction is rolled back.
            detail = "; ".join(str(m) for m in exc.messages[:2]) if hasattr(exc, "messages") else str(exc)
            report.ok, report.error = False, _("page refusée par le site : %s") % " ".join(detail.split())[:200]
            report.created, report.reused = [], []
            return report
        except EditionImportError as exc:
            report.ok, report.error = False, str(exc)
            report.created, report.reused = [], []
            return report
        report.ok = True
        return report

    def _boilerplate(self) -> tuple[str, ...]:
        """This site's standing header texts (the tagline of its exports): not an edition's introduction."""
        from cms.models import SiteSettings

        if self._standing_texts is None:
            self._standing_texts = (SiteSettings.load().tagline,)
        return self._standing_texts

    # --- writing --------------------------------------------------------------------------------------

    def _index_page(self):
        from .. import models

        if self.parent is not None:
            return self.parent
        pages = list(models.NewsletterIndexPage.objects.all()[:2])
        if not pages:
            raise EditionImportError(_("aucune archive de newsletter : créez la page « Newsletter » avant d'importer"))
        return pages[0]

    def _write(self, parsed: ParsedEdition, report: FileReport) -> None:
        from ..models import NewsletterPage

        parent = self._index_page()
        report.tool = parsed.tool
        report.edition = parsed.subject
        report.skipped.extend(f"{what} ({why})" for what, why in parsed.skipped)
        date = parsed.date
        if date is None:
            date = timezone.localdate()
            report.warnings.append(_("date de l'édition introuvable : date du jour utilisée, à corriger"))
        fingerprint = parsed.fingerprint
        existing = NewsletterPage.objects.filter(import_fingerprint=fingerprint).only("pk", "title").first()
        if existing is not None:
            report.edition_id = existing.pk
            report.sections = len(parsed.sections)
            report.items = len(parsed.items)
            report.reused.append(_("édition « %(title)s » (page %(id)s) : déjà importée, rien n'est modifié")
                                 % {"title": existing.title, "id": existing.pk})
            return
        self.index = PageIndex()
        self._library_page = None
        self.report = report
        self.edition_date = date
        self.used_slugs: dict[int, set] = {}
        blocks = self._sections(parsed)
        edition = NewsletterPage(
            title=parsed.subject, slug=self._slug(parent, parsed.subject), subject=parsed.subject,
            preheader=parsed.preheader[:255], date=date, number=parsed.number, live=self.publish,
            search_description=parsed.preheader[:255], import_fingerprint=fingerprint,
        )
        edition.sections = stream_value(NewsletterPage, "sections", blocks)
        self._add(parent, edition)
        report.edition_id = edition.pk
        report.sections = len(blocks)
        report.items = sum(len(b["value"].get("items") or [])
                           + sum(1 for key in ("item", "thematique", "concept") if b["value"].get(key)) for b in blocks)
        clue = (_(" ; date lue dans %(source)s : « %(clue)s »") % {"source": parsed.date_source, "clue": parsed.date_clue}
                if parsed.date and parsed.date_clue else "")
        report.created.insert(0, _("édition « %(title)s » du %(date)s (%(n)s section(s))%(clue)s")
                              % {"title": edition.title, "date": date.strftime("%d/%m/%Y"), "n": len(blocks), "clue": clue})

    def _add(self, parent, page) -> None:
        """Create the page under its parent, owned (and logged as created) by the importing user;
        a published import goes through a revision like any publication."""
        if self.user is not None and self.user.is_authenticated:
            page.owner = self.user
        parent.add_child(instance=page)
        self.created_pages.append(page)
        if self.publish:
            page.save_revision(user=self.user, changed=False).publish(user=self.user)

    def _slug(self, parent, title: str) -> str:
        from wagtail.models import Page

        used = self.used_slugs.get(parent.pk)
        if used is None:
            used = set(Page.objects.child_of(parent).values_list("slug", flat=True))
            self.used_slugs[parent.pk] = used
        base = slugify(title)[:70].strip("-") or "edition"
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        return slug

    # --- sections -------------------------------------------------------------------------------------

    def _sections(self, parsed: ParsedEdition) -> list[dict]:
        blocks, used = [], set()
        for section in parsed.sections:
            kind = kind_of(section)
            if kind == "projets" and _reads_as_text(section):
                kind = "texte"  # an article with a card or two: its rich text would be lost in a card list
            if kind in used and kind in ("edito", "thematique_du_mois", "vote", "partager_evenements"):
                kind = "projets" if section.items else "texte"
            if kind == "texte":
                kind = "edito" if "edito" not in used else "texte"
            if kind in ("projets", "aller_plus_loin", "actualites"):
                self._links_as_items(section)
            block = MAPPERS_BY_KIND[kind].to_value(self, section)
            if block is None:
                block = self._section_projets(section) if section.items else self._section_texte(section)
            used.add(block["type"])
            blocks.append(block)
        return blocks

    def _links_as_items(self, section: ParsedSection) -> None:
        """A card-list section's text is plain: the links of its paragraphs and its stand-alone
        buttons become items (title and link), so that no link a reader could click is lost.
        Buttons to this site's own pages (the section's "see all" of the project's exports) stay
        out: they have no item equivalent and are reported."""
        known = {item.link for item in section.items}
        for piece in section.content:
            if piece.kind != "paragraph":
                continue
            for label, href in piece.links:
                if href in known or not href.startswith(("http://", "https://")):
                    continue
                known.add(href)
                title = label
                if len(label) < 12 or CTA_RE.match(label):
                    rest = piece.text.replace(label, "").strip(" :–—-")
                    title = rest[:200] or label
                summary = piece.text if len(piece.links) == 1 and piece.text != title else ""
                section.items.append(ParsedItem(title=title[:255], link=href, summary=summary, from_list=True))
        kept = []
        for label, href in section.buttons:
            if href in known or self.index.is_site_url(href) or not href.startswith(("http://", "https://")):
                kept.append((label, href))
                continue
            known.add(href)
            section.items.append(ParsedItem(title=label[:255], link=href, cta_label=label[:80], from_list=True))
        section.buttons = kept

    def _skip_buttons(self, section: ParsedSection, keep: int = 0) -> None:
        for label, href in section.buttons[keep:]:
            self.report.skipped.append(_("bouton « %(label)s » de la section « %(section)s » (%(href)s) : pas d'équivalent dans ce type de section")
                                       % {"label": label, "section": section.title, "href": href[:80]})

    def _section_edito(self, section: ParsedSection) -> dict:
        for item in section.items:
            self.report.skipped.append(_("carte « %s » dans l'édito : gardée comme lien du texte") % item.title)
        return _block("edito", {"title": section.title or "Edito", "body": _rich_text(section), "signature": ""})

    def _section_texte(self, section: ParsedSection) -> dict:
        """A text section (no card): its rich text, links, lists and sub-headings kept."""
        return _block("texte", {"title": section.title or _("Sans titre"), "body": _rich_text(section)})

    def _items(self, section: ParsedSection, kind: str, allowed: tuple | None = None) -> list[dict]:
        values = []
        for item in section.items:
            value = self._item(item, kind, section, allowed)
            if value is not None:
                values.append(value)
        return values

    def _section_projets(self, section: ParsedSection) -> dict:
        self._skip_buttons(section)
        return _block("projets", {"title": section.title or _("Ressources"), "intro": _plain(section),
                                  "items": self._items(section, "projets", self._resource_models())})

    def _section_aller_plus_loin(self, section: ParsedSection) -> dict:
        self._skip_buttons(section)
        return _block("aller_plus_loin", {"title": section.title, "intro": _plain(section),
                                          "items": self._items(section, "article", self._resource_models())})

    def _section_actualites(self, section: ParsedSection) -> dict:
        self._skip_buttons(section)
        return _block("actualites", {"title": section.title, "intro": _plain(section),
                                     "items": self._items(section, "actualite", None)})

    def _section_tribune(self, section: ParsedSection) -> dict | None:
        from ressources.models import TribunePage

        if len(section.items) != 1:
            return None
        self._skip_buttons(section)
        values = self._items(section, "tribune", (TribunePage,))
        if not values:
            return None
        return _block("tribune", {"title": section.title, "item": values[0]})

    def _section_thematique_du_mois(self, section: ParsedSection) -> dict | None:
        from thematiques.models import ThematiquePage

        if not section.items:
            return None
        item = section.items[0]
        page = self._find(item, (ThematiquePage,))
        if page is False:  # its address is a page of another type: reported as skipped by _find
            return None
        if page is None:
            page = self._create_thematique(item)
        if page is None:
            return None
        for extra in section.items[1:]:
            self.report.skipped.append(_("carte « %s » : la section thématique du mois n'en garde qu'une") % extra.title)
        contact_label, contact_url = (section.buttons[0] if section.buttons else ("Contactez l'ANCT", ""))
        self._skip_buttons(section, keep=1)
        return _block("thematique_du_mois", {
            "title": section.title, "thematique": page.pk,
            "intro": item.summary if item.summary != page.chapo else "",
            "discover_label": item.cta_label or "Découvrez la thématique",
            "contact_text": _plain(section), "contact_label": contact_label[:120],
            "contact_url": contact_url if _valid_url(contact_url) else "",
        })

    def _section_vote(self, section: ParsedSection) -> dict:
        rows, texts = [], []
        for piece in section.content:
            match = VOTE_ROW_RE.match(piece.text) if piece.kind == "paragraph" else None
            if match:
                rows.append({"type": "item", "value": {"label": match["label"].strip(), "count": int(match["count"])},
                             "id": str(uuid.uuid4())})
            elif piece.kind == "paragraph":
                texts.append(piece.text)
        subtitle, text, button_label, button_url = "", "", "Votez pour une thématique", ""
        headings = [p.text for p in section.content if p.kind == "heading"]
        if section.items:  # a sub-heading whose text ends with the vote button reads as a card
            card = section.items[0]
            subtitle, text, button_label, button_url = card.title, card.summary, card.cta_label or button_label, card.link
        elif headings:
            subtitle = headings[0]
        if section.buttons:
            button_label, button_url = section.buttons[0]
        question = texts[0] if texts else ""
        if not text and len(texts) > 1:
            text = "\n\n".join(texts[1:])
        self._skip_buttons(section, keep=1)
        page = self.index.page_for_site_url(button_url) if button_url and self.index.is_site_url(button_url) else None
        return _block("vote", {
            "title": section.title, "question": question[:255], "rows": rows, "subtitle": subtitle[:255], "text": text,
            "button_label": (button_label or "Votez pour une thématique")[:120], "button_page": page.pk if page else None,
            "button_url": "" if page or not _valid_url(button_url) else button_url,
        })

    def _section_partager_evenements(self, section: ParsedSection) -> dict:
        self._skip_buttons(section)
        return _block("partager_evenements", {"title": section.title, "text": _plain(section)
                                              or "Envoyez vos actualités à Territoires en Commun à cette adresse :"})

    def _section_concept(self, section: ParsedSection) -> dict | None:
        from ressources.models import ConceptPage

        section_title, _sep, concept_title = section.title.partition(" : ")
        if not concept_title:
            section_title, concept_title = "Le concept du mois", section.title
        link = section.buttons[0][1] if section.buttons else ""
        probe = ParsedItem(title=concept_title, link=link)
        page = self._find(probe, (ConceptPage,))
        if page is False:  # its address is a page of another type: reported as skipped by _find
            return None
        if page is None:
            page = self._create_concept(section, concept_title, link)
        self._skip_buttons(section, keep=1)
        for item in section.items:
            if not item.from_list:
                self.report.skipped.append(_("carte « %s » dans le concept du mois") % item.title)
        links_title = next((p.text for p in section.content if p.kind == "heading"), "Pour aller plus loin")
        return _block("concept", {"title": section_title.strip() or "Le concept du mois", "concept": page.pk,
                                  "links_title": links_title[:255]})

    def _section_agenda(self, section: ParsedSection) -> dict:
        from ressources.models import EvenementPage

        values = []
        for item in section.items:
            values_item = self._item(item, "evenement", section, (EvenementPage,))
            if values_item is not None:
                values.append(values_item)
        self._skip_buttons(section)
        return _block("agenda", {"title": section.title, "weeks": 6, "limit": max(8, len(values)), "items": values})

    # --- pages ----------------------------------------------------------------------------------------

    @staticmethod
    def _resource_models() -> tuple:
        from ressources.models import RessourcePage

        return (RessourcePage,)

    def _find(self, item: ParsedItem, allowed: tuple | None):
        """An existing page for the card, or None. Reports a match of the wrong type."""
        for link in filter(None, (item.link, item.button_link)):
            page = None
            how = ""
            if self.index.is_site_url(link):
                page, how = self.index.page_for_site_url(link), _("adresse sur le site")
            elif link.startswith(("http://", "https://")):
                page, how = self.index.page_for_external(link), _("lien externe")
            if page is not None:
                if allowed and not isinstance(page, allowed):
                    self.report.skipped.append(_("« %(title)s » : la page trouvée par son adresse (%(type)s) ne convient pas à cette section")
                                               % {"title": item.title, "type": page._meta.verbose_name})
                    return False
                self.report.reused.append(_("« %(title)s » (page %(id)s, par %(how)s)")
                                          % {"title": page.title, "id": page.pk, "how": how})
                return page
        page = self.index.page_for_title(item.title, allowed or ())
        if page is not None:
            self.report.reused.append(_("« %(title)s » (page %(id)s, par son titre)") % {"title": page.title, "id": page.pk})
        return page

    def _item(self, item: ParsedItem, kind: str, section: ParsedSection, allowed: tuple | None) -> dict | None:
        title = item.title
        prefix_match = DAY_PREFIX_RE.match(title) if kind == "evenement" else None
        if prefix_match and prefix_match["month"].lower() in MONTHS:
            title = prefix_match["title"].strip()
        probe = ParsedItem(title=title, link=item.link, button_link=item.button_link, summary=item.summary)
        page = self._find(probe, allowed)
        if page is False:
            return None
        if page is None:
            page = self._create_resource(probe, item, kind, section, prefix_match)
            if page is None:
                return None
            return {"page": page.pk, "title": "", "text": "", "cta_label": ""}
        card = page.get_card() if hasattr(page, "get_card") else None
        return {
            "page": page.pk,
            "title": title if card is None or normalise_title(card.title) != normalise_title(title) else "",
            "text": item.summary if card is None or (item.summary and item.summary.strip() != (card.summary or "").strip()) else "",
            "cta_label": item.cta_label if card is None or (item.cta_label and item.cta_label != card.cta_label) else "",
        }

    def _resource_model(self, kind: str, item: ParsedItem):
        from ressources import models as r

        cta = normalise_title(item.cta_label)
        if kind == "tribune" or "tribune" in cta:
            return r.TribunePage
        if kind == "actualite" or "actualite" in cta:
            return r.ActualitePage
        if kind == "article" or "article" in cta:
            return r.ArticlePage
        if kind == "concept":
            return r.ConceptPage
        if kind == "projets" and not ("projet" in cta or "initiative" in cta or "experience" in cta or not cta):
            return r.ArticlePage
        return r.ProjetPage

    def _library(self, model_label: str):
        from ressources.models import RessourceIndexPage

        if getattr(self, "_library_page", None) is None:
            self._library_page = RessourceIndexPage.objects.first()
        library = self._library_page
        if library is None:
            raise EditionImportError(_("aucune bibliothèque de ressources : créez la page « Ressources » avant "
                                       "d'importer (nécessaire pour « %s »)") % model_label)
        return library

    def _external(self, item: ParsedItem) -> str:
        validate = URLValidator(schemes=["http", "https"])
        for link in (item.button_link, item.link):
            if link and link.startswith(("http://", "https://")) and not self.index.is_site_url(link):
                if len(link) > MAX_LINK_LENGTH:  # the field's limit: a cut link would be a broken one
                    self.report.skipped.append(_("lien « %(link)s… » : plus de %(n)s caractères, non gardé")
                                               % {"link": link[:60], "n": MAX_LINK_LENGTH})
                    continue
                try:
                    validate(link)
                except ValidationError:
                    self.report.skipped.append(_("lien « %s » : adresse invalide, non gardée") % link[:80])
                    continue
                return link
        return ""

    def _create_resource(self, probe: ParsedItem, item: ParsedItem, kind: str, section: ParsedSection, prefix_match):
        if kind == "evenement":
            return self._create_event(probe, item, prefix_match)
        if item.link and self.index.is_site_url(item.link) and not item.button_link:
            self.report.warnings.append(_("« %(title)s » pointe vers %(link)s, absente du site : ressource créée sans lien")
                                        % {"title": probe.title, "link": item.link[:80]})
        model = self._resource_model(kind, item)
        library = self._library(str(model._meta.verbose_name))
        external = self._external(item)
        page = model(title=probe.title[:255], slug=self._slug(library, probe.title), chapo=item.summary,
                     external_url=external, link_label=item.cta_label[:80], publication_date=self.edition_date,
                     live=self.publish)
        if model.__name__ == "ProjetPage" and "initiative" in normalise_title(item.cta_label):
            page.nature = "initiative"
        self._add(library, page)
        self.index.remember(page, external)
        self.report.created.append(_("%(type)s « %(title)s »%(image)s")
                                   % {"type": model._meta.verbose_name, "title": page.title,
                                      "image": self._image_note(item)})
        return page

    def _image_note(self, item: ParsedItem) -> str:
        if not item.image_url:
            return ""
        alt = _("alt « %s »") % item.image_alt if item.image_alt else _("image décorative")
        return _(" — image à ajouter à la main : %(url)s (%(alt)s)") % {"url": item.image_url[:120], "alt": alt}

    def _create_event(self, probe: ParsedItem, item: ParsedItem, prefix_match):
        from ressources.models import AgendaIndexPage, EvenementPage

        start_date = None
        if prefix_match:
            year = int(prefix_match["year"] or self.edition_date.year)
            month = MONTHS[prefix_match["month"].lower()]
            if not prefix_match["year"] and month < self.edition_date.month:
                year += 1
            try:
                start_date = dt.date(year, month, int(prefix_match["day"]))
            except ValueError:
                start_date = None
        if start_date is None:
            from .parsing import _parse_date_text

            start_date = _parse_date_text(f"{item.title} {item.summary}")
        agenda = AgendaIndexPage.objects.first()
        if start_date is None or agenda is None:
            self.report.skipped.append(_("événement « %(title)s » : %(why)s") % {
                "title": probe.title, "why": _("aucune date trouvée") if start_date is None else _("aucun agenda sur le site")})
            return None
        start = timezone.make_aware(dt.datetime.combine(start_date, dt.time(9, 0)))
        text = normalise_title(f"{item.title} {item.summary}")
        online = any(word in text for word in ("en ligne", "webinaire", "webinar", "visio", "distanciel"))
        page = EvenementPage(title=probe.title[:255], slug=self._slug(agenda, probe.title), chapo=item.summary,
                             start=start, end=start.replace(hour=23, minute=59), all_day=True, online=online,
                             location="" if online else "À préciser", organizer="",
                             registration_url=self._external(item), link_label=(item.cta_label or "En savoir plus")[:80],
                             live=self.publish)
        self._add(agenda, page)
        self.index.remember(page, page.registration_url)
        self.report.created.append(_("événement « %(title)s » le %(date)s%(location)s") % {
            "title": page.title, "date": start_date.strftime("%d/%m/%Y"),
            "location": "" if online else _(" (lieu à préciser)")})
        return page

    def _create_thematique(self, item: ParsedItem):
        from thematiques.models import ThematiqueIndexPage, ThematiquePage

        index = ThematiqueIndexPage.objects.first()
        if index is None:
            self.report.skipped.append(_("thématique « %s » : aucun index des thématiques sur le site") % item.title)
            return None
        page = ThematiquePage(title=item.title[:255], slug=self._slug(index, item.title), chapo=item.summary,
                              live=self.publish)
        self._add(index, page)
        self.index.remember(page)
        self.report.created.append(_("thématique « %s »") % page.title)
        return page

    def _create_concept(self, section: ParsedSection, title: str, link: str):
        from ressources.models import ConceptLien, ConceptPage

        library = self._library(str(ConceptPage._meta.verbose_name))
        body, criteres, criteres_titre = [], [], ""
        headings_seen = 0
        for piece in section.content:
            if piece.kind == "heading":
                headings_seen += 1
                if headings_seen > 1 or not any(i.from_list for i in section.items):
                    criteres_titre = piece.text
                continue
            if piece.list_item and not piece.html.count("<a "):
                criteres.append({"type": "critere", "value": piece.text[:500], "id": str(uuid.uuid4())})
            elif not piece.list_item:
                body.append({"type": "paragraph", "value": f"<p>{piece.html}</p>", "id": str(uuid.uuid4())})
        page = ConceptPage(title=title[:255], slug=self._slug(library, title), live=self.publish,
                           chapo=section.content[0].text if section.content else "",
                           criteres_titre=criteres_titre[:500], publication_date=self.edition_date,
                           external_url=link if link and not self.index.is_site_url(link) else "")
        page.body = stream_value(ConceptPage, "body", body)
        page.criteres = stream_value(ConceptPage, "criteres", criteres)
        for item in section.items:
            if item.from_list and _valid_url(item.link, MAX_LINK_LENGTH):
                source = item.summary.strip().strip("()").strip()
                page.liens.add(ConceptLien(title=item.title[:255], url=item.link, source=source[:255]))
        self._add(library, page)
        self.index.remember(page, page.external_url)
        self.report.created.append(_("concept du mois « %(title)s » (%(n)s lien(s), %(c)s critère(s))")
                                   % {"title": page.title, "n": page.liens.count(), "c": len(criteres)})
        return page


SECTION_MAPPERS: tuple[SectionMapper, ...] = (
    SectionMapper("edito", lambda key, s: "edito" in key, EditionImporter._section_edito),
    SectionMapper("thematique_du_mois", lambda key, s: "thematique du mois" in key,
                  EditionImporter._section_thematique_du_mois),
    SectionMapper("tribune", lambda key, s: "tribune" in key, EditionImporter._section_tribune),
    SectionMapper("vote", lambda key, s: "vote" in key, EditionImporter._section_vote),
    SectionMapper("concept", lambda key, s: "concept" in key, EditionImporter._section_concept),
    SectionMapper("agenda", lambda key, s: "agenda" in key or "evenements a venir" in key,
                  EditionImporter._section_agenda),
    SectionMapper("partager_evenements", lambda key, s: "partager" in key and "evenement" in key,
                  EditionImporter._section_partager_evenements),
    SectionMapper("actualites", lambda key, s: "actualit" in key or "ecosysteme" in key or "nouvelles" in key,
                  EditionImporter._section_actualites),
    SectionMapper("aller_plus_loin", lambda key, s: "aller plus loin" in key, EditionImporter._section_aller_plus_loin),
    SectionMapper("projets", lambda key, s: bool(s.items), EditionImporter._section_projets),
    SectionMapper("texte", lambda key, s: True, EditionImporter._section_texte),  # every other section: its text
)
MAPPERS_BY_KIND = {mapper.kind: mapper for mapper in SECTION_MAPPERS}
