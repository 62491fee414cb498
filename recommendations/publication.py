"""What the public sees and what staff see: the one rule every page, file, feed and report asks.

An action's progress is the record of its progress updates; nothing else sets its status.

- An update counts for the **working status** (what the council's staff and councillors see)
  unless it is awaiting a coordinator's approval or was returned to its author.
- It counts for the **public status** only once it is published: its author published it where
  no approval is needed, or a coordinator approved it.
- The newest counting update gives the status: the latest date, then the latest written. With
  none, the action is Not started.
- Evidence of completion and "what difference it has made" are read from that same update, and
  only when it says Complete, so unpublished or unapproved text never reaches the public.
- Drafts (updates that are not published) are read only by members of the action's council and
  by site administrators.
- Lead officers' and authors' names are shown to the public only where the challenge publishes
  them; otherwise the public sees the lead role.

`Action.status` and `Action.public_status` (with `working_update` and `public_update`) are kept
by `refresh_action` after every save or delete of an update, so lists can count and filter by
them; `actions_with_public_status` answers "as of a date" for committee reports from the same rule.
"""

from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber

from .models import Action, Approval, ProgressUpdate, Status, display_name
from .permissions import member_council_ids, sees_drafts_of

NEWEST_FIRST = ("-date", "-created_at", "-pk")
NOT_COUNTED_FOR_WORK = (Approval.AWAITING, Approval.RETURNED)
PUBLIC = Q(published=True)
WORKING = ~Q(approval__in=NOT_COUNTED_FOR_WORK)


def working_updates(updates=None):
    """The updates that count for the working status."""
    return (ProgressUpdate.objects.all() if updates is None else updates).filter(WORKING)


def public_updates(updates=None):
    """The updates the public may read, and that count for the public status."""
    return (ProgressUpdate.objects.all() if updates is None else updates).filter(PUBLIC)


def _status_of(update):
    return Status(update.status) if update is not None else Status.NOT_STARTED


def refresh_action(action_id, by=None):
    """Bring an action's statuses in line with its updates. Saves (raising its version) only when
    something changed. Called whenever an update is saved or deleted."""
    with transaction.atomic():
        action = Action.objects.select_for_update(of=("self",)).filter(pk=action_id).first()
        if action is None:
            return None
        return _refresh(action, by)


def _refresh(action, by):
    action_id = action.pk
    updates = ProgressUpdate.objects.filter(action_id=action_id)
    working = working_updates(updates).order_by(*NEWEST_FIRST).first()
    public = public_updates(updates).order_by(*NEWEST_FIRST).first()
    wanted = {
        "status": _status_of(working).value,
        "public_status": _status_of(public).value,
        "working_update_id": working.pk if working else None,
        "public_update_id": public.pk if public else None,
    }
    changed = [name for name, value in wanted.items() if getattr(action, name) != value]
    if changed:
        for name in changed:
            setattr(action, name, wanted[name])
        action._history_user = by
        action.save(update_fields=[name.removesuffix("_id") for name in changed])
    return action


def _newest_per_action(updates):
    return updates.annotate(
        recency=Window(
            RowNumber(), partition_by=[F("action_id")], order_by=[F(name[1:]).desc() for name in NEWEST_FIRST]
        )
    ).filter(recency=1)


def refresh_actions(actions):
    """refresh_action for many actions at once (a loaded fixture, a benchmark data set): three
    queries and one bulk update, without raising versions or writing history."""
    actions = list(actions)
    ids = [action.pk for action in actions]
    updates = ProgressUpdate.objects.filter(action_id__in=ids)
    working = {u.action_id: u for u in _newest_per_action(working_updates(updates))}
    public = {u.action_id: u for u in _newest_per_action(public_updates(updates))}
    for action in actions:
        action.status = _status_of(working.get(action.pk)).value
        action.public_status = _status_of(public.get(action.pk)).value
        action.working_update = working.get(action.pk)
        action.public_update = public.get(action.pk)
    Action.objects.bulk_update(actions, ["status", "public_status", "working_update", "public_update"], batch_size=500)
    return actions


def actions_with_public_status(challenge, as_of=None):
    """The challenge's actions in plan order, each with `public_update` (the update the public status
    comes from, or None) and `published_status`, as things stand or as they stood on `as_of`
    (a date: only updates dated on or before it count). Two queries at most."""
    actions = (
        Action.objects.filter(recommendation__challenge=challenge)
        .select_related("recommendation__theme", "lead_officer")
        .order_by("recommendation__number", "reference")
    )
    if as_of is None:
        actions = list(actions.select_related("public_update"))
    else:
        actions = list(actions)
        updates = public_updates().filter(action__recommendation__challenge=challenge, date__lte=as_of)
        newest = {update.action_id: update for update in _newest_per_action(updates)}
        for action in actions:
            action.public_update = newest.get(action.pk)
    for action in actions:
        action.published_status = _status_of(action.public_update)
    return actions


def evidence(update):
    """(evidence of completion, difference made) from an update that says Complete, else None."""
    if update is None or update.status != Status.COMPLETE:
        return None
    if not (update.completion_evidence or update.difference_made):
        return None
    return update.completion_evidence, update.difference_made


def public_evidence(action):
    """What the public reads about how the action was completed: from its public update only."""
    return evidence(action.public_update) if action.public_status == Status.COMPLETE else None


def working_evidence(action):
    return evidence(action.working_update) if action.status == Status.COMPLETE else None


def visible_updates(user, updates=None):
    """The updates `user` may read: published ones, and the drafts of their own councils."""
    updates = ProgressUpdate.objects.all() if updates is None else updates
    if user.is_authenticated and user.is_active and user.is_superuser:
        return updates
    councils = member_council_ids(user)
    if not councils:
        return updates.filter(PUBLIC)
    return updates.filter(PUBLIC | Q(action__recommendation__challenge__council_id__in=councils))


def sees_working_status(user, challenge):
    """Staff and councillors of the challenge's council see the working status beside the public one."""
    return sees_drafts_of(user, challenge.council_id)


def names_public(user, challenge):
    return challenge.publish_lead_names or sees_drafts_of(user, challenge.council_id)


def lead_label(action, user, challenge=None):
    """Who leads an action, as `user` may read it: the name only where it is published or the reader
    belongs to the council, always the role where there is one."""
    challenge = challenge or action.recommendation.challenge
    show_name = action.lead_officer_id and names_public(user, challenge)
    if show_name and action.lead_role:
        return f"{display_name(action.lead_officer)} ({action.lead_role})"
    if show_name:
        return display_name(action.lead_officer)
    if action.lead_role:
        return action.lead_role
    if action.lead_officer_id:
        return "Lead officer assigned (role not recorded)"
    return "Not yet assigned"


def public_lead(action):
    """The lead as committee papers and open data give it, when names are not published: the role."""
    if action.lead_role:
        return action.lead_role
    if action.lead_officer_id:
        return "Lead officer assigned (role not recorded)"
    return "Not yet assigned"


def author_label(update, user, challenge):
    """Who wrote an update, as `user` may read it: the council's name where names are not public."""
    if update.author_id and names_public(user, challenge):
        return display_name(update.author)
    if update.source:
        return update.source
    return challenge.council.name


def label_actions(actions, user, challenge=None):
    """Give each action `lead_label` (what `user` may read of who leads it), `shows_working` (the
    reader sees the working status beside the public one) and `evidence` (the public evidence of
    completion: staff read unpublished evidence on the update itself). Returns the actions."""
    for action in actions:
        its_challenge = challenge or action.recommendation.challenge
        action.lead_label = lead_label(action, user, its_challenge)
        action.shows_working = sees_working_status(user, its_challenge)
        action.evidence = public_evidence(action)
    return actions


def label_updates(updates, user, challenge):
    """Give each update `author_label`: who wrote it, as `user` may read it."""
    for update in updates:
        update.author_label = author_label(update, user, challenge)
    return updates


def public_lead_of(action, challenge):
    """The lead as public outputs (open data, committee reports, feeds) give it: with the officer's
    name only where the challenge publishes names."""
    if challenge.publish_lead_names and action.lead_officer_id:
        name = display_name(action.lead_officer)
        return f"{name} ({action.lead_role})" if action.lead_role else name
    return public_lead(action)
