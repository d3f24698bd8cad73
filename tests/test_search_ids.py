"""``cms.search.AmongIds``: the ids a search matched, sent to the database as one parameter.

The library filters its facets and its page by the ids the words matched. With ``pk__in`` each id
was one placeholder, and compiling thousands of them per query was most of a word search's time at
Territoires Conseils' size (bench/scale.py): the condition must select exactly what ``pk__in`` does,
on SQLite and PostgreSQL, with one parameter whatever the number of ids.
"""
import pytest
from django.db.models import F

from cms.search import AmongIds

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    from wagtail.models import Page

    root = Page.get_first_root_node()
    for i in range(30):
        root.add_child(instance=Page(title=f"Page {i}", slug=f"page-{i}"))
    return list(Page.objects.filter(depth=2).order_by("pk").values_list("pk", flat=True))


@pytest.mark.parametrize("pick", [slice(None), slice(0, 1), slice(3, 20, 2), slice(0, 0)])
def test_selects_exactly_what_pk_in_selects(pages, pick):
    from wagtail.models import Page

    ids = pages[pick] + [10 ** 9]  # an id of nothing is ignored, as with pk__in
    among = set(Page.objects.filter(AmongIds(F("pk"), ids)).values_list("pk", flat=True))
    assert among == set(Page.objects.filter(pk__in=ids).values_list("pk", flat=True)) == set(pages[pick])


def test_no_ids_selects_nothing(pages):
    from wagtail.models import Page

    assert not Page.objects.filter(AmongIds(F("pk"), [])).exists()
    assert Page.objects.exclude(AmongIds(F("pk"), [])).filter(depth=2).count() == len(pages)


def test_many_ids_are_one_parameter(pages):
    from django.db import connection
    from wagtail.models import Page

    ids = list(range(1, 5001))
    sql, params = Page.objects.filter(AmongIds(F("pk"), ids)).query.sql_with_params()
    assert len(params) == (1 if connection.vendor in ("postgresql", "sqlite") else len(ids))
    assert Page.objects.filter(AmongIds(F("pk"), ids)).count() == Page.objects.filter(pk__lte=5000).count()


def test_the_library_search_sends_the_matched_ids_as_one_parameter(client):
    """Through the library itself: a word matching 40 resources; the matched ids go through
    ``AmongIds`` (one array or JSON parameter), never as an ``IN (id, id, …)`` list of 40."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ressources.models import ProjetPage, RessourceIndexPage
    from tests.conftest import ensure_home

    library = ensure_home().add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources"))
    for i in range(40):
        library.add_child(instance=ProjetPage(title=f"Budget participatif {i}", chapo="Un budget participatif."))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{library.url}?q=budget")
    assert response.status_code == 200 and "Budget participatif 39" in response.content.decode()
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("ANY(" in q or "json_each" in q for q in sql)
    assert not any(re.search(r"IN \((\d+, ){39}", q) for q in sql)
