"""Weight of a first visit (issue 17): the DSFR parts shipped, pictures as WebP renditions, compression.

The figures themselves (requests, kilobytes, Lighthouse scores) are measured by bench/weight.py.
"""
import re

import pytest
from bs4 import BeautifulSoup

from cms import dsfr_css
from tests.test_public_site import build_site

SHEET = dsfr_css.OUTPUT


def full_dsfr_classes():
    return dsfr_css.defined_classes((dsfr_css.DIST / "dsfr" / "dsfr.min.css").read_text()
                                    + (dsfr_css.DIST / "utility" / "utility.min.css").read_text())


def test_every_icon_the_templates_use_is_in_the_shipped_sheet_and_no_other():
    shipped = SHEET.read_text()
    used_icons = {c for c in dsfr_css.used_classes()
                  if c.startswith("fr-icon-") and not c.startswith("fr-icon--") and c in full_dsfr_classes()}
    assert {"fr-icon-calendar-line", "fr-icon-arrow-right-line"} <= used_icons  # the scan reads the templates
    missing = sorted(c for c in used_icons if f".{c}:" not in shipped and f".{c}," not in shipped)
    assert missing == [], f"icônes absentes de {SHEET.name} : lancez « manage.py build_dsfr_css » ({missing})"
    shipped_icons = set(re.findall(r"\.(fr-icon-[a-z0-9][a-z0-9-]*)(?=[:,{])", shipped))  # not the core's fr-icon--sm…
    assert shipped_icons == used_icons  # not the 1,600 icons of the utility sheet


def test_every_dsfr_class_the_site_uses_is_in_the_shipped_sheet():
    shipped = dsfr_css.defined_classes(SHEET.read_text())
    used = dsfr_css.used_classes() & full_dsfr_classes()
    assert {"fr-card", "fr-header", "fr-nav__link", "fr-btn", "fr-input", "fr-radio-group"} <= used
    assert sorted(used - shipped) == []
    # Components the site does not use are left out.
    assert not shipped & {"fr-tile", "fr-accordion", "fr-tabs", "fr-range", "fr-toggle", "fr-consent-banner"}


def test_shipped_sheet_is_the_one_the_command_builds(tmp_path, monkeypatch):
    """A template that gains a component or an icon without `manage.py build_dsfr_css` fails here."""
    from django.core.management import call_command

    assert SHEET.read_text() == dsfr_css.build()[0], "lancez « manage.py build_dsfr_css »"
    monkeypatch.setattr(dsfr_css, "OUTPUT", tmp_path / "dsfr-site.min.css")
    call_command("build_dsfr_css", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115 - the command writes to it, pytest removes the folder
    assert (tmp_path / "dsfr-site.min.css").read_text() == SHEET.read_text()
    # Its url()s lead to the DSFR's files (fonts, icons), which collectstatic hashes.
    for url in set(re.findall(r"url\(([^)]+)\)", SHEET.read_text())):
        if not url.startswith(("data:", "'data:", '"data:')):
            # ../dsfr/dist/… from css/: django-dsfr's static folder once collected.
            assert (dsfr_css.DIST.parent.parent / url.removeprefix("../")).exists(), url


pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_pages_link_the_site_sheet_preload_fonts_once_and_skip_the_full_dsfr(client, home):
    soup = soup_of(client.get(home.url))
    sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert any(h.endswith("css/dsfr-site.min.css") for h in sheets)
    assert not any(h.endswith(("dsfr.min.css", "utility.min.css")) for h in sheets)
    preloads = [link["href"] for link in soup.find_all("link", rel="preload")]
    assert sorted(preloads) == sorted(set(preloads)) and len(preloads) == 2
    for href in preloads:
        assert href.endswith(".woff2") and href.split("/")[-1] in SHEET.read_text()
    # The nomodule fallback stays for old browsers; a modern one skips it (bench/weight.py counts).
    assert soup.find("script", attrs={"type": "module"}) is not None


def _is_webp_srcset(img):
    candidates = [c.strip().split(" ") for c in img.get("srcset", "").split(",") if c.strip()]
    return (img["src"].endswith(".webp") and len(candidates) >= 2
            and all(url.endswith(".webp") and w.endswith("w") for url, w in candidates) and img.get("sizes"))


def test_pages_pictures_are_webp_renditions_with_srcset_lazy_below_the_fold(client, home):
    site = build_site(home)
    thematique = soup_of(client.get(site["emploi"].url))
    hero = thematique.find("main").find("img", alt="Des habitants réunis autour d'une table")
    assert _is_webp_srcset(hero), hero
    assert hero.get("loading") != "lazy"  # the picture at the top is fetched at once
    assert hero.get("width") and hero.get("height")  # its box is reserved: no layout shift

    library = soup_of(client.get(site["library"].url))
    cards = library.select(".fr-card__img img")
    assert cards
    for img in cards:
        assert _is_webp_srcset(img), img
        assert img["loading"] == "lazy"
    logos = library.select(".fr-footer__partners img, .tec-partners img")
    assert logos
    for img in logos:
        assert img["src"].endswith(".webp") and img["loading"] == "lazy", img

    page = site["mentions"]
    page.body = [("image", {"image": site["image"], "alt": "Une table", "decorative": False, "caption": ""})]
    page.save_revision().publish()
    body_img = soup_of(client.get(page.url)).find("main").find("img", alt="Une table")
    assert _is_webp_srcset(body_img) and body_img["loading"] == "lazy", body_img


def test_pages_are_compressed_and_pictures_are_not_recompressed(client, home):
    response = client.get(home.url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    from django.http import HttpResponse
    from django.test import RequestFactory

    from cms.compression import TextGZipMiddleware

    request = RequestFactory().get("/media/x.webp", HTTP_ACCEPT_ENCODING="gzip")
    picture = HttpResponse(b"RIFF" + b"\0" * 500, content_type="image/webp")
    assert not TextGZipMiddleware(lambda r: picture)(request).has_header("Content-Encoding")
