"""Settings read from the environment, as small pure functions so that tests can call them.

Every function takes the environment as a mapping (``os.environ`` in the settings modules) and
returns the Django setting value; none of them has side effects.
"""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui", "on"}


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"La variable d'environnement {name} doit être un nombre entier (reçu : {value!r}).") from None


def env_list(env: Mapping[str, str], name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env.get(name, default).split(",") if item.strip()]


def caches_from_env(env: Mapping[str, str]) -> dict:
    """Redis (django-redis) for the cache and the sessions when ``REDIS_URL`` is set, else local memory.

    Two aliases so that clearing the page cache never logs anybody out: ``default`` (pages,
    fragments, axes) and ``sessions`` (a separate key prefix on the same Redis).
    """
    redis_url = env.get("REDIS_URL", "").strip()
    if not redis_url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tec-default"},
            "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tec-sessions"},
            **fragment_caches(env),
        }
    if urlsplit(redis_url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"REDIS_URL doit commencer par redis://, rediss:// ou unix:// (reçu : {redis_url!r})."
        )
    options = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        # A Redis outage degrades to uncached pages instead of errors.
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": 2,
        "SOCKET_TIMEOUT": 2,
    }
    prefix = env.get("CACHE_KEY_PREFIX", "tec")
    return {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_url,
                    "KEY_PREFIX": prefix, "OPTIONS": dict(options)},
        # Sessions must not silently vanish: errors are raised, not ignored.
        "sessions": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_url,
                     "KEY_PREFIX": f"{prefix}-sessions",
                     "OPTIONS": {**options, "IGNORE_EXCEPTIONS": False}},
        **fragment_caches(env),
    }


def fragment_caches(env: Mapping[str, str]) -> dict:
    """The fragments' aliases (cms.cache_backends): this process's memory in front of ``default``.

    ``template_fragments`` is the alias Django's ``{% cache %}`` and Wagtail's ``{% wagtailcache %}``
    use; ``fragments-local`` a small LocMemCache (``FRAGMENT_LOCAL_CACHE_ENTRIES``, default 500);
    ``pages`` / ``pages-local`` the same for whole anonymous pages.
    """
    seconds = int(env.get("FRAGMENT_CACHE_SECONDS", "") or env.get("PAGE_CACHE_SECONDS", "") or 600)
    entries = max(1, int(env.get("FRAGMENT_LOCAL_CACHE_ENTRIES", "") or 500))
    page_seconds = int(env.get("PAGE_CACHE_SECONDS", "") or 600)
    page_entries = max(1, int(env.get("PAGE_LOCAL_CACHE_ENTRIES", "") or 200))
    return {
        # Whole anonymous pages the same way (cms.cache.AnonymousPageCacheMiddleware): ``pages-local``
        # holds the most read ones (``PAGE_LOCAL_CACHE_ENTRIES``, default 200: ~8 MB per process).
        "pages": {"BACKEND": "cms.cache_backends.LocalThenShared", "TIMEOUT": page_seconds,
                  "OPTIONS": {"LOCAL": "pages-local", "SHARED": "default"}},
        "pages-local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                        "LOCATION": "tec-pages", "TIMEOUT": page_seconds,
                        "OPTIONS": {"MAX_ENTRIES": page_entries}},
        "template_fragments": {"BACKEND": "cms.cache_backends.LocalThenShared", "TIMEOUT": seconds,
                               "OPTIONS": {"LOCAL": "fragments-local", "SHARED": "default"}},
        "fragments-local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                            "LOCATION": "tec-fragments", "TIMEOUT": seconds,
                            "OPTIONS": {"MAX_ENTRIES": entries}},
    }


def media_storage_from_env(env: Mapping[str, str]) -> tuple[dict, str | None]:
    """S3-compatible media storage (django-storages) when ``AWS_STORAGE_BUCKET_NAME`` is set.

    Returns the ``default`` entry of ``STORAGES`` and the public media origin (for MEDIA_URL
    and the Content-Security-Policy), or ``None`` when media stay on the local disk.
    """
    bucket = env.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}, None
    options = {
        "bucket_name": bucket,
        "location": env.get("AWS_LOCATION", "media"),
        "file_overwrite": False,
        "default_acl": env.get("AWS_DEFAULT_ACL") or None,
        "querystring_auth": env_bool(env, "AWS_QUERYSTRING_AUTH", False),
    }
    for option, name in [("endpoint_url", "AWS_S3_ENDPOINT_URL"), ("region_name", "AWS_S3_REGION_NAME"),
                         ("custom_domain", "AWS_S3_CUSTOM_DOMAIN"), ("access_key", "AWS_ACCESS_KEY_ID"),
                         ("secret_key", "AWS_SECRET_ACCESS_KEY")]:
        if env.get(name):
            options[option] = env[name]
    if options.get("custom_domain"):
        origin = f"https://{options['custom_domain']}"
    elif options.get("endpoint_url"):
        parts = urlsplit(options["endpoint_url"])
        origin = f"{parts.scheme}://{parts.netloc}"
    else:
        region = options.get("region_name")
        origin = f"https://{bucket}.s3.{region}.amazonaws.com" if region else f"https://{bucket}.s3.amazonaws.com"
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origin


def frontend_cache_from_env(env: Mapping[str, str]) -> dict | None:
    """``WAGTAILFRONTENDCACHE`` for the CDN named by ``FRONTEND_CACHE`` (cloudflare, cloudfront, http)."""
    kind = env.get("FRONTEND_CACHE", "").strip().lower()
    if not kind:
        return None

    def need(*names):
        missing = [n for n in names if not env.get(n)]
        if missing:
            raise ImproperlyConfigured(
                f"FRONTEND_CACHE={kind} demande aussi : " + ", ".join(missing) + "."
            )

    if kind == "cloudflare":
        need("CLOUDFLARE_BEARER_TOKEN", "CLOUDFLARE_ZONEID")
        backend = {"BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
                   "BEARER_TOKEN": env["CLOUDFLARE_BEARER_TOKEN"], "ZONEID": env["CLOUDFLARE_ZONEID"]}
    elif kind == "cloudfront":
        need("CLOUDFRONT_DISTRIBUTION_ID")
        backend = {"BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
                   "DISTRIBUTION_ID": env["CLOUDFRONT_DISTRIBUTION_ID"]}
    elif kind == "http":
        need("FRONTEND_CACHE_LOCATION")
        backend = {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                   "LOCATION": env["FRONTEND_CACHE_LOCATION"]}
    else:
        raise ImproperlyConfigured(
            f"FRONTEND_CACHE doit valoir cloudflare, cloudfront ou http (reçu : {kind!r})."
        )
    return {"default": backend}


TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def tasks_from_env(env: Mapping[str, str], default: str = "database") -> dict:
    """``TASKS`` (django-tasks): ``TASKS_BACKEND=database`` (a queue in the database, run by
    ``manage.py db_worker``) or ``immediate`` (run inside the request, no worker)."""
    kind = env.get("TASKS_BACKEND", "").strip().lower() or default
    if kind not in TASK_BACKENDS:
        raise ImproperlyConfigured(
            f"TASKS_BACKEND doit valoir {' ou '.join(TASK_BACKENDS)} (reçu : {kind!r})."
        )
    return {"default": {"BACKEND": TASK_BACKENDS[kind]}}


def email_from_env(env: Mapping[str, str]) -> dict:
    """SMTP settings: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / SSL."""
    use_tls = env_bool(env, "EMAIL_USE_TLS", False)
    use_ssl = env_bool(env, "EMAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise ImproperlyConfigured("EMAIL_USE_TLS et EMAIL_USE_SSL s'excluent : n'en activez qu'un.")
    return {
        "EMAIL_BACKEND": env.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "EMAIL_HOST": env.get("EMAIL_HOST", "localhost"),
        "EMAIL_PORT": env_int(env, "EMAIL_PORT", 465 if use_ssl else (587 if use_tls else 25)),
        "EMAIL_HOST_USER": env.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env.get("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": env_int(env, "EMAIL_TIMEOUT", 20),
    }


EMBED_ORIGINS = [
    "https://www.youtube-nocookie.com", "https://www.youtube.com", "https://player.vimeo.com",
    "https://www.dailymotion.com", "https://geo.dailymotion.com", "https://peertube.fr",
]


def content_security_policy(media_origin: str | None = None, *, admin: bool = False,
                            upgrade: bool = False) -> dict:
    """django-csp (v4) directives.

    Public pages: no inline script or style at all (the DSFR ships external files only).
    Wagtail admin: Wagtail 8 still renders inline scripts in some widgets (date pickers, inline
    panels) and inline styles, so the admin alone allows ``'unsafe-inline'``; it is only reachable
    by logged-in staff.
    """
    self_ = "'self'"
    media = [media_origin] if media_origin else []
    directives = {
        "default-src": [self_],
        "script-src": [self_],
        "style-src": [self_],
        "img-src": [self_, "data:", *media],
        "font-src": [self_, "data:"],
        "media-src": [self_, *media],
        "connect-src": [self_],
        "frame-src": [self_, *EMBED_ORIGINS],
        "object-src": ["'none'"],
        "base-uri": [self_],
        "form-action": [self_],
        "frame-ancestors": [self_],
    }
    if admin:
        directives["script-src"] = [self_, "'unsafe-inline'"]
        directives["style-src"] = [self_, "'unsafe-inline'"]
        directives["img-src"] = [self_, "data:", "blob:", *media]
    if upgrade:
        directives["upgrade-insecure-requests"] = True
    return directives
