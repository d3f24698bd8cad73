"""Site-wide views: search, robots.txt, error pages."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.models import Page, Site

from .search import search_query, search_terms

SEARCH_PER_PAGE = 10
SEARCH_MAX_LENGTH = 200


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def search_pages(request, query):
    """Live, public pages of the current site matching ``query`` (a :func:`cms.search.search_query`),
    most relevant first."""
    site = Site.find_for_request(request)
    pages = Page.objects.live().public()
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    else:
        pages = pages.exclude(depth__lte=1)
    return pages.search(query)


@require_GET
def search(request):
    """The site search page: ``/recherche/?q=<words>&page=<n>`` over every kind of content."""
    raw_query = (request.GET.get("q") or "").strip()
    query = raw_query[:SEARCH_MAX_LENGTH]
    error = ""
    if len(raw_query) > SEARCH_MAX_LENGTH:
        error = _("Votre recherche a été raccourcie à %(n)s caractères.") % {"n": SEARCH_MAX_LENGTH}
    results = []
    terms = search_terms(query)
    if terms:
        results = search_pages(request, search_query(terms))
    paginator = Paginator(results, SEARCH_PER_PAGE)
    try:
        page_obj = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        page_obj = paginator.page(1)
    except EmptyPage:
        page_obj = paginator.page(paginator.num_pages)
    # Specific pages, fetched in one query per page type, so each card knows its kind.
    ids = [p.pk for p in page_obj.object_list] if terms else []
    by_id = {p.pk: p for p in Page.objects.filter(pk__in=ids).specific().select_related(
        "listing_image", for_specific_subqueries=True)} if ids else {}
    specific_results = [by_id[pk] for pk in ids if pk in by_id]
    return TemplateResponse(request, "cms/search.html", {
        "query": query,
        "search_error": error,
        "results": page_obj,
        "specific_results": specific_results,
        "result_count": paginator.count if terms else 0,
        "meta_title": _("Rechercher"),
        "meta_description": _("Rechercher dans les thématiques, ressources, événements et éditions de Territoires en Commun."),
    })


def page_not_found(request, exception=None):
    return HttpResponseNotFound(loader.render_to_string("404.html", {
        "meta_title": _("Page non trouvée"),
    }, request))


def server_error(request):
    # No request and so no context processor: the error may come from the database.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


class PagedSitemap(WagtailSitemap):
    """Wagtail's sitemap of the live pages, in pages of ``limit`` URLs (a bounded response time at any size) (``sitemap-pages.xml?p=2``…):
    the index ``/sitemap.xml`` lists them, so no response grows with the site beyond ``limit``."""

    limit = 100

    def get_latest_lastmod(self):
        """The index's ``<lastmod>``: one aggregate, not Django's default of reading every page."""
        from django.db.models import Max

        return self.items().order_by().aggregate(latest=Max("last_published_at"))["latest"]


SITEMAPS = {"pages": PagedSitemap}
