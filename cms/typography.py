"""French typography of what the site writes for people (pages, admin, e-mail): one helper per kind.

- dates: « 1er décembre 2026 » (ordinal for the first of the month, lower-case month, no leading zero),
  with the weekday or the time when asked;
- sizes: « 46,3 Ko », « 1,2 Mo » (decimal comma, narrow no-break space, French units, powers of 1024);
- plurals: « aucun bulletin », « 1 bulletin », « 3 bulletins » (French: 0 and 1 take the singular);
- quotes: « … » with no-break spaces inside.

Template filters of the same names live in ``cms.templatetags.typography`` (``{% load typography %}``).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: before units and inside guillemets


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def day_month(value) -> str:
    """« 1er décembre », « 16 décembre »."""
    value = _local(value)
    ordinal = "er" if value.day == 1 else ""
    return f"{value.day}{ordinal} {MONTHS[value.month - 1]}"


def date_fr(value, *, weekday: bool = False, year: bool = True, time: bool = False) -> str:
    """« 1er décembre 2026 », « mardi 1er décembre 2026 », « 1er décembre 2026 à 9 h 30 ». Empty for None."""
    if value in (None, ""):
        return ""
    value = _local(value)
    text = day_month(value)
    if year:
        text = f"{text} {value.year}"
    if weekday:
        text = f"{WEEKDAYS[value.weekday()]} {text}"
    if time and isinstance(value, dt.datetime):
        text = f"{text} à {time_fr(value)}"
    return text


def time_fr(value) -> str:
    """« 9 h », « 9 h 30 » (the French administrative style)."""
    value = _local(value)
    return f"{value.hour}{NBSP}h" if value.minute == 0 else f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"


def month_year(value) -> str:
    """« décembre 2026 »."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def number_fr(value, decimals: int = 0) -> str:
    """« 12 345 », « 46,3 »: thousands separated by a narrow no-break space, decimal comma."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def size_fr(num_bytes: int | None) -> str:
    """« 812 octets », « 46,3 Ko », « 1,2 Mo », « 2,0 Go »."""
    if num_bytes is None:
        return ""
    num_bytes = int(num_bytes)
    if num_bytes < 1024:
        return f"{num_bytes}{NBSP}{'octet' if num_bytes in (0, 1) else 'octets'}"
    value = float(num_bytes)
    for unit in ("Ko", "Mo", "Go", "To"):
        value /= 1024
        if value < 1024 or unit == "To":
            return f"{number_fr(value, 1)}{NBSP}{unit}"
    raise AssertionError("unreachable")


def plural_fr(count: int, singular: str, plural: str | None = None, *, zero: str | None = None) -> str:
    """« aucun bulletin », « 1 bulletin », « 3 bulletins » (0 and 1 are singular in French).

    ``zero`` gives the wording for 0 (« aucun bulletin n'a été créé » reads better than « 0 bulletin »);
    without it, 0 is written « aucun <singular> ».
    """
    plural = plural or f"{singular}s"
    if count == 0:
        return zero if zero is not None else f"aucun {singular}"
    word = singular if abs(count) < 2 else plural
    return f"{number_fr(count)} {word}"


def quote_fr(text: str) -> str:
    """« text », guillemets with narrow no-break spaces inside."""
    return f"«{NNBSP}{text.strip()}{NNBSP}»"
