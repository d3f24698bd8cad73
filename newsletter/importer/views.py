"""Admin view: upload archived editions; the import runs as a task (``tasks.run_import_job``) and the page
follows each file's progress through a small JSON status view, then shows the report (simulation first)."""
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .forms import ImportForm
from .reading import MAX_BYTES
from .service import FileReport


def can_import(user, index) -> bool:
    """Only users who may add pages under the newsletter archive import editions into it."""
    return bool(user and user.is_authenticated and index.permissions_for_user(user).can_add_subpage())


def _start_job(request, index, form):
    """Store the upload (files, options) as an ``ImportJob`` and enqueue its task."""
    from cms.tasks import enqueue

    from .models import ImportJob, ImportJobFile
    from .tasks import run_import_job

    job = ImportJob.objects.create(index=index, user=request.user, dry_run=form.cleaned_data["dry_run"],
                                   publish=form.cleaned_data["publish"])
    rows = []
    for position, upload in enumerate(form.cleaned_data["files"]):
        if upload.size > MAX_BYTES:  # refused at once, never stored
            report = FileReport(name=upload.name, ok=False, error=_("fichier trop volumineux (maximum 5 Mo)"))
            rows.append(ImportJobFile(job=job, position=position, name=upload.name[:255],
                                      state=ImportJobFile.State.FAILED, lines=report.lines()))
        else:
            rows.append(ImportJobFile(job=job, position=position, name=upload.name[:255], data=upload.read()))
    ImportJobFile.objects.bulk_create(rows)
    enqueue(run_import_job, job.pk)
    job.refresh_from_db()
    return job


def _job_context(job) -> dict:
    files = list(job.files.defer("data"))
    return {"job": job, "files": files, "dry_run": job.dry_run,
            "failed": sum(1 for f in files if f.state == f.State.FAILED)}


def import_view(request, index_id):
    from newsletter.models import NewsletterIndexPage

    index = get_object_or_404(NewsletterIndexPage, pk=index_id)
    if not can_import(request.user, index):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"page_title": _("Importer des éditions archivées"), "subtitle": index.title, "index": index,
               "form": form, "job": None}
    if request.method == "POST" and form.is_valid():
        context.update(_job_context(_start_job(request, index, form)))
    return TemplateResponse(request, "newsletter/importer/upload.html", context)


def import_status_view(request, job_id):
    """The job's progress as JSON: ``done`` and the HTML of the progress and report section."""
    from .models import ImportJob

    job = get_object_or_404(ImportJob.objects.select_related("index"), pk=job_id)
    if job.user_id != request.user.pk or not can_import(request.user, job.index.specific):
        raise PermissionDenied
    html = render_to_string("newsletter/importer/_job.html", _job_context(job), request=request)
    return JsonResponse({"done": job.done, "html": html})
