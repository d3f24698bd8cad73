"""An edition's pictures are made by the task queue after each save, before its first export.

The first export of a 100-item edition spent most of its time making its renditions (bench/scale.py);
``newsletter.tasks.prepare_edition_renditions``, enqueued by the ``after_create_page`` and
``after_edit_page`` hooks, makes them meanwhile, so the export finds them all.
"""
import pytest
from wagtail import hooks
from wagtail.images import get_image_model

from newsletter.exports import export_edition
from newsletter.wagtail_hooks import prepare_renditions_after_save

pytestmark = pytest.mark.django_db


def _renditions():
    return get_image_model().get_rendition_model().objects.count()


def test_the_hooks_run_after_creating_and_editing_a_page():
    assert prepare_renditions_after_save in hooks.get_hooks("after_edit_page")
    assert prepare_renditions_after_save in hooks.get_hooks("after_create_page")


def test_after_a_save_the_export_finds_every_rendition(seed_edition, rf):
    from tests.test_newsletter import _edition_with_projets
    from tests.test_public_site import make_image

    edition = _edition_with_projets(seed_edition.get_parent(), 3, make_image("Photo", "red"))
    assert _renditions() == 0
    prepare_renditions_after_save(rf.get("/"), edition)  # the immediate backend runs the task now
    made = _renditions()
    assert made >= 2, "the e-mail's and the web version's pictures"
    export_edition(edition, "mailchimp", "zip", force=True)
    assert _renditions() == made  # nothing left for the export to make


def test_only_editions_enqueue_it(seed_edition, rf, monkeypatch):
    import cms.tasks

    calls = []
    monkeypatch.setattr(cms.tasks, "enqueue", lambda task_, **kw: calls.append((task_.name, kw)))
    prepare_renditions_after_save(rf.get("/"), seed_edition.get_parent())
    assert calls == []
    prepare_renditions_after_save(rf.get("/"), seed_edition)
    assert calls == [("prepare_edition_renditions", {"page_id": seed_edition.pk})]


def test_a_deleted_edition_is_skipped():
    from newsletter.tasks import prepare_edition_renditions

    assert prepare_edition_renditions.call(page_id=10 ** 9) == {"edition": None}
