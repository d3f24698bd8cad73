"""English field names on projets partagés and thématiques (docs/decisions.md, "Naming").

Columns are renamed in place (``RenameField``: no row is copied or dropped); the keys of the pages'
revisions are renamed too, so that drafts and older revisions keep their values.
"""
from django.db import migrations

from cms.migration_helpers import revision_renames

PROJET_PARTAGE_RENAMES = {"statut": "status", "date_debut": "start_date", "date_fin": "end_date"}
THEMATIQUE_RENAMES = {"couleur": "color", "pictogramme": "pictogram"}


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('thematiques', '0004_rename_thematique_header_image_alt'),
        ('wagtailcore', '0094_alter_page_locale'),
    ]

    operations = [
        migrations.RenameField('projetpartagepage', 'statut', 'status'),
        migrations.RenameField('projetpartagepage', 'date_debut', 'start_date'),
        migrations.RenameField('projetpartagepage', 'date_fin', 'end_date'),
        migrations.RenameField('thematiquepage', 'couleur', 'color'),
        migrations.RenameField('thematiquepage', 'pictogramme', 'pictogram'),
        migrations.RunPython(*revision_renames([("thematiques", "projetpartagepage")], PROJET_PARTAGE_RENAMES)),
        migrations.RunPython(*revision_renames([("thematiques", "thematiquepage")], THEMATIQUE_RENAMES)),
    ]
