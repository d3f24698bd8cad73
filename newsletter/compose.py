"""« Nouvelle édition » : a draft edition pre-filled from the site, that editors then adjust."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.text import slugify

from .blocks import MONTHS


def _item(page):
    return {"page": page, "title": "", "text": "", "cta_label": ""}


def _current_vote():
    """(campaign, vote page) of the theme vote: the open campaign, else the last closed one."""
    from thematiques.vote.models import Campaign, VotePage

    return Campaign.current(), VotePage.objects.live().first()


def prefilled_sections(index, today=None):
    """The sections of a new edition: thématique du mois, resources since the previous edition,
    upcoming events (automatic agenda), the vote, the latest concept and tribune."""
    from ressources.models import ActualitePage, ArticlePage, ConceptPage, ProjetPage, TribunePage
    from thematiques.models import ThematiquePage

    from .models import NewsletterPage

    today = today or timezone.localdate()
    previous = NewsletterPage.objects.child_of(index).order_by("-date", "-pk").first()
    since = previous.date if previous else today - dt.timedelta(days=31)

    def published_since(model):
        return list(model.objects.live().public().filter(date_publication__gt=since)
                    .order_by("-date_publication", "-pk"))

    sections = [("edito", {"title": "Edito", "body": "", "signature":
                           "Prenez soin de vous !\nL'équipe de Territoires en Commun"})]
    thematique = (ThematiquePage.objects.live().public().filter(is_thematique_du_mois=True)
                  .order_by("-last_published_at").first())
    if thematique:
        sections.append(("thematique_du_mois", {"title": "Thématique du mois", "thematique": thematique}))
    tribune = TribunePage.objects.live().public().order_by("-date_publication", "-pk").first()
    if tribune:
        sections.append(("tribune", {"title": "En introduction... Tribune", "item": _item(tribune)}))
    projets = published_since(ProjetPage)
    if projets:
        sections.append(("projets", {"items": [_item(p) for p in projets]}))
    articles = published_since(ArticlePage)
    if articles:
        sections.append(("aller_plus_loin", {"items": [_item(p) for p in articles]}))
    campaign, vote_page = _current_vote()
    if campaign or vote_page:  # the campaign's live results; an export freezes them
        sections.append(("vote", {"campaign": str(campaign.pk) if campaign else "", "rows": [],
                                  "button_page": vote_page}))
    concept = ConceptPage.objects.live().public().order_by("-date_publication", "-pk").first()
    if concept:
        sections.append(("concept", {"concept": concept}))
    actualites = published_since(ActualitePage)
    if actualites:
        sections.append(("actualites", {"items": [_item(p) for p in actualites]}))
    sections.append(("agenda", {"items": []}))  # automatic: the events of the weeks after the edition's date
    sections.append(("partager_evenements", {}))
    return sections


def create_prefilled_edition(index, user=None, today=None):
    """A new draft edition under the archive, numbered after the previous one, pre-filled from the site."""
    from .models import NewsletterPage

    today = today or timezone.localdate()
    previous = NewsletterPage.objects.child_of(index).order_by("-date", "-pk").first()
    month = f"{MONTHS[today.month - 1]} {today.year}"
    base_slug = slugify(month)
    slug, n = base_slug, 2
    while NewsletterPage.objects.child_of(index).filter(slug=slug).exists():
        slug, n = f"{base_slug}-{n}", n + 1
    edition = NewsletterPage(
        title=f"Territoires en Commun — {month}", slug=slug, date=today, live=False, owner=user,
        number=(previous.number + 1) if previous and previous.number else None,
        subject=f"Territoires en Commun — {month}",
    )
    sections_block = NewsletterPage._meta.get_field("sections").stream_block
    edition.sections = [
        (name, sections_block.child_blocks[name].normalize({**_defaults(sections_block.child_blocks[name]), **value}))
        for name, value in prefilled_sections(index, today)
    ]
    index.add_child(instance=edition)
    edition.save_revision(user=user)
    return edition


def _defaults(struct_block) -> dict:
    return {name: block.get_default() for name, block in struct_block.child_blocks.items()}
