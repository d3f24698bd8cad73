"""Read-only public API (Wagtail API v2) at /api/v2/: only published public pages of the exposed types."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def content(home, make_thematique, make_projet, make_evenement, ressource_index, agenda_index):
    from thematiques.models import Collectivite

    montpellier = Collectivite.objects.create(code="34172", nom="Montpellier", echelon="com")
    emploi = make_thematique("Retour à l'emploi")
    projet = make_projet("Wake Up Café", thematiques=[emploi], territoire=montpellier, project_lead="Wake Up Café")
    projet.tags.add("insertion")
    projet.save_revision().publish()
    event = make_evenement("Webinaire participation")
    event.thematiques.set([emploi])
    event.save_revision().publish()
    draft = make_projet("Projet en préparation", live=False)
    return {"emploi": emploi, "projet": projet, "event": event, "draft": draft, "montpellier": montpellier}


def items(client, query=""):
    response = client.get(f"/api/v2/pages/{query}")
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_lists_only_exposed_published_types(client, content):
    titles = {item["title"]: item["meta"]["type"] for item in items(client, "?limit=50")}
    assert titles == {
        "Retour à l'emploi": "thematiques.ThematiquePage",
        "Wake Up Café": "ressources.ProjetPage",
        "Webinaire participation": "ressources.EvenementPage",
    }
    assert "Projet en préparation" not in titles  # a draft is never public
    assert "Territoires en Commun" not in titles  # the home and index pages are not content


def test_resource_fields_for_partners(client, content):
    [projet] = items(client, "?type=ressources.ProjetPage&fields=chapo,thematiques,territoire,tags,project_lead,kind")
    assert projet["chapo"] == "Chapô Wake Up Café"
    assert projet["thematiques"] == [{"id": content["emploi"].pk, "title": "Retour à l'emploi",
                                      "slug": content["emploi"].slug}]
    assert projet["territoire"] == {"code": "34172", "nom": "Montpellier", "echelon": "com"}
    assert projet["tags"] == ["insertion"]
    assert projet["kind"] == "projet"
    assert projet["meta"]["html_url"].endswith(content["projet"].url)


def test_filter_by_type_family_and_search(client, content):
    resources = items(client, "?type=ressources.RessourcePage")
    assert [r["title"] for r in resources] == ["Wake Up Café"]
    events = items(client, "?type=ressources.EvenementPage&fields=start,end,organizer")
    assert events[0]["organizer"] == "ANCT" and events[0]["start"]
    [event] = items(client, "?type=ressources.EvenementPage&fields=location,registration_url,link_label")
    assert {"location", "registration_url", "link_label"} <= set(event)
    assert items(client, "?type=thematiques.ProjetPartagePage&fields=status,start_date,end_date") == []


def test_detail_view_and_hidden_pages(client, content, home):
    response = client.get(f"/api/v2/pages/{content['projet'].pk}/")
    assert response.status_code == 200
    assert response.json()["project_lead"] == "Wake Up Café"
    assert client.get(f"/api/v2/pages/{content['draft'].pk}/").status_code == 404
    assert client.get(f"/api/v2/pages/{home.pk}/").status_code == 404


def test_unexposed_type_is_refused_in_french(client, content):
    response = client.get("/api/v2/pages/?type=home.StandardPage")
    assert response.status_code == 400
    assert "non exposé" in response.json()["message"]
    assert client.get("/api/v2/pages/?type=nexiste.Pas").status_code == 400


# Field names before the English renames (docs/decisions.md, "Naming"): refused like any unknown field.
OLD_FIELD_NAMES = [
    ("ressources.EvenementPage", ["lieu", "organisateur", "lien_inscription", "lien_libelle"]),
    ("ressources.ProjetPage", ["lien_externe", "lien_libelle", "date_publication", "porteur"]),
    ("ressources.TribunePage", ["auteur", "auteur_fonction", "citation", "citation_auteur"]),
    ("thematiques.ProjetPartagePage", ["statut", "date_debut", "date_fin"]),
    ("thematiques.ThematiquePage", ["couleur", "pictogramme"]),
]


@pytest.mark.parametrize("page_type, old_names", OLD_FIELD_NAMES)
def test_old_field_names_get_the_unknown_field_error(client, content, page_type, old_names):
    unknown = client.get(f"/api/v2/pages/?type={page_type}&fields=nexiste_pas")
    assert unknown.status_code == 400
    for name in old_names:
        response = client.get(f"/api/v2/pages/?type={page_type}&fields={name}")
        assert response.status_code == 400, name
        assert response.json() == {key: value.replace("nexiste_pas", name) if isinstance(value, str) else value
                                   for key, value in unknown.json().items()}


def test_read_only(client, content):
    assert client.post("/api/v2/pages/", {"title": "x"}).status_code == 405
    assert client.delete(f"/api/v2/pages/{content['projet'].pk}/").status_code == 405


def test_images_endpoint_and_cors(client, content):
    response = client.get("/api/v2/images/")
    assert response.status_code == 200
    assert response.json()["meta"]["total_count"] == 0
    assert client.get("/api/v2/pages/")["Access-Control-Allow-Origin"] == "*"


def test_listing_queries_do_not_grow_with_results(client, content, make_projet):
    url = "/api/v2/pages/?type=ressources.ProjetPage&fields=chapo,thematiques,territoire,tags"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        make_projet(f"Projet {i}", thematiques=[content["emploi"]], territoire=content["montpellier"])
    client.get(url)  # publishing emptied the site caches (Wagtail site, view restrictions): warm them again
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).json()["items"]) == 9
    assert len(many) == len(few), [q["sql"] for q in many]
