"""Site search: the same French search on PostgreSQL and on SQLite.

PostgreSQL indexes with its ``french`` text search configuration (Snowball's French stemmer). SQLite's
full-text index (FTS5) has no French stemmer, so :func:`SearchBackend` gives it the same Snowball
algorithm in Python (the ``snowballstemmer`` package): titles and bodies are stored stemmed, queries
are stemmed the same way, and « chômeurs », « accompagnement » or « professionnelle » find the same
pages on both databases.

Snowball keeps a final « s » after « i » (mois, fois), so « emplois » and « emploi » are two stems;
:func:`search_query` asks for both forms of each word, on both databases. French stop words, which
PostgreSQL ignores, are dropped from queries by :func:`search_terms` for SQLite to agree.
"""
from __future__ import annotations

import json
import re
import threading
from functools import cache

from django.db import connection
from django.db.models import BooleanField, Func

WORD_RE = re.compile(r"\w+")
_local = threading.local()
# Snowball's French stop words, the list PostgreSQL's « french » configuration ignores
# (tsearch_data/french.stop): dropped from queries so that SQLite, which indexes them, agrees.
FRENCH_STOP_WORDS = frozenset([
    "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux", "il", "je",
    "la", "le", "leur", "lui", "ma", "mais", "me", "même", "mes", "moi", "mon", "ne", "nos", "notre",
    "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur",
    "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous", "c", "d", "j", "l",
    "à", "m", "n", "s", "t", "y", "été", "étée", "étées", "étés", "étant", "étante", "étants",
    "étantes", "suis", "es", "est", "sommes", "êtes", "sont", "serai", "seras", "sera", "serons",
    "serez", "seront", "serais", "serait", "serions", "seriez", "seraient", "étais", "était", "étions",
    "étiez", "étaient", "fus", "fut", "fûmes", "fûtes", "furent", "sois", "soit", "soyons", "soyez",
    "soient", "fusse", "fusses", "fût", "fussions", "fussiez", "fussent", "ayant", "ayante", "ayantes",
    "ayants", "eu", "eue", "eues", "eus", "ai", "as", "avons", "avez", "ont", "aurai", "auras", "aura",
    "aurons", "aurez", "auront", "aurais", "aurait", "aurions", "auriez", "auraient", "avais", "avait",
    "avions", "aviez", "avaient", "eut", "eûmes", "eûtes", "eurent", "aie", "aies", "ait", "ayons",
    "ayez", "aient", "eusse", "eusses", "eût", "eussions", "eussiez", "eussent"
])


def search_terms(query: str) -> str:
    """The words of a visitor's query, without the punctuation full-text engines parse as syntax.

    SQLite FTS5 raises on a stray quote and PostgreSQL tsquery on operators; words of one letter
    (the « l » of « l'emploi ») and French stop words (« la », « pour », « aux »…) are dropped, as
    PostgreSQL does: every remaining word must match.
    """
    return " ".join(word for word in WORD_RE.findall(query)
                    if len(word) > 1 and word.lower() not in FRENCH_STOP_WORDS)


def _number_variants(word: str) -> list[str]:
    """The word and its other number, where French spelling makes it a different stem."""
    lower = word.lower()
    if len(lower) <= 3 or lower[-1].isdigit():
        return [word]
    if lower.endswith(("s", "x")):
        return [word, word[:-1]]
    return [word, word + "s"]


def search_query(terms: str):
    """Every word must match, in either number (a Wagtail search query; None without words)."""
    from wagtail.search.query import And, Or, PlainText

    words = terms.split()
    if not words:
        return None
    parts = []
    for word in words:
        variants = _number_variants(word)
        parts.append(PlainText(word) if len(variants) == 1 else Or([PlainText(v) for v in variants]))
    return parts[0] if len(parts) == 1 else And(parts)


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)  # Snowball stemmers keep state: one per thread
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer


def stem_text(text: str) -> str:
    """The words of ``text``, lower-cased and stemmed by Snowball's French algorithm."""
    if not text:
        return text or ""
    return " ".join(_stemmer().stemWords(WORD_RE.findall(text.lower())))


def SearchBackend(params):  # noqa: N802 - Wagtail imports a backend module's ``SearchBackend``
    """Wagtail's database backend for the current database, with French stemming on SQLite."""
    from wagtail.search.backends.database import SearchBackend as database_backend

    backend = database_backend(params)
    if connection.vendor != "sqlite" or type(backend).__name__ != "SQLiteSearchBackend":
        return backend
    return _french_sqlite_backend_class()(params)


@cache
def _french_sqlite_backend_class():
    from modelsearch.backends.database.sqlite.sqlite import (
        SQLiteIndex,
        SQLiteSearchBackend,
        SQLiteSearchQueryCompiler,
    )
    from modelsearch.query import Phrase, PlainText
    from modelsearch.utils import get_content_type_pk

    class FrenchSQLiteIndex(SQLiteIndex):
        """Stores titles and bodies stemmed (the autocomplete column keeps the words as written)."""

        def add_items(self, model, objs):
            objs = list(objs)
            super().add_items(model, objs)
            if not objs or not model.get_search_fields():
                return
            entries = list(self.entries.filter(content_type_id=get_content_type_pk(model),
                                               object_id__in=[str(obj.pk) for obj in objs])
                           .only("pk", "title", "body"))
            for entry in entries:
                entry.title, entry.body = stem_text(entry.title), stem_text(entry.body)
            # The FTS5 table follows through its update trigger.
            self.entries.model._default_manager.bulk_update(entries, ["title", "body"], batch_size=500)

    class FrenchSQLiteSearchQueryCompiler(SQLiteSearchQueryCompiler):
        def build_search_query_content(self, query, config=None):
            if isinstance(query, PlainText):
                query = PlainText(stem_text(query.query_string), operator=query.operator, boost=query.boost)
            elif isinstance(query, Phrase):
                query = Phrase(stem_text(query.query_string))
            return super().build_search_query_content(query, config=config)

    class FrenchSQLiteSearchBackend(SQLiteSearchBackend):
        index_class = FrenchSQLiteIndex
        query_compiler_class = FrenchSQLiteSearchQueryCompiler

    return FrenchSQLiteSearchBackend


class AmongIds(Func):
    """A condition for ``filter()``: ``expression`` is one of ``ids``, sent as ONE parameter.

    ``filter(pk__in=ids)`` writes one placeholder per id, and compiling ``IN (%s, %s, …)`` for the
    thousands of ids a common word matches at Territoires Conseils' size, once per facet query, was most of a
    search's time (``bench/scale.py``). PostgreSQL gets an array (``= ANY(%s)``), SQLite a JSON list
    read by ``json_each``; another database falls back to ``IN``.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, expression, ids):
        super().__init__(expression)
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra_context):
        lhs, params = compiler.compile(self.get_source_expressions()[0])
        if not self.ids:
            return "1 = 0", ()
        return f"{lhs} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection, **extra_context):
        lhs, params = compiler.compile(self.get_source_expressions()[0])
        # An array literal ('{1,2,3}'), parsed by PostgreSQL at once, rather than psycopg2's ARRAY[1,2,3]
        # constructor, whose thousands of elements are parsed as as many expressions.
        return f"{lhs} = ANY(%s::integer[])", (*params, "{" + ",".join(map(str, self.ids)) + "}")

    def as_sqlite(self, compiler, connection, **extra_context):
        lhs, params = compiler.compile(self.get_source_expressions()[0])
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.ids, separators=(",", ":")))
