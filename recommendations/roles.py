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
