"""Build ``collectivites.csv.gz`` from the npm package @etalab/decoupage-administratif.

Usage (from the repository root, Node's npm only needed for the download)::

    cd /tmp && npm pack @etalab/decoupage-administratif && tar xzf etalab-decoupage-administratif-*.tgz
    python thematiques/data/build_cog.py /tmp/package/data

The package gives communes (INSEE code), arrondissements municipaux, EPCI (SIREN), départements and
régions (INSEE codes only). The SIREN of départements and régions comes from
``siren-departements-regions.csv`` beside this script (see README.md for its origin); the départements
listed in ``thematiques.codes.DEPARTEMENTS_SANS_SIREN`` keep their INSEE code as official code.

Output columns: code, code_insee, nom, echelon, departement, region, population.
"""
import csv
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "collectivites.csv.gz"
SIREN_TABLE = HERE / "siren-departements-regions.csv"
COLUMNS = ["code", "code_insee", "nom", "echelon", "departement", "region", "population"]


def _region(code: str) -> str:
    """The model keeps 2-character région codes: the COM (975, 988…) are not in a région."""
    return code if code and len(code) == 2 else ""


def _load(data_dir: Path, name: str):
    with open(data_dir / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def build_rows(data_dir: Path) -> list[dict]:
    sirens = {}
    with open(SIREN_TABLE, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            sirens[(row["echelon"], row["code_insee"])] = row["siren"]

    rows = []
    for c in _load(data_dir, "communes"):
        if c["type"] not in ("commune-actuelle", "arrondissement-municipal"):
            continue
        rows.append({
            "code": c["code"], "code_insee": c["code"], "nom": c["nom"], "echelon": "com",
            "departement": c.get("departement", ""), "region": _region(c.get("region", "")),
            "population": c.get("population", ""),
        })
    communes = {r["code"]: r for r in rows}

    for e in _load(data_dir, "epci"):
        # An EPCI may straddle départements: it is filed under the one of its most populous member.
        members = [communes[m["code"]] for m in e.get("membres", []) if m["code"] in communes]
        main = max(members, key=lambda r: r["population"] or 0) if members else {}
        rows.append({
            "code": e["code"], "code_insee": "", "nom": e["nom"], "echelon": "epci",
            "departement": main.get("departement", ""), "region": main.get("region", ""),
            "population": e.get("populationTotale", ""),
        })

    dep_population = Counter()
    reg_population = Counter()
    for r in communes.values():
        if r["code"].startswith(("751", "132", "6938")) and r["code"] not in ("75056", "13055", "69123"):
            continue  # arrondissements municipaux are already counted in their commune
        dep_population[r["departement"]] += r["population"] or 0
        reg_population[r["region"]] += r["population"] or 0

    for d in _load(data_dir, "departements"):
        code = sirens.get(("dep", d["code"]), d["code"])
        rows.append({
            "code": code, "code_insee": d["code"], "nom": d["nom"], "echelon": "dep",
            "departement": d["code"], "region": _region(d.get("region", "")),
            "population": dep_population.get(d["code"]) or "",
        })

    for r in _load(data_dir, "regions"):
        siren = sirens.get(("reg", r["code"]))
        if not siren:
            # Mayotte's région is the Département de Mayotte itself; the COM are not régions.
            continue
        rows.append({
            "code": siren, "code_insee": r["code"], "nom": r["nom"], "echelon": "reg",
            "departement": "", "region": r["code"], "population": reg_population.get(r["code"]) or "",
        })

    codes = Counter(r["code"] for r in rows)
    duplicates = [c for c, n in codes.items() if n > 1]
    if duplicates:
        raise SystemExit(f"codes en double : {', '.join(sorted(duplicates)[:10])}")
    return rows


def write(rows: list[dict], output: Path = OUTPUT) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    # mtime=0 keeps the file byte-identical from one build to the next.
    with open(output, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(buffer.getvalue().encode("utf-8"))


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit("usage : python thematiques/data/build_cog.py <dossier data du paquet npm>")
    rows = build_rows(Path(argv[1]))
    write(rows)
    counts = Counter(r["echelon"] for r in rows)
    print(f"{OUTPUT.name} : {len(rows)} collectivités ({dict(counts)})")


if __name__ == "__main__":
    main(sys.argv)
