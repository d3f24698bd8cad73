"""English field names on events, resources, contributions and contact requests (docs/decisions.md, "Naming").

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
RESOURCE_RENAMES = {"lien_externe": "external_url", "lien_libelle": "link_label",
                    "date_publication": "publication_date"}
TRIBUNE_RENAMES = {"auteur": "author", "auteur_fonction": "author_role", "citation": "quote",
                   "citation_auteur": "quote_author"}
PROJET_RENAMES = {"porteur": "project_lead"}
CONCEPT_LINK_RENAMES = {"liens": {"titre": "title"}}


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
        migrations.RenameField('ressourcepage', 'date_publication', 'publication_date'),
        migrations.RenameField('tribunepage', 'auteur', 'author'),
        migrations.RenameField('tribunepage', 'auteur_fonction', 'author_role'),
        migrations.RenameField('tribunepage', 'citation', 'quote'),
        migrations.RenameField('tribunepage', 'citation_auteur', 'quote_author'),
        migrations.RenameField('projetpage', 'porteur', 'project_lead'),
        migrations.RenameField('conceptlien', 'titre', 'title'),
        migrations.RunPython(*revision_renames([("ressources", "evenementpage")], EVENT_RENAMES)),
        migrations.RunPython(*revision_renames(RESOURCE_MODELS, RESOURCE_RENAMES)),
        migrations.RunPython(*revision_renames([("ressources", "tribunepage")], TRIBUNE_RENAMES)),
        migrations.RunPython(*revision_renames([("ressources", "projetpage")], PROJET_RENAMES)),
        migrations.RunPython(*revision_renames([("ressources", "conceptpage")], {}, CONCEPT_LINK_RENAMES)),
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
        # DemandeContact
        migrations.RenameField('demandecontact', 'nom', 'name'),
        migrations.RenameField('demandecontact', 'fonction', 'job_title'),
        migrations.RenameField('demandecontact', 'traitee', 'handled'),
        migrations.RenameField('demandecontact', 'traitee_at', 'handled_at'),
        migrations.RenameField('demandecontact', 'traitee_par', 'handled_by'),
    ]
