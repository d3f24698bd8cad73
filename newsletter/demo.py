"""Demo content of the newsletter: the archive and the seed edition ``decembre-2021``.

``load(stdout)`` is called by ``manage.py load_demo`` once the demo pages exist; it composes the
edition from those pages (found by slug) in the seed's order and wording. Idempotent.

``ensure_minimal_site()`` creates the few pages the seed edition needs when the full demo has not
been loaded (tests, benchmark): same slugs and wording, no images and no collectivités.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from home.demo import content as C
from home.demo.pages import upsert_page

EDITION_SLUG = "decembre-2021"
INDEX_SLUG = "newsletter"
AGENDA_ORDER = [  # the seed's order, not the dates' order
    "handicap-innovations-et-reseaux",
    "quels-rdvs-de-l-innovation-democratique-en-2022",
    "comment-la-mobilite-solidaire-s-impose",
    "prevenir-plutot-que-guerir-changement-climatique",
]
EDITO = [
    "Une nouvelle thématique d'inspiration s'est ajoutée à la plateforme Territoires en commun en cette fin "
    "d'année 2021 : la petite enfance. Le thème de l'accueil des enfants et l'accompagnement des parents en "
    "proximité répond à une préoccupation partagée par les collectivités de toutes tailles. Des exemples de projets "
    "existants pourront vous aider à concrétiser d'autres manières d'accompagner et de coopérer avec les familles, "
    "le système éducatif et les institutions compétentes",
    "L'ensemble de l'équipe de Territoires en Commun vous souhaite à toutes et tous d'excellentes fêtes de fin "
    "d'année et vous retrouve l'année prochaine pour la suite des projets partagés, pour de nouveaux échanges "
    "d'expériences, d'autres ressources et d'autres temps forts à venir.",
]
VOTE_ROWS = [("Aménagement des territoires", 172), ("Droit à la mobilité", 136), ("Précarité alimentaire", 131),
             ("Isolement des seniors", 125), ("Retour à l'emploi", 113)]
VOTE_TEXT = (
    "C'est vous qui décidez ! L'ANCT propose d'accompagner les collectivités territoriales autour de thématiques de "
    "politiques publiques jugées prioritaires pour les territoires. Les collectivités votent selon leurs enjeux. En "
    "fonction de leur popularité, un thème est choisi pour faire l'objet d'un projet partagé."
)


def _home():
    from home.models import HomePage

    return HomePage.objects.first()


def ensure_index(home=None):
    from .models import NewsletterIndexPage

    home = home or _home()
    index = NewsletterIndexPage.objects.first()
    if index is None:
        index, _status = upsert_page(
            home, NewsletterIndexPage, INDEX_SLUG, title="La newsletter",
            intro="Toutes les éditions de la newsletter mensuelle de Territoires en Commun.",
            chapo="Toutes les éditions de la newsletter mensuelle de Territoires en Commun.", show_in_menus=True,
        )
    return index


def ensure_minimal_site():
    """The home page, the indexes and the pages of the seed edition, created only where missing."""
    from wagtail.models import Page, Site

    from home.models import HomePage
    from ressources.models import (
        ActualitePage,
        AgendaIndexPage,
        ArticlePage,
        ConceptPage,
        EvenementPage,
        ProjetPage,
        RessourceIndexPage,
        TribunePage,
    )
    from thematiques.models import ThematiqueIndexPage, ThematiquePage

    home = _home()
    if home is None:
        root = Page.get_first_root_node()
        home, _status = upsert_page(root, HomePage, "accueil", title="Territoires en Commun", intro=C.HOME_INTRO)
        site = Site.objects.filter(is_default_site=True).first()
        if site:
            site.root_page = home
            site.save()
        else:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)

    def get_or_upsert(parent, model, slug, **fields):
        page = model.objects.filter(slug=slug).first()
        return page or upsert_page(parent, model, slug, **fields)[0]

    themes_index = get_or_upsert(home, ThematiqueIndexPage, "thematiques", title=C.INDEXES["thematiques"][0])
    thematiques = {}
    for slug, (title, chapo, color, picto, du_mois) in C.THEMATIQUES.items():
        thematiques[slug] = get_or_upsert(themes_index, ThematiquePage, slug, title=title, chapo=chapo, color=color,
                                          pictogram=picto, is_thematique_du_mois=du_mois)
    ressources = get_or_upsert(home, RessourceIndexPage, "ressources", title=C.INDEXES["ressources"][0])
    t = C.TRIBUNE
    get_or_upsert(ressources, TribunePage, t["slug"], title=t["title"], chapo=t["chapo"], quote=t["quote"],
                  quote_author=t["quote_author"], publication_date=C.EDITION_DATE)
    for slug, (title, chapo, project_lead, nature, label, _territoire, _themes) in C.PROJETS.items():
        get_or_upsert(ressources, ProjetPage, slug, title=title, chapo=chapo, project_lead=project_lead, nature=nature,
                      external_url=f"{C.DEMO_URL}/{slug}", link_label=label, publication_date=C.EDITION_DATE)
    a = C.ARTICLE
    get_or_upsert(ressources, ArticlePage, a["slug"], title=a["title"], chapo=a["chapo"],
                  external_url=f"{C.DEMO_URL}/{a['slug']}", link_label="Lire l'article",
                  publication_date=C.EDITION_DATE)
    c = C.CONCEPT
    get_or_upsert(ressources, ConceptPage, c["slug"], title=c["title"], chapo=c["chapo"],
                  body=[("paragraph", f"<p>{p}</p>") for p in c["paragraphs"]],
                  criteres_titre=c["criteres_titre"], criteres=[("critere", text) for text in c["criteres"]],
                  publication_date=C.EDITION_DATE,
                  children={"liens": [{"title": title, "source": source, "url": f"{C.DEMO_URL}/{slug}"}
                                      for title, source, slug in c["liens"]]})
    for slug, (title, chapo, date, _button, _extra) in C.ACTUALITES.items():
        get_or_upsert(ressources, ActualitePage, slug, title=title, chapo=chapo, publication_date=date)
    agenda = get_or_upsert(home, AgendaIndexPage, "agenda", title=C.INDEXES["agenda"][0])
    tz = timezone.get_current_timezone()
    for slug, (title, chapo, day, organizer, online, label, _themes) in C.EVENEMENTS.items():
        get_or_upsert(agenda, EvenementPage, slug, title=title, chapo=chapo,
                      start=dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz),
                      end=dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz), all_day=True, online=online,
                      location="" if online else C.PLACE_UNKNOWN, organizer=organizer,
                      registration_url=f"{C.DEMO_URL}/{slug}", link_label=label)
    return home


def _item(page, **overrides):
    return {"page": page, "title": overrides.get("title", ""), "text": overrides.get("text", ""),
            "cta_label": overrides.get("cta_label", "")}


def _vote_target():
    """The vote page of the site if the vote app provides one, else None."""
    from wagtail.models import Page

    for page in Page.objects.live().filter(content_type__model="votepage").specific()[:1]:
        return page
    return None


def seed_sections():
    """The seed edition's sections, built from the demo pages found by slug."""
    from ressources.models import ActualitePage, ArticlePage, ConceptPage, EvenementPage, ProjetPage, TribunePage
    from thematiques.models import ThematiquePage

    def get(model, slug):
        page = model.objects.filter(slug=slug).first()
        if page is None:
            raise LookupError(f"Page de démonstration introuvable : {model._meta.verbose_name} « {slug} ».")
        return page

    projets = [get(ProjetPage, slug) for slug in C.PROJETS]
    labels = [C.PROJETS[slug][4] for slug in C.PROJETS]
    actualites = [get(ActualitePage, slug) for slug in C.ACTUALITES]
    actualite_labels = [(button[0] if button else "") for (_t, _c, _d, button, _e) in C.ACTUALITES.values()]
    vote_page = _vote_target()
    return [
        ("edito", {"title": "Edito", "body": "".join(f"<p>{p}</p>" for p in EDITO),
                   "signature": "Prenez soin de vous !\nL'équipe de Territoires en Commun"}),
        ("thematique_du_mois", {
            "title": "Thématique du mois", "thematique": get(ThematiquePage, "retour-a-l-emploi"), "intro": "",
            "discover_label": "Découvrez la thématique",
            "contact_text": "L'ANCT peut vous accompagner sur cette thématique d'inspiration. Contactez-nous pour nous "
                            "préciser vos besoins sur cette thématique",
            "contact_label": "Contactez l'ANCT", "contact_url": ""}),
        ("tribune", {"title": "En introduction... Tribune", "item": _item(
            get(TribunePage, C.TRIBUNE["slug"]), title=f"{C.TRIBUNE['title']} - {C.TRIBUNE['quote_author']}",
            cta_label="Lire la tribune")}),
        ("projets", {"title": "Projets démocratiques et expériences territoriales pour vous inspirer", "intro": "",
                     "items": [_item(p, cta_label=label) for p, label in zip(projets, labels, strict=False)]}),
        ("aller_plus_loin", {"title": C.ARTICLE["kicker"], "intro": "",
                             "items": [_item(get(ArticlePage, C.ARTICLE["slug"]), cta_label="Lire l'article")]}),
        ("vote", {"title": "Votez pour une thématique !", "question": "Quelle est la priorité d'action de votre territoire ?",
                  "rows": [{"label": label, "count": count} for label, count in VOTE_ROWS],
                  "subtitle": "Votez pour les thématiques des projets partagés proposés par l'ANCT",
                  "text": VOTE_TEXT, "button_label": "Votez pour une thématique", "button_page": vote_page,
                  "button_url": ""}),  # no page chosen: the site's vote page, once the vote demo made it
        ("concept", {"title": "Le concept du mois", "concept": get(ConceptPage, C.CONCEPT["slug"]),
                     "links_title": "Pour aller plus loin"}),
        ("actualites", {"title": "Actualités de l'écosystème de Territoires en Commun", "intro": "",
                        "items": [_item(p, cta_label=label) for p, label in zip(actualites, actualite_labels, strict=False)]}),
        ("agenda", {"title": "A vos agendas !", "weeks": 6, "limit": 8,
                    "items": [_item(get(EvenementPage, slug)) for slug in AGENDA_ORDER]}),
        ("partager_evenements", {"title": "Je suis une collectivité et je souhaite partager mes événements",
                                 "text": "Envoyez vos actualités à Territoires en Commun à cette adresse :"}),
    ]


def load(stdout=None):
    """Create (or update in place) the archive and the seed edition ``decembre-2021``."""
    from .models import NewsletterPage

    index = ensure_index()
    edition, status = upsert_page(
        index, NewsletterPage, EDITION_SLUG,
        title="Territoires en Commun — décembre 2021",
        chapo="L'édition de décembre 2021 : la thématique du retour à l'emploi, le concept de qualité de la "
              "participation et l'agenda de janvier.",
        number=1, date=C.EDITION_DATE,
        subject="Territoires en Commun — décembre 2021 : retour à l'emploi",
        preheader="La thématique du mois : le retour à l'emploi. Le concept du mois : la qualité de la participation.",
        sender_name="Territoires en Commun",
        sections=seed_sections(),
    )
    if stdout is not None:
        stdout.write(f"Newsletter : édition « {edition.title} » ({status}), archive « {index.title} ».")
    return edition
