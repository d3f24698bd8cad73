"""The « S'abonner à la lettre » form in a real Chromium at 320 px: the visual check helper and axe-core
find nothing on the footer form, on the archive's form, on the form with its errors and on the pages
that follow (check your inbox, confirm, confirmed, unsubscribe). A live server: the form really posts,
with the browser's own Origin header (the footer form has no CSRF token, see subscribe_views.py).
"""
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache

from newsletter import subscriptions
from newsletter.models import NewsletterIndexPage, Subscriber
from tests.conftest import axe_violations, format_violations
from tests.visual import check_page, prepare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site_on_live_server(home, live_server):
    from wagtail.models import Site

    address = urlsplit(live_server.url)
    for site in Site.objects.filter(root_page=home):
        site.hostname, site.port = address.hostname, address.port
        site.save()
    return live_server.url


def form_violations(page, selector):
    violations = axe_violations(page, context=selector)
    assert not violations, format_violations(violations)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_footer_form_subscribe_confirm_unsubscribe_at_320(page, home, site_on_live_server, settings):
    width = 320
    origin = site_on_live_server
    settings.SITE_BASE_URL = origin
    page.set_viewport_size({"width": width, "height": 800})
    prepare(page)
    page.goto(origin + "/")
    form = page.locator("#pied")
    form.scroll_into_view_if_needed()
    assert form.locator("label[for=pied-email]").inner_text().startswith("Votre adresse électronique")
    assert not form.locator("#pied-site-web").is_visible() or form.locator("#pied-site-web").bounding_box()["x"] < 0
    check_page(page, f"abonnement-pied-accueil-{width}", width)
    form_violations(page, "#pied")

    # Sent empty: French errors next to the fields, on the subscribe page.
    page.click("#pied-bouton")
    page.wait_for_load_state("load")
    assert "Saisissez votre adresse électronique." in page.inner_text("#abonnement")
    assert "Cochez la case" in page.inner_text("#abonnement")
    check_page(page, f"abonnement-erreurs-{width}", width)
    form_violations(page, "#abonnement")

    page.fill("#abonnement-email", "camille.martin@exemple.fr")
    page.click("label[for=abonnement-consentement]")  # DSFR draws the box on the label
    assert page.is_checked("#abonnement-consentement")
    page.click("#abonnement-bouton")
    page.wait_for_url(origin + "/abonnement/merci/")
    assert "Vérifiez votre boîte de réception" in page.inner_text("h1")
    check_page(page, f"abonnement-merci-{width}", width)
    form_violations(page, "main")

    link = re.search(re.escape(origin) + r"/abonnement/confirmer/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    check_page(page, f"abonnement-confirmer-{width}", width)
    page.click("#bouton-confirmer-abonnement")
    page.wait_for_load_state("load")
    assert "Abonnement confirmé" in page.inner_text("h1")
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
    check_page(page, f"abonnement-confirme-{width}", width)
    form_violations(page, "main")

    page.goto(subscriptions.unsubscribe_url("camille.martin@exemple.fr"))
    check_page(page, f"desinscription-{width}", width)
    page.click("#bouton-desinscription")
    page.wait_for_load_state("load")
    assert "Désinscription enregistrée" in page.inner_text("h1")
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
    form_violations(page, "main")


    # The archive: its own form, none repeated in the footer.
    index = home.add_child(instance=NewsletterIndexPage(title="La newsletter", slug="newsletter",
                                                        intro="Chaque mois, les nouveautés du site."))
    page.goto(origin + index.url)
    assert page.locator("#lettre").count() == 1 and page.locator("#pied").count() == 0
    check_page(page, "abonnement-archive-320", 320)
    form_violations(page, "#lettre")
