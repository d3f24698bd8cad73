"""python manage.py import_newsletter PATH... [--dry-run] [--parent SLUG] [--publish]"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from newsletter.importer.reading import MAX_BYTES, human_size
from newsletter.importer.service import EditionImporter


class Command(BaseCommand):
    help = _("Importe des éditions archivées (HTML de Mailchimp, Brevo, Mailjet, MJML ou exports du site) : "
             "une édition et ses ressources par fichier, chaque fichier dans sa propre transaction.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help=_("fichiers .html, .htm, .eml, .zip ou dossiers"))
        parser.add_argument("--dry-run", action="store_true", help=_("n'écrit rien, affiche le même rapport"))
        parser.add_argument("--parent", metavar="SLUG", help=_("slug de l'archive de newsletter où créer les éditions"))
        parser.add_argument("--publish", action="store_true", help=_("publie les pages créées (sinon : brouillons)"))

    def handle(self, *args, paths, dry_run=False, parent=None, publish=False, **options):
        from newsletter.models import NewsletterIndexPage

        parent_page = None
        if parent:
            parent_page = NewsletterIndexPage.objects.filter(slug=parent).first()
            if parent_page is None:
                raise CommandError(_("archive de newsletter introuvable : aucune page « %s » de ce type") % parent)
        files = self.collect(paths)
        if not files:
            raise CommandError(_("aucun fichier à importer dans %s") % ", ".join(paths))

        loaded = []
        for path in files:
            try:
                size = path.stat().st_size
                # A huge file is refused before being read into memory.
                loaded.append((path, path.read_bytes() if size <= MAX_BYTES else b"", size))
            except OSError as exc:
                loaded.append((path, None, exc.strerror or str(exc)))

        importer = EditionImporter(parent=parent_page, publish=publish, dry_run=dry_run)
        readable = [(str(p), d) for p, d, s in loaded if d is not None and isinstance(s, int) and s <= MAX_BYTES]
        verbosity = options.get("verbosity", 1)

        def progress(index, total, name):
            if total > 1 and verbosity:
                self.stdout.write(f"[{index}/{total}] {Path(name).name} …")

        reports = {name: r for name, r in zip([n for n, _d in readable],
                                               importer.import_files(readable, progress=progress), strict=False)}
        failures = 0
        for path, data, size in loaded:
            name = str(path)
            if data is None:
                failures += 1
                self.stderr.write(_("ÉCHEC %(name)s : fichier illisible (%(why)s)") % {"name": name, "why": size})
                continue
            if size > MAX_BYTES:
                failures += 1
                self.stderr.write(_("ÉCHEC %(name)s : fichier trop volumineux (%(size)s, maximum %(max)s)")
                                  % {"name": name, "size": human_size(size), "max": human_size(MAX_BYTES)})
                continue
            report = reports[name]
            if not report.ok:
                failures += 1
                self.stderr.write(report.lines()[0])
                continue
            for line in report.lines():
                self.stdout.write(line)
        done = len(files) - failures
        summary = _("%(done)s fichier(s) importé(s), %(failed)s en échec") % {"done": done, "failed": failures}
        if dry_run:
            summary += _(" — simulation : rien n'a été écrit")
        self.stdout.write(summary)
        if failures:
            raise CommandError(_("%(n)s fichier(s) sur %(total)s n'ont pas pu être importés")
                               % {"n": failures, "total": len(files)})

    @staticmethod
    def collect(paths) -> list[Path]:
        files = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(sorted(p for p in path.iterdir()
                                    if p.is_file() and p.suffix.lower() in (".html", ".htm", ".eml", ".zip", ".mjml")))
            elif path.exists():
                files.append(path)
            else:
                raise CommandError(_("fichier introuvable : %s") % raw)
        return files
