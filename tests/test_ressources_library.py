"""The resource library: every filter, the search, pagination, shareable URLs and a constant query count."""
import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_fragment_cache import routing_queries
from tests.test_public_site import _fresh, shared_site  # noqa: F401 - the module's shared site fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(shared_site, db):  # noqa: F811 - shared_site is the fixture imported above
    """The site, built once for the module; each test reads it afresh and changes it in its own savepoint."""
    return _fresh(shared_site)


def titles(client, url):
    response = client.get(url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return {a.get_text() for a in soup.select("main .fr-card__title a")}, soup


ALL = {"Wake Up Café", "Le bénévolat, une voie vers l'emploi", "Faire de la démocratie locale une réalité",
       "Qualité de la participation", "Rencontres DO"}


@pytest.mark.parametrize("query, expected", [
    ("", ALL),
    ("?thematique=retour-a-lemploi", {"Wake Up Café", "Faire de la démocratie locale une réalité",
                                      "Qualité de la participation"}),
    ("?thematique=petite-enfance", {"Le bénévolat, une voie vers l'emploi"}),
    ("?type=projet", {"Wake Up Café"}),
    ("?type=article", {"Le bénévolat, une voie vers l'emploi"}),
    ("?type=tribune", {"Faire de la démocratie locale une réalité"}),
    ("?type=concept", {"Qualité de la participation"}),
    ("?type=actualite", {"Rencontres DO"}),
    # A commune of the Hérault and the Hérault itself; not the whole Occitanie.
    ("?departement=34", {"Wake Up Café", "Faire de la démocratie locale une réalité"}),
    ("?departement=59", {"Le bénévolat, une voie vers l'emploi"}),
    # The région finds its communes, its départements and itself.
    ("?region=76", {"Wake Up Café", "Faire de la démocratie locale une réalité", "Qualité de la participation"}),
    ("?region=32", {"Le bénévolat, une voie vers l'emploi"}),
    ("?annee=2020", {"Le bénévolat, une voie vers l'emploi"}),
    ("?annee=2021", ALL - {"Le bénévolat, une voie vers l'emploi"}),
    ("?thematique=retour-a-lemploi&type=tribune&annee=2021", {"Faire de la démocratie locale une réalité"}),
    ("?thematique=retour-a-lemploi&departement=59", set()),
    ("?q=détention", {"Wake Up Café"}),
    # The tribune's pull quote speaks of participation too: indexed fields count, not only titles.
    ("?q=participation", {"Qualité de la participation", "Faire de la démocratie locale une réalité"}),
    ("?q=participation&type=tribune", {"Faire de la démocratie locale une réalité"}),
    ("?q=participation&type=actualite", set()),
    # Words and every other filter together (the territory and thématique filters are joins).
    ("?q=participation&departement=34", {"Faire de la démocratie locale une réalité"}),
    ("?q=participation&region=76", {"Qualité de la participation", "Faire de la démocratie locale une réalité"}),
    ("?q=participation&thematique=retour-a-lemploi&annee=2021",
     {"Qualité de la participation", "Faire de la démocratie locale une réalité"}),
    ("?q=emplois&departement=59", {"Le bénévolat, une voie vers l'emploi"}),
    ("?q=Jeanne+Martin", {"Faire de la démocratie locale une réalité"}),
    # Quotes and operators are punctuation to the visitor, syntax to FTS5 / tsquery: never a crash.
    ("?q=%22d%C3%A9tention%27+*+(", {"Wake Up Café"}),
])
def test_each_filter_returns_the_right_resources(client, site, query, expected):
    found, soup = titles(client, "/ressources/" + query)
    assert found == expected
    count = soup.find(id="results-count").get_text()
    assert count == (f"{len(expected)} ressource" + ("s" if len(expected) > 1 else "")
                     if expected else "Aucune ressource")
    assert soup.find(id="results-count").find_parent(attrs={"aria-live": "polite"}) is not None


def test_filter_form_is_labelled_keeps_values_and_offers_choices(client, site):
    _found, soup = titles(client, "/ressources/?thematique=retour-a-lemploi&type=tribune&q=d%C3%A9mocratie")
    form = soup.select_one("main form.tec-filters")
    assert form["method"] == "get" and form["action"] == "/ressources/"
    for name in ("q", "thematique", "type", "departement", "region", "annee"):
        control = form.find(attrs={"name": name})
        assert control is not None, name
        assert form.find("label", attrs={"for": control["id"]}).get_text(strip=True), name
    assert form.find("input", attrs={"name": "q"})["value"] == "démocratie"
    assert form.find("select", attrs={"name": "thematique"}).find("option", selected=True)["value"] == "retour-a-lemploi"
    assert form.find("select", attrs={"name": "type"}).find("option", selected=True)["value"] == "tribune"
    departements = [o.get_text() for o in form.find("select", attrs={"name": "departement"}).find_all("option")]
    assert departements == ["Tous", "34 — Hérault", "59 — Nord"]
    annees = [o["value"] for o in form.find("select", attrs={"name": "annee"}).find_all("option")]
    assert annees == ["", "2021", "2020"]
    assert soup.find("link", rel="alternate", type="application/rss+xml")["href"] == "/flux/ressources.xml"


@pytest.mark.parametrize("query, field, message", [
    ("?type=podcast", "type", "« podcast » n'est pas un choix possible : ce filtre est ignoré."),
    ("?annee=deux-mille", "annee", "« deux-mille » n'est pas un choix possible : ce filtre est ignoré."),
    ("?departement=999", "departement", "« 999 » n'est pas un choix possible : ce filtre est ignoré."),
    ("?region=<script>", "region", "« <script> » n'est pas un choix possible : ce filtre est ignoré."),
    ("?thematique=inconnue", "thematique", "« inconnue » n'est pas un choix possible : ce filtre est ignoré."),
])
def test_invalid_filter_values_give_a_french_message_and_are_ignored(client, site, query, field, message):
    response = client.get("/ressources/" + query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.find(id=f"id_{field}-error").get_text() == message
    assert soup.find("select", attrs={"name": field})["aria-describedby"].split()[0] == f"id_{field}-error"
    assert message in soup.select_one(".fr-alert").get_text()
    assert {a.get_text() for a in soup.select("main .fr-card__title a")} == ALL


def test_an_invalid_filter_does_not_cancel_the_valid_ones(client, site):
    found, soup = titles(client, "/ressources/?type=tribune&annee=1850x")
    assert found == {"Faire de la démocratie locale une réalité"}
    assert soup.find(id="id_annee-error") is not None


def test_too_long_search_is_refused_in_french(client, site):
    found, soup = titles(client, "/ressources/?q=" + "a" * 250)
    assert soup.find(id="id_q-error").get_text() == "La recherche est limitée à 200 caractères."
    assert found == ALL


def make_resources(library, count):
    from ressources.models import ActualitePage, ArticlePage, ConceptPage, ProjetPage, TribunePage

    models = [ProjetPage, ArticlePage, TribunePage, ConceptPage, ActualitePage]
    for i in range(count):
        model = models[i % len(models)]
        library.add_child(instance=model(title=f"Ressource {i}", slug=f"ressource-{i}", chapo=f"Chapô {i}",
                                         publication_date=dt.date(2021, 1, 1) + dt.timedelta(days=i)))


def test_pagination_keeps_the_filters_in_the_url(client, site):
    library = site["library"]
    library.per_page = 4
    library.save_revision().publish()
    make_resources(library, 20)
    _found, soup = titles(client, "/ressources/?annee=2021&type=projet")
    assert soup.find(id="results-count").get_text() == "5 ressources"  # Wake Up Café + 4 new projets
    nav = soup.select_one("nav.fr-pagination")
    assert nav["aria-label"] == "Pagination"
    next_link = nav.select_one("a.fr-pagination__link--next")["href"]
    assert next_link == "?annee=2021&type=projet&page=2"
    page2, soup2 = titles(client, "/ressources/" + next_link)
    assert len(page2) == 1
    assert soup2.select_one("nav.fr-pagination a[aria-current=page]").get_text() == "2"


def test_out_of_range_page_shows_the_last_page_with_a_message(client, site):
    found, soup = titles(client, "/ressources/?page=99")
    assert found == ALL
    assert "Cette page n'existe pas" in soup.select_one(".fr-alert").get_text()
    found, soup = titles(client, "/ressources/?page=abc")
    assert found == ALL
    assert "Numéro de page invalide" in soup.select_one(".fr-alert").get_text()


def test_repeated_library_page_costs_no_query_and_a_new_resource_shows_at_once(client, site):
    """Cold library (whole-page cache off): counts and cards come from the site version's cache."""
    from ressources.models import ProjetPage, RessourceIndexPage

    url = "/ressources/?type=projet"
    found, soup = titles(client, url)
    assert found == {"Wake Up Café"}
    with CaptureQueriesContext(connection) as ctx:
        again, soup_again = titles(client, url)
    # Only Wagtail's own routing of the library page runs (a constant); counts and cards cost nothing.
    library = RessourceIndexPage.objects.get(slug="ressources")
    assert len(ctx) == routing_queries(library), [q["sql"] for q in ctx]
    assert again == found and str(soup_again) == str(soup)

    site["library"].add_child(instance=ProjetPage(title="Atelier vélo", slug="atelier-velo",
                                                  publication_date=dt.date(2021, 6, 1))).save_revision().publish()
    found, soup = titles(client, url)
    assert found == {"Wake Up Café", "Atelier vélo"}
    assert soup.find(id="results-count").get_text() == "2 ressources"


def test_what_a_visitor_typed_is_never_served_to_another_from_the_cache(client, site):
    """Messages and pagination links echo each request's own parameters, even when its cards are cached."""
    library = site["library"]
    library.per_page = 2
    library.save_revision().publish()
    for visitor in ("alice", "bruno"):
        _found, soup = titles(client, f"/ressources/?annee=19{visitor}&campagne={visitor}")
        assert f"« 19{visitor} » n'est pas un choix possible" in soup.select_one(".fr-alert").get_text()
        next_link = soup.select_one("nav.fr-pagination a.fr-pagination__link--next")["href"]
        assert f"campagne={visitor}" in next_link
        assert len(soup.select("main .fr-card__title a")) == 2


def test_kept_options_select_each_request_s_own_valid_value(client, site):
    def selected(url):
        _found, soup = titles(client, url)
        select = soup.select_one("main form.tec-filters select[name=departement]")
        return [o["value"] for o in select.find_all("option", selected=True)], len(select.find_all("option"))

    assert selected("/ressources/?departement=34") == (["34"], 3)
    assert selected("/ressources/?departement=59") == (["59"], 3)
    assert selected("/ressources/?departement=%3Cb%3E34") == ([], 3)  # invalid: nothing selected, nothing kept
    assert selected("/ressources/") == ([], 3)
    assert selected("/ressources/?departement=34") == (["34"], 3)
