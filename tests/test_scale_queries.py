"""Queries per page do not grow from a small site to a middle-size one (issue 16).

A small site (12 generated resources, 2 events, 1 edition) is built, measured and rolled back; then
the middle-size one (300 resources, 60 events, 3 editions, the generator of ``manage.py load_scale``)
is built once for the module. Each URL must take no more SQL queries at the middle size than at the
small one, but one per resource kind shown beyond the small page's (``.specific()`` reads each kind's
table once: at most five, whatever the volume). The library itself is covered by
``tests/test_library_facets.py``; here: a thématique, the agenda and its .ics, the API lists, the
sitemap, and Wagtail's page chooser (browse and search), whose rows each cost three queries before
``cms/page_chooser.py``.
"""
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import shared_data
from tests.test_library_facets import _build_site, _codes_sample

SMALL = dict(resources=12, events=2, editions=1, ballots=0, seed=7)
MIDDLE = dict(resources=300, events=60, editions=3, ballots=0, seed=7)

PUBLIC_URLS = [
    "{thematique}",
    "/agenda/",
    "/agenda.ics",
    "/api/v2/pages/?type=ressources.ProjetPage&fields=chapo,territoire,tags,thematiques",
    "/api/v2/pages/?type=ressources.EvenementPage&fields=start,end,location,thematiques",
    "/api/v2/pages/?type=newsletter.NewsletterPage",
    "/sitemap.xml",
    "/sitemap-pages.xml",
]
CHOOSER_URLS = [
    "/admin/choose-page/?page_type=ressources.ressourcepage",
    "/admin/choose-page/{library}/?page_type=ressources.ressourcepage",
    "/admin/choose-page/{library}/?page_type=ressources.ressourcepage&multiple=1",
    "/admin/choose-page/search/?page_type=ressources.ressourcepage&q={word}",
]
ROW = re.compile(r'<tr[^>]*>')


def _admin_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.filter(username="echelle-admin").first() or \
        get_user_model().objects.create_superuser("echelle-admin", "admin@example.org", "x" * 20)
    client = Client()
    client.force_login(user)
    return client


def _urls(word):
    from ressources.models import RessourceIndexPage
    from thematiques.models import ThematiquePage

    values = {"thematique": ThematiquePage.objects.order_by("path").first().url,
              "library": RessourceIndexPage.objects.get().pk, "word": word}
    return [(url, url.format(**values)) for url in PUBLIC_URLS + CHOOSER_URLS]


def _kinds(response) -> int:
    """The resource kinds a response shows (each costs one ``.specific()`` query at most)."""
    from ressources.models import RessourcePage

    text = response.content.decode()
    return sum(1 for _k, label, _m in RessourcePage.kinds() if str(label) in text) if response.status_code == 200 else 0


def _measure(word) -> dict:
    from django.test import Client

    public, admin = Client(), _admin_client()
    out = {}
    for key, url in _urls(word):
        client = admin if url.startswith("/admin/") else public
        client.get(url)  # per-process caches (site root paths, content types) warmed first
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        count = len(queries)
        assert response.status_code == 200, url
        out[key] = {"queries": count, "kinds": _kinds(response), "rows": len(ROW.findall(response.content.decode()))}
    return out


def _search_word(titles) -> str:
    """The word of the generator's actions that most small-site titles hold (a search that finds some
    rows at both sizes: item i is the same resource at any count)."""
    from home.scale import ACTIONS

    words = [a.split()[0] for a in ACTIONS if len(a.split()[0]) > 3]
    return max(sorted(words), key=lambda w: sum(w.lower() in t.lower() for t in titles))


@pytest.fixture(scope="module")
def small(django_db_setup, django_db_blocker):
    from django.core.cache import caches
    from django.db import transaction
    from django.test import override_settings

    from home import scale
    from ressources.models import RessourcePage

    with django_db_blocker.unblock():
        with transaction.atomic():
            _build_site(_codes_sample())
            scale.load(**SMALL)
            word = _search_word(RessourcePage.objects.values_list("title", flat=True))
            with override_settings(PAGE_CACHE_ENABLED=False, FRAGMENT_CACHE_ENABLED=False):
                counts = _measure(word)
            transaction.set_rollback(True)
    for cache in caches.all():
        cache.clear()
    return word, counts


@pytest.fixture(scope="module")
def middle(small, django_db_setup, django_db_blocker):
    def build():
        from home import scale

        _build_site(_codes_sample())
        scale.load(**MIDDLE)
        return small

    yield from shared_data(django_db_blocker, build)


@pytest.fixture
def site_counts(middle, db, settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    word, small_counts = middle
    return word, small_counts, _measure(word)


@pytest.mark.parametrize("url", PUBLIC_URLS + CHOOSER_URLS)
def test_queries_do_not_grow_from_a_small_site_to_a_middle_one(site_counts, url):
    _word, small, middle = site_counts
    before, after = small[url], middle[url]
    allowed = before["queries"] + max(0, after["kinds"] - before["kinds"])
    assert after["queries"] <= allowed, (
        f"{url} : {before['queries']} requêtes pour le petit site, {after['queries']} pour 300 ressources")


def test_the_chooser_lists_more_rows_in_the_same_queries(site_counts):
    """The chooser's N+1 would show here: more rows at the middle size (a page of 25), same queries."""
    _word, small, middle = site_counts
    for url in CHOOSER_URLS[1:]:
        assert middle[url]["rows"] > small[url]["rows"] + 5, url
    search = CHOOSER_URLS[-1]
    assert small[search]["rows"] > 1  # the small site's search finds something: its rows were counted


def test_the_chooser_shows_parent_and_status_of_each_row(middle, db):
    """What the bulk reads feed: each row's parent (search) and its status, as Wagtail shows them."""
    from ressources.models import RessourceIndexPage

    word, _small = middle
    client = _admin_client()
    response = client.get(f"/admin/choose-page/search/?page_type=ressources.ressourcepage&q={word}")
    html = response.content.decode()
    library = RessourceIndexPage.objects.get()
    assert html.count(f'data-parent-id="{library.pk}"') >= 10
    assert f'/admin/choose-page/{library.pk}/' in html  # the « Parent » column links the library
    assert "live" in html or "publié" in html.lower()
    browse = json.loads(client.get(f"/admin/choose-page/{library.pk}/?page_type=ressources.ressourcepage").content)["html"]
    assert browse.count(f'data-parent-id="{library.pk}"') == 25  # a full page, each with its parent


def test_agenda_ics_is_bounded(middle, db, client, monkeypatch):
    """The next events within a year, soonest first, at most AGENDA_ICS_MAX_EVENTS (here lowered to 3)."""
    import datetime as dt

    from django.utils import timezone

    from ressources import ics
    from ressources.models import EvenementPage

    now = timezone.now()
    upcoming = list(EvenementPage.objects.live().filter(end__gte=now, start__lt=now + dt.timedelta(days=366))
                    .order_by("start"))
    body = client.get("/agenda.ics").content.decode()
    assert body.count("BEGIN:VEVENT") == min(len(upcoming), ics.AGENDA_ICS_MAX_EVENTS) > 0
    later = EvenementPage.objects.live().filter(start__gte=now + dt.timedelta(days=400)).first()
    assert later is not None and f"evenement-{later.pk}@" not in body  # beyond the year: not in the feed
    monkeypatch.setattr(ics, "AGENDA_ICS_MAX_EVENTS", 3)
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    body = client.get("/agenda.ics").content.decode()
    uids = re.findall(r"UID:evenement-(\d+)@", body)
    assert [int(u) for u in uids] == [e.pk for e in upcoming[:3]]  # the three soonest, in order
