from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import index as sitemap_index
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from ressources.feeds import ressources_feed, thematique_feed
from ressources.ics import agenda_ics, evenement_ics

from . import ops, page_chooser, views
from .api import api_router

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Wagtail's page chooser with its per-row reads done in bulk (cms/page_chooser.py), same addresses.
    path("admin/choose-page/", page_chooser.browse, name="wagtailadmin_choose_page"),
    path("admin/choose-page/<int:parent_page_id>/", page_chooser.browse,
         name="wagtailadmin_choose_page_child"),
    path("admin/choose-page/search/", page_chooser.search, name="wagtailadmin_choose_page_search"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Wagtail's sitemap convention for big sites: an index of paginated sections (views.SITEMAPS).
    path("sitemap.xml", sitemap_index, {"sitemaps": views.SITEMAPS, "sitemap_url_name": "sitemap_section"},
         name="sitemap"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": views.SITEMAPS}, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("recherche/", views.search, name="search"),
    path("flux/ressources.xml", ressources_feed, name="feed_ressources"),
    path("flux/thematiques/<slug:slug>.xml", thematique_feed, name="feed_thematique"),
    path("agenda.ics", agenda_ics, name="agenda_ics"),
    path("agenda/<slug:slug>.ics", evenement_ics, name="evenement_ics"),
    path("api/v2/", api_router.urls),
    path("sante/", ops.health, name="health"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("votes/", include("thematiques.vote.urls"))]  # theme vote: confirmation links, autocomplete

# Public forms of the contributions (share an event, contact ANCT), before Wagtail's catch-all.
urlpatterns += [path("", include("ressources.urls"))]
urlpatterns += [path("", include("newsletter.urls"))]  # subscribe, confirm, unsubscribe (RFC 8058)

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "cms.views.page_not_found"
handler500 = "cms.views.server_error"
