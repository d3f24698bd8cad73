"""The edition's edit view at any length: its queries do not grow with the number of items (#16)."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_edit_view_queries_do_not_grow_with_the_number_of_items(client, home, ressource_index, editor):
    from newsletter.models import NewsletterIndexPage, NewsletterPage
    from ressources.models import ProjetPage

    archive = home.add_child(instance=NewsletterIndexPage(title="La lettre", slug="lettre"))
    pages = [ressource_index.add_child(instance=ProjetPage(title=f"Initiative {i}", chapo=f"Chapô {i}.",
                                                           external_url=f"https://initiatives.example.org/{i}/"))
             for i in range(24)]
    client.force_login(editor)
    counts = {}
    for n in (3, 12):
        edition = archive.add_child(instance=NewsletterPage(
            title=f"Édition de {n}", slug=f"edition-{n}", subject=f"Édition de {n}", preheader="Pour compter.",
            date=dt.date(2026, 12, 1), sections=[
                ("projets", {"items": [{"page": p} for p in pages[:n]]}),
                ("actualites", {"items": [{"page": p} for p in pages[12:12 + n]]})]))
        url = f"/admin/pages/{edition.pk}/edit/"
        client.get(url)  # the admin's own first-request lookups (content types, site, menus)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        # each chosen page is in the form, with its title (the chooser's data, read from the pages)
        assert all(f"Initiative {i}" in body for i in range(n))
        counts[n] = len(queries.captured_queries)
    assert counts[12] == counts[3], counts
