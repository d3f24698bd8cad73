"""Import subscribers who consented elsewhere: ``manage.py import_subscribers FICHIER.csv``.

Columns ``email`` and ``date_consentement`` required; all or nothing (see subscriptions.import_csv)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsletter.subscriptions import ImportErrors, import_csv


class Command(BaseCommand):
    help = "Importe des abonnés depuis un CSV (colonnes email et date_consentement obligatoires), tout ou rien."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier CSV en UTF-8.")

    def handle(self, *args, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire « {file} » : {error.strerror or error}.") from None
        try:
            result = import_csv(data)
        except ImportErrors as error:
            for line in error.errors[1:]:
                self.stderr.write(line)
            raise CommandError(f"Rien n'a été importé ({len(error.errors)} erreur(s)) : {error.errors[0]}") from None
        self.stdout.write(result.summary())
