"""The sections of an edition, in the seed's order, each optional and reorderable: the schema only.

Block classes, field names and the StreamField definition are what the migrations and the archive importer
rely on. What a section shows is built elsewhere: ``newsletter.assembly`` turns each block's value into a
presentation value (``newsletter.presentation``), rendered by one web and one MJML partial per section kind.
"""
from __future__ import annotations

import contextvars
import copy

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .dates import MONTHS, _format_day, format_date  # noqa: F401 - re-exported (compose, older imports)

EDITO_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


# The specific pages of the edition being built, loaded at once by ``BuildContext.prefetch``.
_PAGE_CACHE: contextvars.ContextVar = contextvars.ContextVar("newsletter_page_cache", default=None)


class EditionPageChooserBlock(blocks.PageChooserBlock):
    """A page chooser that, while an edition is built, takes its pages from the edition's bulk load
    instead of one query per list of pages."""

    def bulk_to_python(self, values):
        cache = _PAGE_CACHE.get()
        if cache is None:
            return self._pages_with_their_parents(values)
        missing = [v for v in values if v is not None and v not in cache]
        fetched = dict(zip(missing, super().bulk_to_python(missing), strict=False)) if missing else {}
        return [None if v is None else (cache.get(v) or fetched.get(v)) for v in values]

    @staticmethod
    def _pages_with_their_parents(values):
        """The pages (specific) and their parents in three queries, whatever their number.

        The edit view's chooser widget reads each page's ``specific`` and ``get_parent()``: one query
        each per item, 237 queries and 1.3 s for a 100-item edition. treebeard's ``get_parent`` keeps its
        answer in ``_cached_parent_obj``; filling it here is the one private attribute the newsletter
        writes (docs/decisions.md: 237 → 39 queries, 1,290 → 494 ms median).
        """
        from wagtail.models import Page

        ids = [v for v in values if v is not None]
        pages = Page.objects.filter(pk__in=ids).specific().in_bulk() if ids else {}
        parent_paths = {page.path[:-Page.steplen] for page in pages.values() if page.depth > 1}
        parents = {p.path: p for p in Page.objects.filter(path__in=parent_paths)} if parent_paths else {}
        for page in pages.values():
            if page.path[:-Page.steplen] in parents:
                page._cached_parent_obj = parents[page.path[:-Page.steplen]]
        result, seen = [], set()
        for value in values:
            page = pages.get(value)
            if page is not None and value in seen:  # as Wagtail's: a page chosen twice, two instances
                page = copy.copy(page)
            result.append(page)
            seen.add(value)
        return result


# --- items -------------------------------------------------------------------------------------------


class ItemBlock(blocks.StructBlock):
    """A page of the site, with optional overrides for the email (the page itself is left untouched)."""

    page = EditionPageChooserBlock(label=_("Page"))
    title = blocks.CharBlock(label=_("Titre (remplace celui de la page)"), required=False, max_length=500)
    text = blocks.TextBlock(label=_("Texte (remplace le chapô)"), required=False)
    cta_label = blocks.CharBlock(label=_("Libellé du bouton (remplace celui de la page)"), required=False,
                                 max_length=120)

    class Meta:
        icon = "doc-full"
        label = _("Élément")
        form_classname = "struct-block newsletter-item"


class RessourceItemBlock(ItemBlock):
    page = EditionPageChooserBlock(label=_("Ressource"), page_type=[
        "ressources.ProjetPage", "ressources.ArticlePage", "ressources.TribunePage",
        "ressources.ConceptPage", "ressources.ActualitePage"])

    class Meta:
        label = _("Ressource")


class TribuneItemBlock(ItemBlock):
    page = EditionPageChooserBlock(label=_("Tribune"), page_type="ressources.TribunePage")

    class Meta:
        label = _("Tribune")


class EvenementItemBlock(ItemBlock):
    page = EditionPageChooserBlock(label=_("Événement"), page_type="ressources.EvenementPage")

    class Meta:
        label = _("Événement")


CARD_STYLES = [
    ("full", _("Complète : image en pleine largeur, texte et bouton")),
    ("compact", _("Compacte : vignette à côté du texte (empilée sur téléphone) et lien")),
]


def card_style_block(default: str) -> blocks.ChoiceBlock:
    """How the email shows a section's cards; stored values without it take the section's default."""
    return blocks.ChoiceBlock(choices=CARD_STYLES, default=default, label=_("Présentation des éléments dans le courriel"))


# --- sections ----------------------------------------------------------------------------------------


class SectionBlock(blocks.StructBlock):
    """Base of every section: a title the editor may change.

    ``kind`` names the section's presentation value and partials; ``email_images``: whether the e-mail shows
    its cards' pictures (where the seed does, which keeps the message light).
    """

    kind = "section"
    email_images = False


class EditoBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="Édito", max_length=255)
    body = blocks.RichTextBlock(label=_("Texte"), features=EDITO_FEATURES)
    signature = blocks.TextBlock(label=_("Signature"), required=False,
                                 default="Prenez soin de vous !\nL'équipe de Territoires en Commun")
    kind = "edito"

    class Meta:
        icon = "edit"
        label = _("Édito")
        description = _("Le mot de l'équipe, signé.")


class TexteBlock(SectionBlock):
    """A titled section of rich text (an archived edition's text sections: links, lists, emphasis kept)."""

    title = blocks.CharBlock(label=_("Titre"), max_length=255)
    body = blocks.RichTextBlock(label=_("Texte"), features=EDITO_FEATURES)
    kind = "texte"

    class Meta:
        icon = "doc-full"
        label = _("Texte")
        description = _("Un titre et du texte mis en forme (liens, listes, gras, italique).")


class ThematiqueDuMoisBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="Thématique du mois", max_length=255)
    thematique = EditionPageChooserBlock(label=_("Thématique"), page_type="thematiques.ThematiquePage")
    intro = blocks.TextBlock(label=_("Introduction (remplace le chapô de la thématique)"), required=False)
    discover_label = blocks.CharBlock(label=_("Libellé du bouton de la thématique"), default="Découvrez la thématique",
                                      max_length=120)
    contact_text = blocks.TextBlock(label=_("Texte de l'appel à contact (remplace celui de la thématique)"),
                                    required=False)
    contact_label = blocks.CharBlock(label=_("Libellé du bouton de contact"), default="Contactez l'ANCT", max_length=120)
    contact_url = blocks.URLBlock(label=_("Adresse du bouton de contact"), required=False,
                                  help_text=_("Vide : un courriel à l'adresse de contact des réglages du site."))
    kind = "thematique_du_mois"
    email_images = True

    class Meta:
        icon = "tag"
        label = _("Thématique du mois")
        description = _("La thématique mise en avant, avec ses deux boutons.")


class TribuneSectionBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="En introduction... Tribune", max_length=255)
    item = TribuneItemBlock(label=_("Tribune"))
    kind = "tribune"

    class Meta:
        icon = "openquote"
        label = _("Tribune")
        description = _("Une tribune signée pour entrer dans la thématique.")


class CardListSectionBlock(SectionBlock):
    """A titled list of pages rendered as cards (projets, pour aller plus loin, actualités)."""


class ProjetsSectionBlock(CardListSectionBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=255,
                             default="Projets démocratiques et expériences territoriales pour vous inspirer")
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    items = blocks.ListBlock(RessourceItemBlock(), label=_("Projets et expériences"), collapsed=True)
    card_style = card_style_block("compact")
    kind = "projets"
    email_images = True

    class Meta:
        icon = "list-ol"
        label = _("Projets et expériences pour vous inspirer")
        description = _("Une liste ordonnée de ressources.")


class AllerPlusLoinBlock(CardListSectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="Pour aller plus loin", max_length=255)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    items = blocks.ListBlock(RessourceItemBlock(), label=_("Ressources"), collapsed=True)
    card_style = card_style_block("full")
    kind = "aller_plus_loin"

    class Meta:
        icon = "link"
        label = _("Pour aller plus loin")
        description = _("Un ou plusieurs articles pour approfondir.")


class ActualitesBlock(CardListSectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="Actualités de l'écosystème de Territoires en Commun",
                             max_length=255)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    items = blocks.ListBlock(ItemBlock(), label=_("Actualités"), collapsed=True)
    card_style = card_style_block("compact")
    kind = "actualites"
    email_images = True

    class Meta:
        icon = "doc-full-inverse"
        label = _("Actualités de l'écosystème")
        description = _("Des nouvelles des projets partagés et de l'écosystème (toute page du site).")


class VoteRowBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Thématique"), max_length=255)
    count = blocks.IntegerBlock(label=_("Nombre de votes"), min_value=0)

    class Meta:
        icon = "list-ul"
        label = _("Option")


def vote_campaign_choices():
    """Campaigns of the theme vote (thematiques.vote.models), most recent first, for the vote section."""
    from thematiques.vote.models import Campaign

    try:
        return [(str(c.pk), f"{c.title} ({c.get_status_display()})") for c in Campaign.objects.all()[:50]]
    except Exception:  # noqa: BLE001 - no table yet (migrations running): no choice
        return []


class VoteSectionBlock(SectionBlock):
    """The theme vote: each option with its count and a call to vote.

    Filled by hand until a vote campaign is chosen: with a campaign, the rows are its live results
    (``Campaign.results()``, most voted first, hand-entered counts included), and an export freezes
    them (``NewsletterExport.vote_counts``) as subscribers received them.
    """

    title = blocks.CharBlock(label=_("Titre"), default="Votez pour une thématique !", max_length=255)
    question = blocks.CharBlock(label=_("Question"), required=False, max_length=255,
                                default="Quelle est la priorité d'action de votre territoire ?")
    campaign = blocks.ChoiceBlock(
        choices=vote_campaign_choices, label=_("Campagne de vote"), required=False,
        help_text=_("Choisie : les résultats en direct de la campagne remplacent les options saisies ci-dessous."),
    )
    rows = blocks.ListBlock(VoteRowBlock(), label=_("Options et nombre de votes"), required=False)
    subtitle = blocks.CharBlock(label=_("Sous-titre"), required=False, max_length=255,
                                default="Votez pour les thématiques des projets partagés proposés par l'ANCT")
    text = blocks.TextBlock(label=_("Texte"), required=False)
    button_label = blocks.CharBlock(label=_("Libellé du bouton"), default="Votez pour une thématique", max_length=120)
    button_page = EditionPageChooserBlock(label=_("Page du vote"), required=False)
    button_url = blocks.URLBlock(label=_("Adresse du vote"), required=False,
                                 help_text=_("Utilisée si aucune page n'est choisie ; vide : la page de vote du site."))
    kind = "vote"

    class Meta:
        icon = "tasks"
        label = _("Vote pour une thématique")
        description = _("Les options du vote, leurs voix et l'appel à voter.")

    def get_rows(self, value) -> list:
        """The vote's rows (kept for older callers; see ``newsletter.assembly.vote_rows``)."""
        from .assembly import vote_rows

        return vote_rows(value)


class ConceptSectionBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="Le concept du mois", max_length=255)
    concept = EditionPageChooserBlock(label=_("Concept"), page_type="ressources.ConceptPage")
    links_title = blocks.CharBlock(label=_("Titre des liens"), default="Pour aller plus loin", max_length=255)
    kind = "concept"

    class Meta:
        icon = "pick"
        label = _("Concept du mois")
        description = _("Le texte du concept, ses lectures complémentaires et ses critères.")


class AgendaBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="À vos agendas !", max_length=255)
    weeks = blocks.IntegerBlock(label=_("Semaines couvertes"), default=6, min_value=1, max_value=26,
                                help_text=_("Sans événement choisi : les événements des semaines suivant la date de "
                                            "l'édition."))
    limit = blocks.IntegerBlock(label=_("Nombre maximum d'événements"), default=8, min_value=1, max_value=50)
    items = blocks.ListBlock(EvenementItemBlock(), label=_("Événements choisis"), required=False, collapsed=True,
                             help_text=_("Laissez vide pour reprendre automatiquement les événements à venir."))
    card_style = card_style_block("compact")
    kind = "agenda"

    class Meta:
        icon = "date"
        label = _("Agenda")
        description = _("Les événements à venir, choisis ou repris automatiquement.")


class PartagerEvenementsBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=255,
                             default="Je suis une collectivité et je souhaite partager mes événements")
    text = blocks.TextBlock(label=_("Texte"), default="Envoyez vos actualités à Territoires en Commun à cette adresse :")
    kind = "partager_evenements"

    class Meta:
        icon = "mail"
        label = _("Partager mes événements")
        description = _("L'appel aux collectivités, avec l'adresse de l'équipe éditoriale des réglages du site.")


class SectionsBlock(blocks.StreamBlock):
    edito = EditoBlock()
    thematique_du_mois = ThematiqueDuMoisBlock()
    tribune = TribuneSectionBlock()
    projets = ProjetsSectionBlock()
    aller_plus_loin = AllerPlusLoinBlock()
    vote = VoteSectionBlock()
    concept = ConceptSectionBlock()
    actualites = ActualitesBlock()
    agenda = AgendaBlock()
    partager_evenements = PartagerEvenementsBlock()
    texte = TexteBlock()

    class Meta:
        label = _("Sections")
        block_counts = {"edito": {"max_num": 1}, "thematique_du_mois": {"max_num": 1}, "vote": {"max_num": 1},
                        "partager_evenements": {"max_num": 1}}
