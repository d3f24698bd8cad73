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
"""
from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache


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
        self._shared.set(key, value, timeout, version=version)
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
