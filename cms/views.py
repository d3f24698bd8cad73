"""Site-wide views: search, robots.txt, error pages."""
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from wagtail.models import Page


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def search(request):
    query = (request.GET.get("q") or "").strip()[:200]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().exclude(depth__lte=1).specific().search(query, operator="and")
    paginator = Paginator(results, 20)
    try:
        page_obj = paginator.page(request.GET.get("page") or 1)
    except (PageNotAnInteger, EmptyPage):
        page_obj = paginator.page(1)
    return TemplateResponse(request, "cms/search.html", {"query": query, "results": page_obj,
                                                         "result_count": paginator.count if query else 0})


def page_not_found(request, exception=None):
    return HttpResponseNotFound(loader.render_to_string("404.html", {}, request))


def server_error(request):
    # No context processors that touch the database: the error may come from it.
    return HttpResponseServerError(loader.get_template("500.html").render({}))
