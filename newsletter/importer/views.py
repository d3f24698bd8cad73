"""Admin view: upload archived editions, see the report (simulation first, by default)."""
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .forms import ImportForm
from .reading import MAX_BYTES
from .service import EditionImporter, FileReport


def can_import(user, index) -> bool:
    """Only users who may add pages under the newsletter archive import editions into it."""
    return bool(user and user.is_authenticated and index.permissions_for_user(user).can_add_subpage())


def import_view(request, index_id):
    from newsletter.models import NewsletterIndexPage

    index = get_object_or_404(NewsletterIndexPage, pk=index_id)
    if not can_import(request.user, index):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    reports = None
    if request.method == "POST" and form.is_valid():
        files, too_big = [], []
        for upload in form.cleaned_data["files"]:
            if upload.size > MAX_BYTES:
                too_big.append(upload.name)
            else:
                files.append((upload.name, upload.read()))
        importer = EditionImporter(parent=index, publish=form.cleaned_data["publish"], user=request.user,
                                   dry_run=form.cleaned_data["dry_run"])
        reports = importer.import_files(files)
        for name in too_big:
            reports.append(FileReport(name=name, ok=False, error=_("fichier trop volumineux (maximum 5 Mo)")))
    return TemplateResponse(request, "newsletter/importer/upload.html", {
        "page_title": _("Importer des éditions archivées"), "subtitle": index.title, "index": index, "form": form,
        "reports": reports, "dry_run": form.cleaned_data.get("dry_run") if reports is not None else None,
        "failed": sum(1 for r in reports or [] if not r.ok),
    })
