"""Local development: debug on, emails printed to the console."""
from .base import *  # noqa: F401,F403

DEBUG = True
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DSFR_USE_INTEGRITY_CHECKSUMS = False
