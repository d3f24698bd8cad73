"""A GIN index on the search index's ``title || body``, the expression Wagtail's PostgreSQL database
backend matches (``(title || body) @@ query``): its own GIN indexes are on each column, which that
expression cannot use, so every search scanned the whole index (36,000 collectivités included).
At Territoires Conseils' size a library search went from 24 ms to 1 ms of scan (bench/scale.py).
PostgreSQL only: SQLite searches through its FTS5 table.
"""
from django.db import migrations

INDEX = "tec_indexentry_title_body_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailsearch_indexentry USING gin ((title || body))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
