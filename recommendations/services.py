"""Writes to the action plan. Each is one transaction: all of it is saved, or none of it."""

from django.db import transaction

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
        action.history.filter(version__gt=seen_version).select_related("history_user").order_by("history_date")
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
    *, action, author, seen_version, status, text, date, percent_complete=None, evidence_url="", published=False
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
    locked.status = update.status
    locked.version += 1
    locked._history_user = author
    locked.save(update_fields=["status", "version"])
    return update
