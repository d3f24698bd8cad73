"""The seed edition in a real Chromium: axe-core finds nothing on the web version nor in the email."""
import pytest

from tests.conftest import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def seed_edition(home):
    from newsletter import demo

    demo.ensure_minimal_site()
    return demo.load()


def test_web_version_and_archive_have_no_axe_violation(live_server, page, seed_edition):
    page.goto(live_server.url + seed_edition.url)
    assert page.locator("h1").first.inner_text().strip() == seed_edition.title
    assert page.locator("h2", has_text="Le concept du mois : Qualité de la participation").count() == 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.goto(live_server.url + seed_edition.get_parent().url)
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
