"""Anonymous page cache (cms/cache.py): hits cost no query, every published change shows at once,
nothing personal is ever stored, and queries per page do not grow with the amount of content."""
import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.contrib.frontend_cache.backends.base import BaseBackend

PURGED: list[str] = []


class RecordingBackend(BaseBackend):
    """A CDN backend that records the URLs Wagtail asks it to purge."""

    def purge(self, url):
        PURGED.append(url)


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    caches["default"].clear()
    yield
    caches["default"].clear()


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_second_anonymous_request_is_a_hit_without_any_query(client, page_cache, make_thematique):
    thematique = make_thematique("Retour à l'emploi")
    first = get(client, thematique.url)
    assert first["X-Cache"] == "MISS"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(thematique.url)
    assert second.status_code == 200
    assert second["X-Cache"] == "HIT"
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert second.content == first.content
    assert "Content-Security-Policy" in second  # headers of outer middleware are still added on a hit


def test_a_hit_is_one_round_trip_to_the_shared_cache(client, page_cache, monkeypatch, make_thematique):
    """A hit reads the site version from the shared cache, one small round trip, and the page from
    this process's own copy: no page moves through Redis."""
    from cms.cache import GENERATION_KEY

    thematique = make_thematique("Retour à l'emploi")
    first = get(client, thematique.url)
    shared = caches["default"]
    reads, depth = [], [0]

    def recording(name, original):
        def read(*args, **kwargs):  # the calls the middleware makes, not the backend's own inner ones
            if not depth[0]:
                reads.append((name, args[0]))
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1
        return read

    for name in ("get", "get_many", "has_key"):
        monkeypatch.setattr(shared, name, recording(name, getattr(shared, name)))
    second = get(client, thematique.url)
    assert second["X-Cache"] == "HIT" and second.content == first.content
    assert reads == [("get", GENERATION_KEY)]


def test_a_page_rendered_by_another_process_is_served_from_the_shared_cache(client, page_cache, make_thematique):
    """Another app server (this process's copy gone) serves the shared copy, and keeps its own."""
    thematique = make_thematique("Retour à l'emploi")
    first = get(client, thematique.url)
    caches["pages-local"].clear()
    second = get(client, thematique.url)
    assert second["X-Cache"] == "HIT" and second.content == first.content
    caches["default"].clear()  # the shared cache flushed: a new site version, this process's copy unused
    assert get(client, thematique.url)["X-Cache"] == "MISS"


def test_published_change_shows_immediately(client, page_cache, make_thematique):
    thematique = make_thematique("Retour à l'emploi")
    assert "Retour à l&#x27;emploi" in get(client, thematique.url).content.decode()
    assert get(client, thematique.url)["X-Cache"] == "HIT"

    thematique.title = "Retour durable à l'emploi"
    thematique.save_revision().publish()

    response = get(client, thematique.url)
    assert response["X-Cache"] == "MISS"
    assert "Retour durable à l&#x27;emploi" in response.content.decode()


def test_a_draft_never_reaches_the_cached_page(client, page_cache, make_thematique):
    thematique = make_thematique("Petite enfance")
    get(client, thematique.url)
    thematique.title = "Brouillon secret"
    thematique.save_revision()  # saved, not published
    assert "Brouillon secret" not in get(client, thematique.url).content.decode()


def test_resource_published_on_a_thematique_shows_on_the_cached_thematique_and_home(
        client, page_cache, home, make_thematique, make_projet):
    thematique = make_thematique("Droit à la mobilité")
    get(client, thematique.url)
    get(client, home.url)
    make_projet("Covoiturage solidaire", thematiques=[thematique])
    assert "Covoiturage solidaire" in get(client, thematique.url).content.decode()
    assert "Covoiturage solidaire" in get(client, home.url).content.decode()


def test_unpublish_move_and_delete_invalidate(client, page_cache, home, make_thematique, ressource_index, make_projet):
    thematique = make_thematique("Culture")
    projet = make_projet("Fête de quartier", thematiques=[thematique])
    url = projet.url
    get(client, url)
    get(client, thematique.url)

    projet.unpublish()
    assert client.get(url).status_code == 404
    assert "Fête de quartier" not in get(client, thematique.url).content.decode()

    projet.save_revision().publish()
    get(client, url)
    from ressources.models import ProjetPage

    other = ProjetPage(title="Voisin", chapo="c")
    ressource_index.add_child(instance=other)
    get(client, other.url)
    other.move(home, pos="last-child")
    other.refresh_from_db()
    old = client.get(f"/ressources/{other.slug}/")
    assert old.status_code == 301 and old["Location"] == other.url  # Wagtail's automatic redirect, not the cached page
    assert get(client, other.url)["X-Cache"] == "MISS"

    get(client, url)
    projet.delete()
    assert client.get(url).status_code == 404


def test_logged_in_users_are_never_served_nor_stored(client, page_cache, editor, make_thematique):
    thematique = make_thematique("Jeunesse")
    client.force_login(editor)
    response = get(client, thematique.url)
    assert "X-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert get(client, thematique.url).get("X-Cache") is None

    client.logout()
    client.cookies.clear()
    assert get(client, thematique.url)["X-Cache"] == "MISS"  # the editor's response was not stored


def test_a_page_with_a_form_is_never_stored_and_each_visitor_gets_a_csrf_cookie(client, page_cache, home):
    """A password-protected page shows a form with a CSRF token: it sets a cookie, so it is never cached."""
    from wagtail.models import PageViewRestriction

    from home.models import StandardPage

    page = home.add_child(instance=StandardPage(title="Espace partenaires", slug="partenaires"))
    PageViewRestriction.objects.create(page=page, restriction_type="password", password="secret")
    for _ in range(2):
        response = client.get(page.url)
        assert response.status_code == 200
        assert "csrfmiddlewaretoken" in response.content.decode()
        assert "csrftoken" in response.cookies
        assert response.get("X-Cache") != "HIT"
        client.cookies.clear()


def test_a_visitor_with_pending_messages_bypasses_the_cache(client, page_cache, make_thematique):
    thematique = make_thematique("Santé")
    get(client, thematique.url)
    client.cookies["messages"] = "anything"
    assert client.get(thematique.url).get("X-Cache") is None


def test_admin_and_previews_are_never_cached(client, page_cache, editor, make_thematique):
    thematique = make_thematique("Logement")
    thematique.title = "Version de travail"
    thematique.save_revision()
    client.force_login(editor)
    draft = client.get(reverse("wagtailadmin_pages:view_draft", args=[thematique.pk]))
    assert draft.status_code == 200
    assert "Version de travail" in draft.content.decode()
    assert "X-Cache" not in draft
    client.logout()
    client.cookies.clear()
    anonymous = client.get(reverse("wagtailadmin_pages:view_draft", args=[thematique.pk]))
    assert anonymous.status_code == 302  # to the login page, never the draft
    assert "Version de travail" not in get(client, thematique.url).content.decode()


def test_site_settings_change_invalidates(client, page_cache, home):
    from cms.models import SiteSettings

    get(client, home.url)
    settings_obj = SiteSettings.load()
    settings_obj.licence_text = "Licence ouverte Etalab 2.0"
    settings_obj.save()
    assert get(client, home.url)["X-Cache"] == "MISS"


def test_vote_ballot_change_invalidates(client, page_cache, home, make_thematique):
    from cms.cache import current_generation
    from thematiques.models import Collectivite
    from thematiques.vote.models import Ballot, Campaign, CampaignThematique

    thematique = make_thematique("Mobilité")
    campaign = Campaign.objects.create(title="Vote 2026", closes_at=timezone.now() + dt.timedelta(days=10),
                                       status=Campaign.Status.OUVERT)
    choice = CampaignThematique.objects.create(campaign=campaign, thematique=thematique)
    commune = Collectivite.objects.create(code="34172", nom="Montpellier", echelon="com")
    get(client, home.url)
    before = current_generation()
    ballot = Ballot.objects.create(campaign=campaign, collectivite=commune, email="elu@montpellier.fr")
    after_create = current_generation()
    assert after_create > before
    ballot.choices.add(choice)
    assert current_generation() > after_create
    ballot.status = Ballot.Status.CONFIRME
    generation = current_generation()
    ballot.save()
    assert current_generation() > generation
    assert get(client, home.url)["X-Cache"] == "MISS"


def test_invalidate_site_cache_is_callable_by_features(client, page_cache, make_thematique):
    from cms.cache import invalidate_site_cache

    thematique = make_thematique("Alimentation")
    get(client, thematique.url)
    invalidate_site_cache()
    assert get(client, thematique.url)["X-Cache"] == "MISS"


def test_cache_off_serves_fresh_pages(client, settings, make_thematique):
    settings.PAGE_CACHE_ENABLED = False
    thematique = make_thematique("Emploi")
    assert get(client, thematique.url).get("X-Cache") is None
    assert get(client, thematique.url).get("X-Cache") is None


def test_cdn_is_purged_on_publish_and_told_how_long_to_keep_pages(client, page_cache, settings, make_thematique,
                                                                  django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = {"cdn": {"BACKEND": "tests.test_cache.RecordingBackend"}}
    settings.PAGE_CACHE_CDN_SECONDS = 300
    thematique = make_thematique("Participation")
    PURGED.clear()
    thematique.title = "Participation citoyenne"
    with django_capture_on_commit_callbacks(execute=True):  # the CDN is purged once the publish is committed
        thematique.save_revision().publish()
    assert any(url.endswith(thematique.url) for url in PURGED), PURGED
    response = get(client, thematique.url)
    assert "s-maxage=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


def _served_from_cache(client, urls) -> set[str]:
    return {url for url in urls if client.get(url).get("X-Cache") == "HIT"}


def test_the_cdn_purge_covers_every_page_the_redis_drop_invalidates(
        client, page_cache, settings, home, make_thematique, make_projet, ressource_index,
        django_capture_on_commit_callbacks):
    """On publish, Redis drops the whole site: the CDN is purged of the same pages, in one batch."""
    from wagtail.models import Page

    settings.WAGTAILFRONTENDCACHE = {"cdn": {"BACKEND": "tests.test_cache.RecordingBackend"}}
    settings.PAGE_CACHE_CDN_SECONDS = 300
    thematique = make_thematique("Participation")
    projet = make_projet("Budget participatif", thematiques=[thematique])
    urls = [p.url for p in Page.objects.live().filter(depth__gt=1).specific()]
    for url in urls:
        get(client, url)
    assert _served_from_cache(client, urls) == set(urls)
    PURGED.clear()
    projet.title = "Budget participatif des jeunes"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        projet.save_revision().publish()
    assert callbacks, "the purge waits for the commit"
    dropped = set(urls) - _served_from_cache(client, urls)
    assert dropped == set(urls)  # the home and the thématique list the projet: every page goes
    purged_paths = {url.removeprefix("http://localhost").removeprefix("http://testserver") for url in PURGED}
    assert dropped <= purged_paths, dropped - purged_paths
    assert len(PURGED) == len(set(PURGED))  # one purge per URL, not one per signal


def test_an_unpublished_page_is_purged_from_the_cdn_with_the_site(
        client, page_cache, settings, make_thematique, make_projet, django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = {"cdn": {"BACKEND": "tests.test_cache.RecordingBackend"}}
    thematique = make_thematique("Culture")
    projet = make_projet("Fête de quartier", thematiques=[thematique])
    PURGED.clear()
    with django_capture_on_commit_callbacks(execute=True):
        projet.unpublish()
    assert any(url.endswith(projet.url) for url in PURGED), PURGED  # no longer live, still in the CDN
    assert any(url.endswith(thematique.url) for url in PURGED), PURGED


def test_no_cdn_configured_means_no_purge_work(client, page_cache, settings, make_thematique,
                                              django_capture_on_commit_callbacks):
    settings.WAGTAILFRONTENDCACHE = None
    thematique = make_thematique("Culture")
    PURGED.clear()
    with django_capture_on_commit_callbacks(execute=True):
        thematique.save_revision().publish()
    assert PURGED == []
    assert get(client, thematique.url)["X-Cache"] == "MISS"


def test_cache_control_tells_the_cdn_to_keep_anonymous_pages_and_never_personal_ones(
        client, settings, page_cache, editor, home, make_thematique):
    from wagtail.models import PageViewRestriction

    from home.models import StandardPage

    settings.PAGE_CACHE_CDN_SECONDS = 300
    thematique = make_thematique("Jeunesse")
    for page_cache_on in (True, False):  # the CDN header does not depend on the Redis page cache
        settings.PAGE_CACHE_ENABLED = page_cache_on
        response = get(client, thematique.url)
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert directives == {"public", "max-age=0", "s-maxage=300"}, response["Cache-Control"]
    settings.PAGE_CACHE_ENABLED = True
    assert get(client, thematique.url)["Cache-Control"] == response["Cache-Control"]  # a hit too

    protected = home.add_child(instance=StandardPage(title="Espace partenaires", slug="partenaires"))
    PageViewRestriction.objects.create(page=protected, restriction_type="password", password="secret")
    form = client.get(protected.url)  # sets the CSRF cookie: never public
    assert "public" not in form.get("Cache-Control", "")
    client.cookies.clear()
    assert "public" not in client.get("/admin/login/").get("Cache-Control", "")

    client.force_login(editor)
    logged_in = get(client, thematique.url)
    assert "private" in logged_in["Cache-Control"] and "public" not in logged_in["Cache-Control"]

    client.logout()
    client.cookies.clear()
    settings.PAGE_CACHE_CDN_SECONDS = 0  # no CDN: nothing said to shared caches
    invalidate = __import__("cms.cache", fromlist=["invalidate_site_cache"]).invalidate_site_cache
    invalidate()
    assert "s-maxage" not in get(client, thematique.url).get("Cache-Control", "")


def test_pages_and_sessions_are_stored_in_real_redis(client, settings, make_thematique, editor):
    """With REDIS_URL, the page cache and the sessions live in Redis (django-redis)."""
    import redis

    from cms.settings.environment import caches_from_env

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis n'écoute pas sur 127.0.0.1:6379")
    settings.CACHES = caches_from_env({"REDIS_URL": url, "CACHE_KEY_PREFIX": "test-h-prod"})
    settings.PAGE_CACHE_ENABLED = True
    try:
        caches["default"].clear()
        thematique = make_thematique("Numérique")
        assert get(client, thematique.url)["X-Cache"] == "MISS"
        keys = redis.Redis.from_url(url).keys("test-h-prod:*pagecache*")
        assert keys, "the page must be stored in Redis"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(thematique.url)["X-Cache"] == "HIT"
        assert len(queries) == 0
        thematique.title = "Numérique inclusif"
        thematique.save_revision().publish()
        assert "Numérique inclusif" in get(client, thematique.url).content.decode()
        # Sessions: read from Redis, written through to the database (a Redis restart logs nobody out).
        client.force_login(editor)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert redis.Redis.from_url(url).keys(f"test-h-prod-sessions:*{session_key}*")
        assert client.get("/admin/").status_code == 200
    finally:
        caches["default"].clear()
        caches["default"].close()
        caches["sessions"].close()


# --- queries per page do not grow with content ------------------------------------------------------

def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def _add_content(n, thematique, make_projet, make_evenement, suffix):
    from ressources.models import EvenementPage

    projets = [make_projet(f"Projet {suffix} {i}", thematiques=[thematique]) for i in range(n)]
    for i in range(n):
        event = make_evenement(f"Rencontre {suffix} {i}", days=5 + i)
        event.thematiques.set([thematique])
        event.save_revision().publish()
    assert EvenementPage.objects.live().count() >= n
    return projets


def test_queries_per_page_do_not_grow_with_content(client, settings, home, make_thematique, make_projet,
                                                   make_evenement, ressource_index, agenda_index,
                                                   thematique_index):
    """Every public page type costs the same number of queries with 2 or 12 items of each kind."""
    settings.PAGE_CACHE_ENABLED = False
    thematique = make_thematique("Retour à l'emploi")
    projets = _add_content(2, thematique, make_projet, make_evenement, "a")
    event = agenda_index.get_children().live().first().specific
    urls = {
        "accueil": home.url,
        "thématiques": thematique_index.url,
        "thématique": thematique.url,
        "bibliothèque": ressource_index.url,
        "bibliothèque filtrée": f"{ressource_index.url}?thematique={thematique.slug}",
        "ressource": projets[0].url,
        "agenda": agenda_index.url,
        "événement": event.url,
        "recherche": "/recherche/?q=projet",
        "api": "/api/v2/pages/?type=ressources.ProjetPage&fields=chapo,thematiques,territoire,tags",
    }
    for url in urls.values():  # warm Wagtail's own per-process caches (site root paths, content types)
        client.get(url)
    small = {name: _count_queries(client, url) for name, url in urls.items()}
    _add_content(10, thematique, make_projet, make_evenement, "b")
    for url in urls.values():
        client.get(url)
    large = {name: _count_queries(client, url) for name, url in urls.items()}
    assert large == small, {name: (small[name], large[name]) for name in urls if small[name] != large[name]}


def test_each_process_keeps_at_most_page_local_cache_entries_pages(settings, client, page_cache, make_thematique):
    """``PAGE_LOCAL_CACHE_ENTRIES`` bounds this process's copies of whole pages (least recently used
    culled); a page culled here is still served from the shared cache."""
    from cms.settings.environment import caches_from_env

    built = caches_from_env({"PAGE_LOCAL_CACHE_ENTRIES": "2"})
    assert built["pages"]["BACKEND"] == "cms.cache_backends.LocalThenShared"
    assert built["pages"]["OPTIONS"] == {"LOCAL": "pages-local", "SHARED": "default"}
    assert built["pages-local"]["OPTIONS"]["MAX_ENTRIES"] == 2
    assert caches_from_env({})["pages-local"]["OPTIONS"]["MAX_ENTRIES"] == 200

    settings.CACHES = {**settings.CACHES, "pages-local": {**built["pages-local"], "LOCATION": "test-pages-2"}}
    pages = [make_thematique(f"Thématique {i}") for i in range(5)]
    first = {page.url: get(client, page.url).content for page in pages}
    local = caches["pages-local"]
    assert 0 < len(local._cache) <= 2 + 1  # LocMemCache culls past MAX_ENTRIES
    for page in pages:
        again = get(client, page.url)
        assert again["X-Cache"] == "HIT" and again.content == first[page.url]
