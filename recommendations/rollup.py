"""A recommendation's status as it stood on a given day: the published status of its own actions on
that day (recommendations.publication.actions_with_public_status: only updates published and dated
on or before it count), rolled up by the one rule (recommendations.models.rolled_up_status, stated
for readers as ROLL_UP_RULE). Progress reviews set it beside the peer team's view of each
recommendation on the day they were on site."""

from .models import rolled_up_status
from .publication import actions_with_public_status


def statuses_as_of(challenge, day):
    """{recommendation id: Status} for every recommendation of `challenge` with actions, as the public
    saw it on `day`; a recommendation with no actions is Not started (status_as_of). Two queries."""
    statuses = {}
    for action in actions_with_public_status(challenge, as_of=day):
        statuses.setdefault(action.recommendation_id, []).append(action.published_status)
    return {recommendation_id: rolled_up_status(own) for recommendation_id, own in statuses.items()}


def status_as_of(statuses, recommendation_id):
    """One recommendation's status from statuses_as_of's answer."""
    return statuses.get(recommendation_id, rolled_up_status([]))
