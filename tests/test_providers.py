"""The mailing tools' API clients (newsletter/providers/) against a local HTTP server standing for each tool.

The server (pytest-httpserver) answers as each tool's documentation says; each test asserts the exact
request the client sent: method, path, authentication header, JSON body. Where the shapes come from:

Brevo (API v3, https://developers.brevo.com/reference):
- authentication: header ``api-key`` (https://developers.brevo.com/docs/getting-started).
- create a contact: ``POST /v3/contacts`` {email, attributes, listIds, updateEnabled} → 201 {"id"}, or 204
  when ``updateEnabled`` updated an existing contact (https://developers.brevo.com/reference/create-contact,
  https://developers.brevo.com/docs/synchronise-contact-lists); get one: ``GET /v3/contacts/{email}``
  (https://developers.brevo.com/reference/get-contact-info); update: ``PUT /v3/contacts/{email}``
  {unlinkListIds} → 204 (https://developers.brevo.com/reference/update-contact).
- email campaigns: ``POST /v3/emailCampaigns`` {name, subject, sender{name,email}, htmlContent, previewText,
  recipients{listIds}} → 201 {"id"} (https://developers.brevo.com/reference/create-email-campaign);
  ``PUT /v3/emailCampaigns/{id}`` → 204 (https://developers.brevo.com/reference/update-email-campaign);
  ``POST /v3/emailCampaigns/{id}/sendTest`` {emailTo} → 204, 400 {code, message} when addresses are refused
  (https://developers.brevo.com/reference/send-test-email); ``GET /v3/emailCampaigns/{id}`` with
  ``statistics.globalStats`` and ``statistics.linksStats`` (https://developers.brevo.com/reference/get-email-campaign).
- errors: the HTTP status with {"code": "unauthorized" | "invalid_parameter" | "document_not_found" | …,
  "message": "…"} (https://developers.brevo.com/docs/how-it-works#error-codes).

Mailchimp (Marketing API 3.0, https://mailchimp.com/developer/marketing/api/):
- authentication: HTTP Basic, any user name, the key as password; data centre from the key's suffix
  (https://mailchimp.com/developer/marketing/docs/fundamentals/).
- ``PUT /3.0/lists/{list_id}/members/{md5(lower-case email)}`` {email_address, status_if_new, status,
  merge_fields} → the member, its ``id`` the hash
  (https://mailchimp.com/developer/marketing/api/list-members/add-or-update-list-member/);
  ``PATCH`` of the same member {status: "unsubscribed"}
  (https://mailchimp.com/developer/marketing/api/list-members/update-list-member/).
- campaigns: ``POST /3.0/campaigns`` {type, recipients{list_id}, settings{subject_line, preview_text, title,
  from_name, reply_to}} → {id, web_id} (https://mailchimp.com/developer/marketing/api/campaigns/add-campaign/);
  ``PATCH /3.0/campaigns/{id}`` (…/campaigns/update-campaign-settings/); ``PUT /3.0/campaigns/{id}/content``
  {html, plain_text} (…/campaign-content/set-campaign-content/); ``POST /3.0/campaigns/{id}/actions/test``
  {test_emails, send_type} → 204 (…/campaigns/send-test-email/).
- reports: ``GET /3.0/reports/{id}`` {emails_sent, opens{unique_opens}, clicks{unique_subscriber_clicks},
  unsubscribed, bounces{hard_bounces, soft_bounces}} (…/reports/get-campaign-report/) and
  ``GET /3.0/reports/{id}/click-details`` {urls_clicked[{url, total_clicks}]}
  (…/link-clickers/list-campaign-details/ — "click reports").
- errors: RFC 7807 problem documents {type, title, status, detail, instance}, a 400 with ``errors`` [{field,
  message}] (https://mailchimp.com/developer/marketing/docs/errors/).

Mailjet (API v3 REST, https://dev.mailjet.com/email/reference/; guides in github.com/mailjet/api-documentation,
guides/_newsletter.md and guides/_statistics.md):
- authentication: HTTP Basic, API key and secret key.
- ``POST /v3/REST/contactslist/{id}/managecontact`` {Email, Name, Action: addforce | unsub, Properties} →
  {"Count": 1, "Data": [{"ContactID", "Email", "Action", …}], "Total": 1}
  (https://dev.mailjet.com/email/reference/contacts/subscriptions/#v3_post_contactslist_list_ID_managecontact).
- campaign drafts: ``POST /v3/REST/campaigndraft`` {Locale, Title, Subject, Sender, SenderName, SenderEmail,
  ContactsListID} → {"Data": [{"ID"}]}; ``PUT /v3/REST/campaigndraft/{id}``; ``POST …/{id}/detailcontent``
  {Html-part, Text-part}; ``POST …/{id}/test`` {Recipients: [{Email, Name}]}
  (https://dev.mailjet.com/email/reference/campaigns/drafts/).
- statistics: ``GET /v3/REST/campaign?NewsLetter={draft id}`` (the sent campaign of a draft), ``GET
  /v3/REST/statcounters?CounterSource=Campaign&CounterTiming=Message&CounterResolution=Lifetime&SourceId=…``
  {MessageSentCount, MessageOpenedCount, MessageClickedCount, MessageUnsubscribedCount, MessageHardBouncedCount,
  MessageSoftBouncedCount}, ``GET /v3/REST/statistics/link-click?CampaignId=…`` {URL, ClickedMessagesCount}
  (https://dev.mailjet.com/email/reference/statistics/).
- errors: the HTTP status with {"ErrorInfo", "ErrorMessage", "StatusCode"}
  (https://dev.mailjet.com/email/guides/#status-codes).

429 answers carry ``Retry-After`` (RFC 9110 § 10.2.3); each tool documents rate limiting with 429.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import socket
import time
from types import SimpleNamespace

import pytest
from werkzeug import Response

from newsletter.providers import ProviderError, configured_tools, get_client
from newsletter.providers.base import parse_retry_after

BREVO_KEY = "xkeysib-0123456789abcdef-SECRETBREVO"
MAILCHIMP_KEY = "0123456789abcdefSECRETMC-us21"
MAILJET_KEY, MAILJET_SECRET = "mjpublickeySECRETMJ1", "mjprivatesecretSECRETMJ2"
SECRETS = (BREVO_KEY, MAILCHIMP_KEY, MAILJET_KEY, MAILJET_SECRET, "SECRETBREVO", "SECRETMC", "SECRETMJ")

EXPORT = SimpleNamespace(
    html="<!doctype html><html><body><p>Bonjour, voici l'édition de décembre.</p></body></html>",
    text="Bonjour, voici l'édition de décembre.", subject="La lettre de décembre", edition_title="Décembre 2021")
CAMPAIGN = {"subject": "La lettre de décembre", "preheader": "Retour à l'emploi, mobilité, agenda",
            "sender_name": "Territoires en Commun", "sender_email": "newsletter@territoires-en-commun.fr",
            "title": "Décembre 2021 (01/12/2021)"}


@pytest.fixture
def tools(settings, httpserver):
    """The three tools configured, each pointing at the local server."""
    settings.BREVO_API_KEY, settings.BREVO_LIST_ID = BREVO_KEY, "3"
    settings.BREVO_SENDER_EMAIL = "lettre@territoires-en-commun.fr"
    settings.BREVO_API_URL = httpserver.url_for("/v3")
    settings.MAILCHIMP_API_KEY, settings.MAILCHIMP_AUDIENCE_ID = MAILCHIMP_KEY, "aud123"
    settings.MAILCHIMP_API_URL = httpserver.url_for("/3.0")
    settings.MAILJET_API_KEY, settings.MAILJET_API_SECRET, settings.MAILJET_LIST_ID = MAILJET_KEY, MAILJET_SECRET, "77"
    settings.MAILJET_API_URL = httpserver.url_for("/v3")
    settings.MAILING_API_TIMEOUT = 2
    return httpserver


def requests_sent(httpserver):
    return [request for request, _response in httpserver.log]


def only_request(httpserver):
    sent = requests_sent(httpserver)
    assert len(sent) == 1, [f"{r.method} {r.path}" for r in sent]
    return sent[0]


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def member_hash(email):
    return hashlib.md5(email.lower().encode()).hexdigest()  # noqa: S324 - Mailchimp names a member by the MD5 of its address


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


# --- configuration --------------------------------------------------------------------------------------


def test_a_tool_without_keys_is_not_configured(settings):
    for name in ("BREVO_API_KEY", "BREVO_LIST_ID", "MAILCHIMP_API_KEY", "MAILCHIMP_AUDIENCE_ID", "MAILJET_API_KEY",
                 "MAILJET_API_SECRET", "MAILJET_LIST_ID"):
        setattr(settings, name, "")
    assert configured_tools() == []
    with pytest.raises(ProviderError, match="^Brevo n'est pas configuré : définissez BREVO_API_KEY et BREVO_LIST_ID.$"):
        get_client("brevo")
    with pytest.raises(ProviderError, match="Mailchimp n'est pas configuré"):
        get_client("mailchimp")
    with pytest.raises(ProviderError, match="Mailjet n'est pas configuré"):
        get_client("mailjet")
    with pytest.raises(ProviderError, match="Outil inconnu « sendgrid »"):
        get_client("sendgrid")


def test_configured_tools_and_their_default_public_endpoints(tools, settings):
    assert configured_tools() == ["brevo", "mailchimp", "mailjet"]
    settings.BREVO_API_URL = settings.MAILCHIMP_API_URL = settings.MAILJET_API_URL = ""
    assert get_client("brevo").base_url == "https://api.brevo.com/v3"
    assert get_client("mailchimp").base_url == "https://us21.api.mailchimp.com/3.0"  # data centre from the key
    assert get_client("mailjet").base_url == "https://api.mailjet.com/v3"
    settings.BREVO_LIST_ID = "liste-principale"
    with pytest.raises(ProviderError, match="BREVO_LIST_ID doit être le numéro"):
        get_client("brevo")


def test_a_mailchimp_key_without_its_data_centre_is_refused(tools, settings):
    settings.MAILCHIMP_API_KEY, settings.MAILCHIMP_API_URL = "0123456789abcdefSECRETMC", ""
    with pytest.raises(ProviderError) as caught:
        get_client("mailchimp")
    assert "centre de données" in str(caught.value)
    assert_no_secret(str(caught.value))


def test_mailjet_url_outside_mailjet_or_loopback_is_refused(tools, settings):
    settings.MAILJET_API_URL = "https://mailjet.example.net/v3"
    with pytest.raises(ProviderError, match="MAILJET_API_URL doit désigner un serveur mailjet.com"):
        get_client("mailjet")


def test_no_key_in_the_clients_repr(tools):
    for tool in ("brevo", "mailchimp", "mailjet"):
        assert_no_secret(repr(get_client(tool)))


@pytest.mark.parametrize("value, expected", [("7", 7.0), ("0", 0.0), ("", None), (None, None), ("bientôt", None)])
def test_retry_after_in_seconds(value, expected):
    assert parse_retry_after(value) == expected


def test_retry_after_as_an_http_date():
    from email.utils import formatdate

    assert 25 <= parse_retry_after(formatdate(time.time() + 30, usegmt=True)) <= 30


# --- contacts ---------------------------------------------------------------------------------------------


def test_brevo_creates_the_contact_in_the_list(tools):
    tools.expect_request("/v3/contacts", method="POST").respond_with_json({"id": 42}, status=201)
    contact_id = get_client("brevo").upsert_contact("ada@example.org", first_name="Ada")
    assert contact_id == "42"
    request = only_request(tools)
    assert request.headers["api-key"] == BREVO_KEY
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.get_json() == {"email": "ada@example.org", "attributes": {"FIRSTNAME": "Ada"}, "listIds": [3],
                                  "updateEnabled": True}


def test_brevo_updates_an_existing_contact_and_returns_its_id(tools):
    """Brevo answers 204 without a body when ``updateEnabled`` updated an existing contact: the id is read back."""
    tools.expect_request("/v3/contacts", method="POST").respond_with_data("", status=204)
    tools.expect_request("/v3/contacts/ada@example.org", method="GET").respond_with_json(
        {"id": 42, "email": "ada@example.org", "emailBlacklisted": False, "smsBlacklisted": False,
         "createdAt": "2026-11-02T10:00:00.000+01:00", "modifiedAt": "2026-12-01T10:00:00.000+01:00",
         "attributes": {}, "listIds": [3], "statistics": {}})
    client = get_client("brevo")
    assert client.upsert_contact("ada@example.org") == "42"
    sent = requests_sent(tools)
    assert [(r.method, r.path) for r in sent] == [("POST", "/v3/contacts"), ("GET", "/v3/contacts/ada@example.org")]
    assert sent[0].get_json() == {"email": "ada@example.org", "listIds": [3], "updateEnabled": True}


def test_brevo_unsubscribe_removes_the_contact_from_the_list(tools):
    tools.expect_request("/v3/contacts/ada@example.org", method="PUT").respond_with_data("", status=204)
    get_client("brevo").unsubscribe_contact("ada@example.org")
    request = only_request(tools)
    assert request.get_json() == {"unlinkListIds": [3]}


def test_brevo_unsubscribe_of_an_unknown_contact_is_done(tools):
    tools.expect_request("/v3/contacts/nobody@example.org", method="PUT").respond_with_json(
        {"code": "document_not_found", "message": "Contact does not exist"}, status=404)
    get_client("brevo").unsubscribe_contact("nobody@example.org")  # nothing to unsubscribe: no error


def test_mailchimp_puts_the_member_under_the_hash_of_the_lowercased_address(tools):
    path = f"/3.0/lists/aud123/members/{member_hash('ada@example.org')}"
    tools.expect_request(path, method="PUT").respond_with_json(
        {"id": member_hash("ada@example.org"), "email_address": "Ada@Example.org", "status": "subscribed",
         "list_id": "aud123"})
    client = get_client("mailchimp")
    assert client.upsert_contact("Ada@Example.org", first_name="Ada") == member_hash("ada@example.org")
    request = only_request(tools)
    assert request.headers["Authorization"] == basic("anystring", MAILCHIMP_KEY)
    assert request.get_json() == {"email_address": "Ada@Example.org", "status_if_new": "subscribed",
                                  "status": "subscribed", "merge_fields": {"FNAME": "Ada"}}


def test_mailchimp_upsert_twice_is_the_same_member(tools):
    path = f"/3.0/lists/aud123/members/{member_hash('ada@example.org')}"
    tools.expect_request(path, method="PUT").respond_with_json({"id": member_hash("ada@example.org")})
    client = get_client("mailchimp")
    assert client.upsert_contact("ada@example.org") == client.upsert_contact("ADA@example.org")
    assert [r.path for r in requests_sent(tools)] == [path, path]


def test_mailchimp_unsubscribe_patches_the_member(tools):
    path = f"/3.0/lists/aud123/members/{member_hash('ada@example.org')}"
    tools.expect_request(path, method="PATCH").respond_with_json({"id": member_hash("ada@example.org"),
                                                                  "status": "unsubscribed"})
    get_client("mailchimp").unsubscribe_contact("ada@example.org")
    assert only_request(tools).get_json() == {"status": "unsubscribed"}


def test_mailjet_addforce_in_the_contact_list(tools):
    tools.expect_request("/v3/REST/contactslist/77/managecontact", method="POST").respond_with_json(
        {"Count": 1, "Data": [{"ContactID": 987654, "Email": "ada@example.org", "Action": "addforce", "Name": "Ada",
                               "Properties": {}}], "Total": 1}, status=201)
    assert get_client("mailjet").upsert_contact("ada@example.org", first_name="Ada") == "987654"
    request = only_request(tools)
    assert request.headers["Authorization"] == basic(MAILJET_KEY, MAILJET_SECRET)
    assert request.get_json() == {"Email": "ada@example.org", "Action": "addforce", "Name": "Ada"}


def test_mailjet_unsub_in_the_contact_list(tools):
    tools.expect_request("/v3/REST/contactslist/77/managecontact", method="POST").respond_with_json(
        {"Count": 1, "Data": [{"ContactID": 987654, "Email": "ada@example.org", "Action": "unsub"}], "Total": 1},
        status=201)
    get_client("mailjet").unsubscribe_contact("ada@example.org")
    assert only_request(tools).get_json() == {"Email": "ada@example.org", "Action": "unsub"}


# --- errors -------------------------------------------------------------------------------------------------

CONTACT_PATH = {
    "brevo": ("/v3/contacts", "POST"),
    "mailchimp": (f"/3.0/lists/aud123/members/{member_hash('ada@example.org')}", "PUT"),
    "mailjet": ("/v3/REST/contactslist/77/managecontact", "POST"),
}
ERROR_BODIES = {  # status -> tool -> the body the tool documents for it
    401: {
        "brevo": {"code": "unauthorized", "message": "Key not found"},
        "mailchimp": {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "API Key Invalid",
                      "status": 401, "detail": "Your API key may be invalid, or you've attempted to access the wrong "
                      "datacenter.", "instance": "9f1d5a1c-0b7e-4c2b-a1c4-4f8e8a4c2f10"},
        "mailjet": {"ErrorInfo": "", "ErrorMessage": "API key authentication/authorization failure. You may be "
                    "unauthorized to access the API or your API key may be expired. Visit API keys management "
                    "section to check your keys.", "StatusCode": 401},
    },
    400: {
        "brevo": {"code": "invalid_parameter", "message": "listIds are not valid"},
        "mailchimp": {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Invalid Resource",
                      "status": 400, "detail": "The resource submitted could not be validated. For field-specific "
                      "details, see the 'errors' array.", "instance": "0c6e…",
                      "errors": [{"field": "email_address", "message": "This value should be a valid email."}]},
        "mailjet": {"ErrorInfo": "", "ErrorMessage": "Invalid email address \"ada@example\"", "StatusCode": 400},
    },
    404: {
        "brevo": {"code": "document_not_found", "message": "List ID does not exist"},
        "mailchimp": {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Resource Not Found",
                      "status": 404, "detail": "The requested resource could not be found.", "instance": "a1b2"},
        "mailjet": {"ErrorInfo": "", "ErrorMessage": "Object not found", "StatusCode": 404},
    },
    429: {
        "brevo": {"code": "too_many_requests", "message": "The expected rate limit is exceeded."},
        "mailchimp": {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Too Many Requests",
                      "status": 429, "detail": "You have exceeded the limit of 10 simultaneous connections.",
                      "instance": "c3d4"},
        "mailjet": {"ErrorInfo": "", "ErrorMessage": "Too many requests", "StatusCode": 429},
    },
    503: {
        "brevo": {"code": "internal_error", "message": "Service unavailable"},
        "mailchimp": {"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Service Unavailable",
                      "status": 503, "detail": "Our servers are temporarily unavailable.", "instance": "e5f6"},
        "mailjet": {"ErrorInfo": "", "ErrorMessage": "Service unavailable", "StatusCode": 503},
    },
}
EXPECTED = {  # status -> (start of the French sentence, transient)
    401: ("{label} refuse la clé d'API (401) : vérifiez la clé configurée", False),
    400: ("{label} a refusé la requête (400) : « ", False),
    404: ("{label} ne trouve pas la liste ou la campagne demandée (404) : vérifiez ", False),
    429: ("{label} limite le nombre de requêtes (429) : réessayez dans 7 s.", True),
    503: ("{label} est indisponible (503) : réessayez plus tard.", True),
}
LABELS = {"brevo": "Brevo", "mailchimp": "Mailchimp", "mailjet": "Mailjet"}


@pytest.mark.parametrize("status", sorted(ERROR_BODIES))
@pytest.mark.parametrize("tool", ["brevo", "mailchimp", "mailjet"])
def test_documented_errors_become_one_french_line_without_the_key(tools, tool, status, caplog):
    path, method = CONTACT_PATH[tool]
    content_type = "application/problem+json" if tool == "mailchimp" else "application/json"
    headers = {"Retry-After": "7"} if status == 429 else {}
    tools.expect_request(path, method=method).respond_with_data(
        json.dumps(ERROR_BODIES[status][tool]), status=status, content_type=content_type, headers=headers)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderError) as caught:
        get_client(tool).upsert_contact("ada@example.org")
    error = caught.value
    start, transient = EXPECTED[status]
    assert str(error).startswith(start.format(label=LABELS[tool])), str(error)
    assert "\n" not in str(error)
    assert error.status == status and error.transient is transient
    assert error.retry_after == (7.0 if status == 429 else None)
    assert len(requests_sent(tools)) == 1  # no retry inside the request: the task queue retries
    assert_no_secret(str(error) + repr(error) + caplog.text)


def test_the_tool_own_error_text_is_quoted_in_a_400(tools):
    tools.expect_request("/v3/contacts", method="POST").respond_with_json(ERROR_BODIES[400]["brevo"], status=400)
    with pytest.raises(ProviderError, match=r"^Brevo a refusé la requête \(400\) : « listIds are not valid »$"):
        get_client("brevo").upsert_contact("ada@example.org")


def test_mailchimp_field_errors_are_named(tools):
    path, method = CONTACT_PATH["mailchimp"]
    tools.expect_request(path, method=method).respond_with_json(ERROR_BODIES[400]["mailchimp"], status=400)
    with pytest.raises(ProviderError) as caught:
        get_client("mailchimp").upsert_contact("ada@example.org")
    assert "email_address : This value should be a valid email." in str(caught.value)


def test_a_tool_echoing_the_key_has_it_cut_out(tools):
    tools.expect_request("/v3/contacts", method="POST").respond_with_json(
        {"code": "unauthorized", "message": f"Key {BREVO_KEY} is not enabled for this IP"}, status=400)
    with pytest.raises(ProviderError) as caught:
        get_client("brevo").upsert_contact("ada@example.org")
    assert_no_secret(str(caught.value))
    assert "Key *** is not enabled" in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("tool", ["brevo", "mailchimp", "mailjet"])
def test_a_tool_that_cannot_be_reached_is_a_transient_error(tools, settings, tool):
    url = f"http://127.0.0.1:{_closed_port()}"
    settings.BREVO_API_URL, settings.MAILCHIMP_API_URL, settings.MAILJET_API_URL = url + "/v3", url + "/3.0", url + "/v3"
    with pytest.raises(ProviderError) as caught:
        get_client(tool).upsert_contact("ada@example.org")
    assert str(caught.value) == f"Impossible de joindre {LABELS[tool]} (connexion impossible) : réessayez plus tard."
    assert caught.value.transient and caught.value.status is None


@pytest.mark.parametrize("tool", ["brevo", "mailchimp", "mailjet"])
def test_every_call_has_a_timeout(tools, settings, tool):
    settings.MAILING_API_TIMEOUT = 0.3
    path, method = CONTACT_PATH[tool]

    def slow(request):
        time.sleep(1.2)
        return Response("{}", status=200, content_type="application/json")

    tools.expect_request(path, method=method).respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        get_client(tool).upsert_contact("ada@example.org")
    assert time.monotonic() - started < 1.1
    assert str(caught.value) == f"Impossible de joindre {LABELS[tool]} (délai dépassé) : réessayez plus tard."
    assert caught.value.transient


def test_an_unreadable_answer_is_reported(tools):
    tools.expect_request("/v3/REST/contactslist/77/managecontact", method="POST").respond_with_data(
        "<html>maintenance</html>", status=200, content_type="text/html")
    with pytest.raises(ProviderError, match="Mailjet a répondu de façon inattendue"):
        get_client("mailjet").upsert_contact("ada@example.org")


# --- campaigns ------------------------------------------------------------------------------------------


def test_brevo_creates_then_updates_the_draft_campaign(tools):
    tools.expect_request("/v3/emailCampaigns", method="POST").respond_with_json({"id": 7}, status=201)
    tools.expect_request("/v3/emailCampaigns/7", method="PUT").respond_with_data("", status=204)
    client = get_client("brevo")
    campaign = client.push_campaign(EXPORT, **CAMPAIGN)
    assert (campaign.id, campaign.created) == ("7", True)
    assert campaign.url == "https://app.brevo.com/marketing-campaign/edit/7"
    again = client.push_campaign(EXPORT, campaign_id="7", **CAMPAIGN)
    assert (again.id, again.created) == ("7", False)
    create, update = requests_sent(tools)
    expected = {"name": "Décembre 2021 (01/12/2021)", "subject": "La lettre de décembre",
                "sender": {"name": "Territoires en Commun", "email": "lettre@territoires-en-commun.fr"},
                "htmlContent": EXPORT.html, "previewText": "Retour à l'emploi, mobilité, agenda",
                "recipients": {"listIds": [3]}}
    assert (create.method, create.path) == ("POST", "/v3/emailCampaigns")
    assert create.headers["api-key"] == BREVO_KEY
    assert create.get_json() == expected  # Brevo's campaign API has no text part: Brevo makes it from the HTML
    assert (update.method, update.path) == ("PUT", "/v3/emailCampaigns/7")
    assert update.get_json() == expected


def test_brevo_sender_falls_back_on_the_site_address(tools, settings):
    settings.BREVO_SENDER_EMAIL = ""
    tools.expect_request("/v3/emailCampaigns", method="POST").respond_with_json({"id": 8}, status=201)
    get_client("brevo").push_campaign(EXPORT, **CAMPAIGN)
    assert only_request(tools).get_json()["sender"] == {"name": "Territoires en Commun",
                                                         "email": "newsletter@territoires-en-commun.fr"}


def test_brevo_test_send_and_its_refusal(tools):
    tools.expect_oneshot_request("/v3/emailCampaigns/7/sendTest", method="POST").respond_with_data("", status=204)
    client = get_client("brevo")
    client.send_test("7", ["ada@example.org", "bob@example.org"])
    assert only_request(tools).get_json() == {"emailTo": ["ada@example.org", "bob@example.org"]}
    tools.expect_oneshot_request("/v3/emailCampaigns/7/sendTest", method="POST").respond_with_json(
        {"code": "invalid_parameter",
         "message": "Test email could not be sent to the following email addresses: bob@example.org"}, status=400)
    with pytest.raises(ProviderError, match="could not be sent to the following email addresses: bob@example.org"):
        client.send_test("7", ["bob@example.org"])


def test_brevo_figures(tools):
    tools.expect_request("/v3/emailCampaigns/7", method="GET").respond_with_json({
        "id": 7, "name": "Décembre 2021", "subject": "La lettre de décembre", "type": "classic", "status": "sent",
        "testSent": True, "header": "", "footer": "", "sender": {"name": "TeC", "email": "lettre@example.org"},
        "replyTo": "lettre@example.org", "toField": "", "shareLink": "", "tag": "", "createdAt": "2026-12-01T10:00:00Z",
        "modifiedAt": "2026-12-01T10:00:00Z", "recipients": {"lists": [3], "exclusionLists": []},
        "statistics": {
            "globalStats": {"uniqueClicks": 41, "clickers": 38, "complaints": 0, "delivered": 1180, "sent": 1200,
                            "softBounces": 12, "hardBounces": 8, "uniqueViews": 520, "trackableViews": 500,
                            "unsubscriptions": 3, "viewed": 700},
            "campaignStats": [], "mirrorClick": 2, "remaining": 0,
            "linksStats": {"https://territoires-en-commun.fr/thematiques/emploi/": 30,
                           "https://territoires-en-commun.fr/agenda/": 11}}})
    stats = get_client("brevo").fetch_stats("7").as_dict()
    assert only_request(tools).args.get("excludeHtmlContent") == "true"
    assert stats == {"recipients": 1200, "opens": 520, "clicks": 41, "unsubscribes": 3, "bounces": 20,
                     "links": [{"url": "https://territoires-en-commun.fr/thematiques/emploi/", "clicks": 30},
                               {"url": "https://territoires-en-commun.fr/agenda/", "clicks": 11}]}


def test_mailchimp_creates_the_campaign_then_sets_its_content(tools):
    tools.expect_request("/3.0/campaigns", method="POST").respond_with_json(
        {"id": "c0ffee1234", "web_id": 4321, "type": "regular", "status": "save"})
    tools.expect_request("/3.0/campaigns/c0ffee1234/content", method="PUT").respond_with_json(
        {"plain_text": EXPORT.text, "html": EXPORT.html})
    campaign = get_client("mailchimp").push_campaign(EXPORT, **CAMPAIGN)
    assert (campaign.id, campaign.created) == ("c0ffee1234", True)
    assert campaign.url == "https://us21.admin.mailchimp.com/campaigns/edit?id=4321"
    create, content = requests_sent(tools)
    assert create.headers["Authorization"] == basic("anystring", MAILCHIMP_KEY)
    assert create.get_json() == {
        "type": "regular", "recipients": {"list_id": "aud123"},
        "settings": {"subject_line": "La lettre de décembre", "preview_text": "Retour à l'emploi, mobilité, agenda",
                     "title": "Décembre 2021 (01/12/2021)", "from_name": "Territoires en Commun",
                     "reply_to": "newsletter@territoires-en-commun.fr"}}
    assert (content.method, content.path) == ("PUT", "/3.0/campaigns/c0ffee1234/content")
    assert content.get_json() == {"html": EXPORT.html, "plain_text": EXPORT.text}


def test_mailchimp_updates_the_same_campaign(tools):
    tools.expect_request("/3.0/campaigns/c0ffee1234", method="PATCH").respond_with_json(
        {"id": "c0ffee1234", "web_id": 4321, "status": "save"})
    tools.expect_request("/3.0/campaigns/c0ffee1234/content", method="PUT").respond_with_json({})
    campaign = get_client("mailchimp").push_campaign(EXPORT, campaign_id="c0ffee1234", **CAMPAIGN)
    assert (campaign.id, campaign.created) == ("c0ffee1234", False)
    patch, _content = requests_sent(tools)
    assert "type" not in patch.get_json() and patch.get_json()["recipients"] == {"list_id": "aud123"}


def test_mailchimp_refused_content(tools):
    tools.expect_request("/3.0/campaigns", method="POST").respond_with_json({"id": "c0ffee1234", "web_id": 1})
    tools.expect_request("/3.0/campaigns/c0ffee1234/content", method="PUT").respond_with_data(json.dumps({
        "type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Invalid Resource", "status": 400,
        "detail": "Your Campaign content must include the *|UNSUB|* merge tag.", "instance": "x"}),
        status=400, content_type="application/problem+json")
    with pytest.raises(ProviderError, match=r"Mailchimp a refusé la requête \(400\) : « Your Campaign content must "):
        get_client("mailchimp").push_campaign(EXPORT, **CAMPAIGN)


def test_mailchimp_test_send(tools):
    tools.expect_request("/3.0/campaigns/c0ffee1234/actions/test", method="POST").respond_with_data("", status=204)
    get_client("mailchimp").send_test("c0ffee1234", ["ada@example.org"])
    assert only_request(tools).get_json() == {"test_emails": ["ada@example.org"], "send_type": "html"}


def test_mailchimp_figures_with_clicks_per_link(tools):
    tools.expect_request("/3.0/reports/c0ffee1234", method="GET").respond_with_json({
        "id": "c0ffee1234", "campaign_title": "Décembre 2021", "type": "regular", "emails_sent": 980,
        "abuse_reports": 0, "unsubscribed": 4, "send_time": "2026-12-02T08:00:00+00:00",
        "bounces": {"hard_bounces": 5, "soft_bounces": 9, "syntax_errors": 0},
        "opens": {"opens_total": 700, "unique_opens": 450, "open_rate": 0.46},
        "clicks": {"clicks_total": 90, "unique_clicks": 70, "unique_subscriber_clicks": 61, "click_rate": 0.06}})
    tools.expect_request("/3.0/reports/c0ffee1234/click-details", method="GET").respond_with_json({
        "urls_clicked": [{"id": "1", "url": "https://territoires-en-commun.fr/agenda/", "total_clicks": 20,
                          "unique_clicks": 18},
                         {"id": "2", "url": "https://territoires-en-commun.fr/thematiques/emploi/", "total_clicks": 70,
                          "unique_clicks": 52}], "campaign_id": "c0ffee1234", "total_items": 2})
    stats = get_client("mailchimp").fetch_stats("c0ffee1234").as_dict()
    assert stats == {"recipients": 980, "opens": 450, "clicks": 61, "unsubscribes": 4, "bounces": 14,
                     "links": [{"url": "https://territoires-en-commun.fr/thematiques/emploi/", "clicks": 70},
                               {"url": "https://territoires-en-commun.fr/agenda/", "clicks": 20}]}


def test_mailjet_creates_the_draft_then_its_content(tools):
    tools.expect_request("/v3/REST/campaigndraft", method="POST").respond_with_json(
        {"Count": 1, "Data": [{"ID": 555, "Status": 0, "Title": "Décembre 2021"}], "Total": 1}, status=201)
    tools.expect_request("/v3/REST/campaigndraft/555/detailcontent", method="POST").respond_with_json(
        {"Count": 1, "Data": [{"Html-part": EXPORT.html, "Text-part": EXPORT.text}], "Total": 1}, status=201)
    campaign = get_client("mailjet").push_campaign(EXPORT, **CAMPAIGN)
    assert (campaign.id, campaign.created) == ("555", True)
    draft, content = requests_sent(tools)
    assert draft.headers["Authorization"] == basic(MAILJET_KEY, MAILJET_SECRET)
    assert draft.get_json() == {"Locale": "fr_FR", "Title": "Décembre 2021 (01/12/2021)",
                                "Subject": "La lettre de décembre", "SenderName": "Territoires en Commun",
                                "SenderEmail": "newsletter@territoires-en-commun.fr", "Sender": "Territoires en Commun",
                                "ContactsListID": 77}
    assert content.get_json() == {"Html-part": EXPORT.html, "Text-part": EXPORT.text}


def test_mailjet_updates_the_same_draft(tools):
    tools.expect_request("/v3/REST/campaigndraft/555", method="PUT").respond_with_json(
        {"Count": 1, "Data": [{"ID": 555}], "Total": 1})
    tools.expect_request("/v3/REST/campaigndraft/555/detailcontent", method="POST").respond_with_json(
        {"Count": 1, "Data": [{}], "Total": 1}, status=201)
    campaign = get_client("mailjet").push_campaign(EXPORT, campaign_id="555", **CAMPAIGN)
    assert (campaign.id, campaign.created) == ("555", False)
    assert [(r.method, r.path) for r in requests_sent(tools)] == [
        ("PUT", "/v3/REST/campaigndraft/555"), ("POST", "/v3/REST/campaigndraft/555/detailcontent")]


def test_mailjet_test_send(tools):
    tools.expect_request("/v3/REST/campaigndraft/555/test", method="POST").respond_with_json(
        {"Count": 1, "Data": [{"Status": "Programmed"}], "Total": 1}, status=201)
    get_client("mailjet").send_test("555", ["ada@example.org"])
    assert only_request(tools).get_json() == {"Recipients": [{"Email": "ada@example.org", "Name": "ada@example.org"}]}


def test_mailjet_figures_of_the_sent_draft(tools):
    tools.expect_request("/v3/REST/campaign", method="GET", query_string={"NewsLetter": "555"}).respond_with_json(
        {"Count": 1, "Data": [{"ID": 9001, "NewsLetterID": 555, "Subject": "La lettre de décembre"}], "Total": 1})
    tools.expect_request("/v3/REST/statcounters", method="GET").respond_with_json({"Count": 1, "Data": [{
        "SourceID": 9001, "MessageSentCount": 640, "MessageOpenedCount": 300, "MessageClickedCount": 44,
        "MessageUnsubscribedCount": 2, "MessageHardBouncedCount": 3, "MessageSoftBouncedCount": 6,
        "MessageSpamCount": 0}], "Total": 1})
    tools.expect_request("/v3/REST/statistics/link-click", method="GET").respond_with_json({"Count": 1, "Data": [
        {"URL": "https://territoires-en-commun.fr/agenda/", "PositionIndex": 1, "ClickedMessagesCount": 44,
         "ClickedEventsCount": 60}], "Total": 1})
    stats = get_client("mailjet").fetch_stats("555").as_dict()
    assert stats == {"recipients": 640, "opens": 300, "clicks": 44, "unsubscribes": 2, "bounces": 9,
                     "links": [{"url": "https://territoires-en-commun.fr/agenda/", "clicks": 44}]}
    counters = requests_sent(tools)[1]
    assert dict(counters.args) == {"CounterSource": "Campaign", "CounterTiming": "Message",
                                   "CounterResolution": "Lifetime", "SourceId": "9001"}
    assert dict(requests_sent(tools)[2].args) == {"CampaignId": "9001"}


def test_mailjet_draft_not_sent_has_no_figures_yet(tools):
    tools.expect_request("/v3/REST/campaign", method="GET").respond_with_json({"Count": 0, "Data": [], "Total": 0})
    stats = get_client("mailjet").fetch_stats("555").as_dict()
    assert stats == {"recipients": None, "opens": None, "clicks": None, "unsubscribes": None, "bounces": None,
                     "links": []}
