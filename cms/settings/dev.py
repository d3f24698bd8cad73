"""Local development: debug on, emails printed to the console."""
from .base import *
from .base import INSTALLED_APPS, STATIC_ROOT, STORAGES

DEBUG = True
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DSFR_USE_INTEGRITY_CHECKSUMS = False
# Static files as in production when they have been collected (`make run` and `make demo` run
# collectstatic): whitenoise serves the hashed, brotli/gzip-compressed copies with a year of cache, and
# runserver leaves /static/ to it (whitenoise.runserver_nostatic), so that what a visitor downloads on
# `make run` is what production sends (issue 17, bench/weight.py). Never collected (`manage.py
# runserver` on a fresh clone): whitenoise finds the files through the finders, uncompressed, and sees
# edits at once.
# (With DEBUG on, the manifest storage links the unhashed names, so pages render before any collectstatic.)
INSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
# (whitenoise's finders and autorefresh default to DEBUG: set both, as they serve uncompressed sources.)
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not (STATIC_ROOT / "staticfiles.json").exists()
