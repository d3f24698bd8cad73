"""Sync to the mailing tool every subscriber « à synchroniser »: ``manage.py sync_subscribers``."""
from django.core.management.base import BaseCommand, CommandError

from newsletter.subscriptions import sync_pending


class Command(BaseCommand):
    help = ("Envoie à l'outil d'envoi (NEWSLETTER_TOOL ou le premier configuré) les abonnés « à synchroniser » "
            "(confirmés ou désinscrits depuis la dernière synchronisation).")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Nombre maximal d'abonnés à traiter.")

    def handle(self, *args, limit=None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit doit être un entier positif.")
        synced, errors = sync_pending(limit=limit)
        self.stdout.write(f"{synced} abonné(s) synchronisé(s), {len(errors)} toujours à synchroniser.")
        for line in errors[:20]:
            self.stderr.write(line)
        if errors:
            raise CommandError(f"{len(errors)} abonné(s) n'ont pas pu être synchronisés ; première erreur : {errors[0]}")
