"""Dates and what they say: planned against actual, slippage, due or overdue, and waiting on others.

The one home for these rules; pages, the action plan, reports and open data ask it. Each rule
takes the status a reader sees (recommendations.publication): the public status for the public,
open data and reports, the working status for the council's staff.

- **Planned** dates are the action's start date and due date; **actual** ones its actual start and
  completion dates, entered by coordinators. A complete action with no actual completion date is
  taken to have finished on the date of the update that says Complete (the one the reader sees).
- **Slippage** is how many days late an action is or was: a complete action, its completion date
  after its due date; an open one, today after its due date. None when there is no due date or the
  action was dropped (will not be taken forward, or superseded): it will never be done.
- **Due**: an open action past its due date is *overdue*; one with a due date still ahead is *not
  yet due*; dropped and complete actions are neither. Summaries count them apart.
- **Waiting on**: an action depends on others; it is waiting on each of them that is overdue, at
  risk or off track (an action that cannot finish before those do is at risk of slipping too).
"""

from dataclasses import dataclass

from django.utils import timezone

from .models import CLOSED_STATUSES, DROPPED_STATUSES, Action, Status

HOLDING_UP = (Status.AT_RISK, Status.OFF_TRACK)


def _status(action, public):
    return Status(action.public_status if public else action.status)


def _update(action, public):
    return action.public_update if public else action.working_update


def completion_date(action, *, public):
    """When a complete action finished: its actual completion date, else the date of the update
    that says Complete. None for an action that is not complete."""
    if _status(action, public) != Status.COMPLETE:
        return None
    if action.actual_completion:
        return action.actual_completion
    update = _update(action, public)
    return update.date if update is not None else None


def days_late(action, *, public, today=None):
    """Days the action is or was late (0 when on time); None without a due date or once dropped."""
    status = _status(action, public)
    if action.due_date is None or status in DROPPED_STATUSES:
        return None
    if status == Status.COMPLETE:
        finished = completion_date(action, public=public)
        return None if finished is None else max(0, (finished - action.due_date).days)
    today = today or timezone.localdate()
    return max(0, (today - action.due_date).days)


def is_overdue(action, *, public, today=None):
    today = today or timezone.localdate()
    return action.due_date is not None and action.due_date < today and _status(action, public) not in CLOSED_STATUSES


def is_not_yet_due(action, *, public, today=None):
    today = today or timezone.localdate()
    return action.due_date is not None and action.due_date >= today and _status(action, public) not in CLOSED_STATUSES


def holds_up(action, *, public, today=None):
    """Whether an action others depend on is slipping: overdue, at risk or off track."""
    return _status(action, public) in HOLDING_UP or is_overdue(action, public=public, today=today)


def slippage_words(days):
    """'3 days late', '1 day late', 'On time'; '' when not known."""
    if days is None:
        return ""
    if days == 0:
        return "On time"
    return f"{days} day{'s' if days != 1 else ''} late"


@dataclass(frozen=True)
class Dependency:
    """One action another depends on, as a reader sees it."""

    action: Action
    holding_up: bool


def dependencies_of(actions, *, public, today=None):
    """{action id: [Dependency, ...]} for `actions`: what each depends on, in plan order, and whether
    it is holding it up. One query for any number of actions."""
    ids = [action.pk for action in actions]
    through = Action.depends_on.through.objects.filter(from_action_id__in=ids).select_related(
        "to_action__recommendation", "to_action__public_update", "to_action__working_update"
    )
    result = {pk: [] for pk in ids}
    for link in sorted(through, key=lambda link: plan_order(link.to_action)):
        other = link.to_action
        result[link.from_action_id].append(Dependency(other, holds_up(other, public=public, today=today)))
    return result


def waiting_on(actions, *, public, today=None):
    """Give each of `actions` `depends_on_list` (its Dependencies) and `waiting_on` (those holding it
    up). One query. Returns the actions."""
    dependencies = dependencies_of(actions, public=public, today=today)
    for action in actions:
        action.depends_on_list = dependencies.get(action.pk, [])
        action.waiting_on = [dependency.action for dependency in action.depends_on_list if dependency.holding_up]
    return actions


def plan_order(action):
    """A sort key putting actions in plan order: by recommendation, then "1.10" after "1.9"."""
    parts = [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in action.reference.split(".")]
    return (action.recommendation.number, parts)


def summary_of_dates(actions, *, public, today=None):
    """Counts a summary shows apart: overdue, not yet due, complete, dropped (not taken forward or
    superseded), and open without a due date."""
    today = today or timezone.localdate()
    counts = {"overdue": 0, "not_yet_due": 0, "complete": 0, "dropped": 0, "no_due_date": 0}
    for action in actions:
        status = _status(action, public)
        if status == Status.COMPLETE:
            counts["complete"] += 1
        elif status in DROPPED_STATUSES:
            counts["dropped"] += 1
        elif action.due_date is None:
            counts["no_due_date"] += 1
        elif action.due_date < today:
            counts["overdue"] += 1
        else:
            counts["not_yet_due"] += 1
    return counts
