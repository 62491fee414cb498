"""Read-only questions about published progress, shared by committee reports and charts.

What counts as published, and an action's published status on a day, are decided in one place:
recommendations.publication (re-exported here for reports' modules). Unpublished updates never
count, so nothing here shows more than the public pages do.
"""

from django.db.models import Count
from django.db.models.functions import TruncMonth

from recommendations.publication import actions_with_public_status, public_updates

__all__ = ["actions_with_public_status", "published_updates_by_month"]


def published_updates_by_month(challenge_ids, until=None):
    """{challenge id: [(first day of month, number of updates published with a date in it)]}, oldest
    month first, for the given challenges. One query."""
    updates = public_updates().filter(action__recommendation__challenge__in=challenge_ids)
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
