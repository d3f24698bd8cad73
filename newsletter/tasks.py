"""Background work of the newsletter: an edition's pictures made before its first export.

``prepare_edition_renditions`` runs after each save of an edition in the admin (hooks in
``newsletter/wagtail_hooks.py``). The first export of a 100-item edition spent 0.7 to 2 s making its
31 e-mail and web renditions (``bench/scale.py``); made by the worker meanwhile, the export and the
e-mail preview find them (about 0.25 s at scale).
"""
from __future__ import annotations

from django_tasks import task


@task()
def prepare_edition_renditions(*, page_id: int) -> dict:
    """Render the edition as an export would (the e-mail, then the web fragment): the renditions they
    need are made and kept; nothing else is written. An edition deleted meanwhile is skipped."""
    from .exports import current_version, render_web_fragment
    from .models import NewsletterPage
    from .rendering import render_email

    edition = NewsletterPage.objects.filter(pk=page_id).first()
    if edition is None:
        return {"edition": None}
    version = current_version(edition)
    rendered = render_email(version, "generic")
    render_web_fragment(version, rendered.sections)
    return {"edition": page_id}
