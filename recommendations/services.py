"""Writes to the action plan. Each is one transaction: all of it is saved, or none of it.

Every entry point (the web forms, the import, commands) goes through these functions, and each
runs the models' own validation (`full_clean`), so one rule holds however a change arrives. A
status never changes on its own: it changes by a progress-update record (see
recommendations.publication), written here with a system text where the person wrote none.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DROPPED_STATUSES, Action, Approval, PeerChallenge, ProgressUpdate, Recommendation, Status
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
    next_steps="",
    percent_complete=None,
    evidence_url="",
    published=False,
    completion_evidence="",
    difference_made="",
    closure_reason="",
    superseded_by=None,
):
    """Add a progress update, if nobody changed the action meanwhile. Its statuses follow the update.
    Only the answers of its status are kept: evidence for Complete, a reason for a closing status and,
    for Superseded, the action that takes its place."""
    locked = _lock(action, seen_version)
    published, approval = publication_of_new_update(
        challenge=locked.recommendation.challenge, author=author, wants_published=published
    )
    update = _save_update(
        ProgressUpdate(
            action=locked,
            author=author,
            status=Status(status),
            text=text,
            next_steps=next_steps or "",
            date=date,
            percent_complete=percent_complete,
            evidence_url=evidence_url or "",
            published=published,
            approval=approval,
            **_answers_of_status(status, completion_evidence, difference_made, closure_reason, superseded_by),
        ),
        author,
    )
    _touch(locked, author)
    return update


def _answers_of_status(status, completion_evidence, difference_made, closure_reason, superseded_by):
    """The fields of an update that belong to its status, the others blank (a form sends them all)."""
    status = Status(status)
    complete = status == Status.COMPLETE
    return {
        "completion_evidence": (completion_evidence or "") if complete else "",
        "difference_made": (difference_made or "") if complete else "",
        "closure_reason": (closure_reason or "") if status in DROPPED_STATUSES else "",
        "superseded_by": superseded_by if status == Status.SUPERSEDED else None,
    }


def status_change_text(status, how):
    return f"Status changed to {Status(status).label} {how}."


def record_status_change(
    *,
    action,
    author,
    status,
    how,
    completion_evidence="",
    difference_made="",
    date=None,
    closure_reason="",
    superseded_by=None,
    next_steps="",
    text=None,
):
    """A coordinator's (or an import's) status change, as a published progress update with a
    system-written text (`text`, or "Status changed to ... `how`"). The caller holds the action's
    lock in its own transaction."""
    return _save_update(
        ProgressUpdate(
            action=action,
            author=author,
            status=Status(status),
            text=text or status_change_text(status, how),
            next_steps=next_steps or "",
            date=date or timezone.localdate(),
            published=True,
            approval=Approval.NOT_NEEDED,
            **_answers_of_status(status, completion_evidence, difference_made, closure_reason, superseded_by),
        ),
        author,
    )


def status_change_needed(
    action, status, completion_evidence="", difference_made="", closure_reason="", superseded_by=None
):
    """Does saving `status` (and, for Complete, its evidence; for a closing status, its reason and
    what supersedes it) on the action form need a new update?"""
    if status in (None, ""):
        return False
    if Status(status) != Status(action.status):
        return True
    current = action.working_update
    if Status(status) == Status.COMPLETE:
        return current is None or (
            (current.completion_evidence, current.difference_made) != (completion_evidence, difference_made)
        )
    if Status(status) in DROPPED_STATUSES:
        superseded_by_id = getattr(superseded_by, "pk", superseded_by)  # an action, or its pk
        return current is None or (current.closure_reason, current.superseded_by_id) != (
            closure_reason or "",
            superseded_by_id if Status(status) == Status.SUPERSEDED else None,
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
    "actual_start",
    "actual_completion",
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


def _link_changes(action, *, also_answers=None, depends_on=None):
    """{relation: the new set of pks} for each of the action's links (the recommendations it also
    answers, the actions it depends on) that would change; None leaves a link as it is."""
    changes = {}
    for name, chosen in (("also_answers", also_answers), ("depends_on", depends_on)):
        if chosen is None:
            continue
        wanted = {item.pk for item in chosen}
        current = set(getattr(action, name).values_list("pk", flat=True)) if action.pk else set()
        if wanted != current:
            changes[name] = wanted
    return changes


def _links_reason(action, changes):
    """What a change of links says in the action's history, e.g. "Now depends on actions 1.2 and 3.1"."""
    parts = []
    if "also_answers" in changes:
        numbers = sorted(Recommendation.objects.filter(pk__in=changes["also_answers"]).values_list("number", flat=True))
        parts.append(
            "also answers recommendations " + ", ".join(map(str, numbers))
            if numbers
            else "answers no other recommendation"
        )
    if "depends_on" in changes:
        references = sorted(Action.objects.filter(pk__in=changes["depends_on"]).values_list("reference", flat=True))
        parts.append("depends on actions " + ", ".join(references) if references else "depends on no other action")
    reason = "Now " + "; ".join(parts)
    longest = Action.history.model._meta.get_field("history_change_reason").max_length
    return reason if len(reason) <= longest else reason[: longest - 1] + "…"


def _save_links(action, changes):
    """Set the changed links. A change of dependencies takes the challenge's lock first, so two people
    cannot each add half of a loop at once; the models' m2m rules then check the whole chain."""
    if "depends_on" in changes:
        list(PeerChallenge.objects.select_for_update().filter(pk=action.recommendation.challenge_id).values("pk"))
    for name, pks in changes.items():
        getattr(action, name).set(pks)


@transaction.atomic
def create_action(
    *,
    recommendation,
    author,
    status=None,
    completion_evidence="",
    difference_made="",
    closure_reason="",
    superseded_by=None,
    also_answers=None,
    depends_on=None,
    **fields,
):
    """Add an action with its links to other recommendations and actions; a status other than
    Not started is recorded as a published progress update."""
    action = Action(recommendation=recommendation, **{name: fields[name] for name in ACTION_FIELDS if name in fields})
    _save_action(action, author)
    _save_links(action, _link_changes(action, also_answers=also_answers, depends_on=depends_on))
    closing = {"closure_reason": closure_reason, "superseded_by": superseded_by}
    if status_change_needed(action, status, completion_evidence, difference_made, **closing):
        record_status_change(
            action=action,
            author=author,
            status=status,
            how="when the action was added",
            completion_evidence=completion_evidence,
            difference_made=difference_made,
            **closing,
        )
    return action


@transaction.atomic
def change_action(
    *,
    action,
    author,
    seen_version,
    status=None,
    completion_evidence="",
    difference_made="",
    closure_reason="",
    superseded_by=None,
    also_answers=None,
    depends_on=None,
    **fields,
):
    """Save a coordinator's changes to an action, unless someone changed it after they opened the form.
    A new status (or new evidence of completion, or a new reason for closing) is recorded as a published
    progress update. The action's version rises with every save, a change of its links alone included,
    and its history record then says what the links became."""
    locked = _lock(action, seen_version)
    for name in ACTION_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    links = _link_changes(locked, also_answers=also_answers, depends_on=depends_on)
    if links:
        locked._change_reason = _links_reason(locked, links)
    _save_action(locked, author)
    _save_links(locked, links)
    closing = {"closure_reason": closure_reason, "superseded_by": superseded_by}
    if status_change_needed(locked, status, completion_evidence, difference_made, **closing):
        record_status_change(
            action=locked,
            author=author,
            status=status,
            how=FORM_STATUS_CHANGE,
            completion_evidence=completion_evidence,
            difference_made=difference_made,
            **closing,
        )
    return Action.objects.get(pk=locked.pk)


RESPONSE_FIELDS = ["response", "response_reason", "response_agreed_by", "response_agreed_on"]


@transaction.atomic
def record_response(*, recommendation, response, response_reason="", response_agreed_by="", response_agreed_on=None):
    """Record the council's response to a recommendation, checked by Recommendation.clean()."""
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    locked.response = response
    locked.response_reason = (response_reason or "").strip()
    locked.response_agreed_by = (response_agreed_by or "").strip()
    locked.response_agreed_on = response_agreed_on
    locked.full_clean()
    locked.save(update_fields=RESPONSE_FIELDS)
    return locked


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


@transaction.atomic
def record_milestones(*, challenge, **milestones):
    """A coordinator's dates of the LGA's milestones after a challenge (recommendations.clock): each
    `<milestone>_on` with its `<milestone>_precision`, "day" or "month". Checked by
    PeerChallenge.clean(); only the fields given change."""
    locked = PeerChallenge.objects.select_for_update().get(pk=challenge.pk)
    for name, value in milestones.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save(update_fields=list(milestones))
    return locked
