import datetime

import factory

from recommendations.tests.factories import PeerChallengeFactory
from reports.models import CommitteeReport
from reports.services import issue_report

COMMITTEE = "Corporate Resource Management and Governance Scrutiny Committee"


class CommitteeReportFactory(factory.django.DjangoModelFactory):
    """A draft report; `issued_report()` issues one."""

    class Meta:
        model = CommitteeReport

    challenge = factory.SubFactory(PeerChallengeFactory)
    committee = COMMITTEE
    meeting_date = datetime.date(2024, 3, 14)
    cut_off = datetime.date(2024, 3, 1)


def issued_report(issued_by=None, **kwargs):
    """A report issued through the service, so its snapshot is the real thing."""
    return issue_report(report=CommitteeReportFactory(**kwargs), issued_by=issued_by)


CUT_OFF = datetime.date(2024, 3, 1)


def plan_with_history():
    """A small plan whose figures at CUT_OFF are known, and differ from its live figures:

    - Action 1.1: published updates on 10 Jan (on track), 20 Feb (complete) and 5 Mar (off track,
      after the cut-off) -> Complete at the cut-off, latest update 20 Feb.
    - Action 1.2: published update 1 Feb (at risk), unpublished one 25 Feb (off track) -> At risk.
      It carries forward the review's consideration.
    - Action 1.3: two published updates dated 10 Feb, on track then off track (written later) -> Off track.
    - Action 2.1: due 1 Feb, only a published update dated 1 Apr -> Not started and overdue.

    So at the cut-off: actions 1 complete, 1 at risk, 1 off track, 1 not started (4 in all);
    recommendation 1 off track, recommendation 2 not started; one overdue action; published
    updates by month January 1, February 4. Every action's own `status` is On track (ignored).
    """
    from types import SimpleNamespace

    from recommendations.models import Status
    from recommendations.tests.factories import (
        ActionFactory,
        PeerChallengeFactory,
        ProgressUpdateFactory,
        RecommendationFactory,
        ThemeFactory,
    )
    from reviews.tests.factories import ConsiderationFactory, IndicatorFactory, ProgressReviewFactory

    challenge = PeerChallengeFactory(council__name="Anytown Council", slug="anytown")
    governance = ThemeFactory(challenge=challenge, number=1, title="Governance")
    processes = ThemeFactory(challenge=challenge, number=2, title="Internal Processes")
    first = RecommendationFactory(challenge=challenge, theme=governance, number=1, title="Review the constitution")
    second = RecommendationFactory(challenge=challenge, theme=processes, number=2, title="Communicate more widely")
    review = ProgressReviewFactory(challenge=challenge, on_site=datetime.date(2023, 10, 16))
    ProgressReviewFactory(challenge=challenge, on_site=datetime.date(2024, 5, 1))  # after the cut-off
    consideration = ConsiderationFactory(review=review, order=1, title="Focus on Equality")
    IndicatorFactory(
        review=review,
        order=1,
        name="Council Tax collection rate",
        value="97.6",
        unit="%",
        comparator_value="94.0",
        comparator_label="National average",
    )

    a11 = ActionFactory(
        recommendation=first, reference="1.1", description="Set up a working group", due_date=datetime.date(2024, 1, 31)
    )
    a12 = ActionFactory(
        recommendation=first,
        reference="1.2",
        description="Train every councillor",
        due_date=datetime.date(2024, 6, 30),
        consideration=consideration,
    )
    a13 = ActionFactory(recommendation=first, reference="1.3", description="Publish a new constitution")
    a21 = ActionFactory(
        recommendation=second,
        reference="2.1",
        description="Launch a residents' newsletter",
        due_date=datetime.date(2024, 2, 1),
    )
    ProgressUpdateFactory(action=a11, date=datetime.date(2024, 1, 10), status=Status.ON_TRACK, text="Terms agreed")
    ProgressUpdateFactory(
        action=a11, date=datetime.date(2024, 2, 20), status=Status.COMPLETE, text="Working group met for the first time"
    )
    ProgressUpdateFactory(action=a11, date=datetime.date(2024, 3, 5), status=Status.OFF_TRACK, text="After the cut-off")
    ProgressUpdateFactory(action=a12, date=datetime.date(2024, 2, 1), status=Status.AT_RISK, text="Few places booked")
    ProgressUpdateFactory(
        action=a12,
        date=datetime.date(2024, 2, 25),
        status=Status.OFF_TRACK,
        text="Draft not for the committee",
        published=False,
    )
    ProgressUpdateFactory(action=a13, date=datetime.date(2024, 2, 10), status=Status.ON_TRACK, text="Written first")
    ProgressUpdateFactory(action=a13, date=datetime.date(2024, 2, 10), status=Status.OFF_TRACK, text="Written second")
    ProgressUpdateFactory(action=a21, date=datetime.date(2024, 4, 1), status=Status.COMPLETE, text="Launched")
    return SimpleNamespace(
        challenge=challenge,
        review=review,
        consideration=consideration,
        a11=a11,
        a12=a12,
        a13=a13,
        a21=a21,
        first=first,
        second=second,
    )
