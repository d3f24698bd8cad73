"""Find the pages an imported card already corresponds to: by URL on the site, then by
``external_url`` (UTM stripped), then by normalised title. Built once per file, inside its
transaction, so that it sees the pages the previous files of the same run created."""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from wagtail.models import Page, Site

from .cleaning import comparable_url, normalise_title


def site_hosts() -> set[str]:
    hosts = set()
    for url in (getattr(settings, "SITE_BASE_URL", ""), getattr(settings, "WAGTAILADMIN_BASE_URL", "")):
        host = (urlsplit(url).hostname or "").lower()
        if host:
            hosts.add(host)
    for hostname in Site.objects.values_list("hostname", flat=True):
        hosts.add(hostname.lower())
    return hosts


class PageIndex:
    """What the database holds that a card can be matched with."""

    def __init__(self):
        from ressources.models import EvenementPage, RessourcePage
        from thematiques.models import ThematiquePage

        self.hosts = site_hosts()
        self.site_roots = list(Site.objects.select_related("root_page").values_list("root_page__url_path", flat=True))
        self.by_external: dict[str, int] = {}
        self.by_title: dict[str, list[tuple[int, type]]] = {}
        for model, link_field in ((RessourcePage, "external_url"), (EvenementPage, "registration_url"),
                                  (ThematiquePage, None)):
            fields = ["pk", "title"] + ([link_field] if link_field else [])
            for row in model.objects.values_list(*fields):
                if link_field and row[2]:
                    self.by_external.setdefault(comparable_url(row[2]), row[0])
                self.by_title.setdefault(normalise_title(row[1]), []).append((row[0], model))

    def is_site_url(self, url: str) -> bool:
        try:
            return (urlsplit(url).hostname or "").lower() in self.hosts
        except ValueError:
            return False

    def page_for_site_url(self, url: str) -> Page | None:
        try:
            path = urlsplit(url).path or "/"
        except ValueError:
            return None
        path = "/" + path.strip("/") + "/" if path.strip("/") else "/"
        candidates = [root.rstrip("/") + path for root in self.site_roots]
        return Page.objects.filter(url_path__in=candidates).specific().first()

    def page_for_external(self, url: str) -> Page | None:
        pk = self.by_external.get(comparable_url(url))
        if pk is None:
            return None
        return Page.objects.filter(pk=pk).specific().first()

    def page_for_title(self, title: str, allowed: tuple = ()) -> Page | None:
        for pk, _model in self.by_title.get(normalise_title(title), []):
            page = Page.objects.filter(pk=pk).specific().first()
            if page is None:
                continue
            if not allowed or isinstance(page, allowed):
                return page
        return None

    def remember(self, page, external: str = "") -> None:
        if external:
            self.by_external.setdefault(comparable_url(external), page.pk)
        self.by_title.setdefault(normalise_title(page.title), []).append((page.pk, type(page)))
