"""Local development: debug on, emails printed to the console."""
from .base import *

DEBUG = True
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DSFR_USE_INTEGRITY_CHECKSUMS = False
# whitenoise finds static files through the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
