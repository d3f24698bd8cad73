"""The importer's pipeline as a reader of the code expects it: sections written through the StreamField's own
blocks, a table of section mappers, and no global signal touched while a file is written (another thread saving
a page meanwhile must still have it indexed)."""
from pathlib import Path

import pytest
from django.db.models.signals import post_save

from newsletter.importer import service
from newsletter.importer.parsing import ParsedSection

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture
def site_tree(home, ressource_index, agenda_index, thematique_index):
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


def search_handler_connected(model) -> bool:
    from modelsearch.signal_handlers import post_save_signal_handler

    sync_receivers, _async_receivers = post_save._live_receivers(model)
    return post_save_signal_handler in sync_receivers


@pytest.mark.django_db
def test_the_search_index_handler_stays_connected_while_a_file_is_written(site_tree, monkeypatch):
    from ressources.models import ArticlePage

    seen = []
    write = service.EditionImporter._write

    def spying_write(self, parsed, report):
        seen.append(search_handler_connected(ArticlePage))
        return write(self, parsed, report)

    monkeypatch.setattr(service.EditionImporter, "_write", spying_write)
    report = service.EditionImporter().import_one("mjml-2022-09.html", (FIXTURES / "mjml-2022-09.html").read_bytes())
    assert report.ok, report.error
    assert seen == [True]
    # And the pages it created are found by the search (indexed by the backend's own task).
    created = ArticlePage.objects.get(title="Le guide de la concertation")
    assert [p.pk for p in ArticlePage.objects.search("concertation")] == [created.pk]


def test_each_section_title_goes_to_the_first_mapper_that_takes_it():
    def kind(title, items=()):
        return service.kind_of(ParsedSection(title=title, items=list(items)))

    assert kind("Édito") == "edito"
    assert kind("La thématique du mois") == "thematique_du_mois"
    assert kind("Agenda de janvier") == "agenda"
    assert kind("Je souhaite partager mes événements") == "partager_evenements"
    assert kind("Pour aller plus loin") == "aller_plus_loin"
    assert kind("Nos lectures", items=[object()]) == "projets"
    assert kind("Nos lectures") == "texte"
    assert [m.kind for m in service.SECTION_MAPPERS][-1] == "texte"  # every section finds a mapper


def test_a_block_type_the_field_does_not_have_is_refused():
    from newsletter.models import NewsletterPage

    with pytest.raises(ValueError, match="no block type"):
        service.stream_value(NewsletterPage, "sections", [{"type": "inconnu", "value": {}, "id": "x"}])
