"""The theme vote (issue 4): voting with a confirmed link, refusals in French, moderation, results,
exports, privacy purge, admin permissions and the projets partagés applications."""
import csv
import datetime as dt
import io
import re
from html import unescape
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail, signing
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tests.test_fragment_cache import routing_queries
from tests.vote_helpers import link_from_outbox, make_campaign, make_collectivites, siren

THEMES = ["Aménagement des territoires", "Droit à la mobilité", "Précarité alimentaire"]


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def themes(make_thematique):
    return [make_thematique(title) for title in THEMES]


@pytest.fixture
def campaign(themes):
    return make_campaign(themes)


@pytest.fixture
def vote_page(home):
    from thematiques.vote.models import VotePage

    page = home.add_child(instance=VotePage(title="Votez pour une thématique", slug="votez"))
    page.save_revision().publish()
    return page


@pytest.fixture
def montpellier(db):
    from thematiques.models import Collectivite

    return Collectivite.objects.create(code="34172", code_insee="34172", nom="Montpellier", echelon="com",
                                       departement="34", region="76", population=300000)


@pytest.fixture
def herault(db):
    from thematiques.models import Collectivite

    return Collectivite.objects.create(code=siren("22340001"), code_insee="34", nom="Hérault", echelon="dep",
                                       departement="34", region="76")


def post_vote(client, page, campaign, code="34172", email="agent@ville-montpellier.fr", choice=0, remote_addr="127.0.0.1",
              **extra):
    proposition = campaign.propositions.order_by("sort_order")[choice]
    data = {"collectivite": code, "email": email, "thematiques": [proposition.pk], "site_internet": ""}
    data.update(extra)
    return client.post(page.url, data, REMOTE_ADDR=remote_addr)


def confirm_link(client, link):
    token = link.split("jeton=", 1)[1]
    from urllib.parse import unquote

    return client.post(reverse("thematiques:vote_confirm"), {"jeton": unquote(token)}, follow=True)


def counts(campaign):
    return dict(campaign.results())


# --- the vote page and the confirmed vote -------------------------------------------------------------
@pytest.mark.django_db
def test_vote_page_shows_the_question_the_themes_and_a_keyboard_usable_form(client, vote_page, campaign):
    response = client.get(vote_page.url)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Quelle est la priorité d'action de votre territoire ?" in html
    for title in THEMES:
        assert title in html
    assert 'for="id_collectivite"' in html and 'list="collectivites-suggestions"' in html
    assert html.count('type="radio"') == 3
    assert 'name="site_internet"' in html  # honeypot present but hidden
    assert "Résultats en direct" in html


@pytest.mark.django_db
def test_vote_counts_only_once_the_emailed_link_is_confirmed(client, vote_page, campaign, montpellier):
    response = post_vote(client, vote_page, campaign, choice=1)
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in unescape(response.content.decode())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["agent@ville-montpellier.fr"]
    assert "Montpellier" in message.subject
    html_part = message.alternatives[0][0]
    assert '<html lang="fr">' in html_part and "Confirmer mon vote" in html_part
    assert counts(campaign)["Droit à la mobilité"] == 0  # not yet

    link = link_from_outbox()
    page = client.get(link)
    assert page.status_code == 200 and "Confirmer mon vote" in unescape(page.content.decode())
    assert counts(campaign)["Droit à la mobilité"] == 0  # opening the link (mail scanners do) is not confirming

    done = confirm_link(client, link)
    assert done.status_code == 200
    assert "est confirmé et compté" in unescape(done.content.decode())
    assert counts(campaign)["Droit à la mobilité"] == 1
    ballot = campaign.ballots.get()
    assert ballot.status == "confirme" and ballot.collectivite == montpellier and ballot.confirmed_at

    again = confirm_link(client, link)  # idempotent
    assert "était déjà confirmé" in unescape(again.content.decode())
    assert counts(campaign)["Droit à la mobilité"] == 1


@pytest.mark.django_db
def test_a_departement_votes_with_its_insee_code(client, vote_page, campaign, herault):
    response = post_vote(client, vote_page, campaign, code="34", email="dgs@herault.fr")
    assert response.status_code == 200, unescape(response.content.decode())
    confirm_link(client, link_from_outbox())
    assert campaign.ballots.get().collectivite == herault


@pytest.mark.django_db
def test_unknown_code_is_refused_in_french_next_to_the_field_with_values_kept(client, vote_page, campaign, montpellier):
    response = post_vote(client, vote_page, campaign, code="34999", email="agent@mairie.fr", choice=2)
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "Aucune collectivité ne porte le code « 34999 »" in html
    assert 'value="34999"' in html and 'value="agent@mairie.fr"' in html
    third = campaign.propositions.order_by("sort_order")[2]
    assert f'value="{third.pk}" checked' in html
    assert 'aria-invalid="true"' in html
    assert mail.outbox == [] and not campaign.ballots.exists()


@pytest.mark.django_db
def test_malformed_code_and_email_get_french_messages(client, vote_page, campaign):
    response = client.post(vote_page.url, {"collectivite": "abc", "email": "pas-une-adresse"})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "n'est ni un code INSEE ni un SIREN" in html
    assert "Saisissez une adresse électronique valide" in html
    assert "Choisissez une thématique." in html


@pytest.mark.django_db
def test_more_choices_than_allowed_are_refused(client, vote_page, themes, montpellier):
    campaign = make_campaign(themes, max_choices=2)
    ids = [p.pk for p in campaign.propositions.all()]
    response = client.post(vote_page.url, {"collectivite": "34172", "email": "a@ville.fr", "thematiques": ids})
    assert response.status_code == 400
    assert "Choisissez au plus 2 thématiques." in unescape(response.content.decode())
    ok = client.post(vote_page.url, {"collectivite": "34172", "email": "a@ville.fr", "thematiques": ids[:2]})
    assert ok.status_code == 200
    confirm_link(client, link_from_outbox())
    assert counts(campaign) == {THEMES[0]: 1, THEMES[1]: 1, THEMES[2]: 0}


@pytest.mark.django_db
def test_closed_campaign_refuses_votes_and_confirmations(client, vote_page, campaign, montpellier):
    post_vote(client, vote_page, campaign)
    link = link_from_outbox()
    campaign.status = "clos"
    campaign.save()
    response = post_vote(client, vote_page, campaign)
    assert response.status_code == 403
    assert "est close : les votes ne sont plus acceptés" in unescape(response.content.decode())
    assert len(mail.outbox) == 1
    refused = confirm_link(client, link)
    assert refused.status_code == 400 and not refused.redirect_chain
    assert "est close" in unescape(refused.content.decode())
    assert not campaign.ballots.filter(status="confirme").exists()


@pytest.mark.django_db
def test_campaign_past_its_closing_date_refuses_even_if_still_marked_open(client, vote_page, themes, montpellier):
    campaign = make_campaign(themes, opens_at=timezone.now() - dt.timedelta(days=10),
                             closes_at=timezone.now() - dt.timedelta(minutes=1))
    response = post_vote(client, vote_page, campaign)
    assert response.status_code == 403
    assert mail.outbox == []


@pytest.mark.django_db
def test_expired_link_is_refused_in_french(client, vote_page, campaign, montpellier):
    from thematiques.vote.services import make_token, vote_payload

    proposition = campaign.propositions.first()
    with mock.patch("django.core.signing.time.time", return_value=timezone.now().timestamp() - 49 * 3600):
        token = make_token(vote_payload(campaign, montpellier, "a@ville.fr", [proposition]))
    for response in (client.get(reverse("thematiques:vote_confirm"), {"jeton": token}),
                     client.post(reverse("thematiques:vote_confirm"), {"jeton": token})):
        assert response.status_code == 400
        assert "Ce lien de confirmation a expiré : il était valable 48 heures." in unescape(response.content.decode())
    assert not campaign.ballots.exists()


@pytest.mark.django_db
def test_tampered_link_is_refused_in_french(client, vote_page, campaign, montpellier, themes):
    post_vote(client, vote_page, campaign)
    token = link_from_outbox().split("jeton=", 1)[1]
    from urllib.parse import unquote

    token = unquote(token)
    forged = signing.TimestampSigner(salt="thematiques.vote.confirmation", key="une-autre-clef").sign_object(
        {"kind": "ballot", "mode": "vote", "c": campaign.pk, "k": montpellier.pk, "e": "pirate@ville.fr",
         "t": [campaign.propositions.first().pk]})
    for bad in (token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), forged, "n'importe quoi"):
        response = client.post(reverse("thematiques:vote_confirm"), {"jeton": bad})
        assert response.status_code == 400
        assert "Ce lien de confirmation n'est pas valide." in unescape(response.content.decode())
    assert not campaign.ballots.filter(status="confirme").exists()


@pytest.mark.django_db
def test_free_webmail_is_accepted_but_flagged_and_shown_apart_until_validated(client, vote_page, campaign, montpellier, editor):
    post_vote(client, vote_page, campaign, email="maire.montpellier@gmail.com")
    done = confirm_link(client, link_from_outbox())
    assert "après validation" in unescape(done.content.decode())
    ballot = campaign.ballots.get()
    assert ballot.status == "a_moderer" and ballot.webmail
    summary = campaign.results_summary()
    assert summary.rows[0].count == 0 and summary.pending_collectivites == 1
    assert [r.pending for r in summary.rows if r.label == THEMES[0]] == [1]
    html = unescape(client.get(vote_page.url).content.decode())
    assert "attend la validation de l'équipe et n'est pas encore compté" in html
    assert "En attente de modération" in html

    client.force_login(editor)
    url = reverse("thematiques_vote_ballot_moderate", args=[ballot.pk, "valider"])
    assert client.post(url).status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == "valide" and ballot.moderated_by == editor
    assert counts(campaign)[THEMES[0]] == 1


@pytest.mark.django_db
def test_honeypot_refuses_the_submission(client, vote_page, campaign, montpellier):
    response = post_vote(client, vote_page, campaign, site_internet="http://spam.example")
    assert response.status_code == 400
    assert "champ réservé à la détection des robots" in unescape(response.content.decode())
    assert mail.outbox == [] and not campaign.ballots.exists()


@pytest.mark.django_db
def test_rate_limit_per_ip_answers_429_in_french(client, vote_page, campaign, montpellier, settings):
    settings.VOTE_RATE_LIMIT = (3, 3600)
    for _ in range(3):
        assert post_vote(client, vote_page, campaign, code="99999").status_code == 400
    response = post_vote(client, vote_page, campaign)
    assert response.status_code == 429
    html = unescape(response.content.decode())
    assert "Trop de demandes depuis votre connexion" in html
    assert 'value="34172"' in html  # values kept
    assert mail.outbox == []
    other_ip = post_vote(client, vote_page, campaign, remote_addr="10.0.0.9")
    assert other_ip.status_code == 200


@pytest.mark.django_db
def test_second_attempt_explains_and_changes_the_vote_through_the_address_on_record(client, vote_page, campaign, montpellier):
    post_vote(client, vote_page, campaign, choice=0)
    confirm_link(client, link_from_outbox())
    response = post_vote(client, vote_page, campaign, email="autre@ville-montpellier.fr", choice=2)
    html = unescape(response.content.decode())
    assert response.status_code == 409
    assert "Montpellier a déjà voté" in html
    assert "a•••@ville-montpellier.fr" in html and "agent@ville-montpellier.fr" not in html
    assert len(mail.outbox) == 1

    third = campaign.propositions.order_by("sort_order")[2]
    change = client.post(vote_page.url, {"action": "changer", "collectivite": "34172", "email": "autre@ville-montpellier.fr",
                                         "thematiques": [third.pk]})
    assert change.status_code == 200 and "Lien de modification envoyé" in unescape(change.content.decode())
    assert mail.outbox[-1].to == ["agent@ville-montpellier.fr"]  # never to the new address
    assert counts(campaign)[THEMES[0]] == 1
    done = confirm_link(client, link_from_outbox())
    assert "est modifié" in unescape(done.content.decode())
    assert counts(campaign) == {THEMES[0]: 0, THEMES[1]: 0, THEMES[2]: 1}
    assert campaign.ballots.count() == 1


@pytest.mark.django_db
def test_pending_ballot_blocks_a_second_address_until_its_link_expires(client, vote_page, campaign, montpellier):
    from thematiques.vote.models import Ballot

    post_vote(client, vote_page, campaign)
    second = post_vote(client, vote_page, campaign, email="autre@ville-montpellier.fr")
    assert second.status_code == 409 and "attend déjà sa confirmation" in unescape(second.content.decode())
    Ballot.objects.update(updated_at=timezone.now() - dt.timedelta(hours=49))
    third = post_vote(client, vote_page, campaign, email="autre@ville-montpellier.fr")
    assert third.status_code == 200
    assert mail.outbox[-1].to == ["autre@ville-montpellier.fr"]
    stale = confirm_link(client, link_from_outbox(0))
    assert stale.status_code == 400 and "un autre vote a été enregistré" in unescape(stale.content.decode())
    confirm_link(client, link_from_outbox(-1))
    assert campaign.ballots.get().email == "autre@ville-montpellier.fr"


@pytest.mark.django_db
def test_one_ballot_per_collectivite_is_a_database_constraint(campaign, montpellier):
    from thematiques.vote.models import Ballot

    Ballot.objects.create(campaign=campaign, collectivite=montpellier, status="confirme")
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(campaign=campaign, collectivite=montpellier, status="confirme")


# --- results -------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_results_are_ordered_with_echelon_breakdown_in_constant_queries(campaign, django_assert_num_queries, herault):
    from thematiques.vote.models import Ballot

    communes = make_collectivites(12)
    props = list(campaign.propositions.order_by("sort_order"))
    for i, commune in enumerate(communes):
        ballot = Ballot.objects.create(campaign=campaign, collectivite=commune, status="confirme" if i % 4 else "valide")
        ballot.choices.set([props[2] if i < 7 else props[1]])
    Ballot.objects.create(campaign=campaign, collectivite=herault, status="annule").choices.set([props[0]])
    # Awaiting moderation: counted apart (the échelons and pending come from one GROUP BY).
    Ballot.objects.create(campaign=campaign, collectivite=make_collectivites(1, start=90)[0],
                          status="a_moderer").choices.set([props[0]])
    with django_assert_num_queries(2):
        summary = campaign.results_summary()
    assert [(r.label, r.count) for r in summary.rows] == [(THEMES[2], 7), (THEMES[1], 5), (THEMES[0], 0)]
    assert [r.pending for r in summary.rows] == [0, 0, 1]
    assert summary.pending_collectivites == 1
    assert summary.collectivites == 12 and summary.total_votes == 12
    assert dict(summary.echelons)["Commune"] == 12 and dict(summary.echelons)["Département"] == 0
    assert campaign.results() == [(THEMES[2], 7), (THEMES[1], 5), (THEMES[0], 0)]


@pytest.mark.django_db
def test_results_table_is_accessible_text_not_colour_alone(client, vote_page, campaign, montpellier):
    from thematiques.vote.models import Ballot

    Ballot.objects.create(campaign=campaign, collectivite=montpellier, status="confirme").choices.set(
        [campaign.propositions.order_by("sort_order")[1]])
    html = unescape(client.get(vote_page.url).content.decode())
    table = html[html.index("<table"):html.index("</table>")]
    assert "<caption>" in table and 'scope="col"' in table and 'scope="row"' in table
    assert re.search(r"Droit à la mobilité</th>\s*<td[^>]*>1</td>", table)
    assert re.search(r'<progress[^>]*max="1" value="1" aria-labelledby="resultat-\d+-1"', table)
    assert "100,0 %" in table or "100.0 %" in table
    assert "1 collectivité votante confirmée" in html
    assert "Commune : <strong>1</strong>" in html


@pytest.mark.django_db
def test_closed_campaign_with_hand_entered_results_is_shown_and_marked(client, vote_page, themes):
    from thematiques.vote.models import CampaignThematique

    campaign = make_campaign(themes, status="clos", title="Vote 2021", opens_at=timezone.now() - dt.timedelta(days=90),
                             closes_at=timezone.now() - dt.timedelta(days=60))
    for count, p in zip((40, 172, 12), campaign.propositions.order_by("sort_order"), strict=False):
        CampaignThematique.objects.filter(pk=p.pk).update(manual_count=count, manual_count_date=dt.date(2021, 12, 1))
    assert campaign.results() == [(THEMES[1], 172), (THEMES[0], 40), (THEMES[2], 12)]
    assert campaign.winner().label == THEMES[1]
    html = unescape(client.get(vote_page.url).content.decode())
    assert "Résultats saisis manuellement" in html and "décompte du 1er décembre 2021" in html
    assert "est close depuis" in html and 'id="formulaire-vote"' not in html


@pytest.mark.django_db
def test_home_include_shows_the_live_results(rf, home, campaign, montpellier):
    from django.template.loader import render_to_string

    from thematiques.vote.models import Ballot, VotePage

    page = home.add_child(instance=VotePage(title="Votez pour une thématique", slug="votez"))
    Ballot.objects.create(campaign=campaign, collectivite=montpellier, status="confirme").choices.set(
        [campaign.propositions.order_by("sort_order")[0]])
    html = render_to_string("thematiques/includes/home_vote.html", {"request": rf.get("/")})
    assert "Votez pour une thématique !" in html
    assert re.search(r"Aménagement des territoires</th>\s*<td[^>]*>1</td>", html)
    assert f'href="{page.url}"' in html


@pytest.mark.django_db
def test_home_vote_block_is_kept_but_follows_ballots_and_the_clock(client, settings, monkeypatch, home, themes,
                                                                     montpellier):
    """Cold home page (whole-page cache off): the vote block costs no query on a repeat, yet a new
    ballot shows at once, and so does a campaign opening or closing at its hour, without any save."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thematiques.vote.models import Ballot, VotePage

    settings.PAGE_CACHE_ENABLED = False
    home.add_child(instance=VotePage(title="Votez pour une thématique", slug="votez")).save_revision().publish()
    now = timezone.now()
    campaign = make_campaign(themes, opens_at=now + dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=2))

    def home_html():
        response = client.get("/")
        assert response.status_code == 200
        return response.content.decode()

    assert "Votez pour une thématique !" not in home_html()  # not open yet, none closed
    with CaptureQueriesContext(connection) as queries:
        home_html()
    # Only Wagtail's own routing of the home page runs (a constant); the vote block itself costs nothing.
    assert len(queries) == routing_queries(home), [q["sql"] for q in queries]

    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(hours=2))  # the opening hour has passed
    page = home_html()
    assert "Votez pour une thématique !" in page and ">Votez pour une thématique</a>" in page

    Ballot.objects.create(campaign=campaign, collectivite=montpellier, status="confirme").choices.set(
        [campaign.propositions.order_by("sort_order")[0]])
    assert re.search(r"Aménagement des territoires</th>\s*<td[^>]*>1</td>", home_html())

    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(days=3))  # closed by the clock
    assert ">Voir les résultats du vote</a>" in home_html()


@pytest.mark.django_db
def test_home_include_renders_nothing_without_campaign(rf, home):
    from django.template.loader import render_to_string

    assert render_to_string("thematiques/includes/home_vote.html", {"request": rf.get("/")}).strip() == ""


@pytest.mark.django_db
def test_autocomplete_finds_collectivites_by_name_and_code(client, montpellier, herault):
    url = reverse("thematiques:collectivites_autocomplete")
    data = client.get(url, {"q": "montp"}).json()["results"]
    assert data[0]["code"] == "34172" and data[0]["label"] == "Montpellier (Commune, 34172)"
    assert client.get(url, {"q": "3417"}).json()["results"][0]["nom"] == "Montpellier"
    assert client.get(url, {"q": "h"}).json()["results"] == []


# --- privacy --------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_purge_blanks_emails_after_the_retention_period_and_keeps_ballots(themes, settings):
    from cms.models import SiteSettings
    from thematiques.vote.models import Ballot

    site_settings = SiteSettings.load()
    site_settings.email_retention_days = 30
    site_settings.save()
    now = timezone.now()
    old = make_campaign(themes, status="clos", title="Ancienne", opens_at=now - dt.timedelta(days=90),
                        closes_at=now - dt.timedelta(days=31))
    recent = make_campaign(themes, status="clos", title="Récente", opens_at=now - dt.timedelta(days=40),
                           closes_at=now - dt.timedelta(days=29))
    communes = make_collectivites(3)
    for campaign in (old, recent):
        for c in communes:
            Ballot.objects.create(campaign=campaign, collectivite=c, status="confirme", email=f"x{c.pk}@mairie.fr")
    before = old.results()
    out = io.StringIO()
    call_command("purge_vote_emails", stdout=out)
    assert "3 bulletin(s)" in out.getvalue() and "30 jours" in out.getvalue()
    assert not old.ballots.exclude(email__isnull=True).exists()
    assert old.ballots.count() == 3 and old.ballots.filter(email_purged_at__isnull=False).count() == 3
    assert recent.ballots.filter(email__isnull=False).count() == 3
    assert old.results() == before
    out = io.StringIO()
    call_command("purge_vote_emails", stdout=out)
    assert "0 bulletin(s)" in out.getvalue()


@pytest.mark.django_db
def test_purge_refuses_a_negative_period():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nombre de jours positif"):
        call_command("purge_vote_emails", days=-1)


@pytest.mark.django_db
def test_emails_are_never_on_public_pages(client, vote_page, campaign, montpellier):
    post_vote(client, vote_page, campaign)
    done = confirm_link(client, link_from_outbox())
    assert "agent@ville-montpellier.fr" not in unescape(done.content.decode())
    assert "agent@ville-montpellier.fr" not in unescape(client.get(vote_page.url).content.decode())


# --- admin -----------------------------------------------------------------------------------------------
@pytest.fixture
def ballots(campaign, montpellier, herault):
    from thematiques.vote.models import Ballot

    props = list(campaign.propositions.order_by("sort_order"))
    b1 = Ballot.objects.create(campaign=campaign, collectivite=montpellier, status="confirme", email="agent@ville.fr")
    b1.choices.set([props[0]])
    b2 = Ballot.objects.create(campaign=campaign, collectivite=herault, status="a_moderer", email="dgs@gmail.com",
                               webmail=True)
    b2.choices.set([props[1]])
    return b1, b2


@pytest.mark.django_db
def test_results_export_csv_and_xlsx(client, editor, campaign, ballots):
    from openpyxl import load_workbook

    client.force_login(editor)
    url = reverse("thematiques_vote_campaign_results", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Exporter en XLSX" in unescape(page.content.decode())
    response = client.get(url, {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Thématique", "Votes", "Part (%)", "En attente de modération"]
    assert rows[1][:4] == [THEMES[0], "1", "100.0", "0"]
    assert rows[2][:4] == [THEMES[1], "0", "0.0", "1"]
    assert ["Collectivités votantes confirmées", "1"] == rows[5][:2]
    xlsx = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]][:2] == [THEMES[0], 1]
    assert [c.value for c in sheet[3]][:4] == [THEMES[1], 0, 0, 1]


@pytest.mark.django_db
def test_ballots_export_csv_and_xlsx_follow_the_filters(client, editor, campaign, ballots):
    from openpyxl import load_workbook

    client.force_login(editor)
    index = reverse("thematiques_ballot_modeladmin_index")
    response = client.get(index, {"export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert "Collectivité" in text and "Adresse électronique" in text
    assert "Montpellier" in text and "agent@ville.fr" in text and "Hérault" in text
    filtered = b"".join(client.get(index, {"export": "csv", "status": "a_moderer"}).streaming_content).decode()
    assert "Hérault" in filtered and "Montpellier" not in filtered
    xlsx = client.get(index, {"export": "xlsx", "q": "Montp"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][0] == "Montpellier" and values[1][1] == "34172"


@pytest.mark.django_db
def test_ballot_list_filters_and_search(client, editor, campaign, ballots):
    client.force_login(editor)
    index = reverse("thematiques_ballot_modeladmin_index")
    html = unescape(client.get(index, {"collectivite__echelon": "dep"}).content.decode())
    assert "Hérault" in html and "Montpellier" not in html
    html = unescape(client.get(index, {"q": "34172"}).content.decode())
    assert "Montpellier" in html and "Hérault" not in html
    html = unescape(client.get(index, {"collectivite__departement": "34", "campaign__id__exact": campaign.pk}).content.decode())
    assert "Montpellier" in html and "Hérault" in html


@pytest.mark.django_db
def test_cancel_needs_a_reason_and_removes_the_vote_from_results(client, moderator_user, campaign, ballots):
    b1, _ = ballots
    client.force_login(moderator_user)
    url = reverse("thematiques_vote_ballot_moderate", args=[b1.pk, "annuler"])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400 and "Indiquez le motif de l'annulation." in unescape(refused.content.decode())
    b1.refresh_from_db()
    assert b1.status == "confirme"
    assert client.post(url, {"reason": "Doublon avec l'EPCI"}).status_code == 302
    b1.refresh_from_db()
    assert b1.status == "annule" and b1.cancel_reason == "Doublon avec l'EPCI"
    assert counts(campaign)[THEMES[0]] == 0


@pytest.mark.django_db
def test_admin_permissions(client, campaign, ballots, editor):
    b1, b2 = ballots
    index = reverse("thematiques_ballot_modeladmin_index")
    validate = reverse("thematiques_vote_ballot_moderate", args=[b2.pk, "valider"])
    results = reverse("thematiques_vote_campaign_results", args=[campaign.pk])
    # anonymous: sent to the login page
    assert client.get(index).status_code == 302
    # an admin user without the vote permissions: refused, nothing changes
    outsider = User.objects.create_user("lecteur", "lecteur@example.org", "x")
    group = Group.objects.create(name="Lecteurs")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    outsider.groups.add(group)
    client.force_login(outsider)
    assert client.get(index).status_code in (302, 403)
    assert client.get(index, {"export": "csv"}).status_code in (302, 403)
    # (Wagtail's admin answers a PermissionDenied with a redirect to the dashboard and a message)
    assert client.post(validate).status_code in (302, 403)
    assert client.get(results, {"export": "csv"}).status_code in (302, 403)
    assert not client.get(results, {"export": "csv"}).get("Content-Disposition")
    b2.refresh_from_db()
    assert b2.status == "a_moderer"
    # editors manage campaigns and moderate; nobody creates or edits ballots by hand
    client.force_login(editor)
    html = unescape(client.get(index).content.decode())
    assert "Valider" in html and "Annuler" in html
    assert client.get(reverse("thematiques_ballot_modeladmin_create")).status_code in (302, 403)
    assert client.get(reverse("thematiques_ballot_modeladmin_edit", args=[b1.pk])).status_code in (302, 403)
    assert client.get(reverse("thematiques_campaign_modeladmin_create")).status_code == 200
    assert client.get(reverse("thematiques_campaign_modeladmin_index")).status_code == 200


@pytest.mark.django_db
def test_campaign_can_be_created_in_the_admin_with_ordered_themes(client, editor, themes):
    from thematiques.vote.models import Campaign

    client.force_login(editor)
    url = reverse("thematiques_campaign_modeladmin_create")
    data = {
        "title": "Campagne 2028", "question": "Votre priorité ?", "status": "ouvert", "max_choices": "1",
        "opens_at": "2028-01-01 09:00", "closes_at": "2028-02-01 18:00", "projet_partage": "",
        "propositions-TOTAL_FORMS": "2", "propositions-INITIAL_FORMS": "0", "propositions-MIN_NUM_FORMS": "1",
        "propositions-MAX_NUM_FORMS": "1000",
        "propositions-0-thematique": themes[1].pk, "propositions-0-ORDER": "1", "propositions-0-id": "",
        "propositions-0-DELETE": "", "propositions-0-manual_count": "", "propositions-0-manual_count_date": "",
        "propositions-1-thematique": themes[0].pk, "propositions-1-ORDER": "2", "propositions-1-id": "",
        "propositions-1-DELETE": "", "propositions-1-manual_count": "", "propositions-1-manual_count_date": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, unescape(response.content.decode())[:3000]
    campaign = Campaign.objects.get(title="Campagne 2028")
    assert [p.label for p in campaign.propositions.order_by("sort_order")] == [themes[1].title, themes[0].title]


@pytest.mark.django_db
def test_closing_shows_the_winner_and_creates_the_projet_partage(client, editor, home, themes):
    from thematiques.models import ProjetPartageIndexPage, ProjetPartagePage
    from thematiques.vote.models import Ballot

    home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="projets-partages"))
    campaign = make_campaign(themes)
    for c in make_collectivites(3):
        Ballot.objects.create(campaign=campaign, collectivite=c, status="confirme").choices.set(
            [campaign.propositions.order_by("sort_order")[2]])
    assert campaign.winner() is None  # still open
    campaign.status = "clos"
    campaign.save()
    client.force_login(editor)
    html = unescape(client.get(reverse("thematiques_campaign_modeladmin_index")).content.decode())
    assert THEMES[2] in html
    response = client.post(reverse("thematiques_vote_campaign_link_projet", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    projet = campaign.projet_partage
    assert isinstance(projet, ProjetPartagePage) and projet.thematique_id == themes[2].pk
    client.post(reverse("thematiques_vote_campaign_link_projet", args=[campaign.pk]))
    assert ProjetPartagePage.objects.count() == 1  # linking twice creates nothing more


# --- projets partagés -------------------------------------------------------------------------------------
@pytest.fixture
def projet(home, themes):
    from thematiques.models import ProjetPartageIndexPage, ProjetPartagePage

    index = home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="projets-partages"))
    page = index.add_child(instance=ProjetPartagePage(title="Aménagement partagé", thematique=themes[0]))
    page.save_revision().publish()
    make_campaign(themes, status="clos", title="Vote clos", projet_partage=page,
                  opens_at=timezone.now() - dt.timedelta(days=30), closes_at=timezone.now() - dt.timedelta(days=1))
    return page


def apply(client, projet, code, role="partie_prenante", email=None):
    url = reverse("thematiques:candidature", args=[projet.pk])
    response = client.post(url, {"collectivite": code, "email": email or f"dgs@{code}.fr", "role": role,
                                 "motivation": "Nous avons un plan local."})
    assert response.status_code == 200, unescape(response.content.decode())
    link = link_from_outbox()
    from urllib.parse import unquote

    token = unquote(link.split("jeton=", 1)[1])
    assert client.get(reverse("thematiques:vote_confirm"), {"jeton": token}).status_code == 200
    done = client.post(reverse("thematiques:vote_confirm"), {"jeton": token})
    assert "est confirmée" in unescape(done.content.decode())


@pytest.mark.django_db
def test_applications_accept_at_most_five_parties_prenantes_and_any_observatrices(client, projet, editor):
    from thematiques.models import ProjetPartageCollectivite
    from thematiques.vote.models import Candidature

    communes = make_collectivites(8)
    for c in communes[:6]:
        apply(client, projet, c.code)
    for c in communes[6:]:
        apply(client, projet, c.code, role="observatrice")
    assert Candidature.objects.filter(status="a_examiner").count() == 8
    client.force_login(editor)
    for cand in Candidature.objects.order_by("pk"):
        client.post(reverse("thematiques_vote_candidature_decide", args=[cand.pk, "accepter"]))
    projet.refresh_from_db()
    assert ProjetPartageCollectivite.objects.filter(page=projet, role="partie_prenante").count() == 5
    assert ProjetPartageCollectivite.objects.filter(page=projet, role="observatrice").count() == 2
    sixth = Candidature.objects.get(collectivite=communes[5])
    assert sixth.status == "a_examiner"
    response = client.post(reverse("thematiques_vote_candidature_decide", args=[sixth.pk, "accepter"]))
    assert response.status_code == 400 and "compte déjà 5 parties prenantes" in unescape(response.content.decode())
    # the participants survive the next publication by an editor (they are in the latest revision too)
    projet.get_latest_revision_as_object().save_revision().publish()
    assert ProjetPartageCollectivite.objects.filter(page=projet).count() == 7
    # a second application of the same collectivité is refused in French
    url = reverse("thematiques:candidature", args=[projet.pk])
    again = client.post(url, {"collectivite": communes[0].code, "email": "x@mairie.fr", "role": "observatrice"})
    assert again.status_code == 400 and "a déjà candidaté" in unescape(again.content.decode())


@pytest.mark.django_db
def test_applications_only_for_projets_from_a_closed_campaign(client, home, themes):
    from thematiques.models import ProjetPartageIndexPage, ProjetPartagePage

    index = home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="projets-partages"))
    other = index.add_child(instance=ProjetPartagePage(title="Hors vote"))
    assert client.get(reverse("thematiques:candidature", args=[other.pk])).status_code == 404


@pytest.mark.django_db
def test_application_form_errors_are_french_with_values_kept(client, projet):
    url = reverse("thematiques:candidature", args=[projet.pk])
    response = client.post(url, {"collectivite": "34999", "email": "dgs@mairie.fr"})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "Aucune collectivité ne porte le code" in html and "Choisissez le rôle souhaité." in html
    assert 'value="dgs@mairie.fr"' in html


# --- demo --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_demo_loader_records_the_seed_campaign_idempotently(home, thematique_index):
    from thematiques import demo
    from thematiques.vote.models import Campaign, VotePage

    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert Campaign.objects.count() == 2  # twice loaded, still the seed's closed campaign and the open one
    campaign = Campaign.objects.get(title=demo.SEED_CAMPAIGN_TITLE)
    assert campaign.status == "clos" and campaign.has_manual_results
    assert campaign.results() == [("Aménagement des territoires", 172), ("Droit à la mobilité", 136),
                                  ("Précarité alimentaire", 131), ("Isolement des seniors", 125),
                                  ("Retour à l'emploi", 113)]
    assert VotePage.objects.count() == 1 and VotePage.objects.get().live
    # The menu's "Votez pour une thématique" leads to a campaign a visitor can vote in: the seed's five
    # thématiques, then the newer ones.
    current = VotePage.objects.get().get_campaign()
    assert current.title == demo.OPEN_CAMPAIGN_TITLE and current.is_open()
    assert [p.label for p in current.propositions.order_by("sort_order")][:5] == [t for t, _c in demo.SEED_RESULTS]
    assert "Votez pour une thématique" in out.getvalue()


@pytest.mark.django_db
def test_confirmation_redirects_after_post_and_a_forged_outcome_confirms_nothing(client, vote_page, campaign, montpellier):
    from urllib.parse import unquote

    post_vote(client, vote_page, campaign)
    token = unquote(link_from_outbox().split("jeton=", 1)[1])
    url = reverse("thematiques:vote_confirm")
    forged = client.get(url, {"jeton": token, "resultat": "confirmed"})
    assert "Confirmer mon vote" in unescape(forged.content.decode())
    assert counts(campaign)[THEMES[0]] == 0
    response = client.post(url, {"jeton": token})
    assert response.status_code == 303 and "resultat=confirmed" in response["Location"]
    assert counts(campaign)[THEMES[0]] == 1


@pytest.mark.django_db
def test_projet_partage_page_lists_accepted_collectivites_and_links_to_the_application(client, projet, editor):
    from thematiques.vote.models import Candidature

    html = unescape(client.get(projet.url).content.decode())
    assert reverse("thematiques:candidature", args=[projet.pk]) in html
    commune = make_collectivites(1)[0]
    apply(client, projet, commune.code, role="observatrice")
    client.force_login(editor)
    client.post(reverse("thematiques_vote_candidature_decide", args=[Candidature.objects.get().pk, "accepter"]))
    client.logout()
    html = unescape(client.get(projet.url).content.decode())
    assert "Observatrices" in html and commune.nom in html


@pytest.mark.django_db
def test_draft_campaign_is_announced_not_open(client, vote_page, themes, montpellier):
    from thematiques.vote.models import VotePage

    campaign = make_campaign(themes, status="brouillon", opens_at=timezone.now() + dt.timedelta(days=3),
                             closes_at=timezone.now() + dt.timedelta(days=30))
    VotePage.objects.filter(pk=vote_page.pk).update(campaign=campaign)
    html = unescape(client.get(vote_page.url).content.decode())
    assert "n'est pas encore ouvert" in html and 'id="formulaire-vote"' not in html
    response = post_vote(client, vote_page, campaign)
    assert response.status_code == 403 and "Le vote n'est pas encore ouvert." in unescape(response.content.decode())


@pytest.mark.django_db
def test_admin_pages_render_for_editors(client, editor, campaign, ballots, projet):
    from thematiques.vote.models import Candidature

    commune = make_collectivites(1)[0]
    cand = Candidature.objects.create(projet=projet, collectivite=commune, role="observatrice", status="a_examiner",
                                      email="dgs@commune.fr")
    client.force_login(editor)
    for url in (reverse("thematiques_campaign_modeladmin_edit", args=[campaign.pk]),
                reverse("thematiques_ballot_modeladmin_inspect", args=[ballots[0].pk]),
                reverse("thematiques_candidature_modeladmin_inspect", args=[cand.pk]),
                reverse("thematiques_vote_ballot_moderate", args=[ballots[0].pk, "annuler"])):
        assert client.get(url).status_code == 200, url
    html = unescape(client.get(reverse("thematiques_candidature_modeladmin_index")).content.decode())
    assert commune.nom in html and "0 / 5" in html and "Accepter" in html
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    index = reverse("thematiques_candidature_modeladmin_index")
    client.get(index)  # warm-up
    with CaptureQueriesContext(connection) as one_row:
        client.get(index)
    for c in make_collectivites(15, start=100):
        Candidature.objects.create(projet=projet, collectivite=c, role="partie_prenante", status="a_examiner")
    with CaptureQueriesContext(connection) as sixteen_rows:
        assert client.get(index).status_code == 200
    assert len(sixteen_rows) == len(one_row)  # no query per row


@pytest.mark.django_db
def test_ballot_list_queries_do_not_grow_with_rows(client, editor, campaign, ballots):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from thematiques.vote.models import Ballot

    client.force_login(editor)
    index = reverse("thematiques_ballot_modeladmin_index")
    client.get(index)  # warm-up: site settings and per-process caches
    with CaptureQueriesContext(connection) as few:
        client.get(index)
    prop = campaign.propositions.first()
    for c in make_collectivites(20, start=200):
        Ballot.objects.create(campaign=campaign, collectivite=c, status="confirme").choices.set([prop])
    with CaptureQueriesContext(connection) as many:
        assert "Commune 220" in client.get(index).content.decode()
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)


@pytest.mark.django_db
def test_the_campaign_the_home_shows_and_its_next_change_come_from_one_query(django_assert_num_queries):
    """``Campaign.shown()`` (the home's vote block) gives what ``current()`` and ``next_change()`` give,
    through every state: none, a draft, one due to open, one running, one past its closing, one closed."""
    from thematiques.vote.models import Campaign

    now = timezone.now()
    day = dt.timedelta(days=1)

    def check():
        with django_assert_num_queries(1):
            shown = Campaign.shown(now)
        assert shown == (Campaign.current(), Campaign.next_change(now))
        return shown

    assert check() == (None, None)
    make_campaign([], status="brouillon", title="Brouillon", opens_at=now - day, closes_at=now + day)
    assert check() == (None, None)
    closed = make_campaign([], status="clos", title="2025", opens_at=now - 40 * day, closes_at=now - 30 * day)
    assert check() == (closed, None)
    past_closing = make_campaign([], title="2026", opens_at=now - 20 * day, closes_at=now - 10 * day)
    assert check() == (past_closing, None)
    future = make_campaign([], title="2028", opens_at=now + 5 * day, closes_at=now + 15 * day)
    assert check() == (past_closing, future.opens_at)
    running = make_campaign([], title="2027", opens_at=now - day, closes_at=now + 3 * day)
    assert check() == (running, running.closes_at)
