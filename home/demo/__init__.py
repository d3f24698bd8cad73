"""Helpers for idempotent demo content: pages keyed on their slug, images keyed on their title.

Other apps' ``<app>/demo.py`` modules (called at the end of ``load_demo``) may use them too::

    from home.demo import upsert_page, card_image
"""
from .images import card_alt, draw_card, get_or_create_image  # noqa: F401 - the package's API
from .pages import card_image, upsert_page  # noqa: F401 - the package's API
