"""Where the corpus's links and headings used to go, each as a small edition in a tool's style:
a linked logo or banner outside any card, share icons, a second text section with sub-headings and
links, an article after a card, a click-tracking link of 1,000 characters."""
import pytest

from newsletter.importer.parsing import parse_edition
from newsletter.importer.service import EditionImporter

LONG = "https://u1.ct.sendgrid.net/ls/click?upn=" + "A" * 960

EDITION = f"""<html><head><title>Lettre</title></head><body>
<a href="https://sender.example.org/"><img src="https://cdn.example.org/logo.png" alt="Le Journal" width="200"></a>
<h2>À la une</h2>
<p>Le conseil a voté <a href="https://example.org/vote">le budget</a> hier.</p>
<h3>Le détail</h3>
<p>Tout est dans <a href="https://example.org/detail">le compte rendu</a>.</p>
<a href="https://share.example.org/fb?u=1"><img src="https://cdn.example.org/icons/facebook.png" alt="Facebook"></a>
<a href="https://share.example.org/wa?u=1"><img src="https://cdn.example.org/i/wa.png" alt="WhatsApp"></a>
<h2>Sport</h2>
<p>Le club a gagné, lisez <a href="https://example.org/match">le récit du match</a>.</p>
<h3>Les buteurs</h3>
<p>Deux buts de <a href="https://example.org/buteur">notre attaquant</a>.</p>
<a href="https://ads.example.org/banner"><img src="https://cdn.example.org/ads/banner-spring.jpg" alt=""></a>
<h2>Ressources</h2>
<h3><a href="{LONG}">Une étude au lien très long</a></h3><p>Son résumé.</p>
</body></html>"""


def test_linked_images_outside_cards_are_links_and_share_icons_are_dropped():
    edition = parse_edition(EDITION)
    buttons = [b for s in edition.sections for b in s.buttons]
    assert ("Le Journal", "https://sender.example.org/") in buttons  # the header's logo, kept in the first section
    assert ("Image « banner-spring.jpg »", "https://ads.example.org/banner") in buttons  # no alt: its file names it
    assert not any("share.example.org" in href for _label, href in buttons)
    assert any(why == "icône de réseau social" and what == "WhatsApp" for what, why in edition.skipped)


@pytest.fixture
def site_tree(home, ressource_index, agenda_index, thematique_index):
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


@pytest.mark.django_db
def test_text_sections_keep_their_links_and_sub_headings_and_long_links_are_kept(site_tree):
    from newsletter.models import NewsletterPage
    from ressources.models import RessourcePage

    report = EditionImporter().import_one("lettre.html", EDITION.encode())
    assert report.ok, report.lines()
    edition = NewsletterPage.objects.get(pk=report.edition_id)
    blocks = {b.value["title"]: b for b in edition.sections}
    sport = blocks["Sport"]
    assert sport.block_type == "texte"  # the second text section: rich text, not a plain introduction
    body = sport.value["body"].source
    assert '<a href="https://example.org/match">le récit du match</a>' in body
    assert "<b>Les buteurs</b>" in body and 'href="https://example.org/buteur"' in body
    assert blocks["À la une"].block_type == "edito"
    page = RessourcePage.objects.get(title="Une étude au lien très long")
    assert page.specific.external_url == LONG
    assert not any("caractères, non gardé" in line for line in report.skipped)


@pytest.mark.django_db
def test_an_article_after_a_card_keeps_its_links(site_tree):
    from newsletter.models import NewsletterPage

    html = """<html><head><title>Lettre</title></head><body><h2>Dossier</h2>
    <h3><a href="https://example.org/dossier">Le dossier du mois</a></h3>
    <p>Premier paragraphe du dossier.</p>
    <p>Selon <a href="https://example.org/source">l'étude de l'Insee</a>, la part a doublé.</p>
    <p>Et <a href="https://example.org/autre">une autre source</a> le confirme.</p></body></html>"""
    report = EditionImporter().import_one("dossier.html", html.encode())
    assert report.ok, report.lines()
    source = "".join(b.value["body"].source for b in NewsletterPage.objects.get(pk=report.edition_id).sections
                     if b.value.get("body") is not None)
    assert 'href="https://example.org/source"' in source and 'href="https://example.org/autre"' in source
    assert 'href="https://example.org/dossier"' in source  # the card itself, a link of the text
