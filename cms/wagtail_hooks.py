"""Admin menu for non-page models (wagtail-modeladmin), grouped under one entry."""
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from thematiques.models import Collectivite

from .models import Partenaire


class PartenaireAdmin(ModelAdmin):
    model = Partenaire
    menu_label = _("Partenaires")
    menu_icon = "group"
    list_display = ("name", "short_name", "url", "sort_order")
    search_fields = ("name",)


class CollectiviteAdmin(ModelAdmin):
    model = Collectivite
    menu_label = _("Collectivités")
    menu_icon = "site"
    list_display = ("nom", "code", "echelon", "departement", "region")
    list_filter = ("echelon", "region")
    search_fields = ("nom", "code", "code_insee")


class ReferentielGroup(ModelAdminGroup):
    menu_label = _("Référentiels")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (CollectiviteAdmin, PartenaireAdmin)


modeladmin_register(ReferentielGroup)


@hooks.register("register_admin_viewset")
def register_collectivite_chooser():
    """A searchable chooser replaces the 36 000-option <select> on every ForeignKey to Collectivite."""
    from .admin_choosers import collectivite_chooser_viewset

    return collectivite_chooser_viewset
