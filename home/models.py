"""The home page and the standard pages (mentions légales, accessibilité, données personnelles)."""
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.models import BasePage


class HomePage(BasePage):
    """The site's home: thématique du mois, latest resources, upcoming events, the vote, the latest edition."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request, *args, **kwargs):
        from ressources.models import AgendaIndexPage, EvenementPage, RessourceIndexPage, RessourcePage
        from thematiques.models import ThematiquePage

        context = super().get_context(request, *args, **kwargs)
        # Lazy values: the template's listing fragments are usually served from the cache without them.
        # (Even building a ``.public()`` queryset runs a query: inside the lambdas too.)
        context["thematique_du_mois"] = SimpleLazyObject(lambda: (
            ThematiquePage.objects.live().public().filter(is_thematique_du_mois=True)
            .select_related("listing_image").order_by("-last_published_at").first()
        ))
        context["latest_resources"] = SimpleLazyObject(lambda: (
            RessourcePage.objects.live().public().order_by("-date_publication", "-pk")
            .specific().select_related("listing_image", for_specific_subqueries=True)[:6]
        ))
        context["upcoming_events"] = SimpleLazyObject(
            lambda: EvenementPage.objects.upcoming(timezone.now()).select_related("listing_image")[:3])
        context["library_page"] = SimpleLazyObject(lambda: RessourceIndexPage.objects.live().descendant_of(self).first())
        context["agenda_page"] = SimpleLazyObject(lambda: AgendaIndexPage.objects.live().descendant_of(self).first())
        context["latest_edition"] = SimpleLazyObject(self._latest_edition)
        return context

    def route(self, request, path_components):
        """Find the requested page from its whole path in one query.

        Wagtail's default walks down the tree with two queries per level (the child by slug, then
        its specific row); no page type of this site routes its own sub-paths, so the page whose
        ``url_path`` is this page's plus the requested path is the page Wagtail would find. A page
        type that overrides ``route`` (or a path matching no page) gets Wagtail's own walk.
        """
        from django.http import Http404
        from wagtail.models import Page

        if not path_components or _custom_routing():
            return super().route(request, path_components)
        from django.conf import settings

        from cms.cache import fragment_key, get_fragment, set_fragment

        url_path = self.url_path + "/".join(path_components) + "/"
        # The page, kept in the site generation like the fragments: publishing, unpublishing,
        # moving or deleting any page drops it. Unknown paths are not kept (no cache flooding).
        use_cache = getattr(settings, "FRAGMENT_CACHE_ENABLED", True) and not getattr(request, "is_preview", False)
        key = fragment_key("route", self.pk, url_path) if use_cache else None
        page = get_fragment(key) if key else None
        if page is None:
            found = list(Page.objects.filter(url_path=url_path, path__startswith=self.path)[:2])
            if len(found) != 1:
                return super().route(request, path_components)
            page = found[0].specific
            if key:
                set_fragment(key, page)
        if not page.live:
            raise Http404
        from wagtail.url_routing import RouteResult

        return RouteResult(page)

    def _latest_edition(self):
        from newsletter.models import NewsletterPage

        return (NewsletterPage.objects.live().public().select_related("listing_image")
                .order_by("-date", "-number", "-pk").first())


class StandardPage(BasePage):
    """A plain page: mentions légales, déclaration d'accessibilité, données personnelles."""

    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("corps"))
    show_in_footer = models.BooleanField(_("lien dans le pied de page"), default=True)

    content_panels = BasePage.content_panels + [FieldPanel("body")]
    promote_panels = BasePage.promote_panels + [FieldPanel("show_in_footer")]
    search_fields = BasePage.search_fields + [index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("page standard")
        verbose_name_plural = _("pages standard")


_CUSTOM_ROUTING = []


def _custom_routing() -> bool:
    """Whether a page type below the home page routes sub-paths itself (computed once)."""
    if not _CUSTOM_ROUTING:
        from wagtail.models import Page, get_page_models

        _CUSTOM_ROUTING.append(any(model.route is not Page.route for model in get_page_models()
                                   if model is not HomePage))
    return _CUSTOM_ROUTING[0]
