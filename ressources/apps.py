from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RessourcesConfig(AppConfig):
    name = "ressources"
    verbose_name = _("Ressources et agenda")

    def import_models(self):
        super().import_models()
        # The public's contributions live in the ressources.contrib sub-package: importing their models
        # here, while the registry loads models, keeps them in this app (label "ressources", same tables).
        import_module("ressources.contrib.models")
