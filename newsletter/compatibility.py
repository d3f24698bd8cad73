"""E-mail client compatibility of an exported edition, looked up in caniemail's data.

The exported HTML is read once (elements, attributes, inline and <style> CSS properties and values, at-rules,
selectors, image formats); each feature found is looked up in the support tables of caniemail.com, shipped
by the npm package ``caniemail`` (``make install`` and ``.ci/run`` put it under ``var/node``; it is never
fetched at run time). The report gives, per client family, the features that family does not support:
those listed in ``ACCEPTED`` are known and harmless here (each with its reason), the others are shown to
the editor as warnings.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bs4 import Comment

ROOT = Path(__file__).resolve().parent.parent
DATA_PATH = ROOT / "var" / "node" / "node_modules" / "caniemail" / "data" / "caniemail.json"

# The families a subscriber of the newsletter reads it in: (label, caniemail family, platforms or None for all).
FAMILIES = (
    ("Gmail", "gmail", None),
    ("Outlook Windows", "outlook", ("windows",)),
    ("Outlook.com", "outlook", ("outlook-com",)),
    ("Apple Mail", "apple-mail", None),
    ("Yahoo", "yahoo", None),
    ("Orange", "orange", None),
    ("SFR", "sfr", None),
    ("La Poste", "laposte", None),
)

# Unsupported somewhere, and harmless: the reason each one changes nothing a reader needs.
ACCEPTED = {
    "html-style": "<style> ne porte que le mode sombre, les détecteurs d'Apple et les colonnes de MJML ; "
                  "tout ce qui compte (polices, couleurs, marges) est aussi en ligne.",
    "html-body": "les styles du <body> (fond, marges) sont aussi sur le conteneur de MJML.",
    "html-meta-color-scheme": "déclare le mode sombre ; ignorée, le schéma clair s'affiche.",
    "css-color-scheme": "déclare le mode sombre ; ignorée, le schéma clair s'affiche.",
    "css-at-media": "les @media de MJML et du mode sombre sont des améliorations : la colonne fluide et les "
                    "cartes compactes s'empilent sans eux.",
    "css-at-media-prefers-color-scheme": "le mode sombre est une amélioration : le schéma clair (contrastes AA) "
                                         "reste lisible là où il n'est pas pris en charge.",
    "css-selector-attribute": "[data-ogsc], [data-ogsb] et a[x-apple-data-detectors] ne visent que Outlook.com "
                              "et Apple Mail ; ailleurs la règle est ignorée.",
    "css-selector-child": "« .nl-surface>table » ne sert qu'au fond du mode sombre.",
    "css-selector-class": "les classes ne servent qu'au mode sombre et aux colonnes de MJML.",
    "css-selector-descendant": "sélecteurs du mode sombre seulement ; sans eux, le schéma clair.",
    "css-selector-grouping": "sélecteurs du mode sombre seulement ; sans eux, le schéma clair.",
    "css-selector-type": "sélecteurs du mode sombre seulement ; sans eux, le schéma clair.",
    "css-important": "!important, écrit avec l'espace qu'Orange exige, n'est que dans la feuille du mode sombre.",
    "css-display-none": "masque le préheader et son remplissage : un client qui les montre affiche le texte "
                        "d'aperçu en tête du message, rien du contenu n'est caché.",
    "css-opacity": "masque le préheader (avec display:none, max-height et mso-hide).",
    "css-max-height": "masque le préheader (avec display:none, opacity et mso-hide).",
    "css-overflow": "masque le préheader.",
    "css-outline": "outline:none de MJML sur les images : sans effet visible.",
    "css-word-spacing": "word-spacing:normal de MJML sur le <body>, la valeur par défaut.",
    "css-word-break": "césure des mots très longs de MJML : au pire une adresse dépasse d'un mot.",
    "css-text-decoration": "les liens gardent leur couleur distincte ; seul le soulignement varie.",
    "css-height": "height:auto des images : Yahoo le change en min-height:auto, sans effet puisque seule "
                  "l'image réservée à Outlook (commentaire conditionnel) porte un attribut height ; les "
                  "vignettes ne sont jamais réduites.",
    "html-aria-hidden": "masque le remplissage du préheader aux lecteurs d'écran ; sans effet visuel.",
    "html-aria-label": "nom de l'article pour les lecteurs d'écran ; sans effet visuel.",
    "html-role": "role=\"presentation\" et role=\"article\" pour les lecteurs d'écran ; sans effet visuel.",
    "html-lang": "langue pour les lecteurs d'écran ; sans effet visuel.",
    "html-mailto-links": "l'adresse est écrite en clair : lisible même si le lien ne s'ouvre pas.",
}

CSS_PROPERTY = re.compile(r"(?<![\w-])([a-z-]+)\s*:\s*([^;{}]+)", re.IGNORECASE)
AT_RULE = re.compile(r"@([a-z-]+)\s*([^{]*)\{", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"\{[^{}]*\}")
IMAGE_EXT = re.compile(r"\.(png|jpe?g|gif|webp|svg|avif|bmp)(?:$|\?)", re.IGNORECASE)


@lru_cache(maxsize=1)
def load_data(path: str | None = None) -> dict | None:
    """caniemail's features by slug, or None when the package is not installed."""
    source = Path(path or os.environ.get("CANIEMAIL_DATA") or DATA_PATH)
    if not source.exists():
        return None
    data = json.loads(source.read_text(encoding="utf-8"))
    return {feature["slug"]: feature for feature in data["data"]}


def _latest(versions: dict) -> str:
    """The support value of the latest tested version ("y", "n", "a", "u"), notes stripped."""
    if not versions:
        return "u"
    return str(list(versions.values())[-1]).split(" ")[0] or "u"


def support(feature: dict, family: str, platforms) -> str:
    """"n" if a platform of the family does not support the feature, "a" if partial, else "y" (or "u")."""
    stats = feature.get("stats", {}).get(family) or {}
    values = [_latest(v) for p, v in stats.items() if platforms is None or p in platforms]
    if not values:
        return "u"
    for level in ("n", "a", "y"):
        if level in values:
            return level
    return "u"


def features_of(soup) -> dict:
    """caniemail slugs used by the document -> an example of where (for the report)."""
    found: dict = {}

    def add(slug, where):
        found.setdefault(slug, where)

    def css(text, where):
        for name, value in CSS_PROPERTY.findall(text):
            name, value = name.lower(), value.strip().lower()
            if name.startswith(("mso-", "-ms-", "-webkit-")):
                continue  # vendor properties: read by their vendor only, by design
            add(f"css-{name}", where)
            if name == "display":
                for kind in ("none", "flex", "grid"):
                    if value.startswith(kind):
                        add(f"css-display-{kind}", where)
            if "!important" in value:
                add("css-important", where)
            for unit in ("px", "em", "rem", "vh", "vw", "pt"):
                if re.search(rf"\d{unit}\b", value):
                    add(f"css-unit-{unit}", where)
            if re.search(r"\d%", value):
                add("css-unit-percent", where)
            if "calc(" in value:
                add("css-unit-calc", where)

    seen_styles: set = set()
    for tag in soup.find_all(True):
        name = tag.name
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            add("html-h1-h6", name)
        elif name in ("ul", "ol", "li"):
            add("html-lists", name)
        else:
            add(f"html-{name}", name)
        for attr, value in tag.attrs.items():
            add(f"html-{attr}", f"{name}[{attr}]")
            if attr == "href" and isinstance(value, str) and value.startswith("mailto:"):
                add("html-mailto-links", "a[href^=mailto]")
        if name == "meta" and tag.get("name") == "color-scheme":
            add("html-meta-color-scheme", "meta")
        if name == "img" and isinstance(tag.get("src"), str):
            ext = IMAGE_EXT.search(tag["src"])
            if ext:
                add("image-" + ext.group(1).lower().replace("jpeg", "jpg"), "img")
        style = tag.get("style")
        if isinstance(style, str) and style and style not in seen_styles:
            seen_styles.add(style)
            css(style, f"{name}[style]")
        if name == "style":
            sheet = tag.get_text()
            for at, condition in AT_RULE.findall(sheet):
                add(f"css-at-{at.lower()}", f"@{at}")
                if "prefers-color-scheme" in condition:
                    add("css-at-media-prefers-color-scheme", "@media (prefers-color-scheme)")
            css(" ".join(STYLE_BLOCK.findall(sheet)), "<style>")
            selectors = STYLE_BLOCK.sub(" ", AT_RULE.sub(" ", sheet))
            if "[" in selectors:
                add("css-selector-attribute", "<style>")
            if ">" in selectors:
                add("css-selector-child", "<style>")
            if "," in selectors:
                add("css-selector-grouping", "<style>")
            if "." in selectors:
                add("css-selector-class", "<style>")
            if re.search(r"[\w\]]\s+[.\w\[]", selectors):
                add("css-selector-descendant", "<style>")
            if re.search(r"(^|[\s,}])(body|a|p|li|td|table|img|div|h\d)\b", selectors):
                add("css-selector-type", "<style>")
    if soup.find(string=lambda s: isinstance(s, Comment)):
        add("html-comments", "<!--[if mso]>")
    return found


@dataclass
class FamilyRow:
    label: str
    unsupported: list = field(default_factory=list)  # [(slug, title, where)] that change what a reader sees
    accepted: list = field(default_factory=list)  # [(slug, title)] unsupported but benign (ACCEPTED)
    partial: list = field(default_factory=list)  # [(slug, title)] partially supported


@dataclass
class Report:
    available: bool
    rows: list = field(default_factory=list)
    features: dict = field(default_factory=dict)

    @property
    def problems(self) -> list:
        """(family, slug, title, where) of every unsupported feature not accepted."""
        return [(row.label, slug, title, where) for row in self.rows for slug, title, where in row.unsupported]

    def table(self) -> list[str]:
        """The per-family table as text lines (the command prints it)."""
        if not self.available:
            return ["Compatibilité : données caniemail absentes (make install)."]
        width = max(len(r.label) for r in self.rows)
        lines = [f"{'Client'.ljust(width)} | non pris en charge | accepté | partiel"]
        for r in self.rows:
            problems = ", ".join(slug for slug, _t, _w in r.unsupported) or "aucun"
            lines.append(f"{r.label.ljust(width)} | {problems.ljust(18)} | {len(r.accepted):7d} | {len(r.partial)}")
        return lines


def report(soup, data: dict | None = None) -> Report:
    data = data if data is not None else load_data()
    if data is None:
        return Report(available=False)
    features = {slug: where for slug, where in features_of(soup).items() if slug in data}
    rows = []
    for label, family, platforms in FAMILIES:
        row = FamilyRow(label)
        for slug, where in sorted(features.items()):
            level = support(data[slug], family, platforms)
            title = data[slug].get("title", slug)
            if level == "n":
                if slug in ACCEPTED:
                    row.accepted.append((slug, title))
                else:
                    row.unsupported.append((slug, title, where))
            elif level == "a":
                row.partial.append((slug, title))
        rows.append(row)
    return Report(available=True, rows=rows, features=features)
