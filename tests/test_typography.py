"""French typography helpers: what a reader sees in dates, sizes and counts."""
import datetime as dt

import pytest
from django.template import Context, Template

from cms import typography as t

NB, NNB = "\u00a0", "\u202f"


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2026, 12, 1), "1er décembre 2026"),
    (dt.date(2021, 12, 16), "16 décembre 2021"),
    (dt.date(2024, 2, 2), "2 février 2024"),
    (dt.date(2025, 8, 1), "1er août 2025"),
])
def test_dates_use_the_ordinal_for_the_first_only(day, expected):
    assert t.date_fr(day) == expected


def test_date_options_and_time_in_paris():
    moment = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)  # 9 h 30 in Paris
    assert t.date_fr(moment, weekday=True, time=True) == f"mardi 1er décembre 2026 à 9{NB}h{NB}30"
    assert t.date_fr(dt.date(2026, 12, 1), year=False) == "1er décembre"
    assert t.time_fr(dt.datetime(2026, 1, 5, 14, 0)) == f"14{NB}h"
    assert t.date_fr(None) == ""


@pytest.mark.parametrize(("size", "expected"), [
    (0, f"0{NB}octet"), (1, f"1{NB}octet"), (812, f"812{NB}octets"),
    (47411, f"46,3{NB}Ko"), (1258291, f"1,2{NB}Mo"), (3 * 1024 ** 3, f"3,0{NB}Go"),
])
def test_sizes_in_french_units_with_a_decimal_comma(size, expected):
    assert t.size_fr(size) == expected


def test_plurals_treat_zero_and_one_as_singular():
    assert t.plural_fr(0, "bulletin") == "aucun bulletin"
    assert t.plural_fr(0, "bulletin", zero="aucun bulletin n'a été créé") == "aucun bulletin n'a été créé"
    assert t.plural_fr(1, "bulletin") == "1 bulletin"
    assert t.plural_fr(3, "ressource publiée", "ressources publiées") == "3 ressources publiées"
    assert t.plural_fr(12345, "vote") == f"12{NNB}345 votes"


def test_quotes_are_french_guillemets():
    assert t.quote_fr(" Agir ensemble ") == f"«{NNB}Agir ensemble{NNB}»"


def test_template_filters_write_the_same():
    html = Template("{% load typography %}{{ d|date_fr }}|{{ d|date_fr:'weekday,noyear' }}|{{ n|size_fr }}").render(
        Context({"d": dt.date(2026, 12, 1), "n": 47411}))
    assert html == f"1er décembre 2026|mardi 1er décembre|46,3{NB}Ko"
