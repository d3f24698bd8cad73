from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThematiquesConfig(AppConfig):
    name = "thematiques"
    verbose_name = _("Thématiques et collectivités")
