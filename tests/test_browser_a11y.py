"""Every public page type in a real Chromium: axe-core (WCAG 2.1 A/AA) finds no violation, the DSFR
CSS and JS load from the site itself, nothing is requested from another host, and no script fails.
"""
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import axe_violations, format_violations
from tests.test_public_site import build_site

# serialized_rollback: the flush after each live-server test would otherwise take the Wagtail root page
# and default site created by the migrations with it, and the next test could not build its site.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def public_site(home, live_server):
    """The representative site, answering at the live server's address (absolute card links work)."""
    from wagtail.models import Site

    pages = build_site(home)
    address = urlsplit(live_server.url)
    for site in Site.objects.filter(root_page=home):
        site.hostname, site.port = address.hostname, address.port
        site.save()
    return pages


def watch_requests(pg, live_server):
    """Serve uploaded images from MEDIA_ROOT (the live server only serves static files), block and
    record any request to another host."""
    from django.conf import settings

    origin = urlsplit(live_server.url)
    foreign, failures = [], []

    def handle(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob"):
            return route.continue_()
        if (url.hostname, url.port) != (origin.hostname, origin.port):
            foreign.append(route.request.url)
            return route.abort()
        if url.path.startswith(settings.MEDIA_URL):
            path = Path(settings.MEDIA_ROOT) / url.path[len(settings.MEDIA_URL):]
            if path.is_file():
                return route.fulfill(path=str(path))
            failures.append(route.request.url)
            return route.fulfill(status=404, body="")
        return route.continue_()

    pg.route("**/*", handle)
    pg.on("requestfailed", lambda request: failures.append(f"{request.url} {request.failure}"))
    return foreign, failures


def public_urls(pages):
    urls = [pages[name].url for name in (
        "home", "mentions", "thematiques", "emploi", "enfance", "projets_index", "projet_partage", "library",
        "projet", "article", "tribune", "concept", "actualite", "agenda", "upcoming", "past")]
    return urls + [
        "/ressources/?thematique=retour-a-lemploi&type=projet&departement=34",  # filtered library
        "/ressources/?type=podcast&annee=deux-mille",  # the library with French error messages
        "/recherche/?q=emploi",
        "/recherche/?q=introuvable",
        "/recherche/",
    ]


def test_every_public_page_type_has_no_axe_violation_and_only_local_assets(live_server, page, public_site):
    foreign, failures = watch_requests(page, live_server)
    console_errors = []
    page.on("console", lambda msg: console_errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(f"{page.url}: {exc}"))
    report = {}
    for path in public_urls(public_site):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        # The DSFR stylesheet is applied (Marianne, served locally) and its JS has started.
        assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily"), path
        page.wait_for_function("() => window.dsfr !== undefined && document.documentElement.hasAttribute('data-fr-js')")
        violations = axe_violations(page)
        if violations:
            report[path] = format_violations(violations)
    assert not report, "\n".join(f"{path}:\n{text}" for path, text in report.items())
    assert foreign == [], foreign
    assert failures == [], failures
    assert console_errors == [], console_errors


def test_not_found_page_has_no_axe_violation(live_server, page, public_site):
    foreign, _failures = watch_requests(page, live_server)
    response = page.goto(live_server.url + "/cette-page-nexiste-pas/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page non trouvée"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert foreign == []


def test_skip_link_then_mobile_menu(live_server, page, public_site):
    watch_requests(page, live_server)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + public_site["library"].url)
    page.wait_for_function("() => document.documentElement.hasAttribute('data-fr-js')")
    # The first Tab reaches the skip link to the content, which moves the focus into <main>.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    # On a phone the navigation lives behind the Menu button, in a DSFR modal.
    nav = page.locator("#navigation")
    assert not nav.is_visible()
    page.get_by_role("button", name="Menu").click()
    nav.wait_for(state="visible")
    assert nav.get_by_role("link", name="Ressources").get_attribute("aria-current") == "page"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    page.keyboard.press("Escape")
    nav.wait_for(state="hidden")


def test_every_page_type_of_the_demo_site_has_no_axe_violation(live_server, page, demo, home):
    """The December 2021 edition as loaded by ``load_demo``: one page of every type it publishes."""
    from wagtail.models import Page, Site

    address = urlsplit(live_server.url)
    for site in Site.objects.all():
        site.hostname, site.port = address.hostname, address.port
        site.save()
    foreign, failures = watch_requests(page, live_server)
    console_errors = []
    page.on("console", lambda msg: console_errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    one_of_each_type = {}
    for demo_page in Page.objects.live().public().filter(depth__gte=2).order_by("path").specific():
        one_of_each_type.setdefault(type(demo_page).__name__, demo_page.url)
    assert {"HomePage", "StandardPage", "ThematiqueIndexPage", "ThematiquePage", "RessourceIndexPage", "ProjetPage",
            "ArticlePage", "TribunePage", "ConceptPage", "ActualitePage", "AgendaIndexPage", "EvenementPage",
            "ProjetPartageIndexPage", "ProjetPartagePage"} <= set(one_of_each_type), sorted(one_of_each_type)
    urls = list(one_of_each_type.values()) + [
        "/recherche/?q=participation", one_of_each_type["RessourceIndexPage"] + "?type=projet&annee=2021"]
    report = {}
    for path in urls:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_function("() => document.documentElement.hasAttribute('data-fr-js')")
        violations = axe_violations(page)
        if violations:
            report[path] = format_violations(violations)
    assert not report, "\n".join(f"{path}:\n{text}" for path, text in report.items())
    assert foreign == [] and failures == [] and console_errors == [], (foreign, failures, console_errors)
