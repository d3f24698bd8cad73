"""Links kept: rich text keeps its links (cleaned, percent-encoded), lists and emphasis; paragraph links
and buttons of card lists become items; only the tool's boilerplate is dropped."""
import pytest

from newsletter.importer.cleaning import safe_href, usable_link
from newsletter.importer.service import EditionImporter

EDITION = """<html><head><title>La lettre</title></head><body>
<h2>Edito</h2>
<p>Bonjour, lisez <a href="https://example.org/a&quot;b c?utm_source=x&amp;id=3">notre <em>étude</em></a> et
<strong>partagez</strong>.</p>
<ul><li>Premier point</li><li>Second <a href="https://example.org/second">point</a></li></ul>
<h2>Projets</h2>
<p>Une ville a lancé <a href="https://ville.example.org/budget?utm_medium=email">son budget participatif</a>.</p>
<h3><a href="https://example.org/projet">Un projet</a></h3><p>Son résumé.</p>
<p><a href="https://example.org/bouton" style="background-color:#c00;padding:10px">Voir tous les projets</a></p>
<hr><p><a href="https://example.org/court">Un lien court entre deux traits</a></p><hr>
<p><a href="https://facebook.com/territoires">Facebook</a></p>
<p>Pour vous désinscrire, <a href="https://example.org/unsubscribe">cliquez ici</a>.</p>
</body></html>"""


def test_hrefs_never_keep_a_quote_or_a_space_raw():
    assert safe_href('https://example.org/a"b c') == "https://example.org/a%22b%20c"
    assert safe_href("https://example.org/é?q=1&r=2#x") == "https://example.org/%C3%A9?q=1&r=2#x"
    assert usable_link("https://example.org/x'y?utm_source=z") == "https://example.org/x%27y"


@pytest.fixture
def site_tree(home, ressource_index, agenda_index, thematique_index):
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


@pytest.mark.django_db
def test_links_lists_emphasis_and_buttons_are_kept(site_tree):
    from newsletter.models import NewsletterPage

    report = EditionImporter().import_one("lettre.html", EDITION.encode())
    assert report.ok, report.error
    edition = NewsletterPage.objects.get()
    edito = edition.sections[0].value["body"].source
    assert '<a href="https://example.org/a%22b%20c?id=3">notre <i>étude</i></a>' in edito
    assert "<b>partagez</b>" in edito
    assert '<ul><li>Premier point</li><li>Second <a href="https://example.org/second">point</a></li></ul>' in edito
    projets = edition.sections[1]
    assert projets.block_type == "projets"
    pages = [item["page"].specific for item in projets.value["items"]]
    # The button after the card is the card's link (its button); the paragraph's link and the short
    # link between <hr> are items of their own.
    assert [(p.title, p.external_url) for p in pages] == [
        ("Un projet", "https://example.org/bouton"),
        ("son budget participatif", "https://ville.example.org/budget"),
        ("Un lien court entre deux traits", "https://example.org/court")]
    assert pages[0].link_label == "Voir tous les projets"
    assert not any("pas d'équivalent" in line for line in report.skipped)
    assert any("réseau social" in line for line in report.skipped)
    assert "unsubscribe" not in str(edition.sections.raw_data)
