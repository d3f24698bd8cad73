"""Validation of the official codes that identify a collectivité.

- commune: INSEE code, 5 characters: 2 digits (or 2A/2B for Corsica) + 3 digits, or 97x/98x + 2 digits;
- EPCI, département, région: SIREN, 9 digits with a Luhn check digit.
A département may also be found by its own INSEE code (``34``, ``2A``, ``974``) and a région by its
2-digit INSEE code, as the ANCT open data uses them.
"""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

INSEE_COMMUNE_RE = re.compile(r"^(?:\d{2}|2[AB])\d{3}$")
DEPARTEMENT_RE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])$")
SIREN_RE = re.compile(r"^\d{9}$")

#: Départements (and overseas collectivités listed with them by the COG) that have no SIREN of their own:
#: Corsica's two départements and Martinique / Guyane are run by a single collectivité (listed as the
#: région), Bas-Rhin and Haut-Rhin by the Collectivité européenne d'Alsace, and the COM have their own
#: statutes. Their INSEE code stands in as official code (see docs/decisions.md).
DEPARTEMENTS_SANS_SIREN = frozenset({
    "2A", "2B", "67", "68", "972", "973", "975", "977", "978", "984", "986", "987", "988", "989",
})


def normalize_code(value: str) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def is_valid_siren(value: str) -> bool:
    value = normalize_code(value)
    return bool(SIREN_RE.match(value)) and luhn_ok(value)


def is_valid_insee_commune(value: str) -> bool:
    value = normalize_code(value)
    if not INSEE_COMMUNE_RE.match(value):
        return False
    return value[:2] not in {"00", "20", "96", "99"}


def code_kind(value: str) -> str | None:
    """'siren', 'commune', 'departement' or None for an invalid code."""
    value = normalize_code(value)
    if is_valid_siren(value):
        return "siren"
    if is_valid_insee_commune(value):
        return "commune"
    if DEPARTEMENT_RE.match(value):
        return "departement"
    return None


def validate_insee_commune(value):
    if not is_valid_insee_commune(value):
        raise ValidationError(
            _("« %(code)s » n'est pas un code INSEE de commune valide (5 caractères, par exemple 34164 ou 2A004).")
            % {"code": value}, code="invalid_insee",
        )


def validate_code_departement(value):
    """A département's official code: its SIREN, or its INSEE code when it has no SIREN of its own."""
    value = normalize_code(value)
    if value in DEPARTEMENTS_SANS_SIREN:
        return
    validate_siren(value)


def validate_siren(value):
    value = normalize_code(value)
    if not SIREN_RE.match(value):
        raise ValidationError(
            _("« %(code)s » n'est pas un SIREN : il faut 9 chiffres.") % {"code": value}, code="invalid_siren"
        )
    if not luhn_ok(value):
        raise ValidationError(
            _("Le SIREN « %(code)s » est invalide : sa clé de contrôle ne correspond pas.") % {"code": value},
            code="invalid_siren_key",
        )
