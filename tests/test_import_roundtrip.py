"""Round trip: an edition exported by this project (each mailing tool, each format) imports back
into the same sections and items, in the same order, reusing the site's pages."""
import pytest
from wagtail.models import Page

from newsletter.importer.service import EditionImporter


def structure(edition):
    """(section type, title, referenced page ids in order) of each section."""
    out = []
    for block in edition.sections:
        value = block.value
        pages = []
        if "items" in value and value["items"] is not None:
            pages = [item["page"].pk for item in value["items"]]
        for key in ("item",):
            if value.get(key):
                pages = [value[key]["page"].pk]
        for key in ("thematique", "concept"):
            if value.get(key):
                pages = [value[key].pk]
        out.append((block.block_type, value["title"], pages))
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("tool,fmt", [("mailchimp", "html"), ("brevo", "html"), ("mailjet", "html"),
                                      ("generic", "html"), ("brevo", "zip"), ("mailjet", "eml")])
def test_export_then_import_recreates_the_same_sections_and_items(seed_edition, tool, fmt):
    from newsletter.exports import export_edition
    from newsletter.models import NewsletterPage

    expected = structure(seed_edition)
    expected_rows = [b.value["rows"] for b in seed_edition.sections if b.block_type == "vote"][0]
    exported = export_edition(seed_edition, tool, fmt, force=True).content
    seed_date, seed_subject = seed_edition.date, seed_edition.subject
    pages_before = Page.objects.count()
    seed_edition.delete()

    report = EditionImporter().import_one(f"archive.{fmt}", exported)

    assert report.ok, report.error
    imported = NewsletterPage.objects.get()
    assert structure(imported) == expected
    assert imported.date == seed_date
    assert imported.subject == seed_subject
    assert Page.objects.count() == pages_before  # every card reused a page of the site: nothing created
    rows = [b.value["rows"] for b in imported.sections if b.block_type == "vote"][0]
    assert [(r["label"], r["count"]) for r in rows] == [(r["label"], r["count"]) for r in expected_rows]
    assert not any("créé" in line and "édition" not in line for line in report.created)
    # A second import of the same file finds the edition: nothing new.
    again = EditionImporter().import_one(f"archive.{fmt}", exported)
    assert again.ok and not again.created
    assert Page.objects.count() == pages_before
