"""Push an edition to a mailing tool as a draft campaign: ``push_campaign EDITION --tool … [--test ADDRESS…]``."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from newsletter.exports import ExportBlocked
from newsletter.providers import TOOLS, ProviderError


def find_edition(edition: str):
    from newsletter.models import NewsletterPage

    page = None
    if edition.isdigit():
        page = NewsletterPage.objects.filter(pk=int(edition)).first()
    if page is None:
        page = NewsletterPage.objects.filter(slug=edition).order_by("-pk").first()
    if page is None:
        raise CommandError(f"Édition introuvable : « {edition} » (donnez un identifiant ou un slug d'édition).")
    return page


class Command(BaseCommand):
    help = ("Crée (ou met à jour) la campagne brouillon d'une édition dans Brevo, Mailchimp ou Mailjet, "
            "et l'envoie en test si --test est donné. Affiche l'identifiant de la campagne.")

    def add_arguments(self, parser):
        parser.add_argument("edition", help="Identifiant ou slug de l'édition (ex. decembre-2021).")
        parser.add_argument("--tool", required=True, choices=TOOLS, help="Outil d'envoi.")
        parser.add_argument("--test", nargs="+", metavar="ADRESSE", default=[],
                            help="Envoyer ensuite un test de la campagne à ces adresses (envoi de test de l'outil).")
        parser.add_argument("--force", action="store_true", help="Pousser malgré les erreurs des vérifications.")

    def handle(self, *args, edition, tool, test=(), force=False, **options):
        from newsletter.campaigns import push_campaign, send_campaign_test

        for address in test:
            try:
                validate_email(address)
            except ValidationError:
                raise CommandError(f"Adresse de test invalide : « {address} ».") from None
        page = find_edition(edition)
        try:
            record = push_campaign(page, tool, force=force)
            if test:
                send_campaign_test(page, tool, test)
        except ExportBlocked as exc:
            for check in exc.checks:
                if check.is_error:
                    self.stderr.write(str(check))
            raise CommandError("Campagne refusée par les vérifications : corrigez les erreurs ci-dessus ou relancez "
                               "avec --force.") from None
        except ProviderError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(record.campaign_id)
        verb = "créée" if getattr(record, "campaign_created", True) else "mise à jour"
        self.stderr.write(f"Campagne {verb} dans {tool} : {record.campaign_url}")
        if test:
            self.stderr.write(f"Test envoyé par {tool} à {', '.join(test)}.")
