"""The admin import in Chromium: upload two editions, see one progress bar per file while the task waits for
its worker, then the report once the worker has run it (the page polls, no reload), at 320 and 1280 px."""
from pathlib import Path

import pytest

from tests.visual import page_problems, prepare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
PASSWORD = "motdepasse-import-navigateur"
# Wagtail's own sidebar, the same on every admin page and not this page's doing (as in test_browser_campaign.py):
# its mobile menu button sits over the page header on a phone, and it cuts long menu labels with an ellipsis.
WAGTAIL_OWN = ("button.sidebar-nav-toggle", "a.sidebar-menu-item__link")


def check_page(page, name, width):
    """tests.visual's check (screenshot in var/screenshots/<width>/), Wagtail's sidebar aside."""
    problems = [p for p in page_problems(page, name, width) if not any(part in p for part in WAGTAIL_OWN)]
    assert not problems, "\n".join(problems)


@pytest.fixture
def archive(live_server, settings, home, ressource_index, agenda_index, thematique_index, django_user_model):
    from newsletter.models import NewsletterIndexPage

    # A queue that keeps the task until someone runs it (the worker, here the test itself).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    django_user_model.objects.create_superuser("importeur", "importeur@example.org", PASSWORD)
    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


@pytest.mark.parametrize("width", [320, 1280])
def test_upload_shows_the_progress_per_file_then_the_report(live_server, page, archive, width):
    from newsletter.importer.models import ImportJob
    from newsletter.importer.tasks import run_import_job

    page.set_viewport_size({"width": width, "height": 900})
    prepare(page)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "importeur")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + f"/admin/newsletter/archive/{archive.pk}/importer/")
    page.set_input_files("input[type=file]", [str(FIXTURES / "mjml-2022-09.html"), str(FIXTURES / "brevo-2022-03.html")])
    page.uncheck("input[name=dry_run]")
    page.get_by_role("button", name="Importer", exact=True).click()

    section = page.locator("#import-job")
    section.get_by_role("heading", name="Import en cours").wait_for()
    assert page.locator("#import-job progress").count() == 2
    assert section.get_by_text("en attente").count() == 2
    check_page(page, "import-progress", width)

    run_import_job.call(ImportJob.objects.get().pk)  # the worker takes the job

    section.get_by_role("heading", name="Rapport de l'import").wait_for(timeout=10000)
    assert [int(v) for v in page.locator("#import-job progress").evaluate_all("els => els.map(e => e.value)")] == [2, 2]
    assert section.get_by_text("importé", exact=True).count() == 2
    assert section.get_by_text("créé : article « pour aller plus loin » « Le guide de la concertation »").count() == 1
    check_page(page, "import-report", width)
