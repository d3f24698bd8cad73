"""Let Wagtail's Editors and Moderators groups moderate contributions and handle contact requests.

"view" lets them list and inspect; "change" is the moderation right (accept, refuse, mark handled).
Nobody gets "add": submissions only come from the public forms.
"""
from django.db import migrations

GROUPS = ("Editors", "Moderators")
MODELS = ("contributionevenement", "demandecontact")
ACTIONS = ("view", "change")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    app_config = apps.get_app_config("ressources")
    app_config.models_module = True
    create_contenttypes(app_config, verbosity=0)
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="ressources",
        codename__in=[f"{action}_{model}" for model in MODELS for action in ACTIONS],
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = Permission.objects.filter(
        content_type__app_label="ressources",
        codename__in=[f"{action}_{model}" for model in MODELS for action in ACTIONS],
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):

    dependencies = [
        ("ressources", "0003_contributions"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
