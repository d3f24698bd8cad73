"""Test settings: fast hasher, local-memory cache, in-memory email."""
import os

from .base import *
from .base import VAR_DIR

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-default"},
    "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-sessions"},
    # Fragments: this process's memory in front of "default" (cms.cache_backends), as in production.
    "template_fragments": {"BACKEND": "cms.cache_backends.LocalThenShared", "TIMEOUT": 600,
                           "OPTIONS": {"LOCAL": "fragments-local", "SHARED": "default"}},
    "fragments-local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-fragments",
                        "TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": 500}},
    "pages": {"BACKEND": "cms.cache_backends.LocalThenShared", "TIMEOUT": 600,
              "OPTIONS": {"LOCAL": "pages-local", "SHARED": "default"}},
    "pages-local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-pages",
                    "TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": 200}},
}
# The anonymous page cache outlives a test's database transaction (the cache is not rolled back):
# off by default so that no test sees a page cached by another; tests/test_cache.py turns it on.
PAGE_CACHE_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run at the call, inside the test; tests/test_tasks.py switches to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = VAR_DIR / "test-media" / str(os.getpid())
WAGTAILADMIN_BASE_URL = "http://testserver"
SITE_BASE_URL = "http://testserver"
DSFR_USE_INTEGRITY_CHECKSUMS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# whitenoise finds static files through the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# SQLite: a file per test process rather than Django's shared in-memory database. Live-server threads
# and the flush that ends a transactional test raced on table locks in memory ("database table is
# locked"), failing browser tests at random in the full suite.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
