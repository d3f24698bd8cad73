"""The assembly service: an edition's section blocks → presentation values (``newsletter.presentation``).

One builder per section kind; every query of an edition's assembly is here: the specific pages of the
whole edition at once (one query per content type, their card pictures joined), the automatic agenda,
the vote campaign's results, the concept's further reading. The blocks (``newsletter.blocks``) are the
schema only; the web and e-mail partials render what this module returns.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.utils import timezone

from cms.cards import Card

from . import presentation as p
from .blocks import _PAGE_CACHE
from .dates import _format_day


class BuildContext:
    """What a section needs to build itself: the edition, the site settings, the request, the pages."""

    def __init__(self, edition, request=None):
        from cms.models import SiteSettings

        self.edition = edition
        self.request = request
        self.site_settings = SiteSettings.load(request_or_site=request)
        self._specific = {}

    def prefetch(self, page_ids):
        """Load the specific pages of the whole edition at once (one query per content type)."""
        from django.core.exceptions import FieldError
        from wagtail.models import Page

        missing = [pk for pk in page_ids if pk not in self._specific]
        if missing:
            pages = Page.objects.filter(pk__in=missing).specific()
            try:
                found = list(pages.select_related("listing_image", for_specific_subqueries=True))
            except FieldError:  # a page type without card image
                found = list(pages)
            for page in found:
                self._specific[page.pk] = page

    def specific(self, page):
        if page is None:
            return None
        if page.pk not in self._specific:
            self._specific[page.pk] = page.specific
        return self._specific[page.pk]

    def card(self, page, **overrides) -> Card | None:
        if page is None:
            return None
        specific = self.specific(page)
        if not hasattr(specific, "get_card"):
            return None
        return specific.get_card(self.request).override(**overrides)

    def item_card(self, item) -> Card | None:
        """The card of an item block's value (a page with the edition's overrides)."""
        return self.card(item.get("page"), title=item.get("title"), summary=item.get("text"),
                         cta_label=item.get("cta_label"))


def _page_ids(items) -> list:
    return [item["page"].pk for item in items if item.get("page") is not None]


def _card_style(block, value) -> str:
    return value.get("card_style") or block.child_blocks["card_style"].get_default()


# --- one builder per section kind ------------------------------------------------------------------------


def build_edito(block, value, ctx, block_id):
    return p.EditoSection(title=value["title"], block_id=block_id, body=value.get("body"),
                          signature=value.get("signature") or "")


def build_texte(block, value, ctx, block_id):
    return p.TexteSection(title=value["title"], block_id=block_id, body=value.get("body"))


def build_thematique_du_mois(block, value, ctx, block_id):
    page = value.get("thematique")
    card = ctx.card(page, summary=value.get("intro"), cta_label=value.get("discover_label"))
    specific = ctx.specific(page)
    contact = value.get("contact_text") or (
        " ".join(filter(None, [getattr(specific, "contact_title", ""), getattr(specific, "contact_text", "")])))
    url = value.get("contact_url") or f"mailto:{ctx.site_settings.contact_email}"
    label = value.get("contact_label") or getattr(specific, "contact_label", "") or "Contactez l'ANCT"
    return p.ThematiqueDuMoisSection(title=value["title"], block_id=block_id, cards=[card] if card else [],
                                     page_ids=[page.pk] if page else [], contact_text=contact,
                                     buttons=[(label, url)])


def build_tribune(block, value, ctx, block_id):
    card = ctx.item_card(value["item"])
    return p.TribuneSection(title=value["title"], block_id=block_id, cards=[card] if card else [],
                            page_ids=_page_ids([value["item"]]))


CARD_LISTS = {"projets": p.ProjetsSection, "aller_plus_loin": p.AllerPlusLoinSection,
              "actualites": p.ActualitesSection}


def build_card_list(block, value, ctx, block_id, kind):
    items = value.get("items") or []
    cards = [c for c in (ctx.item_card(item) for item in items) if c]
    return CARD_LISTS[kind](title=value["title"], block_id=block_id, intro=value.get("intro") or "", cards=cards,
                            page_ids=_page_ids(items), card_style=_card_style(block, value))


def automatic_events(value, edition) -> list:
    """The agenda without chosen events: the events of the weeks after the edition's date."""
    from ressources.models import EvenementPage

    start_date = edition.date or timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(start_date, dt.time.min))
    end = start + dt.timedelta(weeks=value.get("weeks") or 6)
    return list(EvenementPage.objects.live().public().filter(start__gte=start, start__lt=end)
                .select_related("listing_image").order_by("start")[: value.get("limit") or 8])


def build_agenda(block, value, ctx, block_id):
    items = [item for item in value.get("items") or [] if item.get("page") is not None]
    if items:
        pairs = [(item.get("page"), ctx.item_card(item)) for item in items]
    else:
        pairs = [(event, event.get_card(ctx.request)) for event in automatic_events(value, ctx.edition)]
    cards = []
    for page, card in pairs:
        if card is None:
            continue
        start = getattr(ctx.specific(page), "start", None)
        if start:
            card = replace(card, meta={**card.meta, "date_prefix": _format_day(timezone.localtime(start))})
        cards.append(card)
    return p.AgendaSection(title=value["title"], block_id=block_id, cards=cards,
                           page_ids=[c.page_id for c in cards if c.page_id], card_style=_card_style(block, value))


def vote_rows(value) -> list:
    """The vote's rows: the chosen campaign's live results (most voted first), else the hand-entered ones."""
    pk = value.get("campaign")
    if pk:
        from thematiques.vote.models import Campaign

        campaign = Campaign.objects.filter(pk=pk).first()
        if campaign is not None:
            return campaign.results()
    return [(row["label"], row["count"]) for row in value.get("rows") or []]


def site_vote_page():
    """The site's vote page (from the vote app), used when the editor chose no target."""
    from wagtail.models import Page

    return Page.objects.live().public().filter(content_type__model="votepage").first()


def vote_button_url(value, request=None) -> str:
    page = value.get("button_page")
    if page is None and not value.get("button_url"):
        page = site_vote_page()
    if page is not None:
        return page.get_full_url(request) or page.url
    return value.get("button_url") or ""


def build_vote(block, value, ctx, block_id):
    url = vote_button_url(value, ctx.request)
    return p.VoteSection(title=value["title"], block_id=block_id, question=value.get("question") or "",
                         rows=vote_rows(value), subtitle=value.get("subtitle") or "", text=value.get("text") or "",
                         buttons=[(value["button_label"], url)] if url else [],
                         page_ids=[value["button_page"].pk] if value.get("button_page") else [])


def build_concept(block, value, ctx, block_id):
    page = value.get("concept")
    if page is None:
        return p.ConceptSection(title=value["title"], block_id=block_id)
    concept = ctx.specific(page)
    card = ctx.card(concept)
    body = concept.body if len(concept.body) else None
    return p.ConceptSection(
        title=f"{value['title']} : {concept.title}", block_id=block_id, page_ids=[page.pk], body=body,
        intro=card.summary if (body is None and card and card.summary) else "",
        links_title=value.get("links_title") or "",
        links=[(lien.title, lien.url, lien.source) for lien in concept.liens.all()],
        list_title=concept.criteres_titre, list_items=[str(c.value) for c in concept.criteres],
        buttons=[(card.cta_label, card.url)] if card else [])


def build_partager_evenements(block, value, ctx, block_id):
    return p.PartagerEvenementsSection(title=value["title"], block_id=block_id, text=value.get("text") or "",
                                       email=ctx.site_settings.editorial_email)


BUILDERS = {
    "edito": build_edito,
    "texte": build_texte,
    "thematique_du_mois": build_thematique_du_mois,
    "tribune": build_tribune,
    "projets": lambda *a: build_card_list(*a, kind="projets"),
    "aller_plus_loin": lambda *a: build_card_list(*a, kind="aller_plus_loin"),
    "actualites": lambda *a: build_card_list(*a, kind="actualites"),
    "agenda": build_agenda,
    "vote": build_vote,
    "concept": build_concept,
    "partager_evenements": build_partager_evenements,
}


def build_sections(edition, request=None) -> list:
    """The presentation values of an edition's sections, in order, from one bulk load of its pages."""
    from .checks import _referenced_page_ids

    ctx = BuildContext(edition, request)
    ctx.prefetch(_referenced_page_ids(list(edition.sections.raw_data)))
    token = _PAGE_CACHE.set(ctx._specific)  # the choosers take their pages from the bulk load
    try:
        sections = []
        for child in edition.sections:
            section = BUILDERS[child.block_type](child.block, child.value, ctx, child.id or "")
            section.show_images = child.block.email_images
            sections.append(section)
    finally:
        _PAGE_CACHE.reset(token)
    return sections


def vote_counts(edition) -> list:
    """The vote rows of the edition as they are now: [{"title", "rows": [{"label", "count"}]}] per vote section."""
    return [{"title": child.value["title"], "rows": [{"label": label, "count": count}
                                                    for label, count in vote_rows(child.value)]}
            for child in edition.sections if child.block_type == "vote"]
