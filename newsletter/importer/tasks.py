"""The admin import as a task: each file of an ``ImportJob`` is imported in turn, its state saved before and
after (the admin page polls it), its bytes dropped once read and its report kept.

Each file is its own transaction, committed (or, in a simulation, rolled back) before the next one starts, so
that the page sees each file finish; in a simulation a file therefore does not see what the files before it
would have created (the command line's ``--dry-run`` keeps them all in one transaction)."""
from django.db import transaction
from django_tasks import task


@task()
def run_import_job(job_id: int) -> dict:
    from .models import ImportJob, ImportJobFile
    from .service import EditionImporter

    job = ImportJob.objects.select_related("index", "user").get(pk=job_id)
    importer = EditionImporter(parent=job.index.specific, publish=job.publish, user=job.user, dry_run=job.dry_run)
    failed = 0
    for upload in job.files.filter(state=ImportJobFile.State.WAITING).order_by("position"):
        upload.state = ImportJobFile.State.RUNNING
        upload.save(update_fields=["state"])
        data = bytes(upload.data)
        with transaction.atomic():
            report = importer.import_one(upload.name, data)
            if job.dry_run:
                transaction.set_rollback(True)
        upload.state = ImportJobFile.State.DONE if report.ok else ImportJobFile.State.FAILED
        upload.lines, upload.data = report.lines(), b""
        upload.save(update_fields=["state", "lines", "data"])
        failed += not report.ok
    job.done = True
    job.save(update_fields=["done"])
    return {"job": job.pk, "failed": failed}
