"""Concurrent confirmations of votes on PostgreSQL: one thread per request, each with its own connection.

SQLite serialises every writer on a file lock, so these races cannot happen there: the tests are
skipped on SQLite and run in the PostgreSQL pass (DATABASE_URL=postgres://…).
"""
import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests.vote_helpers import make_campaign, make_collectivites

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrence réelle : nécessite PostgreSQL (SQLite sérialise les écritures) — lancer avec DATABASE_URL=postgres://…",
    ),
    # Real commits, visible to the other threads' connections; the page tree and groups created by
    # migrations are restored after each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def open_campaign(make_thematique):
    cache.clear()
    themes = [make_thematique(t) for t in ("Aménagement des territoires", "Droit à la mobilité", "Précarité alimentaire")]
    return make_campaign(themes)


def run_in_threads(functions):
    """Start all functions at once (barrier), each in its own thread and DB connection; return results."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def worker(i, fn):
        try:
            barrier.wait(timeout=30)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - reported below with the thread index
            errors.append((i, repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def token_for(campaign, collectivite, email, proposition, mode="vote"):
    from thematiques.vote.services import make_token, vote_payload

    return make_token(vote_payload(campaign, collectivite, email, [proposition], mode=mode))


def post_confirmation(token):
    def call():
        return Client().post(reverse("thematiques:vote_confirm"), {"jeton": token}).status_code
    return call


def test_24_concurrent_confirmations_of_distinct_collectivites_give_24_ballots(open_campaign):
    from thematiques.vote.models import Ballot

    communes = make_collectivites(24)
    props = list(open_campaign.propositions.order_by("sort_order"))
    tokens = [token_for(open_campaign, c, f"dgs@commune{i}.fr", props[i % 3]) for i, c in enumerate(communes)]
    statuses = run_in_threads([post_confirmation(t) for t in tokens])
    assert statuses == [303] * 24  # confirmed, then redirected to the outcome page
    assert Ballot.objects.filter(campaign=open_campaign, status="confirme").count() == 24
    assert sum(n for _label, n in open_campaign.results()) == 24
    assert open_campaign.results_summary().collectivites == 24


def test_concurrent_confirmations_of_the_same_collectivite_give_exactly_one_ballot(open_campaign):
    from thematiques.vote.models import Ballot

    commune = make_collectivites(1)[0]
    props = list(open_campaign.propositions.order_by("sort_order"))
    same_address = [token_for(open_campaign, commune, "dgs@commune.fr", props[0]) for _ in range(10)]
    other_addresses = [token_for(open_campaign, commune, f"agent{i}@commune.fr", props[1]) for i in range(10)]
    statuses = run_in_threads([post_confirmation(t) for t in same_address + other_addresses])
    assert Ballot.objects.filter(campaign=open_campaign, collectivite=commune).count() == 1
    ballot = Ballot.objects.get(campaign=open_campaign, collectivite=commune)
    assert ballot.status == "confirme"
    assert ballot.choices.count() == 1
    # whoever won, the others were told in French (400: another address) or that it was already confirmed (303)
    assert set(statuses) <= {303, 400} and statuses.count(303) >= 1
    assert sum(n for _label, n in open_campaign.results()) == 1


def test_concurrent_submissions_of_the_same_collectivite_create_one_pending_ballot(open_campaign, home):
    from thematiques.vote.models import Ballot, VotePage

    page = home.add_child(instance=VotePage(title="Votez", slug="votez"))
    page.save_revision().publish()
    commune = make_collectivites(1)[0]
    prop = open_campaign.propositions.first()

    def submit(i):
        def call():
            return Client(REMOTE_ADDR=f"10.0.0.{i}").post(
                page.url, {"collectivite": commune.code, "email": f"agent{i}@commune.fr", "thematiques": [prop.pk]}).status_code
        return call

    statuses = run_in_threads([submit(i) for i in range(12)])
    assert Ballot.objects.filter(campaign=open_campaign, collectivite=commune).count() == 1
    assert statuses.count(200) == 1 and statuses.count(409) == 11


def test_concurrent_acceptations_never_exceed_five_parties_prenantes(open_campaign, home, editor):
    from django.utils import timezone

    from thematiques.models import ProjetPartageCollectivite, ProjetPartageIndexPage, ProjetPartagePage
    from thematiques.vote.models import Candidature
    from thematiques.vote.services import VoteError, accept_candidature

    index = home.add_child(instance=ProjetPartageIndexPage(title="Projets partagés", slug="projets-partages"))
    projet = index.add_child(instance=ProjetPartagePage(title="Projet"))
    communes = make_collectivites(9)
    candidatures = [Candidature.objects.create(projet=projet, collectivite=c, role="partie_prenante",
                                               status="a_examiner", confirmed_at=timezone.now()) for c in communes]

    def accept(candidature):
        def call():
            try:
                accept_candidature(candidature, editor)
                return "ok"
            except VoteError:
                return "refused"
        return call

    outcomes = run_in_threads([accept(c) for c in candidatures])
    assert outcomes.count("ok") == 5 and outcomes.count("refused") == 4
    assert ProjetPartageCollectivite.objects.filter(page=projet, role="partie_prenante").count() == 5
