"""A transactional test's flush must not reach the next test run on the same worker.

pytest-xdist hands whole files to a worker, and pytest-django runs a file's transactional tests after
its ``db`` tests and before its tests without a database marker. The transactional test below empties
the tables the way Django's TransactionTestCase does (``flush``); the test after it, on the same worker,
must still find what the migrations created: Wagtail's root page and default site, the Editors and
Moderators groups with their permissions, and the default locale (``tests/conftest.py`` restores them
right after the flush).
"""
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Locale, Page, Site

ORDER = []


def _initial_data():
    return {
        "root": Page.objects.filter(depth=1).count(),
        "site": Site.objects.filter(is_default_site=True).count(),
        "groups": sorted(Group.objects.filter(name__in=["Editors", "Moderators"]).values_list("name", flat=True)),
        "editors_permissions": Group.objects.get(name="Editors").permissions.count(),
        "locale": Locale.objects.count(),
    }


@pytest.mark.django_db
def test_migrations_left_a_root_page_a_site_and_the_editor_groups():
    data = _initial_data()
    ORDER.append(("db", data))
    assert data["root"] == 1 and data["site"] == 1 and data["locale"] >= 1
    assert data["groups"] == ["Editors", "Moderators"] and data["editors_permissions"] > 0


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_empty_every_table():
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False, allow_cascade=True,
                 inhibit_post_migrate=True)  # what TransactionTestCase does at its end
    assert not Page.objects.exists() and not Group.objects.exists()
    ORDER.append(("transactional", None))


def test_the_next_test_on_this_worker_finds_the_database_as_migrations_left_it(django_db_blocker):
    # Ran in this order (db, then transactional, then the rest): otherwise this test proves nothing.
    assert [kind for kind, _ in ORDER] == ["db", "transactional"]
    with django_db_blocker.unblock():
        assert _initial_data() == ORDER[0][1]

