"""Site chrome shared by every template: partners and main navigation."""
from django.utils.functional import SimpleLazyObject


def _partners():
    from .models import Partenaire

    return list(Partenaire.objects.select_related("logo").all())


def _navigation(request):
    from wagtail.models import Site

    site = Site.find_for_request(request)
    if site is None:
        return []
    root = site.root_page
    return list(root.get_children().live().in_menu().specific())


def site_chrome(request):
    return {
        "partners": SimpleLazyObject(_partners),
        "main_navigation": SimpleLazyObject(lambda: _navigation(request)),
    }
