"""Identity of an imported edition: a fingerprint of its normalised body (and its date), never its title."""
import pytest

from newsletter.importer.service import EditionImporter

PAGE = """<html><head><title>Le programme du mois</title></head><body>
<h2>{section}</h2><p>{text}</p>
<h3><a href="https://example.org/{slug}">{card}</a></h3><p>Une initiative à découvrir.</p>
<p><a href="https://example.org/unsubscribe">Se désinscrire</a></p></body></html>"""


def edition(section, text, slug, card, tracking=""):
    return PAGE.format(section=section, text=text, slug=slug + tracking, card=card).encode()


@pytest.fixture
def site_tree(home, ressource_index, agenda_index, thematique_index):
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


@pytest.mark.django_db
def test_two_files_with_the_same_title_are_two_editions(site_tree):
    from newsletter.models import NewsletterPage

    first = EditionImporter().import_one("a.html", edition("Mars", "Le texte de mars.", "a", "Carte A"))
    second = EditionImporter().import_one("b.html", edition("Avril", "Le texte d'avril.", "b", "Carte B"))
    assert first.ok and second.ok
    assert not second.reused, second.reused
    assert NewsletterPage.objects.count() == 2
    assert len({p.import_fingerprint for p in NewsletterPage.objects.all()}) == 2


@pytest.mark.django_db
def test_the_same_file_twice_is_imported_once(site_tree):
    from newsletter.models import NewsletterPage

    data = edition("Mars", "Le texte de mars.", "a", "Carte A")
    EditionImporter().import_one("a.html", data)
    again = EditionImporter().import_one("copie.html", data)
    assert again.ok and not again.created
    assert any("déjà importée" in line for line in again.reused)
    assert NewsletterPage.objects.count() == 1
    assert len(NewsletterPage.objects.get().import_fingerprint) == 64


@pytest.mark.django_db
def test_tracking_parameters_do_not_change_the_identity(site_tree):
    from newsletter.models import NewsletterPage

    EditionImporter().import_one("a.html", edition("Mars", "Le texte.", "a", "Carte A", "?utm_source=x"))
    EditionImporter().import_one("b.html", edition("Mars", "Le texte.", "a", "Carte A", "?utm_source=y"))
    assert NewsletterPage.objects.count() == 1
