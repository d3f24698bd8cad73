"""What a publish keeps (cms.cache, the release): cards keyed by what they show and the chrome's
static fragments survive a publish; anything they show changes them at once; a deployment or a
change of the chrome (partners, site settings, sites) drops them too."""
import pytest


@pytest.fixture
def cold(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = True


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def rendered_cards(monkeypatch):
    """The titles of the cards rendered (not served from the cache) since the last clear()."""
    from cms.templatetags import site_tags

    titles = []
    original = site_tags._render_card

    def spy(obj, *args, **kwargs):
        titles.append(getattr(obj, "title", None))
        return original(obj, *args, **kwargs)

    monkeypatch.setattr(site_tags, "_render_card", spy)
    return titles


def test_a_publish_renders_again_only_the_card_of_the_page_it_changed(
        client, cold, rendered_cards, make_thematique, make_projet):
    thematique = make_thematique("Retour à l'emploi")
    changed = make_projet("Atelier vélo", thematiques=[thematique])
    make_projet("Wake Up Café", thematiques=[thematique])
    html(client, thematique.url)
    rendered_cards.clear()
    changed.title = "Atelier vélo solidaire"
    changed.save_revision().publish()
    page = html(client, thematique.url)
    assert "Atelier vélo solidaire" in page and "Wake Up Café" in page
    assert rendered_cards == ["Atelier vélo solidaire"]


def test_a_card_follows_its_page_url_when_a_parent_is_renamed(client, cold, make_thematique, make_projet,
                                                             ressource_index):
    thematique = make_thematique("Retour à l'emploi")
    projet = make_projet("Wake Up Café", thematiques=[thematique])
    assert f'href="/ressources/{projet.slug}/"' in html(client, thematique.url)
    ressource_index.slug = "bibliotheque"
    ressource_index.save_revision().publish()  # Wagtail rewrites the children's url_path, no revision of theirs
    page = html(client, thematique.url)
    assert f'href="/bibliotheque/{projet.slug}/"' in page and f'href="/ressources/{projet.slug}/"' not in page


def test_a_card_shows_a_new_image_description_after_any_publish(client, cold, make_thematique, make_projet):
    from tests.test_public_site import make_image

    image = make_image("Atelier")
    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique], listing_image=image)
    assert 'alt="Atelier"' in html(client, thematique.url)
    image.title = "Un atelier de réparation"
    image.save()  # an image edit alone invalidates nothing (as before); the next publish shows it
    thematique.save_revision().publish()
    assert 'alt="Un atelier de réparation"' in html(client, thematique.url)


def test_the_release_moves_with_partners_site_settings_sites_and_migrate_not_with_a_publish(db, make_thematique):
    from django.core.management import call_command
    from wagtail.models import Site

    from cms.cache import current_generation, current_release
    from cms.models import Partenaire, SiteSettings

    thematique = make_thematique("Retour à l'emploi")
    release, generation = current_release(), current_generation()
    thematique.save_revision().publish()
    assert current_generation() > generation and current_release() == release
    for change in (lambda: Partenaire.objects.create(name="ANCT", url="https://anct.gouv.fr"),
                   lambda: SiteSettings.load().save(),
                   lambda: Site.objects.get(is_default_site=True).save(),
                   lambda: call_command("migrate", verbosity=0)):
        before = current_release()
        change()
        assert current_release() > before


def test_a_new_footer_page_shows_on_the_next_request(client, cold, home):
    from home.models import StandardPage

    assert "Mentions légales" not in html(client, "/")
    page = home.add_child(instance=StandardPage(title="Mentions légales", slug="mentions", show_in_footer=True))
    page.save_revision().publish()
    assert "Mentions légales" in html(client, "/")


def test_shared_writes_of_a_request_go_in_one_batch(client, cold, monkeypatch, make_thematique, make_projet):
    from django.core.cache import caches

    thematique = make_thematique("Retour à l'emploi")
    make_projet("Wake Up Café", thematiques=[thematique])
    shared = caches["default"]
    calls, batching = [], []
    original_set, original_set_many = shared.set, shared.set_many

    def set_(*args, **kwargs):
        if not batching:
            calls.append(("set", args[0]))
        return original_set(*args, **kwargs)

    def set_many(values, *args, **kwargs):
        calls.append(("set_many", sorted(values)))
        batching.append(True)
        try:
            return original_set_many(values, *args, **kwargs)
        finally:
            batching.pop()

    monkeypatch.setattr(shared, "set", set_)
    monkeypatch.setattr(shared, "set_many", set_many)
    html(client, thematique.url)
    one_by_one = [key for name, key in calls if name == "set" and not key.startswith("wagtail_")]  # Wagtail's own
    assert one_by_one == [] and ("set_many" in {name for name, _keys in calls}), calls


@pytest.fixture
def page_queries():
    """The SQL of the queries run inside the block, as a list filled when it ends."""
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def capture():
        found = []
        with CaptureQueriesContext(connection) as queries:
            yield found
        found.extend(q["sql"] for q in queries.captured_queries)

    return capture


def _walk_queries(sqls):
    """Wagtail's own routing: a child looked up by its slug, one query per level."""
    return [sql for sql in sqls if '"wagtailcore_page"."slug" =' in sql]


def test_after_a_publish_a_page_is_routed_by_one_query_on_its_url_path(client, cold, page_queries, make_thematique):
    """The route kept in the site version goes with a publish; where the path led (the page's id and
    type) stays in the release, read back in one query that checks the page is still live there."""
    thematique = make_thematique("Retour à l'emploi")
    other = make_thematique("Santé")
    html(client, thematique.url)
    other.save_revision().publish()
    with page_queries() as sqls:
        page = html(client, thematique.url)
    assert "Retour à l&#x27;emploi" in page
    assert _walk_queries(sqls) == []
    assert len([sql for sql in sqls if '"wagtailcore_page"."url_path" =' in sql]) == 1


def test_a_page_moved_unpublished_or_replaced_is_routed_afresh_in_the_same_release(
        client, cold, page_queries, home, make_thematique):
    from thematiques.models import ThematiquePage

    thematique = make_thematique("Retour à l'emploi")
    old_url = thematique.url
    html(client, old_url)
    thematique.move(home, pos="last-child")  # a new url_path: the id kept for the old path no longer fits
    thematique.refresh_from_db()
    moved = client.get(old_url)  # not the page at its old address: Wagtail's redirect to the new one
    assert (moved.status_code, moved["Location"]) == (301, thematique.url)
    assert "Retour à l&#x27;emploi" in html(client, thematique.url)

    thematique.unpublish()
    assert client.get(thematique.url).status_code == 404

    parent = thematique.get_parent()
    thematique.delete()
    replacement = parent.add_child(instance=ThematiquePage(title="Emploi, la suite", slug=thematique.slug))
    replacement.save_revision().publish()
    with page_queries() as sqls:
        assert "Emploi, la suite" in html(client, replacement.url)
    assert _walk_queries(sqls)  # the kept id is gone: Wagtail's walk found the new page


def test_a_publish_keeps_the_library_s_territory_filters_a_collectivite_change_does_not(
        client, cold, page_queries, ressource_index, make_projet, make_thematique):
    from thematiques.models import Collectivite

    Collectivite.objects.create(code="34", code_insee="34", nom="Hérault", echelon="dep", region="76")
    thematique = make_thematique("Retour à l'emploi")
    projet = make_projet("Wake Up Café", thematiques=[thematique])
    assert "34 — Hérault" in html(client, ressource_index.url)

    projet.title = "Wake Up Café solidaire"
    projet.save_revision().publish()
    with page_queries() as sqls:
        page = html(client, ressource_index.url)
    assert "Wake Up Café solidaire" in page and "34 — Hérault" in page
    assert [sql for sql in sqls if '"thematiques_collectivite"."nom"' in sql] == []  # the choices' names

    herault = Collectivite.objects.get(code="34")
    herault.nom = "Hérault (34)"
    herault.save()  # moves the release: the choices are read again
    assert "34 — Hérault (34)" in html(client, ressource_index.url)


def test_after_a_publish_the_menu_and_the_footer_links_are_one_query(client, cold, page_queries, home,
                                                                      thematique_index, make_thematique):
    from home.models import StandardPage

    thematique_index.show_in_menus = True
    thematique_index.save_revision().publish()
    legal = home.add_child(instance=StandardPage(title="Mentions légales", slug="mentions-legales"))
    legal.save_revision().publish()
    thematique = make_thematique("Retour à l'emploi")
    html(client, thematique.url)
    thematique.save_revision().publish()
    with page_queries() as sqls:
        page = html(client, thematique.url)
    assert 'class="fr-footer__bottom-link" href="/mentions-legales/">Mentions légales' in page
    assert f'class="fr-nav__link" href="{thematique_index.url}" aria-current="true"' in page
    chrome = [sql for sql in sqls if '"show_in_menus"' in sql.partition(" WHERE ")[2]
              or '"show_in_footer"' in sql.partition(" WHERE ")[2]]
    assert len(chrome) == 1, chrome


def test_a_breadcrumb_takes_its_ancestor_from_the_menu_when_it_is_there(client, cold, page_queries,
                                                                        thematique_index, make_thematique):
    from bs4 import BeautifulSoup

    thematique = make_thematique("Retour à l'emploi")

    def crumbs_and_queries():
        thematique.save_revision().publish()  # the breadcrumbs are rebuilt
        with page_queries() as sqls:
            page = html(client, thematique.url)
        crumbs = [(li.get_text(strip=True), li.a.get("href")) for li in
                  BeautifulSoup(page, "html.parser").select(".fr-breadcrumb__list li")]
        return crumbs, [sql for sql in sqls if '"wagtailcore_page"."path" IN' in sql]  # the ancestors' query

    expected = [("Accueil", "/"), (thematique_index.title, thematique_index.url), ("Retour à l'emploi", None)]
    thematique_index.show_in_menus = False
    thematique_index.save_revision().publish()
    crumbs, ancestors_queries = crumbs_and_queries()
    assert crumbs == expected and len(ancestors_queries) == 1

    thematique_index.show_in_menus = True
    thematique_index.save_revision().publish()
    crumbs, ancestors_queries = crumbs_and_queries()
    assert crumbs == expected and ancestors_queries == []
