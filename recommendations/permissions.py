"""Who may do what, for which council. Each rule is a pair: a per-object check (a `rules`
predicate, asked with ``user.has_perm(name, obj)``) and the matching queryset, so lists and pages
never disagree.

People belong to councils through a Membership with one role each:

- **Officers** add progress updates to the actions they lead, and no others.
- **Coordinators** update any action of their council, manage its plan, approve its officers'
  updates, import and export it, and create and issue its committee reports.
- **Scrutiny committee members** read everything of their council, drafts included, and change nothing.
- **The public** (and members of other councils) read what is published.
- **Superusers** (the LGA or the site's administrators) may do everything everywhere.
"""

import rules

from .models import LEAD_ROLES, Action, Council, Membership, PeerChallenge, Role


def roles_of(user):
    """{council id: role} for an active signed-in user, read once per request and kept on the user."""
    if not (user.is_authenticated and user.is_active):
        return {}
    if not hasattr(user, "_council_roles"):
        user._council_roles = dict(Membership.objects.filter(user=user).values_list("council_id", "role"))
    return user._council_roles


def forget_roles(user):
    if hasattr(user, "_council_roles"):
        del user._council_roles


def is_admin(user):
    return user.is_authenticated and user.is_active and user.is_superuser


def member_council_ids(user):
    """The councils whose drafts `user` may read."""
    return set(roles_of(user))


def managed_council_ids(user):
    return {council for council, role in roles_of(user).items() if role == Role.COORDINATOR}


def sees_drafts_of(user, council_id):
    return is_admin(user) or council_id in roles_of(user)


def manages_council(user, council_id):
    return is_admin(user) or roles_of(user).get(council_id) == Role.COORDINATOR


def council_of(obj):
    """The council id of a council, challenge, recommendation, action, update or report."""
    if isinstance(obj, Council):
        return obj.pk
    for path in (
        "council_id",
        "challenge.council_id",
        "recommendation.challenge.council_id",
        "action.recommendation.challenge.council_id",
    ):
        target = obj
        try:
            for part in path.split("."):
                target = getattr(target, part)
        except AttributeError:
            continue
        return target
    raise TypeError(f"No council for {obj!r}")


@rules.predicate
def manages(user, obj):
    """Coordinator of the council `obj` belongs to (or an administrator)."""
    return obj is not None and manages_council(user, council_of(obj))


@rules.predicate
def manages_some_council(user):
    return is_admin(user) or bool(managed_council_ids(user))


@rules.predicate
def member_of_some_council(user):
    """Any role at any council (or an administrator)."""
    return is_admin(user) or bool(roles_of(user))


@rules.predicate
def belongs_to(user, obj):
    """Any role at the council `obj` belongs to (or an administrator)."""
    return obj is not None and sees_drafts_of(user, council_of(obj))


@rules.predicate
def leads_action(user, action):
    """The action's lead, while they are an officer or coordinator of its council."""
    return (
        action is not None
        and action.lead_officer_id == user.pk
        and roles_of(user).get(council_of(action)) in LEAD_ROLES
    )


active = rules.is_authenticated & rules.is_active

rules.add_perm("recommendations.update_action_progress", active & (manages | leads_action))
rules.add_perm("recommendations.manage_challenge", active & manages)
rules.add_perm("recommendations.manage_some_plan", active & manages_some_council)
rules.add_perm("recommendations.read_drafts", active & belongs_to)
rules.add_perm("recommendations.read_some_plan", active & member_of_some_council)


def editable_actions(user):
    """The actions `user` may add progress updates to: the queryset twin of update_action_progress."""
    if not (user.is_authenticated and user.is_active):
        return Action.objects.none()
    if is_admin(user):
        return Action.objects.all()
    roles = roles_of(user)
    managed = [council for council, role in roles.items() if role == Role.COORDINATOR]
    leading = [council for council, role in roles.items() if role in LEAD_ROLES]
    from django.db.models import Q

    return Action.objects.filter(
        Q(recommendation__challenge__council_id__in=managed)
        | Q(lead_officer=user, recommendation__challenge__council_id__in=leading)
    )


def managed_challenges(user):
    """The challenges whose plan `user` manages: the queryset twin of manage_challenge."""
    if is_admin(user):
        return PeerChallenge.objects.all()
    return PeerChallenge.objects.filter(council_id__in=managed_council_ids(user))


def readable_draft_challenges(user):
    """The challenges whose drafts `user` may read: the queryset twin of read_drafts."""
    if is_admin(user):
        return PeerChallenge.objects.all()
    return PeerChallenge.objects.filter(council_id__in=member_council_ids(user))


def plan_actions(user):
    """The actions in the action plan table `user` reads: every action of their councils' challenges
    (all, for an administrator). The queryset twin of read_drafts for actions; the page itself is
    read_some_plan's (a member of any council)."""
    return Action.objects.filter(recommendation__challenge__in=readable_draft_challenges(user))
