"""Newsletter editions: the seed edition rendered for every mailing tool, exports, checks, permissions."""
import email
import io
import json
import re
import zipfile
from email import policy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from cms.typography import size_fr
from newsletter import demo
from newsletter.checks import GMAIL_CLIP_BYTES, GMAIL_WARN_BYTES, check_edition
from newsletter.exports import ExportBlocked, export_edition
from newsletter.models import NewsletterExport, NewsletterPage
from newsletter.profiles import PROFILES
from newsletter.rendering import render_email
from newsletter.subscriptions import unsubscribe_url

# A copy of ../shared/seed/edition-2021-12.txt, so the suite runs from any clone.
SEED = Path(__file__).resolve().parent / "fixtures" / "seed" / "edition-2021-12.txt"

SECTION_TITLES = [
    "Edito", "Thématique du mois", "En introduction... Tribune",
    "Projets démocratiques et expériences territoriales pour vous inspirer",
    "Pour aller plus loin sur la mobilité inclusive", "Votez pour une thématique !",
    "Le concept du mois : Qualité de la participation", "Actualités de l'écosystème de Territoires en Commun",
    "A vos agendas !", "Je suis une collectivité et je souhaite partager mes événements",
]
ITEM_TITLES = [
    "Retour à l'emploi",
    "La grève du chômage menée par Territoires zéro chômage de longue durée",
    "L'association Wake Up Café aide les détenus à trouver un emploi",
    "Collectif Repérages", "Handipacte Ile-de-France",
    "Être bénévole ou volontaire : un tremplin vers l'emploi ?",
    "Des nouvelles du projet partagé", "La remise des Trophées de la Participation",
    "Les Rencontres DO - Édition territoires",
    "Comment la mobilité solidaire s'impose ?",
]
SEED_PHRASES = [
    "Votez pour les thématiques des projets partagés proposés par l'ANCT", "Découvrez la thématique",
    "Contactez l'ANCT", "Pour découvrir le projet", "Découvrez l'initiative", "Votez pour une thématique",
    "editorialisation@territoires-en-commun.fr", "Des questions ou des commentaires ?", "Notre adresse :",
    "Prenez soin de vous !", "Aménagement des territoires", "Les chartes de la participation",
    "Réplicabilité de la démarche", "Retrouvez les détails du projet",
]


def texts_of(html):
    return BeautifulSoup(html, "html.parser").get_text(" ")


def norm(text):
    return re.sub(r"\s+", " ", text)


def test_seed_file_is_what_the_tests_check():
    seed = SEED.read_text(encoding="utf-8")
    for phrase in SECTION_TITLES[:4] + ITEM_TITLES[1:5] + SEED_PHRASES[:6]:
        assert phrase.replace("Pour aller plus loin sur la mobilité inclusive", "Pour aller plus loin") in seed


@pytest.mark.parametrize("tool", list(PROFILES))
def test_seed_edition_for_every_tool(seed_edition, tool):
    rendered = render_email(seed_edition, tool)
    html, text = rendered.html, rendered.text
    soup = BeautifulSoup(html, "html.parser")
    profile = PROFILES[tool]

    for tag in profile.merge_tags:  # byte for byte, in an href and in the text part
        assert f'href="{tag}"' in html, tag
        assert tag in text, tag
    assert "%5B%5B" not in html and "&#123;" not in html and "__NL_" not in html and "__NL_" not in text

    visible, plain = norm(texts_of(html)), norm(text)
    for title in SECTION_TITLES + ITEM_TITLES + SEED_PHRASES:
        assert title in visible, title
        assert title in plain, title

    for a in soup.find_all("a", href=True):
        href = a["href"]
        assert href.startswith(("http://", "https://", "mailto:")) or href in profile.merge_tags, href
    for img in soup.find_all("img"):
        assert img.has_attr("alt")
        assert img["src"].startswith("http")
    assert not soup.find("script")
    assert not soup.find("link", rel="stylesheet")
    assert "fonts.googleapis" not in html
    assert all(t.get("role") == "presentation" for t in soup.find_all("table"))
    assert soup.html["lang"] == "fr"
    assert soup.find("meta", attrs={"name": "color-scheme"})
    assert seed_edition.preheader in visible  # the hidden preheader, first text of the body
    assert norm(soup.body.get_text(" ")).strip().startswith(seed_edition.preheader)
    assert "<" not in text and "&amp;" not in text


def test_text_part_puts_each_item_url_after_its_title_in_reading_order(seed_edition):
    text = render_email(seed_edition, "generic").text
    lines = text.splitlines()
    i = lines.index("Collectif Repérages")
    assert lines[i + 1] == ("http://testserver/ressources/collectif-reperages/"
                            "?utm_source=newsletter&utm_medium=email&utm_campaign=decembre-2021")
    positions = [text.index(title) for title in SECTION_TITLES]
    assert positions == sorted(positions)


def test_utm_on_site_links_only(seed_edition):
    rendered = render_email(seed_edition, "brevo")
    site = [link for link in rendered.links if link.startswith("http://testserver/")]
    external = [link for link in rendered.links if link.startswith("https://www.example.org/")]
    assert site and external
    for link in site:
        assert "utm_source=newsletter&utm_medium=email&utm_campaign=decembre-2021" in link
    for link in external:
        assert "utm_" not in link
    assert "https://www.example.org/territoires-en-commun/greve-du-chomage" in external


def test_email_section_order_and_overrides_follow_the_edition(seed_edition):
    from ressources.models import ProjetPage

    projet = ProjetPage.objects.get(slug="collectif-reperages")
    sections = list(seed_edition.sections)
    projets = next(s for s in sections if s.block_type == "projets")
    projets.value["items"][0]["title"] = "Un titre pour le courriel"
    reordered = [sections[1], sections[0]] + sections[2:]  # thématique du mois before the édito
    seed_edition.sections = [(block.block_type, block.value) for block in reordered]
    seed_edition.save_revision().publish()
    seed_edition.refresh_from_db()
    text = render_email(seed_edition, "generic").text
    assert text.index("Thématique du mois") < text.index("Edito")
    assert "Un titre pour le courriel" in text
    assert "La grève du chômage menée par" not in text
    projet.refresh_from_db()
    assert projet.title == "Collectif Repérages"  # the source page is untouched


def test_export_zip_eml_html_txt(seed_edition, tmp_path):
    result = export_edition(seed_edition, "mailjet", "zip")
    archive = zipfile.ZipFile(io.BytesIO(result.content))
    assert sorted(archive.namelist()) == ["edition.json", "index.html", "index.txt"]
    meta = json.loads(archive.read("edition.json"))
    html = archive.read("index.html")
    import hashlib

    assert meta["sha256"] == hashlib.sha256(html).hexdigest()
    assert meta["tool"] == "mailjet" and meta["number"] == 1 and meta["date"] == "2021-12-16"
    assert meta["subject"] == seed_edition.subject and meta["preheader"] == seed_edition.preheader
    assert "[[UNSUB_LINK_FR]]" in meta["links"]

    eml = export_edition(seed_edition, "brevo", "eml").content
    message = email.message_from_bytes(eml, policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == seed_edition.subject
    assert "newsletter@territoires-en-commun.fr" in message["From"]
    plain = message.get_body(("plain",)).get_content()
    rich = message.get_body(("html",)).get_content()
    assert "{{ unsubscribe }}" in plain and 'href="{{ unsubscribe }}"' in rich
    assert "Collectif Repérages" in plain and "Collectif Repérages" in rich

    assert export_edition(seed_edition, "generic", "txt").content.decode().startswith("Voir cette newsletter")
    assert export_edition(seed_edition, "generic", "html").content.decode().lower().startswith("<!doctype html>")
    assert NewsletterExport.objects.filter(edition=seed_edition).count() == 4


def test_export_is_frozen_and_the_archive_shows_it(seed_edition, client):
    from ressources.models import ProjetPage

    record = export_edition(seed_edition, "mailchimp", "html").record
    assert record.vote_counts[0]["rows"][0] == {"label": "Aménagement des territoires", "count": 172}
    frozen_html, frozen_sha = record.html, record.sha256

    projet = ProjetPage.objects.get(slug="collectif-reperages")
    projet.title = "Collectif Repérages (titre changé)"
    projet.save_revision().publish()

    record.refresh_from_db()
    assert record.html == frozen_html and record.sha256 == frozen_sha
    assert "titre changé" in render_email(NewsletterPage.objects.get(pk=seed_edition.pk), "mailchimp").text
    response = client.get(seed_edition.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Collectif Repérages" in body and "titre changé" not in body


def test_checks_sizes_alt_unpublished_and_empty_sections(seed_edition):
    from types import SimpleNamespace

    from ressources.models import ProjetPage

    rendered = render_email(seed_edition, "generic")
    assert not [c for c in check_edition(seed_edition, rendered) if c.is_error]

    def with_size(n):
        return SimpleNamespace(html="x" * n, missing_alt=[], sections=[])

    assert [c.level for c in check_edition(seed_edition, with_size(GMAIL_WARN_BYTES - 1)) if c.code == "size"] == []
    assert [c.level for c in check_edition(seed_edition, with_size(GMAIL_WARN_BYTES)) if c.code == "size"] == ["warning"]
    assert [c.level for c in check_edition(seed_edition, with_size(GMAIL_CLIP_BYTES)) if c.code == "size"] == ["error"]

    missing = SimpleNamespace(html="", missing_alt=["http://testserver/media/x.png"], sections=[])
    assert any(c.code == "alt" and c.is_error for c in check_edition(seed_edition, missing))

    ProjetPage.objects.get(slug="wake-up-cafe").unpublish()
    seed_edition.sections.append(("projets", {"title": "Vide", "items": []}))
    seed_edition.subject = ""
    checks = check_edition(seed_edition, render_email(seed_edition, "generic"))
    codes = {c.code: c for c in checks}
    assert codes["unpublished"].is_error and "Wake Up Café" in codes["unpublished"].message
    assert codes["empty"].level == "warning" and "Vide" in codes["empty"].message
    assert codes["subject"].is_error


def test_missing_alt_in_rich_text_is_reported(seed_edition):
    sections = list(seed_edition.sections)
    edito = sections[0]
    edito.value["body"] = type(edito.value["body"])(
        edito.value["body"].source + '<p><img src="/media/sans-alt.png"></p>')
    rendered = render_email(seed_edition, "generic")
    assert rendered.missing_alt == ["http://testserver/media/sans-alt.png"]
    with pytest.raises(ExportBlocked):
        export_edition(seed_edition, "generic", "html")


def test_blocked_export_records_nothing_unless_forced(seed_edition):
    seed_edition.subject = ""
    seed_edition.save_revision()
    with pytest.raises(ExportBlocked) as blocked:
        export_edition(seed_edition, "generic", "html")
    assert any(c.code == "subject" for c in blocked.value.checks)
    assert NewsletterExport.objects.count() == 0
    record = export_edition(seed_edition, "generic", "html", force=True).record
    assert record.forced


def test_cli_exports_by_slug_and_by_id(seed_edition, tmp_path, capsys):
    out = tmp_path / "edition.eml"
    call_command("export_newsletter", "decembre-2021", "--tool", "mailchimp", "--format", "eml", "--output", str(out))
    assert capsys.readouterr().out.strip() == str(out)
    message = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert "*|UNSUB|*" in message.get_body(("plain",)).get_content()

    call_command("export_newsletter", str(seed_edition.pk), "--tool", "generic", "--format", "zip",
                 "--output", str(tmp_path))
    assert (tmp_path / "decembre-2021-generic.zip").exists()
    call_command("export_newsletter", "decembre-2021", "--tool", "brevo", "--format", "txt",
                 "--output", f"{tmp_path}/nouveau-dossier/")
    written = tmp_path / "nouveau-dossier" / "decembre-2021-brevo.txt"
    assert capsys.readouterr().out.strip().endswith(str(written))
    assert "{{ unsubscribe }}" in written.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["inconnue", "--tool", "generic", "--format", "html"], "Édition introuvable"),
    (["decembre-2021", "--tool", "sendgrid", "--format", "html"], "Outil inconnu"),
    (["decembre-2021", "--tool", "generic", "--format", "pdf"], "Format inconnu"),
])
def test_cli_errors(seed_edition, tmp_path, args, message):
    with pytest.raises(CommandError) as error:
        call_command("export_newsletter", *args, "--output", str(tmp_path / "x"))
    assert message in str(error.value) and "\n" not in str(error.value)
    assert NewsletterExport.objects.count() == 0
    assert not (tmp_path / "x").exists()


def test_cli_refuses_errors_without_force(seed_edition, tmp_path):
    seed_edition.subject = ""
    seed_edition.save_revision()
    with pytest.raises(CommandError, match="--force"):
        call_command("export_newsletter", "decembre-2021", "--output", str(tmp_path / "a.html"))
    call_command("export_newsletter", "decembre-2021", "--force", "--output", str(tmp_path / "a.html"))
    assert (tmp_path / "a.html").exists()


def test_test_send_replaces_tags_by_working_links(seed_edition, moderator_user, client):
    client.force_login(moderator_user)
    response = client.post(reverse("newsletter_test_send", args=[seed_edition.pk]),
                           {"recipients": "a@example.org, b@example.org", "tool": "mailchimp"})
    assert response.status_code == 302
    # One message per address: each carries its own unsubscribe link (footer and RFC 8058 headers).
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"]]
    for message, address in zip(mail.outbox, ["a@example.org", "b@example.org"], strict=True):
        html = message.alternatives[0][0]
        assert "*|" not in html and "*|" not in message.body
        own_link = unsubscribe_url(address)
        assert f'href="{own_link}"' in html and own_link in message.body
        assert "#se-desinscrire" not in html
        assert message.extra_headers["List-Unsubscribe"] == f"<{own_link}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_test_send_rejects_bad_addresses_in_french(seed_edition, moderator_user, client):
    client.force_login(moderator_user)
    response = client.post(reverse("newsletter_test_send", args=[seed_edition.pk]),
                           {"recipients": "a@example.org, pas-une-adresse", "tool": "generic"})
    assert response.status_code == 200
    assert "Adresse invalide : pas-une-adresse" in response.content.decode()
    assert "pas-une-adresse" in response.content.decode()
    assert mail.outbox == []


def test_only_publishers_may_export_or_test_send(seed_edition, editor, moderator_user, client):
    """Wagtail's Editors may edit but not publish: no export, no test send. Moderators may."""
    assert seed_edition.permissions_for_user(editor).can_edit()
    client.force_login(editor)
    for name in ("newsletter_export", "newsletter_test_send"):
        assert client.get(reverse(name, args=[seed_edition.pk])).status_code in (302, 403)
    assert client.post(reverse("newsletter_export", args=[seed_edition.pk]),
                       {"tool": "generic", "format": "html"}).status_code in (302, 403)
    assert client.post(reverse("newsletter_test_send", args=[seed_edition.pk]),
                       {"recipients": "a@example.org", "tool": "generic"}).status_code in (302, 403)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])).content.decode()
    assert reverse("newsletter_export", args=[seed_edition.pk]) not in edit
    assert NewsletterExport.objects.count() == 0 and mail.outbox == []

    client.force_login(moderator_user)
    assert client.post(reverse("newsletter_export", args=[seed_edition.pk]),
                       {"tool": "generic", "format": "html"}).status_code == 302
    assert NewsletterExport.objects.count() == 1


def test_admin_export_shows_checks_then_downloads(seed_edition, moderator_user, client):
    client.force_login(moderator_user)
    url = reverse("newsletter_export", args=[seed_edition.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Vérifications avant export" in page.content.decode()
    response = client.post(url, {"tool": "mailchimp", "format": "html"}, follow=True)
    record = NewsletterExport.objects.get()
    assert record.user == moderator_user
    # The editor lands on the export page with a confirmation: file name, size, sha256, links.
    assert response.redirect_chain[-1][0] == f"{url}?tool=mailchimp&fait={record.pk}"
    body = response.content.decode()
    assert "decembre-2021-mailchimp.html" in body and record.sha256 in body
    assert size_fr(len(record.payload)).replace("\u00a0", "&nbsp;") in body or size_fr(len(record.payload)) in body
    assert reverse("newsletter_newsletterexport_modeladmin_inspect", args=[record.pk]) in body
    download = client.get(reverse("newsletter_export_download", args=[record.pk]))
    assert b'href="*|UNSUB|*"' in download.content
    assert download.content == bytes(record.payload)
    listing = client.get("/admin/newsletter/newsletterexport/")
    assert listing.status_code == 200 and reverse("newsletter_export_download", args=[record.pk]) in listing.content.decode()


def test_admin_export_blocked_shows_errors_and_keeps_choices(seed_edition, moderator_user, client):
    seed_edition.subject = ""
    seed_edition.save_revision()
    client.force_login(moderator_user)
    response = client.post(reverse("newsletter_export", args=[seed_edition.pk]), {"tool": "brevo", "format": "zip"})
    body = response.content.decode()
    assert response.status_code == 200 and "Export refusé" in body and "objet du courriel est vide" in body
    assert 'value="brevo" selected' in body or "value=\"brevo\" selected" in body.replace("selected=\"selected\"", "selected")
    assert NewsletterExport.objects.count() == 0


def test_header_buttons_and_new_edition_prefilled(seed_edition, moderator_user, client):
    from ressources.models import ProjetPage, RessourceIndexPage
    from thematiques.models import ThematiquePage

    nouveau = RessourceIndexPage.objects.get().add_child(
        instance=ProjetPage(title="Un projet publié après l'édition précédente", chapo="Nouveau."))

    ThematiquePage.objects.filter(slug="retour-a-l-emploi").update(is_thematique_du_mois=True)
    client.force_login(moderator_user)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[seed_edition.pk])).content.decode()
    assert reverse("newsletter_export", args=[seed_edition.pk]) in edit
    index = seed_edition.get_parent()
    add_url = reverse("wagtailadmin_pages:add", args=["newsletter", "newsletterpage", index.pk])
    assert client.get(add_url)["Location"] == reverse("newsletter_new_edition", args=[index.pk])
    assert "Retour à l&#x27;emploi" in client.get(reverse("newsletter_new_edition", args=[index.pk])).content.decode()
    response = client.post(reverse("newsletter_new_edition", args=[index.pk]),
                           {"subject": "", "preheader": "Un texte d'aperçu choisi par l'éditeur."})
    edition = NewsletterPage.objects.exclude(pk=seed_edition.pk).get()
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[edition.pk])
    assert not edition.live and edition.number == 2
    draft = edition.get_latest_revision_as_object()
    kinds = [block.block_type for block in draft.sections]
    assert kinds[:4] == ["edito", "thematique_du_mois", "tribune", "projets"]
    # Suggested from the thématique du mois (the editor kept the subject, typed the preheader); chapô written.
    assert draft.subject.startswith("Retour à l'emploi — Territoires en Commun, ")
    assert draft.preheader == "Un texte d'aperçu choisi par l'éditeur."
    assert draft.chapo.startswith("Au sommaire de ce mois : la thématique du mois, Retour à l'emploi, 1 nouvelle ressource")
    assert draft.sections[0].value["title"] == "Édito"
    assert next(b for b in draft.sections if b.block_type == "agenda").value["title"] == "À vos agendas !"
    assert "vote" not in kinds  # no open campaign: none pre-selected
    summary = client.get(response["Location"]).content.decode()
    assert "1 ressource publiée depuis le" in summary and "reprise de l&#x27;édition précédente" in summary
    assert "concept" in kinds and "agenda" in kinds and "partager_evenements" in kinds
    assert draft.sections[1].value["thematique"].slug == "retour-a-l-emploi"
    projets = next(b for b in draft.sections if b.block_type == "projets")
    assert [item["page"].pk for item in projets.value["items"]] == [nouveau.pk]  # only what is new since
    agenda = next(b for b in draft.sections if b.block_type == "agenda")
    assert len(agenda.value["items"]) == 0  # automatic: the weeks after the edition's date


def test_preview_modes(seed_edition, moderator_user, client):
    assert [m for m, _label in seed_edition.preview_modes] == ["web", "email", "text"]
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = moderator_user
    email_response = seed_edition.serve_preview(request, "email")
    assert b"<mjml" not in email_response.content and b"Votez pour une th" in email_response.content
    text_response = seed_edition.serve_preview(request, "text")
    assert "Collectif Repérages" in text_response.content.decode()
    web_response = seed_edition.serve_preview(request, "web")
    web_response.render()
    assert "Collectif Repérages" in web_response.content.decode()


def test_public_archive_and_web_version(seed_edition, client):
    index = seed_edition.get_parent()
    archive = client.get(index.url).content.decode()
    assert seed_edition.title in archive and 'id="se-desinscrire"' in archive
    page = client.get(seed_edition.url).content.decode()
    for title in SECTION_TITLES + ITEM_TITLES:
        assert title.replace("'", "&#x27;") in page or title in page, title


def test_archive_is_paginated_newest_first_in_constant_queries(seed_edition, client):
    """Ten years of monthly editions stay bounded pages: 12 cards, then « Page suivante »; a bad
    or too high ?page= shows a page, never an error; the queries do not grow with the editions."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletter.models import NewsletterIndexPage

    index = seed_edition.get_parent().specific
    per_page = NewsletterIndexPage.EDITIONS_PER_PAGE

    def cards(html):
        return [a.get_text(" ", strip=True) for a in BeautifulSoup(html, "html.parser").select(".tec-card-list h2 a")]

    def measured(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    _html, few = measured(index.url)
    for month in range(per_page + 5):  # 30 editions with the seed's
        index.add_child(instance=NewsletterPage(
            title=f"Édition n° {month}", slug=f"edition-{month}", number=month,
            date=datetime.date(2010, 1, 1) + datetime.timedelta(days=31 * month)))
    first, many = measured(index.url)
    assert many <= few
    shown = cards(first)
    assert len(shown) == per_page and shown[0] == seed_edition.title and shown[1] == f"Édition n° {per_page + 4}"
    assert "Page suivante" in first and 'aria-current="page"' in first
    second, _ = measured(f"{index.url}?page=2")
    assert cards(second) == [f"Édition n° {n}" for n in range(5, -1, -1)]
    assert cards(measured(f"{index.url}?page=999")[0]) == cards(second)
    assert cards(measured(f"{index.url}?page=abc")[0]) == shown


def test_demo_load_is_idempotent(seed_edition):
    revisions = seed_edition.revisions.count()
    again = demo.load()
    assert again.pk == seed_edition.pk
    assert NewsletterPage.objects.count() == 1 and again.revisions.count() == revisions


def _edition_with_projets(index, count, image):
    from ressources.models import ProjetPage, RessourceIndexPage

    ressources = RessourceIndexPage.objects.get()
    pages = [ressources.add_child(instance=ProjetPage(
        title=f"Projet {count}-{i}", chapo="Un projet.", listing_image=image, external_url="https://example.org/p"))
        for i in range(count)]
    edition = NewsletterPage(title=f"Édition {count}", slug=f"edition-{count}", subject="Objet", preheader="Aperçu",
                             sections=[("projets", {"title": "Projets", "items": [
                                 {"page": p, "title": "", "text": "", "cta_label": ""} for p in pages]}),
                                       ("actualites", {"title": "Actualités", "items": [
                                           {"page": p, "title": "", "text": "", "cta_label": ""} for p in pages]})])
    index.add_child(instance=edition)
    return NewsletterPage.objects.get(pk=edition.pk)


def test_rendering_queries_do_not_grow_with_items(seed_edition):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    image = get_image_model().objects.create(title="Illustration", file=get_test_image_file())
    index = seed_edition.get_parent()
    small, large = _edition_with_projets(index, 3, image), _edition_with_projets(index, 12, image)
    render_email(small, "generic")  # renditions created once
    counts = []
    for edition in (small, large):
        edition = NewsletterPage.objects.get(pk=edition.pk)
        with CaptureQueriesContext(connection) as queries:
            rendered = render_email(edition, "generic")
        counts.append(len(queries))
        assert rendered.html.count("Projet ") >= 2 * len(edition.sections[0].value["items"])
        assert rendered.html.count('width="560"') == len(edition.sections[0].value["items"]) * 2
    assert counts[0] == counts[1], "\n".join(q["sql"][:120] for q in queries.captured_queries)


def test_new_edition_follows_the_open_vote_and_the_vote_button_finds_the_vote_page(seed_edition):
    from newsletter.compose import create_prefilled_edition
    from tests.vote_helpers import make_campaign
    from thematiques.models import ThematiquePage
    from thematiques.vote.models import VotePage

    campaign = make_campaign(list(ThematiquePage.objects.filter(slug__in=["droit-a-la-mobilite",
                                                                         "retour-a-l-emploi"])))
    vote_page = seed_edition.get_parent().get_parent().add_child(
        instance=VotePage(title="Votez pour une thématique", slug="votez"))
    vote_page.save_revision().publish()

    # The seed chose no vote page: its button leads to the site's vote page once there is one.
    text = render_email(NewsletterPage.objects.get(pk=seed_edition.pk), "generic").text
    assert "Votez pour une thématique\nhttp://testserver/votez/?utm_source=newsletter" in text  # URL on its line

    edition = create_prefilled_edition(seed_edition.get_parent()).get_latest_revision_as_object()
    vote = next(b for b in edition.sections if b.block_type == "vote")
    assert vote.value["campaign"] == str(campaign.pk) and vote.value["button_page"].pk == vote_page.pk
    labels = [row["label"] for row in edition.vote_counts()[0]["rows"]]
    assert sorted(labels) == ["Droit à la mobilité", "Retour à l'emploi"]  # the campaign's live results
