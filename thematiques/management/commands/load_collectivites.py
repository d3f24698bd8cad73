"""Load (or refresh) the collectivités from the COG file shipped in thematiques/data/.

Idempotent bulk upsert keyed on ``code``: a second run changes nothing. The whole file is validated
before anything is written, and the write is atomic, so a bad file leaves the table as it was.
"""
import csv
import gzip
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from thematiques.codes import DEPARTEMENTS_SANS_SIREN, is_valid_insee_commune, is_valid_siren, normalize_code
from thematiques.models import Collectivite

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "collectivites.csv.gz"
COLUMNS = ["code", "code_insee", "nom", "echelon", "departement", "region", "population"]
UPDATE_FIELDS = ["code_insee", "nom", "echelon", "departement", "region", "population"]
ECHELONS = set(Collectivite.Echelon.values)


def read_rows(path: Path) -> list[dict]:
    """The rows of the file, validated; raises CommandError (one line, in French) on the first problem."""
    if not path.is_file():
        raise CommandError(f"Fichier des collectivités introuvable : {path}")
    try:
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise CommandError(f"Fichier des collectivités illisible ({path.name}) : {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise CommandError(
            f"En-tête inattendu dans {path.name} : {','.join(reader.fieldnames or [])} "
            f"(attendu : {','.join(COLUMNS)})"
        )
    rows, seen = [], set()
    for line, row in enumerate(reader, start=2):
        code = normalize_code(row["code"])
        echelon = row["echelon"]
        if echelon not in ECHELONS:
            raise CommandError(f"{path.name}, ligne {line} : échelon inconnu « {echelon} »")
        if echelon == "com":
            ok = is_valid_insee_commune(code)
        elif echelon == "dep":
            ok = is_valid_siren(code) or code in DEPARTEMENTS_SANS_SIREN
        else:
            ok = is_valid_siren(code)
        if not ok:
            raise CommandError(f"{path.name}, ligne {line} : code « {row['code']} » invalide pour l'échelon {echelon}")
        if not row["nom"].strip():
            raise CommandError(f"{path.name}, ligne {line} : nom manquant")
        if code in seen:
            raise CommandError(f"{path.name}, ligne {line} : code « {code} » en double")
        seen.add(code)
        population = row["population"].strip()
        if population and not population.isdigit():
            raise CommandError(f"{path.name}, ligne {line} : population « {population} » invalide")
        rows.append({
            "code": code, "code_insee": normalize_code(row["code_insee"]), "nom": row["nom"].strip(),
            "echelon": echelon, "departement": normalize_code(row["departement"]),
            "region": normalize_code(row["region"]), "population": int(population) if population else None,
        })
    if not rows:
        raise CommandError(f"{path.name} ne contient aucune collectivité")
    return rows


def load(path: Path = DEFAULT_FILE, only=None) -> dict:
    """Upsert every row of the file; returns counts {'total', 'created', 'updated', 'unchanged'}.

    ``only``: a set of codes; then only the rows whose ``code`` or ``code_insee`` is in it are loaded
    (the demo's few collectivités, for fast tests).
    """
    rows = read_rows(Path(path))
    if only is not None:
        wanted = {normalize_code(code) for code in only}
        rows = [r for r in rows if r["code"] in wanted or r["code_insee"] in wanted]
    existing = {
        c["code"]: c for c in Collectivite.objects.values("code", *UPDATE_FIELDS).iterator(chunk_size=5000)
    }
    to_create, to_update = [], []
    for row in rows:
        current = existing.get(row["code"])
        if current is None:
            to_create.append(Collectivite(**row))
        elif any(current[f] != row[f] for f in UPDATE_FIELDS):
            to_update.append(Collectivite(**row))
    with transaction.atomic():
        if to_create:
            Collectivite.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            # An upsert keyed on the unique code: one statement per batch on SQLite and PostgreSQL alike.
            Collectivite.objects.bulk_create(
                to_update, batch_size=2000, update_conflicts=True, unique_fields=["code"], update_fields=UPDATE_FIELDS,
            )
        if to_create or to_update:
            # Bulk writes send no signal: pages and the library's territory filters show these names
            # (the filters' choices are kept in the release: a publish cannot change them).
            from cms.cache import invalidate_site_cache

            invalidate_site_cache(everything=True)
    return {
        "total": len(rows), "created": len(to_create), "updated": len(to_update),
        "unchanged": len(rows) - len(to_create) - len(to_update),
    }


class Command(BaseCommand):
    help = "Charge les collectivités (communes, EPCI, départements, régions) depuis le fichier COG livré avec le projet."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_FILE),
                            help="Fichier CSV (éventuellement gzip) à charger ; par défaut thematiques/data/collectivites.csv.gz")

    def handle(self, *args, **options):
        counts = load(Path(options["file"]))
        self.stdout.write(
            f"Collectivités : {counts['total']} dans le fichier, {counts['created']} créées, "
            f"{counts['updated']} mises à jour, {counts['unchanged']} inchangées."
        )
