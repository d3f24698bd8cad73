"""English field names on events, resources and contributions (docs/decisions.md, "Naming").

Columns are renamed in place (``RenameField``: no row is copied or dropped). The check constraint
that reads ``statut`` is dropped before the rename and recreated on ``status``, with the same
condition and name. Page revisions keep their fields as JSON: their keys are renamed too, so that
drafts and older revisions keep their values.
"""
from django.db import migrations, models

from cms.migration_helpers import revision_renames

RESOURCE_MODELS = [("ressources", m) for m in ("ressourcepage", "projetpage", "articlepage", "tribunepage",
                                                "conceptpage", "actualitepage")]
EVENT_RENAMES = {"lieu": "location", "organisateur": "organizer", "lien_inscription": "registration_url",
                 "lien_libelle": "link_label"}
RESOURCE_RENAMES = {"lien_externe": "external_url", "lien_libelle": "link_label"}


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('ressources', '0005_longer_links'),
        ('wagtailcore', '0094_alter_page_locale'),
    ]

    operations = [
        # EvenementPage
        migrations.RenameField('evenementpage', 'lieu', 'location'),
        migrations.RenameField('evenementpage', 'organisateur', 'organizer'),
        migrations.RenameField('evenementpage', 'lien_inscription', 'registration_url'),
        migrations.RenameField('evenementpage', 'lien_libelle', 'link_label'),
        # RessourcePage (every kind of resource)
        migrations.RenameField('ressourcepage', 'lien_externe', 'external_url'),
        migrations.RenameField('ressourcepage', 'lien_libelle', 'link_label'),
        migrations.RunPython(*revision_renames([("ressources", "evenementpage")], EVENT_RENAMES)),
        migrations.RunPython(*revision_renames(RESOURCE_MODELS, RESOURCE_RENAMES)),
        # ContributionEvenement
        migrations.RemoveConstraint('contributionevenement', 'contribution_evenement_only_when_accepted'),
        migrations.RenameField('contributionevenement', 'titre', 'title'),
        migrations.RenameField('contributionevenement', 'lieu', 'location'),
        migrations.RenameField('contributionevenement', 'organisateur', 'organizer'),
        migrations.RenameField('contributionevenement', 'lien', 'url'),
        migrations.RenameField('contributionevenement', 'contact_nom', 'contact_name'),
        migrations.RenameField('contributionevenement', 'consentement', 'consent'),
        migrations.RenameField('contributionevenement', 'statut', 'status'),
        migrations.RenameField('contributionevenement', 'motif_refus', 'refusal_reason'),
        migrations.AddConstraint(
            model_name='contributionevenement',
            constraint=models.CheckConstraint(
                condition=models.Q(('evenement__isnull', True), ('status', 'acceptee'), _connector='OR'),
                name='contribution_evenement_only_when_accepted'),
        ),
    ]
