"""Writes to the action plan. Each is one transaction: all of it is saved, or none of it."""

from django.db import transaction
from django.utils import timezone

from .models import Action, Approval, ProgressUpdate, Status


class StaleActionError(Exception):
    """The action changed after the form was opened; saving would overwrite someone else's work."""

    def __init__(self, action, changes):
        self.action = action
        self.changes = changes
        super().__init__(f"Action {action.reference} changed since version you saw")


def changes_since(action, seen_version):
    """What happened to `action` after `seen_version`: its history records, oldest first."""
    return list(
        action.history.filter(version__gt=seen_version)
        .select_related("history_user", "lead_officer")
        .order_by("history_date")
    )


def publication_of_new_update(*, challenge, author, wants_published):
    """(published, approval) for a new update: officers' updates wait for a coordinator when the
    challenge says so; coordinators and admins publish directly."""
    if not wants_published:
        return False, Approval.NOT_FOR_PUBLICATION
    if challenge.updates_need_approval and not author.has_perm("recommendations.manage_action_plan"):
        return False, Approval.AWAITING
    return True, Approval.NOT_NEEDED


@transaction.atomic
def record_progress_update(
    *,
    action,
    author,
    seen_version,
    status,
    text,
    date,
    percent_complete=None,
    evidence_url="",
    published=False,
    completion_evidence="",
    difference_made="",
):
    """Add a progress update and set the action's status to match, if nobody changed it meanwhile."""
    locked = (
        Action.objects.select_for_update(of=("self",))
        .select_related("recommendation__challenge")
        .get(pk=action.pk)
    )
    if locked.version != seen_version:
        raise StaleActionError(locked, changes_since(locked, seen_version))
    published, approval = publication_of_new_update(
        challenge=locked.recommendation.challenge, author=author, wants_published=published
    )
    update = ProgressUpdate.objects.create(
        action=locked,
        author=author,
        status=Status(status),
        text=text,
        date=date,
        percent_complete=percent_complete,
        evidence_url=evidence_url,
        published=published,
        approval=approval,
    )
    changed = ["version"]
    if approval != Approval.AWAITING:
        # An update waiting for a coordinator changes the action's status only once approved.
        locked.status = update.status
        changed.append("status")
    if update.status == Status.COMPLETE:
        locked.completion_evidence = completion_evidence
        locked.difference_made = difference_made
        changed += ["completion_evidence", "difference_made"]
    locked.version += 1
    locked._history_user = author
    locked.save(update_fields=changed)
    return update


ACTION_FIELDS = [
    "reference",
    "description",
    "lead_officer",
    "lead_role",
    "timescale",
    "starts_on",
    "due_date",
    "status",
    "consideration",
    "completion_evidence",
    "difference_made",
]


@transaction.atomic
def create_action(*, recommendation, author, **fields):
    action = Action(recommendation=recommendation, **{name: fields[name] for name in ACTION_FIELDS if name in fields})
    action._history_user = author
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def change_action(*, action, author, seen_version, **fields):
    """Save a coordinator's changes to an action, unless someone changed it after they opened the form."""
    locked = Action.objects.select_for_update().get(pk=action.pk)
    if locked.version != seen_version:
        raise StaleActionError(locked, changes_since(locked, seen_version))
    for name in ACTION_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.version += 1
    locked._history_user = author
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def approve_update(*, update, coordinator):
    """Publish an officer's update that was awaiting approval."""
    locked = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    locked.approval = Approval.APPROVED
    locked.published = True
    locked.reviewed_by = coordinator
    locked.reviewed_at = timezone.now()
    locked.return_reason = ""
    locked._history_user = coordinator
    locked.save()
    action = Action.objects.select_for_update().get(pk=locked.action_id)
    newer = action.progress_updates.filter(date__gt=locked.date).exclude(approval=Approval.AWAITING).exists()
    if not newer:
        action.status = locked.status
        action.version += 1
        action._history_user = coordinator
        action.save(update_fields=["status", "version"])
    return locked


@transaction.atomic
def return_update(*, update, coordinator, reason):
    """Send an update back to its author with the reason; it stays off the public pages."""
    locked = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    locked.approval = Approval.RETURNED
    locked.published = False
    locked.reviewed_by = coordinator
    locked.reviewed_at = timezone.now()
    locked.return_reason = reason
    locked._history_user = coordinator
    locked.save()
    return locked
