from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")

    def import_models(self):
        super().import_models()
        # The admin import's job models live in the newsletter.importer sub-package: importing them here,
        # while the registry loads models, keeps them in this app (label "newsletter"), as thematiques.vote.
        import_module("newsletter.importer.models")
