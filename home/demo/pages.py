"""Create or update demo pages in place, keyed on (parent, slug), without piling up revisions."""
import json

from django.utils.text import slugify

from .images import card_alt, draw_card, get_or_create_image

VOLATILE = {"pk", "id", "latest_revision", "latest_revision_created_at", "last_published_at",
            "first_published_at", "live_revision", "has_unpublished_changes", "draft_title", "path",
            "depth", "numchild", "url_path", "content_type", "locked", "locked_at", "locked_by",
            "live", "owner", "translation_key", "locale", "page"}


def _comparable(value):
    """Page data without ids and timestamps (StreamField block ids are random on every assignment)."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return _comparable(json.loads(value))
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    return value


def _assign(page, fields: dict, m2m: dict, children: dict):
    for name, value in fields.items():
        setattr(page, name, value)
    for name, objects in m2m.items():
        setattr(page, name, list(objects))
    for name, items in children.items():
        related_model = page._meta.get_field(name).related_model
        existing = list(getattr(page, name).all())
        rebuilt = []
        for i, data in enumerate(items):
            # Reuse the child already there at this position so unchanged children keep their rows.
            child = existing[i] if i < len(existing) else related_model()
            for key, value in data.items():
                setattr(child, key, value)
            child.sort_order = i
            rebuilt.append(child)
        setattr(page, name, rebuilt)


def upsert_page(parent, model, slug: str, *, m2m: dict | None = None, children: dict | None = None, **fields):
    """The live ``model`` page with this slug under ``parent``, created or updated to the given values.

    ``m2m`` maps ParentalManyToManyField names to objects; ``children`` maps child relation names
    (InlinePanel) to lists of field dicts. A new revision is published only when something changed,
    so running the demo twice leaves the site (and its history) as it was.
    Returns (page, status) with status "created", "updated" or "unchanged".
    """
    m2m, children = m2m or {}, children or {}
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        _assign(page, {}, m2m, children)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return model.objects.get(pk=page.pk), "created"

    page = page.get_latest_revision_as_object() if page.has_unpublished_changes else page
    before = _comparable(page.serializable_data())
    _assign(page, fields, m2m, children)
    after = _comparable(page.serializable_data())
    if before == after and page.live:
        return page, "unchanged"
    page.save_revision().publish()
    return model.objects.get(pk=page.pk), "updated"


def card_image(title: str, pictogram: str, color: str, kicker: str = ""):
    """The generated card illustration for a page title (created once, then reused)."""
    image, _created = get_or_create_image(
        title=f"Illustration — {title}",
        filename=f"demo-{slugify(title)[:60] or 'illustration'}.png",
        description=card_alt(title, pictogram, color),
        render=lambda: draw_card(title, pictogram, color, kicker),
    )
    return image
