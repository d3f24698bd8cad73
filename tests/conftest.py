"""Shared fixtures: a minimal page tree, editors, and a real Chromium for browser tests."""
import datetime as dt
import os
import shutil

import pytest
from django.utils import timezone

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


# Seconds each of the slowest files takes in one worker (measured with two workers on this machine,
# SQLite, 3 December 2026; the worker's migrations, about 20 s in its first test, left out).
# pytest-xdist hands out whole files in collection order to whichever worker is free:
# its default order (most tests first) left the slow files with few tests for last, and one worker ended
# 18 s after the other. Longest first evens the two out; a file missing here counts 0.3 s per test.
FILE_SECONDS = {
    "test_permissions.py": 30, "test_fuzz_requests.py": 28, "test_production.py": 27, "test_email_rendering.py": 18,
    "test_one_reading.py": 18, "test_scale_queries.py": 16, "test_demo.py": 12, "test_library_facets.py": 12,
    "test_admin_pages.py": 12, "test_ressources_library_queries.py": 10, "test_vote.py": 10,
    "test_newsletter.py": 6, "test_public_site.py": 6, "test_cache.py": 5, "test_ressources_library.py": 5,
    "test_push_campaign.py": 4, "test_contributions.py": 4, "test_subscribers.py": 4, "test_collectivites.py": 4,
    "test_api.py": 4, "test_providers.py": 3,
}


class LongestFilesFirst:
    """Under pytest-xdist (run with ``--no-loadscope-reorder``), the longest files first; a run in one
    process keeps pytest-django's order. A plugin of its own: this conftest already has its
    ``pytest_collection_modifyitems``, which must run first."""

    @pytest.hookimpl(trylast=True)  # after pytest-django's own ordering, which a stable sort keeps within a file
    def pytest_collection_modifyitems(self, items):
        counts: dict[str, int] = {}
        for item in items:
            counts[item.path.name] = counts.get(item.path.name, 0) + 1
        items.sort(key=lambda item: (-FILE_SECONDS.get(item.path.name, 0.3 * counts[item.path.name]), str(item.path)))


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        config.pluginmanager.register(LongestFilesFirst(), "longest-files-first")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the marker added here counts
def pytest_collection_modifyitems(items):
    """Mark ``browser`` every test that drives Chromium, and give every transactional test (live_server,
    transactional_db, transaction=True) a serialized rollback.

    The ``browser`` marker lets ``-m "not browser"`` leave out every Playwright test, including one
    that forgot the marker: a test using the ``browser`` (or ``page``) fixture gets it here.

    A transactional test ends by flushing the database, which removes what migrations created (Wagtail's
    root page and default site, the Editors and Moderators groups). With a serialized rollback Django
    reloads that initial data before the next transactional test, and ``pytest_runtest_teardown`` reloads
    it again right after the flush, so that a test running next on the same worker (any kind, in any
    order: pytest-xdist hands out whole files) finds the database as migrations left it.
    """
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is not None and "browser" in names and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        if names is None or "django_db_serialized_rollback" in names:
            continue
        marker = item.get_closest_marker("django_db")
        transactional = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
        if transactional or "live_server" in names or "transactional_db" in names:
            names.extend(["django_db_serialized_rollback", "django_db_blocker"])
            if marker is not None:
                # pytest-django decides which databases to serialize at set-up from the marker's own
                # arguments, not from the fixture names: without this, a session whose transactional
                # tests all carry the marker would have nothing to restore after their flush.
                item.add_marker(pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                                append=False)
            item.stash[RESTORE_INITIAL_DATA] = True


RESTORE_INITIAL_DATA = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, put back the data migrations created (see above)."""
    try:
        return (yield)
    finally:
        blocker = item.funcargs.get("django_db_blocker") if item.stash.get(RESTORE_INITIAL_DATA, False) else None
        if blocker is not None:
            with blocker.unblock():
                _restore_initial_data()


def _restore_initial_data():
    from django.db import connections

    for conn in connections.all():
        contents = getattr(conn, "_test_serialized_contents", None)
        # A connection that is not on a migrated test database (seen once on PostgreSQL after the
        # contribution concurrency test: "relation wagtailcore_locale does not exist") has nothing to restore.
        if contents and "wagtailcore_page" in conn.introspection.table_names():
            conn.creation.deserialize_db_from_string(contents)


def shared_data(django_db_blocker, build):
    """Data shared by a module's tests: ``build()`` runs in a transaction rolled back at the fixture's end.

    For a module-scoped fixture (taking ``django_db_setup`` and ``django_db_blocker``) whose tests only
    read the data, or change it inside their own test transaction, which the ``db`` fixture makes a
    savepoint within this one: ``yield from shared_data(django_db_blocker, build)``. The database is
    unblocked only while the data is built and rolled back. Transactional tests must not request such a
    fixture; they never see the data (pytest-django runs them after every ``db`` test, by which time
    the module's fixture is torn down). The function-scoped fixture handing the data to a test should
    give it fresh instances (``Model.objects.get(pk=...)``): tests may change the objects they receive.
    """
    from django.core.cache import caches
    from django.db import transaction

    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            value = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        for cache in caches.all():
            cache.clear()  # Wagtail caches site root paths: forget the rolled-back pages


def ensure_home():
    """The site's HomePage, in place of Wagtail's default welcome page (created once, then reused)."""
    from wagtail.models import Page, Site

    from home.models import HomePage

    root = Page.get_first_root_node()
    existing = HomePage.objects.first()
    if existing:
        return existing
    home = root.add_child(instance=HomePage(title="Territoires en Commun", slug="accueil"))
    site = Site.objects.filter(is_default_site=True).first()
    old_root = site.root_page if site else None
    if site:
        site.root_page = home
        site.hostname = "testserver"
        site.port = 80
        site.save()
    else:
        Site.objects.create(hostname="testserver", port=80, root_page=home, is_default_site=True)
    if old_root and old_root.pk != home.pk and not isinstance(old_root.specific, HomePage):
        old_root.delete()
    return HomePage.objects.get(pk=home.pk)


@pytest.fixture
def home(db):
    """The site's HomePage, in place of Wagtail's default welcome page."""
    return ensure_home()


@pytest.fixture
def thematique_index(home):
    from thematiques.models import ThematiqueIndexPage

    return home.add_child(instance=ThematiqueIndexPage(title="Thématiques", slug="thematiques"))


@pytest.fixture
def ressource_index(home):
    from ressources.models import RessourceIndexPage

    return home.add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources"))


@pytest.fixture
def agenda_index(home):
    from ressources.models import AgendaIndexPage

    return home.add_child(instance=AgendaIndexPage(title="Agenda", slug="agenda"))


@pytest.fixture
def make_thematique(thematique_index):
    from thematiques.models import ThematiquePage

    def make(title="Retour à l'emploi", **kw):
        return thematique_index.add_child(instance=ThematiquePage(title=title, chapo=kw.pop("chapo", f"Chapô {title}"), **kw))

    return make


@pytest.fixture
def make_projet(ressource_index):
    from ressources.models import ProjetPage

    def make(title="Wake Up Café", thematiques=(), **kw):
        page = ProjetPage(title=title, chapo=kw.pop("chapo", f"Chapô {title}"), **kw)
        ressource_index.add_child(instance=page)
        if thematiques:
            page.thematiques.set(thematiques)
            page.save_revision().publish()
        return page

    return make


@pytest.fixture
def make_evenement(agenda_index):
    from ressources.models import EvenementPage

    def make(title="Webinaire", days=10, **kw):
        start = kw.pop("start", timezone.now() + dt.timedelta(days=days))
        page = EvenementPage(title=title, start=start, end=kw.pop("end", start + dt.timedelta(hours=2)),
                             online=kw.pop("online", True), organizer=kw.pop("organizer", "ANCT"), **kw)
        return agenda_index.add_child(instance=page)

    return make


@pytest.fixture
def editor(db):
    """A member of Wagtail's default Editors group (may add and edit pages, not publish them)."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("redaction", "redaction@example.org", "motdepasse-redaction")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator_user(db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("moderation", "moderation@example.org", "motdepasse-moderation")
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def chromium_available() -> bool:
    return bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM))


@pytest.fixture(scope="session", autouse=True)
def _chromium_before_any_database_connection(request):
    """Start Chromium first, when the session will run browser tests.

    Starting Playwright's sync API switches the contextvars context that Django's connections live in
    (see ``browser``): a connection opened before it is no longer ``connections["default"]``
    afterwards, yet keeps its transaction open. Started in the middle of a module whose shared data
    (``shared_data``) holds a transaction on such a connection, the next test's connection waited for
    that transaction's locks forever (seen with pytest-xdist, where files run in a different order).
    Started before the first test touches the database, every connection lives in the new context.
    """
    if chromium_available() and any(item.get_closest_marker("browser") for item in request.session.items):
        request.getfixturevalue("browser")


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium (Debian's package) driven by Playwright."""
    if not chromium_available():
        if os.environ.get("BROWSER_TESTS_REQUIRED"):
            pytest.fail(f"Chromium introuvable à {CHROMIUM} alors que les tests navigateur sont requis")
        pytest.skip("Chromium n'est pas installé (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API switches the contextvars context, and Django's connections live in an
    # asgiref Local keyed on it: after the launch, connections["default"] is a new object without the
    # snapshot the test database took at creation, so serialized_rollback silently restored nothing
    # (no root page, no groups) in every transactional test after the first browser test.
    snapshots = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        for alias, snapshot in snapshots.items():
            if snapshot is not None and not getattr(connections[alias], "_test_serialized_contents", None):
                connections[alias]._test_serialized_contents = snapshot
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    pg = context.new_page()
    yield pg
    context.close()


def axe_violations(pg, context=None):
    """Run axe-core (WCAG 2.1 A/AA rules) in the page and return the violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(pg, context=context, options={
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    })
    return results.response["violations"]


def format_violations(violations) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(n["target"]) for n in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} → {targets}")
    return "\n".join(lines)


@pytest.fixture
def demo(db, settings, tmp_path):
    """The demo site (``load_demo``) with only the collectivités it refers to; media in a temporary folder.

    Function-scoped on purpose: a session-wide demo would outlive the per-test transaction rollback and
    leak into every other test (and be flushed by the transactional live_server tests).
    """
    import io

    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("load_demo", collectivites="demo", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_fragment_cache():
    """Cached fragments (cms.cache) outlive a test's rolled-back database: each test starts without any."""
    from django.core.cache import caches

    caches["default"].clear()
    yield


@pytest.fixture(scope="module")
def shared_seed_edition(django_db_setup, django_db_blocker):
    """The seed edition (``newsletter.demo``) built once per module, rolled back at the module's end."""

    def build():
        from newsletter import demo

        ensure_home()
        demo.ensure_minimal_site()
        return demo.load()

    yield from shared_data(django_db_blocker, build)


@pytest.fixture
def seed_edition(shared_seed_edition, db):
    """The seed edition, read again for each test (which may change it inside its own transaction)."""
    from newsletter.models import NewsletterPage

    return NewsletterPage.objects.get(pk=shared_seed_edition.pk)
