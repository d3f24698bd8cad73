"""RSS feeds of the resource library: every resource, and the resources of one thématique.

``/flux/ressources.xml`` and ``/flux/thematiques/<slug>.xml``; every link is absolute (the page's
full URL on its Wagtail site), so feed readers and mailing tools can follow them.

Everything an editor typed is plain text. A ``<description>`` is read as HTML by feed readers, so its
text is HTML-escaped once (then XML-escaped by the feed generator): a chapô ``<img onerror=…>`` shows
as those characters, never as markup. Titles and categories are plain text (XML-escaped only).
Control characters, which XML 1.0 cannot carry, are dropped.
"""
import datetime as dt
import re
from html import escape

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext as _

from thematiques.models import ThematiquePage

from .models import RessourcePage

FEED_SIZE = 30
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def plain(text) -> str:
    """Text an editor typed, without the characters XML cannot carry."""
    return CONTROL_RE.sub("", str(text or ""))


def html_text(text) -> str:
    """Plain text for an element feed readers render as HTML: escaped once."""
    return escape(plain(text), quote=False)


class RessourcesFeed(Feed):
    """The latest resources of every kind."""

    feed_type = Rss201rev2Feed
    language = "fr"

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return _("Territoires en Commun — les dernières ressources")

    def description(self):
        return _("Projets, initiatives, tribunes, concepts et actualités de Territoires en Commun.")

    def link(self):
        library = self._library()
        if library is not None:
            return library.get_full_url(self.request)
        return self.request.build_absolute_uri("/")

    def feed_url(self):
        return self.request.build_absolute_uri(reverse("feed_ressources"))

    def _library(self):
        from .models import RessourceIndexPage

        return RessourceIndexPage.objects.live().public().first()

    def base_queryset(self):
        # The shared RessourcePage rows hold everything an item shows; its kind comes from the content
        # type (no query): no .specific(), whose one query per kind made the feed's queries grow with
        # the number of kinds among its items.
        return RessourcePage.objects.live().public().order_by("-publication_date", "-pk")

    def items(self):
        return list(self.base_queryset()[:FEED_SIZE])

    def item_title(self, item):
        return plain(item.title)

    def item_description(self, item):
        return html_text(item.chapo or item.search_description)

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return item.get_full_url(self.request)

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        if item.publication_date:
            return timezone.make_aware(dt.datetime.combine(item.publication_date, dt.time(9, 0)))
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [plain(item.specific_class.kind_label)]


class ThematiqueRessourcesFeed(RessourcesFeed):
    """The latest resources of one thématique."""

    def get_object(self, request, slug):
        thematique = ThematiquePage.objects.live().public().filter(slug=slug).first()
        if thematique is None:
            raise Http404(_("Thématique introuvable"))
        return thematique

    def title(self, obj):
        return _("Territoires en Commun — %(thematique)s") % {"thematique": plain(obj.title)}

    def description(self, obj):
        return html_text(obj.chapo or _("Les ressources de la thématique %(thematique)s.") % {"thematique": obj.title})

    def link(self, obj):
        return obj.get_full_url(self.request)

    def feed_url(self, obj):
        return self.request.build_absolute_uri(reverse("feed_thematique", args=[obj.slug]))

    def items(self, obj):
        return list(self.base_queryset().filter(thematiques=obj)[:FEED_SIZE])


def ressources_feed(request):
    """View of :class:`RessourcesFeed` (a fresh instance per request: the feed keeps the request)."""
    return RessourcesFeed()(request)


def thematique_feed(request, slug):
    """View of :class:`ThematiqueRessourcesFeed`."""
    return ThematiqueRessourcesFeed()(request, slug=slug)
