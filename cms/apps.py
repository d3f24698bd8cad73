from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Territoires en Commun"

    def ready(self):
        from . import cache

        cache.connect_signals()
