"""The Card: the one small value every listable page gives (see DESIGN.md).

The website renders it with ``cms/includes/card.html``; the email renders it with the MJML
card partial of the newsletter app. A new content type reaches listings and editions by
implementing ``get_card()`` and nothing else.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    summary: str = ""
    kicker: str = ""
    cta_label: str = ""
    date: dt.date | dt.datetime | None = None
    image: Any = None  # a wagtailimages Image, or None
    image_alt: str = ""  # "" with an image means decorative
    external_url: str = ""
    page_id: int | None = None
    meta: dict = field(default_factory=dict)

    @property
    def link(self) -> str:
        """Where an e-mail card's button leads: the external resource if any, else the page (the site's card
        links to the page only, which offers the external resource)."""
        return self.external_url or self.url

    def override(self, **changes) -> Card:
        """A copy with the non-empty given fields replaced (edition overrides)."""
        return replace(self, **{k: v for k, v in changes.items() if v})


def with_card_renditions(pages):
    """``pages`` (a list of pages with their ``listing_image`` selected), their images' renditions read
    in ONE query, so that a listing's cards ask neither the renditions cache nor the database per image.

    Wagtail looks for a picture's renditions in the prefetched ones first; without them each card made
    two round trips to the renditions cache (36 cards: a third of a thématique's uncached time at
    Territoires Conseils' size). ``prefetch_related`` on a ``.specific()`` listing would make one query
    per page type instead. Returns ``pages``.
    """
    from django.db.models import prefetch_related_objects

    images = [page.listing_image for page in pages if getattr(page, "listing_image_id", None)]
    prefetch_related_objects([image for image in images if image is not None], "renditions")
    return pages


@functools.cache  # the models do not change while the process runs: walked once per listing model
def _card_field_lookups(base_model) -> dict:
    """``{(model, field): lookup}`` for each ``card_fields`` of every subclass of ``base_model``, the
    lookup following the child links down from ``base_model`` (``projetpage__nature`` from a
    ``RessourcePage``): read in the listing's own query, through Django's parent-to-child join."""
    from django.apps import apps

    lookups = {}
    for model in apps.get_models():
        names = getattr(model, "card_fields", ())
        if not names or model is base_model or not issubclass(model, base_model):
            continue
        chain, current = [], model
        while current is not base_model:
            parent, link = next((p, f) for p, f in current._meta.parents.items() if issubclass(p, base_model))
            chain.insert(0, link.related_query_name())
            current = parent
        for name in names:
            lookups[(model, name)] = "__".join([*chain, name])
    return lookups


def for_cards(queryset, keep=()) -> list:
    """The pages of ``queryset`` in their specific classes, with what their cards read and no more.

    ``.specific()`` reads every page's whole row in one query per page type, StreamField bodies
    included, for cards that show the base model's fields: a third of the library's first request
    after a publish. Here the base rows are read once and each becomes its ``specific_deferred``
    (the specific class, its own fields deferred, the listing image the queryset selected kept);
    the specific fields a page type's ``get_card()`` reads, named in its ``card_fields`` (a
    project's nature), come with those rows (a join to the page type's table), so a listing of any
    mix of kinds is one query. ``keep``: names of the queryset's own annotations to copy onto the pages.
    """
    from django.db.models import F

    lookups = _card_field_lookups(queryset.model) if hasattr(queryset, "annotate") else {}
    names = {key: f"card__{key[0]._meta.model_name}__{key[1]}" for key in lookups}
    if lookups:
        queryset = queryset.annotate(**{names[key]: F(lookup) for key, lookup in lookups.items()})
    pages = []
    for base in queryset:
        page = base.specific_deferred
        if page is not base and getattr(base, "listing_image_id", None):
            page.listing_image = base.listing_image  # what select_related read (not carried over)
        for (model, name), alias in names.items():
            if type(page) is model:
                setattr(page, name, getattr(base, alias))  # the deferred field, now loaded: no query when read
        for name in keep:
            setattr(page, name, getattr(base, name))
        pages.append(page)
    return pages


def card_page(pages, per_page: int, number):
    """Page ``number`` of the listing ``pages`` (``Paginator.get_page``: a bad or too high number gives
    the first or the last page, never an error), its cards' renditions read with
    :func:`with_card_renditions`."""
    from django.core.paginator import Paginator

    page = Paginator(pages, per_page).get_page(number)
    page.object_list = with_card_renditions(list(page.object_list))
    return page
