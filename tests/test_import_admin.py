"""The admin upload form: permission-checked, simulation by default, report per file."""
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Page

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture
def archive(home, ressource_index, agenda_index, thematique_index):
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


def upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/html")


@pytest.mark.django_db
def test_only_users_who_can_add_pages_under_the_archive_may_import(client, archive, django_user_model):
    url = reverse("newsletter_import", args=[archive.pk])
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("lecteur", "l@example.org", "motdepasse-lecteur")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
    response = client.get(url)
    assert (response.status_code, response.url) == (302, "/admin/")
    response = client.post(url, {"files": upload("mjml-2022-09.html")})
    assert (response.status_code, response.url) == (302, "/admin/")
    assert Page.objects.filter(title__icontains="septembre 2022").count() == 0


@pytest.mark.django_db
def test_editor_simulates_then_imports(client, archive, editor):
    from newsletter.models import NewsletterPage

    client.force_login(editor)
    url = reverse("newsletter_import", args=[archive.pk])
    page = client.get(reverse("wagtailadmin_explore", args=[archive.pk])).content.decode()
    assert url in page  # the "Importer des éditions" button on the archive
    count = Page.objects.count()
    response = client.post(url, {"files": [upload("mjml-2022-09.html"), SimpleUploadedFile("vide.html", b"")],
                                 "dry_run": "on"})
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Rapport de la simulation (rien n'a été écrit)" in html
    assert "créé : article « pour aller plus loin » « Le guide de la concertation »" in html
    assert "ÉCHEC vide.html : fichier vide" in html and "1 fichier n'a pas pu être importé." in html
    assert Page.objects.count() == count
    response = client.post(url, {"files": [upload("mjml-2022-09.html")]})
    assert "Rapport de l'import" in unescape(response.content.decode())
    edition = NewsletterPage.objects.get()
    assert edition.title == "Lettre Territoires en Commun, septembre 2022"
    from wagtail.models import PageLogEntry

    assert PageLogEntry.objects.get(page=edition, action="wagtail.create").user == editor
    # Indexed in bulk at the end of the file: the search finds the edition and its resources.
    from ressources.models import ArticlePage

    assert [p.pk for p in ArticlePage.objects.search("concertation")] == [
        ArticlePage.objects.get(title="Le guide de la concertation").pk]
    assert [p.pk for p in NewsletterPage.objects.search("septembre")] == [edition.pk]
    # The reference index knows the edition uses the article (Wagtail's "usage" of the page).
    from wagtail.models import ReferenceIndex

    article = ArticlePage.objects.get(title="Le guide de la concertation")
    assert ReferenceIndex.get_references_to(article).filter(object_id=str(edition.pk)).exists()


@pytest.mark.django_db
def test_form_without_file_says_so_in_french(client, archive, editor):
    client.force_login(editor)
    response = client.post(reverse("newsletter_import", args=[archive.pk]), {"dry_run": "on"})
    assert "Choisissez au moins un fichier." in response.content.decode()
