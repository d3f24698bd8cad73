"""``{% consent_text %}``: the text the subscribe form's consent checkbox shows (its version is stored)."""
from django import template

register = template.Library()


@register.simple_tag
def consent_text() -> str:
    from newsletter.subscriptions import CONSENT_TEXT

    return CONSENT_TEXT
