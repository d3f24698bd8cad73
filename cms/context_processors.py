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


def _chrome_pages(request) -> tuple[list, list]:
    """``(menu, footer links)``: the site root's live children shown in menus, and the standard pages
    below the root marked for the footer, both public, in tree order.

    One query for both, reading only what a link shows (title and URL): the chrome's page fragments
    are what every page rebuilds first after a publish.
    """
    from django.db.models import Exists, OuterRef, Q
    from wagtail.models import Page

    from home.models import StandardPage

    site = _site(request)
    if site is None:
        return [], []
    root = site.root_page
    in_footer = Exists(StandardPage.objects.filter(pk=OuterRef("pk"), show_in_footer=True))
    pages = list(
        public_pages(Page.objects.live().descendant_of(root)).annotate(in_footer=in_footer)
        .filter(Q(depth=root.depth + 1, show_in_menus=True) | Q(in_footer=True))
        .only("id", "title", "slug", "path", "depth", "url_path", "locale_id", "content_type_id", "live",
              "show_in_menus")
        .order_by("path")
    )
    menu = [p for p in pages if p.depth == root.depth + 1 and p.show_in_menus]
    return menu, [p for p in pages if p.in_footer]


def site_chrome(request):
    chrome = SimpleLazyObject(lambda: _chrome_pages(request))  # one query for the two, when first read
    return {
        "partners": SimpleLazyObject(_partners),
        "main_navigation": SimpleLazyObject(lambda: chrome[0]),
        "footer_pages": SimpleLazyObject(lambda: chrome[1]),
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
