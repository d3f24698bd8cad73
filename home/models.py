"""The home page and the standard pages (mentions légales, accessibilité, données personnelles)."""
from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from cms.blocks import BaseStreamBlock
from cms.cache import cached_route, public_pages, singleton_pages
from cms.cards import for_cards, with_card_renditions
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

    def route(self, request, path_components):
        """Wagtail's routing below the home, kept in the site version (:func:`cms.cache.cached_route`)."""
        return cached_route(self, request, path_components, super().route)

    def get_context(self, request, *args, **kwargs):
        from ressources.models import AgendaIndexPage, EvenementPage, RessourceIndexPage, RessourcePage
        from thematiques.models import ThematiquePage

        context = super().get_context(request, *args, **kwargs)
        # Lazy values: the template's listing fragments are usually served from the cache without them.
        # (Building a ``.public()`` queryset may run a query: inside the lambdas too.)
        context["thematique_du_mois"] = SimpleLazyObject(lambda: (
            public_pages(ThematiquePage.objects.live()).filter(is_thematique_du_mois=True)
            .defer_streamfields().select_related("listing_image").order_by("-last_published_at").first()
        ))
        def latest_and_upcoming():
            """The latest resources and the upcoming events, their pictures' renditions in one query."""
            resources = for_cards(public_pages(RessourcePage.objects.live()).order_by("-publication_date", "-pk")
                                  .select_related("listing_image")[:6])
            events = list(EvenementPage.objects.upcoming(timezone.now()).defer_streamfields()
                          .select_related("listing_image")[:3])
            with_card_renditions(resources + events)
            return resources, events

        listings = SimpleLazyObject(latest_and_upcoming)  # read once, when either list is first shown
        context["latest_resources"] = SimpleLazyObject(lambda: listings[0])
        context["upcoming_events"] = SimpleLazyObject(lambda: listings[1])
        # Their links only, the two read with the vote page in one query (cms.cache.singleton_pages).
        context["library_page"] = SimpleLazyObject(lambda: self._singleton(RessourceIndexPage))
        context["agenda_page"] = SimpleLazyObject(lambda: self._singleton(AgendaIndexPage))
        context["latest_edition"] = SimpleLazyObject(self._latest_edition)
        return context

    def _singleton(self, model):
        page = singleton_pages().get(model)
        return page if page is not None and page.path.startswith(self.path) else None

    def _latest_edition(self):
        from newsletter.models import NewsletterPage

        # Its card only: not the edition's sections (the largest StreamField of the site).
        return (public_pages(NewsletterPage.objects.live()).defer_streamfields().select_related("listing_image")
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
