"""The site's caches, on Django's and Wagtail's public parts, and their one invalidation.

Three layers, all dropped together by :func:`invalidate_site_cache`:

* whole anonymous responses, :class:`AnonymousPageCacheMiddleware`, in the ``pages`` alias
  (``cms.cache_backends.LocalThenShared``: this process's memory in front of Redis);
* template fragments and computed values of cold pages, Django's ``{% cache %}`` through Wagtail's
  ``{% wagtailcache %}`` / ``{% wagtailpagecache %}`` and :func:`cached_value`, in the
  ``template_fragments`` cache alias (``cms.cache_backends.LocalThenShared``: this process's
  memory in front of Redis);
* the CDN, told how long to keep a page by ``Cache-Control: public, max-age=0, s-maxage=…`` and
  purged through Wagtail's frontend cache (``PurgeBatch``).

What is cached: ``GET`` responses with status 200 to a visitor who has no session and no pending
message, outside the admin, that set no cookie (a page with a form sets the CSRF cookie, a page
showing a message deletes the messages cookie: neither is ever stored) and that do not say
``private`` / ``no-store``. Logged-in users, previews and drafts (served under ``/admin/``) are never
cached.

Invalidation is site-wide and immediate: every key carries the *site version* (a number kept in the
shared cache, read once per request) or its *release* (its high bits: fragments that show no page,
and cards keyed by what they show, which a publish cannot change; moved by a deployment and by
site, partner or site-settings changes); :func:`invalidate_site_cache` increments it, and when the
transaction commits, increments it again and purges from the CDN every page URL of the site (plus
the old URLs of pages that were unpublished, moved or deleted): the CDN drops the same set of pages
as Redis. It runs when a page is published, unpublished, moved or deleted, when site settings,
partners, sites, collectivités or view restrictions change, and when a vote count changes. A page shows cards of
other pages (the home lists the latest resources, a thématique its events), so per-URL purging would
miss most of the pages a change shows on.
"""
from __future__ import annotations

import contextvars
import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
# The generation's high bits are the *release*: what a publish cannot change (the chrome's static
# parts, a card keyed by what it shows) is kept per release; a publish adds 1 (the low bits), a
# deployment, a site, partner or site-settings change moves to the next release (docs/decisions.md,
# "What a publish keeps").
RELEASE_SHIFT = 20
HIT_HEADER = "X-Cache"
MESSAGES_COOKIE = "messages"


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


# The generation read at the start of the current request, so that a page's fragments cost one
# cache round trip between them, not one each (set by AnonymousPageCacheMiddleware, reset by _bump).
_request_generation: contextvars.ContextVar[list | None] = contextvars.ContextVar("tec_generation", default=None)


def _fresh_generation() -> int:
    """A generation no earlier cache content can have had: nanoseconds since the epoch.

    A flushed or restarted cache starts again from here, far above any value the old one reached by
    increments (each increment takes longer than a nanosecond), so neither Redis nor a process's
    local copy (``fragments-local``) ever revives an entry of an older generation.
    """
    return time.time_ns()


def current_generation() -> int:
    memo = _request_generation.get()
    if memo is not None and memo[0] is not None:
        return memo[0]
    cache = _cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = _fresh_generation()
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY) or generation
    if memo is not None:
        memo[0] = generation
    return generation


def current_release() -> int:
    """The release part of the site version: moved by :func:`invalidate_site_cache` with ``everything``."""
    return current_generation() >> RELEASE_SHIFT


class generation_scope:
    """Read the generation at most once inside the block (one request), unless it is bumped there."""

    def __enter__(self):
        self._token = _request_generation.set([None])

    def __exit__(self, *exc):
        _request_generation.reset(self._token)


def _bump(everything: bool = False) -> None:
    """Move the site version by one, or (``everything``) to the start of the next release.

    Both are one atomic ``incr``: concurrent bumps only add up, so the version never goes back.
    A release step adds at most 2**RELEASE_SHIFT (about a millisecond in nanoseconds), far less
    than the deployment or admin save that asks for it takes: a flushed cache, started again from
    ``time.time_ns()``, still starts above anything reached before.
    """
    memo = _request_generation.get()
    if memo is not None:
        memo[0] = None  # this request changed the site: read the new generation next time
    cache = _cache()
    try:
        if everything:
            generation = cache.get(GENERATION_KEY)
            if generation is None:
                raise ValueError
            cache.incr(GENERATION_KEY, (1 << RELEASE_SHIFT) - (generation & ((1 << RELEASE_SHIFT) - 1)))
        else:
            cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or the cache was flushed): start a fresh one
        cache.set(GENERATION_KEY, _fresh_generation(), None)


_pending = threading.local()  # URLs to purge when this thread's transaction commits


def invalidate_site_cache(pages=(), everything: bool = False) -> None:
    """Drop every cached page and fragment now, and again when the current transaction commits,
    then purge the CDN of every page URL of the site and of ``pages`` (pages about to lose their
    URL: unpublished, deleted, moved, whose current URLs are added now).

    What a publish cannot change is kept (the release's fragments and cards, keyed by what they
    show): ``everything=True`` drops those too, for a change of what they show outside any page
    (the site's hostname or root, the partners, the site settings) or of the code (migrate).

    The second bump closes the window where a request reads the old rows between the first bump
    and the commit, and caches them under the new version; the CDN is purged after the commit for
    the same reason. Many invalidations in one transaction make one purge.
    """
    _bump(everything)
    urls = getattr(_pending, "urls", None)
    if urls is None:
        urls = _pending.urls = set()
        _pending.everything = False
    _pending.everything = _pending.everything or everything
    if pages and _cdn_backends():
        for page in pages:
            try:
                urls.update(_page_urls(page))
            except Exception as exc:  # noqa: BLE001 - a page without a URL (no site) has nothing to purge
                logger.debug("Pas d'adresse à purger pour %r : %s", page, exc)
    transaction.on_commit(_after_commit)


def _after_commit() -> None:
    urls = getattr(_pending, "urls", None)
    if urls is None:  # another callback of the same commit already did it
        return
    _pending.urls = None
    _bump(getattr(_pending, "everything", False))
    if _cdn_backends():
        try:
            purge_site_from_cdn(urls)
        except Exception as exc:  # noqa: BLE001 - a CDN outage must not fail a publish (s-maxage bounds it)
            logger.warning("Purge du CDN impossible : %s", exc)


def _cdn_backends() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None) or getattr(
        settings, "WAGTAILFRONTENDCACHE_LOCATION", None))


def _page_urls(page) -> set[str]:
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    batch = PurgeBatch()
    batch.add_page(page)
    return batch.urls


def site_purge_batch(extra_urls=()):
    """The ``PurgeBatch`` of what a site-wide drop invalidates: every live page's URLs, and ``extra_urls``."""
    from wagtail.contrib.frontend_cache.utils import PurgeBatch
    from wagtail.models import Page

    batch = PurgeBatch(extra_urls)
    batch.add_pages(Page.objects.live().filter(depth__gt=1).specific(defer=True).iterator())
    return batch


def purge_site_from_cdn(extra_urls=()) -> None:
    site_purge_batch(extra_urls).purge()


def _signal_handler(*args, **kwargs):
    invalidate_site_cache()


def _everything_handler(*args, **kwargs):
    """A change every page shows outside its content (chrome, URLs): the release goes too."""
    invalidate_site_cache(everything=True)


def _page_leaving_handler(sender, instance, **kwargs):
    """A page unpublished or deleted: its URL goes out of the live set, purge it too."""
    invalidate_site_cache(pages=[instance])


def _page_created_handler(sender, instance, created=False, **kwargs):
    """A page added to the tree: its parent's children changed (the kept site root and routed pages
    hold their ``numchild``, which treebeard reads before listing children), even before a publish."""
    if created:
        invalidate_site_cache()


def _page_moving_handler(sender, instance, **kwargs):
    """Before a move: the page's and its descendants' old URLs, purged with the site after the move."""
    if _cdn_backends():
        invalidate_site_cache(pages=list(instance.get_descendants(inclusive=True).live()))


def _migrated(sender, **kwargs):
    if sender.name == "cms":  # post_migrate is sent once per application: bump once
        try:
            _bump(everything=True)
        except Exception as exc:  # noqa: BLE001 - a cache down at deploy time must not fail migrate
            logger.warning("Cache injoignable après migrate : fragments non invalidés (%s)", exc)


def _settings_saved(sender, created=False, **kwargs):
    # Site settings are created with their defaults on first read, during a page render: nothing
    # visible changes then, and invalidating would make the first render never cached.
    if not created:
        invalidate_site_cache(everything=True)


def connect_signals() -> None:
    """Invalidate on every change a cached page can show. Called from ``CmsConfig.ready``."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Page, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

    from .models import Partenaire, SiteSettings

    page_published.connect(_signal_handler, dispatch_uid="pagecache_published")
    # A deployment runs migrate: fragments rendered by the previous release's templates go with it.
    from django.db.models.signals import post_migrate

    post_migrate.connect(_migrated, dispatch_uid="pagecache_migrated")
    # A site's hostname or root page changes every URL.
    post_save.connect(_everything_handler, sender=Site, dispatch_uid="pagecache_save_site")
    post_delete.connect(_everything_handler, sender=Site, dispatch_uid="pagecache_del_site")
    # Making a page private (or public again) changes which pages listings may show.
    from wagtail.models import PageViewRestriction

    post_save.connect(_signal_handler, sender=PageViewRestriction, dispatch_uid="pagecache_save_restriction")
    post_delete.connect(_signal_handler, sender=PageViewRestriction, dispatch_uid="pagecache_del_restriction")
    page_unpublished.connect(_page_leaving_handler, dispatch_uid="pagecache_unpublished")
    pre_page_move.connect(_page_moving_handler, dispatch_uid="pagecache_moving")
    post_page_move.connect(_signal_handler, dispatch_uid="pagecache_moved")
    for model in [m for m in apps.get_models() if issubclass(m, Page)]:
        post_delete.connect(_page_leaving_handler, sender=model,
                            dispatch_uid=f"pagecache_delete_{model._meta.label}")
        post_save.connect(_page_created_handler, sender=model, dispatch_uid=f"pagecache_create_{model._meta.label}")
    post_save.connect(_settings_saved, sender=SiteSettings, dispatch_uid="pagecache_save_sitesettings")
    # Partners and site settings show in the chrome of every page (release fragments); collectivités
    # in the library's territory filters, kept in the release too (a publish cannot change them), and
    # in pages (a territory's name): a rare change (an admin save, a yearly import) that drops both.
    from thematiques.models import Collectivite

    for model in (Partenaire, Collectivite):
        post_save.connect(_everything_handler, sender=model, dispatch_uid=f"pagecache_save_{model._meta.label}")
    for model in (Partenaire, SiteSettings, Collectivite):
        post_delete.connect(_everything_handler, sender=model, dispatch_uid=f"pagecache_del_{model._meta.label}")
    # Vote counts shown on public pages (the vote, issue 4), and anything else listed in settings.
    for label in getattr(settings, "PAGE_CACHE_INVALIDATING_MODELS", []):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(_signal_handler, sender=model, dispatch_uid=f"pagecache_save_{label}")
        post_delete.connect(_signal_handler, sender=model, dispatch_uid=f"pagecache_del_{label}")
        for m2m in model._meta.local_many_to_many:  # a ballot's choices are counts too
            through = m2m.remote_field.through
            m2m_changed.connect(_signal_handler, sender=through, dispatch_uid=f"pagecache_m2m_{label}_{m2m.name}")


class AnonymousPageCacheMiddleware:
    """Serve and store whole responses for anonymous visitors (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .cache_backends import deferred_shared_writes

        with generation_scope(), deferred_shared_writes():
            return self._respond(request)

    def _respond(self, request):
        if not self._is_anonymous_get(request):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES and "Cache-Control" not in response:
                # Pages for logged-in users must never be kept by a CDN or a proxy.
                patch_cache_control(response, private=True)
            return response
        key = self._key(request) if getattr(settings, "PAGE_CACHE_ENABLED", True) else None
        if key is not None:
            # The site version (one small read of the shared cache), then the page kept in that
            # version: this process's copy if it has one, else the shared one (``pages`` alias,
            # cms.cache_backends). Most hits move no page through Redis; a publish anywhere moves the
            # version, so no process serves its old copy.
            generation = _cache().get(GENERATION_KEY)
            if generation is not None:
                _request_generation.get()[0] = generation
                cached = _pages().get(key, version=generation)
                if cached is not None and cached[0] == generation:
                    return self._rebuild(cached[1:])
        response = self.get_response(request)
        if self._is_storable(response):
            # The CDN keeps what this cache would keep (and is purged with it), the page cache on or off.
            self._add_shared_cache_header(response)
            if key is not None:
                headers = [(k, v) for k, v in response.items()]
                # The version read when the request began (or after its own change): a publish while
                # it rendered moved the version, and this copy will not be served.
                generation = current_generation()
                _pages().set(key, (generation, response.status_code, headers, response.content),
                             settings.PAGE_CACHE_SECONDS, version=generation)
                response[HIT_HEADER] = "MISS"
        return response

    @staticmethod
    def _is_anonymous_get(request) -> bool:
        if request.method != "GET" or request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)):
            return False
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
            return False
        return "HTTP_AUTHORIZATION" not in request.META

    @staticmethod
    def _key(request) -> str | None:
        full_path = request.get_full_path()
        if len(full_path) > 1000:
            return None
        try:
            host = request.get_host()
        except DisallowedHost:
            return None
        digest = hashlib.sha256(f"{request.scheme}://{host}{full_path}".encode()).hexdigest()
        return f"pagecache:{digest}"  # in the site version (the key's Django cache version)

    @staticmethod
    def _is_storable(response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        cache_control = response.get("Cache-Control", "").lower()
        return not any(word in cache_control for word in ("private", "no-store", "no-cache"))

    @staticmethod
    def _add_shared_cache_header(response) -> None:
        cdn_seconds = getattr(settings, "PAGE_CACHE_CDN_SECONDS", 0)
        if cdn_seconds and "Cache-Control" not in response:
            patch_cache_control(response, public=True, max_age=0, s_maxage=cdn_seconds)

    @staticmethod
    def _rebuild(cached) -> HttpResponse:
        status, headers, content = cached
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response[HIT_HEADER] = "HIT"
        return response


def request_vary(request) -> str | None:
    """What a fragment rendered for ``request`` is kept for (its scheme and host: page URLs, the
    menu and absolute links depend on them), or None when it must be rendered afresh: fragments
    turned off, a preview, or a host Django refuses. Without a request: ``""``."""
    if not getattr(settings, "FRAGMENT_CACHE_ENABLED", True) or getattr(request, "is_preview", False):
        return None
    if request is None:
        return ""
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return None


FRAGMENTS_ALIAS = "template_fragments"  # the alias Django's {% cache %} (and Wagtail's tags) use
PAGES_ALIAS = "pages"  # whole anonymous pages: this process's memory, then the shared cache


def _fragments():
    try:
        return caches[FRAGMENTS_ALIAS]
    except InvalidCacheBackendError:
        return _cache()


def _pages():
    try:
        return caches[PAGES_ALIAS]
    except InvalidCacheBackendError:
        return _cache()


def fragment_seconds() -> int:
    """How long a fragment is kept (0 when fragments are turned off: Django's cache keeps nothing)."""
    if not getattr(settings, "FRAGMENT_CACHE_ENABLED", True):
        return 0
    return int(getattr(settings, "FRAGMENT_CACHE_SECONDS", settings.PAGE_CACHE_SECONDS))


def fragment_vary(request) -> str:
    """What every template fragment varies on, the site version first (see ``site_cache`` in the
    templates): the request's scheme and host (page URLs, absolute links), the day (upcoming
    events, dates in words) and the language. ``"off"`` when the fragment must be rendered afresh
    (the context's ``fragment_seconds`` is then 0)."""
    from django.utils import timezone, translation

    host = request_vary(request)
    if host is None:
        return "off"
    return f"v{current_generation()}|{host}|{timezone.localdate().isoformat()}|{translation.get_language() or ''}"


def request_varies(request):
    """``(site_cache, release_cache)``: two lazy strings for one request, whose scheme, host, day
    and language are computed once (the version is read at each use, once per request from the
    shared cache: a request that changes the site sees its new version)."""
    from django.utils import timezone, translation

    parts = []

    def suffix():
        if not parts:
            host = request_vary(request)
            parts.append(None if host is None else
                         f"{host}|{timezone.localdate().isoformat()}|{translation.get_language() or ''}")
        return parts[0]

    def site():
        rest = suffix()
        return "off" if rest is None else f"v{current_generation()}|{rest}"

    def release():
        rest = suffix()
        return "off" if rest is None else f"r{current_release()}|{rest}"

    return _VaryString(site), _VaryString(release)


class _VaryString:
    """A string computed at each use (``str()``), as ``{% cache %}`` reads its ``vary_on``."""

    __slots__ = ("_compute",)

    def __init__(self, compute):
        self._compute = compute

    def __str__(self):
        return self._compute()


def _key(name: str, vary: tuple) -> str:
    from django.utils import translation

    digest = hashlib.sha256(repr(vary).encode()).hexdigest()[:32]
    return f"value:{translation.get_language() or ''}:{name}:{digest}"


def cached_value(name: str, vary: tuple, compute):
    """``compute()``, kept in the fragments' cache, in the current site version, for ``fragment_seconds()``."""
    if not getattr(settings, "FRAGMENT_CACHE_ENABLED", True):
        return compute()
    cache, key, version = _fragments(), _key(name, vary), current_generation()
    value = cache.get(key, version=version)
    if value is None:
        value = compute()
        cache.set(key, value, fragment_seconds(), version=version)
    return value


def cached_in_release(name: str, vary: tuple, compute):
    """``compute()`` kept in the current *release* (not dropped by a publish): ``vary`` must hold
    everything the value shows that a publish can change (a card's own fields, for instance)."""
    if not getattr(settings, "FRAGMENT_CACHE_ENABLED", True):
        return compute()
    cache, key, version = _fragments(), "release:" + _key(name, vary), current_release()
    value = cache.get(key, version=version)
    if value is None:
        value = compute()
        cache.set(key, value, fragment_seconds(), version=version)
    return value


def cached_until(name: str, vary: tuple, compute):
    """Like :func:`cached_value`, for a value that also changes at a moment known in advance.

    ``compute()`` returns ``(value, until)``, ``until`` an aware datetime or None: the value is kept
    in the site version as usual, and computed again once ``until`` has passed (a vote opening or
    closing at a given hour changes what a page shows without any save to invalidate it).
    """
    from django.utils import timezone

    if not getattr(settings, "FRAGMENT_CACHE_ENABLED", True):
        return compute()[0]
    cache, key, version = _fragments(), _key(name, vary), current_generation()
    entry = cache.get(key, version=version)
    if entry is None or (entry[1] is not None and timezone.now() >= entry[1]):
        entry = compute()
        cache.set(key, entry, fragment_seconds(), version=version)
    return entry[0]


def restricted_sections() -> list[tuple[str, int]]:
    """``(path, depth)`` of every page with a view restriction, kept in the site version (a
    restriction saved or deleted, a page moved or deleted moves it)."""
    from wagtail.models import PageViewRestriction

    def compute():
        from wagtail.models import Page

        # One query (none more when no page is restricted, the usual case): a publish drops this value.
        rows = list(PageViewRestriction.objects.values_list("page_id", "page__path", "page__depth"))
        sections = {(path, depth) for _, path, depth in rows}
        # Wagtail applies a restriction to the aliases of the restricted page too (and theirs).
        sources = {pk for pk, _, _ in rows}
        while sources:
            aliases = list(Page.objects.filter(alias_of__in=sources).values_list("pk", "path", "depth"))
            sections.update((path, depth) for _, path, depth in aliases)
            sources = {pk for pk, _, _ in aliases}
        return sorted(sections)

    return cached_value("restricted-sections", (), compute)


def in_restricted_section(page) -> bool:
    """Whether a view restriction may apply to ``page`` (itself, an ancestor, or the source of an alias)."""
    return page.alias_of_id is not None or any(page.path.startswith(path) for path, _ in restricted_sections())


def public_pages(queryset):
    """``queryset.public()``, the same filter as Wagtail's (no page in or under a restricted one),
    built from :func:`restricted_sections`: Wagtail's ``public()`` queries the restrictions each
    time it is called, six times on a thématique page whose listings a publish dropped."""
    from django.db.models import Q

    q = Q()
    for path, depth in restricted_sections():
        q |= Q(path__startswith=path, depth__gte=depth)
    return queryset.exclude(q) if q else queryset


def singleton_pages() -> dict:
    """``{model: page}``: the first live, public page (in tree order) of each page type the site has
    at most one of and links to from elsewhere (the library, the agenda, the vote page), read in ONE
    query with only what a link needs, kept in the site version. The home, a thématique and the vote
    block each asked for theirs in a query of its own after every publish."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    from ressources.models import AgendaIndexPage, RessourceIndexPage
    from thematiques.vote.models import VotePage

    models = (RessourceIndexPage, AgendaIndexPage, VotePage)

    def compute():
        types = {ct.pk: model for model, ct in ContentType.objects.get_for_models(*models).items()}
        found = {}
        for page in (public_pages(Page.objects.live()).filter(content_type_id__in=list(types))
                     .only("id", "title", "slug", "path", "depth", "url_path", "locale_id", "content_type_id", "live")
                     .order_by("path")):
            found.setdefault(types[page.content_type_id], page)
        return found

    return cached_value("singleton-pages", (), compute)


def cached_route(root, request, path_components, walk):
    """Wagtail's routing below the site's root page (``walk``: ``Page.route``), kept in the site version.

    Called from ``HomePage.route``, Wagtail's documented extension point for routing. Wagtail walks
    the tree one slug at a time, two queries per level (the child by slug, then its specific row):
    four of a thématique page's eight before this. The routed page is kept as the fragments are (this process's
    memory, then the shared cache), under the site version, which every publish, unpublish, move or
    deletion moves: a stale route is never served. Only plain results are kept: a 404 is not (any
    visitor could fill the cache with made-up paths), nor a route with arguments (a page's own
    routing, none today), nor anything in a preview.

    After a publish (the site version moved), where the path led is still known: the page's id and
    type are kept in the *release*, and the page is read again in ONE query that checks what the
    walk found, that it is still live at that very URL path (``url_path``, which Wagtail rewrites on
    every slug change or move). Anything else (moved, renamed, unpublished, deleted, a path that led
    elsewhere) and Wagtail walks the tree as usual.
    """
    vary = request_vary(request)
    if vary is None or not path_components:
        return walk(request, path_components)
    from wagtail.url_routing import RouteResult

    cache, version = _fragments(), current_generation()
    digest = hashlib.sha256(f"{root.pk}|{'/'.join(path_components)}".encode()).hexdigest()[:32]
    key, where_key = "route:" + digest, "route-to:" + digest
    page = cache.get(key, version=version)
    if page is not None:
        return RouteResult(page)
    url_path = f"{root.url_path}{'/'.join(path_components)}/"
    where = cache.get(where_key, version=current_release())
    if where is not None:
        page = _page_at(where, url_path)
        if page is not None:
            cache.set(key, page, fragment_seconds(), version=version)
            return RouteResult(page)
    result = walk(request, path_components)
    page, args, kwargs = result
    if not args and not kwargs:
        cache.set(key, page, fragment_seconds(), version=version)
        if page.url_path == url_path:
            cache.set(where_key, (page.pk, page.content_type_id), fragment_seconds(), version=current_release())
    return result


def _page_at(where, url_path):
    """The live page of id and type ``where`` if it is still at ``url_path`` (one query), else None."""
    from django.contrib.contenttypes.models import ContentType

    page_id, content_type_id = where
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        return None
    if model is None:
        return None
    # With its pictures (header, listing image): the page's hero and meta tags read them next.
    from wagtail.images import get_image_model

    image_model = get_image_model()
    images = [f.name for f in model._meta.concrete_fields if f.is_relation and f.related_model is image_model]
    return model.objects.filter(pk=page_id, url_path=url_path, live=True).select_related(*images).first()


class CachedSiteMiddleware:
    """The request's Wagtail site, found once per release instead of once per request.

    Wagtail finds it with ``Site.find_for_request``, which remembers it on the request in its
    private ``request._wagtail_site``: the one private attribute the site writes, because the
    lookup is a third of a cold page and no public setting caches it (docs/decisions.md, « Cold
    pages without Wagtail's per-request lookups »). The site comes from Wagtail's own
    ``find_for_request`` on a miss and is kept as the fragments are (this process's memory, then the
    shared cache) in the release, which a site saved or deleted moves; its root page's specific row,
    which Wagtail routes from, is kept in the site version, which every publish moves (and replaces
    whatever root the kept site holds). Not for the admin and the other paths the page cache leaves
    out, a host Django refuses, or when fragments are off: Wagtail's lookup then runs as usual.
    ``tests/test_fragment_cache.py`` counts no query on a repeated page: it fails if Wagtail stops
    reading the attribute, rather than letting the site silently lose the gain.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        vary = None if request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)) else (
            request_vary(request))
        if vary:
            from django.http.request import split_domain_port
            from wagtail.models import Site

            hostname = split_domain_port(request._get_raw_host())[0]
            cache = _fragments()
            key = "site:" + hashlib.sha256(f"{hostname}|{request.get_port()}".encode()).hexdigest()[:32]
            entry = cache.get(key, version=current_release())
            if entry is None:
                site = Site.find_for_request(request)
                cache.set(key, (site,), fragment_seconds(), version=current_release())
            else:
                site = request._wagtail_site = entry[0]  # Wagtail's own memo of find_for_request (see above)
            if site is not None:
                # The root page as Wagtail routes from it (its specific row), in the site version: a
                # publish of the home moves it, the site itself stays (sites move the release).
                root_key = f"site-root:{site.root_page_id}"
                root = cache.get(root_key, version=current_generation())
                if root is None:
                    root = site.root_page.localized.specific
                    cache.set(root_key, root, fragment_seconds(), version=current_generation())
                site.root_page = root
        return self.get_response(request)
