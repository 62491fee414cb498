"""Writes to the action plan. Each is one transaction: all of it is saved, or none of it.

Every entry point (the web forms, the import, commands) goes through these functions, and each
runs the models' own validation (`full_clean`), so one rule holds however a change arrives. A
status never changes on its own: it changes by a progress-update record (see
recommendations.publication), written here with a system text where the person wrote none.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Action, Approval, ProgressUpdate, Status
from .permissions import manages_council


class StaleActionError(Exception):
    """The action changed after the form was opened; saving would overwrite someone else's work."""

    def __init__(self, action, changes):
        self.action = action
        self.changes = changes
        super().__init__(f"Action {action.reference} changed since the version you saw")


class AlreadyReviewed(Exception):
    """Another coordinator approved or returned the update first."""

    def __init__(self, update):
        self.update = update
        who = update.reviewed_by
        self.by = (who.get_full_name() or who.get_username()) if who else "Someone"
        verb = "approved" if update.approval == Approval.APPROVED else "returned"
        self.message = (
            f"{self.by} {verb} this update on action {update.action.reference} first"
            if update.approval in (Approval.APPROVED, Approval.RETURNED)
            else f"The update on action {update.action.reference} is no longer awaiting approval"
        )
        super().__init__(self.message)


def changes_since(action, seen_version):
    """What happened to `action` after `seen_version`: its history records, oldest first."""
    return list(
        action.history.filter(version__gt=seen_version)
        .select_related("history_user", "lead_officer")
        .order_by("history_date")
    )


def _lock(action, seen_version=None):
    locked = (
        Action.objects.select_for_update(of=("self",))
        .select_related("recommendation__challenge__council")
        .get(pk=action.pk)
    )
    if seen_version is not None and locked.version != seen_version:
        raise StaleActionError(locked, changes_since(locked, seen_version))
    return locked


def publication_of_new_update(*, challenge, author, wants_published):
    """(published, approval) for a new update: officers' updates wait for a coordinator when the
    challenge says so; the council's coordinators and administrators publish directly."""
    if not wants_published:
        return False, Approval.NOT_FOR_PUBLICATION
    if challenge.updates_need_approval and not (author and manages_council(author, challenge.council_id)):
        return False, Approval.AWAITING
    return True, Approval.NOT_NEEDED


def update_needs_approval(*, challenge, author):
    """Would `author`'s published update on this challenge wait for a coordinator's approval?"""
    return publication_of_new_update(challenge=challenge, author=author, wants_published=True)[0] is False


def _save_update(update, by):
    update._history_user = by
    update.full_clean()
    update.save()
    return update


def _touch(action, by):
    """A new update is a change to the action's record even when its status stays the same:
    raise the version so a form opened before it is refused as stale."""
    current = Action.objects.get(pk=action.pk)
    if current.version == action.version:
        current._history_user = by
        current.save(update_fields=[])


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
    """Add a progress update, if nobody changed the action meanwhile. Its statuses follow the update."""
    locked = _lock(action, seen_version)
    published, approval = publication_of_new_update(
        challenge=locked.recommendation.challenge, author=author, wants_published=published
    )
    complete = Status(status) == Status.COMPLETE
    update = _save_update(
        ProgressUpdate(
            action=locked,
            author=author,
            status=Status(status),
            text=text,
            date=date,
            percent_complete=percent_complete,
            evidence_url=evidence_url or "",
            published=published,
            approval=approval,
            completion_evidence=completion_evidence if complete else "",
            difference_made=difference_made if complete else "",
        ),
        author,
    )
    _touch(locked, author)
    return update


def status_change_text(status, how):
    return f"Status changed to {Status(status).label} {how}."


def record_status_change(*, action, author, status, how, completion_evidence="", difference_made="", date=None):
    """A coordinator's (or an import's) status change, as a published progress update with a
    system-written text. The caller holds the action's lock in its own transaction."""
    complete = Status(status) == Status.COMPLETE
    return _save_update(
        ProgressUpdate(
            action=action,
            author=author,
            status=Status(status),
            text=status_change_text(status, how),
            date=date or timezone.localdate(),
            published=True,
            approval=Approval.NOT_NEEDED,
            completion_evidence=completion_evidence if complete else "",
            difference_made=difference_made if complete else "",
        ),
        author,
    )


def status_change_needed(action, status, completion_evidence="", difference_made=""):
    """Does saving `status` (and, for Complete, its evidence) on the action form need a new update?"""
    if status in (None, ""):
        return False
    if Status(status) != Status(action.status):
        return True
    if Status(status) == Status.COMPLETE:
        current = action.working_update
        return current is None or (
            (current.completion_evidence, current.difference_made) != (completion_evidence, difference_made)
        )
    return False


ACTION_FIELDS = [
    "reference",
    "description",
    "lead_officer",
    "lead_role",
    "timescale",
    "starts_on",
    "due_date",
    "consideration",
]

FORM_STATUS_CHANGE = "when a coordinator changed the action"
DUPLICATE_REFERENCE = "This recommendation already has an action with this number: use another"


def _save_action(action, by):
    action._history_user = by
    action.full_clean()
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:
        # Two people added the same number at once: the second is told, as the check would have.
        if (
            Action.objects.filter(recommendation_id=action.recommendation_id, reference=action.reference)
            .exclude(pk=action.pk)
            .exists()
        ):
            raise ValidationError({"reference": DUPLICATE_REFERENCE}) from None
        raise
    return action


@transaction.atomic
def create_action(*, recommendation, author, status=None, completion_evidence="", difference_made="", **fields):
    action = Action(recommendation=recommendation, **{name: fields[name] for name in ACTION_FIELDS if name in fields})
    _save_action(action, author)
    if status_change_needed(action, status, completion_evidence, difference_made):
        record_status_change(
            action=action,
            author=author,
            status=status,
            how="when the action was added",
            completion_evidence=completion_evidence,
            difference_made=difference_made,
        )
    return action


@transaction.atomic
def change_action(*, action, author, seen_version, status=None, completion_evidence="", difference_made="", **fields):
    """Save a coordinator's changes to an action, unless someone changed it after they opened the form.
    A new status (or new evidence of completion) is recorded as a published progress update."""
    locked = _lock(action, seen_version)
    for name in ACTION_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    _save_action(locked, author)
    if status_change_needed(locked, status, completion_evidence, difference_made):
        record_status_change(
            action=locked,
            author=author,
            status=status,
            how=FORM_STATUS_CHANGE,
            completion_evidence=completion_evidence,
            difference_made=difference_made,
        )
    return Action.objects.get(pk=locked.pk)


def _lock_awaiting(update):
    locked = (
        ProgressUpdate.objects.select_for_update(of=("self",)).select_related("action", "reviewed_by").get(pk=update.pk)
    )
    if locked.approval != Approval.AWAITING:
        raise AlreadyReviewed(locked)
    return locked


def _review(update, *, coordinator, approval, reason=""):
    locked = _lock_awaiting(update)
    locked.approval = approval
    locked.published = approval == Approval.APPROVED
    locked.reviewed_by = coordinator
    locked.reviewed_at = timezone.now()
    locked.return_reason = reason
    locked._history_user = coordinator
    locked.save()
    return locked


@transaction.atomic
def approve_update(*, update, coordinator):
    """Publish an officer's update that was awaiting approval. AlreadyReviewed if someone got there first."""
    return _review(update, coordinator=coordinator, approval=Approval.APPROVED)


@transaction.atomic
def return_update(*, update, coordinator, reason):
    """Send an update back to its author with the reason; it stays off the public pages and does not
    count for the working status. AlreadyReviewed if someone got there first."""
    return _review(update, coordinator=coordinator, approval=Approval.RETURNED, reason=reason)


@transaction.atomic
def change_publishing_settings(*, challenge, author, **settings):
    """A coordinator's choices for how a challenge publishes: approval, lead officers' names."""
    for name, value in settings.items():
        setattr(challenge, name, value)
    challenge.full_clean()
    challenge.save(update_fields=list(settings))
    return challenge
