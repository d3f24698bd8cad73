"""Newsletter admin: export and test-send buttons, « Nouvelle édition », the list of exports."""
from django.contrib.admin import SimpleListFilter
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import ListingButton
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register

from cms.typography import date_fr, size_fr

from . import subscriber_admin, views
from .exports import can_export
from .models import NewsletterExport, NewsletterIndexPage, NewsletterPage, Subscriber


@hooks.register("register_admin_urls")
def register_newsletter_urls():
    return [
        path("newsletter/<int:page_id>/exporter/", views.export_view, name="newsletter_export"),
        path("newsletter/<int:page_id>/envoi-test/", views.test_send_view, name="newsletter_test_send"),
        path("newsletter/archive/<int:index_id>/nouvelle-edition/", views.new_edition_view,
             name="newsletter_new_edition"),
        path("newsletter/<int:page_id>/apercu-email/", views.email_preview_view, name="newsletter_email_preview"),
        path("newsletter/<int:page_id>/verifications/", views.checks_fragment_view, name="newsletter_checks"),
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


@hooks.register("insert_editor_js")
def newsletter_editor_js():
    """The edit view: follow a check's link to its block (opens the collapsed panels on the way, moves the
    focus there) and load the pre-export checks into Wagtail's checks side panel."""
    return format_html('<script src="{}" defer></script>', static("newsletter/desk-checks.js"))


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def prepare_renditions_after_save(request, page):
    """The edition's pictures are made by the worker after each save, before anyone exports it."""
    if isinstance(page.specific, NewsletterPage):
        from cms.tasks import enqueue

        from .tasks import prepare_edition_renditions

        enqueue(prepare_edition_renditions, page_id=page.pk)


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
                    "download", "campaign")
    list_filter = ("tool", "format")
    search_fields = ("edition_title", "subject")
    inspect_view_fields = ("edition_title", "subject", "tool", "format", "user", "created_at", "sha256",
                           "vote_counts", "checks", "forced", "campaign_id", "campaign_url", "campaign_pushed_at",
                           "campaign_stats")

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


# --- subscribers -------------------------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_subscriber_urls():
    return [
        path("newsletter/abonnes/export.csv", subscriber_admin.export_view, name="newsletter_subscribers_export"),
        path("newsletter/abonnes/import/", subscriber_admin.import_view, name="newsletter_subscribers_import"),
        path("newsletter/abonnes/synchroniser/", subscriber_admin.sync_view, name="newsletter_subscribers_sync"),
    ]


class SubscriberPermissionHelper(PermissionHelper):
    """Subscribers come from the form or an import: never created nor edited by hand; deleted on request."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False


class SyncErrorFilter(SimpleListFilter):
    title = _("erreur de synchronisation")
    parameter_name = "erreur"

    def lookups(self, request, model_admin):
        return [("oui", _("avec une erreur")), ("non", _("sans erreur"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.exclude(sync_error="")
        if self.value() == "non":
            return queryset.filter(sync_error="")
        return queryset


class SubscriberAdmin(ModelAdmin):
    model = Subscriber
    menu_label = _("Abonnés à la newsletter")
    menu_icon = "group"
    menu_order = 251
    add_to_settings_menu = False
    permission_helper_class = SubscriberPermissionHelper
    inspect_view_enabled = True
    index_template_name = "newsletter/admin/subscriber_index.html"
    list_display = ("email", "status", "sync_status", "short_sync_error", "created_at", "confirmed_at", "source")
    list_filter = ("status", "sync_status", SyncErrorFilter, "source", "synced_tool")
    search_fields = ("email",)
    inspect_view_fields = ("email", "first_name", "status", "source", "source_url", "created_at", "confirmed_at",
                           "unsubscribed_at", "consent_at", "consent_version", "consent_ip_hash", "sync_status",
                           "sync_error", "sync_attempts", "synced_at", "synced_tool", "provider_contact_id")

    def short_sync_error(self, obj):
        return Truncator(obj.sync_error).chars(80)

    short_sync_error.short_description = _("Dernière erreur")


modeladmin_register(SubscriberAdmin)
from . import campaign_views  # noqa: E402,F401  (campaigns in the mailing tools: own URLs and header buttons)
from .importer import wagtail_hooks as importer_hooks  # noqa: E402,F401  (the archive importer registers its admin view)
