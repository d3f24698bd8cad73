"""Generated content at the size of the real thing (``manage.py load_scale``), on top of the demo.

Territoires Conseils lists about 4,000 experiences; ANCT's archive will hold ten years of monthly
editions. This module generates, deterministically for a seed, resources of every kind (spread over
the thématiques, the collectivités of the official COG and ten years, with tags and reused images),
events, editions composed of those items, and ballots across closed vote campaigns.

Bulk where Wagtail allows it: pages are rows of ``wagtailcore_page`` whose treebeard ``path``,
``depth`` and ``url_path`` are computed here, inserted in batches table by table (the page row, then
each multi-table-inheritance child row: Django's ``bulk_create`` refuses inherited models, so the
batched insert it uses is called per table), then the parent's ``numchild`` is set once. What cannot
be bulk, and is not done: revisions (a generated page is published without a revision, as a page
imported from a fixture; its first edit in the admin creates one), log entries, and Wagtail's
signals (``page_published``: the caches are invalidated once at the end instead). The search index
is filled with the backend's ``add_bulk`` and the reference index only for the editions (so an
edition's « usage » lists its items).

Idempotent: every generated object has a deterministic key (a page's slug under its parent, a
campaign's title, a ballot's campaign and collectivité); what exists is left alone, only what is
missing is created, so a second run with the same options creates nothing, and a run with larger
counts adds the difference. Item ``i``'s content comes from its own random generator
(``Random(f"{seed}:{kind}:{i}")``), so it does not depend on the counts asked.
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import slugify

PREFIX = "echelle"  # the slugs of generated pages start with it (« scale »)
RESOURCE_YEARS = (2016, 2025)  # ten years of resources
EVENT_YEARS = (2018, 2028)  # events from the past into the coming years (the agenda has upcoming ones)
FIRST_EDITION = dt.date(2016, 1, 1)  # one edition a month from there
BIG_EDITION_ITEMS = 100  # the most recent generated edition: 100 items (export at scale)
BATCH = 500

ACTIONS = [
    "Budget participatif", "Conseil citoyen", "Assemblée de quartier", "Tiers-lieu", "Jardin partagé",
    "Atelier numérique", "Maison France services", "Fabrique de territoire", "Consultation en ligne",
    "Panel citoyen", "Convention citoyenne", "Café des parents", "Recyclerie", "Navette solidaire",
    "Épicerie solidaire", "Chantier d'insertion", "Marche exploratoire", "Conseil des jeunes",
    "Forum des associations", "Plateforme de covoiturage", "Cantine en circuit court", "Relais petite enfance",
    "Boutique à l'essai", "Permanence juridique", "Comité d'usagers", "Fête des voisins",
]
PUBLICS = [
    "des jeunes", "des seniors", "des familles", "des habitants", "des commerçants", "des agriculteurs",
    "des demandeurs d'emploi", "des aidants", "des collégiens", "des bénévoles", "des élus", "des entreprises",
]
VERBS = [
    "mobilise", "relie", "accompagne", "implique", "rassemble", "forme", "écoute", "associe",
]
TAGS = [
    "budget participatif", "jeunesse", "numérique", "ruralité", "quartiers prioritaires", "emploi", "insertion",
    "petite enfance", "mobilité", "alimentation", "transition écologique", "culture", "santé", "logement",
    "démocratie locale", "concertation", "bénévolat", "économie sociale et solidaire", "tiers-lieux",
    "services publics", "commerce de proximité", "agriculture", "sport", "seniors", "handicap",
    "égalité femmes-hommes", "éducation", "tourisme", "eau", "énergie",
]
PROJECT_LEADS = ["la commune", "le centre social", "l'association des habitants", "la communauté de communes",
            "le département", "la régie de quartier", "la mission locale", "le conseil citoyen"]
AUTHORS = [("Claire Dubois", "maire"), ("Karim Benali", "adjoint à la participation"),
           ("Sophie Martin", "chercheuse en sciences politiques"), ("Jean Lefèvre", "président d'association"),
           ("Awa Diallo", "cheffe de projet politique de la ville"), ("Marc Rousseau", "directeur général des services")]
SOURCES = ["La Gazette des communes", "Horizons publics", "Banque des Territoires", "ANCT", "Le Courrier des maires",
           "Cerema", "France Stratégie"]
EVENT_PLACES = ["salle des fêtes", "médiathèque", "maison des associations", "hôtel de ville", "tiers-lieu"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
KINDS = [("projet", 45), ("article", 20), ("tribune", 10), ("concept", 10), ("actualite", 15)]
ECHELONS = [("com", 60), ("epci", 20), ("dep", 15), ("reg", 5)]


@dataclass
class Report:
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)

    def lines(self):
        for name in sorted(set(self.created) | set(self.existing)):
            yield f"{name} : {self.created[name]} créé(s), {self.existing[name]} déjà présent(s)"


def _weighted(rng, pairs):
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]


def _rng(seed, kind, i):
    return random.Random(f"{seed}:{kind}:{i}")


def _uuid(rng):
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _aware(day: dt.date, hour=9, minute=0):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute), dt.UTC)


def _paragraphs(rng, subject, n=2):
    sentences = [
        f"{subject} est né d'une demande exprimée lors d'une réunion publique.",
        "Les habitants ont été associés dès le diagnostic, puis au choix des actions.",
        "Les élus ont fixé un cadre clair : ce qui est décidé ensemble est mis en œuvre dans l'année.",
        "Un bilan est présenté chaque année et les règles sont ajustées avec les participants.",
        "Le dispositif s'appuie sur les associations locales et sur les services de la collectivité.",
        "Les retours des participants montrent une confiance retrouvée dans l'action publique locale.",
    ]
    rng.shuffle(sentences)
    return [("paragraph", f"<p>{' '.join(sentences[k * 2:k * 2 + 2])}</p>") for k in range(n)]


# --- pages in bulk ---------------------------------------------------------------------------------

def _concrete_chain(model):
    """[Page, …, model]: the concrete models whose tables hold a row of one ``model`` page."""
    chain = [model]
    while True:
        parents = [p for p in chain[0]._meta.parents if not p._meta.abstract]
        if not parents:
            return chain
        chain.insert(0, parents[0])


def bulk_add_children(parent, pages: list) -> list:
    """Insert ``pages`` (unsaved instances of concrete page models) as the last children of
    ``parent``, published, in a few batched INSERTs per table. Returns the pages with their ids."""
    from wagtail.models import Locale, Page

    if not pages:
        return pages
    parent = Page.objects.get(pk=parent.pk)
    last = parent.get_last_child()
    position = Page._str2int(last.path[-Page.steplen:]) if last else 0
    depth = parent.depth + 1
    locale_id = parent.locale_id or Locale.get_default().pk
    now = timezone.now()
    for page in pages:
        position += 1
        page.path = Page._get_path(parent.path, depth, position)
        page.depth, page.numchild = depth, 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.draft_title = page.title
        page.live, page.has_unpublished_changes = True, False
        page.locale_id = locale_id
        page.first_published_at = page.first_published_at or now
        page.last_published_at = page.latest_revision_created_at = page.first_published_at
    page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    rows = QuerySet(Page, using=connection.alias)._batched_insert(pages, page_fields, BATCH)
    tables = {}  # every child table, with the pages that have a row in it (resources of several kinds)
    for page, (pk,) in zip(pages, rows, strict=True):
        chain = _concrete_chain(type(page))
        for concrete in chain:
            setattr(page, concrete._meta.pk.attname, pk)
        page._state.adding, page._state.db = False, connection.alias
        for concrete in chain[1:]:
            tables.setdefault(concrete, []).append(page)
    for table_model, members in tables.items():
        QuerySet(table_model, using=connection.alias)._batched_insert(
            members, list(table_model._meta.local_concrete_fields), BATCH)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    return pages


def _existing_slugs(parent, slugs) -> set:
    from wagtail.models import Page

    return set(Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1, slug__in=slugs)
                   .values_list("slug", flat=True))


# --- content ---------------------------------------------------------------------------------------

class Context:
    """What the generated content refers to: the demo's pages, images, thématiques and collectivités."""

    def __init__(self):
        from wagtail.images import get_image_model

        from newsletter.models import NewsletterIndexPage
        from ressources.models import AgendaIndexPage, RessourceIndexPage
        from thematiques.models import Collectivite, ThematiquePage

        self.library = RessourceIndexPage.objects.order_by("path").first()
        self.agenda = AgendaIndexPage.objects.order_by("path").first()
        self.archive = NewsletterIndexPage.objects.order_by("path").first()
        if self.library is None or self.agenda is None or self.archive is None:
            raise LookupError("la bibliothèque, l'agenda ou l'archive de la newsletter manque : lancez d'abord "
                              "« manage.py load_demo »")
        self.thematiques = list(ThematiquePage.objects.live().order_by("path").values_list("pk", flat=True))
        self.images = list(get_image_model().objects.order_by("pk").values_list("pk", flat=True))
        self.collectivites = {}
        for pk, echelon, nom in Collectivite.objects.order_by("code").values_list("pk", "echelon", "nom"):
            self.collectivites.setdefault(echelon, []).append((pk, nom))
        if not self.collectivites:
            raise LookupError("aucune collectivité : lancez d'abord « manage.py load_collectivites »")

    def collectivite(self, rng):
        echelons = [(e, w) for e, w in ECHELONS if self.collectivites.get(e)]
        return rng.choice(self.collectivites[_weighted(rng, echelons)])

    def image(self, rng):
        return rng.choice(self.images) if self.images else None


def _resource(ctx, seed, i):
    from ressources.models import ActualitePage, ArticlePage, ConceptPage, ProjetPage, TribunePage

    rng = _rng(seed, "ressource", i)
    kind = _weighted(rng, KINDS)
    territoire, place = ctx.collectivite(rng)
    action, public = rng.choice(ACTIONS), rng.choice(PUBLICS)
    start = dt.date(RESOURCE_YEARS[0], 1, 1)
    span = (dt.date(RESOURCE_YEARS[1], 12, 31) - start).days
    day = start + dt.timedelta(days=rng.randrange(span + 1))
    title = {
        "projet": f"{action} {public} à {place}",
        "article": f"Ce que le {action.lower()} change pour la vie {public}",
        "tribune": f"« Le {action.lower()} {rng.choice(VERBS)} {public} » : une tribune depuis {place}",
        "concept": f"Le concept : {action.lower()} et participation {public}",
        "actualite": f"{place} : le {action.lower()} {rng.choice(VERBS)} {public}",
    }[kind]
    common = dict(
        title=title[:250], slug=f"{PREFIX}-{i:05d}-{slugify(title)[:60]}".strip("-"),
        chapo=f"À {place}, un {action.lower()} {rng.choice(VERBS)} {public} : retour sur une démarche de "
              f"participation citoyenne conduite depuis {day.year}.",
        listing_image_id=ctx.image(rng), territoire_id=territoire, publication_date=day,
        external_url=f"https://experiences.example.org/{i:05d}/" if rng.random() < 0.4 else "",
        translation_key=_uuid(rng), first_published_at=_aware(day),
    )
    body = _paragraphs(rng, action, n=rng.randint(2, 3))
    if kind == "projet":
        page = ProjetPage(**common, body=body, project_lead=rng.choice(PROJECT_LEADS),
                          nature=rng.choice([ProjetPage.Nature.EXPERIENCE, ProjetPage.Nature.INITIATIVE]))
    elif kind == "article":
        page = ArticlePage(**common, body=body, source=rng.choice(SOURCES))
    elif kind == "tribune":
        author, role = rng.choice(AUTHORS)
        page = TribunePage(**common, body=body, author=author, author_role=role,
                           quote=f"Le {action.lower()} n'est pas un outil : c'est une façon de gouverner.",
                           quote_author=author)
    elif kind == "concept":
        page = ConceptPage(**common, body=body, criteres_titre="Les critères d'une démarche réussie",
                           criteres=[("critere", c) for c in ("Un cadre clair", "Un retour aux participants",
                                                              "Des moyens dédiés")])
    else:
        page = ActualitePage(**common, body=body)
    thematiques = rng.sample(ctx.thematiques, k=min(len(ctx.thematiques), rng.choice([1, 1, 2, 2, 3])))
    tags = rng.sample(TAGS, k=rng.randint(1, 3))
    return page, thematiques, tags


def _evenement(ctx, seed, i):
    from ressources.models import EvenementPage

    rng = _rng(seed, "evenement", i)
    territoire, place = ctx.collectivite(rng)
    start_day = dt.date(EVENT_YEARS[0], 1, 1)
    day = start_day + dt.timedelta(days=rng.randrange((dt.date(EVENT_YEARS[1], 12, 31) - start_day).days))
    start = _aware(day, hour=rng.choice([9, 10, 14, 18]), minute=rng.choice([0, 30]))
    online = rng.random() < 0.4
    action = rng.choice(ACTIONS)
    kindname = rng.choice(["Webinaire", "Rencontre", "Atelier", "Journée d'échanges", "Visite apprenante"])
    title = f"{kindname} : {action.lower()} à {place}" if not online else f"{kindname} en ligne : {action.lower()}"
    page = EvenementPage(
        title=title[:250], slug=f"{PREFIX}-{i:05d}-{slugify(title)[:60]}".strip("-"),
        chapo=f"Un temps d'échange sur le {action.lower()}, ouvert aux élus, agents et habitants.",
        start=start, end=start + dt.timedelta(hours=rng.choice([1, 2, 3])), online=online,
        location="" if online else f"{rng.choice(EVENT_PLACES).capitalize()}, {place}",
        organizer=rng.choice(["ANCT", "Banque des Territoires", "Centre social", "Communauté de communes"]),
        registration_url=f"https://agenda.example.org/{i:05d}/", collectivite_id=territoire,
        listing_image_id=ctx.image(rng), body=_paragraphs(rng, action, n=1), translation_key=_uuid(rng),
        first_published_at=_aware(min(day - dt.timedelta(days=30), dt.date(RESOURCE_YEARS[1], 12, 31))),
    )
    thematiques = rng.sample(ctx.thematiques, k=min(len(ctx.thematiques), rng.choice([1, 2])))
    return page, thematiques


def _generate_pages(parent, count, make, report, name, bulk_size=BATCH):
    """Make the ``count`` items with ``make(i)``; insert those whose slug is missing. Returns the
    [(page, extra)] of the created ones and the list of every item's (slug, extra) for reference."""
    items = [make(i) for i in range(count)]
    existing = _existing_slugs(parent, [item[0].slug for item in items])
    new = [item for item in items if item[0].slug not in existing]
    report.existing[name] += len(items) - len(new)
    for start in range(0, len(new), bulk_size * 4):
        chunk = new[start:start + bulk_size * 4]
        bulk_add_children(parent, [item[0] for item in chunk])
    report.created[name] += len(new)
    return new, items


def _tags(ressources):
    from taggit.models import Tag

    from ressources.models import RessourceTag

    names = sorted({t for _page, _th, tags in ressources for t in tags})
    known = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    missing = [Tag(name=n, slug=slugify(n)) for n in names if n not in known]
    for tag in missing:  # unique slugs: taggit's own save makes them unique one by one (30 tags at most)
        tag.save()
        known[tag.name] = tag.pk
    RessourceTag.objects.bulk_create([RessourceTag(content_object_id=page.pk, tag_id=known[t])
                                      for page, _th, tags in ressources for t in tags], batch_size=BATCH)


def _thematiques(items, through, page_field):
    through.objects.bulk_create([through(**{page_field: page.pk, "thematiquepage_id": t})
                                 for page, thematiques, *_rest in items for t in thematiques], batch_size=BATCH)


def _editions(ctx, seed, count, resources, events, report):
    from wagtail.models import Page, ReferenceIndex

    from newsletter.models import NewsletterPage

    by_month = {}
    for page, *_rest in resources:
        by_month.setdefault((page.publication_date.year, page.publication_date.month), []).append(page.pk)
    all_resources = [page.pk for page, *_rest in resources]
    event_days = sorted(((page.start.date(), page.pk) for page, _th in events))
    months = []
    year, month = FIRST_EDITION.year, FIRST_EDITION.month
    for _i in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def make(i):
        rng = _rng(seed, "edition", i)
        day = months[i]
        label = f"{MONTHS[day.month - 1]} {day.year}"
        size = BIG_EDITION_ITEMS if i == count - 1 else rng.randint(4, 8)
        previous = (day.year - (day.month == 1), 12 if day.month == 1 else day.month - 1)
        pool = by_month.get(previous, [])
        picked = rng.sample(pool, k=min(size, len(pool)))
        while len(picked) < size and len(picked) < len(all_resources):
            extra = rng.choice(all_resources)
            if extra not in picked:
                picked.append(extra)
        agenda = [pk for d, pk in event_days if day <= d < day + dt.timedelta(days=42)][:6]
        item = {"title": "", "text": "", "cta_label": ""}
        sections = [
            ("edito", {"title": "Edito", "body": f"<p>Voici l'édition de {label} : des expériences de "
                                                 "participation citoyenne venues de tous les territoires.</p>",
                       "signature": "L'équipe de Territoires en Commun"}),
            ("projets", {"title": "Projets démocratiques et expériences territoriales pour vous inspirer",
                         "intro": "", "items": [{**item, "page": Page(id=pk)} for pk in picked]}),
        ]
        if agenda:
            sections.append(("agenda", {"title": "A vos agendas !", "weeks": 6, "limit": 8,
                                        "items": [{**item, "page": Page(id=pk)} for pk in agenda]}))
        page = NewsletterPage(
            title=f"La newsletter de {label}", slug=f"{PREFIX}-{day:%Y-%m}", number=1000 + i, date=day,
            subject=f"Territoires en Commun — {label}", preheader=f"Les expériences et l'agenda de {label}.",
            chapo=f"L'édition de {label} de Territoires en Commun.", sections=sections,
            translation_key=_uuid(rng), first_published_at=_aware(day),
        )
        return (page,)

    new, _items = _generate_pages(ctx.archive, count, make, report, "éditions")
    for (page,) in new:
        ReferenceIndex.create_or_update_for_object(page)


def _ballots(ctx, seed, count, report, per_campaign=1000):
    from thematiques.vote.models import Ballot, Campaign, CampaignThematique

    communes = ctx.collectivites.get("com", []) + ctx.collectivites.get("epci", [])
    campaigns = (count + per_campaign - 1) // per_campaign
    for c in range(campaigns):
        rng = _rng(seed, "campagne", c)
        year = 2017 + c
        chosen = rng.sample(ctx.thematiques, k=min(4, len(ctx.thematiques)))  # drawn first, on every run
        campaign, created = Campaign.objects.get_or_create(
            title=f"Vote des collectivités {year} (échelle)",
            defaults={"opens_at": _aware(dt.date(year, 3, 1)), "closes_at": _aware(dt.date(year, 4, 30)),
                      "status": Campaign.Status.CLOS, "max_choices": 1})
        report.created["campagnes"] += created
        report.existing["campagnes"] += not created
        propositions = list(campaign.propositions.order_by("sort_order").values_list("pk", flat=True))
        if not propositions:
            CampaignThematique.objects.bulk_create([CampaignThematique(campaign=campaign, thematique_id=t, sort_order=k)
                                                    for k, t in enumerate(chosen)])
            propositions = list(campaign.propositions.order_by("sort_order").values_list("pk", flat=True))
        size = min(per_campaign, count - c * per_campaign, len(communes))
        voters = rng.sample(communes, k=size)
        done = set(campaign.ballots.values_list("collectivite_id", flat=True))
        statuses = [(Ballot.Status.VALIDE, 70), (Ballot.Status.CONFIRME, 20), (Ballot.Status.ANNULE, 10)]
        new = []
        for k, (pk, _nom) in enumerate(voters):
            r = _rng(seed, f"bulletin-{c}", k)
            if pk in done:
                continue
            ballot = Ballot(campaign=campaign, collectivite_id=pk, email=f"mairie-{pk}@collectivite.example.fr",
                            status=_weighted(r, statuses), confirmed_at=campaign.opens_at + dt.timedelta(days=r.randrange(55)))
            ballot._choice = r.choice(propositions)
            new.append(ballot)
        Ballot.objects.bulk_create(new, batch_size=BATCH)
        Ballot.choices.through.objects.bulk_create(
            [Ballot.choices.through(ballot_id=b.pk, campaignthematique_id=b._choice) for b in new], batch_size=BATCH)
        report.created["bulletins"] += len(new)
        report.existing["bulletins"] += size - len(new)


def _index(pages_by_model):
    """Search index entries of the created pages, in bulk (the backend's ``add_bulk``, per model)."""
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    for model, pks in pages_by_model.items():
        for start in range(0, len(pks), BATCH):
            objects = list(model.get_indexed_objects().filter(pk__in=pks[start:start + BATCH]))
            backend.add_bulk(model, objects)


def load(resources=5000, events=1000, editions=120, ballots=5000, seed=16, stdout=None) -> Report:
    """Generate the content (see the module's docstring); returns what was created and what existed."""
    from cms.cache import invalidate_site_cache
    from ressources.models import EvenementPage, RessourcePage

    report = Report()
    with transaction.atomic():
        ctx = Context()
        new_resources, all_resources = _generate_pages(
            ctx.library, resources, lambda i: _resource(ctx, seed, i), report, "ressources")
        _thematiques(new_resources, RessourcePage.thematiques.through, "ressourcepage_id")
        _tags(new_resources)
        from ressources.models import ConceptLien

        ConceptLien.objects.bulk_create([
            ConceptLien(page_id=page.pk, sort_order=0, title="Pour aller plus loin : le guide de la participation",
                        url=f"https://guides.example.org/concept-{page.pk}/", source="ANCT")
            for page, *_r in new_resources if page.__class__.__name__ == "ConceptPage"], batch_size=BATCH)
        new_events, all_events = _generate_pages(ctx.agenda, events, lambda i: _evenement(ctx, seed, i), report,
                                                 "événements")
        _thematiques(new_events, EvenementPage.thematiques.through, "evenementpage_id")
        # Editions refer to the resources and events by id: those of the database (created now or before).
        from wagtail.models import Page

        ids = dict(Page.objects.filter(path__startswith=ctx.library.path, depth=ctx.library.depth + 1,
                                       slug__startswith=PREFIX).values_list("slug", "pk"))
        ids.update(Page.objects.filter(path__startswith=ctx.agenda.path, depth=ctx.agenda.depth + 1,
                                       slug__startswith=PREFIX).values_list("slug", "pk"))
        for page, *_rest in all_resources + all_events:
            page.pk = page.id = ids[page.slug]
        _editions(ctx, seed, editions, all_resources, all_events, report)
        _ballots(ctx, seed, ballots, report)
        by_model = {}
        for page, *_rest in new_resources + new_events:
            by_model.setdefault(type(page), []).append(page.pk)
        from newsletter.models import NewsletterPage

        by_model[NewsletterPage] = list(NewsletterPage.objects.filter(slug__startswith=PREFIX)
                                        .values_list("pk", flat=True)) if report.created["éditions"] else []
        _index(by_model)
        invalidate_site_cache(everything=True)  # collectivités too (kept in the release)
    if connection.vendor == "postgresql" and any(report.created.values()):
        # Fresh planner statistics: right after a bulk insert PostgreSQL still plans for the demo's few
        # rows (a nested loop per resource, estimated 1 row, 5,012 real) until autovacuum's ANALYZE, and
        # the library's facet queries took 65 ms each instead of 10.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return report
