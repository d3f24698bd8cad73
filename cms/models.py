"""Site-wide models: the abstract base page, site settings and partners."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .cards import Card


class BasePage(Page):
    """What every content page shares: the card fields (chapô, listing image) and SEO.

    Abstract: every content type of the site inherits it and gets its ``get_card()`` for free,
    overriding ``card_kicker`` / ``card_cta_label`` / ``card_date`` where it knows better.
    """

    chapo = models.TextField(
        _("chapô"), blank=True,
        help_text=_("Résumé de quelques lignes, repris dans les cartes, les éditions et la description SEO."),
    )
    listing_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image de carte"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    listing_image_alt = models.CharField(
        _("texte alternatif de l'image"), max_length=255, blank=True,
        help_text=_("Décrit l'image pour qui ne la voit pas. Vide : la description de l'image est utilisée."),
    )
    listing_image_decorative = models.BooleanField(
        _("image décorative"), default=False,
        help_text=_("Cochez si l'image n'apporte aucune information (alternative vide)."),
    )

    card_kicker = ""
    # The subscribe form is in the footer unless the page has its own (the newsletter pages).
    subscribe_in_content = False
    card_cta_label = _("Lire la suite")

    search_fields = Page.search_fields + [index.SearchField("chapo")]

    card_panels = [
        FieldPanel("chapo"),
        MultiFieldPanel(
            [FieldPanel("listing_image"), FieldPanel("listing_image_alt"), FieldPanel("listing_image_decorative")],
            heading=_("Image de carte"),
        ),
    ]
    content_panels = Page.content_panels + card_panels

    class Meta:
        abstract = True

    @property
    def image_alt(self) -> str:
        if self.listing_image_decorative or not self.listing_image_id:
            return ""
        return self.listing_image_alt or getattr(self.listing_image, "description", "") or self.listing_image.title

    def get_card_date(self):
        return self.first_published_at.date() if self.first_published_at else None

    def get_card_cta_label(self) -> str:
        return str(self.card_cta_label)

    def get_card_external_url(self) -> str:
        return ""

    def get_card_kicker(self) -> str:
        return str(self.card_kicker or self.specific_class._meta.verbose_name).capitalize()

    def get_card(self, request=None) -> Card:
        return Card(
            title=self.title,
            # Relative on the site (the demo runs on any host and port); the email renderer makes it absolute.
            url=self.get_url(request) or "",
            summary=self.chapo or self.search_description,
            kicker=self.get_card_kicker(),
            cta_label=self.get_card_cta_label(),
            date=self.get_card_date(),
            image=self.listing_image,
            image_alt=self.image_alt,
            external_url=self.get_card_external_url(),
            page_id=self.pk,
        )

    def get_meta_description(self) -> str:
        return self.search_description or self.chapo[:300]

    def get_view_restrictions(self):
        """Wagtail's restrictions of this page, without a query when none can apply.

        Wagtail's ``serve`` asks for them on every page view (one query over the page and its
        ancestors); the site's restricted sections are kept in the site version
        (:func:`cms.cache.restricted_sections`, moved by every restriction saved or deleted), and
        most pages are in none: an empty queryset then, which reads nothing.
        """
        from wagtail.models import PageViewRestriction

        from .cache import in_restricted_section

        if in_restricted_section(self):
            return super().get_view_restrictions()
        return PageViewRestriction.objects.none()


@register_setting(icon="cog")
class SiteSettings(BaseGenericSetting):
    """Contact, licence, postal address and social links, shown in the footer and the emails."""

    contact_email = models.EmailField(_("adresse de contact"), default="contact@territoires-en-commun.fr")
    editorial_email = models.EmailField(
        _("adresse de l'équipe éditoriale"), default="editorialisation@territoires-en-commun.fr",
        help_text=_("Reçoit les contributions des collectivités et les demandes de contact."),
    )
    postal_address = models.TextField(
        _("adresse postale"), blank=True,
        default="Agence nationale de la cohésion des territoires\n20 avenue de Ségur\n75007 Paris",
    )
    licence_text = models.CharField(
        _("licence"), max_length=255,
        default="Contenus en Creative Commons 2021 Territoires en commun. N'hésitez pas à partager !",
    )
    licence_url = models.URLField(_("adresse de la licence"), blank=True, default="https://creativecommons.org/licenses/by/4.0/deed.fr")
    tagline = models.CharField(
        _("accroche"), max_length=500, blank=True,
        default="Tous les mois, Territoires en Commun vous propose de découvrir une thématique d'inspiration "
        "autour des enjeux, expériences et bonnes pratiques en matière d'engagement citoyen et de coopérations.",
    )
    social_links = StreamField(
        [("link", blocks.StructBlock([
            ("network", blocks.CharBlock(label=_("Réseau"))),
            ("url", blocks.URLBlock(label=_("Adresse"))),
        ], icon="link", label=_("Lien")))],
        blank=True, verbose_name=_("réseaux sociaux"),
    )
    email_retention_days = models.PositiveIntegerField(
        _("durée de conservation des adresses (jours)"), default=180,
        help_text=_("Après la clôture d'une campagne de vote, les adresses des votants sont effacées passé ce délai."),
    )

    panels = [
        FieldPanel("tagline"),
        MultiFieldPanel([FieldPanel("contact_email"), FieldPanel("editorial_email"), FieldPanel("postal_address")], heading=_("Contact")),
        MultiFieldPanel([FieldPanel("licence_text"), FieldPanel("licence_url")], heading=_("Licence")),
        FieldPanel("social_links"),
        FieldPanel("email_retention_days"),
    ]

    class Meta:
        verbose_name = _("réglages du site")


class Partenaire(index.Indexed, models.Model):
    """A partner of the platform, shown with its logo in the header, footer and emails."""

    name = models.CharField(_("nom"), max_length=255, unique=True)
    short_name = models.CharField(_("nom court"), max_length=80, blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    url = models.URLField(_("site"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    panels = [FieldPanel("name"), FieldPanel("short_name"), FieldPanel("logo"), FieldPanel("url"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")

    def __str__(self):
        return self.name

    @property
    def logo_alt(self) -> str:
        return self.name
