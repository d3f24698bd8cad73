"""Admin of the contributions: moderation of shared events, contact requests, the dashboard panel."""
from django.contrib.admin import display
from django.urls import re_path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from .contrib import admin_views
from .contrib.models import ContributionEvenement, DemandeContact


class ModerationPermissionHelper(PermissionHelper):
    """Submissions only come from the public forms and are never edited: "change" is the right to moderate."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_moderate(self, user):
        return self.user_has_specific_permission(user, self.get_perm_codename("change"))


class ContributionButtonHelper(ButtonHelper):
    def _button(self, action, obj, label, classnames, title):
        return {"url": self.url_helper.get_action_url(action, obj.pk), "label": label,
                "classname": self.finalise_classname(classnames), "title": title}

    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if obj.status == ContributionEvenement.Status.NOUVELLE and self.permission_helper.user_can_moderate(self.request.user):
            buttons.append(self._button("publier", obj, _("Publier dans l'agenda"), ["button-small"],
                                        _("Créer l'événement dans l'agenda")))
            buttons.append(self._button("refuser", obj, _("Refuser"), ["button-small", "button-secondary", "no"],
                                        _("Refuser en indiquant un motif au contributeur")))
        elif obj.evenement_id:
            buttons.append({"url": reverse("wagtailadmin_pages:edit", args=[obj.evenement_id]),
                            "label": _("Voir l'événement"), "classname": self.finalise_classname(["button-secondary"]),
                            "title": _("Ouvrir la page de l'événement créé")})
        return buttons


class DemandeButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = super().get_buttons_for_obj(obj, exclude, classnames_add, classnames_exclude)
        if self.permission_helper.user_can_moderate(self.request.user):
            label = _("Marquer comme non traitée") if obj.handled else _("Marquer comme traitée")
            buttons.append({"url": self.url_helper.get_action_url("traiter", obj.pk), "label": label,
                            "classname": self.finalise_classname(["button-small"] if not obj.handled
                                                                 else ["button-small", "button-secondary"]),
                            "title": label})
        return buttons


class ContributionEvenementAdmin(ModelAdmin):
    model = ContributionEvenement
    menu_label = _("Événements proposés")
    menu_icon = "date"
    list_display = ("title", "date_display", "organizer", "collectivite", "status_display", "created_at")
    list_filter = ("status", "online", "all_day", "created_at")
    list_select_related = ("collectivite",)
    search_fields = ("title", "organizer", "contact_name", "contact_email", "location")
    ordering = ("-created_at",)
    inspect_view_enabled = True
    inspect_view_fields = ("title", "start", "end", "all_day", "online", "location", "organizer", "collectivite", "url",
                           "description", "contact_name", "contact_email", "consent", "status", "refusal_reason",
                           "evenement", "created_at", "decided_at", "decided_by")
    permission_helper_class = ModerationPermissionHelper
    button_helper_class = ContributionButtonHelper

    @display(description=_("dates"))
    def date_display(self, obj):
        return admin_views.format_dates(obj)

    @display(description=_("statut"))
    def status_display(self, obj):
        colour = {"nouvelle": "warning", "acceptee": "success", "refusee": "critical"}[obj.status]
        return format_html('<span class="w-status w-status--{}">{}</span>', colour, obj.get_status_display())

    def publier_view(self, request, instance_pk):
        return admin_views.AcceptView.as_view(model_admin=self, instance_pk=instance_pk)(request)

    def refuser_view(self, request, instance_pk):
        return admin_views.RefuseView.as_view(model_admin=self, instance_pk=instance_pk)(request)

    def get_admin_urls_for_registration(self):
        return super().get_admin_urls_for_registration() + (
            re_path(self.url_helper.get_action_url_pattern("publier"), self.publier_view,
                    name=self.url_helper.get_action_url_name("publier")),
            re_path(self.url_helper.get_action_url_pattern("refuser"), self.refuser_view,
                    name=self.url_helper.get_action_url_name("refuser")),
        )


class DemandeContactAdmin(ModelAdmin):
    model = DemandeContact
    menu_label = _("Demandes de contact")
    menu_icon = "mail"
    list_display = ("name", "collectivite", "job_title", "thematique", "created_at", "handled")
    list_filter = ("handled", "thematique", "created_at")
    list_select_related = ("thematique",)
    search_fields = ("name", "collectivite", "job_title", "email", "message")
    ordering = ("handled", "-created_at")
    inspect_view_enabled = True
    inspect_view_fields = ("name", "collectivite", "job_title", "email", "thematique", "message", "created_at", "handled",
                           "handled_at", "handled_by")
    permission_helper_class = ModerationPermissionHelper
    button_helper_class = DemandeButtonHelper

    def traiter_view(self, request, instance_pk):
        return admin_views.MarkHandledView.as_view(model_admin=self, instance_pk=instance_pk)(request)

    def get_admin_urls_for_registration(self):
        return super().get_admin_urls_for_registration() + (
            re_path(self.url_helper.get_action_url_pattern("traiter"), self.traiter_view,
                    name=self.url_helper.get_action_url_name("traiter")),
        )


class ContributionsGroup(ModelAdminGroup):
    menu_label = _("Contributions")
    menu_icon = "group"
    menu_order = 250
    items = (ContributionEvenementAdmin, DemandeContactAdmin)


modeladmin_register(ContributionsGroup)


class ContributionsPanel(Component):
    """Dashboard panel: how many proposed events and contact requests wait for the team."""

    name = "contributions"
    order = 90
    template_name = "ressources/contributions/admin/dashboard_panel.html"

    def __init__(self, evenements: int, demandes: int, can_see_evenements: bool, can_see_demandes: bool):
        self.evenements, self.demandes = evenements, demandes
        self.can_see_evenements, self.can_see_demandes = can_see_evenements, can_see_demandes

    def get_context_data(self, parent_context):
        return {
            "evenements": self.evenements, "demandes": self.demandes,
            "can_see_evenements": self.can_see_evenements, "can_see_demandes": self.can_see_demandes,
            "evenements_url": reverse("ressources_contributionevenement_modeladmin_index") + "?status__exact=nouvelle",
            "demandes_url": reverse("ressources_demandecontact_modeladmin_index") + "?handled__exact=0",
        }


@hooks.register("construct_homepage_panels")
def add_contributions_panel(request, panels):
    user = request.user
    can_see_evenements = user.has_perm("ressources.view_contributionevenement")
    can_see_demandes = user.has_perm("ressources.view_demandecontact")
    if not (can_see_evenements or can_see_demandes):
        return
    evenements = ContributionEvenement.objects.filter(status=ContributionEvenement.Status.NOUVELLE).count() \
        if can_see_evenements else 0
    demandes = DemandeContact.objects.filter(handled=False).count() if can_see_demandes else 0
    panels.append(ContributionsPanel(evenements, demandes, can_see_evenements, can_see_demandes))
