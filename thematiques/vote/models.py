"""The theme vote: campaigns, ballots, the public vote page and the applications to projets partagés.

Imported by ``ThematiquesConfig.import_models`` (thematiques/apps.py) while the app registry loads
models: Django gives them the ``thematiques`` app label, so their tables and migrations stay those of
the ``thematiques`` app.

A collectivité votes once per campaign (a database unique constraint on ``(campaign, collectivite)``);
its vote counts once the emailed link is confirmed. Addresses at free webmail domains are accepted but
the ballot waits for an editor's validation and is shown apart in the results until then.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index

from cms.models import BasePage
from thematiques.models import Collectivite, ProjetPartageCollectivite, ProjetPartagePage, ThematiquePage

__all__ = ["Ballot", "Campaign", "CampaignThematique", "Candidature", "VotePage", "is_webmail", "mask_email"]

WEBMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.fr", "yahoo.com", "hotmail.fr", "hotmail.com", "live.fr", "live.com",
    "msn.com", "outlook.fr", "outlook.com", "orange.fr", "wanadoo.fr", "laposte.net", "free.fr", "sfr.fr",
    "neuf.fr", "bbox.fr", "icloud.com", "me.com", "aol.com", "aol.fr", "gmx.fr", "gmx.com", "protonmail.com",
    "proton.me", "numericable.fr", "club-internet.fr", "yandex.com", "mail.com",
})


def is_webmail(email: str) -> bool:
    """True when the address belongs to a free webmail domain (gmail.com, orange.fr…)."""
    domain = (email or "").rsplit("@", 1)[-1].strip().lower()
    return domain in WEBMAIL_DOMAINS


def mask_email(email: str) -> str:
    """``marie.dupont@ville.fr`` → ``m•••@ville.fr``: tells the voter which address gets the link."""
    if not email or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}•••@{domain}"


class Campaign(index.Indexed, ClusterableModel):
    """A vote campaign: the thématiques proposed to the collectivités, with its dates and status."""

    class Status(models.TextChoices):
        BROUILLON = "brouillon", _("Brouillon")
        OUVERT = "ouvert", _("Ouvert")
        CLOS = "clos", _("Clos")

    title = models.CharField(_("titre"), max_length=255)
    question = models.CharField(_("question"), max_length=255,
                                default="Quelle est la priorité d'action de votre territoire ?")
    opens_at = models.DateTimeField(_("ouverture"), default=timezone.now)
    closes_at = models.DateTimeField(_("clôture"))
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.BROUILLON,
                              db_index=True)
    max_choices = models.PositiveSmallIntegerField(
        _("nombre de thématiques par collectivité"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Combien de thématiques chaque collectivité peut choisir."),
    )
    projet_partage = models.ForeignKey(
        ProjetPartagePage, verbose_name=_("projet partagé issu du vote"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="campaigns",
        help_text=_("Le projet partagé lancé sur la thématique gagnante."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    panels = [
        FieldPanel("title"), FieldPanel("question"),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading=_("Dates")),
        FieldPanel("status"), FieldPanel("max_choices"),
        InlinePanel("propositions", label=_("Thématiques proposées"), min_num=1,
                    help_text=_("Dans l'ordre d'affichage. Pour une campagne tenue avant le site, saisissez "
                                "le nombre de votes et la date du décompte (campagne close uniquement).")),
        FieldPanel("projet_partage"),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title"), index.FilterField("status")]

    class Meta:
        ordering = ["-closes_at", "-pk"]
        verbose_name = _("campagne de vote")
        verbose_name_plural = _("campagnes de vote")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("La clôture doit suivre l'ouverture.")})

    # --- state -----------------------------------------------------------------------------------
    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OUVERT and self.opens_at <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.CLOS or (self.status == self.Status.OUVERT and now >= self.closes_at)

    @property
    def has_manual_results(self) -> bool:
        return any(p.manual_count is not None for p in self.propositions.all())

    def closed_refusal_message(self) -> str:
        if self.status == self.Status.BROUILLON or timezone.now() < self.opens_at:
            return str(_("Le vote n'est pas encore ouvert."))
        return str(_("La campagne « %(title)s » est close : les votes ne sont plus acceptés.") % {"title": self.title})

    # --- results ---------------------------------------------------------------------------------
    def results_summary(self) -> CampaignResults:
        """Counts per thématique (confirmed and validated ballots, plus hand-entered counts), the ones
        awaiting moderation apart, the number of distinct collectivités and the breakdown by échelon.
        Two queries whatever the number of thématiques or ballots (the thématiques' titles only, not
        their pages: the home page's vote block is rebuilt after every publish)."""
        counted = Q(ballots__status__in=Ballot.COUNTED)
        pending = Q(ballots__status=Ballot.Status.A_MODERER)
        propositions = list(
            self.propositions.annotate(n_counted=Count("ballots", filter=counted),
                                       n_pending=Count("ballots", filter=pending),
                                       thematique_title=F("thematique__title"))
            .order_by("sort_order", "pk")
        )
        # The counted ballots by échelon and the ones awaiting moderation, in one GROUP BY.
        by_echelon, pending_collectivites = {}, 0
        for row in (Ballot.objects.filter(campaign=self, status__in=[*Ballot.COUNTED, Ballot.Status.A_MODERER])
                    .values("status", "collectivite__echelon").annotate(n=Count("pk")).order_by()):
            if row["status"] == Ballot.Status.A_MODERER:
                pending_collectivites += row["n"]
            else:
                echelon = row["collectivite__echelon"]
                by_echelon[echelon] = by_echelon.get(echelon, 0) + row["n"]
        rows = []
        for p in propositions:
            count = p.n_counted + (p.manual_count or 0)
            rows.append(ResultRow(label=p.thematique_title or "", count=count, pending=p.n_pending,
                                  manual=p.manual_count is not None, manual_date=p.manual_count_date,
                                  proposition_id=p.pk, thematique_id=p.thematique_id))
        rows.sort(key=lambda r: -r.count)  # stable: ties keep the campaign's order
        total = sum(r.count for r in rows)
        for r in rows:
            r.percent = round(100 * r.count / total, 1) if total else 0
        echelons = [(str(label), by_echelon.get(value, 0)) for value, label in Collectivite.Echelon.choices]
        return CampaignResults(
            rows=rows, total_votes=total, collectivites=sum(by_echelon.values()), echelons=echelons,
            pending_collectivites=pending_collectivites, manual=any(r.manual for r in rows),
            manual_date=max((r.manual_date for r in rows if r.manual_date), default=None),
        )

    def results(self) -> list[tuple[str, int]]:
        """Ordered ``[(label, count)]``, most voted first: what a newsletter edition shows and freezes."""
        return [(r.label, r.count) for r in self.results_summary().rows]

    def winner(self):
        """The winning proposition (a CampaignThematique) once the campaign is closed, else None."""
        if not self.is_closed():
            return None
        rows = self.results_summary().rows
        if not rows or rows[0].count == 0:
            return None
        return self.propositions.select_related("thematique").get(pk=rows[0].proposition_id)

    @classmethod
    def shown(cls, now=None):
        """``(current, next_change)`` at ``now``, from ONE read of the open and closed campaigns (a few
        a year): the campaign the public pages show, and the next moment it or its state changes by
        the clock alone. :meth:`current` and :meth:`next_change` are its two halves."""
        now = now or timezone.now()
        campaigns = list(cls.objects.filter(status__in=[cls.Status.OUVERT, cls.Status.CLOS]).order_by("pk"))
        opened = [c for c in campaigns if c.status == cls.Status.OUVERT]
        running = sorted((c for c in opened if c.opens_at <= now < c.closes_at), key=lambda c: c.closes_at)
        ended = [c for c in campaigns if c.status == cls.Status.CLOS or (c.status == cls.Status.OUVERT
                                                                        and c.closes_at <= now)]
        current = running[0] if running else max(ended, key=lambda c: (c.closes_at, c.pk), default=None)
        moments = [m for c in opened for m in (c.opens_at, c.closes_at) if m > now]
        return current, min(moments, default=None)

    @classmethod
    def next_change(cls, now=None):
        """The next moment an open campaign opens or closes by the clock alone (None when none will).

        What :meth:`current` returns and whether it is open change then, without any save: a page
        fragment showing the vote is kept until that moment at the latest.
        """
        return cls.shown(now)[1]

    @classmethod
    def current(cls):
        """The open campaign (the one closing first), or else the most recently closed one: the one
        the public pages show."""
        return cls.shown()[0]


@dataclass
class ResultRow:
    label: str
    count: int
    pending: int = 0
    manual: bool = False
    manual_date: object = None
    proposition_id: int | None = None
    thematique_id: int | None = None
    percent: float = 0


@dataclass
class CampaignResults:
    rows: list[ResultRow]
    total_votes: int
    collectivites: int
    echelons: list[tuple[str, int]] = field(default_factory=list)
    pending_collectivites: int = 0
    manual: bool = False
    manual_date: object = None

    @property
    def max_count(self) -> int:
        return max((r.count for r in self.rows), default=0) or 1


class CampaignThematique(Orderable):
    """A thématique proposed in a campaign, in order; may carry a hand-entered count for past votes."""

    campaign = ParentalKey(Campaign, on_delete=models.CASCADE, related_name="propositions")
    thematique = models.ForeignKey(ThematiquePage, verbose_name=_("thématique"), on_delete=models.PROTECT,
                                   related_name="vote_propositions")
    manual_count = models.PositiveIntegerField(
        _("votes saisis manuellement"), null=True, blank=True,
        help_text=_("Uniquement pour une campagne tenue avant le site : le nombre de votes décompté."),
    )
    manual_count_date = models.DateField(_("date du décompte"), null=True, blank=True)

    panels = [FieldPanel("thematique"), FieldRowPanel([FieldPanel("manual_count"), FieldPanel("manual_count_date")])]

    class Meta(Orderable.Meta):
        verbose_name = _("thématique proposée")
        verbose_name_plural = _("thématiques proposées")
        constraints = [models.UniqueConstraint(fields=["campaign", "thematique"], name="unique_thematique_par_campagne")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.thematique.title if self.thematique_id else ""

    def clean(self):
        super().clean()
        if self.manual_count is not None and not self.manual_count_date:
            raise ValidationError({"manual_count_date": _("Indiquez la date du décompte saisi manuellement.")})
        campaign = getattr(self, "campaign", None)
        if self.manual_count is not None and campaign is not None and campaign.status != Campaign.Status.CLOS:
            raise ValidationError({"manual_count": _("Seule une campagne close peut porter des résultats saisis manuellement.")})


class Ballot(models.Model):
    """One collectivité's vote in one campaign (at most one: database unique constraint)."""

    class Status(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente de confirmation")
        CONFIRME = "confirme", _("Confirmé")
        A_MODERER = "a_moderer", _("À modérer (messagerie gratuite)")
        VALIDE = "valide", _("Validé")
        ANNULE = "annule", _("Annulé")

    COUNTED = (Status.CONFIRME, Status.VALIDE)

    campaign = models.ForeignKey(Campaign, verbose_name=_("campagne"), on_delete=models.CASCADE, related_name="ballots")
    collectivite = models.ForeignKey(Collectivite, verbose_name=_("collectivité"), on_delete=models.PROTECT,
                                     related_name="ballots")
    choices = models.ManyToManyField(CampaignThematique, verbose_name=_("thématiques choisies"), related_name="ballots",
                                     blank=True)
    email = models.EmailField(_("adresse électronique"), null=True, blank=True,  # noqa: DJ001 — NULL once purged, "" never stored
                              help_text=_("Jamais publiée ; effacée après la durée de conservation."))
    webmail = models.BooleanField(_("messagerie gratuite"), default=False)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.EN_ATTENTE,
                              db_index=True)
    cancel_reason = models.TextField(_("motif d'annulation"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    moderated_at = models.DateTimeField(_("modéré le"), null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("modéré par"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    email_purged_at = models.DateTimeField(_("adresse effacée le"), null=True, blank=True)

    # The admin searches ballots through the ORM: no search-index nor reference-index rows per vote
    # (they cost six queries on every confirmation, and update_index indexed 5,000 of them for nothing).
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "collectivite"], name="un_bulletin_par_collectivite_et_campagne"),
        ]

    def __str__(self):
        return f"{self.collectivite.nom} — {self.campaign.title}"

    @property
    def counts(self) -> bool:
        return self.status in self.COUNTED

    def choices_display(self) -> str:
        return ", ".join(p.label for p in self.choices.all())
    choices_display.short_description = _("thématiques choisies")

    def echelon(self) -> str:
        return self.collectivite.get_echelon_display()
    echelon.short_description = _("échelon")

    def departement(self) -> str:
        return self.collectivite.departement
    departement.short_description = _("département")

    def code(self) -> str:
        return self.collectivite.code
    code.short_description = _("code")


class Candidature(index.Indexed, models.Model):
    """A collectivité's application to join a projet partagé, as partie prenante or observatrice.

    Same identity as the vote: the collectivité's code and an address confirmed by an emailed link.
    An editor accepts or refuses; accepting adds the collectivité to the projet partagé page.
    """

    Role = ProjetPartageCollectivite.Role
    MAX_PARTIES_PRENANTES = 5
    MIN_PARTIES_PRENANTES = 3

    class Status(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente de confirmation")
        A_EXAMINER = "a_examiner", _("À examiner")
        ACCEPTEE = "acceptee", _("Acceptée")
        REFUSEE = "refusee", _("Refusée")

    projet = models.ForeignKey(ProjetPartagePage, verbose_name=_("projet partagé"), on_delete=models.CASCADE,
                               related_name="candidatures")
    collectivite = models.ForeignKey(Collectivite, verbose_name=_("collectivité"), on_delete=models.PROTECT,
                                     related_name="candidatures")
    role = models.CharField(_("rôle souhaité"), max_length=20, choices=ProjetPartageCollectivite.Role.choices)
    motivation = models.TextField(_("motivation"), blank=True)
    email = models.EmailField(_("adresse électronique"), null=True, blank=True)  # noqa: DJ001 — NULL once purged, as Ballot.email
    webmail = models.BooleanField(_("messagerie gratuite"), default=False)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.EN_ATTENTE,
                              db_index=True)
    decision_reason = models.TextField(_("motif de la décision"), blank=True)
    created_at = models.DateTimeField(_("déposée le"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("décidée par"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    search_fields = [
        index.FilterField("status"), index.FilterField("role"),
        index.RelatedFields("collectivite", [index.SearchField("nom"), index.SearchField("code")]),
    ]
    search_auto_update = False  # searched through the ORM in the admin
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("candidature à un projet partagé")
        verbose_name_plural = _("candidatures aux projets partagés")
        constraints = [models.UniqueConstraint(fields=["projet", "collectivite"], name="une_candidature_par_projet")]

    def __str__(self):
        return f"{self.collectivite.nom} — {self.projet.title} ({self.get_role_display()})"


class VotePage(BasePage):
    """The public "Votez pour une thématique" page: the open campaign's form, or the last results."""

    intro = models.TextField(
        _("introduction"), blank=True,
        default="C'est vous qui décidez ! L'ANCT propose d'accompagner les collectivités territoriales autour de "
        "thématiques de politiques publiques jugées prioritaires pour les territoires. Les collectivités votent "
        "selon leurs enjeux. En fonction de leur popularité, un thème est choisi pour faire l'objet d'un projet partagé.",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne affichée"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Vide : la campagne ouverte, sinon la dernière close."),
    )

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("campaign")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1
    show_in_menus_default = True
    card_kicker = _("Vote")
    card_cta_label = _("Votez pour une thématique")

    class Meta:
        verbose_name = _("page de vote")
        verbose_name_plural = _("pages de vote")

    def get_campaign(self):
        return self.campaign or Campaign.current()

    def serve(self, request, *args, **kwargs):
        from .views import serve_vote_page

        return serve_vote_page(self, request)
