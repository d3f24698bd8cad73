"""Contributions in a real Chromium: a visitor shares an event, an editor publishes it from the Wagtail
admin, the visitor finds it in the agenda and in its .ics; both public forms pass axe-core."""
import datetime as dt
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from tests.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Forum « Jeunes et démocratie locale »"


@pytest.fixture
def setup(agenda_index, make_thematique, moderator_user):
    from thematiques.models import Collectivite

    cache.clear()
    agenda_index.save_revision().publish()
    Collectivite.objects.create(code="34172", code_insee="34172", nom="Montpellier", echelon="com",
                                departement="34", region="76", population=300000)
    thematique = make_thematique("Retour à l'emploi")
    return agenda_index, thematique, moderator_user


def assert_accessible(pg, what):
    violations = axe_violations(pg)
    assert not violations, f"{what} :\n{format_violations(violations)}"


def test_visitor_shares_an_event_editor_publishes_it_visitor_finds_it(live_server, browser, page, setup):
    from ressources.contrib.models import ContributionEvenement

    agenda, _thematique, moderator = setup
    day = timezone.localdate() + dt.timedelta(days=30)

    # 1. The visitor comes from the agenda's invitation.
    page.goto(live_server.url + agenda.url)
    page.click("text=Proposer un événement")
    page.wait_for_selector("h1:has-text('Partager un événement')")
    assert_accessible(page, "formulaire de contribution")

    # A first try without the required fields: French errors next to the fields, typed values kept.
    page.fill("#id_title", TITLE)
    page.click("button:has-text('Proposer l\\'événement')")
    page.wait_for_selector("#id_organizer-desc-error")
    assert "Indiquez qui organise l'événement." in page.inner_text("#id_organizer-desc-error")
    assert page.input_value("#id_title") == TITLE
    assert_accessible(page, "formulaire de contribution avec erreurs")

    page.fill("#id_organizer", "Ville de Montpellier")
    page.focus("#id_collectivite")
    page.keyboard.type("Montp")
    page.wait_for_selector("#collectivite-suggestions option", state="attached", timeout=5000)
    suggestion = page.locator("#collectivite-suggestions option").first.get_attribute("value")
    assert suggestion.startswith("Montpellier") and "34172" in suggestion
    page.fill("#id_collectivite", suggestion)
    page.fill("#id_description", "Des jeunes élus racontent leur mandat.\n\nAteliers l'après-midi.")
    page.fill("#id_url", "https://www.montpellier.fr/forum-jeunes")
    page.fill("#id_start_date", day.isoformat())
    page.fill("#id_start_time", "09:30")
    page.fill("#id_end_time", "17:00")
    page.fill("#id_location", "Hôtel de ville de Montpellier")
    page.fill("#id_contact_name", "Camille Martin")
    page.fill("#id_contact_email", "camille.martin@montpellier.fr")
    page.click("label[for=id_consent]")  # DSFR draws the box on the label
    assert page.is_checked("#id_consent")
    page.click("button:has-text('Proposer l\\'événement')")
    page.wait_for_selector("h1:has-text('Merci')")
    contribution = ContributionEvenement.objects.get()
    assert contribution.collectivite.nom == "Montpellier"
    assert [m.to for m in mail.outbox] == [["camille.martin@montpellier.fr"], ["editorialisation@territoires-en-commun.fr"]]

    # Not public yet.
    page.goto(live_server.url + agenda.url)
    assert TITLE not in page.content()

    # 2. The editor logs into the Wagtail admin and publishes it.
    editor_context = browser.new_context(locale="fr-FR")
    admin = editor_context.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.fill("#id_username", moderator.username)
    admin.fill("#id_password", "motdepasse-moderation")
    admin.click("button[type=submit]")
    admin.wait_for_url(live_server.url + "/admin/")
    assert "1 événement proposé à relire" in admin.content()
    admin.click("text=1 événement proposé à relire")
    admin.click("text=Publier dans l'agenda")
    admin.check("input[value=publier]")
    admin.click("button:has-text('Créer l\\'événement')")
    admin.wait_for_selector("text=est publié dans l'agenda")
    editor_context.close()
    contribution.refresh_from_db()
    assert contribution.status == "acceptee" and contribution.evenement.live
    assert mail.outbox[-1].to == ["camille.martin@montpellier.fr"]

    # 3. The visitor finds it in the agenda, on its page and in the .ics feeds.
    page.goto(live_server.url + agenda.url)
    link = page.locator(".fr-card__title a", has_text=TITLE)
    assert link.count() == 1
    # Cards carry absolute URLs on the site's hostname (testserver): follow the path on the live server.
    page.goto(live_server.url + urlparse(link.get_attribute("href")).path)
    page.wait_for_selector(f"h1:has-text('{TITLE}')")
    assert "Des jeunes élus racontent leur mandat." in page.content()
    whole = page.request.get(live_server.url + "/agenda.ics")
    assert whole.status == 200 and "text/calendar" in whole.headers["content-type"]
    assert "Jeunes et démocratie locale" in whole.text()
    single = page.request.get(live_server.url + f"/agenda/{contribution.evenement.slug}.ics")
    assert single.status == 200
    body = single.text().replace("\r\n ", "")  # unfold RFC 5545 lines
    assert "SUMMARY:Forum « Jeunes et démocratie locale »" in body
    assert "LOCATION:Hôtel de ville de Montpellier" in body


def test_contact_form_pre_filled_from_a_thematique_is_accessible(live_server, page, setup):
    from ressources.contrib.models import DemandeContact

    _agenda, thematique, _moderator = setup
    page.goto(live_server.url + thematique.url)
    page.click("#contact-anct a.fr-btn")
    page.wait_for_selector("h1:has-text('Contactez l')")
    assert page.locator("#id_thematique option:checked").inner_text() == "Retour à l'emploi"
    assert_accessible(page, "formulaire de contact")
    page.fill("#id_name", "Dominique Petit")
    page.fill("#id_collectivite", "Commune de Lodève")
    page.fill("#id_job_title", "Maire adjointe")
    page.fill("#id_email", "d.petit@lodeve.example")
    page.fill("#id_message", "Nous voulons lancer une convention citoyenne.")
    page.click("button:has-text('Envoyer ma demande')")
    page.wait_for_selector("h1:has-text('Merci')")
    assert DemandeContact.objects.get().thematique_id == thematique.pk


def test_emails_html_is_accessible(page, setup, client):
    """The acknowledgement and the team notification, opened as HTML in Chromium, pass axe-core."""
    from tests.test_contributions import event_data

    client.post("/contribuer/evenement/", event_data(collectivite="34172"))
    client.post("/contact/", {"name": "D", "collectivite": "C", "job_title": "F", "email": "d@example.org",
                              "message": "Bonjour", "thematique": ""})
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        page.set_content(message.alternatives[0][0])
        assert_accessible(page, f"courriel « {message.subject} »")
