"""The demo site: every item of the December 2021 edition, idempotent loading, and the admin account command."""
import datetime as dt
import html
import io
import sys
import types
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from cms.models import Partenaire, SiteSettings
from home.models import HomePage, StandardPage
from ressources.models import (
    ActualitePage,
    AgendaIndexPage,
    ArticlePage,
    ConceptLien,
    ConceptPage,
    EvenementPage,
    ProjetPage,
    RessourceIndexPage,
    RessourcePage,
    TribunePage,
)
from thematiques.models import (
    Collectivite,
    ProjetPartageCollectivite,
    ProjetPartageIndexPage,
    ProjetPartagePage,
    ThematiqueIndexPage,
    ThematiquePage,
)

MY_PAGE_TYPES = (HomePage, StandardPage, ThematiqueIndexPage, ThematiquePage, ProjetPartageIndexPage,
                 ProjetPartagePage, RessourceIndexPage, ProjetPage, ArticlePage, TribunePage, ConceptPage,
                 ActualitePage, AgendaIndexPage, EvenementPage)


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for this module, inside a transaction rolled back at the end of the module.

    Each test still runs in its own savepoint (the ``db`` fixture), so tests that change the site (a
    second load_demo, an edited page) leave the shared demo as it was.
    """
    from django.core.cache import caches
    from django.db import transaction
    from django.test import override_settings

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"))
    media.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = io.StringIO()
            call_command("load_demo", collectivites="demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for cache in caches.all():
                cache.clear()  # Wagtail caches site root paths: forget the rolled-back pages
            media.disable()


@pytest.fixture
def demo(demo_site, db):
    return demo_site


def snapshot():
    """Counts per model that a duplicated run would change."""
    counts = Counter(Page.objects.filter(depth__gt=1).values_list("content_type__model", flat=True))
    counts.update({
        "images": get_image_model().objects.count(),
        "collectivites": Collectivite.objects.count(),
        "participants": ProjetPartageCollectivite.objects.count(),
        "liens": ConceptLien.objects.count(),
        "partenaires": Partenaire.objects.count(),
        "sites": Site.objects.count(),
        # Every page's history, the apps' demo pages included (the edition once gained a revision
        # on the second run because it was composed before the vote demo had run).
        "revisions": Revision.page_revisions.count(),
    })
    return counts


def test_load_demo_twice_gives_identical_counts(demo):
    first = snapshot()
    first_ids = sorted(Page.objects.values_list("pk", flat=True))
    out = io.StringIO()
    call_command("load_demo", collectivites="demo", stdout=out)
    assert snapshot() == first
    assert sorted(Page.objects.values_list("pk", flat=True)) == first_ids
    assert "0 créées, 0 mises à jour" in out.getvalue()
    assert first["thematiquepage"] == 6
    assert first["projetpage"] == 4
    assert first["evenementpage"] == 7
    assert first["projetpartagepage"] == 3
    assert first["participants"] == 12


def test_load_demo_updates_a_changed_page_in_place(demo):
    tribune = TribunePage.objects.get()
    tribune.quote_author = "Quelqu'un d'autre"
    tribune.save_revision().publish()
    call_command("load_demo", collectivites="aucune", stdout=io.StringIO())
    assert TribunePage.objects.get(pk=tribune.pk).quote_author == "Jacques Chirac"
    assert TribunePage.objects.count() == 1


def test_home_page_replaces_wagtail_welcome_page(demo):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert (site.hostname, site.port) == ("localhost", 80)
    assert list(Page.objects.filter(depth=2).values_list("title", flat=True)) == ["Territoires en Commun"]
    home = HomePage.objects.get()
    menu = {p.title for p in home.get_children().live().in_menu()}
    assert {"Thématiques", "Ressources", "Agenda", "Projets partagés"} <= menu
    assert set(StandardPage.objects.values_list("title", flat=True)) == {
        "Mentions légales", "Déclaration d'accessibilité", "Données personnelles"}
    accessibilite = StandardPage.objects.get(slug="accessibilite")
    assert "partiellement conforme" in str(accessibilite.body)
    assert "Défenseur des droits" in str(accessibilite.body)


def test_settings_and_partners(demo):
    settings = SiteSettings.load()
    assert settings.editorial_email == "editorialisation@territoires-en-commun.fr"
    assert "Creative Commons" in settings.licence_text
    partners = list(Partenaire.objects.order_by("sort_order"))
    assert [p.name for p in partners] == [
        "Agence nationale de la cohésion des territoires", "Banque des Territoires", "Décider ensemble",
        "Institut de la Concertation et de la Participation Citoyenne"]
    for partner in partners:
        assert partner.logo is not None
        assert partner.logo.description == f"Logo de {partner.name}"
        assert partner.logo.width == 600


def test_thematiques_of_the_seed(demo):
    titles = set(ThematiquePage.objects.values_list("title", flat=True))
    assert titles == {"Retour à l'emploi", "Petite enfance", "Aménagement des territoires", "Droit à la mobilité",
                      "Précarité alimentaire", "Isolement des seniors"}
    du_mois = ThematiquePage.objects.get(is_thematique_du_mois=True)
    assert du_mois.title == "Retour à l'emploi"
    assert du_mois.chapo.startswith("Ce mois-ci, Territoires en Commun vous propose d'explorer la thématique du "
                                    "retour à l'emploi")
    assert du_mois.contact_label == "Contactez l'ANCT"


def test_tribune_projects_and_article_of_the_seed(demo):
    tribune = TribunePage.objects.get()
    assert tribune.title == ("L'ingénierie participative les logiques de concertation et les autres voies qui "
                             "peuvent permettre de : \"faire de la démocratie locale une réalité plus vivante\"")
    assert (tribune.quote, tribune.quote_author) == (
        "faire de la démocratie locale une réalité plus vivante", "Jacques Chirac")
    assert tribune.chapo.startswith("Une première ressource pour envisager les enjeux de la thématique du mois")

    projets = {p.title: p for p in ProjetPage.objects.all()}
    expected = {
        "La grève du chômage menée par Territoires zéro chômage de longue durée":
            ("experience", "Pour découvrir le projet", "Territoires zéro chômage de longue durée"),
        "L'association Wake Up Café aide les détenus à trouver un emploi":
            ("initiative", "Découvrez l'initiative", "Wake Up Café"),
        "Collectif Repérages": ("experience", "Pour découvrir le projet", "Collectif Repérages"),
        "Handipacte Ile-de-France": ("initiative", "Découvrez l'initiative", "Handipacte Île-de-France"),
    }
    assert {t: (p.nature, p.link_label, p.project_lead) for t, p in projets.items()} == expected
    assert projets["Collectif Repérages"].chapo.startswith("L'association soutenue par le Conseil départemental "
                                                           "du Val-de-Marne")
    assert projets["Collectif Repérages"].territoire.nom == "Val-de-Marne"
    assert projets["Handipacte Ile-de-France"].territoire.nom == "Île-de-France"
    for projet in projets.values():
        assert projet.external_url.startswith("https://www.example.org/")
        assert projet.get_card().cta_label == projet.link_label
        assert "Retour à l'emploi" in [t.title for t in projet.thematiques.all()]

    article = ArticlePage.objects.get(slug="etre-benevole-ou-volontaire")
    assert article.title == "Être bénévole ou volontaire : un tremplin vers l'emploi ?"
    assert article.chapo.startswith("Cet article développe la place que peut occuper le bénévolat")


def test_concept_with_its_links_and_seven_criteria(demo):
    concept = ConceptPage.objects.get()
    assert concept.title == "Qualité de la participation"
    body = str(concept.body)
    assert concept.chapo.endswith("Deux grands registres sont fréquemment invoqués.")
    assert "Deux grands registres sont fréquemment invoqués." not in body  # the chapô, said once
    assert "Le premier registre est celui de la qualité de la procédure mise en place" in body
    assert "à des récits subjectifs." in body
    assert [(lien.title, lien.source) for lien in concept.liens.all()] == [
        ("L'Indice de Qualité Démocratique développé par Démocratie Ouverte", "Démocratie Ouverte"),
        ("L'évaluation de la participation par l'ICPC", "Institut de la Concertation et de la Participation Citoyenne"),
        ("Les critères des garants de concertation par la CNDP", "Commission nationale du débat public"),
        ("Les chartes de la participation", "Charte de la participation du public"),
    ]
    assert concept.criteres_titre.startswith("Les critères d'évaluation des Trophées de la participation")
    criteres = [block.value for block in concept.criteres]
    assert len(criteres) == 7
    assert criteres[0] == "Définition d'objectifs clairs attribués à la démarche de participation"
    assert criteres[-1] == "Réplicabilité de la démarche"


def test_actualites_of_the_ecosystem(demo):
    actualites = {a.title: a for a in ActualitePage.objects.all()}
    assert set(actualites) == {"Des nouvelles du projet partagé", "La remise des Trophées de la Participation",
                               "Les Rencontres DO - Édition territoires"}
    nouvelles = actualites["Des nouvelles du projet partagé"]
    button = next(block.value for block in nouvelles.body if block.block_type == "button")
    assert button["label"] == "Retrouvez les détails du projet"
    assert button["page"].specific.theme_label == "Ados"
    assert actualites["La remise des Trophées de la Participation"].chapo.startswith("Le 7 décembre s'est tenue")


def test_the_four_january_events_are_untangled(demo):
    events = {e.slug: e for e in EvenementPage.objects.filter(start__year=2022, start__month=1)}
    assert len(events) == 4

    def day(event):
        return timezone.localtime(event.start).date()

    handicap = events["handicap-innovations-et-reseaux"]
    assert handicap.title == "Handicap : innovations et réseaux, l'union fait la force !"
    assert day(handicap) == dt.date(2022, 1, 11)
    assert handicap.organizer == "La Caisse des Dépôts et la Handitech"

    webinaire = events["quels-rdvs-de-l-innovation-democratique-en-2022"]
    assert day(webinaire) == dt.date(2022, 1, 25)
    assert "Réseau des Territoires" in webinaire.organizer and "Démocratie Ouverte" in webinaire.organizer
    assert "quels RDVs de l'innovation démocratique en 2022 ?" in webinaire.chapo
    assert webinaire.online and webinaire.link_label == "Découvrez le réseau"

    mobilite = events["comment-la-mobilite-solidaire-s-impose"]
    assert day(mobilite) == dt.date(2022, 1, 26)
    assert mobilite.organizer.startswith("Le Laboratoire de la Mobilité inclusive")

    climat = events["prevenir-plutot-que-guerir-changement-climatique"]
    assert day(climat) == dt.date(2022, 1, 16)
    assert climat.title.startswith("Prévenir plutôt que guérir")
    assert climat.organizer == "Le Hub des Territoires"
    for event in events.values():
        assert event.all_day and event.is_past
        assert event.online or event.location


def test_upcoming_demo_events_fill_the_agenda(demo):
    upcoming = list(EvenementPage.objects.upcoming())
    assert len(upcoming) == 3
    assert all("(démonstration)" in e.title for e in upcoming)
    assert upcoming[0].start > timezone.now()


def test_projets_partages_with_their_collectivites(demo):
    def members(theme):
        page = ProjetPartagePage.objects.get(theme_label=theme)
        return {(p.collectivite.nom, p.role) for p in page.participants.all()}

    stake = ProjetPartageCollectivite.Role.PARTIE_PRENANTE
    assert members("Ados") == {("L'Île-Saint-Denis", stake), ("Paris", stake), ("Rezé", stake),
                               ("Tarascon-sur-Ariège", stake)}
    assert members("Culture") == {("Mantes-la-Jolie", stake), ("Guichen", stake), ("Bourges", stake),
                                  ("Niort", stake)}
    assert members("Aménagement") == {("Vaison-la-Romaine", stake), ("Vandœuvre-lès-Nancy", stake),
                                      ("CC de la Vallée de Kaysersberg", stake), ("Thiers", stake)}
    amenagement = ProjetPartagePage.objects.get(theme_label="Aménagement")
    assert amenagement.thematique.title == "Aménagement des territoires"


def test_generated_images_have_alt_text_and_are_not_duplicated(demo):
    Image = get_image_model()
    for page in [*ThematiquePage.objects.all(), *RessourcePage.objects.specific()]:
        assert page.listing_image is not None, page
        assert page.get_card().image_alt.startswith("Illustration : "), page
        assert page.listing_image.width == 1200
    retour = ThematiquePage.objects.get(slug="retour-a-l-emploi")
    # The picture carries no text (the card says the title): its alt says what it shows, and only that.
    assert retour.get_card().image_alt == "Illustration : une mallette dessinée sur fond vert."
    titles = list(Image.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles))


def test_resources_give_the_library_something_to_filter(demo):
    territoires = {p.territoire.nom for p in ProjetPage.objects.exclude(territoire=None)}
    assert territoires == {"Val-de-Marne", "Île-de-France"}
    mobilite = ThematiquePage.objects.get(slug="droit-a-la-mobilite")
    assert mobilite.ressources.count() == 1
    years = {d.year for d in RessourcePage.objects.values_list("publication_date", flat=True)}
    assert years == {2021, 2022}
    demo_only = ArticlePage.objects.filter(slug__startswith="demo-")
    assert demo_only.count() == 2 and all("démonstration" in a.title for a in demo_only)
    assert ThematiquePage.objects.get(slug="petite-enfance").ressources.count() == 1
    assert ThematiquePage.objects.get(slug="retour-a-l-emploi").ressources.count() == 6


def test_app_demo_hooks_are_called_and_their_errors_surface(demo, monkeypatch):
    calls = []
    module = types.ModuleType("ressources.demo")
    module.load = lambda stdout: calls.append(stdout)
    monkeypatch.setitem(sys.modules, "ressources.demo", module)
    call_command("load_demo", collectivites="aucune", stdout=io.StringIO())
    assert len(calls) == 1

    def broken(stdout):
        raise ImportError("a bug inside the app's demo, not a missing module")

    module.load = broken
    with pytest.raises(ImportError, match="a bug inside"):
        call_command("load_demo", collectivites="aucune", stdout=io.StringIO())


def test_home_and_every_demo_page_render(demo, client):
    pages = list(Page.objects.live().filter(depth__gt=1).specific())
    assert len(pages) >= 34
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, (page.url, response.status_code)
    home = html.unescape(client.get("/").content.decode())
    assert "Retour à l'emploi" in home  # the thématique du mois


# -- ensure_admin ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_ensure_admin_generates_a_password_once_and_prints_it(settings, tmp_path, monkeypatch):
    from django.contrib.auth.models import User

    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    settings.VAR_DIR = tmp_path
    first, second = io.StringIO(), io.StringIO()
    call_command("ensure_admin", stdout=first)
    call_command("ensure_admin", stdout=second)
    password = (tmp_path / "admin-password.txt").read_text().strip()
    assert len(password) >= 12
    assert f"Mot de passe : {password}" in first.getvalue()
    assert f"Mot de passe : {password}" in second.getvalue()
    assert "Identifiant : admin" in second.getvalue()
    assert "/admin/" in second.getvalue()
    user = User.objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)


@pytest.mark.django_db
def test_ensure_admin_takes_the_account_from_the_environment(settings, tmp_path, monkeypatch):
    from django.contrib.auth.models import User

    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("ADMIN_USERNAME", "anct")
    monkeypatch.setenv("ADMIN_PASSWORD", "un-mot-de-passe-solide")
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    assert User.objects.get(username="anct").check_password("un-mot-de-passe-solide")
    assert not (tmp_path / "admin-password.txt").exists()
    # An existing account is left alone: its password is not reset.
    monkeypatch.setenv("ADMIN_PASSWORD", "un-autre")
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    assert User.objects.get(username="anct").check_password("un-mot-de-passe-solide")
    assert "déjà présent" in out.getvalue()
    assert "un-autre" not in out.getvalue()


@pytest.mark.django_db
def test_ensure_admin_refuses_a_non_admin_account_with_that_name(settings, tmp_path, monkeypatch):
    from django.contrib.auth.models import User

    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("ADMIN_USERNAME", "redaction")
    User.objects.create_user("redaction", password="x")
    with pytest.raises(CommandError, match="n'est pas un administrateur actif"):
        call_command("ensure_admin", stdout=io.StringIO())
