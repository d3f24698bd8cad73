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

import hashlib
import logging
import time

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


def current_generation() -> int:
    cache = _cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # Milliseconds, so that a restarted cache never revives entries of an older generation.
        generation = int(time.time() * 1000)
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY) or generation
    return generation


def _bump() -> None:
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or the cache was flushed): start a fresh one
        cache.set(GENERATION_KEY, int(time.time() * 1000), None)


def invalidate_site_cache() -> None:
    """Drop every cached anonymous page, now and again when the current transaction commits.

    The second bump closes the window where a request reads the old rows between the first bump
    and the commit, and caches them under the new generation.
    """
    _bump()
    transaction.on_commit(_bump)


def _signal_handler(*args, **kwargs):
    invalidate_site_cache()


def _settings_saved(sender, created=False, **kwargs):
    # Site settings are created with their defaults on first read, during a page render: nothing
    # visible changes then, and invalidating would make the first render never cached.
    if not created:
        invalidate_site_cache()


def connect_signals() -> None:
    """Invalidate on every change a cached page can show. Called from ``CmsConfig.ready``."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from .models import Partenaire, SiteSettings

    from wagtail.models import Site

    page_published.connect(_signal_handler, dispatch_uid="pagecache_published")
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
    row (two more) on every request. Kept in the site generation, so that publishing the home
    page, or saving or deleting a site, is seen at once. Only for GET requests outside the
    excluded prefixes (admin…); previews and the admin find their site the usual way.
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

        key = fragment_key("wagtail-site", request._get_raw_host(), request.get_port())
        found = get_fragment(key)
        if found is None:
            site = Site._find_for_request(request)
            if site is not None:
                site.root_page.localized.specific  # noqa: B018 (loaded now, stored with the site)
            found = (site,)
            set_fragment(key, found)
        request._wagtail_site = found[0]


def fragment_key(name: str, *vary) -> str:
    """The cache key of a rendered template fragment, in the current site generation.

    Fragments (site chrome, card listings) are dropped by :func:`invalidate_site_cache` together
    with the whole pages, so they are never older than what the page cache would serve.
    """
    from django.utils import translation

    digest = hashlib.sha256(repr(vary).encode()).hexdigest()[:32]
    return f"fragment:{current_generation()}:{translation.get_language() or ''}:{name}:{digest}"


def get_fragment(key: str):
    return _cache().get(key)


def set_fragment(key: str, html: str) -> None:
    _cache().set(key, html, getattr(settings, "FRAGMENT_CACHE_SECONDS", settings.PAGE_CACHE_SECONDS))


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
