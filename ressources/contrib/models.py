"""Stored submissions: event contributions (moderated) and contact requests (handled / not handled)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

# Size limits shared by the models and the public forms.
TITLE_MAX = 200
SHORT_MAX = 255
URL_MAX = 500
TEXT_MAX = 5000
REASON_MAX = 2000


class PrivateIndexed(index.Indexed):
    """Searchable fields declared, but never copied into the site's search index.

    Submissions hold personal data (names, email addresses) and are only searched in the admin,
    through the ORM (modeladmin's search): keeping them out of the shared index also saves three
    queries per submission (index entry, title-length average, normalisation).
    """

    search_auto_update = False

    @classmethod
    def get_indexed_objects(cls):
        return cls._default_manager.none()



class ContributionEvenement(PrivateIndexed, models.Model):
    """An event shared by a collectivité or a partner, waiting for an editor's decision.

    Accepting it creates exactly one ``EvenementPage`` under the agenda (``evenement``); the
    constraint below forbids linking an event to a contribution that is not accepted, and the
    one-to-one forbids linking one event to two contributions.
    """

    class Status(models.TextChoices):
        NOUVELLE = "nouvelle", _("Nouvelle")
        ACCEPTEE = "acceptee", _("Acceptée")
        REFUSEE = "refusee", _("Refusée")

    title = models.CharField(_("titre"), max_length=TITLE_MAX)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    all_day = models.BooleanField(_("journée entière"), default=False)
    online = models.BooleanField(_("en ligne"), default=False)
    location = models.CharField(_("lieu"), max_length=SHORT_MAX, blank=True)
    organizer = models.CharField(_("organisateur"), max_length=SHORT_MAX)
    collectivite = models.ForeignKey("thematiques.Collectivite", verbose_name=_("collectivité"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="contributions")
    url = models.URLField(_("lien"), max_length=URL_MAX, blank=True)
    description = models.TextField(_("description"), max_length=TEXT_MAX)
    contact_name = models.CharField(_("nom du contact"), max_length=SHORT_MAX)
    contact_email = models.EmailField(_("courriel du contact"), max_length=254)
    consent = models.BooleanField(_("consentement à la publication"), default=False)

    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.NOUVELLE,
                              db_index=True)
    refusal_reason = models.TextField(_("motif du refus"), max_length=REASON_MAX, blank=True)
    evenement = models.OneToOneField("ressources.EvenementPage", verbose_name=_("événement publié"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="contribution")
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("décidée par"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    search_fields = [
        index.SearchField("title"), index.SearchField("organizer"), index.SearchField("contact_name"),
        index.SearchField("description"), index.FilterField("status"),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contribution à l'agenda")
        verbose_name_plural = _("contributions à l'agenda")
        constraints = [
            models.CheckConstraint(
                condition=Q(evenement__isnull=True) | Q(status="acceptee"),
                name="contribution_evenement_only_when_accepted",
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="contribution_end_after_start"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.NOUVELLE


class DemandeContact(PrivateIndexed, models.Model):
    """A request for support sent to ANCT, from a thématique page or the general contact form."""

    name = models.CharField(_("nom"), max_length=SHORT_MAX)
    collectivite = models.CharField(_("collectivité ou structure"), max_length=SHORT_MAX)
    job_title = models.CharField(_("fonction"), max_length=SHORT_MAX)
    email = models.EmailField(_("courriel"), max_length=254)
    message = models.TextField(_("message"), max_length=TEXT_MAX)
    thematique = models.ForeignKey("thematiques.ThematiquePage", verbose_name=_("thématique"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="demandes_contact")
    handled = models.BooleanField(_("traitée"), default=False, db_index=True)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("traitée par"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)

    search_fields = [
        index.SearchField("name"), index.SearchField("collectivite"), index.SearchField("message"),
        index.FilterField("handled"),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de contact")
        verbose_name_plural = _("demandes de contact")

    def __str__(self):
        return f"{self.name} — {self.collectivite}"
