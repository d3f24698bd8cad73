"""The public site: every page type renders in DSFR with its chrome, meta tags, cards and links."""
import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db


def make_image(title="Illustration", colour="blue", description=""):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    return Image.objects.create(title=title, file=get_test_image_file(colour=colour), description=description)


def build_site(home):
    """One page of every public type, linked the way the demo links them. Returns them by name."""
    from wagtail.models import Page

    from cms.models import Partenaire, SiteSettings
    from home.models import StandardPage
    from ressources.models import (
        ActualitePage,
        AgendaIndexPage,
        ArticlePage,
        ConceptLien,
        ConceptPage,
        EvenementPage,
        ProjetPage,
        RessourceIndexPage,
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

    image = make_image("Des habitants réunis", description="Des habitants réunis autour d'une table")
    Partenaire.objects.create(name="Agence nationale de la cohésion des territoires", short_name="ANCT",
                              url="https://agence-cohesion-territoires.gouv.fr", logo=make_image("Logo ANCT", "red"))
    Partenaire.objects.create(name="Décider ensemble", url="https://www.deciderensemble.com")
    settings = SiteSettings.load()
    settings.social_links = [("link", {"network": "LinkedIn", "url": "https://www.linkedin.com/company/anct"})]
    settings.save()

    herault = Collectivite.objects.create(code="223400011", code_insee="34", nom="Hérault",
                                          echelon=Collectivite.Echelon.DEPARTEMENT, departement="34", region="76")
    occitanie = Collectivite.objects.create(code="200053791", code_insee="76", nom="Occitanie",
                                            echelon=Collectivite.Echelon.REGION, region="76")
    montpellier = Collectivite.objects.create(code="34172", code_insee="34172", nom="Montpellier",
                                              echelon=Collectivite.Echelon.COMMUNE, departement="34", region="76")
    lille = Collectivite.objects.create(code="59350", code_insee="59350", nom="Lille",
                                        echelon=Collectivite.Echelon.COMMUNE, departement="59", region="32")
    Collectivite.objects.create(code="225900018", code_insee="59", nom="Nord",
                                echelon=Collectivite.Echelon.DEPARTEMENT, departement="59", region="32")
    Collectivite.objects.create(code="200041689", code_insee="32", nom="Hauts-de-France",
                                echelon=Collectivite.Echelon.REGION, region="32")

    thematiques = home.add_child(instance=ThematiqueIndexPage(title="Thématiques", slug="thematiques",
                                                              show_in_menus=True, intro="Nos thématiques d'inspiration."))
    emploi = thematiques.add_child(instance=ThematiquePage(
        title="Retour à l'emploi", slug="retour-a-lemploi", chapo="Remettre chacun en mouvement.",
        is_thematique_du_mois=True, image=image, header_image_alt="Des habitants réunis autour d'une table",
        listing_image=image,
        body=[("heading", {"text": "Pourquoi cette thématique", "level": "h2"}),
              ("paragraph", "<p>Le chômage de longue durée <b>n'est pas une fatalité</b>.</p>"),
              ("quote", {"quote": "Personne n'est inemployable", "author": "TZCLD", "source": ""}),
              ("callout", {"title": "À retenir", "text": "L'ANCT vous accompagne."})]))
    enfance = thematiques.add_child(instance=ThematiquePage(title="Petite enfance", slug="petite-enfance",
                                                            chapo="Accueillir les tout-petits."))

    library = home.add_child(instance=RessourceIndexPage(title="Ressources", slug="ressources", show_in_menus=True,
                                                         intro="Toutes les ressources."))
    projet = library.add_child(instance=ProjetPage(
        title="Wake Up Café", slug="wake-up-cafe", chapo="Accompagner les personnes sortant de détention.",
        nature="initiative", project_lead="Wake Up Café", external_url="https://www.wakeupcafe.org",
        link_label="Découvrez l'initiative", territoire=montpellier, publication_date=dt.date(2021, 12, 1),
        listing_image=image, listing_image_alt="Un café partagé"))
    article = library.add_child(instance=ArticlePage(
        title="Le bénévolat, une voie vers l'emploi", slug="benevolat", chapo="Pour aller plus loin.",
        source="France Bénévolat", territoire=lille, publication_date=dt.date(2020, 6, 15)))
    tribune = library.add_child(instance=TribunePage(
        title="Faire de la démocratie locale une réalité", slug="tribune", chapo="Une tribune.",
        author="Jeanne Martin", author_role="Maire", quote="La participation se construit.",
        publication_date=dt.date(2021, 12, 2), territoire=herault))
    concept = library.add_child(instance=ConceptPage(
        title="Qualité de la participation", slug="qualite-participation", chapo="Le concept du mois.",
        criteres_titre="Les sept critères", criteres=[("critere", "Clarté de l'objet"), ("critere", "Inclusion")],
        publication_date=dt.date(2021, 12, 3), territoire=occitanie))
    ConceptLien.objects.create(page=concept, title="Les Trophées de la participation", url="https://example.org/trophees",
                               source="Décider ensemble")
    actualite = library.add_child(instance=ActualitePage(
        title="Rencontres DO", slug="rencontres-do", chapo="Une actualité.", publication_date=dt.date(2021, 11, 20)))
    for resource in (projet, tribune, concept):
        resource.thematiques.set([emploi])
        resource.save_revision().publish()
    article.thematiques.set([enfance])
    article.save_revision().publish()

    agenda = home.add_child(instance=AgendaIndexPage(title="Agenda", slug="agenda", show_in_menus=True))
    now = timezone.now()
    # A fixed time of day (Paris), so that the event never straddles midnight whatever the test's hour.
    webinar_start = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=20), dt.time(9, 30),
                                        tzinfo=timezone.get_default_timezone())
    upcoming = agenda.add_child(instance=EvenementPage(
        title="Webinaire : coopérer, avec quels outils ?", slug="webinaire-cooperer", chapo="Un webinaire.",
        start=webinar_start, end=webinar_start + dt.timedelta(hours=2), online=True,
        organizer="ANCT", registration_url="https://example.org/inscription", link_label="S'inscrire"))
    upcoming.thematiques.set([emploi])
    upcoming.save_revision().publish()
    past = agenda.add_child(instance=EvenementPage(
        title="Rencontres de la participation", slug="rencontres-participation", chapo="Trois jours.",
        start=now - dt.timedelta(days=30), end=now - dt.timedelta(days=28), all_day=True, location="Lille",
        organizer="Décider ensemble"))

    projets_index = home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="projets-partages"))
    projet_partage = projets_index.add_child(instance=ProjetPartagePage(
        title="Projet partagé Culture", slug="culture", chapo="Un projet avec des collectivités.", thematique=emploi,
        theme_label="Culture", start_date=dt.date(2022, 1, 1), end_date=dt.date(2022, 12, 31)))
    ProjetPartageCollectivite.objects.create(page=projet_partage, collectivite=montpellier,
                                             role=ProjetPartageCollectivite.Role.PARTIE_PRENANTE)
    ProjetPartageCollectivite.objects.create(page=projet_partage, collectivite=herault,
                                             role=ProjetPartageCollectivite.Role.OBSERVATRICE)

    mentions = home.add_child(instance=StandardPage(title="Mentions légales", slug="mentions-legales",
                                                    body=[("paragraph", "<p>Éditeur : ANCT.</p>")]))
    accessibilite = home.add_child(instance=StandardPage(title="Déclaration d'accessibilité", slug="accessibilite"))
    cachee = home.add_child(instance=StandardPage(title="Page hors pied de page", slug="cachee", show_in_footer=False))
    Page.objects.filter(pk=home.pk).update(show_in_menus=False)
    return {
        "home": home, "thematiques": thematiques, "emploi": emploi, "enfance": enfance, "library": library,
        "projet": projet, "article": article, "tribune": tribune, "concept": concept, "actualite": actualite,
        "agenda": agenda, "upcoming": upcoming, "past": past, "projets_index": projets_index,
        "projet_partage": projet_partage, "mentions": mentions, "accessibilite": accessibilite, "cachee": cachee,
        "image": image, "collectivites": {"herault": herault, "occitanie": occitanie, "montpellier": montpellier,
                                          "lille": lille},
    }


def _fresh(value):
    """The same objects read again from the database, so that a test changing them changes only its own."""
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    return type(value)._default_manager.get(pk=value.pk)


@pytest.fixture(scope="module")
def shared_site(django_db_setup, django_db_blocker):
    """The site built once for the module (rolled back at its end); each test runs in a savepoint."""
    from tests.conftest import ensure_home, shared_data

    yield from shared_data(django_db_blocker, lambda: build_site(ensure_home()))


@pytest.fixture
def site(shared_site, db):
    return _fresh(shared_site)


def soup_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


PAGE_NAMES = ["home", "thematiques", "emploi", "enfance", "library", "projet", "article", "tribune", "concept",
              "actualite", "agenda", "upcoming", "past", "projets_index", "projet_partage", "mentions"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_every_page_type_renders_with_the_site_chrome(client, site, name):
    page = site[name]
    soup = soup_of(client.get(page.url))
    assert soup.html["lang"] == "fr"
    main = soup.find("main", id="content")
    assert main is not None and main.get("tabindex") == "-1"
    assert [a["href"] for a in soup.select(".fr-skiplinks a")] == ["#content", "#navigation", "#header-search-input",
                                                                   "#footer"]
    assert soup.find(id="navigation") is not None and soup.find(id="footer") is not None
    assert soup.find("h1").get_text(strip=True) == page.title
    assert len(soup.find_all("h1")) == 1
    # The header search form goes to the search page.
    form = soup.select_one("header form[role=search]")
    assert form["action"] == "/recherche/" and form.find("input", attrs={"name": "q"}) is not None
    # Meta description, canonical and Open Graph.
    assert soup.find("meta", attrs={"name": "description"})["content"]
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical == f"http://testserver{page.url}"
    assert soup.find("meta", property="og:url")["content"] == canonical
    assert soup.find("meta", property="og:title")["content"] == page.title
    assert soup.find("meta", property="og:locale")["content"] == "fr_FR"
    assert soup.find("meta", property="og:type")["content"] in ("website", "article")
    # DSFR assets are local.
    for tag in soup.find_all(["link", "script"]):
        url = tag.get("href") or tag.get("src") or ""
        if tag.name == "script" or "stylesheet" in (tag.get("rel") or []):
            assert url.startswith("/static/"), url
    # Breadcrumb on every page below home, ending with the current page.
    crumbs = soup.select(".fr-breadcrumb__list li")
    if page.depth > 2:
        assert crumbs[0].a["href"] == "/"
        assert crumbs[-1].a.get("aria-current") == "page"
        assert crumbs[-1].get_text(strip=True) == page.title
        assert len(crumbs) == page.depth - 1
    else:
        assert crumbs == []


def test_home_puts_forward_the_thematique_du_mois_resources_and_events(client, site):
    soup = soup_of(client.get("/"))
    main = soup.find("main")
    thematique_section = main.find("section", attrs={"aria-labelledby": "home-thematique"})
    assert thematique_section.select_one(".fr-card__title a").get_text() == "Retour à l'emploi"
    resources = [a.get_text() for a in main.find("section", attrs={"aria-labelledby": "home-ressources"})
                 .select(".fr-card__title a")]
    assert resources[0] == "Qualité de la participation"  # latest publication date first
    assert set(resources) == {"Wake Up Café", "Le bénévolat, une voie vers l'emploi",
                              "Faire de la démocratie locale une réalité", "Qualité de la participation",
                              "Rencontres DO"}
    events = [a.get_text() for a in main.find("section", attrs={"aria-labelledby": "home-agenda"})
              .select(".fr-card__title a")]
    assert events == ["Webinaire : coopérer, avec quels outils ?"]  # the past event is not upcoming
    # Cards carry the kind of each resource: the projet says "Initiative", its own nature.
    card = main.find("a", string="Wake Up Café").find_parent(class_="fr-card")
    assert card.select_one(".tec-card__kind").get_text() == "Initiative"


def test_navigation_marks_the_current_section(client, site):
    soup = soup_of(client.get(site["projet"].url))
    links = {a.get_text(strip=True): a for a in soup.select("#navigation a.fr-nav__link")}
    assert list(links) == ["Thématiques", "Ressources", "Agenda"]
    assert links["Ressources"].get("aria-current") == "true"
    assert links["Agenda"].get("aria-current") is None
    soup = soup_of(client.get(site["library"].url))
    current = soup.select_one("#navigation a[aria-current]")
    assert current.get_text(strip=True) == "Ressources" and current["aria-current"] == "page"


def test_footer_shows_settings_partners_and_footer_pages_only(client, site):
    soup = soup_of(client.get("/"))
    footer = soup.find("footer", id="footer")
    bottom = [a.get_text(strip=True) for a in footer.select(".fr-footer__bottom-list a")]
    assert "Mentions légales" in bottom and "Déclaration d'accessibilité" in bottom
    assert "Page hors pied de page" not in bottom
    assert footer.find("a", href="mailto:contact@territoires-en-commun.fr") is not None
    assert "20 avenue de Ségur" in footer.find("address").get_text()
    licence = footer.select_one(".fr-footer__bottom-copy a")
    assert licence["href"] == "https://creativecommons.org/licenses/by/4.0/deed.fr"
    assert "Creative Commons" in licence.get_text()
    partners = footer.select(".fr-footer__partners a")
    assert [a["href"] for a in partners] == ["https://agence-cohesion-territoires.gouv.fr",
                                             "https://www.deciderensemble.com"]
    assert partners[0].find("img")["alt"] == "Agence nationale de la cohésion des territoires"
    assert partners[1].get_text(strip=True) == "Décider ensemble"
    assert soup.select_one(".fr-follow a.fr-btn--linkedin")["href"] == "https://www.linkedin.com/company/anct"
    # The header lists the partners too.
    header_partners = soup.select("header .tec-partners__item")
    assert len(header_partners) == 2


def test_chrome_query_count_does_not_grow_with_partners_and_footer_pages(client, site):
    from cms.models import Partenaire
    from home.models import StandardPage

    client.get("/mentions-legales/")  # warm the renditions and site caches
    with CaptureQueriesContext(connection) as few:
        client.get("/mentions-legales/")
    for i in range(6):
        Partenaire.objects.create(name=f"Partenaire {i}", url=f"https://p{i}.example.org",
                                  logo=make_image(f"Logo {i}", "green"))
        site["home"].add_child(instance=StandardPage(title=f"Page {i}", slug=f"page-{i}"))
    client.get("/mentions-legales/")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/mentions-legales/")
    assert response.content.decode().count("fr-footer__bottom-item") >= 8
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_open_graph_image_is_an_absolute_rendition_url(client, site):
    soup = soup_of(client.get(site["projet"].url))
    og_image = soup.find("meta", property="og:image")["content"]
    assert re.match(r"^http://testserver/media/images/.+\.fill-1200x630", og_image)
    # And a page without image has none, and still renders.
    soup = soup_of(client.get(site["article"].url))
    assert soup.find("meta", property="og:image") is None
    assert soup.find("meta", attrs={"name": "description"})["content"] == "Pour aller plus loin."


def test_meta_description_prefers_the_seo_description(client, site):
    page = site["actualite"]
    page.search_description = "Description pour les moteurs de recherche."
    page.save_revision().publish()
    soup = soup_of(client.get(page.url))
    assert soup.find("meta", attrs={"name": "description"})["content"] == "Description pour les moteurs de recherche."
    assert soup.find("meta", property="og:description")["content"] == "Description pour les moteurs de recherche."


def test_cards_render_images_with_their_alternative_and_escape_text(client, site):
    projet = site["projet"]
    projet.title = "Wake <Up> & Café"
    projet.save_revision().publish()
    soup = soup_of(client.get(site["library"].url))
    card = soup.find("a", string="Wake <Up> & Café").find_parent(class_="fr-card")
    assert card.find("img")["alt"] == "Un café partagé"
    assert "<Up>" not in client.get(site["library"].url).content.decode()
    # One card, one link: the page (the whole card is clickable); the external site is offered on the page.
    assert [a["href"] for a in card.find_all("a")] == [projet.url]
    assert "fr-enlarge-link" in card["class"]
    external = soup_of(client.get(projet.url)).find("main").find("a", href="https://www.wakeupcafe.org")
    assert external.get_text(strip=True) == "Découvrez l'initiative"
    assert external["target"] == "_blank" and "noopener" in external["rel"]
    assert external["title"] == "Découvrez l'initiative : Wake <Up> & Café - nouvelle fenêtre"
    # A decorative image gets an empty alternative.
    projet.listing_image_decorative = True
    projet.save_revision().publish()
    soup = soup_of(client.get(site["library"].url))
    card = soup.find("a", string="Wake <Up> & Café").find_parent(class_="fr-card")
    assert card.find("img")["alt"] == ""


def test_thematique_page_groups_resources_and_links_to_contact(client, site):
    soup = soup_of(client.get(site["emploi"].url))
    main = soup.find("main")
    assert main.find("img", alt="Des habitants réunis autour d'une table") is not None
    assert main.find("h2", string="Pourquoi cette thématique") is not None
    assert main.select_one(".fr-quote blockquote").get_text(strip=True) == "«\u202fPersonne n'est inemployable\u202f»"
    section = main.find("section", attrs={"aria-labelledby": "thematique-ressources"})
    groups = {h3.get_text(): [a.get_text() for a in h3.find_next("ul").select(".fr-card__title a")]
              for h3 in section.find_all("h3")}
    assert groups == {"Projet ou initiative": ["Wake Up Café"], "Tribune": ["Faire de la démocratie locale une réalité"],
                      "Concept du mois": ["Qualité de la participation"]}
    assert all(h.name == "h4" for h in section.select(".fr-card__title"))
    events = main.find("section", attrs={"aria-labelledby": "thematique-agenda"})
    assert [a.get_text() for a in events.select(".fr-card__title a")] == ["Webinaire : coopérer, avec quels outils ?"]
    projets = main.find("section", attrs={"aria-labelledby": "thematique-projets"})
    assert [a.get_text() for a in projets.select(".fr-card__title a")] == ["Projet partagé Culture"]
    contact = main.find(id="contact-anct")
    assert contact.find("a", class_="fr-btn")["href"] == "/contact/?thematique=retour-a-lemploi"
    assert contact.find("a", class_="fr-btn").get_text() == "Contactez l'ANCT"
    feed = soup.find("link", rel="alternate", type="application/rss+xml")
    assert feed["href"] == "/flux/thematiques/retour-a-lemploi.xml"


def test_thematique_without_image_or_resources_renders(client, site):
    soup = soup_of(client.get(site["enfance"].url))
    assert soup.find("main").find("img") is None
    assert soup.find("meta", property="og:image") is None


def test_projet_partage_lists_participants_by_role(client, site):
    soup = soup_of(client.get(site["projet_partage"].url))
    main = soup.find("main")
    prenantes = main.find("h3", string="Parties prenantes").find_next("ul").get_text(" ", strip=True)
    observatrices = main.find("h3", string="Observatrices").find_next("ul").get_text(" ", strip=True)
    assert "Montpellier" in prenantes and "Commune" in prenantes and "Hérault" not in prenantes
    assert "Hérault" in observatrices and "Département" in observatrices
    assert "du 1er janvier 2022 au 31 décembre 2022" in main.get_text(" ")
    index = soup_of(client.get(site["projets_index"].url))
    assert [a.get_text() for a in index.select("main .fr-card__title a")] == ["Projet partagé Culture"]


def test_resource_pages_show_their_own_fields(client, site):
    tribune = soup_of(client.get(site["tribune"].url)).find("main")
    assert "Par Jeanne Martin" in tribune.get_text(" ") and "Maire" in tribune.get_text()
    assert tribune.select_one(".fr-quote blockquote").get_text(strip=True) == "«\u202fLa participation se construit.\u202f»"
    concept = soup_of(client.get(site["concept"].url)).find("main")
    assert [li.get_text() for li in concept.find("h2", string="Les sept critères").find_next("ol").find_all("li")] == [
        "Clarté de l'objet", "Inclusion"]
    link = concept.find("a", string="Les Trophées de la participation")
    assert link["href"] == "https://example.org/trophees" and "Décider ensemble" in link.parent.get_text()
    projet = soup_of(client.get(site["projet"].url)).find("main")
    assert projet.find("a", href="https://www.wakeupcafe.org").get_text(" ", strip=True).startswith(
        "Découvrez l'initiative")
    assert "Montpellier" in projet.get_text()
    assert [a.get_text() for a in projet.select(".fr-tags-group a.fr-tag")] == ["Retour à l'emploi"]
    article = soup_of(client.get(site["article"].url)).find("main")
    assert "France Bénévolat" in article.get_text()


def test_agenda_lists_upcoming_then_archive_and_event_page_in_french(client, site):
    soup = soup_of(client.get(site["agenda"].url))
    main = soup.find("main")
    upcoming = main.find("section", attrs={"aria-labelledby": "agenda-upcoming"})
    archive = main.find("section", attrs={"aria-labelledby": "agenda-archive"})
    assert [a.get_text() for a in upcoming.select(".fr-card__title a")] == ["Webinaire : coopérer, avec quels outils ?"]
    assert [a.get_text() for a in archive.select(".fr-card__title a")] == ["Rencontres de la participation"]
    # Event cards give the dates in words, not only the day.
    assert re.search(r"^Le \d+ \w+ \d{4}, de 9 h 30 à 11 h 30$", upcoming.select_one(".fr-card__end time").get_text())
    assert re.search(r"^Du \d+ \w+ \d{4} au \d+ \w+ \d{4}$", archive.select_one(".fr-card__end time").get_text())
    assert main.find("a", href="/agenda.ics") is not None
    assert soup.find("link", rel="alternate", type="text/calendar")["href"] == "/agenda.ics"

    event = soup_of(client.get(site["upcoming"].url)).find("main")
    text = event.get_text(" ")
    start = timezone.localtime(site["upcoming"].start)
    assert re.search(rf"Le {start.day} \w+ {start.year}, de 9 h 30 à 11 h 30", text)
    assert "En ligne" in text and "Organisé par :" in text and "ANCT" in text
    assert event.find("a", href="https://example.org/inscription").get_text(" ", strip=True).startswith("S'inscrire")
    assert event.find("a", href="/agenda/webinaire-cooperer.ics") is not None

    past = soup_of(client.get(site["past"].url)).find("main").get_text(" ")
    assert "Événement passé" in past and "Lille" in past and re.search(r"Du \d+ \w+ \d{4} au \d+ \w+ \d{4}", past)


def test_event_dates_are_formatted_in_french():
    from django.utils import timezone as tz

    from cms.templatetags.site_tags import event_dates
    from ressources.models import EvenementPage

    paris = tz.get_default_timezone()
    same_day = EvenementPage(start=dt.datetime(2022, 1, 18, 9, 30, tzinfo=paris),
                             end=dt.datetime(2022, 1, 18, 11, 0, tzinfo=paris))
    assert event_dates(same_day) == "Le 18 janvier 2022, de 9 h 30 à 11 h 00"
    all_day = EvenementPage(start=dt.datetime(2022, 2, 1, 0, 0, tzinfo=paris),
                            end=dt.datetime(2022, 2, 1, 23, 59, tzinfo=paris), all_day=True)
    assert event_dates(all_day) == "Le 1er février 2022 (toute la journée)"
    several = EvenementPage(start=dt.datetime(2022, 2, 1, 0, 0, tzinfo=paris),
                            end=dt.datetime(2022, 2, 3, 23, 59, tzinfo=paris), all_day=True)
    assert event_dates(several) == "Du 1er février 2022 au 3 février 2022"
    overnight = EvenementPage(start=dt.datetime(2022, 3, 1, 18, 0, tzinfo=paris),
                              end=dt.datetime(2022, 3, 2, 12, 0, tzinfo=paris))
    assert event_dates(overnight) == "Du 1er mars 2022 à 18 h 00 au 2 mars 2022 à 12 h 00"


def test_standard_page_renders_its_body(client, site):
    main = soup_of(client.get(site["mentions"].url)).find("main")
    assert "Éditeur : ANCT." in main.get_text()


def test_home_shows_the_vote_block_only_while_there_is_a_campaign(client, site):
    from tests.vote_helpers import make_campaign

    assert soup_of(client.get("/")).find(id="vote-accueil") is None
    make_campaign([site["emploi"], site["enfance"]])
    block = soup_of(client.get("/")).find(id="vote-accueil")
    assert block is not None and "Votez pour une thématique !" in block.get_text()


def test_page_not_found_is_french_and_dsfr(client, site):
    response = client.get("/cette-page-nexiste-pas/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    assert soup.html["lang"] == "fr"
    assert soup.find("h1").get_text() == "Page non trouvée"
    assert "Erreur 404" in soup.get_text()
    assert soup.find("footer", id="footer") is not None
    assert soup.find("a", href="/recherche/") is not None


def test_server_error_page_renders_without_database(rf, django_assert_num_queries):
    from cms.views import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur 500" in html and "Erreur inattendue" in html and 'lang="fr"' in html
    assert "/static/css/dsfr-site.min.css" in html  # the DSFR parts the site uses (cms/dsfr_css.py)


def test_robots_and_sitemap(client, site):
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    index = client.get("/sitemap.xml").content.decode()
    # Wagtail's convention for big sites: an index of paginated sections.
    assert "<sitemapindex" in index and "http://testserver/sitemap-pages.xml" in index
    sitemap = client.get("/sitemap-pages.xml").content.decode()
    assert "http://testserver/ressources/wake-up-cafe/" in sitemap


def test_block_templates(client, site):
    """Every block of the shared StreamBlock renders with its accessibility attributes."""
    from home.models import StandardPage

    image = site["image"]
    page = site["home"].add_child(instance=StandardPage(title="Tous les blocs", slug="blocs", body=[
        ("heading", {"text": "Un intertitre de niveau 3", "level": "h3"}),
        ("image", {"image": image, "alt": "Une carte de France", "decorative": False, "caption": "La carte"}),
        ("image", {"image": image, "alt": "", "decorative": True, "caption": ""}),
        ("button", {"label": "Voir les ressources", "page": site["library"], "url": ""}),
        ("button", {"label": "Site externe", "page": None, "url": "https://example.org"}),
        ("callout", {"title": "Important", "text": "Ligne 1\nLigne 2"}),
    ]))
    main = soup_of(client.get(page.url)).find("main")
    assert main.find("h3", string="Un intertitre de niveau 3") is not None
    images = main.select("figure img")
    assert [img["alt"] for img in images] == ["Une carte de France", ""]
    assert main.find("figcaption", string="La carte") is not None
    assert main.find("a", string="Voir les ressources")["href"] == "/ressources/"
    assert main.find("a", string="Site externe")["href"] == "https://example.org"
    assert main.select_one(".fr-callout .fr-callout__title").get_text() == "Important"


def test_video_iframe_gets_the_block_title():
    from cms.templatetags.site_tags import embed_with_title

    class FakeEmbed:  # the value an EmbedBlock gives, without reaching the provider
        url = "https://www.youtube.com/watch?v=x"
        html = '<iframe src="https://www.youtube.com/embed/x" title="YouTube video player"></iframe>'

    html = embed_with_title(FakeEmbed(), "Présentation <du> projet")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.iframe["title"] == "Présentation <du> projet"
    assert "<du>" not in html

    class Unreachable:
        url = "https://video.example.org/1"

        @property
        def html(self):
            raise RuntimeError("provider unreachable")

    assert BeautifulSoup(embed_with_title(Unreachable(), "Vidéo"), "html.parser").a["href"] == "https://video.example.org/1"


def test_search_backend_is_full_text_on_both_databases(site):
    from wagtail.search.backends import get_search_backend

    if connection.vendor == "postgresql":
        from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend as expected
    else:  # (the SQLite module declares models that only exist on SQLite)
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend as expected
    assert isinstance(get_search_backend(), expected)  # SQLite uses FTS5 (stemmed), not the LIKE fallback


@pytest.mark.parametrize("query, expected", [
    ("Wake", {"Wake Up Café"}),
    ("détention", {"Wake Up Café"}),  # in the chapô
    ("Jeanne Martin", {"Faire de la démocratie locale une réalité"}),  # the tribune's author
    ("emploi", {"Retour à l'emploi", "Le bénévolat, une voie vers l'emploi"}),
    ("webinaire", {"Webinaire : coopérer, avec quels outils ?"}),
    ("Culture", {"Projet partagé Culture"}),
    ("Mentions", {"Mentions légales"}),
    ("participation inexistantmot", set()),  # every word must match
    ("l'emploi", {"Retour à l'emploi", "Le bénévolat, une voie vers l'emploi"}),  # French elision
    # « la » is a stop word for PostgreSQL's French configuration, an ordinary word for SQLite FTS5:
    # every page here contains it, so both databases agree.
    ("la participation", {"Qualité de la participation", "Faire de la démocratie locale une réalité",
                          "Rencontres de la participation"}),
])
def test_search_finds_every_kind_of_content(client, site, query, expected):
    soup = soup_of(client.get("/recherche/", {"q": query}))
    found = {a.get_text() for a in soup.select("main .fr-card__title a")}
    assert found == expected
    count = soup.find(id="search-count").get_text()
    n = len(expected)
    assert count == (f"{n} résultat{'s' if n > 1 else ''} pour « {query} »" if n else f"Aucun résultat pour « {query} »")
    assert soup.select_one("#search-page-input")["value"] == query


def test_search_results_say_their_kind_and_are_noindex(client, site):
    soup = soup_of(client.get("/recherche/", {"q": "Qualité participation"}))
    card = soup.find("a", string="Qualité de la participation").find_parent(class_="fr-card")
    assert card.select_one(".tec-card__kind").get_text() == "Concept du mois"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert soup.select(".fr-breadcrumb__list li")[-1].get_text(strip=True) == "Recherche"
    assert soup.find("title").get_text() == "Recherche «\u202fQualité participation\u202f» — Territoires en Commun"


def test_search_leaves_out_unpublished_pages(client, site):
    site["projet"].unpublish()
    soup = soup_of(client.get("/recherche/", {"q": "Wake"}))
    assert soup.select("main .fr-card__title a") == []
    assert "Aucun contenu ne correspond" in soup.find("main").get_text()


def test_search_without_query_and_with_hostile_input(client, site):
    soup = soup_of(client.get("/recherche/"))
    assert "Saisissez un ou plusieurs mots" in soup.find("main").get_text()
    response = client.get("/recherche/", {"q": "<script>alert(1)</script> \"' OR 1=1 --", "page": "x"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    soup = soup_of(client.get("/recherche/", {"q": "emploi " * 60}))
    assert "raccourcie à 200 caractères" in soup.find("main").get_text()


def test_search_paginates_and_keeps_the_query(client, site):
    from ressources.models import ActualitePage

    for i in range(12):
        site["library"].add_child(instance=ActualitePage(title=f"Atelier numéro {i}", slug=f"atelier-{i}"))
    soup = soup_of(client.get("/recherche/", {"q": "atelier"}))
    assert soup.find(id="search-count").get_text() == "12 résultats pour « atelier »"
    assert len(soup.select("main .fr-card__title a")) == 10
    next_link = soup.select_one("nav.fr-pagination a.fr-pagination__link--next")["href"]
    assert next_link == "?q=atelier&page=2"
    soup = soup_of(client.get("/recherche/" + next_link))
    assert len(soup.select("main .fr-card__title a")) == 2
