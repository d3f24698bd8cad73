"""French typography filters: ``{% load typography %}`` then ``{{ d|date_fr }}``, ``{{ n|size_fr }}``…

Thin wrappers around ``cms.typography`` so that templates, Python and e-mails write the same way.
"""
from django import template

from cms import typography

register = template.Library()


@register.filter
def date_fr(value, options=""):
    """``{{ d|date_fr }}`` « 1er décembre 2026 »; options (comma-separated): ``weekday``, ``noyear``, ``time``."""
    flags = {flag.strip() for flag in str(options).split(",") if flag.strip()}
    return typography.date_fr(value, weekday="weekday" in flags, year="noyear" not in flags, time="time" in flags)


@register.filter
def day_month(value):
    return typography.day_month(value) if value else ""


@register.filter
def time_fr(value):
    return typography.time_fr(value) if value else ""


@register.filter
def size_fr(value):
    return typography.size_fr(value)


@register.filter
def number_fr(value, decimals=0):
    return typography.number_fr(value, int(decimals)) if value is not None else ""


@register.filter
def quote_fr(value):
    return typography.quote_fr(str(value)) if value else ""
