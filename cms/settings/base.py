"""Settings shared by every environment.

Secrets and hosts come from the environment in production (see ``production.py``);
``DATABASE_URL`` selects PostgreSQL, otherwise a SQLite file under ``var/`` is used.
"""
import datetime as dt
import os
from pathlib import Path

import dj_database_url

from .environment import (
    caches_from_env,
    content_security_policy,
    env_bool,
    env_int,
    env_list,
    media_storage_from_env,
    tasks_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "cms"
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
# SQLite creates its file but not the folder: a fresh clone has no var/ yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key-change-me")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "cms",
    "home",
    "thematiques",
    "ressources",
    "newsletter",
    "dsfr",
    "widget_tweaks",  # django-dsfr's checkbox and radio templates load it
    "wagtail_modeladmin",
    "wagtail.api.v2",
    "rest_framework",
    # (wagtail.contrib.frontend_cache is used, not installed: cms.cache purges the CDN itself, once per
    # commit, with every URL the site-wide drop invalidates; the app would also purge single pages.)
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "cms.staticfiles.StaticFilesConfig",  # django.contrib.staticfiles, without the DSFR sources no page links
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",  # the task queue's table (cms/tasks.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed, text only (a phone's first visit, issue 17: ~33 KB of HTML become ~7 KB). After whitenoise,
    # which serves static files already compressed (brotli, gzip) and returns before this; before the
    # page cache, so that cached pages are stored once and compressed per client. Django's GZipMiddleware
    # pads its output against BREACH (since Django 4.2).
    "cms.compression.TextGZipMiddleware",
    "cms.security.SiteCSPMiddleware",
    # Outside the session, CSRF and messages middleware so that it sees every cookie they set
    # (a response that sets a cookie is never cached) and a hit costs no database query.
    "cms.cache.AnonymousPageCacheMiddleware",
    # After the page cache (a hit needs no site), before everything that asks Wagtail for the site.
    "cms.cache.CachedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cms.security.BadInputMiddleware",  # 400 for a NUL character in a URL or form; Permissions-Policy
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username/IP never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "cms.urls"

# The theme vote is a sub-package of the thematiques app, not an app: Django's app loaders do not look
# into it, so its templates, static files and template library are declared here (docs/decisions.md).
VOTE_DIR = BASE_DIR / "thematiques" / "vote"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates", VOTE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "libraries": {"vote_tags": "thematiques.vote.templatetags"},
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.site_chrome",
                "cms.context_processors.fragment_cache",  # {% wagtailcache fragment_seconds "…" site_cache %}
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# No LOCALE_PATHS: the source strings are French, the only language, so there is no catalogue to load.

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static", VOTE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "static_collected"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

WAGTAIL_SITE_NAME = "Territoires en Commun"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {
    "default": {
        # Wagtail's database backend, with Snowball's French stemming on SQLite too (cms/search.py).
        "BACKEND": "cms.search",
        "SEARCH_CONFIG": "french",
    }
}
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "svg"]
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
TAGGIT_CASE_INSENSITIVE = True

# django-dsfr marks the content of its tags safe unless told otherwise: everything an editor
# or a visitor typed must be escaped before reaching a DSFR tag.
DSFR_CONTENT_IS_SAFE = False
DSFR_USE_INTEGRITY_CHECKSUMS = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Territoires en Commun <newsletter@territoires-en-commun.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"

# Mailing tools' APIs (newsletter/providers/, docs/deploiement.md): a tool is usable once its key and
# list are set. The *_API_URL point tests and staging at another server (default: the public API).
BREVO_API_KEY = os.environ.get("BREVO_API_KEY", "")
BREVO_LIST_ID = os.environ.get("BREVO_LIST_ID", "")
BREVO_SENDER_EMAIL = os.environ.get("BREVO_SENDER_EMAIL", "")
BREVO_API_URL = os.environ.get("BREVO_API_URL", "https://api.brevo.com/v3")
MAILCHIMP_API_KEY = os.environ.get("MAILCHIMP_API_KEY", "")  # "…-us21": the data centre is the key's suffix
MAILCHIMP_AUDIENCE_ID = os.environ.get("MAILCHIMP_AUDIENCE_ID", "")
MAILCHIMP_API_URL = os.environ.get("MAILCHIMP_API_URL", "")  # empty: https://<dc>.api.mailchimp.com/3.0
MAILJET_API_KEY = os.environ.get("MAILJET_API_KEY", "")
MAILJET_API_SECRET = os.environ.get("MAILJET_API_SECRET", "")
MAILJET_LIST_ID = os.environ.get("MAILJET_LIST_ID", "")
MAILJET_API_URL = os.environ.get("MAILJET_API_URL", "https://api.mailjet.com/v3")
MAILING_API_TIMEOUT = float(os.environ.get("MAILING_API_TIMEOUT", "10"))  # seconds, every call to a tool

# Public base URL used for absolute links in emails and feeds.
SITE_BASE_URL = os.environ.get("SITE_BASE_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
# The newsletter's pre-export checks refuse plain-http links and images when True (production.py sets it).
NEWSLETTER_REQUIRE_HTTPS = False

# Cache: Redis (django-redis) when REDIS_URL is set, else local memory. Sessions are read from
# the cache and written through to the database, so a Redis restart logs nobody out.
CACHES = caches_from_env(os.environ)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

# Anonymous page cache (cms/cache.py): whole responses for visitors without a session, dropped
# whenever a page is published, unpublished, moved or deleted, or a vote count changes.
PAGE_CACHE_ENABLED = env_bool(os.environ, "PAGE_CACHE", True)
PAGE_CACHE_SECONDS = env_int(os.environ, "PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_EXCLUDED_PREFIXES = ["/admin/", "/django-admin/", "/documents/", "/static/", "/media/", "/sante/"]
# Fragments of cold pages (cms.cache, the "template_fragments" cache alias) are also kept in each
# process (the "fragments-local" LocMemCache alias, least recently used culled): how many at most
# (0: Redis only).
FRAGMENT_LOCAL_CACHE_ENTRIES = env_int(os.environ, "FRAGMENT_LOCAL_CACHE_ENTRIES", 500)
# Shared (CDN) cache lifetime sent as s-maxage on cacheable anonymous responses; 0 = none.
PAGE_CACHE_CDN_SECONDS = env_int(os.environ, "PAGE_CACHE_CDN_SECONDS", 0)
# Models whose changes show on cached pages beyond pages themselves (vote counts…).
PAGE_CACHE_INVALIDATING_MODELS = [
    "thematiques.Ballot", "thematiques.Campaign", "thematiques.CampaignThematique", "thematiques.Candidature",
]

# Media storage: S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set (django-storages).
_media_storage, MEDIA_ORIGIN = media_storage_from_env(os.environ)
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if MEDIA_ORIGIN and os.environ.get("AWS_S3_CUSTOM_DOMAIN"):
    MEDIA_URL = f"{MEDIA_ORIGIN}/{os.environ.get('AWS_LOCATION', 'media')}/"

# Content-Security-Policy (django-csp 4): strict on the public site, Wagtail-compatible on /admin/
# (cms/security.py picks the admin policy by path).
CONTENT_SECURITY_POLICY = {"DIRECTIVES": content_security_policy(MEDIA_ORIGIN)}
CONTENT_SECURITY_POLICY_ADMIN = {"DIRECTIVES": content_security_policy(MEDIA_ORIGIN, admin=True)}
CSP_ADMIN_PREFIXES = ["/admin/", "/django-admin/"]
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party avatars in the admin (and in its CSP)

# Brute-force protection of the admin login (django-axes): 5 failures for one username from one
# address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env_int(os.environ, "AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int(os.environ, "AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cms.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# The client's address (forms' rate limits, axes' lockout): cms.security.client_ip. By default no
# proxy is trusted and X-Forwarded-For is ignored; see docs/deploiement.md for a load balancer.
TRUSTED_PROXIES = env_list(os.environ, "TRUSTED_PROXIES")  # addresses or CIDR blocks of the proxies
TRUSTED_PROXY_COUNT = env_int(os.environ, "TRUSTED_PROXY_COUNT", 0)  # or: exactly N proxies in front
AXES_CLIENT_IP_CALLABLE = "cms.security.client_ip"
# Browser features the site never uses (cms.security.BadInputMiddleware sends the header).
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=()")

# Read-only public API (cms/api.py).
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
}
WAGTAILAPI_BASE_URL = os.environ.get("SITE_BASE_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
WAGTAILAPI_LIMIT_MAX = 50

# Task queue (django-tasks, cms/tasks.py): outgoing e-mail, Wagtail's search and reference indexes,
# image focal points, CDN purges. The database backend needs a worker: `manage.py db_worker`.
TASKS = tasks_from_env(os.environ)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
