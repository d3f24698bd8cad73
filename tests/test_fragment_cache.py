"""Cached fragments of cold pages (Wagtail's {% wagtailcache %} / {% wagtailpagecache %}, cms.cache values).

With the whole-page cache off, a repeated thématique page runs only Wagtail's own routing queries, a
constant (its template still renders, every fragment and card comes from the cache), and every change
a visitor could see (a new resource, a renamed page, a page made private, a new partner) shows on the
very next request.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.fixture
def cold(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True


def routing_queries(page) -> int:
    """What serving a page runs outside any fragment once it has been served in this site version:
    nothing. The site (``cms.cache.CachedSiteMiddleware``), the routed page (``HomePage.route``) and
    its view restrictions (``BasePage.get_view_restrictions``) are kept in the site version
    (docs/decisions.md, « Cold pages without Wagtail's per-request lookups »), whatever the depth."""
    return 0


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
    # Menu, footer, listings and cards come from the cache; Wagtail routes the page itself.
    assert len(queries) == routing_queries(thematique), [q["sql"] for q in queries]


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
    assert len(queries) > routing_queries(thematique)


def test_a_page_made_private_itself_asks_for_login_at_once(client, cold, make_thematique):
    from wagtail.models import PageViewRestriction

    thematique = make_thematique("Retour à l'emploi")
    assert client.get(thematique.url).status_code == 200
    restriction = PageViewRestriction.objects.create(page=thematique, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(thematique.url).status_code == 302
    restriction.delete()
    assert client.get(thematique.url).status_code == 200


def test_a_cold_page_reads_the_shared_cache_once(client, cold, monkeypatch, make_thematique, make_projet):
    """Fragments come from this process once known: the only shared-cache read is the site generation."""
    from django.core.cache import caches

    from cms.cache import GENERATION_KEY

    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique])
    first = html(client, thematique.url)
    shared = caches["default"]
    reads = []
    for name in ("get", "get_many", "has_key"):
        original = getattr(shared, name)
        monkeypatch.setattr(shared, name, lambda *a, _original=original, _name=name, **kw: (
            reads.append((_name, a[0])), _original(*a, **kw))[1])
    assert html(client, thematique.url) == first
    assert reads == [("get", GENERATION_KEY)]


def test_fragments_kept_in_the_process_serve_a_page_the_shared_cache_lost(client, cold, make_thematique, make_projet):
    from django.core.cache import caches

    from cms.cache import GENERATION_KEY

    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique])
    first = html(client, thematique.url)
    shared = caches["default"]
    generation = shared.get(GENERATION_KEY)
    shared.clear()  # Redis evicted every fragment, the generation is the same (set again)
    shared.set(GENERATION_KEY, generation, None)
    with CaptureQueriesContext(connection) as queries:
        assert html(client, thematique.url) == first
    assert len(queries) == routing_queries(thematique), [q["sql"] for q in queries]


def test_a_change_made_by_another_app_server_shows_once_it_moves_the_shared_generation(client, cold, make_thematique):
    """No message between processes: the generation every request reads is what makes them agree."""
    from django.core.cache import caches
    from wagtail.models import Page

    from cms.cache import GENERATION_KEY

    thematique = make_thematique("Retour à l'emploi")
    assert "<h1>Retour à l&#x27;emploi</h1>" in html(client, thematique.url)
    # Another server saves the page: its row changes, no signal reaches this process...
    Page.objects.filter(pk=thematique.pk).update(title="Emploi durable", draft_title="Emploi durable")
    assert "<h1>Retour à l&#x27;emploi</h1>" in html(client, thematique.url)  # ...which keeps its fragments
    # ...until that server's invalidate_site_cache() moves the shared generation.
    caches["default"].incr(GENERATION_KEY)
    page = html(client, thematique.url)
    assert "<h1>Emploi durable</h1>" in page and "<h1>Retour à l" not in page


def test_local_fragments_keep_one_generation_a_bounded_number_and_private_copies(settings):
    """The local level is Django's LocMemCache (culled past MAX_ENTRIES) in front of the shared cache."""
    from django.core.cache import caches

    from cms.cache_backends import LocalThenShared

    settings.CACHES = {**settings.CACHES, "tiny-local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tiny",
        "OPTIONS": {"MAX_ENTRIES": 2, "CULL_FREQUENCY": 2}}}
    local = caches["tiny-local"]
    local.clear()
    shared = caches["default"]
    two_level = LocalThenShared(None, {"OPTIONS": {"LOCAL": "tiny-local", "SHARED": "default"}, "TIMEOUT": 60})
    two_level.set("a", "A", 60, version=5)
    two_level.set("b", ["B"], 60, version=5)
    copy = two_level.get("b", version=5)
    copy.append("changé par une requête")
    assert two_level.get("b", version=5) == ["B"]  # every reader gets its own copy, as from Redis
    two_level.get("a", version=5)  # a is now the most recently used
    two_level.set("c", "C", 60, version=5)
    assert local.get("b", version=5) is None  # least recently used, dropped past 2 entries
    assert local.get("a", version=5) == "A" and local.get("c", version=5) == "C"
    shared.delete("a", version=5)
    assert two_level.get("a", version=5) == "A"  # the local copy serves what the shared cache lost
    assert two_level.get("b", version=5) == ["B"]  # still in the shared cache, copied back
    # A request that began before the site changed writes under the old version: never read again.
    two_level.set("old", "from a request that began before the change", 60, version=4)
    assert two_level.get("old", version=6) is None and two_level.get("a", version=6) is None
    two_level.set("e", "E", -1, version=6)  # past its lifetime
    assert two_level.get("e", version=6) is None


def test_a_flushed_cache_starts_a_generation_no_earlier_one_reached(db):
    """After a flush, entries kept in a process under an old generation can never be served again."""
    from django.core.cache import caches

    from cms.cache import current_generation, invalidate_site_cache

    before = current_generation()
    for _ in range(50):
        invalidate_site_cache()
    reached = current_generation()
    caches["default"].clear()
    assert current_generation() > reached > before


def test_migrate_drops_the_fragments_of_the_previous_release(db):
    from django.core.management import call_command

    from cms.cache import current_generation

    before = current_generation()
    call_command("migrate", verbosity=0)
    assert current_generation() > before


def test_a_resource_page_is_kept_whole_and_shows_its_next_revision(client, cold, make_thematique, make_projet):
    thematique = make_thematique("Retour à l'emploi")
    projet = make_projet("Wake Up Café", thematiques=[thematique], project_lead="Association Wake Up")
    first = html(client, projet.url)
    assert "Association Wake Up" in first and "Retour à l" in first
    with CaptureQueriesContext(connection) as queries:
        assert html(client, projet.url) == first
    assert len(queries) == routing_queries(projet), [q["sql"] for q in queries]
    projet.project_lead = "Wake Up Café et la mairie"
    projet.save_revision().publish()
    page = html(client, projet.url)
    assert "Wake Up Café et la mairie" in page and "Association Wake Up" not in page


def test_absolute_urls_of_kept_meta_tags_follow_the_request_scheme(client, cold, make_thematique):
    from bs4 import BeautifulSoup

    from tests.test_public_site import make_image

    thematique = make_thematique("Retour à l'emploi", listing_image=make_image("Atelier"),
                                 listing_image_alt="Un atelier")

    def og_image(**extra):
        response = client.get(thematique.url, **extra)
        return BeautifulSoup(response.content, "html.parser").find("meta", property="og:image")["content"]

    assert og_image().startswith("http://testserver/")
    assert og_image(secure=True).startswith("https://testserver/")


def test_no_local_copy_when_turned_off(client, cold, settings, make_thematique, make_projet):
    """FRAGMENT_LOCAL_CACHE_ENTRIES = 0: Redis only; a fragment Redis lost is rendered again."""
    from django.core.cache import caches

    from cms.cache import GENERATION_KEY

    settings.FRAGMENT_LOCAL_CACHE_ENTRIES = 0
    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique])
    first = html(client, thematique.url)
    shared = caches["default"]
    generation = shared.get(GENERATION_KEY)
    shared.clear()
    shared.set(GENERATION_KEY, generation, None)
    with CaptureQueriesContext(connection) as queries:
        assert html(client, thematique.url) == first
    assert len(queries) > routing_queries(thematique)


def test_a_renamed_slug_routes_at_once_and_the_old_address_is_gone(client, cold, make_thematique):
    """The routed page is kept per path in the site version: a publish that changes the path drops it."""
    thematique = make_thematique("Retour à l'emploi")
    old_url = thematique.url
    html(client, old_url)
    thematique.slug = "emploi"
    thematique.save_revision().publish()
    thematique.refresh_from_db()
    assert thematique.url != old_url
    assert client.get(old_url).status_code == 404
    assert "Retour à l&#x27;emploi" in html(client, thematique.url)


def test_a_page_under_an_alias_of_a_private_page_asks_for_login_too(client, cold, home, make_thematique):
    """Wagtail applies a restriction to the aliases of the restricted page: so do the kept restrictions."""
    from wagtail.models import PageViewRestriction

    thematique = make_thematique("Retour à l'emploi")
    alias = thematique.create_alias(parent=home, update_slug="alias-emploi")
    assert client.get(alias.url).status_code == 200
    PageViewRestriction.objects.create(page=thematique, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(thematique.url).status_code == 302
    assert client.get(alias.url).status_code == 302


def test_a_new_site_for_a_host_is_used_on_the_next_request(client, cold, home, make_thematique):
    """The request's site is kept in the site version: saving a site moves it."""
    from wagtail.models import Site

    thematique = make_thematique("Retour à l'emploi")
    assert "<h1" in html(client, "/")  # the default site, kept for this host
    client.get("/", HTTP_HOST="autre.example")
    Site.objects.create(hostname="autre.example", port=80, root_page=thematique, site_name="Autre")
    other = client.get("/", HTTP_HOST="autre.example")
    assert other.status_code == 200
    assert other.context["page"].pk == thematique.pk
    assert client.get("/").context["page"].pk == home.pk


def test_each_page_s_footer_form_says_where_the_subscriber_came_from(client, cold, home, make_thematique):
    """The footer's subscribe form is kept per page and path: its source field is that page's path."""
    thematique = make_thematique("Retour à l'emploi")
    for _ in range(2):
        assert f'name="source" value="{thematique.url}"' in html(client, thematique.url)
        assert 'name="source" value="/"' in html(client, "/")


def test_a_page_added_live_without_a_publish_is_routed_at_once(client, cold, home):
    """A page created live in code (no revision published) still changes its parent's children: the
    kept root page and routes must not keep the old ``numchild`` (treebeard lists no child of a leaf)."""
    from home.models import StandardPage

    assert client.get("/").status_code == 200  # the home kept, with no child yet
    child = home.add_child(instance=StandardPage(title="Mentions légales", slug="mentions-legales"))
    assert client.get(child.url).status_code == 200
    grandchild = child.add_child(instance=StandardPage(title="Cookies", slug="cookies"))
    assert client.get(grandchild.url).status_code == 200


def test_a_thematique_links_each_kind_to_the_library_with_its_total(client, cold, ressource_index, make_thematique,
                                                                    make_projet):
    """Six cards per kind, and past six the kind's total (live, public resources only) and its library link."""
    from wagtail.models import PageViewRestriction

    thematique = make_thematique("Retour à l'emploi")
    for i in range(8):
        make_projet(f"Projet {i}", thematiques=[thematique])
    make_projet("Projet retiré", thematiques=[thematique]).unpublish()
    private = make_projet("Projet privé", thematiques=[thematique])
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    page = html(client, thematique.url)
    assert page.count('class="fr-card__title"') >= 6 and "Projet 1" not in page  # the 6 latest: 7 to 2
    assert "Voir les 8 ressources" in page
    assert f'href="{ressource_index.url}?thematique={thematique.slug}&amp;type=projet"' in page


def test_the_library_s_form_and_its_reset_link_lead_back_to_the_library(client, cold, ressource_index, make_projet):
    make_projet("Wake Up Café")
    page = html(client, f"{ressource_index.url}?type=projet&annee=2021")
    assert f'<form method="get" action="{ressource_index.url}" class="tec-filters"' in page
    assert f'<a class="fr-btn fr-btn--secondary" href="{ressource_index.url}">Effacer les filtres</a>' in page
