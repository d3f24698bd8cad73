"""The staticfiles app as the site configures it (in INSTALLED_APPS in place of django.contrib.staticfiles).

In its own module: a second AppConfig in ``cms/apps.py`` would stop Django from picking ``CmsConfig``
as the cms app's default (and its ``ready()`` connects the cache's signals).
"""
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


class StaticFilesConfig(BaseStaticFilesConfig):
    """``collectstatic`` leaves out the DSFR's per-part sources, which no page links.

    django-dsfr ships the DSFR's whole ``dist`` folder (1,600 files, 11 MB). Pages link the site's own
    subset sheet (``css/dsfr-site.min.css``, built by ``cms/dsfr_css.py`` from the package's files
    directly, not from the collected copies), the DSFR's scripts, fonts, icons, artwork and favicons.
    The per-component, core, utility-part, legacy and analytics sheets and the unminified copies are
    never served, yet collectstatic hashed, gzipped and brotli-compressed each of them: about half the
    time of a deployment's build step. The full ``dsfr.min.css`` and ``utility/utility.min.css`` stay.
    """

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "*.scss", "*.md",
                       *(f"dsfr/dist/{part}/*" for part in ("component", "core", "analytics", "legacy",
                                                             "layout", "scheme")),
                       "dsfr/dist/utility/*/*",
                       "dsfr/dist/dsfr/*.css"]  # not its scripts: {% dsfr_js %} links dsfr/dist/dsfr/dsfr.module.min.js
