"""Load the demo site: the December 2021 edition of Territoires en Commun as real pages.

Idempotent: pages are keyed on their slug under their parent and updated in place, images on their
title, partners on their name; running it twice gives the same site. Every app can add its own demo
content in ``<app>/demo.py`` with a ``load(stdout)`` function, called at the end.
"""
import csv
import datetime as dt
import importlib
import os
from collections import Counter
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import Partenaire, SiteSettings
from home.demo import card_image, upsert_page
from home.demo import content as C
from home.demo.images import draw_logo, get_or_create_image
from home.models import HomePage, StandardPage
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
from thematiques.management.commands.load_collectivites import load as load_collectivites
from thematiques.models import (
    Collectivite,
    ProjetPartageCollectivite,
    ProjetPartageIndexPage,
    ProjetPartagePage,
    ThematiqueIndexPage,
    ThematiquePage,
)

ANCT_CSV = Path(__file__).resolve().parents[3] / "thematiques" / "data" / "territoires-accompagnes-anct.csv"
# The edition comes last: it refers to pages the other demos create (the vote page, the campaign).
APP_DEMOS = ("thematiques", "ressources", "newsletter")


def anct_projets_partages():
    """{theme: [(codgeo, libgeo)]} of the projets partagés (démarche TEC) in the ANCT CSV."""
    themes = {}
    with open(ANCT_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["demarche"] == "TEC" and row["projet_partage"]:
                themes.setdefault(row["projet_partage"], []).append((row["codgeo"], row["libgeo"]))
    return themes


def demo_codes() -> set:
    """Every collectivité code the demo refers to."""
    codes = {code for rows in anct_projets_partages().values() for code, _nom in rows}
    codes |= {projet[5] for projet in C.PROJETS.values() if projet[5]}
    return codes


def paragraphs(*texts):
    return [("paragraph", f"<p>{text}</p>") for text in texts]


def rich(blocks):
    """[('h2', text), ('p', text)…] as StreamField content with headings and paragraphs."""
    out = []
    for kind, text in blocks:
        if kind in ("h2", "h3", "h4"):
            out.append(("heading", {"text": text, "level": kind}))
        else:
            out.append(("paragraph", f"<p>{text}</p>"))
    return out


def demo_url(slug):
    return f"{C.DEMO_URL}/{slug}"


class Command(BaseCommand):
    help = "Charge le site de démonstration (édition de décembre 2021) ; relancer la commande ne duplique rien."

    def add_arguments(self, parser):
        parser.add_argument(
            "--collectivites", choices=["toutes", "demo", "aucune"], default="toutes",
            help="Charger toutes les collectivités (défaut), seulement celles de la démo (tests rapides), "
                 "ou aucune (déjà chargées par load_collectivites).",
        )

    def handle(self, *args, **options):
        self.status = Counter()
        needed = demo_codes()
        if options["collectivites"] == "toutes":
            call_command("load_collectivites", stdout=self.stdout)
        elif options["collectivites"] == "demo":
            counts = load_collectivites(only=needed)
            self.stdout.write(f"Collectivités de la démo : {counts['total']} ({counts['created']} créées).")
        missing = sorted(code for code in needed if not Collectivite.lookup(code))
        if missing:
            raise CommandError(
                f"Collectivités absentes ({', '.join(missing[:5])}) : lancez d'abord « manage.py load_collectivites »."
            )

        with transaction.atomic():
            home = self.load_home()
            self.load_settings()
            self.load_standard_pages(home)
            thematiques = self.load_thematiques(home)
            projets_partages = self.load_projets_partages(home, thematiques)
            self.load_ressources(home, thematiques, projets_partages)
            self.load_agenda(home, thematiques)

        for app in APP_DEMOS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.load(self.stdout)

        self.print_summary()

    # -- helpers ---------------------------------------------------------------------------------

    def upsert(self, parent, model, slug, **kwargs):
        page, status = upsert_page(parent, model, slug, **kwargs)
        self.status[status] += 1
        return page

    # -- the page tree ---------------------------------------------------------------------------

    def load_home(self):
        """The HomePage replaces Wagtail's welcome page as the root of the default site."""
        root = Page.get_first_root_node()
        home = HomePage.objects.first()
        fields = dict(title="Territoires en Commun", intro=C.HOME_INTRO, chapo=C.HOME_INTRO,
                      search_description=C.HOME_INTRO, seo_title="Territoires en Commun — ANCT")
        if home is None:
            home = self.upsert(root, HomePage, "accueil", **fields)
        else:
            home = self.upsert(home.get_parent(), HomePage, home.slug, **fields)

        hostname = os.environ.get("SITE_HOSTNAME", "localhost")
        site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
        old_root = site.root_page if site else None
        if site is None:
            Site.objects.create(hostname=hostname, port=80, root_page=home, is_default_site=True,
                                site_name="Territoires en Commun")
        else:
            site.hostname, site.port, site.root_page = hostname, 80, home
            site.is_default_site, site.site_name = True, "Territoires en Commun"
            site.save()
        if old_root and old_root.pk != home.pk and old_root.specific_class is Page and old_root.depth == 2:
            old_root.delete()  # Wagtail's "Welcome to your new Wagtail site!" page
        return home

    def load_settings(self):
        settings = SiteSettings.load()
        settings.contact_email = "contact@territoires-en-commun.fr"
        settings.editorial_email = "editorialisation@territoires-en-commun.fr"
        settings.postal_address = "Agence nationale de la cohésion des territoires\n20 avenue de Ségur\n75007 Paris"
        settings.licence_text = "Contenus en Creative Commons 2021 Territoires en commun. N'hésitez pas à partager !"
        settings.licence_url = "https://creativecommons.org/licenses/by/4.0/deed.fr"
        settings.tagline = C.TAGLINE  # not the home's intro: the home page would say it twice
        settings.save()

        for order, (name, short_name, url, color) in enumerate(C.PARTENAIRES, start=1):
            logo, _ = get_or_create_image(
                title=f"Logo — {name}", filename=f"logo-{short_name.lower()}.png",
                description=f"Logo de {name}",
                render=lambda n=name, s=short_name, c=color: draw_logo(n, s, c),
            )
            Partenaire.objects.update_or_create(
                name=name, defaults={"short_name": short_name, "url": url, "logo": logo, "sort_order": order},
            )

    def load_standard_pages(self, home):
        pages = [
            ("mentions-legales", "Mentions légales", "L'éditeur du site, son hébergement et la licence des contenus.",
             C.MENTIONS_LEGALES),
            ("accessibilite", "Déclaration d'accessibilité",
             "Territoires en Commun est partiellement conforme au RGAA 4.1 : état de conformité, contenus non "
             "accessibles et voies de recours.", C.ACCESSIBILITE),
            ("donnees-personnelles", "Données personnelles",
             "Les données personnelles que traite Territoires en Commun, pourquoi, combien de temps, et vos droits.",
             C.DONNEES_PERSONNELLES),
        ]
        for slug, title, chapo, body in pages:
            self.upsert(home, StandardPage, slug, title=title, chapo=chapo, body=rich(body), show_in_footer=True,
                        show_in_menus=False)

    def load_thematiques(self, home):
        title, intro = C.INDEXES["thematiques"]
        index = self.upsert(home, ThematiqueIndexPage, "thematiques", title=title, intro=intro, chapo=intro,
                            show_in_menus=True)
        contact_title, contact_text, contact_label = C.THEMATIQUE_CONTACT
        thematiques = {}
        for slug, (title, chapo, color, picto, du_mois) in C.THEMATIQUES.items():
            image = card_image(title, picto, color, "Thématique")
            thematiques[slug] = self.upsert(
                index, ThematiquePage, slug, title=title, chapo=chapo, color=color, pictogram=picto,
                is_thematique_du_mois=du_mois, image=image, listing_image=image,
                body=paragraphs(C.THEMATIQUE_FACTS[slug]),
                contact_title=contact_title, contact_text=contact_text, contact_label=contact_label,
            )
        return thematiques

    def load_projets_partages(self, home, thematiques):
        title, intro = C.INDEXES["projets-partages"]
        index = self.upsert(home, ProjetPartageIndexPage, "projets-partages", title=title, intro=intro, chapo=intro,
                            show_in_menus=True)
        participants = {}
        for theme, rows in anct_projets_partages().items():
            for code, nom in rows:
                collectivite = Collectivite.lookup(code)
                if collectivite is None:
                    raise CommandError(f"Collectivité {code} ({nom}) introuvable.")
                # The CSV gives no role: every collectivité it lists is a partie prenante.
                participants.setdefault(theme, []).append(
                    {"collectivite": collectivite, "role": ProjetPartageCollectivite.Role.PARTIE_PRENANTE})
        pages = {}
        for theme, (slug, title, chapo, thematique_slug) in C.PROJETS_PARTAGES.items():
            pages[theme] = self.upsert(
                index, ProjetPartagePage, slug, title=title, chapo=chapo, theme_label=theme,
                thematique=thematiques.get(thematique_slug), status=ProjetPartagePage.Status.EN_COURS,
                body=paragraphs(C.PROJET_PARTAGE_FACTS), children={"participants": participants.get(theme, [])},
                listing_image=card_image(title, {"Ados": "youth", "Culture": "culture"}.get(theme, "house"),
                                         "blue-ecume", "Projet partagé"),
            )
        return pages

    def load_ressources(self, home, thematiques, projets_partages):
        title, intro = C.INDEXES["ressources"]
        index = self.upsert(home, RessourceIndexPage, "ressources", title=title, intro=intro, chapo=intro,
                            show_in_menus=True)
        emploi = thematiques["retour-a-l-emploi"]

        t = C.TRIBUNE
        self.upsert(
            index, TribunePage, t["slug"], title=t["title"], chapo=t["chapo"], quote=t["quote"],
            quote_author=t["quote_author"], publication_date=C.EDITION_DATE,
            body=paragraphs(t["facts"]),  # the quote is the page's quote field, shown once
            listing_image=card_image("L'ingénierie participative", "speech", "green-emeraude", "Tribune"),
            m2m={"thematiques": [emploi]},
        )

        for slug, (title, chapo, project_lead, nature, label, territoire, themes) in C.PROJETS.items():
            kicker = "Expérience territoriale" if nature == "experience" else "Initiative"
            self.upsert(
                index, ProjetPage, slug, title=title, chapo=chapo, project_lead=project_lead, nature=nature,
                external_url=demo_url(slug), link_label=label,
                body=paragraphs(C.projet_facts(kicker, themes, thematiques)),
                territoire=Collectivite.lookup(territoire) if territoire else None,
                publication_date=C.EDITION_DATE,
                listing_image=card_image(title, "car" if "mobilité" in chapo else "work",
                                         "green-emeraude", kicker),
                m2m={"thematiques": [thematiques[s] for s in themes]},
            )

        a = C.ARTICLE
        self.upsert(
            index, ArticlePage, a["slug"], title=a["title"], chapo=a["chapo"], body=paragraphs(a["facts"]),
            external_url=demo_url(a["slug"]), link_label="Lire l'article", publication_date=C.EDITION_DATE,
            listing_image=card_image(a["title"], "work", "green-emeraude", "Pour aller plus loin"),
            m2m={"thematiques": [emploi]},
        )

        c = C.CONCEPT
        self.upsert(
            index, ConceptPage, c["slug"], title=c["title"], chapo=c["chapo"], body=paragraphs(*c["paragraphs"][1:]),  # the first one is the chapô
            criteres_titre=c["criteres_titre"], criteres=[("critere", text) for text in c["criteres"]],
            publication_date=C.EDITION_DATE,
            listing_image=card_image(c["title"], "star", "purple-glycine", "Concept du mois"),
            children={"liens": [{"title": title, "source": source, "url": demo_url(slug)}
                                for title, source, slug in c["liens"]]},
        )

        for slug, (title, chapo, date, themes) in C.RESSOURCES_DEMO.items():
            self.upsert(
                index, ArticlePage, slug, title=title, chapo=chapo, body=paragraphs(C.RESSOURCE_DEMO_FACTS),
                publication_date=date,
                source="Territoires en Commun (démonstration)",
                listing_image=card_image(title, "book", "yellow-tournesol", "Pour aller plus loin"),
                m2m={"thematiques": [thematiques[s] for s in themes]},
            )

        concept = ConceptPage.objects.child_of(index).get(slug=c["slug"])
        targets = {"projet-ados": projets_partages["Ados"], "projets-partages": projets_partages["Ados"].get_parent(),
                   "concept": concept}
        for slug, (title, chapo, date, button, extra) in C.ACTUALITES.items():
            body = paragraphs(extra) if extra else []
            if slug in C.ACTUALITE_FACTS:
                body += paragraphs(C.ACTUALITE_FACTS[slug].format(concept=concept.pk))
            if button:
                label, target = button
                body.append(("button", {"label": label, "page": targets[target], "url": ""}))
            self.upsert(
                index, ActualitePage, slug, title=title, chapo=chapo, body=body, publication_date=date,
                listing_image=card_image(title, "people" if "Rencontres" in title else "star", "pink-tuile",
                                         "Actualité"),
            )

    def load_agenda(self, home, thematiques):
        title, intro = C.INDEXES["agenda"]
        index = self.upsert(home, AgendaIndexPage, "agenda", title=title, intro=intro, chapo=intro,
                            show_in_menus=True)
        tz = timezone.get_current_timezone()
        for slug, (title, chapo, day, organizer, online, label, themes) in C.EVENEMENTS.items():
            start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
            self.upsert(
                index, EvenementPage, slug, title=title, chapo=chapo, start=start,
                end=dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz), all_day=True, online=online,
                location="" if online else C.PLACE_UNKNOWN, organizer=organizer,
                registration_url=demo_url(slug), link_label=label, body=[],  # the facts are the page's fields
                listing_image=card_image(title, "calendar", "blue-ecume", "Événement"),
                m2m={"thematiques": [thematiques[s] for s in themes]},
            )
        today = timezone.localdate()
        for slug, (title, chapo, days, hour, online, themes) in C.EVENEMENTS_A_VENIR.items():
            start = dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, 0), tzinfo=tz)
            self.upsert(
                index, EvenementPage, slug, title=title, chapo=chapo, start=start, end=start + dt.timedelta(hours=2),
                all_day=False, online=online, location="", organizer="Territoires en Commun (démonstration)",
                registration_url=demo_url(slug), link_label="En savoir plus", body=[],
                listing_image=card_image(title, "calendar", "yellow-tournesol", "Événement"),
                m2m={"thematiques": [thematiques[s] for s in themes]},
            )

    def print_summary(self):
        from wagtail.images import get_image_model

        counts = Counter(p.specific_class._meta.verbose_name for p in Page.objects.filter(depth__gt=1)
                         .select_related("content_type") if p.specific_class)
        self.stdout.write(
            f"Pages : {self.status['created']} créées, {self.status['updated']} mises à jour, "
            f"{self.status['unchanged']} inchangées."
        )
        self.stdout.write("Contenu : " + ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) + ".")
        self.stdout.write(
            f"Images : {get_image_model().objects.count()} ; partenaires : {Partenaire.objects.count()} ; "
            f"collectivités : {Collectivite.objects.count()} ; "
            f"participants aux projets partagés : {ProjetPartageCollectivite.objects.count()}."
        )
