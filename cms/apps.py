from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Territoires en Commun"

    def ready(self):
        from . import cache, validation  # noqa: F401 - validation registers the <id:…> path converter

        cache.connect_signals()

