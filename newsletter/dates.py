"""French dates of the newsletter (« 1er janvier 2022 »), shared by the sections and the e-mail rendering."""

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


def _format_day(moment) -> str:
    return f"{moment.day}{'er' if moment.day == 1 else ''} {MONTHS[moment.month - 1]}"


def format_date(day) -> str:
    return f"{_format_day(day)} {day.year}"
