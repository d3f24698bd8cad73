"""Admin registration of the importer (imported by newsletter/wagtail_hooks.py)."""
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from . import views


@hooks.register("register_admin_urls")
def register_import_urls():
    return [path("newsletter/archive/<int:index_id>/importer/", views.import_view, name="newsletter_import")]


@hooks.register("register_page_header_buttons")
def import_header_button(page, user, view_name=None, next_url=None):
    from newsletter.models import NewsletterIndexPage

    if page.specific_class is NewsletterIndexPage and views.can_import(user, page):
        yield Button(_("Importer des éditions"), reverse("newsletter_import", args=[page.pk]), icon_name="upload",
                     priority=60)
