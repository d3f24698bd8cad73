"""Two editors accept the same contribution at the same instant: exactly one event is created.

Real concurrency needs PostgreSQL (row locks, one connection per thread); SQLite serialises every
writer on a file lock, so the race cannot happen there and the sequential double accept is covered in
test_contributions.py. Run with DATABASE_URL=postgres://…
"""
import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrence réelle : nécessite PostgreSQL (SQLite sérialise les écritures) — lancer avec DATABASE_URL=postgres://…",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_simultaneous_accepts_create_exactly_one_event(agenda_index, moderator_user, editor):
    from ressources.contrib import services
    from ressources.contrib.models import ContributionEvenement
    from ressources.models import EvenementPage

    start = timezone.now() + dt.timedelta(days=12)
    contribution = ContributionEvenement.objects.create(
        title="Assemblée citoyenne", start=start, end=start + dt.timedelta(hours=3), location="Lodève",
        organizer="Commune de Lodève", description="Tirage au sort.", contact_name="A", contact_email="a@example.org",
        consent=True,
    )
    users = [moderator_user, moderator_user, editor, editor]
    barrier = threading.Barrier(len(users))
    results, errors = [], []

    def worker(user):
        try:
            barrier.wait(timeout=30)
            results.append(services.accept(contribution.pk, user, publish=user == moderator_user))
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors, errors
    assert sum(r.created for r in results) == 1
    assert EvenementPage.objects.count() == 1
    contribution.refresh_from_db()
    assert contribution.status == ContributionEvenement.Status.ACCEPTEE
    assert contribution.evenement_id == EvenementPage.objects.get().pk
