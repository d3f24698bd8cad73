"""Hostile and random input on every public endpoint (issue 14): never a server error.

Hand-picked values (what broke: no indexable word, NUL, hundreds of words, numbers past 2⁶³, wrong
types) and hypothesis-generated ones go into every query parameter of the public GET endpoints,
every field of the public forms, the ids in URLs, and a per-endpoint pass over the read-only API
(every exposed type, its fields, orderings and filters). Each must answer below 500: a 400 (a JSON
error in French from the API) or a 404 for what is invalid. Deterministic (``derandomize``) and
bounded (a few dozen examples per endpoint) so that it runs in well under a minute.
"""
import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.vote_helpers import make_campaign

HUGE = "99999999999999999999"
HOSTILE = [
    "", " ", "%", '"', "*", "-", "'", "\\", "😀", "\ufeff", "\x00", "a\x00b", "\ud800".encode("utf-8", "surrogatepass")
    .decode("utf-8", "replace"), "\u202e", "\r\nX-Injection: 1", "<script>alert(1)</script>", "' OR 1=1--",
    '" OR ""="', "%00", "%%", "0", "-1", "1e400", "NaN", "0x10", "1.5", HUGE, "9223372036854775808",
    "-9223372036854775809", "9" * 400, "abc", "2021-13-45", "2021-02-30", "00:61", "true", "null", "[]", "{}",
    " ".join(f"mot{i}" for i in range(300)), "a " * 150, "é" * 300, "x" * 5000, "../../etc/passwd", "*.*",
    "AND OR NOT", "title:x", "-mot", '"mot', "mot*", "(mot", "NEAR(a b)", "^mot", "mot\tmot",
]

SETTINGS = {"max_examples": 30, "deadline": None, "derandomize": True, "database": None,
            "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                      HealthCheck.data_too_large]}

text_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers().map(str),
    st.integers(min_value=2**63 - 10, max_value=2**70).map(str),
    st.lists(st.sampled_from(["%", '"', "*", "-", "😀", "\x00", "mot", "é", " "]), max_size=20).map("".join),
)


def values(max_size=3):
    """One value, or several for the same parameter (``?a=1&a=2``)."""
    return st.one_of(text_values, st.lists(text_values, min_size=1, max_size=max_size))


def query_params(names):
    return st.dictionaries(st.sampled_from(names), values(), max_size=len(names))


def assert_not_server_error(response, what):
    assert response.status_code < 500, f"{what} → {response.status_code}"
    if response.status_code == 400 and response.get("Content-Type", "").startswith("application/json"):
        assert "message" in response.json(), what


@pytest.fixture
def site(settings, home, make_thematique, make_projet, make_evenement, ressource_index, agenda_index):
    """Every kind of public page and every public form, open: a thématique, resources, events, an
    open vote campaign, a projet partagé open to applications, collectivités."""
    from thematiques.models import Collectivite, ProjetPartageIndexPage, ProjetPartagePage
    from thematiques.vote.models import VotePage

    settings.CONTRIBUTIONS_RATE_LIMIT = (10**6, 60)  # the fuzzing is not a flood: no 429 to hide behind
    settings.VOTE_RATE_LIMIT = (10**6, 60)
    montpellier = Collectivite.objects.create(code="34172", code_insee="34172", nom="Montpellier", echelon="com",
                                              departement="34", region="76", population=300000)
    emploi = make_thematique("Retour à l'emploi")
    mobilite = make_thematique("Droit à la mobilité")
    projet = make_projet("Wake Up Café", thematiques=[emploi], territoire=montpellier,
                         publication_date=dt.date(2021, 12, 1))
    make_evenement("Webinaire participation")
    projets = home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="projets-partages"))
    partage = projets.add_child(instance=ProjetPartagePage(title="Projet partagé mobilité", thematique=mobilite))
    make_campaign([emploi, mobilite], status="clos", title="Campagne close", projet_partage=partage,
                  opens_at=timezone.now() - dt.timedelta(days=60), closes_at=timezone.now() - dt.timedelta(days=30))
    campaign = make_campaign([emploi, mobilite], max_choices=2)
    vote = home.add_child(instance=VotePage(title="Votez", slug="votez"))
    vote.save_revision().publish()
    cache.clear()
    return {"emploi": emploi, "projet": projet, "partage": partage, "campaign": campaign, "vote": vote,
            "library": ressource_index, "agenda": agenda_index, "home": home}


#: The values that broke something, tried one by one in every parameter of the API.
CORE = ["%", '"', "😀", "\ufeff", "\x00", " ".join(f"mot{i}" for i in range(300)), HUGE, "-1", "abc", "2021-13-45",
        "1e400", "' OR 1=1--", "9" * 400]
API_PARAMETERS = ["search", "search_operator", "offset", "limit", "type", "fields", "order", "child_of",
                  "descendant_of", "ancestor_of", "translation_of", "locale", "slug", "title", "id", "show_in_menus"]


def _get_endpoints(site):
    """Every public GET endpoint and the query parameters it reads."""
    return {
        "/recherche/": ["q", "page"],
        site["library"].url: ["q", "thematique", "type", "departement", "region", "annee", "page"],
        "/contact/": ["thematique"],
        "/contribuer/collectivites/": ["q"],
        "/votes/collectivites/": ["q"],
        "/votes/confirmer/": ["jeton", "resultat"],
        "/sitemap.xml": ["p"],
        site["vote"].url: ["q", "page"],
        site["emploi"].url: ["q", "page"],
        site["agenda"].url: ["page"],
        "/flux/ressources.xml": ["q"],
        "/agenda.ics": ["q"],
        "/api/v2/images/": ["search", "search_operator", "offset", "limit", "fields", "order", "title", "id"],
        "/api/v2/pages/find/": ["id", "html_path"],
    }


def test_hand_picked_hostile_values_in_every_get_parameter(site):
    client = Client()
    for path, names in _get_endpoints(site).items():
        for value in HOSTILE:  # every parameter of the endpoint at once
            response = client.get(path, {name: value for name in names})
            assert_not_server_error(response, f"GET {path} {names} = {value[:30]!r}")
    for name in API_PARAMETERS:
        for value in CORE:  # one parameter at a time, so that none hides the others behind its 400
            assert_not_server_error(client.get("/api/v2/pages/", {name: value}), f"API {name}={value[:30]!r}")
    for value in CORE:
        for params in [{"type": "ressources.EvenementPage", "start": value},
                       {"type": "ressources.ProjetPage", "thematiques": value},
                       {"type": "ressources.ProjetPage", "publication_date": value},
                       {"type": "ressources.ProjetPage", "territoire": value},
                       {"type": "ressources.ProjetPage", "tags": value},
                       {"search": value, "search_operator": "xor"},
                       {"search": "emploi", "order": value}]:
            assert_not_server_error(client.get("/api/v2/pages/", params), f"API {params}")


def test_ids_and_slugs_in_urls(site):
    client = Client()
    paths = ["/votes/projets-partages/{}/candidater/", "/api/v2/pages/{}/", "/api/v2/images/{}/",
             "/documents/{}/x.pdf", "/flux/thematiques/{}.xml", "/agenda/{}.ics", "/{}/", "/ressources/{}/",
             "/_util/authenticate_with_password/{}/1/"]
    for path in paths:
        for value in [HUGE, "9223372036854775808", "0", "-1", "abc", "%00", "%F0%9F%98%80", "a%27b", "9" * 400]:
            assert_not_server_error(client.get(path.format(value)), path.format(value))
            assert_not_server_error(client.post(path.format(value), {"password": "x"}), "POST " + path.format(value))


def test_huge_ids_are_a_404_or_a_form_error(site):
    client = Client()
    assert client.get(f"/votes/projets-partages/{HUGE}/candidater/").status_code == 404
    response = client.post("/contact/", {"name": "Ada", "collectivite": "Ville", "job_title": "Élue",
                                         "email": "ada@ville.fr", "thematique": HUGE, "message": "Bonjour"})
    assert response.status_code == 200 and "Choisissez une thématique de la liste." in response.content.decode()
    response = client.post(site["vote"].url, {"collectivite": "34172", "email": "agent@ville.fr",
                                              "thematiques": [HUGE]})
    assert response.status_code == 400
    assert "Cette thématique n&#x27;est pas proposée dans la campagne." in response.content.decode()


def test_null_characters_are_a_400_in_french(site):
    client = Client()
    response = client.get("/recherche/", {"q": "emploi\x00"})
    assert response.status_code == 400 and "caractère nul" in response.content.decode()
    response = client.get("/api/v2/pages/", {"search": "\x00"})
    assert response.status_code == 400 and "caractère nul" in response.json()["message"]
    response = client.post("/contact/", "name=a%00b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "caractère nul" in response.content.decode()


@pytest.mark.parametrize("query, message", [
    ({"search": "%"}, "aucun mot"), ({"search": "😀"}, "aucun mot"), ({"search": "\ufeff"}, "aucun mot"),
    ({"search": " ".join(f"mot{i}" for i in range(300))}, "limitée à 200 caractères"),
    ({"offset": str(2**63)}, "« offset » doit être un entier positif"),
    ({"type": "ressources.EvenementPage", "start": "abc"}, "pas une valeur possible pour le filtre « start »"),
    ({"type": "ressources.ProjetPage", "thematiques": "abc"}, "filtre « thematiques »"),
    ({"type": "ressources.ProjetPage", "publication_date": "2021-13-45"}, "filtre « publication_date »"),
    ({"search": "emploi", "search_operator": "xor"}, "« search_operator » vaut « and » ou « or »"),
    ({"order": "inconnu"}, "Paramètre invalide"),
])
def test_api_answers_bad_parameters_with_a_400_in_french(home, client, query, message):
    response = client.get("/api/v2/pages/", query)
    assert response.status_code == 400 and message in response.json()["message"]


def test_api_find_with_a_bad_id_is_a_400_in_french(home, client):
    response = client.get("/api/v2/pages/find/", {"id": "abc"})
    assert response.status_code == 400 and "« id » doit être un identifiant" in response.json()["message"]


def test_api_search_keeps_working_with_punctuation_around_words(site, client):
    response = client.get("/api/v2/pages/", {"search": '"café" %wake* -up'})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == ["Wake Up Café"]


def fuzz_get(client, path, strategy, max_examples=SETTINGS["max_examples"]):
    """Hypothesis over the query strings of one GET endpoint."""
    @hsettings(**{**SETTINGS, "max_examples": max_examples})
    @given(params=strategy)
    def check(params):
        assert_not_server_error(client.get(path, params), f"GET {path} {params!r}")

    check()


def fuzz_post(client, path, fields):
    """Hypothesis over the fields of one public form (any subset of them, valid or not)."""
    @hsettings(**SETTINGS)
    @given(data=st.fixed_dictionaries({}, optional=fields))
    def check(data):
        assert_not_server_error(client.post(path, data), f"POST {path} {data!r}")

    check()


def test_random_values_in_every_get_parameter(site):
    client = Client()
    for path, names in _get_endpoints(site).items():
        fuzz_get(client, path, query_params(names))


def test_random_values_in_every_public_form(site):
    client = Client()
    campaign, partage = site["campaign"], site["partage"]
    propositions = [str(p.pk) for p in campaign.propositions.all()]
    forms = [
        ("/contact/", {"name": values(), "collectivite": values(), "job_title": values(), "email": values(),
                       "thematique": st.one_of(values(), st.just(str(site["emploi"].pk))), "message": values(),
                       "site_web": st.just("")}),
        ("/contribuer/evenement/", {name: values() for name in [
            "title", "start_date", "start_time", "end_date", "end_time", "all_day", "online", "location",
            "organizer", "collectivite", "url", "description", "contact_name", "contact_email", "consent"]}),
        (site["vote"].url, {"collectivite": st.one_of(values(), st.just("34172")), "email": values(),
                            "thematiques": st.one_of(values(), st.lists(st.sampled_from(propositions + [HUGE, "x"]))),
                            "action": st.one_of(values(), st.just("changer")), "site_internet": st.just("")}),
        (f"/votes/projets-partages/{partage.pk}/candidater/", {
            "collectivite": st.one_of(values(), st.just("34172")), "email": values(), "role": values(),
            "motivation": values(), "site_internet": st.just("")}),
        ("/votes/confirmer/", {"jeton": values()}),
    ]
    for path, fields in forms:
        fuzz_post(client, path, fields)


def test_hostile_values_in_the_admin_login_form(site, settings):
    settings.AXES_FAILURE_LIMIT = 10**6  # many bad logins, no lockout to hide behind
    client = Client()
    for value in HOSTILE:
        response = client.post("/admin/login/", {"username": value, "password": value})
        assert_not_server_error(response, f"POST /admin/login/ {value[:30]!r}")


# --- the read-only API, endpoint by endpoint ------------------------------------------------------

def _api_strategy():
    """Query strings of /api/v2/pages/: an exposed type (or none, or garbage), some of its fields,
    an ordering, filters on its own fields with valid or hostile values, pagination and search."""
    from django.apps import apps

    from cms.api import API_FIELDS

    def for_type(label):
        names = ["title", "slug", "id", "first_published_at"]
        if label:
            model = apps.get_model(label)
            names += [f.name for f in getattr(model, "api_fields", [])]
        name = st.sampled_from(names)
        filters = st.dictionaries(name, values(2), max_size=3)
        extra = st.fixed_dictionaries({}, optional={
            "fields": st.one_of(st.lists(st.one_of(name, st.sampled_from(["*", "-title", "_", "x(y)"]))).map(",".join),
                                text_values),
            "order": st.one_of(name, name.map(lambda n: "-" + n), st.just("random"), text_values),
            "search": text_values, "search_operator": st.sampled_from(["and", "or", "xor", ""]),
            "offset": st.one_of(st.integers(0, 100).map(str), text_values),
            "limit": st.one_of(st.integers(0, 60).map(str), text_values),
            "child_of": st.one_of(st.just("root"), text_values), "descendant_of": text_values,
        })
        base = {"type": label} if label else {}
        return st.tuples(filters, extra).map(lambda t: {**base, **t[0], **t[1]})

    return st.one_of([for_type(label) for label in [None, *API_FIELDS]])


def test_api_per_endpoint_strategies_never_fail(site):
    client = Client()

    @hsettings(**{**SETTINGS, "max_examples": 60})
    @given(params=_api_strategy())
    def listing(params):
        assert_not_server_error(client.get("/api/v2/pages/", params), f"GET /api/v2/pages/ {params!r}")

    @hsettings(**SETTINGS)
    @given(params=query_params(["search", "search_operator", "offset", "limit", "fields", "order", "title", "id",
                                "width", "height", "tags"]))
    def images(params):
        assert_not_server_error(client.get("/api/v2/images/", params), f"GET /api/v2/images/ {params!r}")

    @hsettings(**SETTINGS)
    @given(pk=st.one_of(st.integers(min_value=-1, max_value=2**70), text_values.filter(lambda v: "/" not in v)),
           params=query_params(["fields", "type"]))
    def detail(pk, params):
        from urllib.parse import quote

        for path in (f"/api/v2/pages/{quote(str(pk))}/", "/api/v2/pages/find/"):
            response = client.get(path, {**params, "id": pk} if path.endswith("find/") else params)
            assert_not_server_error(response, f"GET {path} {params!r}")

    listing()
    images()
    detail()
