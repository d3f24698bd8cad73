"""Subscribers (newsletter/subscriptions.py): subscribe from any page, double opt-in, sync to the mailing
tool (down then back up: nothing lost, one contact), RFC 8058 one-click unsubscribe, CSV in and out.

The mailing tool is Brevo answering from a local pytest-httpserver, with the shapes its documentation
gives (see tests/test_providers.py for the references): ``POST /v3/contacts`` {email, listIds,
updateEnabled} → 201 {"id"}; ``PUT /v3/contacts/{email}`` {unlinkListIds} → 204; errors {code, message}
with the HTTP status (https://developers.brevo.com/docs/how-it-works#error-codes).
"""
import datetime as dt
import hashlib
import hmac
import json
import re
from email import message_from_bytes, policy

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletter import subscriptions
from newsletter.models import NewsletterIndexPage, NewsletterPage, Subscriber

ADDRESS = "camille.martin@exemple.fr"
SUBSCRIBE = "/abonnement/"
ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate limits and the « one confirmation per address » guard
    yield
    cache.clear()


@pytest.fixture
def brevo(settings, httpserver):
    settings.BREVO_API_KEY, settings.BREVO_LIST_ID = "xkeysib-TEST-SECRET", "3"
    settings.BREVO_API_URL = httpserver.url_for("/v3")
    settings.MAILCHIMP_API_KEY = settings.MAILJET_API_KEY = ""
    settings.NEWSLETTER_TOOL = "brevo"
    settings.MAILING_API_TIMEOUT = 2
    return httpserver


@pytest.fixture
def archive(home):
    index = home.add_child(instance=NewsletterIndexPage(title="La newsletter", slug="newsletter"))
    edition = index.add_child(instance=NewsletterPage(title="Lettre de décembre", slug="decembre", number=1))
    return index, edition


def contact_posts(httpserver):
    return [json.loads(r.get_data()) for r, _ in httpserver.log if r.method == "POST" and r.path == "/v3/contacts"]


def confirmation_link(message) -> str:
    links = re.findall(r"http://testserver/abonnement/confirmer/[^/\s\"]+/", message.body)
    assert len(links) == 1, message.body
    return links[0]


def subscribe(client, email=ADDRESS, **extra):
    data = {"email": email, "consent": "on", "source": "/ressources/", "site_web": ""}
    data.update(extra.pop("data", {}))
    return client.post(SUBSCRIBE, data, **{**ORIGIN, **extra})


# --- the form on the pages ---------------------------------------------------------------------------------
def test_every_page_has_the_form_in_its_footer_and_stays_cacheable(home, client, settings):
    settings.PAGE_CACHE_ENABLED = True
    first = client.get("/")
    html = first.content.decode()
    assert "S'abonner à la lettre" in html or "S&#x27;abonner à la lettre" in html
    assert 'action="/abonnement/"' in html and 'name="consent"' in html and 'name="site_web"' in html
    assert subscriptions.CONSENT_TEXT[:60] in html.replace("&#x27;", "'")
    # No CSRF token in the page: it would set a cookie, and the page cache keeps no response that does.
    assert "csrfmiddlewaretoken" not in html and "csrftoken" not in first.cookies
    assert first["X-Cache"] == "MISS" and client.get("/")["X-Cache"] == "HIT"
    assert 'name="source" value="/"' in html


def test_archive_and_edition_show_the_form_once(archive, client):
    index, edition = archive
    for page in (index, edition):
        html = client.get(page.url).content.decode()
        assert html.count('action="/abonnement/"') == 1, page.url
        assert 'id="lettre-email"' in html


# --- subscribe and confirm ------------------------------------------------------------------------------
def test_subscribe_confirm_sync_one_contact(brevo, home, client, django_capture_on_commit_callbacks):
    brevo.expect_request("/v3/contacts", method="POST").respond_with_json({"id": 42}, status=201)
    response = subscribe(client, email="  Camille.Martin@Exemple.FR ")
    assert response.status_code == 302 and response["Location"] == reverse("newsletter_subscribe_thanks")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == ADDRESS and subscriber.status == Subscriber.Status.PENDING
    assert subscriber.source_url == "/ressources/"
    assert subscriber.consent_version == subscriptions.CONSENT_VERSION and subscriber.consent_at is not None
    from django.conf import settings

    expected_hash = hmac.new(settings.SECRET_KEY.encode(), b"127.0.0.1", hashlib.sha256).hexdigest()
    assert subscriber.consent_ip_hash == expected_hash and "127.0.0.1" not in subscriber.consent_ip_hash
    assert contact_posts(brevo) == []  # not a subscriber before the confirmation

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADDRESS] and "Confirmez votre abonnement" in message.subject
    link = confirmation_link(message)
    assert link in message.alternatives[0][0]

    page = client.get(link)  # a mail scanner following the link confirms nothing
    assert page.status_code == 200 and "Confirmer mon abonnement" in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    confirmed = client.post(link)
    assert confirmed.status_code == 200 and "recevra la prochaine lettre" in confirmed.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED and subscriber.confirmed_at is not None
    assert subscriber.sync_status == Subscriber.SyncStatus.SYNCED and subscriber.synced_tool == "brevo"
    assert subscriber.provider_contact_id == "42" and subscriber.sync_error == ""
    assert contact_posts(brevo) == [{"email": ADDRESS, "listIds": [3], "updateEnabled": True}]
    request = brevo.log[0][0]
    assert request.headers["api-key"] == "xkeysib-TEST-SECRET"

    # Double confirmation: a second click says so, and the tool is not called again.
    again = client.post(link)
    assert again.status_code == 200 and "était déjà confirmé" in again.content.decode()
    assert len(contact_posts(brevo)) == 1
    assert Subscriber.objects.count() == 1


def test_same_address_in_other_case_is_the_same_subscriber(home, client):
    subscribe(client, email="ada@exemple.fr")
    subscribe(client, email="ADA@Exemple.fr")
    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 1  # one confirmation per address every 10 minutes
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="Ada@EXEMPLE.fr")


def test_confirmed_address_asking_again_gets_no_mail_and_the_same_page(home, client):
    Subscriber.objects.create(email=ADDRESS, status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now())
    response = subscribe(client)
    assert response.status_code == 302
    assert mail.outbox == [] and Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_expired_link_offers_a_new_one(home, client, monkeypatch):
    subscribe(client)
    link = confirmation_link(mail.outbox[0])
    later = timezone.now() + subscriptions.CONFIRMATION_MAX_AGE + dt.timedelta(minutes=1)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    response = client.post(link)
    assert response.status_code == 410
    html = response.content.decode()
    assert "Ce lien a expiré" in html and "Inscrivez-vous à nouveau" in html
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_link_still_valid_on_the_sixth_day(home, client, monkeypatch):
    subscribe(client)
    link = confirmation_link(mail.outbox[0])
    later = timezone.now() + dt.timedelta(days=6, hours=23)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    assert client.post(link).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
    lambda t: signing.TimestampSigner(salt="autre").sign_object({"id": 1, "e": ADDRESS}),  # other salt
    lambda t: "n-importe-quoi",
    lambda t: subscriptions.unsubscribe_token(ADDRESS),  # an unsubscribe token is no confirmation
])
def test_tampered_link_is_refused(home, client, mangle):
    subscribe(client)
    token = confirmation_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("newsletter_confirm", args=[mangle(token)]))
    assert response.status_code == 400
    assert "Ce lien n'est pas valable" in response.content.decode().replace("&#x27;", "'")
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_token_for_another_address_with_the_same_id_is_refused(home, client):
    subscribe(client)
    subscriber = Subscriber.objects.get()
    forged = signing.TimestampSigner(salt=subscriptions.CONFIRM_SALT).sign_object({"id": subscriber.pk, "e": "x@y.fr"})
    assert client.post(reverse("newsletter_confirm", args=[forged])).status_code == 400


# --- hostile input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    '"<script>alert(1)</script>"@exemple.fr',
    "<script>alert(1)</script>@exemple.fr",
    "camille@exemple.fr\r\nBcc: victime@exemple.org",
    "camille@exemple.fr\nSubject: gagné",
    "camille@exemple.fr%0aBcc:x@exemple.org",
    "pas-une-adresse",
])
def test_xss_and_header_injection_in_the_email_are_refused(home, client, value):
    response = subscribe(client, email=value)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saisissez une adresse électronique valide" in html
    assert "<script>alert(1)</script>" not in html
    assert 'aria-invalid="true"' in html
    assert Subscriber.objects.count() == 0 and mail.outbox == []


def test_missing_consent_and_email_errors_in_french(home, client):
    response = client.post(SUBSCRIBE, {"email": "", "site_web": ""}, **ORIGIN)
    html = response.content.decode()
    assert "Saisissez votre adresse électronique." in html
    assert "Cochez la case pour accepter de recevoir la lettre." in html
    assert Subscriber.objects.count() == 0


def test_honeypot_stores_nothing_and_sends_nothing(home, client):
    response = subscribe(client, data={"site_web": "http://spam.example"})
    assert response.status_code == 302
    assert Subscriber.objects.count() == 0 and mail.outbox == []


def test_rate_limit_per_ip(home, client, settings):
    settings.NEWSLETTER_SUBSCRIBE_RATE_LIMIT = (3, 3600)
    for n in range(3):
        assert subscribe(client, email=f"lecteur{n}@exemple.fr").status_code == 302
    blocked = subscribe(client, email="lecteur9@exemple.fr")
    assert blocked.status_code == 429
    html = blocked.content.decode()
    assert "Trop d&#x27;envois depuis votre connexion" in html or "Trop d'envois depuis votre connexion" in html
    assert 'value="lecteur9@exemple.fr"' in html  # what was typed is kept
    assert Subscriber.objects.count() == 3
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert subscribe(other, email="autre@exemple.fr").status_code == 302


def test_csrf_a_cross_site_post_records_nothing(home):
    client = Client(enforce_csrf_checks=True)
    hostile = subscribe(client, HTTP_ORIGIN="https://malveillant.example")
    assert hostile.status_code == 403
    assert "n&#x27;a pas pu être vérifiée" in hostile.content.decode() or "n'a pas pu être vérifiée" in hostile.content.decode()
    no_origin = client.post(SUBSCRIBE, {"email": ADDRESS, "consent": "on"})
    assert no_origin.status_code == 403
    assert Subscriber.objects.count() == 0 and mail.outbox == []
    # The page it gets carries a token: sending it again goes through.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', no_origin.content.decode()).group(1)
    again = client.post(SUBSCRIBE, {"email": ADDRESS, "consent": "on", "csrfmiddlewaretoken": token})
    assert again.status_code == 302 and Subscriber.objects.count() == 1


def test_csrf_same_origin_footer_form_needs_no_token(home):
    client = Client(enforce_csrf_checks=True)
    assert subscribe(client).status_code == 302
    assert subscribe(Client(enforce_csrf_checks=True), email="b@exemple.fr", HTTP_ORIGIN=None,
                     HTTP_SEC_FETCH_SITE="same-origin").status_code == 302
    assert Subscriber.objects.count() == 2


# --- the tool down, then back up --------------------------------------------------------------------------
def test_tool_down_loses_nothing_then_sync_creates_one_contact(brevo, home, client):
    brevo.expect_ordered_request("/v3/contacts", method="POST").respond_with_json(
        {"code": "internal_error", "message": "Service temporarily unavailable"}, status=503)
    subscribe(client)
    client.post(confirmation_link(mail.outbox[0]))
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED  # the reader is subscribed, whatever the tool says
    assert subscriber.sync_status == Subscriber.SyncStatus.TO_SYNC
    assert "503" in subscriber.sync_error or "indisponible" in subscriber.sync_error.lower() or subscriber.sync_error
    assert "xkeysib" not in subscriber.sync_error
    assert subscriber.sync_attempts == 1

    brevo.clear_log()
    brevo.expect_ordered_request("/v3/contacts", method="POST").respond_with_json({"id": 7}, status=201)
    call_command("sync_subscribers")
    subscriber.refresh_from_db()
    assert subscriber.sync_status == Subscriber.SyncStatus.SYNCED and subscriber.sync_error == ""
    assert contact_posts(brevo) == [{"email": ADDRESS, "listIds": [3], "updateEnabled": True}]
    call_command("sync_subscribers")  # nothing left: no second contact
    assert len(contact_posts(brevo)) == 1


def test_refusal_is_kept_with_its_french_error_and_the_command_fails(brevo, home, client):
    brevo.expect_request("/v3/contacts", method="POST").respond_with_json(
        {"code": "unauthorized", "message": "Key not found"}, status=401)
    subscribe(client)
    client.post(confirmation_link(mail.outbox[0]))
    subscriber = Subscriber.objects.get()
    assert subscriber.sync_status == Subscriber.SyncStatus.TO_SYNC and subscriber.sync_error
    with pytest.raises(CommandError, match="n'ont pas pu être synchronisés"):
        call_command("sync_subscribers")
    assert Subscriber.objects.get().sync_attempts == 2


def test_no_tool_configured_keeps_subscribers_to_sync(home, client, settings):
    settings.NEWSLETTER_TOOL = ""
    settings.BREVO_API_KEY = settings.MAILCHIMP_API_KEY = settings.MAILJET_API_KEY = ""
    subscribe(client)
    client.post(confirmation_link(mail.outbox[0]))
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.sync_status == Subscriber.SyncStatus.TO_SYNC
    assert "Aucun outil d'envoi n'est configuré" in subscriber.sync_error


def test_transient_failure_schedules_a_retry_with_back_off(brevo, home, settings):
    """With a queue that can defer (the database one), a 503 enqueues attempt 2 one minute later."""
    from django_tasks_db.models import DBTaskResult

    brevo.expect_request("/v3/contacts", method="POST").respond_with_json(
        {"code": "internal_error", "message": "Service unavailable"}, status=503)
    subscriber = Subscriber.objects.create(email=ADDRESS, status=Subscriber.Status.CONFIRMED,
                                           sync_status=Subscriber.SyncStatus.TO_SYNC)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    before = timezone.now()
    result = subscriptions.sync_subscriber.call(subscriber_id=subscriber.pk, attempt=1)
    assert result["retry"] == 2
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["kwargs"] == {"subscriber_id": subscriber.pk, "attempt": 2}
    assert before + dt.timedelta(seconds=55) <= retry.run_after <= timezone.now() + dt.timedelta(seconds=65)
    assert Subscriber.objects.get().sync_status == Subscriber.SyncStatus.TO_SYNC


# --- unsubscribe ----------------------------------------------------------------------------------------
def confirmed_subscriber(brevo):
    brevo.expect_request("/v3/contacts", method="POST").respond_with_json({"id": 42}, status=201)
    subscriber = Subscriber.objects.create(email=ADDRESS, status=Subscriber.Status.CONFIRMED,
                                           sync_status=Subscriber.SyncStatus.TO_SYNC)
    subscriptions.sync_one(subscriber)
    return Subscriber.objects.get(pk=subscriber.pk)


def test_one_click_unsubscribe_rfc8058(brevo, home):
    confirmed_subscriber(brevo)
    brevo.expect_request(f"/v3/contacts/{ADDRESS}", method="PUT").respond_with_data("", status=204)
    url = subscriptions.unsubscribe_url(ADDRESS)
    # What a mail client sends (RFC 8058 § 3.1): a POST, no cookie, no CSRF token, this body.
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED and subscriber.unsubscribed_at is not None
    assert subscriber.sync_status == Subscriber.SyncStatus.SYNCED
    puts = [(r.path, json.loads(r.get_data())) for r, _ in brevo.log if r.method == "PUT"]
    assert puts == [(f"/v3/contacts/{ADDRESS}", {"unlinkListIds": [3]})]
    # Twice: still 200, nothing more sent.
    assert client.post(url, "List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded").status_code == 200
    assert len([r for r, _ in brevo.log if r.method == "PUT"]) == 1


def test_unsubscribe_link_shows_one_button_then_unsubscribes(home, client):
    Subscriber.objects.create(email=ADDRESS, status=Subscriber.Status.CONFIRMED)
    url = subscriptions.unsubscribe_url(ADDRESS)
    page = client.get(url)
    assert page.status_code == 200 and "Me désinscrire" in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED  # a GET changes nothing
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert "Désinscription enregistrée" in done.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.sync_status == Subscriber.SyncStatus.NONE  # the tool never had it: nothing to tell


def test_tampered_unsubscribe_link_is_refused(home, client):
    Subscriber.objects.create(email=ADDRESS, status=Subscriber.Status.CONFIRMED)
    token = subscriptions.unsubscribe_token(ADDRESS)
    for bad in (token[:-1] + ("x" if token[-1] != "x" else "y"), "abc", signing.Signer(salt="x").sign_object({"e": ADDRESS})):
        assert client.post(reverse("newsletter_unsubscribe", args=[bad])).status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_an_old_confirmation_link_does_not_resubscribe(home, client):
    subscribe(client)
    link = confirmation_link(mail.outbox[0])
    client.post(link)
    subscriptions.unsubscribe(ADDRESS)
    assert client.post(link).status_code == 410
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_test_send_and_generic_eml_carry_list_unsubscribe(seed_edition):
    from newsletter.exports import export_edition, send_test

    send_test(seed_edition, ["a@exemple.fr"], tool="generic")
    message = mail.outbox[0].message()
    assert message["List-Unsubscribe"] == f"<{subscriptions.unsubscribe_url('a@exemple.fr')}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    eml = message_from_bytes(export_edition(seed_edition, "generic", "eml", force=True).content, policy=policy.default)
    assert eml["List-Unsubscribe"] == "<http://testserver/newsletter/#se-desinscrire>"
    brevo_eml = message_from_bytes(export_edition(seed_edition, "brevo", "eml", force=True).content,
                                   policy=policy.default)
    assert brevo_eml["List-Unsubscribe"] is None  # the tool adds its own


# --- CSV ------------------------------------------------------------------------------------------------
def test_csv_import_is_all_or_nothing_with_french_errors_per_row(home, tmp_path):
    path = tmp_path / "abonnes.csv"
    path.write_text("email;date_consentement;prenom\n"
                    "ada@exemple.fr;2025-03-01;Ada\n"
                    "pas-une-adresse;2025-03-01;\n"
                    "bob@exemple.fr;;Bob\n"
                    "ADA@exemple.fr;2025-03-02;\n"
                    "cleo@exemple.fr;31/02/2025;\n"
                    "dan@exemple.fr;2999-01-01;\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_subscribers", str(path))
    assert "Rien n'a été importé (5 erreur(s))" in str(raised.value)
    with pytest.raises(subscriptions.ImportErrors) as errors:
        subscriptions.import_csv(path.read_bytes())
    assert errors.value.errors == [
        "Ligne 3 : adresse électronique invalide « pas-une-adresse ».",
        "Ligne 4 : date de consentement manquante pour bob@exemple.fr.",
        "Ligne 5 : l'adresse ada@exemple.fr figure déjà ligne 2.",
        "Ligne 6 : date de consentement illisible « 31/02/2025 » (attendu AAAA-MM-JJ ou JJ/MM/AAAA).",
        "Ligne 7 : date de consentement dans le futur (2999-01-01).",
    ]
    assert Subscriber.objects.count() == 0


def test_csv_import_then_export(brevo, home, tmp_path, capsys):
    brevo.expect_request("/v3/contacts", method="POST").respond_with_json({"id": 1}, status=201)
    Subscriber.objects.create(email="parti@exemple.fr", status=Subscriber.Status.UNSUBSCRIBED)
    path = tmp_path / "abonnes.csv"
    path.write_text("Email,Date_consentement,Prenom\nada@exemple.fr,2025-03-01,Ada\n"
                    "parti@exemple.fr,2025-03-01,\n=cmd@exemple.fr,01/03/2025,\n", encoding="utf-8")
    call_command("import_subscribers", str(path))
    assert "2 abonné(s) ajouté(s)" in capsys.readouterr().out
    assert Subscriber.objects.get(email="parti@exemple.fr").status == Subscriber.Status.UNSUBSCRIBED  # never re-subscribed
    ada = Subscriber.objects.get(email="ada@exemple.fr")
    assert ada.status == Subscriber.Status.CONFIRMED and ada.source == Subscriber.Source.IMPORT
    assert timezone.localtime(ada.consent_at).date() == dt.date(2025, 3, 1) and ada.sync_status == Subscriber.SyncStatus.SYNCED
    assert sorted(p["email"] for p in contact_posts(brevo)) == ["=cmd@exemple.fr", "ada@exemple.fr"]

    call_command("export_subscribers")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(subscriptions.EXPORT_COLUMNS)
    assert len(lines) == 3 and not any("parti@" in line for line in lines)
    assert any(line.startswith("'=cmd@exemple.fr") for line in lines)  # no formula in a spreadsheet


def test_admin_listing_filters_and_csv_views(home, client, django_user_model, django_assert_max_num_queries):
    admin = django_user_model.objects.create_superuser("admin", "admin@exemple.fr", "x")
    client.force_login(admin)
    for n in range(15):
        Subscriber.objects.create(email=f"a{n}@exemple.fr", status=Subscriber.Status.CONFIRMED,
                                  sync_status=Subscriber.SyncStatus.TO_SYNC, sync_error="Brevo indisponible (503).")
    Subscriber.objects.create(email="ok@exemple.fr", status=Subscriber.Status.CONFIRMED,
                              sync_status=Subscriber.SyncStatus.SYNCED)
    index = reverse("newsletter_subscriber_modeladmin_index")
    with django_assert_max_num_queries(30):
        listing = client.get(index + "?sync_status__exact=to_sync")
    html = listing.content.decode()
    assert listing.status_code == 200 and "a3@exemple.fr" in html and "ok@exemple.fr" not in html
    assert "Brevo indisponible (503)." in html
    assert "ok@exemple.fr" in client.get(index + "?status__exact=confirmed&erreur=non").content.decode()
    export = client.get(reverse("newsletter_subscribers_export"))
    assert export["Content-Type"].startswith("text/csv") and b"a14@exemple.fr" in export.content
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(reverse("newsletter_subscribers_import"),
                      {"file": SimpleUploadedFile("a.csv", b"email\nx@exemple.fr\n")})
    assert bad.status_code == 400
    assert "Colonne obligatoire absente : « date_consentement »" in bad.content.decode().replace("&#x27;", "'").replace("&laquo;", "«")


def test_subscribers_are_not_shown_to_editors(home, client, editor):
    client.force_login(editor)
    assert client.get(reverse("newsletter_subscriber_modeladmin_index")).status_code in (302, 403)
    assert client.get(reverse("newsletter_subscribers_export")).status_code in (302, 403)
