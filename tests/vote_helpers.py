"""Builders shared by the theme vote tests (tests/test_vote*.py, tests/test_browser_vote.py)."""
import datetime as dt
import re

from django.core import mail
from django.utils import timezone


def siren(prefix: str) -> str:
    """A valid SIREN (Luhn check digit) from 8 digits."""
    for last in "0123456789":
        candidate = prefix + last
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            n = int(ch)
            if i % 2 == 1:
                n = n * 2 - 9 if n * 2 > 9 else n * 2
            total += n
        if total % 10 == 0:
            return candidate
    raise AssertionError("no check digit")


def make_collectivites(n: int, start: int = 0):
    """n communes of the Hérault with valid INSEE codes (34001…), bulk-created."""
    from thematiques.models import Collectivite

    rows = [Collectivite(code=f"34{i:03d}", code_insee=f"34{i:03d}", nom=f"Commune {i:03d}",
                         echelon=Collectivite.Echelon.COMMUNE, departement="34", region="76", population=1000 + i)
            for i in range(start + 1, start + n + 1)]
    Collectivite.objects.bulk_create(rows)
    return list(Collectivite.objects.filter(code__in=[r.code for r in rows]).order_by("code"))


def make_campaign(thematiques, status="ouvert", max_choices=1, days_open=10, title="Campagne 2027", **kw):
    from thematiques.vote.models import Campaign, CampaignThematique

    now = timezone.now()
    campaign = Campaign.objects.create(
        title=title, question="Quelle est la priorité d'action de votre territoire ?",
        opens_at=kw.pop("opens_at", now - dt.timedelta(days=1)),
        closes_at=kw.pop("closes_at", now + dt.timedelta(days=days_open)),
        status=status, max_choices=max_choices, **kw,
    )
    for order, page in enumerate(thematiques):
        CampaignThematique.objects.create(campaign=campaign, thematique=page, sort_order=order)
    return campaign


def link_from_outbox(index: int = -1) -> str:
    body = mail.outbox[index].body
    match = re.search(r"https?://\S+/votes/confirmer/\?jeton=\S+", body)
    assert match, body
    return match.group(0)
