"""Every page type can be created in the admin, sits where the page-tree rules say, and editors can edit it."""
import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.urls import reverse
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from home.models import HomePage, StandardPage
from ressources.models import (
    ActualitePage,
    AgendaIndexPage,
    ArticlePage,
    ConceptPage,
    EvenementPage,
    ProjetPage,
    RessourceIndexPage,
    RessourcePage,
    TribunePage,
)
from thematiques.models import (
    Collectivite,
    ProjetPartageIndexPage,
    ProjetPartagePage,
    ThematiqueIndexPage,
    ThematiquePage,
)

RESSOURCE_TYPES = {ProjetPage, ArticlePage, TribunePage, ConceptPage, ActualitePage}


def resource_data(title, thematiques=(), **extra):
    data = nested_form_data({
        "title": title, "chapo": f"Chapô de {title}", "publication_date": "2021-12-16", "tags": "",
        "external_url": "", "link_label": "", "body": streamfield([]), **extra,
    })
    data["thematiques"] = list(thematiques)  # a multiple-choice field: one POST value per choice
    return data


def streamfield_form_data(page) -> dict:
    """The POST data of the page's StreamFields (the admin renders them in JavaScript, not in the HTML form)."""
    from wagtail.fields import StreamField

    data = {}
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            items = [(child.block_type, child.block.get_prep_value(child.value)) for child in getattr(page, field.name)]
            if any(not isinstance(value, str) for _type, value in items):
                raise ValueError(f"{field.name}: only simple text blocks are supported here")
            data.update(nested_form_data({field.name: streamfield(items)}))
    return data


class PageTreeTests(WagtailPageTestCase):
    """The admin builds the site the same way load_demo does: one home, indexes under it, leaves under them."""

    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        cls.home = root.add_child(instance=HomePage(title="Territoires en Commun", slug="accueil-test"))
        site = Site.objects.get(is_default_site=True)
        welcome = site.root_page
        site.root_page = cls.home
        site.save()
        welcome.delete()
        cls.thematiques = cls.home.add_child(instance=ThematiqueIndexPage(title="Thématiques", slug="thematiques"))
        cls.projets_partages = cls.home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés",
                                                                                   slug="projets-partages"))
        cls.ressources = cls.home.add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources"))
        cls.agenda = cls.home.add_child(instance=AgendaIndexPage(title="Agenda", slug="agenda"))
        cls.emploi = cls.thematiques.add_child(instance=ThematiquePage(title="Retour à l'emploi", slug="emploi"))
        cls.tarascon = Collectivite.objects.create(code="09306", code_insee="09306", nom="Tarascon-sur-Ariège",
                                                   echelon="com", departement="09", region="76")
        cls.reze = Collectivite.objects.create(code="44143", code_insee="44143", nom="Rezé", echelon="com",
                                               departement="44", region="52")
        cls.val_de_marne = Collectivite.objects.create(code="229400288", code_insee="94", nom="Val-de-Marne",
                                                       echelon="dep", departement="94", region="11")

    def setUp(self):
        self.client.force_login(User.objects.create_superuser("admin-test", "admin@example.org", "x"))

    # -- page-tree rules -------------------------------------------------------------------------

    def test_home_page_rules(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertCanNotCreateAt(HomePage, HomePage)
        # max_count = 1: with the home page in place, the root accepts no second one.
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))
        for index in (StandardPage, ThematiqueIndexPage, ProjetPartageIndexPage, RessourceIndexPage, AgendaIndexPage):
            self.assertCanCreateAt(HomePage, index)
        for leaf in (ThematiquePage, ProjetPartagePage, EvenementPage, *RESSOURCE_TYPES):
            self.assertCanNotCreateAt(HomePage, leaf)

    def test_index_and_leaf_rules(self):
        self.assertAllowedSubpageTypes(ThematiqueIndexPage, {ThematiquePage})
        self.assertAllowedSubpageTypes(ProjetPartageIndexPage, {ProjetPartagePage})
        self.assertAllowedSubpageTypes(RessourceIndexPage, RESSOURCE_TYPES)
        self.assertAllowedSubpageTypes(AgendaIndexPage, {EvenementPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        for leaf in (ThematiquePage, ProjetPartagePage, EvenementPage, *RESSOURCE_TYPES):
            self.assertAllowedSubpageTypes(leaf, set())
        self.assertAllowedParentPageTypes(ThematiquePage, {ThematiqueIndexPage})
        self.assertAllowedParentPageTypes(ProjetPartagePage, {ProjetPartageIndexPage})
        self.assertAllowedParentPageTypes(EvenementPage, {AgendaIndexPage})
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        for model in RESSOURCE_TYPES:
            self.assertAllowedParentPageTypes(model, {RessourceIndexPage})
        for index in (ThematiqueIndexPage, ProjetPartageIndexPage, RessourceIndexPage, AgendaIndexPage):
            self.assertAllowedParentPageTypes(index, {HomePage})
            self.assertEqual(index.max_count, 1)

    def test_bare_ressource_is_not_creatable(self):
        self.assertFalse(RessourcePage.is_creatable)
        self.assertCanNotCreateAt(RessourceIndexPage, RessourcePage)

    # -- creation through the admin form ---------------------------------------------------------

    def test_create_home_page_under_root_when_none_exists(self):
        # Move the existing home out of the way: the admin then offers HomePage at the root again.
        Site.objects.all().delete()
        self.home.delete()
        root = Page.get_first_root_node()
        self.assertCanCreate(root, HomePage, nested_form_data({
            "title": "Territoires en Commun", "slug": "accueil", "intro": "Bienvenue", "body": streamfield([]),
        }))
        self.assertEqual(HomePage.objects.get().intro, "Bienvenue")

    def test_create_standard_page(self):
        self.assertCanCreate(self.home, StandardPage, nested_form_data({
            "title": "Mentions légales", "body": streamfield([("paragraph", rich_text("<p>Éditeur : ANCT</p>"))]),
        }))
        page = StandardPage.objects.get(slug="mentions-legales")
        self.assertTrue(page.live)
        self.assertIn("Éditeur : ANCT", str(page.body))

    def test_create_indexes(self):
        self.home.get_children().delete()
        for model, title in ((ThematiqueIndexPage, "Thématiques"), (ProjetPartageIndexPage, "Projets partagés"),
                             (RessourceIndexPage, "Ressources"), (AgendaIndexPage, "Agenda")):
            data = {"title": title, "intro": f"Introduction {title}"}
            if model is RessourceIndexPage:
                data["per_page"] = "12"
            self.assertCanCreate(self.home, model, nested_form_data(data))
            self.assertEqual(model.objects.get().intro, f"Introduction {title}")

    def test_create_thematique(self):
        self.assertCanCreate(self.thematiques, ThematiquePage, nested_form_data({
            "title": "Petite enfance", "chapo": "L'accueil des enfants.", "body": streamfield([]),
            "color": "yellow-tournesol", "pictogram": "family", "is_thematique_du_mois": "on",
            "contact_title": "L'ANCT peut vous accompagner", "contact_text": "Contactez-nous",
            "contact_label": "Contactez l'ANCT", "header_image_alt": "",
        }))
        page = ThematiquePage.objects.get(slug="petite-enfance")
        self.assertTrue(page.is_thematique_du_mois)
        self.assertEqual(page.pictogram, "family")

    def test_create_projet_partage_with_participants(self):
        self.assertCanCreate(self.projets_partages, ProjetPartagePage, nested_form_data({
            "title": "Projet partagé Ados", "thematique": str(self.emploi.pk), "theme_label": "Ados",
            "status": "en_cours", "start_date": "2021-09-01", "end_date": "2022-06-30", "body": streamfield([]),
            "participants": inline_formset([
                {"collectivite": str(self.tarascon.pk), "role": "partie_prenante"},
                {"collectivite": str(self.reze.pk), "role": "observatrice"},
            ]),
        }))
        page = ProjetPartagePage.objects.get(slug="projet-partage-ados")
        self.assertEqual([(p.collectivite.nom, p.role) for p in page.participants.all()],
                         [("Tarascon-sur-Ariège", "partie_prenante"), ("Rezé", "observatrice")])

    def test_projet_partage_end_before_start_is_refused_in_french(self):
        response = self.client.post(
            reverse("wagtailadmin_pages:add", args=["thematiques", "projetpartagepage", self.projets_partages.pk]),
            nested_form_data({
                "title": "Projet à l'envers", "slug": "envers", "status": "en_cours", "theme_label": "",
                "start_date": "2022-06-30", "end_date": "2021-09-01", "body": streamfield([]),
                "participants": inline_formset([]), "action-publish": "action-publish",
            }),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("La fin doit suivre le début.", response.context["form"].errors["end_date"])
        self.assertFalse(ProjetPartagePage.objects.filter(slug="envers").exists())

    def test_create_projet(self):
        self.assertCanCreate(self.ressources, ProjetPage, resource_data(
            "Collectif Repérages", nature="experience", project_lead="Collectif Repérages",
            external_url="https://www.example.org/reperages", link_label="Pour découvrir le projet",
            territoire=str(self.val_de_marne.pk), thematiques=[str(self.emploi.pk)],
        ))
        page = ProjetPage.objects.get(slug="collectif-reperages")
        self.assertEqual(page.territoire, self.val_de_marne)
        self.assertEqual(list(page.thematiques.all()), [self.emploi])
        self.assertEqual(page.get_card().cta_label, "Pour découvrir le projet")

    def test_create_article(self):
        self.assertCanCreate(self.ressources, ArticlePage, resource_data(
            "Être bénévole ou volontaire : un tremplin vers l'emploi ?", source="France Bénévolat"))
        self.assertEqual(ArticlePage.objects.get().source, "France Bénévolat")

    def test_create_tribune(self):
        self.assertCanCreate(self.ressources, TribunePage, resource_data(
            "L'ingénierie participative", author="", author_role="",
            quote="faire de la démocratie locale une réalité plus vivante", quote_author="Jacques Chirac",
        ))
        self.assertEqual(TribunePage.objects.get().quote_author, "Jacques Chirac")

    def test_create_concept_with_links_and_criteria(self):
        data = resource_data(
            "Qualité de la participation", criteres_titre="Les critères d'évaluation des Trophées",
            criteres=streamfield([("critere", "Inclusion des publics ciblés"),
                                  ("critere", "Caractère innovant de la démarche")]),
            liens=inline_formset([
                {"title": "Les chartes de la participation", "url": "https://www.example.org/chartes",
                 "source": "Ministère"},
                {"title": "L'évaluation de la participation par l'ICPC", "url": "https://www.example.org/icpc",
                 "source": "ICPC"},
            ]),
        )
        self.assertCanCreate(self.ressources, ConceptPage, data)
        page = ConceptPage.objects.get()
        self.assertEqual([(lien.title, lien.source) for lien in page.liens.all()],
                         [("Les chartes de la participation", "Ministère"),
                          ("L'évaluation de la participation par l'ICPC", "ICPC")])
        self.assertEqual([block.value for block in page.criteres],
                         ["Inclusion des publics ciblés", "Caractère innovant de la démarche"])

    def test_create_actualite(self):
        self.assertCanCreate(self.ressources, ActualitePage, resource_data("La remise des Trophées de la Participation"))
        self.assertTrue(ActualitePage.objects.get().live)

    def test_create_evenement(self):
        self.assertCanCreate(self.agenda, EvenementPage, nested_form_data({
            "title": "Webinaire du Réseau des Territoires", "start": "2022-01-25 10:00", "end": "2022-01-25 12:00",
            "online": "on", "location": "", "organizer": "Démocratie Ouverte",
            "registration_url": "https://www.example.org/webinaire", "link_label": "Découvrez le réseau",
            "collectivite": "", "body": streamfield([]),
        }) | {"thematiques": [str(self.emploi.pk)]})
        page = EvenementPage.objects.get()
        self.assertEqual(list(page.thematiques.all()), [self.emploi])
        self.assertEqual(page.start.astimezone(dt.UTC), dt.datetime(2022, 1, 25, 9, 0, tzinfo=dt.UTC))
        self.assertTrue(page.online)

    def test_evenement_without_place_nor_online_is_refused(self):
        response = self.client.post(
            reverse("wagtailadmin_pages:add", args=["ressources", "evenementpage", self.agenda.pk]),
            nested_form_data({
                "title": "Sans lieu", "slug": "sans-lieu", "start": "2022-01-25 10:00", "end": "",
                "location": "", "organizer": "", "registration_url": "", "link_label": "",
                "collectivite": "", "body": streamfield([]), "action-publish": "action-publish",
            }),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Indiquez un lieu, ou cochez « en ligne ».", response.context["form"].errors["location"])
        self.assertFalse(EvenementPage.objects.filter(slug="sans-lieu").exists())

    # -- the collectivité chooser ----------------------------------------------------------------

    def test_collectivite_fields_use_the_chooser_not_a_select(self):
        page = self.projets_partages.add_child(instance=ProjetPartagePage(title="Projet Culture", slug="culture"))
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn(reverse("collectivite_chooser:choose"), html)
        self.assertNotIn(">Tarascon-sur-Ariège (Commune, 09306)</option>", html)

    def test_chooser_searches_by_name_and_code_and_filters_by_echelon(self):
        url = reverse("collectivite_chooser:choose_results")
        html = self.client.get(url, {"q": "tarascon"}).content.decode()
        self.assertIn("Tarascon-sur-Ariège", html)
        self.assertNotIn("Rezé", html)
        html = self.client.get(url, {"q": "94"}).content.decode()
        self.assertIn("Val-de-Marne", html)
        html = self.client.get(url, {"q": "", "echelon": "com"}).content.decode()
        self.assertIn("Rezé", html)
        self.assertNotIn("Val-de-Marne", html)


class EditorEditViewTests(WagtailPageTestCase):
    """A member of the Editors group opens and saves the edit view of every page type."""

    @classmethod
    def setUpTestData(cls):
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="Territoires en Commun", slug="accueil-editeurs"))
        thematiques = home.add_child(instance=ThematiqueIndexPage(title="Thématiques", slug="thematiques"))
        projets_partages = home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="pp"))
        ressources = home.add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources"))
        agenda = home.add_child(instance=AgendaIndexPage(title="Agenda", slug="agenda"))
        emploi = thematiques.add_child(instance=ThematiquePage(title="Retour à l'emploi", slug="emploi"))
        reze = Collectivite.objects.create(code="44143", code_insee="44143", nom="Rezé", echelon="com",
                                           departement="44", region="52")
        projet_partage = ProjetPartagePage(title="Projet partagé Ados", slug="ados", thematique=emploi)
        projet_partage.participants.add(
            projet_partage.participants.model(collectivite=reze, role="partie_prenante"))
        projets_partages.add_child(instance=projet_partage)
        concept = ConceptPage(title="Qualité de la participation", slug="qualite",
                              criteres=[("critere", "Inclusion des publics ciblés")])
        concept.liens.add(concept.liens.model(title="Les chartes", url="https://www.example.org/chartes"))
        ressources.add_child(instance=concept)
        cls.pages = [
            home, home.add_child(instance=StandardPage(title="Mentions légales", slug="mentions-legales")),
            thematiques, emploi, projets_partages, projet_partage, ressources, concept,
            ressources.add_child(instance=ProjetPage(title="Wake Up Café", slug="wake-up", territoire=reze)),
            ressources.add_child(instance=ArticlePage(title="Être bénévole", slug="benevole")),
            ressources.add_child(instance=TribunePage(title="L'ingénierie participative", slug="tribune")),
            ressources.add_child(instance=ActualitePage(title="Rencontres DO", slug="rencontres")),
            agenda,
            agenda.add_child(instance=EvenementPage(
                title="Webinaire", slug="webinaire", online=True, collectivite=reze,
                start=dt.datetime(2022, 1, 25, 10, tzinfo=dt.UTC),
                end=dt.datetime(2022, 1, 25, 12, tzinfo=dt.UTC))),
        ]
        cls.editor = User.objects.create_user("redaction", "redaction@example.org", "motdepasse")
        cls.editor.groups.add(Group.objects.get(name="Editors"))

    def assert_editor_can_edit(self, page):
        """GET the edit view as the editor, then POST its own form back: no error, a new draft is saved.

        Wagtail's default Editors group may edit but not publish (Moderators publish), so the editor saves
        a draft; the live page stays as it was.
        """
        self.client.force_login(self.editor)
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        data = querydict_from_html(html, form_id="page-edit-form")
        # A browser sends "on" for a checked checkbox without value; querydict_from_html sends "".
        for box in BeautifulSoup(html, "html.parser").find(id="page-edit-form").find_all(
                "input", type="checkbox", checked=True):
            if "value" not in box.attrs:
                data[box["name"]] = "on"
        data.update(streamfield_form_data(page.specific))
        data["title"] = f"{page.title} (relu)"
        response = self.client.post(url, data)
        form = response.context["form"] if response.status_code == 200 and response.context else None
        self.assertEqual(response.status_code, 302, form.errors if form else response.status_code)
        self.assertEqual(response["Location"], url)
        fresh = Page.objects.get(pk=page.pk)
        self.assertEqual(fresh.get_latest_revision_as_object().title, f"{page.title} (relu)")
        self.assertEqual(fresh.title, page.title)
        self.assertTrue(fresh.has_unpublished_changes)

    def test_every_page_type_is_covered(self):
        covered = {type(p.specific) for p in self.pages}
        expected = {HomePage, StandardPage, ThematiqueIndexPage, ThematiquePage, ProjetPartageIndexPage,
                    ProjetPartagePage, RessourceIndexPage, AgendaIndexPage, EvenementPage, *RESSOURCE_TYPES}
        self.assertEqual(covered, expected)

    def test_editor_gets_and_saves_the_edit_view_of_every_page_type(self):
        for page in self.pages:
            with self.subTest(page_type=type(page).__name__):
                self.assert_editor_can_edit(page)

    def test_editor_can_use_the_collectivite_chooser(self):
        self.client.force_login(self.editor)
        response = self.client.get(reverse("collectivite_chooser:choose"), {"q": "rezé"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Rezé", response.json()["html"])

    def test_saving_a_projet_partage_keeps_its_participants(self):
        page = ProjetPartagePage.objects.get(slug="ados")
        self.assert_editor_can_edit(page)
        draft = Page.objects.get(pk=page.pk).get_latest_revision_as_object()
        self.assertEqual([(p.collectivite.nom, p.role) for p in draft.participants.all()],
                         [("Rezé", "partie_prenante")])


@pytest.mark.browser
def test_editor_adds_a_participant_with_the_chooser_in_a_real_browser(live_server, page, django_user_model):
    """In Chromium: add a participant to a projet partagé through the chooser modal, save the draft."""
    from wagtail.models import Page as WagtailPage

    root = WagtailPage.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Territoires en Commun", slug="accueil-navigateur"))
    index = home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="projets-partages"))
    projet = index.add_child(instance=ProjetPartagePage(title="Projet partagé Culture", slug="culture",
                                                        theme_label="Culture"))
    for code, nom, dep in (("35126", "Guichen", "35"), ("18033", "Bourges", "18"), ("79191", "Niort", "79")):
        Collectivite.objects.create(code=code, code_insee=code, nom=nom, echelon="com", departement=dep)
    editor = django_user_model.objects.create_user("redaction", "redaction@example.org", "motdepasse-redaction")
    editor.groups.add(Group.objects.get(name="Editors"))

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "redaction")
    page.fill("#id_password", "motdepasse-redaction")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/pages/{projet.pk}/edit/")
    page.locator("#id_participants-ADD").click()
    page.get_by_role("button", name="Choisir une collectivité").last.click()
    search = page.locator(".modal input[name=q]")
    page.locator(".modal a[data-chooser-modal-choice]", has_text="Niort").wait_for()
    search.fill("guich")
    # The modal's search narrows the list as one types.
    page.locator(".modal a[data-chooser-modal-choice]", has_text="Niort").wait_for(state="detached")
    page.locator(".modal a[data-chooser-modal-choice]", has_text="Guichen").click()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    page.locator(".messages .success").wait_for()

    draft = WagtailPage.objects.get(pk=projet.pk).get_latest_revision_as_object()
    assert [(p.collectivite.nom, p.role) for p in draft.participants.all()] == [("Guichen", "partie_prenante")]
