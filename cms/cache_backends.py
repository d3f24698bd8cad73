"""A two-level Django cache backend: this process's memory in front of the shared cache (Redis).

Configured as the ``template_fragments`` alias, the one Django's ``{% cache %}`` and Wagtail's
``{% wagtailcache %}`` / ``{% wagtailpagecache %}`` use by default, and by ``cms.cache.cached_value``:

    "template_fragments": {"BACKEND": "cms.cache_backends.LocalThenShared",
                           "OPTIONS": {"LOCAL": "fragments-local", "SHARED": "default"}}

``LOCAL`` names a Django local-memory cache alias (``LocMemCache``: least recently used entries
culled past ``MAX_ENTRIES``, values pickled so every reader gets its own copy), ``SHARED`` the cache
every app server sees. A read tries the local alias, then the shared one (and copies a hit into the
local alias for this alias's ``TIMEOUT``); a write goes to both. The two stay coherent without any
message between processes because every key the site writes here carries the site version
(``cms.cache``): a change anywhere moves the version, and the old entries are never read again.
``FRAGMENT_LOCAL_CACHE_ENTRIES = 0`` turns the local level off (shared cache only).

Inside :func:`deferred_shared_writes` (one request: ``cms.cache.AnonymousPageCacheMiddleware``), the
writes to the shared cache wait for the end of the block and go in one ``set_many`` (one Redis
round trip instead of one per fragment a publish dropped); the local level is written at once.
"""
from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

logger = logging.getLogger(__name__)

_deferred: contextvars.ContextVar[list | None] = contextvars.ContextVar("tec_deferred_writes", default=None)


@contextmanager
def deferred_shared_writes():
    """Buffer the shared-cache writes of every ``LocalThenShared`` made inside the block, then send
    them grouped by (cache, timeout, version), one ``set_many`` each."""
    if _deferred.get() is not None:  # nested: the outer block sends them
        yield
        return
    token = _deferred.set([])
    try:
        yield
    finally:
        pending = _deferred.get()
        _deferred.reset(token)
        _flush(pending)


def _flush(pending) -> None:
    groups: dict = {}
    for shared, key, value, timeout, version in pending:
        groups.setdefault((shared, timeout, version), {})[key] = value
    for (shared, timeout, version), values in groups.items():
        try:
            caches[shared].set_many(values, timeout, version=version)
        except Exception as exc:  # noqa: BLE001 - a lost write is only a later miss
            logger.warning("Fragments non écrits dans le cache partagé : %s", exc)


class LocalThenShared(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._local_alias = options.get("LOCAL", "fragments-local")
        self._shared_alias = options.get("SHARED", "default")

    @property
    def _local(self):
        if getattr(settings, "FRAGMENT_LOCAL_CACHE_ENTRIES", 1) <= 0:
            return None
        return caches[self._local_alias]

    @property
    def _shared(self):
        return caches[self._shared_alias]

    def _timeout(self, timeout):
        return self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout

    def get(self, key, default=None, version=None):
        local = self._local
        if local is not None:
            value = local.get(key, version=version)
            if value is not None:
                return value
        value = self._shared.get(key, version=version)
        if value is None:
            return default
        if local is not None:
            local.set(key, value, self.default_timeout, version=version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        timeout = self._timeout(timeout)
        pending = _deferred.get()
        if pending is None:
            self._shared.set(key, value, timeout, version=version)
        else:
            pending.append((self._shared_alias, key, value, timeout, version))
        local = self._local
        if local is not None:
            local.set(key, value, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self._shared.add(key, value, self._timeout(timeout), version=version):
            local = self._local
            if local is not None:
                local.set(key, value, self._timeout(timeout), version=version)
            return True
        return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._shared.touch(key, self._timeout(timeout), version=version)

    def delete(self, key, version=None):
        local = self._local
        if local is not None:
            local.delete(key, version=version)
        return self._shared.delete(key, version=version)

    def has_key(self, key, version=None):
        return self.get(key, version=version) is not None

    def clear(self):
        caches[self._local_alias].clear()
        self._shared.clear()
