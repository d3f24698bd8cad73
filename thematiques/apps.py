from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThematiquesConfig(AppConfig):
    name = "thematiques"
    verbose_name = _("Thématiques et collectivités")

    def import_models(self):
        super().import_models()
        # The theme vote's models live in the thematiques.vote sub-package: importing them here, while
        # the registry loads models, keeps them in this app (label "thematiques", same tables).
        import_module("thematiques.vote.models")
