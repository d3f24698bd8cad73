"""Blank the voters' and applicants' addresses once the retention period after a campaign's closing is over.

The ballots stay (results do not change); only the addresses go. The period is
SiteSettings.email_retention_days (site settings in the admin), or --days.
"""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thematiques.vote.models import Ballot, Campaign, Candidature


class Command(BaseCommand):
    help = "Efface les adresses des votants des campagnes closes depuis plus que la durée de conservation."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Durée de conservation en jours (par défaut : réglages du site).")
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien effacer.")

    def handle(self, *args, days=None, dry_run=False, **options):
        if days is None:
            from cms.models import SiteSettings

            days = SiteSettings.load().email_retention_days
        if days < 0:
            raise CommandError("La durée de conservation doit être un nombre de jours positif ou nul.")
        now = timezone.now()
        limit = now - dt.timedelta(days=days)
        campaigns = Campaign.objects.filter(closes_at__lte=limit).exclude(status=Campaign.Status.BROUILLON)
        ballots = Ballot.objects.filter(campaign__in=campaigns).exclude(email__isnull=True)
        # Applications to a projet partagé lose their address too once decided (accepted/refused) before
        # the limit, or never confirmed since then.
        candidatures = Candidature.objects.filter(
            Q(decided_at__lte=limit) | Q(status=Candidature.Status.EN_ATTENTE, created_at__lte=limit)
        ).exclude(email__isnull=True)
        with transaction.atomic():
            n_ballots, n_candidatures = ballots.count(), candidatures.count()
            if not dry_run:
                ballots.update(email=None, email_purged_at=now)
                candidatures.update(email=None)
        verb = "seraient effacées" if dry_run else "effacées"
        self.stdout.write(
            f"Conservation : {days} jours après la clôture. {campaigns.count()} campagne(s) concernée(s) ; "
            f"adresses {verb} : {n_ballots} bulletin(s), {n_candidatures} candidature(s). "
            f"{Ballot.objects.count()} bulletin(s) conservé(s)."
        )
