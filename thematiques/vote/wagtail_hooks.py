"""Admin of the theme vote (wagtail-modeladmin): a "Votes" menu with campaigns, ballots and applications."""
from urllib.parse import quote

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register
from wagtail_modeladmin.views import IndexView

from . import admin_views
from .models import Ballot, Campaign, Candidature


class CampaignButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if self.request.user.has_perm("thematiques.view_campaign"):
            buttons.insert(0, {
                "url": reverse("thematiques_vote_campaign_results", args=[obj.pk]),
                "label": _("Résultats et exports"), "classname": self.finalise_classname(classnames_add or []),
                "title": _("Résultats de « %(title)s », exports CSV et XLSX") % {"title": obj.title},
            })
        return buttons


class CampaignAdmin(ModelAdmin):
    model = Campaign
    menu_label = _("Campagnes")
    menu_icon = "list-ol"
    list_display = ("title", "status", "opens_at", "closes_at", "winner_display", "manual_display", "projet_partage")
    list_filter = ("status",)
    search_fields = ("title", "question")
    button_helper_class = CampaignButtonHelper

    def winner_display(self, obj):
        winner = obj.winner()
        return winner.label if winner else "—"
    winner_display.short_description = _("thématique gagnante")

    def manual_display(self, obj):
        return _("oui") if obj.has_manual_results else _("non")
    manual_display.short_description = _("résultats saisis manuellement")


class BallotPermissionHelper(PermissionHelper):
    """Ballots come from the public form only: no creation nor free editing in the admin; moderation
    goes through the validate / cancel actions."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False


class BallotButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if not self.request.user.has_perm("thematiques.change_ballot"):
            return buttons
        next_url = self.request.get_full_path()
        cn = self.finalise_classname(classnames_add or [])
        if obj.status in (Ballot.Status.A_MODERER, Ballot.Status.CONFIRME, Ballot.Status.ANNULE):
            buttons.append({"url": reverse("thematiques_vote_ballot_moderate", args=[obj.pk, "valider"]) + "?next=" + quote(next_url),
                            "label": _("Valider"), "classname": cn, "title": _("Valider ce vote")})
        if obj.status != Ballot.Status.ANNULE:
            buttons.append({"url": reverse("thematiques_vote_ballot_moderate", args=[obj.pk, "annuler"]) + "?next=" + quote(next_url),
                            "label": _("Annuler"), "classname": cn + " no", "title": _("Annuler ce vote avec un motif")})
        return buttons


class BallotIndexView(IndexView):
    export_headings = {
        "collectivite__nom": _("Collectivité"), "code": _("Code"), "echelon": _("Échelon"),
        "departement": _("Département"), "campaign__title": _("Campagne"), "choices_display": _("Thématiques choisies"),
        "status_display": _("Statut"), "email": _("Adresse électronique"), "webmail_display": _("Messagerie gratuite"),
        "cancel_reason": _("Motif d'annulation"), "created_at": _("Créé le"), "confirmed_at": _("Confirmé le"),
    }


class BallotAdmin(ModelAdmin):
    model = Ballot
    menu_label = _("Bulletins")
    menu_icon = "tick-inverse"
    list_display = ("collectivite", "code", "echelon", "departement", "campaign", "choices_display", "status",
                    "webmail", "confirmed_at")
    list_filter = ("campaign", "status", "collectivite__echelon", "collectivite__departement")
    search_fields = ("collectivite__nom", "collectivite__code", "collectivite__code_insee")
    list_select_related = ("collectivite", "campaign")
    list_export = ("collectivite__nom", "code", "echelon", "departement", "campaign__title", "choices_display",
                   "status_display", "email", "webmail_display", "cancel_reason", "created_at", "confirmed_at")
    export_filename = "bulletins"
    index_view_class = BallotIndexView
    permission_helper_class = BallotPermissionHelper
    button_helper_class = BallotButtonHelper
    inspect_view_enabled = True
    inspect_view_fields = ("campaign", "collectivite", "status", "email", "webmail", "cancel_reason", "created_at",
                           "confirmed_at", "moderated_at", "moderated_by", "email_purged_at")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices__thematique")

    def status_display(self, obj):
        return obj.get_status_display()
    status_display.short_description = _("statut")

    def webmail_display(self, obj):
        return _("oui") if obj.webmail else _("non")
    webmail_display.short_description = _("messagerie gratuite")


class CandidaturePermissionHelper(PermissionHelper):
    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False


class CandidatureButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if not self.request.user.has_perm("thematiques.change_candidature"):
            return buttons
        cn = self.finalise_classname(classnames_add or [])
        if obj.status == Candidature.Status.A_EXAMINER:
            buttons.append({"url": reverse("thematiques_vote_candidature_decide", args=[obj.pk, "accepter"]),
                            "label": _("Accepter"), "classname": cn, "title": _("Ajouter la collectivité au projet")})
        if obj.status in (Candidature.Status.A_EXAMINER, Candidature.Status.EN_ATTENTE):
            buttons.append({"url": reverse("thematiques_vote_candidature_decide", args=[obj.pk, "refuser"]),
                            "label": _("Refuser"), "classname": cn + " no", "title": _("Refuser avec un motif")})
        return buttons


class CandidatureAdmin(ModelAdmin):
    model = Candidature
    menu_label = _("Candidatures aux projets")
    menu_icon = "group"
    list_display = ("collectivite", "projet", "role", "status", "webmail", "parties_prenantes", "created_at")
    list_filter = ("projet", "status", "role", "collectivite__echelon")
    search_fields = ("collectivite__nom", "collectivite__code")
    list_select_related = ("collectivite", "projet")
    list_export = ("collectivite__nom", "projet__title", "role", "status", "email", "created_at", "decision_reason")
    export_filename = "candidatures"
    permission_helper_class = CandidaturePermissionHelper
    button_helper_class = CandidatureButtonHelper
    inspect_view_enabled = True

    def get_queryset(self, request):
        from thematiques.models import ProjetPartageCollectivite

        taken = (ProjetPartageCollectivite.objects.filter(page_id=OuterRef("projet_id"), role=Candidature.Role.PARTIE_PRENANTE)
                 .order_by().values("page_id").annotate(n=Count("pk")).values("n"))
        return super().get_queryset(request).annotate(pp_taken=Subquery(taken, output_field=IntegerField()))

    def parties_prenantes(self, obj):
        return format_html("{} / {}", getattr(obj, "pp_taken", None) or 0, Candidature.MAX_PARTIES_PRENANTES)
    parties_prenantes.short_description = _("parties prenantes retenues")


class VoteGroup(ModelAdminGroup):
    menu_label = _("Votes")
    menu_icon = "tick-inverse"
    menu_order = 250
    items = (CampaignAdmin, BallotAdmin, CandidatureAdmin)


modeladmin_register(VoteGroup)


@hooks.register("register_admin_urls")
def register_vote_admin_urls():
    return [
        path("votes/campagnes/<int:pk>/resultats/", admin_views.campaign_results,
             name="thematiques_vote_campaign_results"),
        path("votes/campagnes/<int:pk>/projet-partage/", admin_views.campaign_link_projet,
             name="thematiques_vote_campaign_link_projet"),
        path("votes/bulletins/<int:pk>/<str:action>/", admin_views.ballot_moderate,
             name="thematiques_vote_ballot_moderate"),
        path("votes/candidatures/<int:pk>/<str:action>/", admin_views.candidature_decide,
             name="thematiques_vote_candidature_decide"),
    ]
