"""Demo content of the theme vote, called at the end of ``manage.py load_demo``: idempotent.

Records the seed edition's campaign (December 2021) as a closed campaign with hand-entered results, an
open campaign around today (so that the menu's "Votez pour une thématique" leads to a vote a visitor can
cast) and creates the public "Votez pour une thématique" page under the home page.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone

from cms.typography import date_fr

SEED_CAMPAIGN_TITLE = "Votez pour une thématique — 2021"
SEED_QUESTION = "Quelle est la priorité d'action de votre territoire ?"
SEED_RESULTS = [
    ("Aménagement des territoires", 172),
    ("Droit à la mobilité", 136),
    ("Précarité alimentaire", 131),
    ("Isolement des seniors", 125),
    ("Retour à l'emploi", 113),
]
SEED_COUNT_DATE = dt.date(2021, 12, 1)
# The open campaign of the demo, so that a visitor can vote: the seed's five themes, then the newer ones.
OPEN_CAMPAIGN_TITLE = "Démonstration — vote en cours"
OPEN_DAYS_BEFORE, OPEN_DAYS_AFTER = 15, 45
VOTE_PAGE_SLUG = "votez-pour-une-thematique"


def _write(stdout, message):
    if stdout is not None:
        stdout.write(message)


@transaction.atomic
def load(stdout=None):
    from home.models import HomePage

    from .models import ThematiqueIndexPage, ThematiquePage
    from .vote.models import Campaign, CampaignThematique, VotePage

    home = HomePage.objects.first()
    if home is None:
        _write(stdout, "Vote : pas de page d'accueil, rien à créer.")
        return None

    thematiques = []
    for title, _count in SEED_RESULTS:
        page = ThematiquePage.objects.filter(title=title).order_by("pk").first()
        if page is None:
            index = ThematiqueIndexPage.objects.first()
            if index is None:
                _write(stdout, f"Vote : thématique « {title} » introuvable et pas d'index des thématiques : campagne non créée.")
                return None
            page = index.add_child(instance=ThematiquePage(title=title, chapo=f"Thématique d'inspiration : {title}."))
        thematiques.append(page)

    tz = timezone.get_current_timezone()
    campaign, created = Campaign.objects.update_or_create(
        title=SEED_CAMPAIGN_TITLE,
        defaults={
            "question": SEED_QUESTION,
            "opens_at": dt.datetime(2021, 10, 1, 9, 0, tzinfo=tz),
            "closes_at": dt.datetime(2021, 11, 30, 23, 59, tzinfo=tz),
            "status": Campaign.Status.CLOS,
            "max_choices": 1,
        },
    )
    for order, (page, (_title, count)) in enumerate(zip(thematiques, SEED_RESULTS, strict=False)):
        CampaignThematique.objects.update_or_create(
            campaign=campaign, thematique=page,
            defaults={"sort_order": order, "manual_count": count, "manual_count_date": SEED_COUNT_DATE},
        )

    open_campaign = load_open_campaign(thematiques)

    vote_page = VotePage.objects.first()
    if vote_page is None:
        vote_page = VotePage(
            title="Votez pour une thématique", slug=VOTE_PAGE_SLUG, show_in_menus=True,
            chapo="Les collectivités votent pour la thématique du prochain projet partagé de l'ANCT.",
        )
        home.add_child(instance=vote_page)
        vote_page.save_revision().publish()
    _write(stdout, f"Vote : campagne « {campaign.title} » {'créée' if created else 'mise à jour'} "
                   f"({sum(c for _t, c in SEED_RESULTS)} votes saisis), campagne « {open_campaign.title} » "
                   f"ouverte jusqu'au {date_fr(open_campaign.closes_at)}, page « {vote_page.title} » prête.")
    return campaign


def load_open_campaign(seed_thematiques):
    """The demo's open campaign: created once with dates around today; its dates move only once it is no
    longer open (a demo loaded long ago and loaded again), so a second run the same day changes nothing."""
    from .models import ThematiquePage
    from .vote.models import Campaign, CampaignThematique

    now = timezone.now()
    campaign = Campaign.objects.filter(title=OPEN_CAMPAIGN_TITLE).order_by("pk").first()
    if campaign is None:
        campaign = Campaign(title=OPEN_CAMPAIGN_TITLE, question=SEED_QUESTION, max_choices=1)
    if campaign.pk is None or not campaign.is_open(now):
        today = timezone.localdate()
        tz = timezone.get_current_timezone()
        campaign.opens_at = dt.datetime.combine(today - dt.timedelta(days=OPEN_DAYS_BEFORE), dt.time(9, 0), tzinfo=tz)
        campaign.closes_at = dt.datetime.combine(today + dt.timedelta(days=OPEN_DAYS_AFTER), dt.time(23, 59), tzinfo=tz)
        campaign.status = Campaign.Status.OUVERT
        campaign.save()
    seed_ids = [page.pk for page in seed_thematiques]
    newer = ThematiquePage.objects.live().exclude(pk__in=seed_ids).order_by("path")
    for order, page in enumerate([*seed_thematiques, *newer]):
        CampaignThematique.objects.update_or_create(campaign=campaign, thematique=page, defaults={"sort_order": order})
    return campaign
