"""The resource library's query count does not grow with its content.

In its own module: the test builds its own small site from the home page, which the shared site of
``test_ressources_library.py`` (alive for that whole module) would collide with.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_ressources_library import make_resources

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    client.get(url)  # warm caches (site root paths, content types, renditions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx), response


@pytest.mark.parametrize("query", ["", "?thematique=retour-a-lemploi", "?q=Ressource", "?departement=34&annee=2021"])
def test_query_count_is_the_same_with_5_and_50_resources(client, home, query):
    from ressources.models import ProjetPage, RessourceIndexPage, RessourcePage
    from thematiques.models import Collectivite, ThematiqueIndexPage, ThematiquePage

    Collectivite.objects.create(code="223400011", code_insee="34", nom="Hérault",
                                echelon=Collectivite.Echelon.DEPARTEMENT, departement="34", region="76")
    montpellier = Collectivite.objects.create(code="34172", code_insee="34172", nom="Montpellier",
                                              echelon=Collectivite.Echelon.COMMUNE, departement="34", region="76")
    thematiques = home.add_child(instance=ThematiqueIndexPage(title="Thématiques", slug="thematiques"))
    emploi = thematiques.add_child(instance=ThematiquePage(title="Retour à l'emploi", slug="retour-a-lemploi"))
    library = home.add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources", per_page=12))
    make_resources(library, 5)
    for page in ProjetPage.objects.all():
        page.thematiques.set([emploi])
        page.save_revision().publish()
    RessourcePage.objects.filter(pk__in=ProjetPage.objects.values("pk")).update(territoire=montpellier)
    few, response = count_queries(client, "/ressources/" + query)
    assert "Ressource" in response.content.decode()

    for i in range(5, 50):
        from ressources.models import ActualitePage, ArticlePage, ConceptPage, TribunePage

        model = [ProjetPage, ArticlePage, TribunePage, ConceptPage, ActualitePage][i % 5]
        page = library.add_child(instance=model(title=f"Ressource {i}", slug=f"ressource-{i}",
                                                publication_date=dt.date(2021, 1, 1) + dt.timedelta(days=i)))
        if model is ProjetPage:
            page.thematiques.set([emploi])
            page.save_revision().publish()
    RessourcePage.objects.filter(pk__in=ProjetPage.objects.values("pk")).update(territoire=montpellier)
    many, response = count_queries(client, "/ressources/" + query)
    cards = response.content.decode().count('class="fr-card__title"')
    assert cards == {"": 12, "?thematique=retour-a-lemploi": 10, "?q=Ressource": 12,
                     "?departement=34&annee=2021": 10}[query]
    assert many == few, f"{few} requêtes avec 5 ressources, {many} avec 50"
