"""The CPC clock: the LGA's milestones after a Corporate Peer Challenge, when each is due and whether
it was met. The one home for that rule: the challenge page, the LGA overview and open data ask it.

The LGA asks a council to publish the peer team's feedback report within 3 months of the challenge,
and its action plan with it (or, if it comes separately, no later than 5 months after); the peer team
comes back for a progress review about 10 months after; the council publishes the progress review's
report within 12 months. Each milestone's due date counts from the last day on site.

A milestone is:
- **met** when it happened on or before its due date;
- **missed** when it happened after it;
- **in the month it was due** when the source gives only the month ("February 2023"), that month is
  the due date's month and the due date is not its last day: whether it was met is not known, and the
  clock does not guess;
- **due in N days** when it has not happened (or is not recorded) and its due date is today or later;
- **not recorded** when no date is recorded and its due date has passed.

The progress review is expected about 10 months after the challenge; the clock counts it as met if
the peer team came back before the 12-month mark, by which its report is due. Its date is the first
progress review on record for the challenge, else the date a coordinator entered.
"""

import calendar
import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import DatePrecision, PeerChallenge


class State(models.TextChoices):
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    IN_DUE_MONTH = "in_due_month", "In the month it was due"
    DUE = "due", "Due"
    NOT_RECORDED = "not_recorded", "Not recorded"


# GOV.UK tag colours, so each state reads the same wherever it is shown.
TAG_CLASSES = {
    State.MET: "govuk-tag--green",
    State.MISSED: "govuk-tag--red",
    State.IN_DUE_MONTH: "govuk-tag--blue",
    State.DUE: "govuk-tag--grey",
    State.NOT_RECORDED: "govuk-tag--orange",
}


@dataclass(frozen=True)
class Rule:
    key: str
    name: str
    months: int
    words: str


RULES = (
    Rule("report_published", "Feedback report published", 3, "Within 3 months of the challenge"),
    Rule(
        "plan_published",
        "Action plan published",
        5,
        "With the feedback report within 3 months, or separately no later than 5 months after the challenge",
    ),
    Rule(
        "progress_review",
        "Progress review on site",
        12,
        "About 10 months after the challenge, and before the review's report is due at 12 months",
    ),
    Rule("review_report_published", "Progress review report published", 12, "Within 12 months of the challenge"),
)


@dataclass(frozen=True)
class Milestone:
    key: str
    name: str
    rule: str
    due: datetime.date
    happened: datetime.date | None
    precision: str
    from_review_record: bool
    state: State
    days: int | None  # days late (missed), days to go (due) or days past due (not recorded)

    @property
    def happened_words(self):
        if self.happened is None:
            return ""
        if self.precision == DatePrecision.MONTH:
            return f"{self.happened:%B %Y}"
        return f"{self.happened:%-d %B %Y}"

    @property
    def state_words(self):
        """The state as the page says it: "Met", "Missed by 12 days", "Due in 3 days", …"""
        if self.state == State.MISSED:
            late = "at least " if self.precision == DatePrecision.MONTH else ""
            return f"Missed by {late}{_days(self.days)}"
        if self.state == State.DUE:
            return "Due today" if self.days == 0 else f"Due in {_days(self.days)}"
        if self.state == State.NOT_RECORDED:
            return f"Not recorded, {_days(self.days)} past its due date"
        return self.state.label

    @property
    def tag_class(self):
        return TAG_CLASSES[self.state]


def _days(n):
    return "1 day" if n == 1 else f"{n} days"


def add_months(day, months):
    """`months` calendar months after `day`, on the month's last day when it is shorter (31 August + 6
    months is 28 or 29 February)."""
    return day + relativedelta(months=months)


def _month_bounds(day):
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def judge(due, happened, precision, today):
    """The state of one milestone and its number of days (see the module's rule)."""
    if happened is None:
        if due >= today:
            return State.DUE, (due - today).days
        return State.NOT_RECORDED, (today - due).days
    if precision == DatePrecision.MONTH:
        first, last = _month_bounds(happened)
        if last <= due:
            return State.MET, None
        if first > due:
            return State.MISSED, (first - due).days
        return State.IN_DUE_MONTH, None
    if happened <= due:
        return State.MET, None
    return State.MISSED, (happened - due).days


def first_review_subquery():
    """The day of the challenge's first progress review on record, as a subquery (the reviews app
    sits above this one, so its model is reached through the relation, not imported)."""
    review_model = PeerChallenge._meta.get_field("progress_reviews").related_model
    return Subquery(review_model.objects.filter(challenge=OuterRef("pk")).order_by("on_site").values("on_site")[:1])


def with_clock(challenges):
    """The challenges with what the clock needs annotated, so a list of them asks no more queries."""
    return challenges.annotate(first_review_on=first_review_subquery())


def first_review_on(challenge):
    if hasattr(challenge, "first_review_on"):
        return challenge.first_review_on
    first = challenge.progress_reviews.order_by("on_site").values_list("on_site", flat=True).first()
    challenge.first_review_on = first
    return first


def milestones(challenge, *, today=None):
    """The challenge's four milestones, in the order they fall due."""
    today = today or timezone.localdate()
    review_on = first_review_on(challenge)
    result = []
    for rule in RULES:
        happened = getattr(challenge, f"{rule.key}_on")
        precision = getattr(challenge, f"{rule.key}_precision")
        from_review_record = rule.key == "progress_review" and review_on is not None
        if from_review_record:
            happened, precision = review_on, DatePrecision.DAY
        due = add_months(challenge.on_site_to, rule.months)
        state, days = judge(due, happened, precision, today)
        result.append(
            Milestone(
                key=rule.key,
                name=rule.name,
                rule=rule.words,
                due=due,
                happened=happened,
                precision=precision,
                from_review_record=from_review_record,
                state=state,
                days=days,
            )
        )
    return result


@dataclass(frozen=True)
class ClockSummary:
    """A challenge's clock in a few words, for lists of many challenges."""

    met: int
    missed: int
    total: int
    next_due: Milestone | None  # the first milestone still due, if any
    not_recorded: int

    @property
    def words(self):
        parts = [f"{self.met} of {self.total} met"]
        if self.missed:
            parts.append(f"{self.missed} missed")
        if self.not_recorded:
            parts.append(f"{self.not_recorded} not recorded")
        if self.next_due:
            parts.append(f"next: {self.next_due.name.lower()}, {self.next_due.state_words.lower()}")
        return "; ".join(parts)


def summary(milestone_list):
    counts = {state: 0 for state in State}
    for milestone in milestone_list:
        counts[milestone.state] += 1
    next_due = next((m for m in milestone_list if m.state == State.DUE), None)
    return ClockSummary(
        met=counts[State.MET],
        missed=counts[State.MISSED],
        total=len(milestone_list),
        next_due=next_due,
        not_recorded=counts[State.NOT_RECORDED],
    )
