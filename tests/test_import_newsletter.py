"""Importing archived editions in the styles of Mailchimp, Brevo, Mailjet and MJML: sections, cards,
cleaned links, reports, idempotence, dry run and bad input."""
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
TOOL_FILES = ["mailchimp-2021-12.html", "brevo-2022-03.html", "mailjet-2022-06.html", "mjml-2022-09.html"]


@pytest.fixture
def newsletter_index(home):
    from newsletter.models import NewsletterIndexPage

    return home.add_child(instance=NewsletterIndexPage(title="Newsletter", slug="newsletter"))


@pytest.fixture
def site_tree(newsletter_index, ressource_index, agenda_index, thematique_index):
    return newsletter_index


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_newsletter", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sections_of(edition):
    return [(b.block_type, b.value["title"]) for b in edition.sections]


def items_of(edition, kind):
    block = next(b for b in edition.sections if b.block_type == kind)
    return [(item["page"].specific, item) for item in block.value["items"]]


@pytest.mark.django_db
def test_mailchimp_edition_becomes_sections_and_resources(site_tree):
    from newsletter.models import NewsletterPage
    from ressources.models import ProjetPage

    out, _err = run(FIXTURES / "mailchimp-2021-12.html")
    edition = NewsletterPage.objects.get()
    assert edition.title == "Territoires en Commun - La lettre de décembre 2021"
    assert str(edition.date) == "2021-12-01"
    assert edition.preheader.startswith("Ce mois-ci : le retour à l'emploi")
    assert not edition.live  # drafts unless --publish
    assert sections_of(edition) == [
        ("edito", "Edito"),
        ("projets", "Projets démocratiques et expériences territoriales pour vous inspirer"),
        ("vote", "Votez pour une thématique !"),
    ]
    edito = edition.sections[0].value["body"].source
    assert "<b>Territoires en commun</b>" in edito and "*|" not in edito
    projets = items_of(edition, "projets")
    assert [p.title for p, _i in projets] == [
        "La grève du chômage menée par Territoires zéro chômage de longue durée",
        "L'association Wake Up Café aide les détenus à trouver un emploi",
        "Collectif Repérages",
    ]
    greve, wake_up, reperages = (p for p, _i in projets)
    assert all(isinstance(p, ProjetPage) for p in (greve, wake_up, reperages))
    # Mailchimp's list-manage links carry only ids: kept; other links lose their UTM and mc_* parameters.
    assert greve.external_url.startswith("https://territoiresencommun.us5.list-manage.com/track/click?u=")
    assert wake_up.external_url == "https://www.wakeupcafe.org/"
    assert wake_up.nature == "initiative" and wake_up.link_label == "Découvrez l'initiative"
    assert reperages.external_url == "https://collectif-reperages.fr/"
    assert reperages.chapo.startswith("L'association soutenue par le Conseil départemental")
    rows = [(r["label"], r["count"]) for r in edition.sections[2].value["rows"]]
    assert rows == [("Aménagement des territoires", 172), ("Droit à la mobilité", 136)]
    # The report says what was created and what was dropped, and why.
    assert "créé : projet ou initiative « Collectif Repérages »" in out
    assert "greve-chomage.jpg (alt « Des personnes réunies lors de la Grève du chômage »)" in out
    assert "pixel(s) de suivi" in out and "lien de suivi non résoluble" in out
    assert "Copyright" in out and "unsubscribe" not in edito.lower()


@pytest.mark.django_db
def test_brevo_edition_in_windows_1252_with_bold_paragraphs_as_headings(site_tree):
    from newsletter.models import NewsletterPage
    from ressources.models import ActualitePage, ProjetPage

    run(FIXTURES / "brevo-2022-03.html")
    edition = NewsletterPage.objects.get()
    # <title> is a merge tag: the big bold first line is the title; "Mars 2022" the date.
    assert edition.title == "Territoires en Commun - Lettre n° 4"
    assert edition.number == 4 and str(edition.date) == "2022-03-01"
    assert sections_of(edition) == [("projets", "Projets pour vous inspirer"),
                                    ("actualites", "Actualités de l’écosystème")]
    (creches, _i1), (minibus, _i2) = items_of(edition, "projets")
    assert isinstance(creches, ProjetPage) and creches.title == "Des crèches solidaires à Lille"
    # Brevo /mk/cl/ redirect resolved (target in the URL), UTM stripped; generic ?url= redirect resolved.
    assert creches.external_url == "https://www.creches-solidaires.fr/projet"
    assert minibus.external_url == "https://ariege.fr/minibus-solidaire"
    assert "{{" not in creches.chapo and creches.chapo.startswith("Bonjour, la ville de Lille")
    (rencontres, _i), = items_of(edition, "actualites")
    assert isinstance(rencontres, ActualitePage) and rencontres.external_url == "https://rencontres-participation.fr/"
    assert rencontres.link_label == "Lire l’actualité"
    assert not Page.objects.filter(title__icontains="désinscrire").exists()


@pytest.mark.django_db
def test_mailjet_edition_thematique_and_concept(site_tree):
    from newsletter.models import NewsletterPage
    from ressources.models import ConceptPage
    from thematiques.models import ThematiquePage

    run(FIXTURES / "mailjet-2022-06.html")
    edition = NewsletterPage.objects.get()
    assert str(edition.date) == "2022-06-15"
    assert sections_of(edition) == [("thematique_du_mois", "Thématique du mois"), ("concept", "Le concept du mois")]
    thematique = edition.sections[0].value["thematique"].specific
    assert isinstance(thematique, ThematiquePage) and thematique.title == "Isolement des seniors"
    concept = edition.sections[1].value["concept"].specific
    assert isinstance(concept, ConceptPage) and concept.title == "Les budgets participatifs"
    liens = [(lien.title, lien.url, lien.source) for lien in concept.liens.all()]
    assert liens == [
        ("Le guide des budgets participatifs", "https://budgetparticipatif.fr/guide", "Démocratie Ouverte"),
        ("La carte des budgets participatifs", "https://www.lesbudgetsparticipatifs.fr/carte", ""),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["mjml-2022-09.html", "mjml-2022-09.mjml"])
def test_mjml_output_and_source_keep_the_heading_hierarchy(site_tree, name):
    from newsletter.models import NewsletterPage
    from ressources.models import ArticlePage

    run(FIXTURES / name)
    edition = NewsletterPage.objects.get()
    assert sections_of(edition) == [("edito", "Edito"), ("aller_plus_loin", "Pour aller plus loin")]
    # The h3 without a link stays a sub-heading of the édito's text, after its paragraph.
    body = edition.sections[0].value["body"].source
    assert body.index("projets partagés") < body.index("<b>Un mot sur le vote</b>") < body.index("nombreux à voter")
    articles = items_of(edition, "aller_plus_loin")
    assert [(p.title, p.external_url, type(p)) for p, _i in articles] == [
        ("Le guide de la concertation", "https://guide-concertation.example.org/", ArticlePage),
        ("Un MOOC sur la participation", "https://mooc-participation.example.org/", ArticlePage),
    ]


@pytest.mark.django_db
def test_importing_twice_creates_nothing_new(site_tree):
    from newsletter.models import NewsletterPage

    paths = [FIXTURES / name for name in TOOL_FILES]
    out, _err = run(*paths)
    assert "[1/4] mailchimp-2021-12.html …" in out and "[4/4] mjml-2022-09.html …" in out
    count = Page.objects.count()
    editions = NewsletterPage.objects.count()
    assert editions == 4
    out, _err = run(*paths)
    assert Page.objects.count() == count
    assert "créé :" not in out and out.count("déjà importée") == 4


@pytest.mark.django_db
def test_cards_match_existing_pages_by_url_then_by_title(site_tree, make_projet):
    from newsletter.models import NewsletterPage

    by_url = make_projet(title="Un autre titre pour Wake Up", external_url="http://wakeupcafe.org")
    by_title = make_projet(title="Collectif  repérages !", external_url="")
    count = Page.objects.count()
    out, _err = run(FIXTURES / "mailchimp-2021-12.html")
    pages = [p.pk for p, _item in items_of(NewsletterPage.objects.get(), "projets")]
    assert pages[1:] == [by_url.pk, by_title.pk]
    assert Page.objects.count() == count + 2  # the edition and the one unknown project
    assert f"(page {by_url.pk}, par lien externe)" in out and f"(page {by_title.pk}, par son titre)" in out
    # A reused page keeps its own title: the edition overrides it with what subscribers read.
    item = items_of(NewsletterPage.objects.get(), "projets")[1][1]
    assert item["title"] == "L'association Wake Up Café aide les détenus à trouver un emploi"


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_prints_the_same_report(site_tree):
    count = Page.objects.count()
    dry, _err = run(FIXTURES / "mailchimp-2021-12.html", FIXTURES / "brevo-2022-03.html", "--dry-run")
    assert Page.objects.count() == count
    assert "simulation : rien n'a été écrit" in dry
    real, _err = run(FIXTURES / "mailchimp-2021-12.html", FIXTURES / "brevo-2022-03.html")
    assert Page.objects.count() > count
    strip = lambda text: [line for line in text.splitlines() if "simulation" not in line and "importé(s)" not in line]  # noqa: E731 - a one-line filter
    assert strip(dry) == strip(real)


@pytest.mark.django_db
def test_publish_option_publishes_edition_and_resources(site_tree):
    from newsletter.models import NewsletterPage

    run(FIXTURES / "mjml-2022-09.html", "--publish", "--parent", "newsletter")
    edition = NewsletterPage.objects.get()
    assert edition.live and all(p.live for p, _i in items_of(edition, "aller_plus_loin"))


BAD_INPUTS = {
    "vide.html": (b"", "fichier vide"),
    "blancs.html": (b"   \n\t ", "fichier vide"),
    "image.html": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "ce n'est pas un fichier HTML mais un fichier PNG"),
    "binaire.html": (bytes(range(256)) * 4, "fichier binaire"),
    "texte.html": (b"Bonjour, ceci est un courriel en texte brut.", "aucune balise HTML"),
    "latin1.html": ("<html><body><h2>Édito</h2><p>Été</p></body></html>".encode("latin-1"), "n'est pas en UTF-8"),
    "menteur.html": ('<meta charset="utf-8"><h2>Édito</h2><p>\xe9t\xe9</p>'.encode("latin-1"),
                     "se déclare en UTF-8 mais contient des octets invalides"),
    "inconnu.html": (b'<meta charset="klingon-8"><h2>A</h2>', "encodage déclaré inconnu"),
    "illisible.html": (b"<html><body><table><tr><td>&nbsp;</td></tr></table></body></html>", "aucune section ni carte"),
    "cassee.mjml": (b"<mjml><mj-body><mj-section>", "source MJML invalide"),
    "archive.zip": (b"PK\x03\x04garbage", "archive ZIP illisible"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_one_french_line_non_zero_exit_and_nothing_written(site_tree, tmp_path, name):
    data, message = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    count = Page.objects.count()
    with pytest.raises(CommandError) as excinfo:
        run(path)
    assert "1 fichier(s) sur 1 n'ont pas pu être importés" in str(excinfo.value)
    assert Page.objects.count() == count


@pytest.mark.django_db
def test_one_bad_file_among_good_ones(site_tree, tmp_path):
    bad = tmp_path / "vide.html"
    bad.write_bytes(b"")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_newsletter", str(FIXTURES / "mjml-2022-09.html"), str(bad), stdout=StringIO(), stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert lines == [f"ÉCHEC {bad} : fichier vide"]
    from newsletter.models import NewsletterPage

    assert NewsletterPage.objects.count() == 1  # the good file is imported, in its own transaction


@pytest.mark.django_db
def test_huge_file_refused_before_reading(site_tree, tmp_path):
    path = tmp_path / "enorme.html"
    path.write_bytes(b"<html><body>" + b"<p>texte</p>" * 600_000 + b"</body></html>")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_newsletter", str(path), stdout=StringIO(), stderr=err)
    assert "fichier trop volumineux (6,9 Mo, maximum 5,0 Mo)" in err.getvalue()


@pytest.mark.django_db
def test_cli_errors_missing_file_and_unknown_parent(site_tree, tmp_path):
    with pytest.raises(CommandError, match="fichier introuvable : /nulle/part.html"):
        run("/nulle/part.html")
    with pytest.raises(CommandError, match="archive de newsletter introuvable"):
        run(FIXTURES / "mjml-2022-09.html", "--parent", "inconnue")


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_the_whole_file_back(newsletter_index):
    """No resource library: the edition's cards cannot be created, and neither is the edition."""
    count = Page.objects.count()
    with pytest.raises(CommandError):
        _out, err = run(FIXTURES / "mailchimp-2021-12.html")
    assert Page.objects.count() == count


AGENDA_HTML = """<html><head><meta charset="utf-8"><title>Lettre du 10 décembre 2021</title></head><body>
<table><tr><td>
<h2>A vos agendas !</h2>
<h3><a href="https://evenements.example.org/webinaire-mobilite">11 janvier : Webinaire sur la mobilité solidaire</a></h3>
<p>Un webinaire en ligne pour les élus.</p>
<h3><a href="https://evenements.example.org/rencontre">Rencontre régionale des garants</a></h3>
<p>Date à venir.</p>
<h2>Pour aller plus loin</h2>
<h3><a href="http://-adresse-cassee-.example/">Un article au lien cassé</a></h3>
<p>Le lien ne passe pas la validation des adresses.</p>
</td></tr></table></body></html>"""


@pytest.mark.django_db
def test_agenda_cards_become_events_when_a_date_is_given(site_tree, tmp_path):
    from newsletter.models import NewsletterPage
    from ressources.models import ArticlePage, EvenementPage

    path = tmp_path / "agenda.html"
    path.write_text(AGENDA_HTML, encoding="utf-8")
    out, _err = run(path)
    edition = NewsletterPage.objects.get()
    assert str(edition.date) == "2021-12-10"
    event = EvenementPage.objects.get()
    # "11 janvier" after a December edition is next year's January; "en ligne" makes it online.
    assert (event.title, str(event.start.date()), event.online) == ("Webinaire sur la mobilité solidaire", "2022-01-11", True)
    assert event.registration_url == "https://evenements.example.org/webinaire-mobilite"
    assert [item["page"].pk for item in edition.sections[0].value["items"]] == [event.pk]
    assert "ignoré : événement « Rencontre régionale des garants » : aucune date trouvée" in out
    article = ArticlePage.objects.get()
    assert article.external_url == ""
    assert "adresse invalide, non gardée" in out
