"""The library's facets at a middle size: a few hundred generated resources (``home.scale``, the
generator of ``manage.py load_scale``) over real collectivités.

The counts shown next to each choice are checked against an independent count made in Python from
the pages themselves (unfiltered, one filter, two filters, a search word); the number of SQL queries
of a library page must not grow from a small library to this one.
"""
import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import ensure_home, shared_data

MIDDLE = 300
SMALL = 12
FACETS = ("thematique", "type", "region", "annee")
LABEL = re.compile(r"^(?P<label>.*) \((?P<count>\d+)\)$")


def _build_site(collectivites_only=None):
    from newsletter.models import NewsletterIndexPage
    from ressources.models import AgendaIndexPage, RessourceIndexPage
    from thematiques.management.commands.load_collectivites import load as load_collectivites
    from thematiques.models import ThematiqueIndexPage, ThematiquePage

    home = ensure_home()
    load_collectivites(only=collectivites_only)
    index = home.add_child(instance=ThematiqueIndexPage(title="Thématiques", slug="thematiques"))
    for title in ("Retour à l'emploi", "Petite enfance", "Mobilité", "Alimentation"):
        index.add_child(instance=ThematiquePage(title=title, chapo=f"Chapô {title}"))
    home.add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources"))
    home.add_child(instance=AgendaIndexPage(title="Agenda", slug="agenda"))
    home.add_child(instance=NewsletterIndexPage(title="La newsletter", slug="newsletter"))


def _codes_sample():
    """A few thousand real collectivités (every région, département and EPCI, one commune in ten)."""
    from thematiques.management.commands.load_collectivites import DEFAULT_FILE, read_rows

    rows = read_rows(DEFAULT_FILE)
    return {r["code"] for i, r in enumerate(rows) if r["echelon"] != "com" or i % 10 == 0}


@pytest.fixture(scope="module")
def middle_library(small_counts, django_db_setup, django_db_blocker):
    """The middle-size library, built once for the module (after the small one, rolled back)."""

    def build():
        from home import scale

        _build_site(_codes_sample())
        scale.load(resources=MIDDLE, events=20, editions=3, ballots=0, seed=7)
        return small_counts

    yield from shared_data(django_db_blocker, build)


def expected_counts(params: dict) -> dict:
    """{facet: {value: n}} counted in Python: for each facet, the resources matching every other filter."""
    from cms.search import search_query, search_terms
    from ressources.models import RessourcePage
    from thematiques.models import Collectivite

    kinds = {model: kind for kind, _label, model in RessourcePage.kinds()}
    rows = []
    for page in RessourcePage.objects.live().specific().select_related("territoire"):
        territoire = page.territoire
        region = None
        if territoire is not None:
            region = territoire.region or (territoire.code_insee if territoire.echelon == Collectivite.Echelon.REGION
                                           else None)
        rows.append({"pk": page.pk, "thematique": set(page.thematiques.values_list("slug", flat=True)),
                     "type": kinds[type(page)], "region": region, "annee": str(page.publication_date.year)})
    if params.get("q"):
        found = {p.pk for p in RessourcePage.objects.live().search(search_query(search_terms(params["q"])))}
        rows = [r for r in rows if r["pk"] in found]

    def matches(row, facet, value):
        return value in row[facet] if facet == "thematique" else row[facet] == value

    counts = {}
    for facet in FACETS:
        kept = [r for r in rows if all(matches(r, f, v) for f, v in params.items() if f in FACETS and f != facet)]
        counter = Counter()
        for r in kept:
            for value in (r[facet] if facet == "thematique" else [r[facet]]):
                if value is not None:
                    counter[value] += 1
        counts[facet] = dict(counter)
    return counts


def shown_counts(client, params: dict) -> tuple[dict, BeautifulSoup]:
    from urllib.parse import urlencode

    response = client.get("/ressources/?" + urlencode(params))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    shown = {"choices": {}}
    for facet in FACETS:
        shown["choices"][facet] = {o["value"] for o in soup.select(f"form.tec-filters select[name={facet}] option")
                                   if o["value"]}
        select = soup.select_one(f"form.tec-filters select[name={facet}]")
        shown[facet] = {}
        for option in select.find_all("option"):
            if not option["value"]:
                assert not LABEL.match(option.get_text()), "the empty choice shows no count"
                continue
            match = LABEL.match(option.get_text())
            assert match, f"{facet}: « {option.get_text()} » has no count"
            if int(match["count"]):
                shown[facet][option["value"]] = int(match["count"])
    return shown, soup


def visible(expected: dict, shown: dict) -> dict:
    """The expected counts of the choices the form offers (a territory's région is a choice when the
    région is among the collectivités; years and thématiques are all choices), with the choices."""
    out = {facet: {v: n for v, n in counts.items() if v in shown["choices"][facet]} for facet, counts in expected.items()}
    for facet in ("thematique", "type", "annee"):
        assert out[facet] == expected[facet], facet  # nothing hidden but régions without their collectivité
    return {**out, "choices": shown["choices"]}


@pytest.fixture
def library(middle_library, db):
    return middle_library


def _popular(facet, params=None):
    """The choice of ``facet`` with the most resources (a région among the form's choices)."""
    from thematiques.models import Collectivite

    counts = expected_counts(params or {})[facet]
    if facet == "region":
        offered = set(Collectivite.objects.filter(echelon=Collectivite.Echelon.REGION).values_list("code_insee", flat=True))
        counts = {v: n for v, n in counts.items() if v in offered}
    return max(sorted(counts), key=counts.get)


def test_unfiltered_counts_are_right_and_sum_to_the_library(client, library):
    from ressources.models import RessourcePage

    shown, soup = shown_counts(client, {})
    assert shown == visible(expected_counts({}), shown)
    total = RessourcePage.objects.live().count()
    assert total >= MIDDLE
    assert sum(shown["type"].values()) == total  # every resource has one kind
    assert sum(shown["annee"].values()) == total
    assert sum(shown["thematique"].values()) > total  # some have two or three thématiques
    assert len(shown["region"]) >= 10 and set(shown["region"]) <= set(expected_counts({})["region"])  # spread over the country's régions
    assert soup.find(id="results-count").get_text() == f"{total} ressources"


def test_one_filter_counts_the_other_facets_within_it_and_keeps_its_own_choices(client, library):
    thematique = _popular("thematique")
    params = {"thematique": thematique}
    shown, soup = shown_counts(client, params)
    expected = expected_counts(params)
    assert shown == visible(expected, shown)
    unfiltered = expected_counts({})
    assert shown["thematique"] == unfiltered["thematique"]  # its own choices: what choosing them would give
    assert sum(shown["type"].values()) == unfiltered["thematique"][thematique]
    assert soup.find(id="results-count").get_text() == f"{unfiltered['thematique'][thematique]} ressources"


def test_two_filters(client, library):
    params = {"type": "projet", "annee": _popular("annee", {"type": "projet"})}
    shown, soup = shown_counts(client, params)
    assert shown == visible(expected_counts(params), shown)
    region = _popular("region", params)
    params["region"] = region
    shown, soup = shown_counts(client, params)
    expected = expected_counts(params)
    assert shown == visible(expected, shown)
    results = expected["type"].get("projet", 0)  # the chosen type's count is the number of results
    assert soup.find(id="results-count").get_text() == (f"{results} ressource" + ("s" if results > 1 else "")
                                                        if results else "Aucune ressource")


def test_a_search_word_counts_only_what_it_finds(client, library):
    params = {"q": "budget"}
    shown, _soup = shown_counts(client, params)
    expected = expected_counts(params)
    assert shown == visible(expected, shown)
    assert 0 < sum(expected["type"].values()) < MIDDLE
    params["type"] = "tribune"
    shown, _soup = shown_counts(client, params)
    assert shown == visible(expected_counts(params), shown)


def test_counts_are_announced_to_screen_readers(client, library):
    _shown, soup = shown_counts(client, {"annee": "1850"})  # an invalid choice: its error and the hint
    hint = soup.find(id="filters-counts-hint")
    assert "nombre de ressources" in hint.get_text()
    for facet in FACETS:
        described = soup.select_one(f"select[name={facet}]")["aria-describedby"].split()
        assert "filters-counts-hint" in described
    assert soup.select_one("select[name=annee]")["aria-describedby"].split() == ["id_annee-error",
                                                                                "filters-counts-hint"]


LIBRARY_URLS = ["/ressources/", "/ressources/?thematique={thematique}", "/ressources/?type=projet&thematique={thematique}",
                "/ressources/?q=budget", "/ressources/?page=3"]


def _queries(client, settings, url):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    client.get(url)  # per-process caches (site root paths, content types) warmed first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture(scope="module")
def small_counts(django_db_setup, django_db_blocker):
    """The query count of each library URL with a small library, built and rolled back at once."""
    from django.core.cache import caches
    from django.db import transaction
    from django.test import Client, override_settings

    from home import scale
    from thematiques.models import ThematiquePage

    counts = {}
    with django_db_blocker.unblock():
        with transaction.atomic():
            _build_site(_codes_sample())
            scale.load(resources=SMALL, events=2, editions=1, ballots=0, seed=7)
            slug = ThematiquePage.objects.order_by("path").first().slug
            client = Client()
            with override_settings(PAGE_CACHE_ENABLED=False, FRAGMENT_CACHE_ENABLED=False):
                for url in LIBRARY_URLS:
                    client.get(url.format(thematique=slug))
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url.format(thematique=slug))
                    assert response.status_code == 200
                    counts[url] = (len(queries), _kinds_on_page(response))
            transaction.set_rollback(True)
    for cache in caches.all():
        cache.clear()
    return counts


def _kinds_on_page(response) -> int:
    """The resource kinds among the page's cards: ``.specific()`` reads each kind's table once."""
    return len({type(page) for page in response.context["resources"].object_list})


@pytest.mark.parametrize("url", LIBRARY_URLS)
def test_queries_per_page_do_not_grow_with_the_library(client, settings, library, url,
                                                       django_assert_max_num_queries):
    from thematiques.models import ThematiquePage

    """The same queries with 300 resources as with 12, but one per resource kind on the page beyond
    the small library's (the cards' specific rows are read per kind: at most five, whatever the volume)."""
    small, small_kinds = library[url]
    url = url.format(thematique=ThematiquePage.objects.order_by("path").first().slug)
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    kinds = _kinds_on_page(response)
    with django_assert_max_num_queries(small + max(0, kinds - small_kinds)):
        response = client.get(url)
    assert len(queries) <= small + max(0, kinds - small_kinds)
    assert response.status_code == 200
    assert len(BeautifulSoup(response.content.decode(), "html.parser").select("main .fr-card")) > 0


def test_the_type_region_and_year_facets_share_a_query_when_they_count_the_same_resources(
        library, django_assert_num_queries):
    """Without a type, région or année filter the three count the same resources: one GROUP BY for
    them, one for the thématiques; each of them filtered counts apart (its own filter left out)."""
    from cms.cache import restricted_sections
    from ressources.filters import RessourceFilter

    restricted_sections()  # kept in the site version, as on every page (facets are kept per filter set)
    with django_assert_num_queries(2):
        unfiltered = RessourceFilter({}).facet_counts()
    assert unfiltered == expected_counts({})
    params = {"thematique": _popular("thematique"), "annee": _popular("annee")}
    chosen = RessourceFilter(params)
    assert chosen.form.active == params  # validated (its choices read) before the count
    with django_assert_num_queries(3):  # the thématiques, the année apart, the type and région together
        filtered = chosen.facet_counts()
    assert filtered == expected_counts(params)
