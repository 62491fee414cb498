"""The roles people have in CPC Tracker, as Django groups, and what each may do."""

OFFICER = "Officer"
COORDINATOR = "Coordinator"
SCRUTINY_MEMBER = "Scrutiny committee member"

# Permissions each group holds, as "app_label.codename".
ROLE_PERMISSIONS = {
    OFFICER: [],
    COORDINATOR: [
        "recommendations.change_any_action",
        "recommendations.manage_action_plan",
        "recommendations.add_action",
        "recommendations.change_action",
        "recommendations.view_action",
        "recommendations.view_progressupdate",
    ],
    SCRUTINY_MEMBER: [],
}


def ensure_role_groups():
    """Create the role groups with their permissions if they are missing (a test database flush
    removes what the data migration made). Returns {name: group}."""
    from django.contrib.auth.models import Group, Permission

    groups = {}
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for permission in permissions:
            app_label, codename = permission.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        groups[name] = group
    return groups
