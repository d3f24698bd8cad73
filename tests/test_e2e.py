"""End-to-end journeys in a real Chromium (Debian's package, driven by Playwright) against a live server.

1. A member of the editorial team logs into the Wagtail admin, creates a ProjetPage on a thématique,
   starts a new edition and finds the new project pre-filled, opens the e-mail preview, exports the
   Brevo zip, and the downloaded file holds a valid edition.
2. A visitor filters the resource library by thématique and territory, opens a resource, and
   downloads the agenda's .ics.

Exporting an edition is publishing it (newsletter/exports.py ``can_export``), so the editorial
account is a member of Wagtail's Moderators group (Editors may write but not publish).
"""
import json
import zipfile

import pytest

# serialized_rollback: the flush after each live-server test would otherwise take the Wagtail root page
# and the default groups with it, for every test that runs afterwards.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PROJECT = "Cantine solidaire de Die"


@pytest.fixture
def live_site(live_server, home):
    """The Wagtail site answers at the live server's address, so absolute card links work in the browser."""
    from urllib.parse import urlsplit

    from wagtail.models import Site

    address = urlsplit(live_server.url)
    for site in Site.objects.filter(root_page=home):
        site.hostname, site.port = address.hostname, address.port
        site.save()  # save(), not update(): it clears Wagtail's cached site root paths
    return live_server


def _login(page, live_server, username, password):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_editor_creates_a_projet_composes_an_edition_previews_and_exports_it(
        page, live_server, moderator_user, home, make_thematique, ressource_index, tmp_path):
    from newsletter.models import NewsletterIndexPage, NewsletterPage
    from ressources.models import ProjetPage

    thematique = make_thematique("Alimentation durable")
    archive = home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    _login(page, live_server, "moderation", "motdepasse-moderation")

    # Create the project in the admin, on the thématique, and publish it.
    page.goto(f"{live_server.url}/admin/pages/add/ressources/projetpage/{ressource_index.pk}/")
    page.fill("#id_title", PROJECT)
    page.fill("#id_chapo", "Une cantine associative qui cuisine les produits du territoire.")
    page.get_by_label("Alimentation durable").check()
    page.locator("#id_title").blur()
    page.locator("button[name='action-publish']").evaluate("button => button.click()")
    page.wait_for_url(f"{live_server.url}/admin/pages/{ressource_index.pk}/")
    projet = ProjetPage.objects.get(title=PROJECT)
    assert projet.live
    assert list(projet.thematiques.all()) == [thematique]

    # Start a new edition: the project published since the last one is already in it.
    page.goto(f"{live_server.url}/admin/newsletter/archive/{archive.pk}/nouvelle-edition/")
    page.get_by_role("button", name="Créer l'édition pré-remplie").click()
    page.wait_for_url("**/edit/")
    edition = NewsletterPage.objects.child_of(archive).get()
    assert page.url.endswith(f"/admin/pages/{edition.pk}/edit/")
    page.wait_for_selector(f"text={PROJECT}")

    # The e-mail preview, in Wagtail's preview panel.
    page.click("[data-side-panel-toggle='preview']")
    frame = page.frame_locator("#w-preview-iframe")
    # The panel opens on the web preview; a mode chosen before it has loaded is lost. Wait for it,
    # choose the e-mail, then wait for the e-mail's layout tables (both versions show the title).
    frame.locator(f"text={PROJECT}").first.wait_for()
    page.select_option("#id_preview_mode", "email")
    frame.locator("table[role='presentation']").first.wait_for(state="attached")
    frame.locator(f"text={PROJECT}").first.wait_for()
    email_html = page.locator("#w-preview-iframe").evaluate("f => f.contentDocument.documentElement.outerHTML")
    assert PROJECT in email_html
    assert "<table" in email_html  # the MJML-compiled e-mail, not the web page

    # Export for Brevo as a zip and read the downloaded file.
    page.goto(f"{live_server.url}/admin/newsletter/{edition.pk}/exporter/")
    page.select_option("select[name=tool]", "brevo")
    page.select_option("select[name=format]", "zip")
    force = page.locator("input[name=force]")
    if force.count():
        force.check()  # a fresh draft may still miss an édito; the export records that it was forced
    page.get_by_role("button", name="Exporter").click()
    # The export is confirmed on the page (file name, size, sha256), with the file to download.
    page.get_by_text("Télécharger le fichier").first.wait_for()
    with page.expect_download() as download_info:
        page.locator("a", has_text="Télécharger le fichier").first.click()
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.suffix == ".zip"
    with zipfile.ZipFile(target) as archive_zip:
        names = set(archive_zip.namelist())
        assert {"index.html", "index.txt", "edition.json"} <= names
        html = archive_zip.read("index.html").decode()
        text = archive_zip.read("index.txt").decode()
        meta = json.loads(archive_zip.read("edition.json"))
    assert PROJECT in html and PROJECT in text
    assert "{{ unsubscribe }}" in html  # Brevo's own merge tag
    assert html.lstrip().lower().startswith("<!doctype html")
    assert meta["subject"] == edition.subject or edition.subject in json.dumps(meta, ensure_ascii=False)
    assert errors == []


def test_visitor_filters_the_library_opens_a_resource_and_downloads_the_agenda(
        page, live_site, home, make_thematique, make_projet, make_evenement, ressource_index, agenda_index,
        tmp_path):
    live_server = live_site
    from icalendar import Calendar

    from thematiques.models import Collectivite

    herault = Collectivite.objects.create(code="223400011", code_insee="34", nom="Hérault", echelon="dep")
    montpellier = Collectivite.objects.create(code="34172", nom="Montpellier", echelon="com", departement="34")
    lyon = Collectivite.objects.create(code="69123", nom="Lyon", echelon="com", departement="69")
    Collectivite.objects.create(code="226900017", code_insee="69", nom="Rhône", echelon="dep")
    emploi = make_thematique("Retour à l'emploi")
    mobilite = make_thematique("Droit à la mobilité")
    make_projet("Wake Up Café", thematiques=[emploi], territoire=montpellier)
    make_projet("Garage solidaire", thematiques=[mobilite], territoire=montpellier)
    make_projet("Coopérative d'emploi lyonnaise", thematiques=[emploi], territoire=lyon)
    event = make_evenement("Webinaire participation citoyenne", days=12)
    assert herault.pk

    page.goto(f"{live_server.url}{ressource_index.url}")
    # Each choice shows its count of resources (« Retour à l'emploi (2) »): pick the option by its name.
    thematique_select = page.get_by_label("Thématique")
    option = thematique_select.locator("option", has_text="Retour à l'emploi").first
    thematique_select.select_option(option.get_attribute("value"))
    page.get_by_label("Département").select_option("34")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**thematique=*")
    results = page.locator("main")
    results.get_by_role("link", name="Wake Up Café").first.wait_for()
    main_text = results.inner_text()
    assert "Garage solidaire" not in main_text
    assert "Coopérative d'emploi lyonnaise" not in main_text

    page.get_by_role("link", name="Wake Up Café").first.click()
    page.wait_for_url("**/wake-up-cafe/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Wake Up Café"

    page.goto(f"{live_server.url}{agenda_index.url}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter l'agenda à mon calendrier (.ics)").click()
    target = tmp_path / "agenda.ics"
    download_info.value.save_as(target)
    calendar = Calendar.from_ical(target.read_bytes())
    summaries = [str(component["SUMMARY"]) for component in calendar.walk("VEVENT")]
    assert summaries == [event.title]
