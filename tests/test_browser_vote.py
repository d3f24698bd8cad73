"""The vote in a real Chromium, with the keyboard alone: vote, read the email, confirm, see the count move."""
import pytest
from django.core import mail
from django.core.cache import cache

from tests.conftest import axe_violations, format_violations
from tests.vote_helpers import link_from_outbox, make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def vote_setup(live_server, home, make_thematique):
    from thematiques.models import Collectivite
    from thematiques.vote.models import VotePage

    cache.clear()
    themes = [make_thematique(t) for t in ("Aménagement des territoires", "Droit à la mobilité", "Précarité alimentaire")]
    campaign = make_campaign(themes)
    Collectivite.objects.create(code="34172", code_insee="34172", nom="Montpellier", echelon="com",
                                departement="34", region="76", population=300000)
    page = home.add_child(instance=VotePage(title="Votez pour une thématique", slug="votez"))
    page.save_revision().publish()
    return page, campaign


def count_cell(pg, label):
    return pg.locator(f'td.tec-vote-results__count[data-label="{label}"]').first.inner_text().strip()


def test_vote_with_the_keyboard_confirm_from_the_email_and_see_the_count_move(live_server, page, vote_setup):
    vote_page, campaign = vote_setup
    page.goto(live_server.url + vote_page.url)
    assert count_cell(page, "Droit à la mobilité") == "0"

    # The collectivité field, reached with Tab from the last link before the form.
    page.focus("#id_collectivite")
    page.keyboard.type("Montp")
    page.wait_for_selector("#collectivites-suggestions option", state="attached", timeout=5000)
    assert page.locator("#collectivites-suggestions option").first.get_attribute("value") == "34172"
    page.keyboard.press("Control+A")
    page.keyboard.type("34172")
    page.keyboard.press("Tab")
    page.keyboard.type("agent@ville-montpellier.fr")
    page.keyboard.press("Tab")  # into the radio group: the first theme gets the focus
    page.keyboard.press("ArrowDown")  # second theme, selected
    assert page.locator("input[name=thematiques]:checked").get_attribute("id").startswith("thematique-")
    page.keyboard.press("Tab")  # the honeypot is hidden: next stop is the submit button
    assert page.evaluate("document.activeElement.textContent.trim()") == "Voter"
    page.keyboard.press("Enter")
    page.wait_for_selector("#vote-envoye")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["agent@ville-montpellier.fr"]
    link = link_from_outbox()
    assert link.startswith(live_server.url)
    page.goto(link)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.focus("#bouton-confirmer")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirmation-ok")
    assert "confirmé et compté" in page.inner_text("#confirmation-ok")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.goto(live_server.url + vote_page.url)
    assert count_cell(page, "Droit à la mobilité") == "1"
    assert count_cell(page, "Aménagement des territoires") == "0"


def test_vote_page_has_no_axe_violations_with_and_without_errors(live_server, page, vote_setup):
    vote_page, _campaign = vote_setup
    page.goto(live_server.url + vote_page.url)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.click("text=Voter")  # empty form: every field in error
    page.wait_for_selector("#erreurs-vote")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_application_page_has_no_axe_violations(live_server, page, vote_setup, home):
    import datetime as dt

    from django.utils import timezone

    from thematiques.models import ProjetPartageIndexPage, ProjetPartagePage

    _vote_page, campaign = vote_setup
    index = home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="projets-partages"))
    projet = index.add_child(instance=ProjetPartagePage(title="Aménagement partagé"))
    campaign.status, campaign.projet_partage = "clos", projet
    campaign.closes_at = timezone.now() - dt.timedelta(days=1)
    campaign.save()
    page.goto(live_server.url + f"/votes/projets-partages/{projet.pk}/candidater/")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.click("text=Envoyer la candidature")
    page.wait_for_selector(".fr-alert--error")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
