"""Read-only questions about published progress, shared by committee reports, charts and open data.

The **published status** of an action on a day is the status of its newest published progress
update dated on or before that day (ties broken by when the update was written); an action with no
such update is Not started. Unpublished updates never count, so nothing here shows more than the
public pages do.
"""

from django.db.models import Count
from django.db.models.functions import TruncMonth

from recommendations.models import Action, ProgressUpdate, Status


def actions_with_published_status(challenge, as_of=None):
    """The challenge's actions in plan order, each with `latest_published_update` (or None) and
    `published_status` as of `as_of` (a date; None for every published update). Two queries."""
    actions = list(
        Action.objects.filter(recommendation__challenge=challenge)
        .select_related("recommendation__theme")
        .order_by("recommendation__number", "reference")
    )
    updates = ProgressUpdate.objects.published().filter(action__recommendation__challenge=challenge)
    if as_of is not None:
        updates = updates.filter(date__lte=as_of)
    latest = {update.action_id: update for update in updates.latest_per_action()}
    for action in actions:
        action.latest_published_update = latest.get(action.pk)
        update = action.latest_published_update
        action.published_status = Status(update.status) if update else Status.NOT_STARTED
    return actions


def published_updates_by_month(challenge_ids, until=None):
    """{challenge id: [(first day of month, number of updates published with a date in it)]}, oldest
    month first, for the given challenges. One query."""
    updates = ProgressUpdate.objects.published().filter(action__recommendation__challenge__in=challenge_ids)
    if until is not None:
        updates = updates.filter(date__lte=until)
    rows = (
        updates.annotate(month=TruncMonth("date"))
        .values_list("action__recommendation__challenge_id", "month")
        .annotate(n=Count("pk"))
        .order_by("action__recommendation__challenge_id", "month")
    )
    by_challenge = {pk: [] for pk in challenge_ids}
    for challenge_id, month, n in rows:
        by_challenge[challenge_id].append((month, n))
    return by_challenge
