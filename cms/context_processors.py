"""Site chrome shared by every template: partners, main navigation and footer links.

Everything is lazy (nothing is queried unless a template uses it) and each value costs a fixed
number of queries whatever the number of partners or pages, so the chrome adds no N+1.
"""
from django.utils.functional import SimpleLazyObject

from .cache import public_pages


def _partners():
    from .models import Partenaire

    return list(Partenaire.objects.select_related("logo").prefetch_related("logo__renditions"))


def _site(request):
    from wagtail.models import Site

    return Site.find_for_request(request)


def _navigation(request):
    site = _site(request)
    if site is None:
        return []
    return list(public_pages(site.root_page.get_children().live()).in_menu())


def _footer_pages(request):
    from home.models import StandardPage

    site = _site(request)
    if site is None:
        return []
    return list(
        public_pages(StandardPage.objects.live()).descendant_of(site.root_page)
        .filter(show_in_footer=True).order_by("path")
    )


def site_chrome(request):
    return {
        "partners": SimpleLazyObject(_partners),
        "main_navigation": SimpleLazyObject(lambda: _navigation(request)),
        "footer_pages": SimpleLazyObject(lambda: _footer_pages(request)),
    }


def fragment_cache(request):
    """``fragment_seconds``, ``site_cache`` and ``release_cache`` for Wagtail's ``{% wagtailcache %}``
    tags (cms.cache):

        {% wagtailcache fragment_seconds "listings" site_cache %}…{% endwagtailcache %}
        {% wagtailcache fragment_seconds "scripts" release_cache %}…{% endwagtailcache %}

    ``site_cache`` (the site version, scheme, host, day, language) is dropped by every publish;
    ``release_cache`` only by a deployment or a change of the chrome (sites, partners, site
    settings): for fragments that show nothing a publish can change. Computed when a tag reads them.
    """
    from . import cache

    seconds = cache.fragment_seconds() if cache.request_vary(request) is not None else 0
    site, release = cache.request_varies(request)
    return {"fragment_seconds": seconds, "site_cache": site, "release_cache": release}
