"""Newsletter admin: export and test-send buttons, « Nouvelle édition », the list of exports."""
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register

from . import views
from .exports import can_export
from .models import NewsletterExport, NewsletterIndexPage, NewsletterPage


@hooks.register("register_admin_urls")
def register_newsletter_urls():
    return [
        path("newsletter/<int:page_id>/exporter/", views.export_view, name="newsletter_export"),
        path("newsletter/<int:page_id>/envoi-test/", views.test_send_view, name="newsletter_test_send"),
        path("newsletter/archive/<int:index_id>/nouvelle-edition/", views.new_edition_view,
             name="newsletter_new_edition"),
        path("newsletter/exports/<int:pk>/telecharger/", views.download_export_view,
             name="newsletter_export_download"),
    ]


@hooks.register("register_page_header_buttons")
def newsletter_header_buttons(page, user, view_name=None, next_url=None):
    specific_class = page.specific_class
    if specific_class is NewsletterPage and can_export(user, page):
        yield Button(_("Exporter"), reverse("newsletter_export", args=[page.pk]), icon_name="download", priority=5)
        yield Button(_("Envoi de test"), reverse("newsletter_test_send", args=[page.pk]), icon_name="mail",
                     priority=6)
    elif specific_class is NewsletterIndexPage and page.permissions_for_user(user).can_add_subpage():
        yield Button(_("Nouvelle édition"), reverse("newsletter_new_edition", args=[page.pk]), icon_name="plus",
                     priority=4)


@hooks.register("before_create_page")
def prefill_new_edition(request, parent_page, page_class):
    """Adding an edition from the page tree goes through « Nouvelle édition » (pre-filled)."""
    if page_class is NewsletterPage and request.method == "GET":
        return redirect("newsletter_new_edition", parent_page.pk)
    return None


class ExportPermissionHelper(PermissionHelper):
    """Exports are records: listed and downloaded, never created or edited by hand."""

    def user_can_list(self, user):
        return user.has_perm("wagtailadmin.access_admin")

    def user_can_inspect_obj(self, user, obj):
        return self.user_can_list(user)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return user.is_superuser


class NewsletterExportAdmin(ModelAdmin):
    model = NewsletterExport
    menu_label = _("Exports de newsletter")
    menu_icon = "mail"
    menu_order = 250
    add_to_settings_menu = False
    permission_helper_class = ExportPermissionHelper
    inspect_view_enabled = True
    list_display = ("edition_title", "tool", "format", "user", "created_at", "size", "forced", "download", "campaign")
    list_filter = ("tool", "format")
    search_fields = ("edition_title", "subject")
    inspect_view_fields = ("edition_title", "subject", "tool", "format", "user", "created_at", "sha256",
                           "vote_counts", "checks", "forced", "campaign_id", "campaign_url", "campaign_pushed_at",
                           "campaign_stats")

    def size(self, obj):
        return f"{obj.size_kb} Ko"

    size.short_description = _("Taille du HTML")

    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("newsletter_export_download", args=[obj.pk]),
                           _("Télécharger"))

    download.short_description = _("Fichier")

    def campaign(self, obj):
        """The draft campaign in the tool, with its headline figures once fetched (newsletter/campaigns.py)."""
        if not obj.campaign_id:
            return "—"
        stats = obj.campaign_stats or {}
        figures = ""
        if stats:
            figures = _(" — %(recipients)s destinataires, %(opens)s ouvertures, %(clicks)s clics") % {
                key: "—" if stats.get(key) is None else stats.get(key) for key in ("recipients", "opens", "clicks")}
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>{}', obj.campaign_url or "#",
                           _("Campagne n° %(id)s") % {"id": obj.campaign_id}, figures)

    campaign.short_description = _("Campagne")


modeladmin_register(NewsletterExportAdmin)
from . import campaign_views  # noqa: E402,F401  (campaigns in the mailing tools: own URLs and header buttons)
from .importer import wagtail_hooks as importer_hooks  # noqa: E402,F401  (the archive importer registers its admin view)
