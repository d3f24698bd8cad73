"""Export an edition for a mailing tool: ``export_newsletter EDITION --tool … --format …``."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsletter.exports import ExportBlocked, ExportError, export_edition, validate
from newsletter.profiles import FORMATS, PROFILES


class Command(BaseCommand):
    help = "Exporte une édition de la newsletter pour un outil d'envoi (html, txt, zip ou eml)."

    def add_arguments(self, parser):
        parser.add_argument("edition", help="Identifiant ou slug de l'édition (ex. decembre-2021).")
        parser.add_argument("--tool", default="generic", help=f"Outil d'envoi : {', '.join(PROFILES)}.")
        parser.add_argument("--format", dest="fmt", default="html", help=f"Format : {', '.join(FORMATS)}.")
        parser.add_argument("--output", help="Fichier ou dossier (terminé par /) où écrire ; par défaut "
                                             "<slug>-<outil>.<format> dans le dossier courant.")
        parser.add_argument("--force", action="store_true",
                            help="Exporter malgré les erreurs des vérifications (taille, alternatives, liens).")

    def handle(self, *args, edition, tool, fmt, output=None, force=False, **options):
        from newsletter.models import NewsletterPage

        try:
            validate(tool, fmt)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        page = None
        if edition.isdigit():
            page = NewsletterPage.objects.filter(pk=int(edition)).first()
        if page is None:
            page = NewsletterPage.objects.filter(slug=edition).order_by("-pk").first()
        if page is None:
            raise CommandError(f"Édition introuvable : « {edition} » (donnez un identifiant ou un slug d'édition).")
        filename = f"{page.slug}-{tool}.{fmt}"
        path = Path(output) if output else Path.cwd() / filename
        if path.is_dir() or (output and output.endswith(("/", "\\"))):  # a folder: the file goes inside
            path = path / filename
        try:
            with transaction.atomic():  # a file that cannot be written records no export
                result = export_edition(page, tool, fmt, force=force)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(result.content)
        except ExportBlocked as exc:
            for check in exc.checks:
                self.stderr.write(str(check))
            self.write_compatibility(exc.compatibility)
            raise CommandError("Export refusé : corrigez les erreurs ci-dessus ou relancez avec --force.") from None
        except OSError as exc:
            raise CommandError(f"Impossible d'écrire « {path} » : {exc.strerror}.") from None
        for check in result.checks:
            self.stderr.write(str(check))
        self.write_compatibility(result.compatibility)
        self.stdout.write(str(path))

    def write_compatibility(self, report):
        """The per-client compatibility table (caniemail's data), on stderr like the other checks."""
        if report is not None:
            self.stderr.write("Compatibilité par client (caniemail) :")
            for line in report.table():
                self.stderr.write("  " + line)
