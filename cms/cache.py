"""Whole-response cache for anonymous visitors, in the configured cache (Redis in production).

What is cached: ``GET`` responses with status 200 to a visitor who has no session and no pending
message, outside the admin, that set no cookie (a page with a form sets the CSRF cookie, a page
showing a message deletes the messages cookie: neither is ever stored) and that do not say
``private`` / ``no-store``. Logged-in users, previews and drafts (served under ``/admin/``) are never
cached.

Invalidation is site-wide and immediate: every key carries a generation number kept in the cache;
:func:`invalidate_site_cache` increments it. It runs when a page is published, unpublished, moved
or deleted, when site settings or partners change, and when a vote count changes (the vote calls
it, and :func:`connect_signals` hooks the ballot model). A page shows cards of other pages (the
home lists the latest resources, a thématique its events), so per-URL purging would miss most of
the pages a change shows on.
"""
from __future__ import annotations

import contextvars
import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
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
    local copy (:class:`LocalFragments`) ever revives an entry of an older generation.
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


class generation_scope:
    """Read the generation at most once inside the block (one request), unless it is bumped there."""

    def __enter__(self):
        self._token = _request_generation.set([None])

    def __exit__(self, *exc):
        _request_generation.reset(self._token)


def _bump() -> None:
    memo = _request_generation.get()
    if memo is not None:
        memo[0] = None  # this request changed the site: read the new generation next time
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or the cache was flushed): start a fresh one
        cache.set(GENERATION_KEY, _fresh_generation(), None)


def invalidate_site_cache() -> None:
    """Drop every cached anonymous page, now and again when the current transaction commits.

    The second bump closes the window where a request reads the old rows between the first bump
    and the commit, and caches them under the new generation.
    """
    _bump()
    transaction.on_commit(_bump)


def _signal_handler(*args, **kwargs):
    invalidate_site_cache()


def _migrated(sender, **kwargs):
    if sender.name == "cms":  # post_migrate is sent once per application: bump once
        try:
            _bump()
        except Exception as exc:  # noqa: BLE001 - a cache down at deploy time must not fail migrate
            logger.warning("Cache injoignable après migrate : fragments non invalidés (%s)", exc)


def _settings_saved(sender, created=False, **kwargs):
    # Site settings are created with their defaults on first read, during a page render: nothing
    # visible changes then, and invalidating would make the first render never cached.
    if not created:
        invalidate_site_cache()


def connect_signals() -> None:
    """Invalidate on every change a cached page can show. Called from ``CmsConfig.ready``."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Page, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import Partenaire, SiteSettings

    page_published.connect(_signal_handler, dispatch_uid="pagecache_published")
    # A deployment runs migrate: fragments rendered by the previous release's templates go with it.
    from django.db.models.signals import post_migrate

    post_migrate.connect(_migrated, dispatch_uid="pagecache_migrated")
    # A site's hostname or root page changes every URL (and CachedSiteMiddleware keeps sites).
    post_save.connect(_signal_handler, sender=Site, dispatch_uid="pagecache_save_site")
    post_delete.connect(_signal_handler, sender=Site, dispatch_uid="pagecache_del_site")
    # Making a page private (or public again) changes which pages listings may show.
    from wagtail.models import PageViewRestriction

    post_save.connect(_signal_handler, sender=PageViewRestriction, dispatch_uid="pagecache_save_restriction")
    post_delete.connect(_signal_handler, sender=PageViewRestriction, dispatch_uid="pagecache_del_restriction")
    page_unpublished.connect(_signal_handler, dispatch_uid="pagecache_unpublished")
    post_page_move.connect(_signal_handler, dispatch_uid="pagecache_moved")
    for model in [m for m in apps.get_models() if issubclass(m, Page)]:
        post_delete.connect(_signal_handler, sender=model, dispatch_uid=f"pagecache_delete_{model._meta.label}")
    post_save.connect(_settings_saved, sender=SiteSettings, dispatch_uid="pagecache_save_sitesettings")
    post_save.connect(_signal_handler, sender=Partenaire, dispatch_uid="pagecache_save_partenaire")
    for model in (Partenaire, SiteSettings):
        post_delete.connect(_signal_handler, sender=model, dispatch_uid=f"pagecache_del_{model._meta.label}")
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
        with generation_scope():
            return self._respond(request)

    def _respond(self, request):
        key = self._key(request)
        if key is None:
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES and "Cache-Control" not in response:
                # Pages for logged-in users must never be kept by a CDN or a proxy.
                patch_cache_control(response, private=True)
            return response
        cache = _cache()
        cached = cache.get(key)
        if cached is not None:
            return self._rebuild(cached)
        response = self.get_response(request)
        if self._is_storable(response):
            self._add_shared_cache_header(response)
            headers = [(k, v) for k, v in response.items()]
            cache.set(key, (response.status_code, headers, response.content), settings.PAGE_CACHE_SECONDS)
            response[HIT_HEADER] = "MISS"
        return response

    @staticmethod
    def _key(request) -> str | None:
        if not getattr(settings, "PAGE_CACHE_ENABLED", True) or request.method != "GET":
            return None
        if request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES)):
            return None
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or MESSAGES_COOKIE in cookies:
            return None
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        full_path = request.get_full_path()
        if len(full_path) > 1000:
            return None
        try:
            host = request.get_host()
        except DisallowedHost:
            return None
        digest = hashlib.sha256(f"{request.scheme}://{host}{full_path}".encode()).hexdigest()
        return f"pagecache:{current_generation()}:{digest}"

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


class CachedSiteMiddleware:
    """Give Wagtail the request's site, with its root page already specific, from the cache.

    Wagtail looks the site up (one query) then loads its root page and the root page's specific
    row (two more) on every request, and reads every site's root path (one cache read) for the
    first page URL it builds: both come from one fragment. Kept in the site generation, so that
    publishing the home page, or saving or deleting a site, is seen at once. Only for GET requests
    outside the excluded prefixes (admin…); previews and the admin find their site the usual way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.method == "GET" and getattr(settings, "FRAGMENT_CACHE_ENABLED", True)
                and not request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PREFIXES))):
            self._attach_site(request)
        return self.get_response(request)

    @staticmethod
    def _attach_site(request) -> None:
        from wagtail.models import Site

        key = fragment_key("wagtail-site-root-paths", request._get_raw_host(), request.get_port())
        found = get_fragment(key)
        if found is None:
            site = Site._find_for_request(request)
            if site is not None:
                site.root_page.localized.specific  # noqa: B018 (loaded now, stored with the site)
            found = (site, Site.get_site_root_paths())
            set_fragment(key, found)
        request._wagtail_site = found[0]
        # Wagtail reads the root paths of every site (from the cache) for each page URL it builds;
        # it keeps them on the request it is given, so give them now, from the same fragment.
        request._wagtail_cached_site_root_paths = found[1]


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


def fragment_key(name: str, *vary) -> str:
    """The cache key of a rendered template fragment, in the current site generation.

    Fragments (site chrome, card listings) are dropped by :func:`invalidate_site_cache` together
    with the whole pages, so they are never older than what the page cache would serve.
    """
    from django.utils import translation

    digest = hashlib.sha256(repr(vary).encode()).hexdigest()[:32]
    return f"fragment:{current_generation()}:{translation.get_language() or ''}:{name}:{digest}"


class LocalFragments:
    """The fragments of the current generation, also kept in this process (first level, before Redis).

    A cold page reads a dozen fragments (chrome, cards, listings, the routed page): from Redis each is
    a network round trip, from here a dictionary look-up. Coherent without any message between
    processes: every key carries the generation, which each request reads from the shared cache, and
    this store holds one generation only, so it empties itself as soon as the site changes anywhere.
    Bounded in entries (least recently used dropped first) and by the fragments' lifetime. Strings
    are kept as they are (immutable); any other value is pickled, so that every request gets its own
    copy, exactly as from Redis.
    """

    def __init__(self, max_entries: int | None = None):
        self._max_entries = max_entries  # None: FRAGMENT_LOCAL_CACHE_ENTRIES, read when used
        self._entries: OrderedDict[str, tuple[float, bool, object]] = OrderedDict()
        self._generation = -1
        self._lock = threading.Lock()

    @property
    def max_entries(self) -> int:
        if self._max_entries is not None:
            return self._max_entries
        return getattr(settings, "FRAGMENT_LOCAL_CACHE_ENTRIES", 1000)

    def get(self, key: str):
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < now:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        _, pickled, value = entry
        return pickle.loads(value) if pickled else value

    def set(self, key: str, value, timeout: float) -> None:
        max_entries = self.max_entries
        if max_entries <= 0:
            return
        pickled = not isinstance(value, str)
        stored = pickle.dumps(value, pickle.HIGHEST_PROTOCOL) if pickled else value
        try:  # "fragment:<generation>:…"
            generation = int(key.split(":", 2)[1])
        except (IndexError, ValueError):
            return
        with self._lock:
            if generation < self._generation:  # a request that began before the site changed
                return
            if generation > self._generation:  # the site changed: every older entry is dead
                self._entries.clear()
                self._generation = generation
            self._entries[key] = (time.monotonic() + timeout, pickled, stored)
            self._entries.move_to_end(key)
            while len(self._entries) > max_entries:
                self._entries.popitem(last=False)


local_fragments = LocalFragments()


def _fragment_seconds() -> float:
    return getattr(settings, "FRAGMENT_CACHE_SECONDS", settings.PAGE_CACHE_SECONDS)


def _local_enabled() -> bool:
    return local_fragments.max_entries > 0


def get_fragment(key: str):
    if _local_enabled():
        value = local_fragments.get(key)
        if value is not None:
            return value
    value = _cache().get(key)
    if value is not None and _local_enabled():
        local_fragments.set(key, value, _fragment_seconds())
    return value


def set_fragment(key: str, html) -> None:
    _cache().set(key, html, _fragment_seconds())
    if _local_enabled():
        local_fragments.set(key, html, _fragment_seconds())


def cached_value(name: str, vary: tuple, compute):
    """``compute()``, kept like a fragment (same key scheme, generation and lifetime)."""
    if not getattr(settings, "FRAGMENT_CACHE_ENABLED", True):
        return compute()
    key = fragment_key(name, *vary)
    value = get_fragment(key)
    if value is None:
        value = compute()
        set_fragment(key, value)
    return value


def cached_until(name: str, vary: tuple, compute):
    """Like :func:`cached_value`, for a value that also changes at a moment known in advance.

    ``compute()`` returns ``(value, until)``, ``until`` an aware datetime or None: the value is kept
    in the site generation as usual, and computed again once ``until`` has passed (a vote opening or
    closing at a given hour changes what a page shows without any save to invalidate it).
    """
    from django.utils import timezone

    if not getattr(settings, "FRAGMENT_CACHE_ENABLED", True):
        return compute()[0]
    key = fragment_key(name, *vary)
    entry = get_fragment(key)
    if entry is None or (entry[1] is not None and timezone.now() >= entry[1]):
        entry = compute()
        set_fragment(key, entry)
    return entry[0]
