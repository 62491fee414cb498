"""Create the Officer, Coordinator and Scrutiny committee member groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


# The role groups as they were before roles became per-council memberships (migration 0007).
ROLE_PERMISSIONS = {
    "Officer": [],
    "Coordinator": [
        "recommendations.change_any_action",
        "recommendations.manage_action_plan",
        "recommendations.add_action",
        "recommendations.change_action",
        "recommendations.view_action",
        "recommendations.view_progressupdate",
    ],
    "Scrutiny committee member": [],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0003_action_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
