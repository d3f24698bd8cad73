"""Admin registration of the importer (imported by newsletter/wagtail_hooks.py)."""
from django.urls import path
from wagtail import hooks

from . import views


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("newsletter/archive/<int:index_id>/importer/", views.import_view, name="newsletter_import"),
        path("newsletter/import/<int:job_id>/etat/", views.import_status_view, name="newsletter_import_status"),
    ]

# « Importer des éditions » is a labelled header button of the archive (newsletter/templatetags/newsletter_admin.py).
