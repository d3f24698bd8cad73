"""The newsletter desk's visible header buttons (the edition's edit view, the archive's listing).

Wagtail 8's ``register_page_header_buttons`` hook puts its buttons in the header's « … » dropdown, where
editors did not find them; the page headers' ``actions`` block (wagtailadmin/shared/headers/
page_edit_header.html and page_listing_header.html, overridden in newsletter/templates) renders these
``HeaderButton`` components in front of it, each with its label.
"""
from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.widgets.button import HeaderButton

register = template.Library()

CLASSNAME = "newsletter-desk-button"
# The edit view's four buttons need more room than Wagtail's header leaves (newsletter/static/newsletter/admin.css).
EDIT_CLASSNAME = f"{CLASSNAME} newsletter-desk-button--edit"


def edition_buttons(page, user) -> list:
    from newsletter.exports import can_export

    if not page.pk or not can_export(user, page):
        return []
    export_url = reverse("newsletter_export", args=[page.pk])
    return [
        HeaderButton(_("Aperçu e-mail"), reverse("newsletter_email_preview", args=[page.pk]), icon_name="view", classname=EDIT_CLASSNAME,
                     attrs={"target": "_blank", "rel": "noopener"}, priority=10),
        HeaderButton(_("Vérifier"), f"{export_url}#verifications", icon_name="tasks", classname=EDIT_CLASSNAME, priority=20),
        HeaderButton(_("Exporter"), export_url, icon_name="download", classname=EDIT_CLASSNAME, priority=30),
        HeaderButton(_("Envoi de test"), reverse("newsletter_test_send", args=[page.pk]), icon_name="mail", classname=EDIT_CLASSNAME,
                     priority=40),
    ]


def archive_buttons(page, user) -> list:
    from newsletter.importer.views import can_import

    if not page.pk or not page.permissions_for_user(user).can_add_subpage():
        return []
    buttons = [HeaderButton(_("Nouvelle édition"), reverse("newsletter_new_edition", args=[page.pk]),
                            icon_name="plus", classname=CLASSNAME, priority=10)]
    if can_import(user, page):
        buttons.append(HeaderButton(_("Importer des éditions"), reverse("newsletter_import", args=[page.pk]),
                                    icon_name="upload", classname=CLASSNAME, priority=20))
    return buttons


@register.simple_tag(takes_context=True)
def newsletter_header_buttons(context, page):
    """The desk's buttons for ``page`` (an edition or the archive), for the current user; else none."""
    from newsletter.models import NewsletterIndexPage, NewsletterPage

    request = context.get("request")
    user = getattr(request, "user", None)
    if page is None or user is None:
        return []
    specific_class = page.specific_class
    if specific_class is NewsletterPage:
        return edition_buttons(page, user)
    if specific_class is NewsletterIndexPage:
        return archive_buttons(page, user)
    return []


@register.simple_tag(takes_context=True)
def newsletter_checks_url(context, page):
    """The URL of ``page``'s pre-export checks fragment when it is an edition the user may export, else "".
    (Wagtail's checks side panel shows them: wagtailadmin/shared/side_panels/checks.html.)"""
    from newsletter.exports import can_export
    from newsletter.models import NewsletterPage

    request = context.get("request")
    user = getattr(request, "user", None)
    if page is None or not getattr(page, "pk", None) or user is None or page.specific_class is not NewsletterPage:
        return ""
    if not can_export(user, page):
        return ""
    return reverse("newsletter_checks", args=[page.pk])
