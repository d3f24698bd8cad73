"""The exported e-mail as subscribers meet it: pictures in proportion, dark mode, plain text, compact cards,
client compatibility (caniemail's data) and, in Chromium, phones and desktops in both colour schemes."""
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from newsletter import compatibility, demo
from newsletter.checks import check_edition
from newsletter.profiles import PROFILES
from newsletter.rendering import TEXT_WIDTH, THUMB_WIDTH, render_email
from tests.conftest import ensure_home, shared_data

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots" / "email"
CANIEMAIL_REQUIRED = bool(os.environ.get("BROWSER_TESTS_REQUIRED"))  # .ci/run installs the data


def _image(title, size=(1200, 800), colour="steelblue"):
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    return get_image_model().objects.create(title=title, description=title, file=get_test_image_file(size=size, colour=colour))


@pytest.fixture(scope="module")
def shared_illustrated_edition(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seed edition with card pictures (as the demo site has them) and two partners, one with a logo.

    Built once for the module (the tests only read it, or change it inside their own transaction); its
    pictures live in a media folder of the module's own.
    """
    from django.test import override_settings

    def build():
        from cms.models import Partenaire
        from ressources.models import ActualitePage, ProjetPage
        from thematiques.models import ThematiquePage

        ensure_home()
        demo.ensure_minimal_site()
        for model in (ThematiquePage, ProjetPage, ActualitePage):
            for page in model.objects.all():
                page.listing_image = _image(f"Illustration — {page.title}")
                page.save_revision().publish()
        Partenaire.objects.create(name="ANCT", logo=_image("Logo ANCT", size=(400, 100), colour="navy"),
                                  url="https://anct.example/")
        Partenaire.objects.create(name="Réseau des collectivités", url="https://reseau.example/")
        return demo.load()

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield from shared_data(django_db_blocker, build)


@pytest.fixture
def illustrated_edition(shared_illustrated_edition, db):
    """The module's edition, read again for each test."""
    from newsletter.models import NewsletterPage

    return NewsletterPage.objects.get(pk=shared_illustrated_edition.pk)


def soup_of(html):
    return BeautifulSoup(html, "html.parser")


def style_of(tag) -> dict:
    return {k.strip().lower(): v.strip() for k, v in
            (part.split(":", 1) for part in (tag.get("style") or "").split(";") if ":" in part)}


# --- HTML --------------------------------------------------------------------------------------------------


def test_pictures_keep_their_ratio_logos_one_size_and_buttons_are_their_link(illustrated_edition):
    html = render_email(illustrated_edition, "mailchimp").html
    soup = soup_of(html)
    pictures = soup.select("img.nl-img")
    assert len(pictures) >= 8
    for img in pictures:
        style = style_of(img)
        assert style["height"] == "auto", img  # never a fixed height: the picture scales with its width
        if int(img["width"]) == THUMB_WIDTH:  # compact thumbnail: never scaled down, both attributes
            assert abs(int(img["width"]) / int(img["height"]) - 1200 / 630) < 0.02 * 1200 / 630
    # Outlook for Windows: its own copy of each full picture, with the rendition's width and height.
    outlook = re.findall(r'<!--\[if mso\]><img [^>]*width="(\d+)" height="(\d+)"', html)
    assert outlook and all(abs(int(w) / int(h) - 1200 / 630) < 0.02 * 1200 / 630 for w, h in outlook)

    logo = soup.find("img", alt="ANCT")
    style = style_of(logo)
    assert (style["width"], style["height"]) == (f"{logo['width']}px", f"{logo['height']}px")
    assert "max-height" not in style
    assert "nl-plate" in logo.parent["class"] and "#ffffff" in logo.parent["style"]  # a light plate

    buttons = soup.select("a.nl-btn-a")
    assert buttons
    for a in buttons:
        cell = a.find_parent("td")
        assert "padding" not in style_of(cell)  # the cell adds nothing around the link
        assert style_of(a)["display"] == "block" and "border-width" in style_of(a)


def test_head_preheader_and_dark_mode(illustrated_edition):
    html = render_email(illustrated_edition, "generic").html
    soup = soup_of(html)
    assert soup.find("meta", attrs={"name": "x-apple-disable-message-reformatting"})
    assert "telephone=no" in soup.find("meta", attrs={"name": "format-detection"})["content"]
    css = " ".join(s.get_text() for s in soup.find_all("style"))
    assert "a[x-apple-data-detectors]" in css
    assert "@media (prefers-color-scheme:dark)" in css and "[data-ogsc]" in css and "[data-ogsb]" in css
    assert "!important" in css and not re.search(r"\S!important", css)  # Orange drops "x!important"

    preheader = soup.select_one("div.nl-preheader")
    assert preheader.get_text() == illustrated_edition.preheader
    filler = preheader.find_next_sibling("div")
    assert filler["aria-hidden"] == "true" and "mso-hide:all" in filler["style"] and "display:none" in filler["style"]
    assert "&#847;&zwnj;&nbsp;" * 10 in html


def test_rich_text_paragraphs_and_list_items_carry_their_styles_inline(illustrated_edition):
    """SFR and La Poste drop <style>: each paragraph and list item says its margins, and the text's font,
    size and colour are inline on the block around it."""
    soup = soup_of(render_email(illustrated_edition, "generic").html)
    body = soup.body
    for tag in body.find_all(["p", "li", "ul", "h1", "h2", "h3", "h4"]):
        assert "margin" in style_of(tag), tag
        block = tag.find_parent("div", style=re.compile("font-family"))
        assert block is not None and "color" in style_of(block) and "font-size" in style_of(block), tag
    for a in body.find_all("a"):
        assert "color" in style_of(a), a


def test_mailchimp_footer_tags_and_the_check_of_required_tags(illustrated_edition):
    rendered = render_email(illustrated_edition, "mailchimp")
    assert "*|HTML:LIST_ADDRESS_HTML|*" in rendered.html and "*|REWARDS|*" in rendered.html
    assert "*|LIST_ADDRESS|*" in rendered.text and "*|HTML:" not in rendered.text
    assert "10 rue" not in rendered.html or "*|HTML:LIST_ADDRESS_HTML|*" in rendered.html
    assert not [c for c in check_edition(illustrated_edition, rendered) if c.code == "required_tag"]
    for profile in PROFILES.values():
        for tag in profile.required_tags:
            assert tag in render_email(illustrated_edition, profile.name).html, (profile.name, tag)

    rendered.html = rendered.html.replace("*|REWARDS|*", "")
    missing = [c for c in check_edition(illustrated_edition, rendered) if c.code == "required_tag"]
    assert len(missing) == 1 and missing[0].is_error and "*|REWARDS|*" in missing[0].message
    # A test send shows the site's postal address, not Mailchimp's tags.
    working = render_email(illustrated_edition, "mailchimp", working_links=True)
    assert "*|" not in working.html and "*|" not in working.text


def test_plain_text_is_wrapped_at_76_with_whole_urls_titles_underlined_and_partners(illustrated_edition):
    rendered = render_email(illustrated_edition, "generic")
    lines = rendered.text.splitlines()
    for line in lines:
        assert len(line) <= TEXT_WIDTH or re.fullmatch(r"\S+", line), line  # only a lone URL may be longer
    for url in {link for link in rendered.links if link.startswith("http")}:
        assert url in lines, url  # each URL whole, on its own line
    i = lines.index("Projets démocratiques et expériences territoriales pour vous inspirer")
    assert set(lines[i + 1]) == {"="} and len(lines[i + 1]) == len(lines[i])
    assert "Partenaires : ANCT, Réseau des collectivités" in lines


def test_compact_cards_by_default_for_projects_and_news_and_chosen_per_section(illustrated_edition):
    from newsletter.models import NewsletterPage

    styles = {s.kind: s.card_style for s in illustrated_edition.build_sections()}
    assert styles["projets"] == "compact" and styles["actualites"] == "compact"
    assert styles["aller_plus_loin"] == "full"
    soup = soup_of(render_email(illustrated_edition, "generic").html)
    assert len(soup.select("div.nl-thumb")) >= 5

    sections = list(illustrated_edition.sections)
    for block in sections:
        if "card_style" in block.value:
            block.value["card_style"] = "full"
    illustrated_edition.sections = [(b.block_type, b.value) for b in sections]
    illustrated_edition.save_revision().publish()
    soup = soup_of(render_email(NewsletterPage.objects.get(pk=illustrated_edition.pk), "generic").html)
    assert not soup.select("div.nl-thumb")


def _data_or_skip():
    data = compatibility.load_data()
    if data is None:
        if CANIEMAIL_REQUIRED:
            pytest.fail("données caniemail absentes (make install)")
        pytest.skip("caniemail n'est pas installé (make install)")
    return data


def test_compatibility_with_caniemail_data_per_client_family(illustrated_edition):
    _data_or_skip()
    for tool in PROFILES:
        rendered = render_email(illustrated_edition, tool)
        report = rendered.compatibility
        assert [row.label for row in report.rows] == [
            "Gmail", "Outlook Windows", "Outlook.com", "Apple Mail", "Yahoo", "Orange", "SFR", "La Poste"]
        assert report.problems == [], report.problems  # nothing unsupported that a reader would notice
        assert "css-at-media-prefers-color-scheme" in report.features and "html-style" in report.features
        accepted = {slug for row in report.rows for slug, _title in row.accepted}
        assert accepted <= set(compatibility.ACCEPTED) and all(compatibility.ACCEPTED[s] for s in accepted)
        assert not [c for c in check_edition(illustrated_edition, rendered) if c.code.startswith("compat")]

    # A feature that changes what readers see is reported, per family, as a warning of the export checks.
    rendered = render_email(illustrated_edition, "generic")
    rendered.soup = soup_of(rendered.html.replace('<div class="nl-thumb" style="', '<div class="nl-thumb" style="position:absolute;'))
    rendered._compatibility = None
    problems = rendered.compatibility.problems
    assert {slug for _family, slug, _t, _w in problems} == {"css-position"}
    warnings = [c for c in check_edition(illustrated_edition, rendered) if c.code == "compat"]
    assert len(warnings) == 1 and not warnings[0].is_error and "Outlook Windows" in warnings[0].message


def test_export_command_prints_the_compatibility_table(illustrated_edition, tmp_path, capsys):
    from django.core.management import call_command

    _data_or_skip()
    call_command("export_newsletter", "decembre-2021", "--tool", "mailchimp", "--output", str(tmp_path / "e.html"))
    err = capsys.readouterr().err
    assert "Compatibilité par client (caniemail)" in err
    for family in ("Gmail", "Outlook Windows", "Outlook.com", "Apple Mail", "Yahoo", "Orange", "SFR", "La Poste"):
        assert re.search(rf"{re.escape(family)}\s+\| aucun", err), family


# --- in Chromium -----------------------------------------------------------------------------------------


def serve(page, html, images: bool):
    """The e-mail as the page, its pictures from MEDIA_ROOT (or blocked); nothing leaves the machine."""
    from django.conf import settings

    def handle(route):
        parts = urlsplit(route.request.url)
        if route.request.resource_type == "image" and not images:
            return route.abort()
        if parts.path.startswith(settings.MEDIA_URL):
            path = Path(settings.MEDIA_ROOT) / parts.path[len(settings.MEDIA_URL):]
            if path.exists():
                return route.fulfill(path=str(path))
        return route.fulfill(status=204, body="")

    page.route("**/*", handle)
    page.set_content(html, wait_until="load")


MEASURE = """() => {
  const lum = (c) => { const m = c.match(/[\\d.]+/g).map(Number); const v = m.slice(0, 3).map(x => { x /= 255;
    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
    const m = c.match(/[\\d.]+/g); if (m && (m.length < 4 || Number(m[3]) > 0.5)) return c; } return 'rgb(255,255,255)'; };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const contrast = [...document.querySelectorAll('h1, h2, h3, a, p, li')].filter(visible).map(e => ({
    text: e.textContent.trim().slice(0, 40), ratio: ratio(getComputedStyle(e).color, bg(e)) }));
  const images = [...document.querySelectorAll('img.nl-img')].map(i => { const r = i.getBoundingClientRect();
    return {src: i.src, complete: i.complete && i.naturalWidth > 0, w: r.width, h: r.height,
            nw: i.naturalWidth, nh: i.naturalHeight}; });
  const buttons = [...document.querySelectorAll('td.nl-btn')].map(td => { const a = td.querySelector('a');
    const t = td.getBoundingClientRect(), r = a.getBoundingClientRect();
    const corners = [[t.left + 2, t.top + 2], [t.right - 2, t.top + 2], [t.left + 2, t.bottom - 2], [t.right - 2, t.bottom - 2]];
    window.scrollTo(0, t.top + window.scrollY - 100);
    const t2 = td.getBoundingClientRect();
    const hits = [[t2.left + 2, t2.top + 2], [t2.right - 2, t2.top + 2], [t2.left + 2, t2.bottom - 2], [t2.right - 2, t2.bottom - 2]]
      .map(([x, y]) => { const h = document.elementFromPoint(x, y); return !!h && (h === a || a.contains(h)); });
    return {label: a.textContent.trim(), cell: [t.width, t.height], link: [r.width, r.height], hits}; });
  window.scrollTo(0, 0);
  return {scrollWidth: document.documentElement.scrollWidth, height: document.body.scrollHeight,
          contrast, images, buttons};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 600])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("images", [True, False], ids=["images", "blocked"])
def test_in_chromium_phone_and_desktop_light_and_dark(browser, illustrated_edition, width, scheme, images):
    html = render_email(illustrated_edition, "generic").html
    context = browser.new_context(locale="fr-FR", color_scheme=scheme, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        serve(page, html, images)
        result = page.evaluate(MEASURE)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{width}-{scheme}-{'images' if images else 'blocked'}.png"),
                        full_page=True)
    finally:
        context.close()

    assert result["scrollWidth"] <= width, "horizontal overflow"
    low = [c for c in result["contrast"] if c["ratio"] < 4.5]
    assert not low, low[:5]
    if images:
        shown = [i for i in result["images"] if i["complete"]]
        assert len(shown) == len(result["images"]) >= 8
        for i in shown:
            assert abs((i["w"] / i["h"]) / (i["nw"] / i["nh"]) - 1) <= 0.02, i
    else:
        assert not [i for i in result["images"] if i["complete"]]
        assert all(i["h"] < 100 for i in result["images"]), "blocked pictures leave no empty box"
    assert result["buttons"]
    for b in result["buttons"]:
        assert abs(b["cell"][0] - b["link"][0]) <= 1 and abs(b["cell"][1] - b["link"][1]) <= 1, b
        assert all(b["hits"]), b


@pytest.mark.browser
def test_compact_cards_make_the_edition_shorter(browser, illustrated_edition):
    """At 600 px, with pictures: every item still there, at least 30 % shorter than with full cards everywhere
    (the layout before compact cards)."""
    from newsletter.models import NewsletterPage

    def height(edition):
        html = render_email(edition, "generic").html
        context = browser.new_context(viewport={"width": 600, "height": 900})
        try:
            page = context.new_page()
            serve(page, html, images=True)
            return page.evaluate("document.body.scrollHeight"), html
        finally:
            context.close()

    compact, compact_html = height(illustrated_edition)
    sections = list(illustrated_edition.sections)
    for block in sections:
        if "card_style" in block.value:
            block.value["card_style"] = "full"
    illustrated_edition.sections = [(b.block_type, b.value) for b in sections]
    illustrated_edition.save_revision().publish()
    full, full_html = height(NewsletterPage.objects.get(pk=illustrated_edition.pk))
    titles = [h.get_text(" ", strip=True) for h in soup_of(full_html).find_all("h3")]
    assert titles == [h.get_text(" ", strip=True) for h in soup_of(compact_html).find_all("h3")]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "lengths.json").write_text(json.dumps({"compact": compact, "full": full}))
    assert compact <= 0.7 * full, (compact, full)


def test_concept_body_keeps_its_pictures_and_videos_in_the_email(illustrated_edition):
    from ressources.models import ConceptPage

    concept = ConceptPage.objects.get(title="Qualité de la participation")
    concept.body.append(("image", {"image": _image("Schéma"), "alt": "Schéma de l'échelle de la participation",
                                   "decorative": False, "caption": "L'échelle de la participation"}))
    concept.body.append(("video", {"title": "Présentation du concept", "video": "https://www.youtube.com/watch?v=abc",
                                   "transcription": ""}))
    concept.save_revision().publish()
    rendered = render_email(illustrated_edition, "generic")
    soup = soup_of(rendered.html)
    picture = soup.find("img", alt="Schéma de l'échelle de la participation")
    assert picture is not None and style_of(picture)["height"] == "auto" and picture["src"].startswith("http")
    assert soup.find("a", href="https://www.youtube.com/watch?v=abc").get_text().endswith("Présentation du concept")
    assert "L'échelle de la participation" in rendered.text


def test_concept_video_is_its_linked_poster_when_wagtail_knows_it(illustrated_edition):
    """A body video in the e-mail: its poster (from Wagtail's embed cache, never fetched while rendering) inside
    the link to the video, with the link's words; the web edition renders the body with the site's blocks."""
    from wagtail.embeds.models import Embed

    from ressources.models import ConceptPage

    url = "https://www.youtube.com/watch?v=poster"
    Embed.objects.create(url=url, hash="poster-test", type="video", html="", thumbnail_url="https://i.ytimg.com/vi/poster/hq.jpg")
    concept = ConceptPage.objects.get(title="Qualité de la participation")
    concept.body.append(("video", {"title": "Présentation du concept", "video": url, "transcription": ""}))
    concept.save_revision().publish()
    soup = soup_of(render_email(illustrated_edition, "generic").html)
    link = soup.find("a", href=url)
    poster = link.find("img")
    assert poster["src"] == "https://i.ytimg.com/vi/poster/hq.jpg" and style_of(poster)["height"] == "auto"
    assert poster["alt"] == "" and link.get_text(" ", strip=True) == "Voir la vidéo : Présentation du concept"


def test_export_queries_do_not_grow_with_the_number_of_items(illustrated_edition):
    """No query per item: an export of twelve illustrated items runs as many queries as one of three."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletter.exports import export_edition
    from newsletter.models import NewsletterPage
    from ressources.models import ProjetPage, RessourceIndexPage

    ressources = RessourceIndexPage.objects.get()
    pages = [ressources.add_child(instance=ProjetPage(
        title=f"Initiative {i}", chapo=f"Une expérience de participation numéro {i}.", listing_image=_image(f"Projet {i}"),
        external_url=f"https://initiatives.example.org/{i}/", link_label="Pour découvrir le projet")) for i in range(12)]
    counts = {}
    for n in (3, 12):
        edition = NewsletterPage(title=f"Édition de {n}", slug=f"edition-{n}", subject=f"Édition de {n}",
                                 preheader="Pour compter.", date=illustrated_edition.date, sections=[
                                     ("projets", {"items": [{"page": p} for p in pages[:n]]}),
                                     ("actualites", {"items": [{"page": p} for p in pages[:n]], "card_style": "full"}),
                                     ("agenda", {"title": "À vos agendas !", "items": []})])
        illustrated_edition.get_parent().add_child(instance=edition)
        edition.save_revision().publish()
        export_edition(NewsletterPage.objects.get(pk=edition.pk), "mailchimp", "html", force=True)  # renditions made
        with CaptureQueriesContext(connection) as queries:
            result = export_edition(NewsletterPage.objects.get(pk=edition.pk), "mailchimp", "html", force=True)
        assert result.content.decode().count("Initiative ") >= 2 * n
        counts[n] = len(queries.captured_queries)
    assert counts[12] == counts[3], counts
