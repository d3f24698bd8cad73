"""« Créer la campagne dans <outil> » in a real Chromium: visual check at 320 px and desktop, axe-core, and
the whole action done with the keyboard alone.

The admin page is rendered by Django's test client (logged in, inside the test's transaction) and handed
to Chromium with the static files; the form Chromium submits is replayed through the same test client, and
the tool is a local HTTP server (pytest-httpserver) answering as Mailchimp documents (tests/test_providers.py).
"""
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests.conftest import axe_violations, format_violations
from tests.test_providers import MAILCHIMP_KEY
from tests.visual import page_problems, prepare

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ORIGIN = "http://testserver"
# Wagtail's own sidebar, the same on every admin page and not this page's doing: its mobile menu button sits
# over the page header on a phone by design, and it cuts long menu labels with an ellipsis.
WAGTAIL_OWN = ("button.sidebar-nav-toggle", "a.sidebar-menu-item__link")


def serve_admin(page, client, paths):
    """Answer Chromium with pages rendered beforehand by the logged-in test client (a route handler runs
    outside the test's database connection) and the static files; a form POST is kept, to be replayed."""
    from django.contrib.staticfiles import finders

    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content
    posts = []

    def handle(route):
        request = route.request
        parts = urlsplit(request.url)
        if parts.netloc == "testserver" and parts.path.startswith(settings.STATIC_URL):
            found = finders.find(parts.path[len(settings.STATIC_URL):])
            return route.fulfill(path=found) if found else route.fulfill(status=404, body="")
        if parts.netloc == "testserver" and request.method == "POST":
            posts.append((parts.path, request.post_data_buffer, request.headers.get("content-type", "")))
            return route.fulfill(status=200, body="<!doctype html><title>envoyé</title>",
                                 headers={"content-type": "text/html; charset=utf-8"})
        if parts.netloc == "testserver" and parts.path in pages:
            return route.fulfill(status=200, body=pages[parts.path],
                                 headers={"content-type": "text/html; charset=utf-8"})
        return route.fulfill(status=204, body="")

    page.route("**/*", handle)
    return posts


def test_push_page_by_keyboard_is_accessible_and_fits_a_phone(page, seed_edition, moderator_user, settings,
                                                              httpserver):
    settings.MAILCHIMP_API_KEY, settings.MAILCHIMP_AUDIENCE_ID = MAILCHIMP_KEY, "aud123"
    settings.MAILCHIMP_API_URL = httpserver.url_for("/3.0")
    httpserver.expect_request("/3.0/campaigns", method="POST").respond_with_json({"id": "c0ffee1234", "web_id": 4321})
    httpserver.expect_request("/3.0/campaigns/c0ffee1234/content", method="PUT").respond_with_json({})
    client = Client()
    client.force_login(moderator_user)
    path = reverse("newsletter_campaign_push", args=[seed_edition.pk, "mailchimp"])
    posts = serve_admin(page, client, [path])
    prepare(page)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(ORIGIN + path)
        problems = [p for p in page_problems(page, f"admin-campagne-mailchimp-{width}", width=width)
                    if not any(part in p for part in WAGTAIL_OWN)]
        assert not problems, "\n".join(problems)
        violations = axe_violations(page, context="main")
        assert not violations, format_violations(violations)

    button = page.get_by_role("button", name="Créer la campagne dans Mailchimp")
    for _ in range(80):  # Tab until the submit button has the focus
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("le bouton « Créer la campagne dans Mailchimp » n'est pas atteignable au clavier")
    page.keyboard.press("Enter")
    page.wait_for_function("document.title === 'envoyé'")
    assert len(posts) == 1 and posts[0][0] == path
    # The form Chromium sent, replayed through Django: the draft is created in the tool.
    _path, body, content_type = posts[0]
    response = client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == 302
    assert "Campagne créée dans Mailchimp (brouillon n° c0ffee1234)" in str(list(get_messages(response.wsgi_request))[0])
    assert [r.path for r, _ in httpserver.log] == ["/3.0/campaigns", "/3.0/campaigns/c0ffee1234/content"]
