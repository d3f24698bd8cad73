"""Newsletter admin: export and test-send buttons, « Nouvelle édition », the list of exports."""
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import ListingButton
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register

from cms.typography import date_fr, size_fr

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
        path("newsletter/<int:page_id>/apercu-email/", views.email_preview_view, name="newsletter_email_preview"),
        path("newsletter/exports/<int:pk>/telecharger/", views.download_export_view,
             name="newsletter_export_download"),
    ]


@hooks.register("register_page_listing_buttons")
def newsletter_listing_buttons(page, user, next_url=None):
    """In the explorer's rows: « Exporter » on an edition, « Nouvelle édition » on the archive.

    (The edit view and the archive's own listing show every desk action as labelled header buttons:
    newsletter/templatetags/newsletter_admin.py.)
    """
    specific_class = page.specific_class
    if specific_class is NewsletterPage and can_export(user, page):
        yield ListingButton(_("Exporter"), reverse("newsletter_export", args=[page.pk]), icon_name="download",
                            priority=30)
    elif specific_class is NewsletterIndexPage and page.permissions_for_user(user).can_add_subpage():
        yield ListingButton(_("Nouvelle édition"), reverse("newsletter_new_edition", args=[page.pk]),
                            icon_name="plus", priority=10)


@hooks.register("insert_global_admin_css")
def newsletter_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("newsletter/admin.css"))


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
    menu_label = _("Newsletter")  # the sidebar is narrow: « Exports de newsletter » was cut
    menu_icon = "mail"
    menu_order = 250
    add_to_settings_menu = False
    permission_helper_class = ExportPermissionHelper
    inspect_view_enabled = True
    list_display = ("edition_title", "tool", "format", "user", "exported_at", "size", "forced_label", "current",
                    "download")
    list_filter = ("tool", "format")
    search_fields = ("edition_title", "subject")
    inspect_view_fields = ("edition_title", "subject", "tool", "format", "user", "created_at", "sha256",
                           "vote_counts", "checks", "forced")

    def exported_at(self, obj):
        return date_fr(obj.created_at, time=True)

    exported_at.short_description = _("Date")
    exported_at.admin_order_field = "created_at"

    def size(self, obj):
        return size_fr(len(obj.html.encode("utf-8")))

    size.short_description = _("Taille du HTML")

    def forced_label(self, obj):
        # Words, not Wagtail's red ✖ for False (it read as an error).
        return _("forcé") if obj.forced else _("non")

    forced_label.short_description = _("Forcé")

    def current(self, obj):
        edition = obj.edition
        if edition is None:
            return _("édition supprimée")
        if obj.revision_id and obj.revision_id == edition.latest_revision_id:
            return _("oui")
        return _("non, l'édition a changé depuis")

    current.short_description = _("À jour ?")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "edition")

    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("newsletter_export_download", args=[obj.pk]),
                           _("Télécharger"))

    download.short_description = _("Fichier")


modeladmin_register(NewsletterExportAdmin)
from .importer import wagtail_hooks as importer_hooks  # noqa: E402,F401  (the archive importer registers its admin view)
