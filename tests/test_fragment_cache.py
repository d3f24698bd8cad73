"""Cached fragments of cold pages (cms.cache fragments, {% fragment_cache %}, cached cards and routes).

With the whole-page cache off, a repeated thématique page runs no query (its template still renders), and
every change a visitor could see (a new resource, a renamed page, a page made private, a new
partner) shows on the very next request.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def cold(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_repeated_thematique_page_is_identical_and_costs_no_query(client, cold, make_thematique, make_projet):
    thematique = make_thematique("Retour à l'emploi")
    for i in range(3):
        make_projet(f"Projet {i}", thematiques=[thematique])
    first = html(client, thematique.url)
    with CaptureQueriesContext(connection) as queries:
        second = html(client, thematique.url)
    assert second == first
    assert "Projet 2" in second
    # The routed page, its (absent) view restrictions, menu, footer, listings and cards come from the cache.
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_new_resource_and_renamed_page_show_on_the_next_request(client, cold, make_thematique, make_projet):
    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique])
    assert "Wake Up Café" in html(client, thematique.url)

    projet = make_projet("Atelier vélo", thematiques=[thematique])
    assert "Atelier vélo" in html(client, thematique.url)

    projet.title = "Atelier vélo solidaire"
    projet.save_revision().publish()
    page = html(client, thematique.url)
    assert "Atelier vélo solidaire" in page

    thematique.title = "Retour durable à l'emploi"
    thematique.save_revision().publish()
    assert "Retour durable à l&#x27;emploi" in html(client, thematique.url)


def test_a_page_made_private_leaves_the_cached_listing_at_once(client, cold, make_thematique, make_projet):
    from wagtail.models import PageViewRestriction

    thematique = make_thematique("Retour à l'emploi")
    projet = make_projet("Wake Up Café", thematiques=[thematique])
    assert "Wake Up Café" in html(client, thematique.url)

    PageViewRestriction.objects.create(page=projet, restriction_type=PageViewRestriction.LOGIN)
    assert "Wake Up Café" not in html(client, thematique.url)


def test_unpublished_page_is_no_longer_routed(client, cold, make_thematique):
    thematique = make_thematique("Retour à l'emploi")
    assert client.get(thematique.url).status_code == 200
    thematique.unpublish()
    assert client.get(thematique.url).status_code == 404


def test_new_partner_shows_in_header_and_footer(client, cold, home):
    from cms.models import Partenaire

    assert "Banque des Territoires" not in html(client, "/")
    Partenaire.objects.create(name="Banque des Territoires", url="https://www.banquedesterritoires.fr")
    assert html(client, "/").count("Banque des Territoires") >= 2


def test_fragments_off_renders_afresh(client, settings, make_thematique, make_projet):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique])
    html(client, thematique.url)
    with CaptureQueriesContext(connection) as queries:
        assert "Wake Up Café" in html(client, thematique.url)
    assert len(queries) > 0


def test_a_page_made_private_itself_asks_for_login_at_once(client, cold, make_thematique):
    from wagtail.models import PageViewRestriction

    thematique = make_thematique("Retour à l'emploi")
    assert client.get(thematique.url).status_code == 200
    restriction = PageViewRestriction.objects.create(page=thematique, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(thematique.url).status_code == 302
    restriction.delete()
    assert client.get(thematique.url).status_code == 200
