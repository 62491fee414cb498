"""The peer team's view of each recommendation beside the council's own: when they differ.

At a progress review the peer team rates each recommendation's progress (reviews.models.PeerRating,
in their words too: reviews.models.PeerAssessment). The council's own status is the recommendation's
published status on the day the team was on site (recommendations.rollup.statuses_as_of). `differs`
is the one rule for whether the two disagree; the review page and the recommendation page both ask
it (the recommendation page through PeerAssessment.compared_with) and say so in words, never by
colour alone.

Which of the council's statuses agree with each rating:

================  ==================================================================
Peer team         Council's status that agrees
================  ==================================================================
Good progress     On track, Complete
Some progress     On track, At risk
Limited progress  At risk, Off track, Not started, Will not be taken forward, Superseded
No progress       Off track, Not started, Will not be taken forward, Superseded
================  ==================================================================

Good progress is work on course or done. Some progress is work under way, on course or slipping,
but not done. Limited progress is work slipping, stalled or not begun; no progress is work stalled
or not begun. A recommendation the council dropped (every action will not be taken forward or is
superseded) made no progress by the council's own choice, so limited or no progress agrees with it
and good or some progress does not. Any other pairing differs: for example the peer team saw
limited progress where the council reported On track, or some progress where it reported Complete.
"""

from dataclasses import dataclass

from recommendations.models import Status
from recommendations.rollup import status_as_of, statuses_as_of

from .models import PeerRating

AGREEING_STATUSES = {
    PeerRating.GOOD: frozenset({Status.ON_TRACK, Status.COMPLETE}),
    PeerRating.SOME: frozenset({Status.ON_TRACK, Status.AT_RISK}),
    PeerRating.LIMITED: frozenset(
        {Status.AT_RISK, Status.OFF_TRACK, Status.NOT_STARTED, Status.NOT_TAKEN_FORWARD, Status.SUPERSEDED}
    ),
    PeerRating.NONE: frozenset({Status.OFF_TRACK, Status.NOT_STARTED, Status.NOT_TAKEN_FORWARD, Status.SUPERSEDED}),
}


def differs(rating, status):
    """Whether the peer team's rating and the council's own status disagree (the table above)."""
    return Status(status) not in AGREEING_STATUSES[PeerRating(rating)]


@dataclass(frozen=True)
class Comparison:
    """A peer team's rating beside the council's status at the review date."""

    rating: PeerRating
    status: Status

    @property
    def differs(self):
        return differs(self.rating, self.status)

    @property
    def words(self):
        """The difference in words, e.g. "The peer team saw limited progress; the council reported
        On track"; "" when they agree."""
        if not self.differs:
            return ""
        return f"The peer team saw {self.rating.label.lower()}; the council reported {self.status.label}"


def compare(rating, status):
    return Comparison(PeerRating(rating), Status(status))


def with_council_status(assessments, review):
    """Give each of `review`'s assessments `council_status` (its recommendation's published status on
    the day of the review, recommendations.rollup) and `comparison`. Two queries, none without
    assessments. Returns the assessments as a list."""
    assessments = list(assessments)
    if assessments:
        statuses = statuses_as_of(review.challenge, review.on_site)
        for assessment in assessments:
            assessment.council_status = status_as_of(statuses, assessment.recommendation_id)
            assessment.comparison = compare(assessment.rating, assessment.council_status)
    return assessments
