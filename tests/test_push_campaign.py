"""An edition pushed to Brevo, Mailchimp or Mailjet as a draft campaign: admin, command, figures back.

Each tool is a local HTTP server (pytest-httpserver) answering with the shapes its documentation gives;
the shapes and their sources are in tests/test_providers.py.
"""
from __future__ import annotations

import base64
import json
import socket

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse

from newsletter.campaigns import fetch_campaign_stats, latest_campaign, push_campaign
from newsletter.models import NewsletterExport
from newsletter.providers import ProviderError

from .test_providers import BREVO_KEY, MAILCHIMP_KEY, MAILJET_KEY, MAILJET_SECRET, assert_no_secret

MAILCHIMP_REPORT = {
    "id": "c0ffee1234", "emails_sent": 980, "unsubscribed": 4, "bounces": {"hard_bounces": 5, "soft_bounces": 9},
    "opens": {"opens_total": 700, "unique_opens": 450}, "clicks": {"clicks_total": 90, "unique_subscriber_clicks": 61}}
MAILCHIMP_CLICKS = {"urls_clicked": [{"url": "https://territoires-en-commun.fr/agenda/", "total_clicks": 20},
                                     {"url": "https://territoires-en-commun.fr/thematiques/emploi/", "total_clicks": 70}]}
PROBLEM = "application/problem+json"


@pytest.fixture
def tools(settings, httpserver):
    settings.BREVO_API_KEY, settings.BREVO_LIST_ID = BREVO_KEY, "3"
    settings.BREVO_SENDER_EMAIL = "lettre@territoires-en-commun.fr"
    settings.BREVO_API_URL = httpserver.url_for("/v3")
    settings.MAILCHIMP_API_KEY, settings.MAILCHIMP_AUDIENCE_ID = MAILCHIMP_KEY, "aud123"
    settings.MAILCHIMP_API_URL = httpserver.url_for("/3.0")
    settings.MAILJET_API_KEY, settings.MAILJET_API_SECRET, settings.MAILJET_LIST_ID = MAILJET_KEY, MAILJET_SECRET, "77"
    settings.MAILJET_API_URL = httpserver.url_for("/v3")
    settings.MAILING_API_TIMEOUT = 2
    return httpserver


@pytest.fixture
def no_tools(settings):
    for name in ("BREVO_API_KEY", "MAILCHIMP_API_KEY", "MAILJET_API_KEY"):
        setattr(settings, name, "")


def sent(httpserver):
    return [request for request, _response in httpserver.log]


def mailchimp_accepts(httpserver, campaign_id="c0ffee1234"):
    httpserver.expect_request("/3.0/campaigns", method="POST").respond_with_json(
        {"id": campaign_id, "web_id": 4321, "status": "save"})
    httpserver.expect_request(f"/3.0/campaigns/{campaign_id}", method="PATCH").respond_with_json(
        {"id": campaign_id, "web_id": 4321, "status": "save"})
    httpserver.expect_request(f"/3.0/campaigns/{campaign_id}/content", method="PUT").respond_with_json({})


# --- the service -----------------------------------------------------------------------------------------


def test_push_records_the_campaign_on_the_frozen_export(seed_edition, tools):
    mailchimp_accepts(tools)
    record = push_campaign(seed_edition, "mailchimp")
    record.refresh_from_db()
    assert record.tool == "mailchimp" and record.format == "html"
    assert record.campaign_id == "c0ffee1234"
    assert record.campaign_url == "https://us21.admin.mailchimp.com/campaigns/edit?id=4321"
    assert record.campaign_pushed_at is not None
    create, content = sent(tools)
    settings_sent = create.get_json()["settings"]
    assert settings_sent["subject_line"] == seed_edition.subject
    assert settings_sent["preview_text"] == seed_edition.preheader
    assert settings_sent["from_name"] == seed_edition.sender_name
    assert settings_sent["reply_to"] == "newsletter@territoires-en-commun.fr"
    assert create.get_json()["recipients"] == {"list_id": "aud123"}
    body = content.get_json()
    assert body["html"] == record.html and body["plain_text"] == record.text  # the frozen export, byte for byte
    assert "Collectif Repérages" in body["html"] and "Collectif Repérages" in body["plain_text"]
    assert "*|UNSUB|*" in body["html"]  # the tool's own tags, for the tool to expand


def test_pushing_again_updates_the_same_draft(seed_edition, tools):
    mailchimp_accepts(tools)
    first = push_campaign(seed_edition, "mailchimp")
    second = push_campaign(seed_edition, "mailchimp")
    assert second.pk != first.pk and second.campaign_id == first.campaign_id == "c0ffee1234"
    methods = [(r.method, r.path) for r in sent(tools)]
    assert methods.count(("POST", "/3.0/campaigns")) == 1  # one campaign in the tool
    assert ("PATCH", "/3.0/campaigns/c0ffee1234") in methods
    assert latest_campaign(seed_edition, "mailchimp").pk == second.pk


def test_a_sent_draft_is_not_overwritten_a_new_one_is_made(seed_edition, tools):
    mailchimp_accepts(tools)
    first = push_campaign(seed_edition, "mailchimp")
    NewsletterExport.objects.filter(pk=first.pk).update(campaign_stats={"recipients": 980})
    push_campaign(seed_edition, "mailchimp")
    assert [(r.method, r.path) for r in sent(tools)].count(("POST", "/3.0/campaigns")) == 2


def test_each_tool_has_its_own_draft(seed_edition, tools):
    mailchimp_accepts(tools)
    tools.expect_request("/v3/emailCampaigns", method="POST").respond_with_json({"id": 7}, status=201)
    tools.expect_request("/v3/REST/campaigndraft", method="POST").respond_with_json(
        {"Count": 1, "Data": [{"ID": 555}], "Total": 1}, status=201)
    tools.expect_request("/v3/REST/campaigndraft/555/detailcontent", method="POST").respond_with_json(
        {"Count": 1, "Data": [{}], "Total": 1}, status=201)
    ids = {tool: push_campaign(seed_edition, tool).campaign_id for tool in ("mailchimp", "brevo", "mailjet")}
    assert ids == {"mailchimp": "c0ffee1234", "brevo": "7", "mailjet": "555"}
    brevo = next(r for r in sent(tools) if r.path == "/v3/emailCampaigns").get_json()
    assert "{{ unsubscribe }}" in brevo["htmlContent"] and brevo["recipients"] == {"listIds": [3]}
    mailjet = next(r for r in sent(tools) if r.path.endswith("/detailcontent")).get_json()
    assert "[[UNSUB_LINK_FR]]" in mailjet["Html-part"] and "[[UNSUB_LINK_FR]]" in mailjet["Text-part"]


def test_a_refused_push_records_nothing(seed_edition, tools):
    tools.expect_request("/3.0/campaigns", method="POST").respond_with_data(json.dumps(
        {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "API Key Invalid", "status": 401,
         "detail": "Your API key may be invalid.", "instance": "x"}), status=401, content_type=PROBLEM)
    before = NewsletterExport.objects.count()
    with pytest.raises(ProviderError):
        push_campaign(seed_edition, "mailchimp")
    assert NewsletterExport.objects.count() == before


# --- the command -----------------------------------------------------------------------------------------


def test_command_prints_the_campaign_id_and_sends_the_test(seed_edition, tools, capsys):
    mailchimp_accepts(tools)
    tools.expect_request("/3.0/campaigns/c0ffee1234/actions/test", method="POST").respond_with_data("", status=204)
    call_command("push_campaign", seed_edition.slug, "--tool", "mailchimp", "--test", "a@example.org", "b@example.org")
    out, err = capsys.readouterr()
    assert out.strip() == "c0ffee1234"
    assert "Campagne créée dans mailchimp" in err and "Test envoyé par mailchimp à a@example.org, b@example.org" in err
    test = sent(tools)[-1]
    assert test.path == "/3.0/campaigns/c0ffee1234/actions/test"
    assert test.get_json() == {"test_emails": ["a@example.org", "b@example.org"], "send_type": "html"}
    call_command("push_campaign", str(seed_edition.pk), "--tool", "mailchimp")
    out, err = capsys.readouterr()
    assert out.strip() == "c0ffee1234" and "Campagne mise à jour" in err


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("case, expected", [
    ("401", "Mailchimp refuse la clé d'API (401) : vérifiez la clé configurée (MAILCHIMP_API_KEY)."),
    ("404", "Mailchimp ne trouve pas la liste ou la campagne demandée (404) : vérifiez MAILCHIMP_AUDIENCE_ID : "
            "« The requested resource could not be found. »"),
    ("400", "Mailchimp a refusé la requête (400) : « Your Campaign content must include the *|UNSUB|* merge tag. »"),
    ("network", "Impossible de joindre Mailchimp (connexion impossible) : réessayez plus tard."),
    ("unconfigured", "Mailchimp n'est pas configuré : définissez MAILCHIMP_API_KEY et MAILCHIMP_AUDIENCE_ID."),
])
def test_command_errors_are_one_french_line(seed_edition, tools, settings, case, expected):
    if case == "401":
        tools.expect_request("/3.0/campaigns", method="POST").respond_with_data(json.dumps(
            {"type": "t", "title": "API Key Invalid", "status": 401, "detail": "Your API key may be invalid.",
             "instance": "x"}), status=401, content_type=PROBLEM)
    elif case == "404":
        tools.expect_request("/3.0/campaigns", method="POST").respond_with_data(json.dumps(
            {"type": "t", "title": "Resource Not Found", "status": 404,
             "detail": "The requested resource could not be found.", "instance": "x"}), status=404, content_type=PROBLEM)
    elif case == "400":
        tools.expect_request("/3.0/campaigns", method="POST").respond_with_json({"id": "c0ffee1234", "web_id": 1})
        tools.expect_request("/3.0/campaigns/c0ffee1234/content", method="PUT").respond_with_data(json.dumps(
            {"type": "t", "title": "Invalid Resource", "status": 400,
             "detail": "Your Campaign content must include the *|UNSUB|* merge tag.", "instance": "x"}),
            status=400, content_type=PROBLEM)
    elif case == "network":
        settings.MAILCHIMP_API_URL = f"http://127.0.0.1:{_closed_port()}/3.0"
    else:
        settings.MAILCHIMP_API_KEY = ""
    with pytest.raises(CommandError) as caught:  # manage.py turns a CommandError into exit status 1
        call_command("push_campaign", seed_edition.slug, "--tool", "mailchimp")
    assert str(caught.value) == expected
    assert_no_secret(str(caught.value))
    assert not NewsletterExport.objects.exclude(campaign_id="").exists()


def test_command_rejects_a_bad_edition_tool_or_address(seed_edition, tools):
    with pytest.raises(CommandError, match="Édition introuvable : « inconnue »"):
        call_command("push_campaign", "inconnue", "--tool", "mailchimp")
    with pytest.raises(CommandError, match="invalid choice: 'sendgrid'"):
        call_command("push_campaign", seed_edition.slug, "--tool", "sendgrid")
    with pytest.raises(CommandError, match="Adresse de test invalide : « pas-une-adresse »"):
        call_command("push_campaign", seed_edition.slug, "--tool", "mailchimp", "--test", "pas-une-adresse")
    assert sent(tools) == []


# --- the admin -------------------------------------------------------------------------------------------


def test_edition_header_offers_each_configured_tool(seed_edition, moderator_user, client, tools, settings):
    client.force_login(moderator_user)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])).content.decode()
    for tool, label in (("brevo", "Brevo"), ("mailchimp", "Mailchimp"), ("mailjet", "Mailjet")):
        assert reverse("newsletter_campaign_push", args=[seed_edition.pk, tool]) in edit
        assert f"Créer la campagne dans {label}" in edit and f"Envoyer un test via {label}" in edit
    settings.MAILJET_API_KEY = ""
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])).content.decode()
    assert "Créer la campagne dans Mailjet" not in edit and "Créer la campagne dans Brevo" in edit
    assert_no_secret(edit)


def test_no_campaign_button_without_configured_tool(seed_edition, moderator_user, client, no_tools):
    client.force_login(moderator_user)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])).content.decode()
    assert "Créer la campagne dans" not in edit


def test_admin_push_confirms_then_creates_the_draft(seed_edition, moderator_user, client, tools):
    mailchimp_accepts(tools)
    client.force_login(moderator_user)
    url = reverse("newsletter_campaign_push", args=[seed_edition.pk, "mailchimp"])
    page = client.get(url).content.decode()
    assert "Un brouillon de campagne est créé dans Mailchimp" in page
    assert '<button type="submit" class="button">' in page and "Créer la campagne dans Mailchimp</button>" in page
    assert sent(tools) == []  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])
    message = str(list(get_messages(response.wsgi_request))[0])
    assert "Campagne créée dans Mailchimp (brouillon n° c0ffee1234)" in message
    record = latest_campaign(seed_edition, "mailchimp")
    assert record.user == moderator_user
    page = client.get(url).content.decode()
    assert "Brouillon n° c0ffee1234 dans Mailchimp" in page and "Mettre à jour la campagne dans Mailchimp" in page
    assert 'href="https://us21.admin.mailchimp.com/campaigns/edit?id=4321"' in page
    response = client.post(url)
    assert "Campagne mise à jour dans Mailchimp" in str(list(get_messages(response.wsgi_request))[0])


def test_admin_push_refused_shows_the_french_error_without_the_key(seed_edition, moderator_user, client, tools):
    tools.expect_request("/3.0/campaigns", method="POST").respond_with_data(json.dumps(
        {"type": "t", "title": "API Key Invalid", "status": 401, "detail": f"Bad key {MAILCHIMP_KEY}",
         "instance": "x"}), status=401, content_type=PROBLEM)
    client.force_login(moderator_user)
    response = client.post(reverse("newsletter_campaign_push", args=[seed_edition.pk, "mailchimp"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Campagne non créée : Mailchimp refuse la clé d&#x27;API (401)" in page
    assert_no_secret(page)


def test_admin_push_blocked_by_the_checks(seed_edition, moderator_user, client, tools):
    seed_edition.subject = ""
    seed_edition.save_revision()
    client.force_login(moderator_user)
    url = reverse("newsletter_campaign_push", args=[seed_edition.pk, "mailchimp"])
    response = client.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "les vérifications ont trouvé des erreurs" in page and "objet du courriel est vide" in page
    assert sent(tools) == [] and NewsletterExport.objects.count() == 0
    mailchimp_accepts(tools)
    response = client.post(url, {"force": "on"})
    assert response.status_code == 302 and latest_campaign(seed_edition, "mailchimp").forced


def test_admin_test_send_needs_a_campaign_then_uses_the_tool(seed_edition, moderator_user, client, tools):
    client.force_login(moderator_user)
    url = reverse("newsletter_campaign_test", args=[seed_edition.pk, "brevo"])
    page = client.get(url).content.decode()
    assert "pas encore de campagne dans Brevo" in page
    assert reverse("newsletter_campaign_push", args=[seed_edition.pk, "brevo"]) in page
    tools.expect_request("/v3/emailCampaigns", method="POST").respond_with_json({"id": 7}, status=201)
    tools.expect_request("/v3/emailCampaigns/7/sendTest", method="POST").respond_with_data("", status=204)
    push_campaign(seed_edition, "brevo")
    response = client.post(url, {"recipients": "a@example.org, pas-une-adresse"})
    assert "Adresse invalide : pas-une-adresse" in response.content.decode()
    response = client.post(url, {"recipients": "a@example.org\nb@example.org"})
    assert response.status_code == 302
    assert "Test de la campagne envoyé par Brevo à a@example.org, b@example.org" in str(
        list(get_messages(response.wsgi_request))[0])
    test = sent(tools)[-1]
    assert test.path == "/v3/emailCampaigns/7/sendTest"
    assert test.get_json() == {"emailTo": ["a@example.org", "b@example.org"]}


def test_only_publishers_may_push_or_test(seed_edition, editor, client, tools):
    """Wagtail's Editors may edit an edition but not publish it: no campaign, no test (Wagtail answers a
    refused admin view with a redirect to the dashboard and a message)."""
    client.force_login(editor)
    for name in ("newsletter_campaign_push", "newsletter_campaign_test"):
        url = reverse(name, args=[seed_edition.pk, "brevo"])
        assert client.get(url)["Location"] == reverse("wagtailadmin_home")
        assert client.post(url, {"recipients": "a@example.org"})["Location"] == reverse("wagtailadmin_home")
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])).content.decode()
    assert "Créer la campagne dans" not in edit
    assert sent(tools) == [] and NewsletterExport.objects.count() == 0


def test_unknown_tool_is_not_found(seed_edition, moderator_user, client, tools):
    client.force_login(moderator_user)
    assert client.get(reverse("newsletter_campaign_push", args=[seed_edition.pk, "sendgrid"])).status_code == 404


# --- figures back ----------------------------------------------------------------------------------------


def test_fetch_campaign_stats_stores_and_shows_the_figures(seed_edition, tools, moderator_user, client, capsys,
                                                           django_assert_max_num_queries):
    mailchimp_accepts(tools)
    record = push_campaign(seed_edition, "mailchimp")
    tools.expect_request("/3.0/reports/c0ffee1234", method="GET").respond_with_json(MAILCHIMP_REPORT)
    tools.expect_request("/3.0/reports/c0ffee1234/click-details", method="GET").respond_with_json(MAILCHIMP_CLICKS)
    call_command("fetch_campaign_stats")
    assert "mailchimp c0ffee1234 : 980 destinataires, 450 ouvertures, 61 clics, 4 désinscriptions, 14 rebonds" in (
        capsys.readouterr().out)
    record.refresh_from_db()
    assert record.campaign_stats["links"][0] == {"url": "https://territoires-en-commun.fr/thematiques/emploi/",
                                                 "clicks": 70}
    assert record.campaign_stats_at is not None
    client.force_login(moderator_user)
    admin = client.get(reverse("newsletter_newsletterexport_modeladmin_inspect", args=[record.pk])).content.decode()
    assert "Clics par lien" in admin and "https://territoires-en-commun.fr/thematiques/emploi/" in admin
    assert "<td>980</td>" in admin and "<td>450</td>" in admin and "<td>14</td>" in admin
    assert_no_secret(admin)
    with django_assert_max_num_queries(30):
        listing = client.get(reverse("newsletter_newsletterexport_modeladmin_index")).content.decode()
    assert "Campagne n° c0ffee1234" in listing and "980 destinataires, 450 ouvertures, 61 clics" in listing
    assert_no_secret(listing)


def test_the_task_fetches_every_pushed_campaign_once(seed_edition, tools):
    mailchimp_accepts(tools)
    push_campaign(seed_edition, "mailchimp")
    push_campaign(seed_edition, "mailchimp")  # two exports, one campaign
    tools.expect_request("/3.0/reports/c0ffee1234", method="GET").respond_with_json(MAILCHIMP_REPORT)
    tools.expect_request("/3.0/reports/c0ffee1234/click-details", method="GET").respond_with_json(MAILCHIMP_CLICKS)
    result = fetch_campaign_stats.enqueue()
    assert result.return_value == {"fetched": 1, "failed": 0, "retried": 0}
    assert [r.path for r in sent(tools)].count("/3.0/reports/c0ffee1234") == 1
    assert latest_campaign(seed_edition, "mailchimp").campaign_stats["recipients"] == 980


def test_a_tool_down_when_fetching_figures_is_recorded_and_the_command_fails(seed_edition, tools, capsys):
    mailchimp_accepts(tools)
    record = push_campaign(seed_edition, "mailchimp")
    tools.expect_request("/3.0/reports/c0ffee1234", method="GET").respond_with_data(
        json.dumps({"type": "t", "title": "Service Unavailable", "status": 503, "detail": "Down", "instance": "x"}),
        status=503, content_type=PROBLEM)
    result = fetch_campaign_stats.enqueue()
    assert result.return_value == {"fetched": 0, "failed": 1, "retried": 0}  # the immediate backend cannot defer
    record.refresh_from_db()
    assert record.campaign_error == "Mailchimp est indisponible (503) : réessayez plus tard."
    assert record.campaign_stats == {}
    with pytest.raises(CommandError, match=r"1 campagne\(s\) sur 1 sans statistiques"):
        call_command("fetch_campaign_stats")
    assert "Mailchimp est indisponible (503)" in capsys.readouterr().err


def test_keys_never_reach_the_exported_files(seed_edition, tools):
    mailchimp_accepts(tools)
    record = push_campaign(seed_edition, "mailchimp")
    for content in (record.html, record.text, record.web_html, bytes(record.payload).decode(),
                    json.dumps(record.campaign_stats), record.campaign_url):
        assert_no_secret(content)
    # and what went to the tool: the key only in the Authorization header
    for request in sent(tools):
        assert_no_secret(request.get_data(as_text=True))
        assert request.headers["Authorization"] == "Basic " + base64.b64encode(
            f"anystring:{MAILCHIMP_KEY}".encode()).decode()
