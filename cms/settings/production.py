"""Production settings: everything comes from the environment (see docs/deploiement.md).

The process refuses to start, with one French sentence naming what is missing, when a required
variable is absent or unusable.
"""
import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import MEDIA_ORIGIN, STORAGES
from .environment import (
    content_security_policy,
    email_from_env,
    env_bool,
    env_int,
    env_list,
    frontend_cache_from_env,
)

REQUIRED = {
    "SECRET_KEY": "la clé secrète Django (au moins 50 caractères aléatoires)",
    "ALLOWED_HOSTS": "les noms de domaine servis, séparés par des virgules",
    "DATABASE_URL": "l'adresse de la base PostgreSQL (postgres://utilisateur:motdepasse@hôte:5432/base)",
    "WAGTAILADMIN_BASE_URL": "l'adresse publique du site (https://…), pour les liens des courriels",
    "EMAIL_HOST": "le serveur SMTP d'envoi des courriels",
}
_missing = [name for name in REQUIRED if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        "Configuration de production incomplète : variables d'environnement manquantes : "
        + " ; ".join(f"{name} ({REQUIRED[name]})" for name in _missing)
        + ". Voir docs/deploiement.md."
    )

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
if len(SECRET_KEY) < 50 or SECRET_KEY == "insecure-dev-key-change-me":
    raise ImproperlyConfigured(
        "SECRET_KEY est trop courte ou est la clé de développement : générez-en une de 50 caractères au moins "
        "(python -c \"from django.core.management.utils import get_random_secret_key as k; print(k())\")."
    )
ALLOWED_HOSTS = env_list(os.environ, "ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list(os.environ, "CSRF_TRUSTED_ORIGINS") or [f"https://{h.lstrip('.')}" for h in ALLOWED_HOSTS]
WAGTAILADMIN_BASE_URL = os.environ["WAGTAILADMIN_BASE_URL"].rstrip("/")
SITE_BASE_URL = os.environ.get("SITE_BASE_URL", WAGTAILADMIN_BASE_URL).rstrip("/")
WAGTAILAPI_BASE_URL = SITE_BASE_URL

if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_URL doit désigner une base PostgreSQL (postgres://…) en production.")
# Persistent connections: one per gunicorn worker thread, kept for 60 s.
DATABASES["default"]["CONN_MAX_AGE"] = env_int(os.environ, "CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# HTTPS behind the load balancer: it terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool(os.environ, "SECURE_SSL_REDIRECT", True)
# The load balancer's health check speaks plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
SECURE_HSTS_SECONDS = env_int(os.environ, "SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True

# CSP: same policies as everywhere, plus upgrade-insecure-requests.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": content_security_policy(MEDIA_ORIGIN, upgrade=True)}
CONTENT_SECURITY_POLICY_ADMIN = {"DIRECTIVES": content_security_policy(MEDIA_ORIGIN, admin=True, upgrade=True)}

# Static files: whitenoise serves them from STATIC_ROOT with hashed, compressed names
# (run `manage.py collectstatic` at build time).
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(STATIC_ROOT))
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000
# The DSFR's subresource-integrity hashes are those of its original files; collectstatic rewrites
# url() references inside its CSS to hashed names, which changes the bytes. Everything is served
# from our own origin, so integrity attributes add nothing here.
DSFR_USE_INTEGRITY_CHECKSUMS = False

# Email (SMTP) from the environment.
globals().update(email_from_env(os.environ))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL)
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Exploitation", a) for a in env_list(os.environ, "ADMINS_EMAILS")]

# CDN purge on publish / unpublish (wagtail.contrib.frontend_cache), and its cache lifetime.
WAGTAILFRONTENDCACHE = frontend_cache_from_env(os.environ)
if WAGTAILFRONTENDCACHE:
    PAGE_CACHE_CDN_SECONDS = env_int(os.environ, "PAGE_CACHE_CDN_SECONDS", 300)

# Behind a load balancer: TRUSTED_PROXIES (or TRUSTED_PROXY_COUNT) from base.py, read from the
# environment; a bad entry stops the process here rather than at the first request.
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(  # noqa: B904 - the French sentence is the whole message
            f"TRUSTED_PROXIES : « {_proxy} » n'est ni une adresse IP ni un réseau (10.0.0.0/8, 2001:db8::/32)."
        ) from None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.security.DisallowedHost": {"level": "ERROR"}},
}
NEWSLETTER_REQUIRE_HTTPS = True  # the pre-export checks refuse plain-http links and images (newsletter.checks)
