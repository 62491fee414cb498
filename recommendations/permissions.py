"""Who may do what with the action plan. Each rule is a pair: a per-object check and the
matching queryset, so lists and pages never disagree.

- Officers update progress on the actions they lead, and no others.
- Coordinators (and admins) may update any action and manage the plan.
- Scrutiny committee members and other signed-in users read everything, drafts included.
- The public reads published updates only (ProgressUpdate.objects.visible_to).
"""

import rules

from .models import Action


@rules.predicate
def updates_any_action(user):
    return user.has_perm("recommendations.change_any_action")


@rules.predicate
def leads_action(user, action):
    return action is not None and action.lead_officer_id == user.pk


@rules.predicate
def manages_action_plan(user):
    return user.has_perm("recommendations.manage_action_plan")


can_update_action = rules.is_authenticated & rules.is_active & (updates_any_action | leads_action)

rules.add_perm("recommendations.update_action_progress", can_update_action)


def editable_actions(user):
    """The actions `user` may add progress updates to: the queryset twin of can_update_action."""
    if not (user.is_authenticated and user.is_active):
        return Action.objects.none()
    if user.has_perm("recommendations.change_any_action"):
        return Action.objects.all()
    return Action.objects.led_by(user)
