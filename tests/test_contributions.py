"""Contributions of events by collectivités and partners: public form, safety, moderation, emails."""
import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ressources.contrib import services
from ressources.contrib.models import ContributionEvenement
from ressources.models import EvenementPage
from thematiques.models import Collectivite

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = SCRIPT + IMG
RAW_MARKERS = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"

FORM_URL = "/contribuer/evenement/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the per-IP rate limit lives in the cache
    yield
    cache.clear()


@pytest.fixture
def montpellier(db):
    return Collectivite.objects.create(code="34172", nom="Montpellier", echelon="com", departement="34",
                                       population=300000)


@pytest.fixture
def site_settings(db):
    from cms.models import SiteSettings

    settings_obj = SiteSettings.load()
    settings_obj.editorial_email = "equipe-agenda@anct.example"
    settings_obj.save()
    return settings_obj


def future(days=20):
    return timezone.localdate() + dt.timedelta(days=days)


def event_data(**overrides):
    data = {
        "title": "Forum de la participation citoyenne",
        "start_date": future().isoformat(), "start_time": "14:00",
        "end_date": "", "end_time": "17:30",
        "location": "Salle des fêtes, Montpellier", "organizer": "Ville de Montpellier",
        "collectivite": "", "url": "https://www.montpellier.fr/forum",
        "description": "Un après-midi d'échanges.\n\nAteliers et table ronde.",
        "contact_name": "Camille Martin", "contact_email": "camille.martin@montpellier.fr",
        "consent": "on", "site_web": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_event(client, **overrides):
    return client.post(FORM_URL, event_data(**overrides))


def make_contribution(**overrides):
    start = timezone.now() + dt.timedelta(days=15)
    values = dict(title="Atelier budget participatif", start=start, end=start + dt.timedelta(hours=2),
                  online=False, location="Mairie de Lodève", organizer="Commune de Lodève",
                  description="Présentation du budget participatif.", contact_name="Alex Durand",
                  contact_email="alex@lodeve.example", consent=True)
    values.update(overrides)
    return ContributionEvenement.objects.create(**values)


def assert_no_raw_payload(html: str):
    for marker in RAW_MARKERS:
        assert marker not in html, f"HTML brut non échappé : {marker!r}"


# ---------------------------------------------------------------------------------------------
# The public form


@pytest.mark.django_db
def test_form_page_shows_every_field_and_a_csrf_token(client, agenda_index):
    response = client.get(FORM_URL)
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("title", "start_date", "start_time", "end_date", "end_time", "all_day", "online", "location",
                 "organizer", "collectivite", "url", "description", "contact_name", "contact_email",
                 "consent"):
        assert f'name="{name}"' in html, name
    assert "csrfmiddlewaretoken" in html
    assert 'list="collectivite-suggestions"' in html


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused(agenda_index):
    response = Client(enforce_csrf_checks=True).post(FORM_URL, event_data())
    assert response.status_code == 403
    assert not ContributionEvenement.objects.exists()


@pytest.mark.django_db
def test_submission_is_stored_as_nouvelle_and_emails_contributor_and_team(client, agenda_index, montpellier,
                                                                         site_settings):
    response = post_event(client, collectivite="34172")
    assert response.status_code == 302
    assert response["Location"] == reverse("contribuer_evenement_merci")
    contribution = ContributionEvenement.objects.get()
    assert contribution.status == ContributionEvenement.Status.NOUVELLE
    assert contribution.collectivite == montpellier
    start = timezone.localtime(contribution.start)
    end = timezone.localtime(contribution.end)
    assert (start.date(), start.hour, start.minute) == (future(), 14, 0)
    assert (end.date(), end.hour, end.minute) == (future(), 17, 30)
    assert contribution.description == "Un après-midi d'échanges.\n\nAteliers et table ronde."
    assert not EvenementPage.objects.exists()

    assert len(mail.outbox) == 2
    ack, notification = mail.outbox
    assert ack.to == ["camille.martin@montpellier.fr"]
    assert "bien reçu" in ack.subject
    assert "Forum de la participation citoyenne" in ack.body
    assert "L'équipe éditoriale" in ack.body  # text part is not HTML-escaped: apostrophes stay apostrophes
    assert notification.to == ["equipe-agenda@anct.example"]
    assert notification.reply_to == ["camille.martin@montpellier.fr"]
    assert reverse("ressources_contributionevenement_modeladmin_inspect", args=[contribution.pk]) in notification.body
    for message in (ack, notification):
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert '<html lang="fr">' in html


@pytest.mark.django_db
def test_all_day_event_spans_the_whole_days(client, agenda_index):
    post_event(client, all_day="on", start_time="", end_time="", end_date=future(21).isoformat(),
               online="on", location="", collectivite="")
    contribution = ContributionEvenement.objects.get()
    assert contribution.all_day and contribution.online and contribution.collectivite is None
    start, end = timezone.localtime(contribution.start), timezone.localtime(contribution.end)
    assert (start.date(), start.hour) == (future(), 0)
    assert (end.date(), end.hour, end.minute) == (future(21), 23, 59)


@pytest.mark.django_db
def test_collectivite_is_found_by_the_label_of_a_suggestion(client, agenda_index, montpellier):
    post_event(client, collectivite=str(montpellier))
    assert ContributionEvenement.objects.get().collectivite == montpellier


@pytest.mark.django_db
def test_suggestions_endpoint_finds_collectivites_by_name_or_code(client, montpellier):
    Collectivite.objects.create(code="34142", nom="Lodève", echelon="com", departement="34", population=7000)
    by_name = client.get(reverse("contribuer_collectivites"), {"q": "montp"}).json()["results"]
    assert by_name == [{"code": "34172", "nom": "Montpellier", "label": str(montpellier)}]
    by_code = client.get(reverse("contribuer_collectivites"), {"q": "3414"}).json()["results"]
    assert [r["nom"] for r in by_code] == ["Lodève"]
    assert client.get(reverse("contribuer_collectivites"), {"q": "m"}).json() == {"results": []}


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, message", [
    ({"title": ""}, "title", "Donnez un titre à l'événement."),
    ({"start_date": ""}, "start_date", "Indiquez la date de l'événement."),
    ({"start_date": "31/02/2026"}, "start_date", "Saisissez une date valide."),
    ({"start_time": ""}, "start_time", "Indiquez l'heure de début"),
    ({"location": ""}, "location", "Indiquez un lieu, ou cochez « L'événement a lieu en ligne »."),
    ({"end_time": "09:00"}, "end_time", "La fin de l'événement doit suivre son début."),
    ({"start_date": (timezone.localdate() - dt.timedelta(days=3)).isoformat()}, "start_date",
     "Cet événement est déjà passé"),
    ({"collectivite": "99999"}, "collectivite", "Collectivité introuvable"),
    ({"url": "pas une adresse"}, "url", "Saisissez une adresse web valide"),
    ({"contact_email": "camille"}, "contact_email", "Saisissez une adresse électronique valide"),
    ({"consent": None}, "consent", "Votre accord est nécessaire pour publier l'événement."),
    ({"description": "x" * 5001}, "description", "Ce texte est trop long : 5000 caractères au plus (il en compte 5001)."),
    ({"title": "t" * 201}, "title", "Ce texte est trop long : 200 caractères au plus"),
])
def test_invalid_submission_shows_a_french_error_next_to_the_field_and_keeps_values(
        client, agenda_index, montpellier, overrides, field, message):
    response = post_event(client, **overrides)
    html = response.content.decode()
    assert response.status_code == 200
    assert not ContributionEvenement.objects.exists()
    assert not mail.outbox
    # The message sits in the field's own error block, which the input points to.
    block = re.search(rf'<div id="id_{field}-desc-error">(.*?)</div>', html, re.S)
    assert block, f"pas de message d'erreur à côté du champ {field}"
    assert message.replace("'", "&#x27;") in block.group(1)
    assert f'aria-describedby="id_{field}-desc-error"' in html
    # What was typed elsewhere is kept.
    if field != "organizer":
        assert 'value="Ville de Montpellier"' in html
    if field != "description":
        assert "Ateliers et table ronde." in html
    if field != "start_date":
        assert f'value="{future().isoformat()}"' in html


@pytest.mark.django_db
def test_honeypot_filled_by_a_robot_stores_nothing_and_sends_nothing(client, agenda_index):
    response = post_event(client, site_web="http://spam.example")
    assert response.status_code == 302  # the robot sees the usual thank-you page
    assert not ContributionEvenement.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_rate_limit_answers_429_with_a_french_message_and_keeps_values(client, agenda_index, settings):
    settings.CONTRIBUTIONS_RATE_LIMIT = (2, 600)
    assert post_event(client, title="Premier").status_code == 302
    assert post_event(client, title="Deuxième").status_code == 302
    response = post_event(client, title="Troisième")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Vous avez envoyé beaucoup de formulaires en peu de temps" in html
    assert 'value="Troisième"' in html
    assert ContributionEvenement.objects.count() == 2
    # Another address is not affected.
    other = client.post(FORM_URL, event_data(title="Autre poste"), REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302
    assert ContributionEvenement.objects.count() == 3


@pytest.mark.django_db
def test_control_characters_and_line_breaks_never_reach_one_line_fields_or_headers(client, agenda_index):
    post_event(client, title="Forum\r\nBcc: victime@example.org\x00", organizer="Ville\tde\x07 Sète")
    contribution = ContributionEvenement.objects.get()
    assert contribution.title == "Forum Bcc: victime@example.org"
    assert contribution.organizer == "Ville de Sète"
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "victime@example.org" not in message.recipients()


# ---------------------------------------------------------------------------------------------
# Nothing submitted is public before acceptance


def _public_pages_html(client, agenda_index, title):
    pages = [client.get(agenda_index.url), client.get("/recherche/", {"q": title}), client.get("/sitemap.xml")]
    for response in pages:
        assert response.status_code == 200
    return "".join(r.content.decode() for r in pages)


@pytest.mark.django_db
@pytest.mark.parametrize("decide", ["pending", "refused", "accepted_as_draft"])
def test_pending_refused_or_draft_contribution_never_appears_publicly(client, agenda_index, moderator_user,
                                                                     decide):
    contribution = make_contribution(title="Rencontre secrète des élus")
    if decide == "refused":
        services.refuse(contribution.pk, moderator_user, "Hors sujet")
    elif decide == "accepted_as_draft":
        services.accept(contribution.pk, moderator_user, publish=False)
    html = _public_pages_html(client, agenda_index, "Rencontre secrète")
    assert "Rencontre secrète des élus" not in html
    assert "rencontre-secrete-des-elus" not in html
    page = EvenementPage.objects.filter(title="Rencontre secrète des élus").first()
    if decide == "accepted_as_draft":
        assert page is not None and not page.live
        assert client.get(f"{agenda_index.url}rencontre-secrete-des-elus/").status_code == 404
    else:
        assert page is None


# ---------------------------------------------------------------------------------------------
# Moderation


@pytest.mark.django_db
def test_accepting_creates_exactly_one_published_event_with_the_submitted_fields(agenda_index, moderator_user,
                                                                                montpellier, client):
    contribution = make_contribution(collectivite=montpellier, url="https://lodeve.example/budget",
                                     description="Premier paragraphe.\nDeuxième ligne.\n\nSecond paragraphe.")
    result = services.accept(contribution.pk, moderator_user, publish=True)
    assert result.created
    page = EvenementPage.objects.get()
    assert page.get_parent().specific == agenda_index
    assert page.live
    assert (page.title, page.start, page.end, page.online, page.location, page.organizer, page.registration_url,
            page.collectivite) == (contribution.title, contribution.start, contribution.end, False,
                                   "Mairie de Lodève", "Commune de Lodève", "https://lodeve.example/budget",
                                   montpellier)
    assert page.chapo == "Premier paragraphe. Deuxième ligne. Second paragraphe."
    assert [block.block_type for block in page.body] == ["paragraph", "paragraph"]
    assert page.body[0].value.source == "<p>Premier paragraphe.<br/>Deuxième ligne.</p>"
    contribution.refresh_from_db()
    assert contribution.status == ContributionEvenement.Status.ACCEPTEE
    assert contribution.evenement_id == page.pk
    assert contribution.decided_by == moderator_user
    assert mail.outbox[-1].to == ["alex@lodeve.example"]
    assert page.full_url in mail.outbox[-1].body


@pytest.mark.django_db
def test_accepting_twice_creates_no_second_event(agenda_index, moderator_user):
    contribution = make_contribution()
    assert services.accept(contribution.pk, moderator_user, publish=True).created
    second = services.accept(contribution.pk, moderator_user, publish=True)
    assert not second.created
    assert EvenementPage.objects.count() == 1
    assert second.contribution.evenement_id == EvenementPage.objects.get().pk


@pytest.mark.django_db
def test_the_database_refuses_an_event_linked_to_a_contribution_that_is_not_accepted(agenda_index, make_evenement):
    from django.db import IntegrityError, transaction

    event = make_evenement()
    contribution = make_contribution()
    contribution.evenement = event
    with pytest.raises(IntegrityError), transaction.atomic():
        contribution.save()


@pytest.mark.django_db
def test_the_database_refuses_one_event_for_two_contributions(agenda_index, make_evenement):
    from django.db import IntegrityError, transaction

    event = make_evenement()
    make_contribution(status="acceptee", evenement=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contribution(status="acceptee", evenement=event)


@pytest.mark.django_db
def test_accept_in_the_admin_as_published_then_again_creates_one_event(client, agenda_index, moderator_user):
    contribution = make_contribution()
    client.force_login(moderator_user)
    url = reverse("ressources_contributionevenement_modeladmin_publier", args=[contribution.pk])
    form_page = client.get(url).content.decode()
    assert 'value="publier"' in form_page and 'value="brouillon"' in form_page
    response = client.post(url, {"mode": "publier"})
    assert response.status_code == 302
    again = client.post(url, {"mode": "publier"}, follow=True)
    assert "déjà été traitée" in again.content.decode()
    assert EvenementPage.objects.count() == 1
    assert EvenementPage.objects.get().live


@pytest.mark.django_db
def test_editor_without_publish_right_can_only_create_a_draft(client, agenda_index, editor):
    contribution = make_contribution()
    client.force_login(editor)
    url = reverse("ressources_contributionevenement_modeladmin_publier", args=[contribution.pk])
    assert 'value="publier"' not in client.get(url).content.decode()
    refused = client.post(url, {"mode": "publier"})
    assert refused.status_code == 200  # re-rendered with the error
    assert not EvenementPage.objects.exists()
    response = client.post(url, {"mode": "brouillon"})
    page = EvenementPage.objects.get()
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert not page.live and page.has_unpublished_changes


@pytest.mark.django_db
def test_refuse_requires_a_reason_and_emails_it(client, agenda_index, moderator_user):
    contribution = make_contribution()
    client.force_login(moderator_user)
    url = reverse("ressources_contributionevenement_modeladmin_refuser", args=[contribution.pk])
    empty = client.post(url, {"reason": "   "})
    assert "Indiquez le motif du refus" in empty.content.decode()
    contribution.refresh_from_db()
    assert contribution.status == ContributionEvenement.Status.NOUVELLE
    assert not mail.outbox

    response = client.post(url, {"reason": "L'événement est hors du champ de la participation citoyenne."})
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.status == ContributionEvenement.Status.REFUSEE
    assert contribution.decided_by == moderator_user
    refusal = mail.outbox[-1]
    assert refusal.to == ["alex@lodeve.example"]
    assert "L'événement est hors du champ de la participation citoyenne." in refusal.body
    assert "hors du champ de la participation citoyenne." in refusal.alternatives[0][0]
    assert not EvenementPage.objects.exists()
    # A refused contribution cannot be accepted afterwards by the admin.
    accept_url = reverse("ressources_contributionevenement_modeladmin_publier", args=[contribution.pk])
    client.post(accept_url, {"mode": "publier"})
    assert not EvenementPage.objects.exists()


# ---------------------------------------------------------------------------------------------
# Permissions


@pytest.fixture
def admin_user_without_rights(db):
    """Can log into the Wagtail admin, but is in no group that moderates."""
    user = User.objects.create_user("stagiaire", "stagiaire@example.org", "motdepasse-stagiaire")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "no_permission"])
def test_only_moderators_may_list_accept_or_refuse(client, agenda_index, admin_user_without_rights, who):
    contribution = make_contribution()
    if who == "no_permission":
        client.force_login(admin_user_without_rights)
    urls = [reverse("ressources_contributionevenement_modeladmin_index"),
            reverse("ressources_contributionevenement_modeladmin_inspect", args=[contribution.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert contribution.title not in response.content.decode()
    accept = client.post(reverse("ressources_contributionevenement_modeladmin_publier", args=[contribution.pk]),
                         {"mode": "publier"})
    refuse = client.post(reverse("ressources_contributionevenement_modeladmin_refuser", args=[contribution.pk]),
                         {"reason": "non"})
    assert accept.status_code in (302, 403) and refuse.status_code in (302, 403)
    if who == "anonymous":
        assert "/admin/login/" in accept["Location"]
    contribution.refresh_from_db()
    assert contribution.status == ContributionEvenement.Status.NOUVELLE
    assert not EvenementPage.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db
def test_editors_and_moderators_groups_hold_the_moderation_permission():
    for name in ("Editors", "Moderators"):
        codenames = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert {"view_contributionevenement", "change_contributionevenement",
                "view_demandecontact", "change_demandecontact"} <= codenames
        assert "add_contributionevenement" not in codenames


@pytest.mark.django_db
def test_dashboard_panel_counts_the_contributions_waiting(client, editor, admin_user_without_rights):
    make_contribution()
    make_contribution(title="Deuxième")
    make_contribution(title="Refusée", status="refusee")
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "2 événements proposés à relire" in html
    assert "?status__exact=nouvelle" in html
    client.force_login(admin_user_without_rights)
    assert "événements proposés à relire" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_admin_list_filters_by_status_without_n_plus_one(client, moderator_user, montpellier,
                                                          django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(moderator_user)
    url = reverse("ressources_contributionevenement_modeladmin_index")
    make_contribution(collectivite=montpellier)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        make_contribution(title=f"Événement {i}", collectivite=montpellier, status="refusee" if i % 2 else "nouvelle")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)
    filtered = client.get(url, {"status__exact": "refusee"}).content.decode()
    assert filtered.count("Événement ") == 4
    assert "Atelier budget participatif" not in filtered


# ---------------------------------------------------------------------------------------------
# XSS: a payload in every field comes out escaped everywhere


@pytest.fixture
def xss_contribution(client, agenda_index, montpellier):
    data = event_data(
        title="Forum " + PAYLOAD, location="Salle " + PAYLOAD, organizer="Ville " + PAYLOAD,
        url="https://example.org/x" + SCRIPT, description="Description " + PAYLOAD + "\n\nSuite " + IMG,
        contact_name="Camille " + PAYLOAD, contact_email='"' + SCRIPT + '"@example.org',
        site_web="",
    )
    response = client.post(FORM_URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ContributionEvenement.objects.get()


@pytest.mark.django_db
def test_xss_payload_is_stored_as_typed_but_escaped_in_the_admin(client, xss_contribution, moderator_user):
    assert xss_contribution.title == "Forum " + PAYLOAD  # stored as plain text, exactly as typed
    client.force_login(moderator_user)
    pages = [
        reverse("ressources_contributionevenement_modeladmin_index"),
        reverse("ressources_contributionevenement_modeladmin_inspect", args=[xss_contribution.pk]),
        reverse("ressources_contributionevenement_modeladmin_publier", args=[xss_contribution.pk]),
        reverse("ressources_contributionevenement_modeladmin_refuser", args=[xss_contribution.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert_no_raw_payload(html)
        assert "Forum " + ESCAPED_SCRIPT in html, url
    inspect = client.get(pages[1]).content.decode()
    for escaped in ("Salle " + ESCAPED_SCRIPT, "Ville " + ESCAPED_SCRIPT, "Camille " + ESCAPED_SCRIPT,
                    "Description " + ESCAPED_SCRIPT, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
                    "&quot;" + ESCAPED_SCRIPT + "&quot;@example.org", "https://example.org/x" + ESCAPED_SCRIPT):
        assert escaped in inspect, escaped


@pytest.mark.django_db
def test_xss_payload_is_escaped_in_both_emails(xss_contribution):
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        html, _ = message.alternatives[0]
        assert_no_raw_payload(html)
        for escaped in ("Forum " + ESCAPED_SCRIPT, "Salle " + ESCAPED_SCRIPT, "Ville " + ESCAPED_SCRIPT,
                        "Camille " + ESCAPED_SCRIPT, "Description " + ESCAPED_SCRIPT,
                        "https://example.org/x" + ESCAPED_SCRIPT, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"):
            assert escaped in html, escaped
        # The text part is text/plain: the characters are shown as typed, inert, never as HTML entities.
        assert message.content_subtype == "plain"
        assert "Forum " + PAYLOAD in message.body
        assert "&lt;" not in message.body and "&#x27;" not in message.body
        assert "\n" not in message.subject
    notification = mail.outbox[1]
    assert notification.reply_to == ['"' + SCRIPT + '"@example.org']


@pytest.mark.django_db
def test_xss_payload_is_escaped_in_the_published_event_and_the_refusal_email(client, xss_contribution,
                                                                            moderator_user):
    services.accept(xss_contribution.pk, moderator_user, publish=True)
    page = EvenementPage.objects.get()
    assert page.title == "Forum " + PAYLOAD
    assert page.body[0].value.source == (
        "<p>Description &lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>"
    )
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_raw_payload(html)
    assert "Forum " + ESCAPED_SCRIPT in html
    assert "Description " + ESCAPED_SCRIPT in html
    assert_no_raw_payload(client.get(page.get_parent().url).content.decode())
    acceptance = mail.outbox[-1]
    assert_no_raw_payload(acceptance.alternatives[0][0])

    other = make_contribution(title="Refus " + PAYLOAD, contact_name=PAYLOAD)
    services.refuse(other.pk, moderator_user, "Motif " + PAYLOAD)
    refusal = mail.outbox[-1]
    assert_no_raw_payload(refusal.alternatives[0][0])
    assert "Motif " + ESCAPED_SCRIPT in refusal.alternatives[0][0]
    assert "Motif " + PAYLOAD in refusal.body


@pytest.mark.django_db
def test_xss_payload_in_a_rejected_value_is_escaped_when_the_form_is_shown_again(client, agenda_index):
    response = post_event(client, collectivite=PAYLOAD, title=PAYLOAD, start_time=PAYLOAD)
    html = response.content.decode()
    assert response.status_code == 200
    assert_no_raw_payload(html)
    assert ESCAPED_SCRIPT in html


# ---------------------------------------------------------------------------------------------
# The agenda invites collectivités to contribute


@pytest.mark.django_db
def test_agenda_page_links_to_the_contribution_form(client, agenda_index):
    html = client.get(agenda_index.url).content.decode()
    assert "Je suis une collectivité et je souhaite partager mes événements" in html
    assert f'href="{FORM_URL}"' in html



@pytest.mark.django_db
def test_demo_contributions_are_pending_and_idempotent(home):
    from ressources import demo
    from ressources.contrib.models import DemandeContact

    Collectivite.objects.create(code="34142", nom="Lodève", echelon="com", departement="34")
    assert demo.load() == 3
    assert demo.load() == 0
    assert ContributionEvenement.objects.filter(status="nouvelle").count() == 2
    assert ContributionEvenement.objects.get(organizer="Commune de Lodève").collectivite.nom == "Lodève"
    assert DemandeContact.objects.filter(handled=False).count() == 1
    assert not EvenementPage.objects.exists()  # nothing public


@pytest.mark.django_db
def test_focus_goes_to_the_first_field_in_error_in_page_order(client, agenda_index):
    html = post_event(client, organizer="", start_date="").content.decode()
    autofocused = re.findall(r'<(?:input|textarea)[^>]*\bautofocus\b[^>]*>', html)
    assert len(autofocused) == 1 and 'name="organizer"' in autofocused[0]
