"""Figures back from the mailing tools for every pushed campaign: ``fetch_campaign_stats [--tool …]``."""
from django.core.management.base import BaseCommand, CommandError

from newsletter.providers import TOOLS, ProviderError


class Command(BaseCommand):
    help = ("Relève les statistiques (destinataires, ouvertures, clics, désinscriptions, rebonds, clics par lien) "
            "de chaque campagne poussée, et les enregistre sur son export.")

    def add_arguments(self, parser):
        parser.add_argument("--tool", choices=TOOLS, help="Seulement les campagnes de cet outil.")
        parser.add_argument("--queue", action="store_true",
                            help="Confier la relève à la file de tâches (avec nouvelles tentatives) au lieu de la "
                                 "faire maintenant.")

    def handle(self, *args, tool=None, queue=False, **options):
        from newsletter.campaigns import fetch_campaign_stats, fetch_stats, pushed_campaigns
        from newsletter.providers import get_client

        if queue:
            fetch_campaign_stats.enqueue(tool=tool)
            self.stdout.write("Relève des statistiques confiée à la file de tâches.")
            return
        errors, clients = [], {}
        records = list(pushed_campaigns(tool))
        for record in records:
            try:
                if record.tool not in clients:
                    clients[record.tool] = get_client(record.tool)
                fetch_stats(record, client=clients[record.tool])
            except ProviderError as exc:
                errors.append(f"{record.tool} {record.campaign_id} : {exc}")
                continue
            stats = record.campaign_stats
            self.stdout.write(f"{record.tool} {record.campaign_id} : {stats.get('recipients')} destinataires, "
                              f"{stats.get('opens')} ouvertures, {stats.get('clicks')} clics, "
                              f"{stats.get('unsubscribes')} désinscriptions, {stats.get('bounces')} rebonds")
        for line in errors:
            self.stderr.write(line)
        if errors:
            raise CommandError(f"{len(errors)} campagne(s) sur {len(records)} sans statistiques : voir ci-dessus.")
