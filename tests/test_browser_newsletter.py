"""The seed edition in a real Chromium: axe-core finds nothing on the web version nor in the email.

Chromium asks for http://testserver/…; the pages are rendered beforehand by Django's test client and the
static files come from the staticfiles finders, so the tests run inside the test's transaction with no
live server (no flushed database for the next tests) and nothing leaves the machine.
"""
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ORIGIN = "http://testserver"


def answer_with_django(page, paths):
    """Serve the given pages (rendered by Django's test client beforehand, inside the test's
    transaction) and the static files (staticfiles finders) to the browser; nothing else."""
    from django.contrib.staticfiles import finders

    client = Client()
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content

    def handle(route):
        parts = urlsplit(route.request.url)
        if parts.netloc == "testserver" and parts.path.startswith(settings.STATIC_URL):
            found = finders.find(parts.path[len(settings.STATIC_URL):])
            return route.fulfill(path=found) if found else route.fulfill(status=404, body="")
        if parts.netloc == "testserver" and parts.path in pages:
            return route.fulfill(status=200, body=pages[parts.path], headers={"content-type": "text/html; charset=utf-8"})
        return route.fulfill(status=204, body="")

    page.route("**/*", handle)


def test_web_version_and_archive_have_no_axe_violation(page, seed_edition):
    answer_with_django(page, [seed_edition.url, seed_edition.get_parent().url])
    page.goto(ORIGIN + seed_edition.url)
    assert page.locator("h1").first.inner_text().strip() == seed_edition.title
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")  # the DSFR is loaded
    assert page.locator("h2", has_text="Le concept du mois : Qualité de la participation").count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.goto(ORIGIN + seed_edition.get_parent().url)
    assert page.locator("a", has_text=seed_edition.title).count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("tool", ["mailchimp", "generic"])
def test_email_html_has_no_axe_violation(page, seed_edition, tool):
    from newsletter.rendering import render_email

    html = render_email(seed_edition, tool).html
    page.route("**/*", lambda route: route.fulfill(status=204, body=""))  # nothing leaves the machine
    page.set_content(html, wait_until="domcontentloaded")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h2", has_text="A vos agendas !").count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_email_is_one_600px_column_at_desktop_and_fits_a_phone(page, seed_edition):
    from newsletter.rendering import render_email

    html = render_email(seed_edition, "generic").html
    page.route("**/*", lambda route: route.fulfill(status=204, body=""))
    page.set_viewport_size({"width": 1024, "height": 800})
    page.set_content(html, wait_until="domcontentloaded")
    width = page.evaluate("Math.max(...[...document.querySelectorAll('div[style*=\"max-width:600px\"]')]"
                          ".map(e => e.getBoundingClientRect().width))")
    assert width == 600
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
