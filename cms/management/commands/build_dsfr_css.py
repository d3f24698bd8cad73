"""`manage.py build_dsfr_css`: regenerate cms/static/css/dsfr-site.min.css (cms/dsfr_css.py).

Run it after adding a DSFR component or icon to a template, or after upgrading django-dsfr; the test
tests/test_weight.py fails while the committed sheet lacks a class the templates use.
"""
from django.core.management.base import BaseCommand

from cms import dsfr_css


class Command(BaseCommand):
    help = "Régénère la feuille DSFR du site (cms/static/css/dsfr-site.min.css) : les composants et icônes utilisés."

    def handle(self, *args, **options):
        path, components, icons = dsfr_css.write()
        size = path.stat().st_size
        self.stdout.write(f"{path.name} : {size // 1024} Ko, {len(components)} composants "
                          f"({', '.join(components)}), {len(icons)} icônes.")
