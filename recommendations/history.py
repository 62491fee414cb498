"""The history of an action and its progress updates, as a timeline of who changed what and when.

Built from django-simple-history's records in two queries, however long the history is:
each record is compared with the one before it for the same object, in Python.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import F, Window
from django.db.models.functions import Coalesce, Lag, RowNumber

from .models import Action, ProgressUpdate, Status, display_name

ACTION_FIELDS = [
    "description",
    "lead_officer_id",
    "lead_role",
    "timescale",
    "starts_on",
    "due_date",
    "actual_start",
    "actual_completion",
    "status",
]
UPDATE_FIELDS = [
    "date",
    "status",
    "text",
    "next_steps",
    "closure_reason",
    "percent_complete",
    "evidence_url",
    "published",
]
DATE_FIELDS = {"date", "starts_on", "due_date", "actual_start", "actual_completion"}
LABELS = {
    "description": "What will be done",
    "lead_officer_id": "Lead officer",
    "lead_role": "Lead role",
    "timescale": "Timescale",
    "starts_on": "Planned start date",
    "due_date": "Due date",
    "actual_start": "Actual start date",
    "actual_completion": "Actual completion date",
    "status": "Status",
    "date": "Date",
    "text": "Progress to date",
    "next_steps": "Next steps",
    "closure_reason": "Why the action is closing",
    "percent_complete": "Percentage complete",
    "evidence_url": "Link to evidence",
    "published": "Published",
}


@dataclass
class TimelineEntry:
    when: datetime
    who: str
    title: str
    changes: list = field(default_factory=list)  # (label, old, new)


def _display(name, value, users):
    if value in (None, ""):
        return "(blank)"
    if name == "status":
        return Status(value).label
    if name == "published":
        return "Yes" if value else "No"
    if name == "lead_officer_id":
        return users.get(value, "a former user")
    if name in DATE_FIELDS:
        return f"{value:%-d %B %Y}"
    return str(value)


def _user_name(user):
    if user is None:
        return "The system"
    return display_name(user)


def _entries(records, fields, describe, users):
    """Compare each record with the one before it for the same object. A record with a reason
    (a fixture load: "Loaded from the Stockport challenge") is titled by it, so the first record
    of a loaded action says where it came from and the first real edit compares with it."""
    previous = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "+":
            changes, verb = [], "added"
        elif before is None:
            # The first record we have is a change: what the object was before was not recorded.
            changes, verb = [], "deleted" if record.history_type == "-" else "changed"
        else:
            changes = [
                (
                    LABELS[name],
                    _display(name, getattr(before, name), users),
                    _display(name, getattr(record, name), users),
                )
                for name in fields
                if getattr(before, name) != getattr(record, name)
            ]
            verb = "deleted" if record.history_type == "-" else "changed"
            # A save that changed no field shown here is left out, unless it says why it was made
            # (a change of the action's links: "Now depends on actions 1.2 and 3.1").
            if verb == "changed" and not changes and not record.history_change_reason:
                continue
        title = describe(record, verb, record.history_change_reason or "")
        entries.append(TimelineEntry(record.history_date, _user_name(record.history_user), title, changes))
    return entries


def _action_title(record, verb, reason):
    return reason or f"Action {verb}"


def _update_title(record, verb, reason):
    how = reason[:1].lower() + reason[1:] if reason else verb
    return f"Progress update of {record.date:%-d %B %Y} {how}: {Status(record.status).label}"


def action_timeline(action, limit=50):
    """Newest first: every recorded change to the action and to its progress updates."""
    action_records = list(
        Action.history.filter(id=action.pk).select_related("history_user").order_by("history_date", "history_id")
    )
    update_records = list(
        ProgressUpdate.history.filter(action_id=action.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    lead_ids = {r.lead_officer_id for r in action_records if r.lead_officer_id}
    users = {user.pk: _user_name(user) for user in get_user_model().objects.filter(pk__in=lead_ids)} if lead_ids else {}
    entries = _entries(action_records, ACTION_FIELDS, _action_title, users)
    entries += _entries(update_records, UPDATE_FIELDS, _update_title, users)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


@dataclass
class LeadChange:
    when: datetime
    action_id: int
    reference: str
    description: str
    from_name: str
    to_name: str
    by: str


def lead_changes_involving(user, limit=20, council_ids=None):
    """Reassignments of actions to or from `user`, newest first, from the actions' history; with
    `council_ids`, only of the actions of those councils (the ones the user still belongs to).

    The database compares each history record with the one before it (window functions), so
    only the records where the lead changed come back, however long the history is.
    """
    ordering = [F("history_date").asc(), F("history_id").asc()]
    ever_led = Action.history.filter(lead_officer=user)
    if council_ids is not None:
        ever_led = ever_led.filter(
            id__in=Action.objects.filter(recommendation__challenge__council_id__in=council_ids).values("pk")
        )
    ever_led = ever_led.values("id")
    records = (
        Action.history.filter(id__in=ever_led)
        .annotate(
            lead=Coalesce("lead_officer_id", 0),
            previous_lead=Window(Lag(Coalesce("lead_officer_id", 0)), partition_by=[F("id")], order_by=ordering),
            position=Window(RowNumber(), partition_by=[F("id")], order_by=ordering),
        )
        .filter(position__gt=1)
        .exclude(previous_lead=F("lead"))
        .select_related("history_user", "lead_officer")
        .order_by("-history_date")
    )
    changes = [record for record in records if user.pk in (record.previous_lead, record.lead)][:limit]
    previous_ids = {record.previous_lead for record in changes if record.previous_lead}
    names = {u.pk: _user_name(u) for u in get_user_model().objects.filter(pk__in=previous_ids)} if previous_ids else {}
    return [
        LeadChange(
            when=record.history_date,
            action_id=record.id,
            reference=record.reference,
            description=record.description,
            from_name=names.get(record.previous_lead, "nobody"),
            to_name=_user_name(record.lead_officer) if record.lead_officer_id else "nobody",
            by=_user_name(record.history_user),
        )
        for record in changes
    ]
