"""The newsletter desk: the pre-export address checks, the e-mail preview's own CSP, the export list."""
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from newsletter.checks import address_problem, check_public_urls


@pytest.mark.parametrize("url", [
    "http://localhost:8000/", "https://localhost/x", "http://app.localhost/", "http://127.0.0.1:8000/media/a.png",
    "http://127.8.9.10/", "http://[::1]:8000/", "http://[::ffff:127.0.0.1]/",
    "http://10.0.0.5/", "https://172.16.3.4/", "http://172.31.255.255/", "http://192.168.1.20:8080/",
    "http://[fd00::1]/", "http://169.254.1.1/", "http://0.0.0.0:8000/",
])
def test_local_and_private_addresses_are_refused(url):
    assert address_problem(url, production=False) is not None


@pytest.mark.parametrize("url", [
    "https://territoires-en-commun.fr/ressources/", "http://territoires-en-commun.fr/", "https://172.32.0.1/",
    "https://8.8.8.8/", "mailto:equipe@territoires-en-commun.fr", "*|UNSUB|*", "#haut", "",
])
def test_public_addresses_and_non_urls_pass(url):
    assert address_problem(url, production=False) is None


def test_plain_http_is_refused_with_the_production_settings_only(settings):
    assert address_problem("http://territoires-en-commun.fr/", production=True) is not None
    assert address_problem("https://territoires-en-commun.fr/", production=True) is None
    settings.NEWSLETTER_REQUIRE_HTTPS = True
    assert "http" in address_problem("http://territoires-en-commun.fr/")
    settings.NEWSLETTER_REQUIRE_HTTPS = False
    assert address_problem("http://territoires-en-commun.fr/") is None


def test_production_settings_require_https():
    from pathlib import Path

    source = (Path(__file__).resolve().parent.parent / "cms" / "settings" / "production.py").read_text()
    assert "NEWSLETTER_REQUIRE_HTTPS = True" in source


def _rendered(html):
    return SimpleNamespace(html=html, soup=BeautifulSoup(html, "html.parser"))


def test_one_error_per_unreachable_origin_counting_links_and_images():
    html = ('<a href="http://127.0.0.1:8000/a/">a</a><a href="http://127.0.0.1:8000/b/">b</a>'
            '<img src="http://127.0.0.1:8000/media/x.png" alt=""><a href="https://territoires-en-commun.fr/">ok</a>'
            '<a href="http://192.168.0.3/">c</a>')
    checks = check_public_urls(None, _rendered(html))
    assert [c.is_error for c in checks] == [True, True]
    assert checks[0].message.startswith("2 liens et 1 image pointent vers «\u202fhttp://127.0.0.1:8000\u202f»")
    assert "bouclage" in checks[0].message and "SITE_BASE_URL" in checks[0].message
    assert checks[1].message.startswith("1 lien pointe vers «\u202fhttp://192.168.0.3\u202f»")
    assert check_public_urls(None, _rendered('<a href="https://territoires-en-commun.fr/">ok</a>')) == []


def test_export_is_refused_when_the_base_url_is_local_unless_forced(seed_edition, settings):
    from newsletter.exports import ExportBlocked, export_edition

    settings.SITE_BASE_URL = "http://127.0.0.1:8000"
    with pytest.raises(ExportBlocked) as blocked:
        export_edition(seed_edition, "brevo", "zip")
    assert any(c.code == "address" for c in blocked.value.checks)
    result = export_edition(seed_edition, "brevo", "zip", force=True)
    assert result.record.forced

    settings.SITE_BASE_URL = "https://territoires-en-commun.fr"
    result = export_edition(seed_edition, "brevo", "zip")
    assert "127.0.0.1" not in result.record.html and "https://territoires-en-commun.fr/" in result.record.html


def test_email_preview_has_its_own_policy_and_the_public_site_keeps_its_own(seed_edition, moderator_user, client):
    client.force_login(moderator_user)
    response = client.get(reverse("newsletter_email_preview", args=[seed_edition.pk]))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy
    public = client.get("/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in public.split("style-src")[1].split(";")[0]

    # Wagtail's own « E-mail » preview mode: the same policy, not the public page's.
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = moderator_user
    preview = seed_edition.make_preview_request(request, "email")
    assert "style-src 'unsafe-inline'" in preview["Content-Security-Policy"]


def test_editor_without_publish_right_sees_no_desk_button(seed_edition, editor, client):
    client.force_login(editor)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])).content.decode()
    assert reverse("newsletter_email_preview", args=[seed_edition.pk]) not in edit
    assert client.get(reverse("newsletter_email_preview", args=[seed_edition.pk])).status_code in (302, 403)


def test_export_list_words_not_icons(seed_edition, moderator_user, client):
    from newsletter.exports import export_edition

    export_edition(seed_edition, "generic", "html", user=moderator_user)
    client.force_login(moderator_user)
    body = client.get("/admin/newsletter/newsletterexport/").content.decode()
    table = BeautifulSoup(body, "html.parser").select_one("table.listing")
    row = table.select_one("tbody tr")
    cells = {td.get("class", [""])[0]: td for td in row.find_all("td")}
    assert cells["field-forced_label"].get_text(strip=True) == "non"  # words, not a red ✖ for « not forced »
    assert not cells["field-forced_label"].select("svg")
    assert cells["field-current"].get_text(strip=True) == "oui"  # still the current revision
    assert cells["field-size"].get_text().endswith("\u00a0Ko")
    assert "à" in cells["field-exported_at"].get_text()  # « 2 décembre 2026 à 9 h 30 »


# --- where each problem comes from, with a link to it in the editor -----------------------------------------


def _section_with_page(edition, slug):
    """(section block, its « items » entry whose page has ``slug``, 1-based position) in the edition."""
    from wagtail.models import Page

    page_id = Page.objects.get(slug=slug).pk
    for block in edition.sections:
        items = block.value.get("items") if hasattr(block.value, "get") else None
        for position, item in enumerate(getattr(items, "bound_blocks", []) or [], start=1):
            if item.value.get("page") and item.value["page"].pk == page_id:
                return block, item, position
    raise AssertionError(f"no item for {slug}")


def test_each_problem_names_its_section_and_item_with_wagtails_address(seed_edition):
    from newsletter.checks import check_edition
    from newsletter.rendering import render_email
    from ressources.models import ProjetPage

    block, item, position = _section_with_page(seed_edition, "wake-up-cafe")
    ProjetPage.objects.get(slug="wake-up-cafe").unpublish()
    sections = list(seed_edition.sections)
    edito = sections[0]
    edito.value["body"] = type(edito.value["body"])(
        edito.value["body"].source + '<p><img src="/media/sans-alt.png"></p>')
    seed_edition.subject = ""
    checks = {c.code: c for c in check_edition(seed_edition, render_email(seed_edition, "generic"))}

    unpublished = checks["unpublished"].locations
    assert [loc.contentpath for loc in unpublished] == [f"sections.{block.id}.items.{item.id}"]
    title = block.value["title"]
    assert unpublished[0].label.startswith(f"Section «\u202f{title}\u202f», élément {position} «\u202f")
    # The image without alt is in the édito's text: the édito section, its own address.
    assert [(loc.label, loc.contentpath) for loc in checks["alt"].locations] == [
        (f"Section «\u202f{edito.value['title']}\u202f»", f"sections.{edito.id}")]
    assert [(loc.label, loc.contentpath) for loc in checks["subject"].locations] == [("Objet du courriel", "subject")]
    assert "élément" in str(checks["unpublished"])  # the command prints where, too
    assert checks["unpublished"].as_dict()["locations"][0]["contentpath"] == unpublished[0].contentpath


def test_loopback_links_of_an_item_name_the_item_and_the_sites_address_names_the_setting(seed_edition, settings):
    from dataclasses import replace
    from types import SimpleNamespace

    from bs4 import BeautifulSoup

    from newsletter.checks import check_public_urls
    from newsletter.rendering import render_email

    settings.SITE_BASE_URL = "https://territoires-en-commun.fr"
    rendered = render_email(seed_edition, "generic")
    block, item, position = _section_with_page(seed_edition, "wake-up-cafe")
    section = next(s for s in rendered.sections if s.block_id == block.id)
    card = next(c for c in section.cards if c.page_id == item.value["page"].pk)
    # An editor pasted a link to their own machine as the item's external resource.
    html = rendered.html.replace(f'href="{card.link}"', 'href="http://localhost:8000/brouillon/"', 1)
    assert html != rendered.html
    for entry in section.email_cards:  # the card as the e-mail drew it
        if entry["card"] is card:
            entry["card"] = replace(card, external_url="http://localhost:8000/brouillon/")
    checks = check_public_urls(seed_edition, SimpleNamespace(html=html, soup=BeautifulSoup(html, "html.parser"),
                                                             sections=rendered.sections))
    assert len(checks) == 1 and checks[0].is_error
    assert [loc.contentpath for loc in checks[0].locations] == [f"sections.{block.id}.items.{item.id}"]

    settings.SITE_BASE_URL = "http://127.0.0.1:8000"  # the whole site's address: the setting is at fault
    rendered = render_email(seed_edition, "generic")
    checks = check_public_urls(seed_edition, rendered)
    assert [loc.contentpath for loc in checks[0].locations] == [""]
    assert "SITE_BASE_URL" in checks[0].locations[0].label


def test_export_page_and_checks_panel_link_each_problem_to_its_block(seed_edition, moderator_user, client,
                                                                     django_assert_max_num_queries):
    from ressources.models import ProjetPage

    block, item, _position = _section_with_page(seed_edition, "wake-up-cafe")
    ProjetPage.objects.get(slug="wake-up-cafe").unpublish()
    client.force_login(moderator_user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])
    address = f"#:w:contentpath=sections.{block.id}.items.{item.id}"

    export = client.get(reverse("newsletter_export", args=[seed_edition.pk])).content.decode()
    assert f'href="{edit_url}{address}"' in export

    with django_assert_max_num_queries(60):
        fragment = client.get(reverse("newsletter_checks", args=[seed_edition.pk]))
    body = fragment.content.decode()
    assert fragment.status_code == 200 and f'href="{address}"' in body  # same page: the edit view
    assert "1 erreur" in body and "Wake Up Café" in body

    # Wagtail's checks side panel of the edit view carries the place the list is loaded into.
    edit = client.get(edit_url).content.decode()
    assert f'data-newsletter-checks-url="{reverse("newsletter_checks", args=[seed_edition.pk])}"' in edit
    assert "newsletter/desk-checks" in edit


def test_checks_panel_is_for_those_who_may_export(seed_edition, editor, client):
    client.force_login(editor)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])).content.decode()
    assert "data-newsletter-checks-url" not in edit
    assert client.get(reverse("newsletter_checks", args=[seed_edition.pk])).status_code in (302, 403)
