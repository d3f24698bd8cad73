"""A listing's pictures: their renditions read in one query (``cms.cards.with_card_renditions``).

Without it each card asked the renditions cache (two round trips to Redis in production), then the
database on a miss: a third of a thématique's uncached time at Territoires Conseils' size. Here the
thématique, the library, the agenda and the home page show 3 then 9 illustrated cards, each with its
own picture; they must ask the renditions cache nothing and run as many queries with 9 as with 3.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import ensure_home
from tests.test_public_site import make_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    from ressources.models import AgendaIndexPage, RessourceIndexPage
    from thematiques.models import ThematiqueIndexPage, ThematiquePage

    home = ensure_home()
    thematique = home.add_child(instance=ThematiqueIndexPage(title="Thématiques", slug="thematiques")).add_child(
        instance=ThematiquePage(title="Mobilité", slug="mobilite"))
    library = home.add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources"))
    agenda = home.add_child(instance=AgendaIndexPage(title="Agenda", slug="agenda"))
    return {"home": home, "thematique": thematique, "library": library, "agenda": agenda, "n": 0}


def _add_illustrated(site, count):
    from ressources.models import EvenementPage, ProjetPage

    for _ in range(count):
        site["n"] += 1
        n = site["n"]
        projet = site["library"].add_child(instance=ProjetPage(
            title=f"Projet {n}", chapo="Un projet.", listing_image=make_image(f"Photo {n}", "red"),
            publication_date=dt.date(2024, 1, 1) + dt.timedelta(days=n)))
        projet.thematiques.add(site["thematique"])
        projet.save_revision().publish()
        start = timezone.now() + dt.timedelta(days=n)
        event = site["agenda"].add_child(instance=EvenementPage(
            title=f"Rencontre {n}", chapo="Une rencontre.", start=start, end=start + dt.timedelta(hours=2), location="Lyon",
            listing_image=make_image(f"Affiche {n}", "green")))
        event.thematiques.add(site["thematique"])
        event.save_revision().publish()


def _measure(client, urls, monkeypatch):
    from wagtail.images.models import Rendition

    asked = []
    backend = Rendition.cache_backend
    monkeypatch.setattr(backend, "get_many", lambda keys, *a, **k: asked.append(len(keys)) or {})
    counts = {}
    for url in urls:
        client.get(url)  # renditions made on the first view
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts[url] = len(queries)
    monkeypatch.undo()
    return counts, asked


def test_cards_read_their_renditions_in_one_query(client, site, settings, monkeypatch):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    urls = [site["thematique"].url, site["library"].url, site["agenda"].url, site["home"].url]
    _add_illustrated(site, 3)
    few, _asked = _measure(client, urls, monkeypatch)
    _add_illustrated(site, 6)
    many, asked = _measure(client, urls, monkeypatch)
    assert many == few
    assert asked == []  # no card asked the renditions cache: the renditions were prefetched
    html = client.get(site["library"].url).content.decode()
    assert html.count('class="fr-responsive-img"') >= 9  # the pictures are there


def test_cards_of_every_kind_cost_the_same_queries_and_show_their_own_kicker(client, site, settings):
    """``cms.cards.for_cards``: the cards read the base rows once, plus the projects' nature (their
    kicker), however many kinds of resource the listing shows; ``.specific()`` read one query per kind."""
    from bs4 import BeautifulSoup

    from ressources.models import ActualitePage, ArticlePage, ConceptPage, ProjetPage, TribunePage

    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    urls = [site["thematique"].url, site["library"].url, site["home"].url]

    def add(model, title, **fields):
        page = site["library"].add_child(instance=model(title=title, chapo="Résumé.", **fields))
        page.thematiques.add(site["thematique"])
        page.save_revision().publish()

    def queries():
        counts = {}
        for url in urls:
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts[url] = len(captured)
        return counts

    add(ProjetPage, "Atelier vélo", nature=ProjetPage.Nature.INITIATIVE)
    add(ArticlePage, "Lire la ville")
    two_kinds = queries()
    add(ProjetPage, "Maison du projet", nature=ProjetPage.Nature.EXPERIENCE)
    add(TribunePage, "Une tribune")
    add(ConceptPage, "Le concept")
    add(ActualitePage, "Une actualité")
    assert queries() == two_kinds

    for url in urls:
        soup = BeautifulSoup(client.get(url).content.decode(), "html.parser")
        kickers = {card.select_one(".fr-card__title").get_text(strip=True): card.select_one(".fr-card__detail")
                   for card in soup.select(".fr-card")}
        for title, kicker in (("Atelier vélo", "Initiative"), ("Maison du projet", "Expérience territoriale"),
                              ("Le concept", "Concept du mois"), ("Une tribune", "Tribune")):
            if title in kickers:
                assert kicker in kickers[title].get_text(), (url, title)
        assert {"Atelier vélo", "Maison du projet"} <= set(kickers), url
