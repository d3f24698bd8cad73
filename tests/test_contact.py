"""« Contactez l'ANCT »: the contact form on every thématique and in general, stored, emailed, handled."""
import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ressources.contrib.models import DemandeContact

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = SCRIPT + IMG
RAW_MARKERS = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
CONTACT_URL = "/contact/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team_address(db):
    from cms.models import SiteSettings

    settings_obj = SiteSettings.load()
    settings_obj.editorial_email = "accompagnement@anct.example"
    settings_obj.save()
    return settings_obj.editorial_email


def contact_data(**overrides):
    data = {"name": "Dominique Petit", "collectivite": "Commune de Lodève", "job_title": "Maire adjointe",
            "email": "d.petit@lodeve.example", "thematique": "", "message": "Nous voulons lancer un budget participatif.",
            "site_web": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_no_raw_payload(html):
    for marker in RAW_MARKERS:
        assert marker not in html, marker


@pytest.mark.django_db
def test_thematique_page_links_to_the_contact_form_with_its_slug(client, make_thematique):
    thematique = make_thematique("Retour à l'emploi")
    html = client.get(thematique.url).content.decode()
    assert f'href="{reverse("contact_anct")}?thematique={thematique.slug}"' in html


@pytest.mark.django_db
def test_thematique_in_the_query_string_is_pre_selected(client, make_thematique):
    make_thematique("Petite enfance")
    emploi = make_thematique("Retour à l'emploi")
    html = client.get(CONTACT_URL, {"thematique": emploi.slug}).content.decode()
    assert f'<option value="{emploi.pk}" selected>Retour à l&#x27;emploi</option>' in html
    assert "Votre demande porte sur la thématique «\u202fRetour à l&#x27;emploi\u202f»." in html
    # Unknown slug or none: the general form, nothing selected.
    general = client.get(CONTACT_URL, {"thematique": "inconnue"}).content.decode()
    assert "selected>Retour" not in general
    assert '<option value="" selected>Aucune en particulier</option>' in general


@pytest.mark.django_db
def test_unpublished_thematique_is_neither_offered_nor_pre_filled(client, make_thematique):
    brouillon = make_thematique("Thème en préparation")
    brouillon.unpublish()
    html = client.get(CONTACT_URL, {"thematique": brouillon.slug}).content.decode()
    assert "Thème en préparation" not in html


@pytest.mark.django_db
def test_contact_request_is_stored_and_emailed_to_the_team(client, make_thematique, team_address):
    thematique = make_thematique("Retour à l'emploi")
    response = client.post(CONTACT_URL, contact_data(thematique=str(thematique.pk)))
    assert response.status_code == 302
    assert response["Location"] == reverse("contact_anct_merci")
    demande = DemandeContact.objects.get()
    assert (demande.name, demande.collectivite, demande.job_title, demande.email, demande.thematique) == (
        "Dominique Petit", "Commune de Lodève", "Maire adjointe", "d.petit@lodeve.example", thematique)
    assert not demande.handled
    team, ack = mail.outbox
    assert team.to == [team_address]
    assert team.reply_to == ["d.petit@lodeve.example"]
    assert "Retour à l'emploi" in team.subject
    assert "Nous voulons lancer un budget participatif." in team.body
    assert reverse("ressources_demandecontact_modeladmin_inspect", args=[demande.pk]) in team.body
    assert ack.to == ["d.petit@lodeve.example"]
    assert team.alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_general_contact_request_has_no_thematique(client, team_address):
    assert client.post(CONTACT_URL, contact_data()).status_code == 302
    assert DemandeContact.objects.get().thematique is None
    assert "Demande de contact : Dominique Petit" in mail.outbox[0].subject


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field, message", [
    ({"name": ""}, "name", "Indiquez votre nom."),
    ({"collectivite": ""}, "collectivite", "Indiquez votre collectivité ou votre structure."),
    ({"job_title": ""}, "job_title", "Indiquez votre fonction."),
    ({"email": "pas-une-adresse"}, "email", "Saisissez une adresse électronique valide"),
    ({"message": ""}, "message", "Écrivez votre message."),
    ({"message": "m" * 5001}, "message", "Ce texte est trop long : 5000 caractères au plus (il en compte 5001)."),
    ({"thematique": "999999"}, "thematique", "Choisissez une thématique de la liste."),
])
def test_invalid_contact_request_shows_french_error_and_keeps_values(client, overrides, field, message):
    response = client.post(CONTACT_URL, contact_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert not DemandeContact.objects.exists() and not mail.outbox
    assert f'<div id="id_{field}-desc-error">' in html
    assert message in html.replace("&#x27;", "'")
    if field != "collectivite":
        assert 'value="Commune de Lodève"' in html
    if field != "message":
        assert "Nous voulons lancer un budget participatif." in html


@pytest.mark.django_db
def test_contact_honeypot_and_csrf(client):
    assert client.post(CONTACT_URL, contact_data(site_web="https://spam.example")).status_code == 302
    assert Client(enforce_csrf_checks=True).post(CONTACT_URL, contact_data()).status_code == 403
    assert not DemandeContact.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_contact_rate_limit_in_french(client, settings):
    settings.CONTRIBUTIONS_RATE_LIMIT = (1, 600)
    assert client.post(CONTACT_URL, contact_data()).status_code == 302
    response = client.post(CONTACT_URL, contact_data(name="Deuxième essai"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Merci de patienter quelques minutes avant de réessayer" in html
    assert 'value="Deuxième essai"' in html
    assert DemandeContact.objects.count() == 1


@pytest.mark.django_db
def test_contact_requests_are_listed_in_the_admin_and_marked_handled(client, editor, make_thematique):
    thematique = make_thematique("Retour à l'emploi")
    client.post(CONTACT_URL, contact_data(thematique=str(thematique.pk)))
    demande = DemandeContact.objects.get()
    client.force_login(editor)
    listing = client.get(reverse("ressources_demandecontact_modeladmin_index")).content.decode()
    assert "Dominique Petit" in listing and "Marquer comme traitée" in listing
    url = reverse("ressources_demandecontact_modeladmin_traiter", args=[demande.pk])
    client.get(url)  # the confirmation page changes nothing
    demande.refresh_from_db()
    assert not demande.handled
    assert client.post(url).status_code == 302
    demande.refresh_from_db()
    assert demande.handled and demande.handled_by == editor and demande.handled_at
    pending = client.get(reverse("ressources_demandecontact_modeladmin_index"), {"handled__exact": "0"})
    assert url not in pending.content.decode()  # no row, so no action button for it
    handled = client.get(reverse("ressources_demandecontact_modeladmin_index"), {"handled__exact": "1"})
    assert url in handled.content.decode() and "Marquer comme non traitée" in handled.content.decode()
    client.post(url)  # and back to not handled
    demande.refresh_from_db()
    assert not demande.handled and demande.handled_by is None


@pytest.mark.django_db
def test_dashboard_counts_contact_requests_not_handled(client, editor):
    client.post(CONTACT_URL, contact_data())
    client.force_login(editor)
    assert "1 demande de contact non traitée" in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_only_moderators_may_see_or_handle_contact_requests(client, django_user_model):
    from django.contrib.auth.models import Permission

    client.post(CONTACT_URL, contact_data())
    demande = DemandeContact.objects.get()
    intern = django_user_model.objects.create_user("stagiaire", "s@example.org", "motdepasse-stagiaire")
    intern.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for user in (None, intern):
        c = Client()
        if user:
            c.force_login(user)
        listing = c.get(reverse("ressources_demandecontact_modeladmin_index"))
        assert listing.status_code in (302, 403) and "Dominique Petit" not in listing.content.decode()
        c.post(reverse("ressources_demandecontact_modeladmin_traiter", args=[demande.pk]))
        demande.refresh_from_db()
        assert not demande.handled


@pytest.mark.django_db
def test_xss_payload_in_every_contact_field_comes_out_escaped(client, editor, make_thematique):
    thematique = make_thematique("Emploi " + PAYLOAD)
    response = client.post(CONTACT_URL, contact_data(
        name="Nom " + PAYLOAD, collectivite="Ville " + PAYLOAD, job_title="Fonction " + PAYLOAD,
        email='"' + SCRIPT + '"@example.org', message="Message " + PAYLOAD + "\nligne 2", thematique=str(thematique.pk),
    ))
    assert response.status_code == 302
    demande = DemandeContact.objects.get()
    assert demande.name == "Nom " + PAYLOAD
    client.force_login(editor)
    for url in (reverse("ressources_demandecontact_modeladmin_index"),
                reverse("ressources_demandecontact_modeladmin_inspect", args=[demande.pk]),
                reverse("ressources_demandecontact_modeladmin_traiter", args=[demande.pk])):
        html = client.get(url).content.decode()
        assert_no_raw_payload(html)
        assert "Nom " + ESCAPED_SCRIPT in html, url
    inspect = client.get(reverse("ressources_demandecontact_modeladmin_inspect", args=[demande.pk])).content.decode()
    for escaped in ("Ville " + ESCAPED_SCRIPT, "Fonction " + ESCAPED_SCRIPT, "Message " + ESCAPED_SCRIPT,
                    "&quot;" + ESCAPED_SCRIPT + "&quot;@example.org", "Emploi " + ESCAPED_SCRIPT):
        assert escaped in inspect, escaped
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        html = message.alternatives[0][0]
        assert_no_raw_payload(html)
        for escaped in ("Nom " + ESCAPED_SCRIPT, "Ville " + ESCAPED_SCRIPT, "Fonction " + ESCAPED_SCRIPT,
                        "Message " + ESCAPED_SCRIPT, "Emploi " + ESCAPED_SCRIPT):
            assert escaped in html, escaped
        assert "Message " + PAYLOAD in message.body  # text/plain: inert characters, as typed
        assert "&lt;" not in message.body
        assert "\n" not in message.subject
    # The form shown again after an error escapes the values it keeps.
    again = client.post(CONTACT_URL, contact_data(name=PAYLOAD, email="invalide")).content.decode()
    assert_no_raw_payload(again)
    assert ESCAPED_SCRIPT in again


@pytest.mark.django_db
def test_admin_contact_list_has_constant_queries(client, editor, make_thematique):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    thematique = make_thematique("Retour à l'emploi")
    client.force_login(editor)
    url = reverse("ressources_demandecontact_modeladmin_index")
    DemandeContact.objects.create(name="A", collectivite="B", job_title="C", email="a@example.org", message="m",
                                  thematique=thematique)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        other = make_thematique(f"Thème {i}")
        DemandeContact.objects.create(name=f"N{i}", collectivite="B", job_title="C", email="a@example.org",
                                      message="m", thematique=other)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
