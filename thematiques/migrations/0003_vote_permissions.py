"""Let Wagtail's Editors manage vote campaigns, and Editors and Moderators moderate ballots and applications.

"change" on ballots and applications is the moderation right (validate, cancel, accept, refuse);
nobody gets "add" on them: ballots and applications only come from the public forms.
"""
from django.db import migrations

GRANTS = {
    "Editors": {
        "campaign": ("add", "change", "delete", "view"),
        "ballot": ("change", "view"),
        "candidature": ("change", "view"),
    },
    "Moderators": {
        "ballot": ("change", "view"),
        "candidature": ("change", "view"),
    },
}


def _perms(Permission, models):
    codenames = [f"{action}_{model}" for model, actions in models.items() for action in actions]
    return Permission.objects.filter(content_type__app_label="thematiques", codename__in=codenames)


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    app_config = apps.get_app_config("thematiques")
    app_config.models_module = True
    create_contenttypes(app_config, verbosity=0)
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(*_perms(Permission, GRANTS[group.name]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*_perms(Permission, GRANTS[group.name]))


class Migration(migrations.Migration):

    dependencies = [
        ("thematiques", "0002_vote"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
