"""CSV of the confirmed subscribers (for a tool with no API): ``manage.py export_subscribers [-o FILE]``."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsletter.subscriptions import export_csv


class Command(BaseCommand):
    help = "Exporte en CSV (UTF-8) les abonnés confirmés de la newsletter."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="Fichier à écrire ; par défaut la sortie standard.")

    def handle(self, *args, output=None, **options):
        content = export_csv()
        if not output:
            self.stdout.write(content, ending="")
            return
        try:
            Path(output).write_text(content, encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"Impossible d'écrire « {output} » : {error.strerror or error}.") from None
