"""Newsletter editions: the public archive, one edition, and the frozen record of every export."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from cms.cards import card_page
from cms.models import BasePage

from .blocks import SectionsBlock
from .profiles import FORMATS, profile_choices


class NewsletterIndexPage(BasePage):
    """The public archive of the newsletter: every published edition, newest first, by pages of
    ``EDITIONS_PER_PAGE`` (a year of monthly editions a page, ``?page=``: ten years stay bounded pages).

    It also explains how to unsubscribe: the generic export links there.
    """

    intro = models.TextField(_("introduction"), blank=True)
    unsubscribe_help = RichTextField(
        _("se désinscrire"), blank=True, features=["bold", "italic", "link", "ol", "ul"],
        default="<p>Chaque envoi de la newsletter contient en bas de page un lien de désinscription. "
        "Vous pouvez aussi écrire à l'équipe de Territoires en Commun pour ne plus la recevoir.</p>",
        help_text=_("Comment se désinscrire ; l'export « générique » renvoie vers ce texte."),
    )

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("unsubscribe_help")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["newsletter.NewsletterPage"]
    subscribe_in_content = True  # the subscribe form is in the page, not repeated in the footer
    max_count = 1
    EDITIONS_PER_PAGE = 12  # a year of monthly editions; a multiple of the grid's 2 and 3 columns

    class Meta:
        verbose_name = _("archive de la newsletter")

    def editions(self):
        return (NewsletterPage.objects.child_of(self).live().public()
                .select_related("listing_image").order_by("-date", "-number"))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["editions"] = card_page(self.editions(), self.EDITIONS_PER_PAGE, request.GET.get("page"))
        return context

    def unsubscribe_url(self) -> str:
        return f"{absolute_url(self.url or '/')}#se-desinscrire"


def absolute_url(url: str) -> str:
    """An absolute URL on the public site (``newsletter.rendering.base_url``) for a site path."""
    from .rendering import base_url

    if url.startswith(("http://", "https://", "mailto:")):
        return url
    return base_url() + "/" + url.lstrip("/")


class NewsletterPage(BasePage):
    """One edition of the newsletter: sections referencing the site's pages, rendered for the web
    and for email, exported for the mailing tools."""

    number = models.PositiveIntegerField(_("numéro"), null=True, blank=True)
    date = models.DateField(_("date de l'édition"), default=timezone.localdate)
    subject = models.CharField(_("objet du courriel"), max_length=255, blank=True)
    preheader = models.CharField(
        _("texte d'aperçu"), max_length=255, blank=True,
        help_text=_("Affiché après l'objet dans la boîte de réception (une phrase, 40 à 130 caractères)."),
    )
    sender_name = models.CharField(_("nom de l'expéditeur"), max_length=255, default="Territoires en Commun")
    sections = StreamField(SectionsBlock(), blank=True, verbose_name=_("sections"))
    # Set by the archive importer: sha256 of the imported file's normalised body text (+ its date).
    # The identity of an imported edition (the same file twice → nothing new), never its title.
    import_fingerprint = models.CharField(_("empreinte de l'import"), max_length=64, blank=True, db_index=True,
                                          editable=False)

    content_panels = BasePage.content_panels + [
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("number"), FieldPanel("date")]),
            FieldPanel("subject"), FieldPanel("preheader"), FieldPanel("sender_name"),
        ], heading=_("Envoi")),
        FieldPanel("sections"),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("subject"), index.SearchField("preheader"), index.FilterField("date"),
    ]
    parent_page_types = ["newsletter.NewsletterIndexPage"]
    subpage_types = []
    subscribe_in_content = True  # the subscribe form is in the page, not repeated in the footer
    card_kicker = _("Newsletter")
    card_cta_label = _("Lire l'édition")

    preview_modes = [("web", _("Web")), ("email", _("E-mail")), ("text", _("Texte brut"))]

    class Meta:
        verbose_name = _("édition de la newsletter")
        verbose_name_plural = _("éditions de la newsletter")

    def __str__(self):
        return self.title

    def get_card_date(self):
        return self.date

    # --- content --------------------------------------------------------------------------------------

    def build_sections(self, request=None) -> list:
        """The sections of the edition as presentation values, in order (see newsletter/assembly.py)."""
        from .assembly import build_sections

        return build_sections(self, request)

    def vote_counts(self) -> list:
        """The vote rows of the edition as they are now: [{"label", "count"}] per vote section."""
        from .assembly import vote_counts

        return vote_counts(self)

    @cached_property
    def frozen_export(self):
        """The last export of this edition: the archive shows it as it was sent."""
        return self.exports.exclude(web_html="").order_by("-created_at", "-pk").first()

    # --- serving --------------------------------------------------------------------------------------

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = self.build_sections(request)
        return context

    def serve(self, request, *args, **kwargs):
        frozen = None if getattr(request, "is_preview", False) else self.frozen_export
        if frozen is not None:
            return render(request, "newsletter/newsletter_page_frozen.html",
                          {"page": self, "self": self, "export": frozen, "request": request})
        return super().serve(request, *args, **kwargs)

    def serve_preview(self, request, mode_name):
        from django.http import HttpResponse

        from .rendering import render_email

        if mode_name == "email":
            response = HttpResponse(render_email(self, "generic", request=request, preview=True).html)
            # Wagtail serves the preview as a request to the page's public path: without this, the public
            # site's strict policy (no inline style) applied and the e-mail showed unstyled.
            response._csp_config = email_preview_csp(request)  # django-csp 4's per-view policy (@csp)
            return response
        if mode_name == "text":
            text = render_email(self, "generic", request=request, preview=True).text
            return render(request, "newsletter/preview_text.html", {"page": self, "text": text})
        return super().serve_preview(request, "")  # the web version, always live in the preview


def email_preview_csp(request) -> dict:
    """The policy of the e-mail preview alone: the e-mail's inline and head styles, its images from the
    site (and the media origin), no script, no form, framed by the admin only. The public site's policy
    is untouched."""
    from .rendering import base_url, public_base_url

    origins = {"'self'", base_url(), public_base_url()}
    if request is not None:
        origins.add(request.build_absolute_uri("/").rstrip("/"))
    media = getattr(settings, "MEDIA_ORIGIN", None)
    if media:
        origins.add(media)
    return {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": sorted(origins) + ["data:"],
        "font-src": ["'self'", "data:"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'self'"],
    }


class NewsletterExport(index.Indexed, models.Model):
    """An export of an edition, frozen: what subscribers received, by whom, when."""

    edition = models.ForeignKey(NewsletterPage, verbose_name=_("édition"), null=True, on_delete=models.SET_NULL,
                                related_name="exports")
    edition_title = models.CharField(_("titre de l'édition"), max_length=255)
    revision = models.ForeignKey("wagtailcore.Revision", verbose_name=_("révision"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    tool = models.CharField(_("outil"), max_length=30, choices=profile_choices())
    format = models.CharField(_("format"), max_length=5, choices=[(f, f) for f in FORMATS])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("auteur"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    html = models.TextField(_("HTML du courriel"))
    text = models.TextField(_("texte brut"))
    web_html = models.TextField(_("version web"), blank=True)
    sha256 = models.CharField(_("empreinte SHA-256 du HTML"), max_length=64)
    vote_counts = models.JSONField(_("votes au moment de l'export"), default=list, blank=True)
    checks = models.JSONField(_("vérifications"), default=list, blank=True)
    forced = models.BooleanField(_("export forcé malgré les erreurs"), default=False)
    payload = models.BinaryField(_("fichier exporté"), editable=False, default=bytes)
    # Pushed to a mailing tool as a draft campaign (newsletter/campaigns.py): the tool is ``tool``.
    campaign_id = models.CharField(_("identifiant de la campagne dans l'outil"), max_length=100, blank=True,
                                   db_index=True)
    campaign_url = models.URLField(_("lien de la campagne dans l'outil"), max_length=500, blank=True)
    campaign_pushed_at = models.DateTimeField(_("campagne créée ou mise à jour le"), null=True, blank=True)
    campaign_stats = models.JSONField(_("statistiques de la campagne"), default=dict, blank=True)
    campaign_stats_at = models.DateTimeField(_("statistiques relevées le"), null=True, blank=True)
    campaign_error = models.CharField(_("dernière erreur de l'outil"), max_length=500, blank=True)

    search_fields = [index.SearchField("edition_title"), index.SearchField("subject"), index.FilterField("tool")]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export de newsletter")
        verbose_name_plural = _("exports de newsletter")

    def __str__(self):
        return f"{self.edition_title} — {self.get_tool_display()} ({self.format}, {self.created_at:%d/%m/%Y %H:%M})"

    def get_campaign_stats_display(self):
        """The campaign's figures as tables (the admin's inspect view of an export)."""
        from django.template.loader import render_to_string

        return render_to_string("newsletter/admin/_campaign_stats.html", {"export": self}) if self.campaign_id else "—"

    def get_campaign_url_display(self):
        from django.utils.html import format_html

        if not self.campaign_url:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', self.campaign_url, self.campaign_url)

    @property
    def size_kb(self) -> float:
        return round(len(self.html.encode("utf-8")) / 1024, 1)


class Subscriber(models.Model):
    """A reader who asked for the newsletter: stored here first, then synced to the mailing tool.

    Only a ``confirmed`` address is a subscriber (double opt-in, newsletter/subscriptions.py). The
    proof of consent (date, version of the consent text, HMAC of the IP address) stays with the
    record; deleting the record on request removes it. ``sync_status`` says whether the mailing tool
    knows the current status (``to_sync``: « à synchroniser », with the last error).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de confirmation")
        CONFIRMED = "confirmed", _("confirmé")
        UNSUBSCRIBED = "unsubscribed", _("désinscrit")

    class SyncStatus(models.TextChoices):
        NONE = "none", _("rien à synchroniser")
        TO_SYNC = "to_sync", _("à synchroniser")
        SYNCED = "synced", _("synchronisé")

    class Source(models.TextChoices):
        FORM = "form", _("formulaire du site")
        IMPORT = "import", _("import CSV")

    email = models.EmailField(_("adresse électronique"), max_length=254)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices, default=Source.FORM)
    source_url = models.CharField(_("page d'inscription"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("demande"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmation"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désinscription"), null=True, blank=True)
    consent_at = models.DateTimeField(_("date du consentement"), null=True, blank=True)
    consent_version = models.CharField(_("version du texte de consentement"), max_length=50, blank=True)
    consent_ip_hash = models.CharField(_("adresse IP (empreinte HMAC)"), max_length=64, blank=True)
    sync_status = models.CharField(_("synchronisation"), max_length=10, choices=SyncStatus.choices,
                                   default=SyncStatus.NONE, db_index=True)
    sync_error = models.TextField(_("dernière erreur de synchronisation"), blank=True)
    sync_attempts = models.PositiveIntegerField(_("tentatives de synchronisation"), default=0)
    synced_at = models.DateTimeField(_("dernière synchronisation"), null=True, blank=True)
    synced_tool = models.CharField(_("outil synchronisé"), max_length=20, blank=True)
    provider_contact_id = models.CharField(_("identifiant dans l'outil"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("abonné à la newsletter")
        verbose_name_plural = _("abonnés à la newsletter")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique",
                                    violation_error_message=_("Cette adresse est déjà inscrite.")),
        ]

    def __str__(self):
        return self.email

