"""Resources of every kind, ecosystem news, events and the agenda."""
import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.cache import public_pages
from cms.cards import card_page, with_card_renditions
from cms.models import BasePage


class RessourceIndexPage(BasePage):
    """The resource library: every resource, filterable by thématique, kind, territory and year."""

    intro = models.TextField(_("introduction"), blank=True)
    per_page = models.PositiveSmallIntegerField(_("ressources par page"), default=12)

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("per_page")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["ressources.ProjetPage", "ressources.ArticlePage", "ressources.TribunePage",
                     "ressources.ConceptPage", "ressources.ActualitePage"]
    max_count = 1

    class Meta:
        verbose_name = _("bibliothèque de ressources")

    def get_context(self, request, *args, **kwargs):
        from .filters import RessourceFilter

        context = super().get_context(request, *args, **kwargs)
        context.update(RessourceFilter(request.GET, index_page=self).context(request))
        return context


class RessourceTag(TaggedItemBase):
    content_object = ParentalKey("ressources.RessourcePage", on_delete=models.CASCADE, related_name="tagged_items")


class RessourcePage(BasePage):
    """Base of every resource card (not creatable on its own).

    Concrete rather than abstract so that the library filters and paginates every kind of resource in
    one query (see docs/decisions.md).
    """

    KIND_LABELS = {}

    thematiques = ParentalManyToManyField("thematiques.ThematiquePage", verbose_name=_("thématiques"),
                                          blank=True, related_name="ressources")
    tags = ClusterTaggableManager(through=RessourceTag, blank=True, verbose_name=_("mots-clés"))
    external_url = models.URLField(_("lien externe"), blank=True, max_length=2000,
                                   help_text=_("Le site du projet ou de l'article, si la ressource vit ailleurs."))
    link_label = models.CharField(_("libellé du bouton"), max_length=80, blank=True,
                                    help_text=_("Par exemple « Pour découvrir le projet » ou « Découvrez l'initiative »."))
    territoire = models.ForeignKey("thematiques.Collectivite", verbose_name=_("territoire"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="ressources")
    publication_date = models.DateField(_("date de publication"), default=dt.date.today, db_index=True)

    resource_panels = [
        FieldPanel("thematiques", widget=forms.CheckboxSelectMultiple),
        FieldPanel("tags"),
        MultiFieldPanel([FieldPanel("external_url"), FieldPanel("link_label")], heading=_("Lien")),
        FieldPanel("territoire"),
        FieldPanel("publication_date"),
    ]
    content_panels = BasePage.content_panels + resource_panels
    search_fields = BasePage.search_fields + [
        index.SearchField("link_label"),
        index.FilterField("publication_date"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    parent_page_types = ["ressources.RessourceIndexPage"]
    subpage_types = []
    is_creatable = False
    kind = "ressource"
    kind_label = _("Ressource")
    card_cta_label = _("Lire la ressource")

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")

    def get_card_date(self):
        return self.publication_date

    def get_card_kicker(self):
        return str(self.specific_class.kind_label)

    def get_card_cta_label(self):
        return self.link_label or str(self.specific_class.card_cta_label)

    def get_card_external_url(self):
        return self.external_url

    @classmethod
    def kinds(cls):
        """[(kind, label, model)] of every creatable resource type."""
        return [(m.kind, m.kind_label, m) for m in (ProjetPage, ArticlePage, TribunePage, ConceptPage, ActualitePage)]


class ProjetPage(RessourcePage):
    """A territorial experience (projet démocratique) or an initiative that inspires."""

    class Nature(models.TextChoices):
        EXPERIENCE = "experience", _("Expérience territoriale")
        INITIATIVE = "initiative", _("Initiative")

    nature = models.CharField(_("nature"), max_length=12, choices=Nature.choices, default=Nature.EXPERIENCE)
    project_lead = models.CharField(_("porteur / organisation"), max_length=255, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))

    content_panels = RessourcePage.content_panels + [FieldPanel("nature"), FieldPanel("project_lead"), FieldPanel("body")]
    search_fields = RessourcePage.search_fields + [index.SearchField("project_lead"), index.SearchField("body")]
    parent_page_types = ["ressources.RessourceIndexPage"]
    subpage_types = []
    is_creatable = True
    kind = "projet"
    card_fields = ("nature",)  # read by get_card_kicker (cms.cards.for_cards)
    kind_label = _("Projet ou initiative")
    card_cta_label = _("Pour découvrir le projet")

    class Meta:
        verbose_name = _("projet ou initiative")
        verbose_name_plural = _("projets et initiatives")

    def get_card_kicker(self):
        return self.get_nature_display()


class ArticlePage(RessourcePage):
    """An article "pour aller plus loin"."""

    source = models.CharField(_("source"), max_length=255, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))

    content_panels = RessourcePage.content_panels + [FieldPanel("source"), FieldPanel("body")]
    search_fields = RessourcePage.search_fields + [index.SearchField("source"), index.SearchField("body")]
    parent_page_types = ["ressources.RessourceIndexPage"]
    subpage_types = []
    is_creatable = True
    kind = "article"
    kind_label = _("Pour aller plus loin")
    card_cta_label = _("Lire l'article")

    class Meta:
        verbose_name = _("article « pour aller plus loin »")
        verbose_name_plural = _("articles « pour aller plus loin »")


class TribunePage(RessourcePage):
    """An op-ed, signed by its author."""

    author = models.CharField(_("auteur"), max_length=255, blank=True)
    author_role = models.CharField(_("fonction de l'auteur"), max_length=255, blank=True)
    quote = models.TextField(_("citation mise en avant"), blank=True)
    quote_author = models.CharField(_("auteur de la citation"), max_length=255, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))

    content_panels = RessourcePage.content_panels + [
        MultiFieldPanel([FieldPanel("author"), FieldPanel("author_role")], heading=_("Signature")),
        MultiFieldPanel([FieldPanel("quote"), FieldPanel("quote_author")], heading=_("Citation")),
        FieldPanel("body"),
    ]
    search_fields = RessourcePage.search_fields + [
        index.SearchField("author"), index.SearchField("quote"), index.SearchField("body"),
    ]
    parent_page_types = ["ressources.RessourceIndexPage"]
    subpage_types = []
    is_creatable = True
    kind = "tribune"
    kind_label = _("Tribune")
    card_cta_label = _("Lire la tribune")

    class Meta:
        verbose_name = _("tribune")
        verbose_name_plural = _("tribunes")


class ConceptPage(RessourcePage):
    """The concept du mois: a short essay on a notion of participation, with further reading and criteria."""

    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))
    criteres_titre = models.CharField(_("titre de la liste de critères"), max_length=500, blank=True)
    criteres = StreamField([("critere", blocks.CharBlock(label=_("Critère"), max_length=500))],
                           blank=True, verbose_name=_("critères"))

    content_panels = RessourcePage.content_panels + [
        FieldPanel("body"),
        InlinePanel("liens", label=_("Pour aller plus loin")),
        MultiFieldPanel([FieldPanel("criteres_titre"), FieldPanel("criteres")], heading=_("Critères")),
    ]
    search_fields = RessourcePage.search_fields + [index.SearchField("body"), index.SearchField("criteres")]
    parent_page_types = ["ressources.RessourceIndexPage"]
    subpage_types = []
    is_creatable = True
    kind = "concept"
    kind_label = _("Concept du mois")
    card_cta_label = _("Lire le concept")

    class Meta:
        verbose_name = _("concept du mois")
        verbose_name_plural = _("concepts du mois")


class ConceptLien(Orderable):
    """A further-reading link of a concept, with its source."""

    page = ParentalKey(ConceptPage, on_delete=models.CASCADE, related_name="liens")
    title = models.CharField(_("titre"), max_length=255)
    url = models.URLField(_("adresse"), max_length=2000)
    source = models.CharField(_("source"), max_length=255, blank=True)

    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("source")]

    class Meta(Orderable.Meta):
        verbose_name = _("lien pour aller plus loin")
        verbose_name_plural = _("liens pour aller plus loin")

    def __str__(self):
        return self.title


class ActualitePage(RessourcePage):
    """News of the ecosystem (a projet partagé update, an award ceremony, a gathering)."""

    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))

    content_panels = RessourcePage.content_panels + [FieldPanel("body")]
    search_fields = RessourcePage.search_fields + [index.SearchField("body")]
    parent_page_types = ["ressources.RessourceIndexPage"]
    subpage_types = []
    is_creatable = True
    kind = "actualite"
    kind_label = _("Actualité")
    card_cta_label = _("Lire l'actualité")

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")


class AgendaIndexPage(BasePage):
    """The agenda: upcoming events first, then the archive; an iCalendar feed of the whole agenda."""

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["ressources.EvenementPage"]
    max_count = 1
    UPCOMING_PER_PAGE = 12
    PAST_SHOWN = 12

    class Meta:
        verbose_name = _("agenda")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        events = EvenementPage.objects.child_of(self).live().select_related("listing_image")  # upcoming() and past() keep the public ones
        # Bounded at any size: upcoming events by pages (?page=, a bad number gives the first or last
        # page), the latest past events only.
        context["upcoming_events"] = card_page(events.upcoming(), self.UPCOMING_PER_PAGE, request.GET.get("page"))
        context["past_events"] = with_card_renditions(list(events.past()[:self.PAST_SHOWN]))
        return context


class EvenementQuerySet(PageQuerySet):
    def upcoming(self, now=None):
        now = now or timezone.now()
        return public_pages(self.live()).filter(end__gte=now).order_by("start")

    def past(self, now=None):
        now = now or timezone.now()
        return public_pages(self.live()).filter(end__lt=now).order_by("-start")


EvenementManager = PageManager.from_queryset(EvenementQuerySet)


class EvenementPage(BasePage):
    """A dated event with its organiser, place or online access, and registration link."""

    start = models.DateTimeField(_("début"), db_index=True)
    end = models.DateTimeField(_("fin"), db_index=True, blank=True,
                               help_text=_("Vide : l'événement dure une heure (ou la journée s'il est sur la journée entière)."))
    all_day = models.BooleanField(_("journée entière"), default=False)
    online = models.BooleanField(_("en ligne"), default=False)
    location = models.CharField(_("lieu"), max_length=255, blank=True)
    organizer = models.CharField(_("organisateur"), max_length=255, blank=True)
    registration_url = models.URLField(_("lien d'inscription ou d'information"), blank=True, max_length=2000)
    link_label = models.CharField(_("libellé du lien"), max_length=80, blank=True, default="En savoir plus")
    thematiques = ParentalManyToManyField("thematiques.ThematiquePage", verbose_name=_("thématiques"),
                                          blank=True, related_name="evenements")
    collectivite = models.ForeignKey("thematiques.Collectivite", verbose_name=_("collectivité"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="evenements")
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("description"))

    objects = EvenementManager()

    content_panels = BasePage.content_panels + [
        MultiFieldPanel([FieldPanel("start"), FieldPanel("end"), FieldPanel("all_day")], heading=_("Dates")),
        MultiFieldPanel([FieldPanel("online"), FieldPanel("location")], heading=_("Lieu")),
        FieldPanel("organizer"),
        MultiFieldPanel([FieldPanel("registration_url"), FieldPanel("link_label")], heading=_("Lien")),
        FieldPanel("thematiques"), FieldPanel("collectivite"), FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("organizer"), index.SearchField("location"), index.SearchField("body"),
        index.FilterField("start"), index.FilterField("end"),
    ]
    parent_page_types = ["ressources.AgendaIndexPage"]
    subpage_types = []
    card_kicker = _("Événement")

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["start"]

    def clean(self):
        super().clean()
        if self.start and not self.end:
            self.end = (self.start + dt.timedelta(hours=1)) if not self.all_day else self.start.replace(hour=23, minute=59)
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("La fin de l'événement doit suivre son début.")})
        if not self.online and not self.location:
            raise ValidationError({"location": _("Indiquez un lieu, ou cochez « en ligne ».")})

    def save(self, *args, **kwargs):
        if self.start and not self.end:
            self.end = self.start + dt.timedelta(hours=1)
        super().save(*args, **kwargs)

    def get_card_date(self):
        return timezone.localtime(self.start).date() if self.start else None

    def get_card_cta_label(self):
        return self.link_label or "En savoir plus"

    def get_card_external_url(self):
        return self.registration_url

    @property
    def is_past(self):
        return self.end < timezone.now()

    @property
    def dates_label(self) -> str:
        """The dates in French, Paris time: "Le 18 janvier 2022, de 9 h 30 à 11 h 00", "Le 1er décembre 2026"."""
        from cms.typography import date_fr

        if not self.start:
            return ""

        def hour(value):
            return f"{value.hour} h {value.minute:02d}"

        start = timezone.localtime(self.start)
        end = timezone.localtime(self.end) if self.end else start
        start_day, end_day = date_fr(start), date_fr(end)
        if self.all_day:
            if start.date() >= end.date():
                return _("Le %(day)s (toute la journée)") % {"day": start_day}
            return _("Du %(start)s au %(end)s") % {"start": start_day, "end": end_day}
        if start.date() == end.date():
            if start == end:
                return _("Le %(day)s à %(time)s") % {"day": start_day, "time": hour(start)}
            return _("Le %(day)s, de %(start)s à %(end)s") % {"day": start_day, "start": hour(start), "end": hour(end)}
        return _("Du %(start_day)s à %(start)s au %(end_day)s à %(end)s") % {
            "start_day": start_day, "start": hour(start), "end_day": end_day, "end": hour(end)}

    def get_card(self, request=None):
        """The card, with the event's dates in words (``meta["when"]``) for listings and editions."""
        from dataclasses import replace

        card = super().get_card(request)
        return replace(card, meta={**card.meta, "when": str(self.dates_label)})

