"""Dates of archived editions in French, English and German; the subject from the body when it names the edition."""
import datetime as dt

import pytest

from newsletter.importer.parsing import parse_edition


def page(title, first, text="Le texte de la section.", preheader=""):
    hidden = f'<div style="display:none">{preheader}</div>' if preheader else ""
    return (f"<html><head><title>{title}</title></head><body>{hidden}<h1>{first}</h1>"
            f'<h2>Section</h2><p>{text}</p><h3><a href="https://example.org/a">Carte</a></h3></body></html>')


@pytest.mark.parametrize("text,expected", [
    ("Lettre de mars 2024", dt.date(2024, 3, 1)),
    ("Newsletter March 2024", dt.date(2024, 3, 1)),
    ("Rundbrief vom 12. März 2024", dt.date(2024, 3, 12)),
    ("La lettre du 16 décembre 2021", dt.date(2021, 12, 16)),
    ("Issue of October 20th, 2022", dt.date(2022, 10, 20)),
    ("Ausgabe Dezember 2023", dt.date(2023, 12, 1)),
])
def test_dates_in_three_languages(text, expected):
    parsed = parse_edition(page("Le programme", text))
    assert parsed.date == expected
    assert parsed.date_clue and parsed.date_clue in text


def test_first_heading_naming_the_edition_is_the_subject():
    parsed = parse_edition(page("Le programme", "Lettre d'information n° 12 — mars 2024"))
    assert parsed.subject == "Lettre d'information n° 12 — mars 2024"
    assert parsed.number == 12 and parsed.date == dt.date(2024, 3, 1)
    assert [s.title for s in parsed.sections] == ["Section"]


def test_preheader_naming_the_edition_is_the_subject():
    parsed = parse_edition(page("Le programme", "Bienvenue", preheader="Newsletter n° 7 — avril 2023"))
    assert parsed.subject == "Newsletter n° 7 — avril 2023"


def test_a_generic_heading_does_not_replace_the_title():
    parsed = parse_edition(page("La lettre de mars 2024", "Bonjour à toutes et à tous"))
    assert parsed.subject == "La lettre de mars 2024"
