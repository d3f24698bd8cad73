"""Thématiques, collectivités and projets partagés."""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.cache import public_pages, singleton_pages
from cms.cards import for_cards, with_card_renditions
from cms.models import BasePage

from .codes import normalize_code, validate_code_departement, validate_insee_commune, validate_siren


class Collectivite(models.Model):
    """A local authority, identified by its official code.

    Not in Wagtail's search index: the chooser and the admin listing search the database (name
    contains, code starts with), and 36,000 index entries made ``update_index`` and every site search
    slower for nothing (docs/decisions.md).

    ``code`` is the INSEE code for a commune and the SIREN for an EPCI, a département or a région.
    ``code_insee`` holds the INSEE code of communes, départements and régions, so that ``34`` finds
    the Hérault as the ANCT open data writes it.
    """

    class Echelon(models.TextChoices):
        COMMUNE = "com", _("Commune")
        EPCI = "epci", _("EPCI")
        DEPARTEMENT = "dep", _("Département")
        REGION = "reg", _("Région")

    code = models.CharField(_("code officiel"), max_length=9, unique=True,
                            help_text=_("Code INSEE pour une commune, SIREN pour un EPCI, un département ou une région."))
    code_insee = models.CharField(_("code INSEE"), max_length=5, blank=True, db_index=True)
    nom = models.CharField(_("nom"), max_length=255, db_index=True)
    echelon = models.CharField(_("échelon"), max_length=4, choices=Echelon.choices, db_index=True)
    departement = models.CharField(_("département"), max_length=3, blank=True, db_index=True,
                                   help_text=_("Code INSEE du département (34, 2A, 974…)."))
    region = models.CharField(_("région"), max_length=2, blank=True, db_index=True,
                              help_text=_("Code INSEE de la région (76, 84…)."))
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)

    panels = [
        FieldPanel("code"), FieldPanel("code_insee"), FieldPanel("nom"), FieldPanel("echelon"),
        FieldPanel("departement"), FieldPanel("region"), FieldPanel("population"),
    ]
    class Meta:
        ordering = ["nom"]
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")

    def __str__(self):
        return f"{self.nom} ({self.get_echelon_display()}, {self.code})"

    def clean(self):
        self.code = normalize_code(self.code)
        if self.echelon == self.Echelon.COMMUNE:
            try:
                validate_insee_commune(self.code)
            except ValidationError as exc:
                raise ValidationError({"code": exc.messages}) from None
            self.code_insee = self.code_insee or self.code
            if not self.departement:
                self.departement = self.code[:3] if self.code.startswith("97") else self.code[:2]
        elif self.echelon:
            validate = validate_code_departement if self.echelon == self.Echelon.DEPARTEMENT else validate_siren
            try:
                validate(self.code)
            except ValidationError as exc:
                raise ValidationError({"code": exc.messages}) from None

    @classmethod
    def suggest(cls, query: str, limit: int = 10):
        """Collectivités for a name-or-code autocomplete: names or codes starting with the query first,
        then names containing it, largest population first."""
        query = (query or "").strip()[:100]
        if len(query) < 2:
            return cls.objects.none()
        code = normalize_code(query)
        return (
            cls.objects.filter(Q(nom__icontains=query) | Q(code__startswith=code) | Q(code_insee__startswith=code))
            .annotate(rank=Case(When(nom__istartswith=query, then=Value(0)), When(code__startswith=code, then=Value(0)),
                                default=Value(1), output_field=IntegerField()))
            .order_by("rank", "-population", "nom")[:limit]
        )

    @classmethod
    def lookup(cls, code: str):
        """Find a collectivité by its official code, or a département / région by its INSEE code."""
        code = normalize_code(code)
        if not code:
            return None
        found = cls.objects.filter(code=code).first()
        if found:
            return found
        return (
            cls.objects.filter(code_insee=code, echelon__in=[cls.Echelon.DEPARTEMENT, cls.Echelon.COMMUNE])
            .order_by("echelon")
            .first()
            or cls.objects.filter(code_insee=code, echelon=cls.Echelon.REGION).first()
        )


class KindGroup(list):
    """The resources of one kind shown on a thématique, with the kind's ``total`` and ``library_url``."""

    total = 0
    library_url = ""


class ThematiqueIndexPage(BasePage):
    """The list of thématiques d'inspiration."""

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["thematiques.ThematiquePage"]
    max_count = 1
    search_fields = BasePage.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("index des thématiques")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["thematiques"] = ThematiquePage.objects.child_of(self).live().select_related("listing_image")
        return context


class ThematiquePage(BasePage):
    """A public-policy theme (Retour à l'emploi, Petite enfance…) with its resources, events and projets partagés."""

    COULEURS = [
        ("green-emeraude", _("Vert émeraude")), ("blue-ecume", _("Bleu écume")),
        ("purple-glycine", _("Violet glycine")), ("orange-terre-battue", _("Orange terre battue")),
        ("yellow-tournesol", _("Jaune tournesol")), ("pink-tuile", _("Rose tuile")),
        ("brown-cafe-creme", _("Brun café crème")), ("green-archipel", _("Vert archipel")),
    ]
    PICTOGRAMMES = [
        ("work", _("Travail")), ("family", _("Famille")), ("car", _("Mobilité")),
        ("house", _("Aménagement")), ("food", _("Alimentation")), ("people", _("Solidarité")),
        ("culture", _("Culture")), ("youth", _("Jeunesse")),
    ]

    image = models.ForeignKey("wagtailimages.Image", verbose_name=_("image d'en-tête"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    header_image_alt = models.CharField(
        _("texte alternatif de l'image d'en-tête"), max_length=255, blank=True,
        help_text=_("Vide : la description de l'image est utilisée."),
    )
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))
    color = models.CharField(_("couleur"), max_length=30, choices=COULEURS, default="green-emeraude")
    pictogram = models.CharField(_("pictogramme"), max_length=20, choices=PICTOGRAMMES, blank=True)
    contact_title = models.CharField(_("titre de l'appel à contact"), max_length=255, blank=True,
                                     default="L'ANCT peut vous accompagner sur cette thématique d'inspiration.")
    contact_text = models.TextField(_("texte de l'appel à contact"), blank=True,
                                    default="Contactez-nous pour nous préciser vos besoins sur cette thématique.")
    contact_label = models.CharField(_("libellé du bouton de contact"), max_length=80, default="Contactez l'ANCT")
    is_thematique_du_mois = models.BooleanField(_("thématique du mois"), default=False,
                                                help_text=_("Mise en avant sur l'accueil et dans la prochaine édition."))

    content_panels = BasePage.content_panels + [
        MultiFieldPanel([FieldPanel("image"), FieldPanel("header_image_alt")], heading=_("En-tête")),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("color"), FieldPanel("pictogram"), FieldPanel("is_thematique_du_mois")],
                        heading=_("Présentation")),
        MultiFieldPanel([FieldPanel("contact_title"), FieldPanel("contact_text"), FieldPanel("contact_label")],
                        heading=_("Contactez l'ANCT")),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body"), index.FilterField("is_thematique_du_mois")]
    parent_page_types = ["thematiques.ThematiqueIndexPage"]
    subpage_types = []
    card_kicker = _("Thématique")
    card_cta_label = _("Découvrez la thématique")

    class Meta:
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")

    def get_card_date(self):
        """A thématique is not dated: its card shows no publication date."""
        return None

    @property
    def contact_url(self) -> str:
        """The "Contactez l'ANCT" form, told which thématique the visitor comes from."""
        from urllib.parse import urlencode

        from django.urls import NoReverseMatch, reverse

        try:
            base = reverse("contact_anct")
        except NoReverseMatch:  # the contact form is not installed
            base = "/contact/"
        return f"{base}?{urlencode({'thematique': self.slug})}"

    @property
    def header_alt(self) -> str:
        """Alt text of the header image: the page's own, else the image's description."""
        if not self.image_id:
            return ""
        return self.header_image_alt or getattr(self.image, "description", "") or self.image.title

    RESOURCES_PER_KIND = 6

    def resources_by_kind(self):
        """{kind label: the latest ``RESOURCES_PER_KIND`` resources of that kind}, each list knowing the
        kind's total and its library URL: bounded at any size (one query for the latest of every kind,
        with each kind's total and the projects' nature, their cards' only specific field)."""
        from django.db.models import Count, F, Window
        from django.db.models.functions import RowNumber

        from ressources.models import RessourceIndexPage, RessourcePage

        base = public_pages(RessourcePage.objects.live()).filter(thematiques=self)
        by_kind = {"partition_by": [F("content_type")]}
        latest = (base.annotate(rank=Window(RowNumber(), order_by=[F("publication_date").desc(), F("pk").desc()],
                                            **by_kind),
                                kind_total=Window(Count("pk"), **by_kind))  # the kind's total, on each row
                  .filter(rank__lte=self.RESOURCES_PER_KIND).order_by("-publication_date", "-pk")
                  .select_related("listing_image"))
        pages = for_cards(latest, keep=("kind_total",))
        # Every kind with a resource has its latest here, each carrying its kind's total.
        totals = {page.content_type_id: page.kind_total for page in pages}
        library = singleton_pages().get(RessourceIndexPage)
        groups: dict = {}
        for kind, label, model in RessourcePage.kinds():  # a fixed order of kinds on every thématique
            from django.contrib.contenttypes.models import ContentType

            group = groups[str(label)] = KindGroup()
            group.total = totals.get(ContentType.objects.get_for_model(model).pk, 0)
            group.library_url = f"{library.url}?thematique={self.slug}&type={kind}" if library else ""
        for page in with_card_renditions(pages):
            groups.setdefault(str(page.kind_label), KindGroup()).append(page)
        return {label: pages for label, pages in groups.items() if pages}

    def upcoming_events(self):
        from ressources.models import EvenementPage

        return (EvenementPage.objects.upcoming().filter(thematiques=self).defer_streamfields()
                .select_related("listing_image"))

    def projets_partages(self):
        return (public_pages(ProjetPartagePage.objects.live()).filter(thematique=self).defer_streamfields()
                .select_related("listing_image"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Lazy: the template's listing fragment is usually served from the cache without it.
        context["resources_by_kind"] = SimpleLazyObject(self.resources_by_kind)
        context["upcoming_events"] = SimpleLazyObject(  # public() queries
            lambda: with_card_renditions(list(self.upcoming_events()[:6])))
        context["projets_partages"] = SimpleLazyObject(lambda: with_card_renditions(list(self.projets_partages())))
        return context


class ProjetPartageIndexPage(BasePage):
    """The list of projets partagés run by ANCT with collectivités."""

    intro = models.TextField(_("introduction"), blank=True)
    content_panels = BasePage.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["thematiques.ProjetPartagePage"]
    max_count = 1
    search_fields = BasePage.search_fields + [index.SearchField("intro")]

    class Meta:
        verbose_name = _("index des projets partagés")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["projets"] = ProjetPartagePage.objects.child_of(self).live().select_related("thematique", "listing_image")
        return context


class ProjetPartagePage(BasePage):
    """A project ANCT runs with 3 to 5 collectivités (parties prenantes) plus observers, on a voted theme."""

    class Status(models.TextChoices):
        A_VENIR = "a_venir", _("À venir")
        EN_COURS = "en_cours", _("En cours")
        TERMINE = "termine", _("Terminé")

    thematique = models.ForeignKey(ThematiquePage, verbose_name=_("thématique"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="projets_partages_set")
    theme_label = models.CharField(_("thème"), max_length=100, blank=True,
                                   help_text=_("Le thème tel que la donnée ANCT le nomme (Culture, Ados, Aménagement)."))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.EN_COURS)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))

    content_panels = BasePage.content_panels + [
        FieldPanel("thematique"), FieldPanel("theme_label"), FieldPanel("status"),
        MultiFieldPanel([FieldPanel("start_date"), FieldPanel("end_date")], heading=_("Période")),
        FieldPanel("body"),
        InlinePanel("participants", label=_("Collectivités participantes")),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("body"), index.SearchField("theme_label"),
                                              index.FilterField("status")]
    parent_page_types = ["thematiques.ProjetPartageIndexPage"]
    subpage_types = []
    card_kicker = _("Projet partagé")
    card_cta_label = _("Retrouvez les détails du projet")

    class Meta:
        verbose_name = _("projet partagé")
        verbose_name_plural = _("projets partagés")

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La fin doit suivre le début.")})

    def parties_prenantes(self):
        return [p for p in self._participants() if p.role == ProjetPartageCollectivite.Role.PARTIE_PRENANTE]

    def observatrices(self):
        return [p for p in self._participants() if p.role == ProjetPartageCollectivite.Role.OBSERVATRICE]

    def _participants(self):
        """Participants with their collectivité, fetched once per page instance."""
        if not hasattr(self, "_participants_cache"):
            self._participants_cache = list(self.participants.all().select_related("collectivite"))
        return self._participants_cache


class ProjetPartageCollectivite(Orderable):
    """A collectivité taking part in a projet partagé, with its role."""

    class Role(models.TextChoices):
        PARTIE_PRENANTE = "partie_prenante", _("Partie prenante")
        OBSERVATRICE = "observatrice", _("Observatrice")

    page = ParentalKey(ProjetPartagePage, on_delete=models.CASCADE, related_name="participants")
    collectivite = models.ForeignKey(Collectivite, verbose_name=_("collectivité"), on_delete=models.PROTECT,
                                     related_name="participations")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.PARTIE_PRENANTE)

    panels = [FieldPanel("collectivite"), FieldPanel("role")]

    class Meta(Orderable.Meta):
        verbose_name = _("collectivité participante")
        verbose_name_plural = _("collectivités participantes")
        constraints = [models.UniqueConstraint(fields=["page", "collectivite"], name="unique_participant_par_projet")]

    def __str__(self):
        return f"{self.collectivite.nom} — {self.get_role_display()}"

