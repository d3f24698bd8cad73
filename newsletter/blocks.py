"""The sections of an edition, in the seed's order, each optional and reorderable.

Every section block turns its value into a ``SectionView`` (``build``): a title, some text, the
Cards of the pages it references (with the edition's overrides) and a few section-specific
extras. The web template and the MJML template both render ``SectionView``s, so a section is
written once and an item is always rendered through the Card of its page.
"""
from __future__ import annotations

import contextvars
import datetime as dt
from dataclasses import dataclass, field, replace

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.rich_text import expand_db_html

from cms.cards import Card

from .dates import MONTHS, _format_day, format_date  # noqa: F401 - re-exported (compose, older imports)

EDITO_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


@dataclass
class SectionView:
    """What the web and email templates render for one section."""

    kind: str
    title: str
    block_id: str = ""
    intro: str = ""  # plain text
    body_html: str = ""  # trusted HTML (rich text expanded by Wagtail)
    signature: str = ""
    cards: list = field(default_factory=list)  # [Card]
    buttons: list = field(default_factory=list)  # [(label, url)]
    secondary_title: str = ""
    secondary_text: str = ""
    rows: list = field(default_factory=list)  # vote rows [(label, count)]
    links: list = field(default_factory=list)  # further reading [(title, url, source)]
    list_title: str = ""
    list_items: list = field(default_factory=list)  # [str]
    email: str = ""
    show_images: bool = False  # the email shows card images only where the seed does (keeps it light)
    card_style: str = "full"  # how the email shows the cards: "full" (picture, text, button) or "compact"
    page_ids: list = field(default_factory=list)  # ids of referenced pages (for the checks)

    @property
    def is_empty(self) -> bool:
        return not (self.body_html or self.cards or self.rows or self.links or self.list_items or self.email
                    or self.intro or self.secondary_text)


class BuildContext:
    """What a section needs to build itself: the edition, the site settings, the request."""

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
        card = specific.get_card(self.request)
        return card.override(**overrides)


# The specific pages of the edition being built, loaded at once by ``BuildContext.prefetch``.
_PAGE_CACHE: contextvars.ContextVar = contextvars.ContextVar("newsletter_page_cache", default=None)


class EditionPageChooserBlock(blocks.PageChooserBlock):
    """A page chooser that, while an edition is built, takes its pages from the edition's bulk load
    instead of one query per list of pages."""

    def bulk_to_python(self, values):
        cache = _PAGE_CACHE.get()
        if cache is None:
            return super().bulk_to_python(values)
        missing = [v for v in values if v is not None and v not in cache]
        fetched = dict(zip(missing, super().bulk_to_python(missing), strict=False)) if missing else {}
        return [None if v is None else (cache.get(v) or fetched.get(v)) for v in values]


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

    def card(self, value, ctx: BuildContext) -> Card | None:
        return ctx.card(value.get("page"), title=value.get("title"), summary=value.get("text"),
                        cta_label=value.get("cta_label"))


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


def _page_ids(items) -> list:
    return [item["page"].pk for item in items if item.get("page") is not None]


# --- sections ----------------------------------------------------------------------------------------


class SectionBlock(blocks.StructBlock):
    """Base of every section: a title the editor may change."""

    kind = "section"
    email_images = False

    def build(self, value, ctx: BuildContext, block_id: str = "") -> SectionView:
        raise NotImplementedError  # every concrete section defines it

    def referenced_page_ids(self, value) -> list:
        return []


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

    def build(self, value, ctx, block_id=""):
        return SectionView(kind=self.kind, block_id=block_id, title=value["title"],
                           body_html=expand_db_html(value["body"].source) if value.get("body") else "",
                           signature=value.get("signature") or "")


class TexteBlock(SectionBlock):
    """A titled section of rich text (an archived edition's text sections: links, lists, emphasis kept)."""

    title = blocks.CharBlock(label=_("Titre"), max_length=255)
    body = blocks.RichTextBlock(label=_("Texte"), features=EDITO_FEATURES)
    kind = "texte"

    class Meta:
        icon = "doc-full"
        label = _("Texte")
        description = _("Un titre et du texte mis en forme (liens, listes, gras, italique).")

    def build(self, value, ctx, block_id=""):
        return SectionView(kind=self.kind, block_id=block_id, title=value["title"],
                           body_html=expand_db_html(value["body"].source) if value.get("body") else "")


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

    def build(self, value, ctx, block_id=""):
        page = value.get("thematique")
        card = ctx.card(page, summary=value.get("intro"), cta_label=value.get("discover_label"))
        view = SectionView(kind=self.kind, block_id=block_id, title=value["title"], cards=[card] if card else [],
                           page_ids=[page.pk] if page else [])
        specific = ctx.specific(page)
        contact = value.get("contact_text") or (
            " ".join(filter(None, [getattr(specific, "contact_title", ""), getattr(specific, "contact_text", "")])))
        view.secondary_text = contact
        url = value.get("contact_url") or f"mailto:{ctx.site_settings.contact_email}"
        view.buttons = [(value.get("contact_label") or getattr(specific, "contact_label", "") or "Contactez l'ANCT", url)]
        return view

    def referenced_page_ids(self, value):
        return [value["thematique"].pk] if value.get("thematique") else []


class TribuneSectionBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="En introduction... Tribune", max_length=255)
    item = TribuneItemBlock(label=_("Tribune"))
    kind = "tribune"

    class Meta:
        icon = "openquote"
        label = _("Tribune")
        description = _("Une tribune signée pour entrer dans la thématique.")

    def build(self, value, ctx, block_id=""):
        card = self.child_blocks["item"].card(value["item"], ctx)
        return SectionView(kind=self.kind, block_id=block_id, title=value["title"], cards=[card] if card else [],
                           page_ids=_page_ids([value["item"]]))

    def referenced_page_ids(self, value):
        return _page_ids([value["item"]])


class CardListSectionBlock(SectionBlock):
    """A titled list of pages rendered as cards (projets, pour aller plus loin, actualités)."""

    def build(self, value, ctx, block_id=""):
        item_block = self.child_blocks["items"].child_block
        cards = [c for c in (item_block.card(item, ctx) for item in value.get("items") or []) if c]
        return SectionView(kind=self.kind, block_id=block_id, title=value["title"], intro=value.get("intro") or "",
                           cards=cards, page_ids=_page_ids(value.get("items") or []),
                           card_style=value.get("card_style") or self.child_blocks["card_style"].get_default())

    def referenced_page_ids(self, value):
        return _page_ids(value.get("items") or [])


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

    def get_campaign(self, value):
        pk = value.get("campaign")
        if not pk:
            return None
        from thematiques.vote.models import Campaign

        return Campaign.objects.filter(pk=pk).first()

    def get_rows(self, value) -> list:
        campaign = self.get_campaign(value)
        if campaign is not None:
            return campaign.results()
        return [(row["label"], row["count"]) for row in value.get("rows") or []]

    def get_button_url(self, value, ctx) -> str:
        page = value.get("button_page")
        if page is None and not value.get("button_url"):
            page = self.site_vote_page()
        if page is not None:
            return page.get_full_url(ctx.request) or page.url
        return value.get("button_url") or ""

    @staticmethod
    def site_vote_page():
        """The site's vote page (from the vote app), used when the editor chose no target."""
        from wagtail.models import Page

        return Page.objects.live().public().filter(content_type__model="votepage").first()

    def build(self, value, ctx, block_id=""):
        url = self.get_button_url(value, ctx)
        return SectionView(kind=self.kind, block_id=block_id, title=value["title"], intro=value.get("question") or "",
                           rows=self.get_rows(value), secondary_title=value.get("subtitle") or "",
                           secondary_text=value.get("text") or "",
                           buttons=[(value["button_label"], url)] if url else [],
                           page_ids=self.referenced_page_ids(value))

    def referenced_page_ids(self, value):
        return [value["button_page"].pk] if value.get("button_page") else []


class ConceptSectionBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), default="Le concept du mois", max_length=255)
    concept = EditionPageChooserBlock(label=_("Concept"), page_type="ressources.ConceptPage")
    links_title = blocks.CharBlock(label=_("Titre des liens"), default="Pour aller plus loin", max_length=255)
    kind = "concept"

    class Meta:
        icon = "pick"
        label = _("Concept du mois")
        description = _("Le texte du concept, ses lectures complémentaires et ses critères.")

    def build(self, value, ctx, block_id=""):
        from .rendering import stream_to_html

        page = value.get("concept")
        view = SectionView(kind=self.kind, block_id=block_id, title=value["title"],
                           page_ids=[page.pk] if page else [])
        if page is None:
            return view
        concept = ctx.specific(page)
        card = ctx.card(concept)
        view.title = f"{value['title']} : {concept.title}"
        view.body_html = stream_to_html(concept.body) or ""
        if not view.body_html and card and card.summary:
            view.intro = card.summary
        view.secondary_title = value.get("links_title") or ""
        view.links = [(lien.title, lien.url, lien.source) for lien in concept.liens.all()]
        view.list_title = concept.criteres_titre
        view.list_items = [str(c.value) for c in concept.criteres]
        view.buttons = [(card.cta_label, card.url)] if card else []
        return view

    def referenced_page_ids(self, value):
        return [value["concept"].pk] if value.get("concept") else []


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

    def automatic_events(self, value, edition):
        from ressources.models import EvenementPage

        start_date = edition.date or timezone.localdate()
        start = timezone.make_aware(dt.datetime.combine(start_date, dt.time.min))
        end = start + dt.timedelta(weeks=value.get("weeks") or 6)
        return list(EvenementPage.objects.live().public().filter(start__gte=start, start__lt=end)
                    .select_related("listing_image").order_by("start")[: value.get("limit") or 8])

    def build(self, value, ctx, block_id=""):
        items = [item for item in value.get("items") or [] if item.get("page") is not None]
        item_block = self.child_blocks["items"].child_block
        if items:
            pairs = [(item.get("page"), item_block.card(item, ctx)) for item in items]
        else:
            pairs = [(event, event.get_card(ctx.request)) for event in self.automatic_events(value, ctx.edition)]
        cards = []
        for page, card in pairs:
            if card is None:
                continue
            event = ctx.specific(page)
            start = getattr(event, "start", None)
            if start:
                cards.append(replace(card, meta={**card.meta, "date_prefix": _format_day(timezone.localtime(start))}))
            else:
                cards.append(card)
        return SectionView(kind=self.kind, block_id=block_id, title=value["title"], cards=cards,
                           page_ids=[c.page_id for c in cards if c.page_id],
                           card_style=value.get("card_style") or self.child_blocks["card_style"].get_default())

    def referenced_page_ids(self, value):
        return _page_ids(value.get("items") or [])


class PartagerEvenementsBlock(SectionBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=255,
                             default="Je suis une collectivité et je souhaite partager mes événements")
    text = blocks.TextBlock(label=_("Texte"), default="Envoyez vos actualités à Territoires en Commun à cette adresse :")
    kind = "partager_evenements"

    class Meta:
        icon = "mail"
        label = _("Partager mes événements")
        description = _("L'appel aux collectivités, avec l'adresse de l'équipe éditoriale des réglages du site.")

    def build(self, value, ctx, block_id=""):
        return SectionView(kind=self.kind, block_id=block_id, title=value["title"], intro=value.get("text") or "",
                           email=ctx.site_settings.editorial_email)


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
