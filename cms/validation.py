"""Validation of what visitors send, in one place: database ids, and characters no database stores.

A number too large for a 64-bit integer makes SQLite raise ``OverflowError`` and a NUL character makes
PostgreSQL refuse the query: both must be a 400 or a 404 for the visitor, never a 500. Ids in URLs go
through the ``id`` path converter (``<id:projet_id>``: at most 18 digits, anything else is a 404);
ids in forms through :class:`IdChoiceField` / :class:`IdMultipleChoiceField`; query strings and
forms through :class:`cms.security.BadInputMiddleware` (NUL characters).
"""
from __future__ import annotations

from django import forms
from django.urls import register_converter

#: The largest id a database of the site stores (signed 64-bit: SQLite and PostgreSQL bigint).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id a visitor typed (ASCII digits, 1 ≤ id ≤ MAX_ID), or None for anything else."""
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def has_null_character(value) -> bool:
    return "\x00" in str(value)


class IdConverter:
    """``<id:name>`` in a URL: an id that fits any database (18 digits at most), as an int."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose out-of-range or non-numeric id is an invalid choice, not a crash."""

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None and parse_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": value})
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The multiple-choice counterpart of :class:`IdChoiceField`."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                if parse_id(pk) is None:
                    raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                                params={"pk": pk})
        return super()._check_values(value)
