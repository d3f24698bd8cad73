"""The admin import as a task: the upload is stored and enqueued, the task records each file's progress and
report, the page polls a JSON status; a bad file fails in French and changes nothing."""
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Page

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture
def archive(home, ressource_index, agenda_index, thematique_index):
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


def upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/html")


@pytest.fixture
def queue_only(settings):
    """A backend that stores the task without running it (as the database queue does until a worker takes it)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    default_task_backend.clear()
    return default_task_backend


@pytest.mark.django_db
def test_the_upload_is_stored_and_enqueued_and_the_page_follows_it(client, archive, editor, queue_only,
                                                                   django_capture_on_commit_callbacks):
    from newsletter.importer.models import ImportJob
    from newsletter.importer.tasks import run_import_job
    from newsletter.models import NewsletterPage

    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):  # a queue outside the database: enqueued on commit
        response = client.post(reverse("newsletter_import", args=[archive.pk]),
                               {"files": [upload("mjml-2022-09.html"), upload("brevo-2022-03.html")]})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert [task.args for task in queue_only.results] == [[job.pk]]  # enqueued, not run
    assert [(f.name, f.state) for f in job.files.all()] == [("mjml-2022-09.html", "waiting"),
                                                            ("brevo-2022-03.html", "waiting")]
    assert "Import en cours" in html and html.count('<progress max="2" value="0"') == 2
    assert reverse("newsletter_import_status", args=[job.pk]) in html and "import-job.js" in html
    status = client.get(reverse("newsletter_import_status", args=[job.pk])).json()
    assert status["done"] is False and "en attente" in status["html"]
    assert NewsletterPage.objects.count() == 0

    run_import_job.call(job.pk)  # what the worker does

    status = client.get(reverse("newsletter_import_status", args=[job.pk])).json()
    report = unescape(status["html"])
    assert status["done"] is True
    assert "Rapport de l'import" in report and report.count('value="2"') == 2
    assert "créé : article « pour aller plus loin » « Le guide de la concertation »" in report
    assert NewsletterPage.objects.count() == 2
    assert [bytes(f.data) for f in job.files.all()] == [b"", b""]  # the bytes are dropped once read


@pytest.mark.django_db
def test_the_task_records_each_file_and_a_bad_file_fails_in_french_changing_nothing(client, archive, editor):
    from newsletter.importer.models import ImportJob

    client.force_login(editor)
    count = Page.objects.count()
    response = client.post(reverse("newsletter_import", args=[archive.pk]), {"files": [
        SimpleUploadedFile("vide.html", b""), SimpleUploadedFile("image.html", b"\x89PNG\r\n\x1a\n" + bytes(200))]})
    html = unescape(response.content.decode())
    job = ImportJob.objects.get()
    assert job.done  # the immediate backend ran it at once
    assert [(f.name, f.state) for f in job.files.all()] == [("vide.html", "failed"), ("image.html", "failed")]
    assert "ÉCHEC vide.html : fichier vide" in html
    assert "ÉCHEC image.html" in html and "2 fichiers n'ont pas pu être importés." in html
    assert Page.objects.count() == count


@pytest.mark.django_db
def test_the_status_of_a_job_is_only_for_its_author(client, archive, editor, django_user_model):
    from newsletter.importer.models import ImportJob

    job = ImportJob.objects.create(index=archive, user=editor)
    other = django_user_model.objects.create_superuser("autre", "autre@example.org", "motdepasse-autre")
    client.force_login(other)
    response = client.get(reverse("newsletter_import_status", args=[job.pk]))
    assert response.status_code in (302, 403)
    assert b"done" not in response.content
