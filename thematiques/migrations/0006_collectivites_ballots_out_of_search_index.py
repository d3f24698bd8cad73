"""Collectivités and ballots leave Wagtail's search index (they are no longer ``index.Indexed``).

``update_index`` removes the stale entries of indexed models only: the 36,000 collectivités' and the
ballots' entries are deleted here, once. Nothing searched them through the index (the chooser and the
admin listings query the database).
"""
from django.db import migrations


def delete_entries(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    IndexEntry = apps.get_model("wagtailsearch", "IndexEntry")
    types = ContentType.objects.filter(app_label="thematiques", model__in=["collectivite", "ballot"])
    IndexEntry.objects.filter(content_type__in=types).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("thematiques", "0005_rename_english_fields"),
        ("wagtailsearch", "0010_add_text_fields"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(delete_entries, migrations.RunPython.noop, elidable=True)]
