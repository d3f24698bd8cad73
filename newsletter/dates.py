"""French dates of the newsletter (« 1er janvier 2022 »): the site's one date helper, ``cms.typography``."""
from cms.typography import MONTHS, date_fr, day_month

__all__ = ["MONTHS", "_format_day", "format_date"]


def _format_day(moment) -> str:
    return day_month(moment)


def format_date(day) -> str:
    return date_fr(day)
