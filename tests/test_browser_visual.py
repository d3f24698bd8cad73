"""Every public page type of the demo, as a visitor sees it on a phone, a tablet, a desktop and zoomed to
200 %: no sideways scroll (RGAA 10.11, reflow at 320 CSS px), no clipped label, no distorted image, nothing
over the header, no CSP violation or console error (``tests.visual``), and no axe-core violation.

The demo is loaded once, in one transactional test that visits every page at every width and reports every
problem at once (a live server needs committed data, and each transactional test flushes it: one test keeps
the suite fast). Zoom at 200 % on a 1280 px screen (RGAA 10.4) is emulated as a 640 CSS px viewport with a
device scale factor of 2: that is what the browser lays out when a 1280 px window is zoomed to 200 %.

axe-core (WCAG 2.1 A/AA) runs at 320, 768 and 1280 px, one width per DSFR layout. The screenshots land in
``var/screenshots/<width>/<page>.png`` (``1280x2`` for the zoomed run).
"""
from urllib.parse import urlsplit

import pytest

from tests.conftest import axe_violations, format_violations
from tests.test_browser_a11y import watch_requests
from tests.visual import page_problems, prepare

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# (name used for the screenshots folder, CSS viewport width, device scale factor)
VIEWPORTS = [("320", 320, 1), ("390", 390, 1), ("768", 768, 1), ("1280", 1280, 1), ("1280x2", 640, 2)]
# axe-core runs at one width of each DSFR layout (below md, md to lg, lg and up): its rules read the DOM and
# the colours, which the other widths share; the visual checks run at every width.
AXE_AT = {"320", "768", "1280"}


def demo_pages():
    """{name: (path, action)}: one page of every public type of the demo; action is None or "submit"."""
    from wagtail.models import Page

    from home.models import HomePage
    from newsletter.models import NewsletterIndexPage, NewsletterPage
    from ressources.models import (
        ActualitePage,
        AgendaIndexPage,
        ArticlePage,
        ConceptPage,
        EvenementPage,
        ProjetPage,
        RessourceIndexPage,
        TribunePage,
    )
    from thematiques.models import ProjetPartageIndexPage, ProjetPartagePage, ThematiqueIndexPage, ThematiquePage
    from thematiques.vote.models import Campaign, VotePage

    def first(model, **filters):
        page = model.objects.live().public().filter(**filters).order_by("path").first()
        assert page is not None, f"the demo has no live {model.__name__}"
        return page.url

    library = first(RessourceIndexPage)
    vote = first(VotePage)
    closed = Campaign.objects.filter(status=Campaign.Status.CLOS).order_by("-closes_at").first()
    assert closed is not None, "the demo has no closed campaign"
    assert Page.objects.live().count() > 20
    return {
        "home": (first(HomePage), None),
        "thematiques": (first(ThematiqueIndexPage), None),
        "thematique": (first(ThematiquePage, is_thematique_du_mois=True), None),
        "library": (library, None),
        "library-filtered": (library + "?thematique=retour-a-l-emploi&type=projet", None),
        "projet": (first(ProjetPage), None),
        "article": (first(ArticlePage), None),
        "tribune": (first(TribunePage), None),
        "concept": (first(ConceptPage), None),
        "actualite": (first(ActualitePage), None),
        "agenda": (first(AgendaIndexPage), None),
        "evenement": (first(EvenementPage), None),
        "projets-partages": (first(ProjetPartageIndexPage), None),
        "projet-partage": (first(ProjetPartagePage), None),
        "vote-open": (vote, None),
        "vote-closed": (f"{vote}?campagne={closed.pk}", None),
        "newsletter-archive": (first(NewsletterIndexPage), None),
        "newsletter-edition": (first(NewsletterPage), None),
        "search": ("/recherche/?q=participation", None),
        "contribution-errors": ("/contribuer/evenement/", "submit"),
        "contact-errors": ("/contact/", "submit"),
        "not-found": ("/cette-page-nexiste-pas/", None),
    }


def point_sites_at(live_server):
    from wagtail.models import Site

    address = urlsplit(live_server.url)
    for site in Site.objects.all():
        site.hostname, site.port = address.hostname, address.port
        site.save()


def visit(pg, live_server, name, path, action):
    """Open the page (submitting its form empty when asked); the problems of the request itself."""
    response = pg.goto(live_server.url + path)
    expected = 404 if name == "not-found" else 200
    problems = []
    if response.status != expected:
        problems.append(f"{name}: HTTP {response.status} for {path}")
    if action == "submit":
        with pg.expect_navigation():
            pg.locator("main form button[type=submit], main form input[type=submit]").last.click()
        if not pg.locator(".fr-alert--error, .fr-message--error, .fr-error-text").count():
            problems.append(f"{name}: the empty form shows no error")
    pg.wait_for_function("() => document.documentElement.hasAttribute('data-fr-js')")
    return problems


def test_every_public_page_of_the_demo_at_every_width(live_server, browser, demo):
    point_sites_at(live_server)
    pages = demo_pages()
    problems = []
    for label, width, scale in VIEWPORTS:
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900},
                                      device_scale_factor=scale)
        pg = context.new_page()
        recorder = prepare(pg)
        recorder.allow(r"status of 404")  # the 404 page's own status, reported by Chromium as an error
        foreign, failures = watch_requests(pg, live_server)
        for name, (path, action) in pages.items():
            problems += visit(pg, live_server, name, path, action)
            problems += page_problems(pg, name, width=label)
            violations = axe_violations(pg) if label in AXE_AT else []
            if violations:
                problems.append(f"{name} @ {label}: axe-core:\n{format_violations(violations)}")
        problems += [f"@ {label}: request to another host {url}" for url in foreign]
        problems += [f"@ {label}: failed request {url}" for url in failures]
        context.close()
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def tab_to(pg, predicate: str, limit: int = 250) -> int:
    """Press Tab until ``predicate`` (a JS expression on ``el``, the focused element) holds; the count."""
    for count in range(1, limit + 1):
        pg.keyboard.press("Tab")
        if pg.evaluate(f"(() => {{ const el = document.activeElement; return !!(el && ({predicate})); }})()"):
            return count
    raise AssertionError(f"{limit} presses of Tab never reached the element where {predicate}")


def test_vote_from_the_home_page_on_a_phone_with_the_keyboard_alone(live_server, browser, demo):
    from django.core import mail

    from tests.vote_helpers import link_from_outbox
    from thematiques.models import Collectivite
    from thematiques.vote.models import Ballot, Campaign

    point_sites_at(live_server)
    campaign = Campaign.current()
    assert campaign.is_open(), "the demo's current campaign is the open one"
    collectivite = Collectivite.objects.filter(echelon="com").order_by("code").first()
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, device_scale_factor=1)
    pg = context.new_page()
    prepare(pg)
    watch_requests(pg, live_server)
    pg.goto(live_server.url + "/")
    pg.wait_for_function("() => document.documentElement.hasAttribute('data-fr-js')")
    problems = page_problems(pg, "vote-flow-1-home", width="390")

    # The home page's vote section leads to the open campaign.
    tab_to(pg, "el.closest('#vote-accueil') && el.textContent.trim() === 'Votez pour une thématique'")
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    pg.wait_for_selector("#formulaire-vote")
    problems += page_problems(pg, "vote-flow-2-form", width="390")

    tab_to(pg, "el.id === 'id_collectivite'")
    pg.keyboard.type(collectivite.code)
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.id") == "id_email"
    pg.keyboard.type("agent@mairie-demo.fr")
    pg.keyboard.press("Tab")  # into the radio group: the first thématique
    pg.keyboard.press("ArrowDown")  # the second one, selected
    chosen = pg.evaluate("document.querySelector('input[name=thematiques]:checked').labels[0].textContent.trim()")
    pg.keyboard.press("Tab")  # the honeypot is hidden: the next stop is the submit button
    assert pg.evaluate("document.activeElement.textContent.trim()") == "Voter"
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    pg.wait_for_selector("#vote-envoye")
    problems += page_problems(pg, "vote-flow-3-sent", width="390")

    assert [m.to for m in mail.outbox] == [["agent@mairie-demo.fr"]]
    pg.goto(link_from_outbox())  # the link of the e-mail
    tab_to(pg, "el.id === 'bouton-confirmer'")
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    pg.wait_for_selector("#confirmation-ok")
    problems += page_problems(pg, "vote-flow-4-confirmed", width="390")
    violations = axe_violations(pg)
    context.close()

    ballot = Ballot.objects.get(campaign=campaign, collectivite=collectivite)
    assert ballot.counts and ballot.choices_display() == chosen
    assert not problems, "\n".join(problems)
    assert not violations, format_violations(violations)
