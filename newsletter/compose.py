"""« Nouvelle édition » : a draft edition pre-filled from the site, that editors then adjust.

``plan_edition`` says what the draft will hold and where each part comes from (the confirmation page
shows it, the edit view repeats it in a message); ``create_prefilled_edition`` creates the draft.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import Truncator, slugify

from cms.typography import date_fr, month_year, plural_fr, quote_fr

SIGNATURE = "Prenez soin de vous !\nL'équipe de Territoires en Commun"
PREHEADER_MAX = 130


def _item(page):
    return {"page": page, "title": "", "text": "", "cta_label": ""}


def open_campaign():
    """The campaign open now, or None: a closed campaign is never pre-selected."""
    from thematiques.vote.models import Campaign

    now = timezone.now()
    return (Campaign.objects.filter(status=Campaign.Status.OUVERT, opens_at__lte=now, closes_at__gt=now)
            .order_by("closes_at").first())


@dataclass
class EditionPlan:
    """What « Nouvelle édition » pre-fills, and from where (``summary``: one French line per part)."""

    today: dt.date
    previous: object = None
    since: dt.date | None = None
    thematique: object = None
    subject: str = ""
    preheader: str = ""
    chapo: str = ""
    sections: list = field(default_factory=list)
    summary: list = field(default_factory=list)


def _section_page(previous, kind, key):
    """The page the previous edition's first ``kind`` section refers to (``key`` of its value), or None."""
    if previous is None:
        return None
    draft = previous.get_latest_revision_as_object() if previous.latest_revision_id else previous
    for block in draft.sections:
        if block.block_type == kind:
            value = block.value.get(key)
            if isinstance(value, dict):  # an item
                value = value.get("page")
            return getattr(value, "specific", value)
    return None


def plan_edition(index, today=None) -> EditionPlan:
    """The sections of a new edition: thématique du mois, resources since the previous edition,
    upcoming events (automatic agenda), the open vote, the latest concept and tribune; with the
    suggested subject, preheader and chapô, and the summary of where each came from."""
    from ressources.models import ActualitePage, ArticlePage, ConceptPage, ProjetPage, TribunePage
    from thematiques.models import ThematiquePage
    from thematiques.vote.models import VotePage

    from .models import NewsletterPage

    today = today or timezone.localdate()
    previous = NewsletterPage.objects.child_of(index).order_by("-date", "-pk").first()
    since = previous.date if previous else today - dt.timedelta(days=31)
    plan = EditionPlan(today=today, previous=previous, since=since)
    summary = plan.summary
    since_text = date_fr(since, year=since.year != today.year)

    def published_since(model):
        return list(model.objects.live().public().filter(publication_date__gt=since)
                    .order_by("-publication_date", "-pk"))

    sections = [("edito", {"title": "Édito", "body": "", "signature": SIGNATURE})]
    thematique = (ThematiquePage.objects.live().public().filter(is_thematique_du_mois=True)
                  .order_by("-last_published_at").first())
    if thematique:
        summary.append(f"Thématique du mois : {quote_fr(thematique.title)} (la thématique marquée « du mois » sur le site).")
    else:
        thematique = _section_page(previous, "thematique_du_mois", "thematique")
        if thematique is not None and thematique.live:
            summary.append(f"Thématique {quote_fr(thematique.title)} reprise de l'édition précédente "
                           "(aucune thématique n'est marquée « du mois » sur le site).")
        else:
            thematique = None
            summary.append("Pas de thématique du mois : aucune n'est marquée « du mois » sur le site.")
    if thematique:
        plan.thematique = thematique
        sections.append(("thematique_du_mois", {"title": "Thématique du mois", "thematique": thematique}))

    def latest(model, kind, key, label, feminine):
        page = model.objects.live().public().order_by("-publication_date", "-pk").first()
        if page is None:
            return None
        word = "dernière" if feminine else "dernier"
        if _section_page(previous, kind, key) == page:
            summary.append(f"{label} {quote_fr(page.title)} reprise de l'édition précédente "
                           f"(aucun{'e' if feminine else ''} {label.lower()} publié{'e' if feminine else ''} depuis) : "
                           "remplacez-la ou retirez la section.")
        else:
            summary.append(f"{label} : {quote_fr(page.title)}, {word} publié{'e' if feminine else ''} sur le site.")
        return page

    tribune = latest(TribunePage, "tribune", "item", "Tribune", True)
    if tribune:
        sections.append(("tribune", {"title": "En introduction… Tribune", "item": _item(tribune)}))
    projets = published_since(ProjetPage)
    if projets:
        sections.append(("projets", {"items": [_item(p) for p in projets]}))
    articles = published_since(ArticlePage)
    if articles:
        sections.append(("aller_plus_loin", {"items": [_item(p) for p in articles]}))
    campaign = open_campaign()
    if campaign:  # the campaign's live results; an export freezes them
        sections.append(("vote", {"campaign": str(campaign.pk), "rows": [],
                                  "button_page": VotePage.objects.live().first()}))
        summary.append(f"Vote : la campagne ouverte {quote_fr(campaign.title)}.")
    else:
        summary.append("Pas de section vote : aucune campagne n'est ouverte.")
    concept = latest(ConceptPage, "concept", "concept", "Concept", False)
    if concept:
        sections.append(("concept", {"concept": concept}))
    actualites = published_since(ActualitePage)
    if actualites:
        sections.append(("actualites", {"items": [_item(p) for p in actualites]}))
    count = len(projets) + len(articles) + len(actualites)
    summary.insert(0, plural_fr(count, "ressource publiée", "ressources publiées",
                                zero="Aucune ressource publiée") + f" depuis le {since_text}"
                   + (f" (date de l'édition précédente, {quote_fr(previous.title)})." if previous else "."))
    sections.append(("agenda", {"title": "À vos agendas !", "items": []}))  # automatic: the weeks after the date
    sections.append(("partager_evenements", {}))
    summary.append("Agenda : les événements des semaines qui suivent la date de l'édition, mis à jour automatiquement.")
    plan.sections = sections

    month = month_year(today)
    if thematique:
        plan.subject = f"{thematique.title} — Territoires en Commun, {month}"
        chapo = (getattr(thematique, "chapo", "") or "").strip()
        plan.preheader = Truncator(chapo).chars(PREHEADER_MAX) if chapo else (
            f"La thématique du mois, {thematique.title}, et les nouvelles ressources de Territoires en Commun.")
    else:
        plan.subject = f"Territoires en Commun — {month}"
        plan.preheader = "Les nouvelles ressources, l'agenda et les projets de Territoires en Commun."
    parts = [f"la thématique du mois, {thematique.title}"] if thematique else []
    if count:
        parts.append(plural_fr(count, "nouvelle ressource", "nouvelles ressources"))
    parts.append("les événements à venir")
    plan.chapo = "Au sommaire de ce mois : " + ", ".join(parts[:-1]) + (" et " if len(parts) > 1 else "") + parts[-1] + "."
    if thematique:
        summary.append("Objet et texte d'aperçu suggérés d'après la thématique du mois ; chapô rédigé d'après le sommaire.")
    return plan


def prefilled_sections(index, today=None):
    """The (block name, value) sections of a new edition (see plan_edition)."""
    return plan_edition(index, today).sections


def create_prefilled_edition(index, user=None, today=None, subject=None, preheader=None, plan=None):
    """A new draft edition under the archive, numbered after the previous one, pre-filled from the site.

    ``subject`` and ``preheader``: the editor's choice on the confirmation page (else the suggestions).
    The plan is kept on the edition as ``prefill_plan`` (its summary is shown to the editor)."""
    from .models import NewsletterPage

    plan = plan or plan_edition(index, today)
    today = plan.today
    previous = plan.previous
    month = month_year(today)
    base_slug = slugify(month)
    slug, n = base_slug, 2
    while NewsletterPage.objects.child_of(index).filter(slug=slug).exists():
        slug, n = f"{base_slug}-{n}", n + 1
    edition = NewsletterPage(
        title=f"Territoires en Commun — {month}", slug=slug, date=today, live=False, owner=user,
        number=(previous.number + 1) if previous and previous.number else None,
        subject=(subject or "").strip() or plan.subject, preheader=(preheader or "").strip() or plan.preheader,
        chapo=plan.chapo,
    )
    sections_block = NewsletterPage._meta.get_field("sections").stream_block
    edition.sections = [
        (name, sections_block.child_blocks[name].normalize({**_defaults(sections_block.child_blocks[name]), **value}))
        for name, value in plan.sections
    ]
    index.add_child(instance=edition)
    edition.save_revision(user=user)
    edition.prefill_plan = plan
    return edition


def _defaults(struct_block) -> dict:
    return {name: block.get_default() for name, block in struct_block.child_blocks.items()}
