"""The CPC clock (recommendations/clock.py): when each LGA milestone is due, whether it was met, and the
rules on the dates a coordinator enters (PeerChallenge.clean())."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from recommendations import clock
from recommendations.clock import State
from recommendations.models import DatePrecision, PeerChallenge
from reviews.tests.factories import ProgressReviewFactory

from .factories import PeerChallengeFactory

DAY, MONTH = DatePrecision.DAY, DatePrecision.MONTH
D = datetime.date
DUE = D(2023, 2, 4)  # a feedback report due 3 months after a challenge that ended on 4 November 2022
LATER = D(2024, 1, 1)  # "today" long after it


def judged(happened, precision=DAY, today=LATER, due=DUE):
    return clock.judge(due, happened, precision, today)


# Every state of judge() ----------------------------------------------------------------------------


def test_a_milestone_on_or_before_its_due_date_is_met():
    assert judged(DUE) == (State.MET, None)
    assert judged(D(2022, 12, 9)) == (State.MET, None)


def test_a_milestone_after_its_due_date_is_missed_by_the_days_it_was_late():
    assert judged(D(2023, 2, 5)) == (State.MISSED, 1)
    assert judged(D(2023, 3, 6)) == (State.MISSED, 30)


def test_a_month_wholly_before_or_ending_on_the_due_date_is_met():
    assert judged(D(2023, 1, 1), MONTH) == (State.MET, None)
    assert judged(D(2023, 2, 1), MONTH, due=D(2023, 2, 28)) == (State.MET, None)


def test_the_month_of_the_due_date_is_in_the_month_it_was_due_not_met_or_missed():
    assert judged(D(2023, 2, 1), MONTH) == (State.IN_DUE_MONTH, None)
    # even when the due date is the month's first day: the rest of the month is after it
    assert judged(D(2023, 2, 1), MONTH, due=D(2023, 2, 1)) == (State.IN_DUE_MONTH, None)


def test_a_month_wholly_after_the_due_date_is_missed_by_at_least_the_days_to_its_first_day():
    assert judged(D(2023, 3, 1), MONTH) == (State.MISSED, 25)


def test_a_milestone_not_recorded_is_due_in_the_days_left_until_its_due_date():
    assert judged(None, today=DUE) == (State.DUE, 0)
    assert judged(None, today=D(2023, 2, 1)) == (State.DUE, 3)
    assert judged(None, MONTH, today=D(2023, 2, 3)) == (State.DUE, 1)


def test_a_milestone_not_recorded_after_its_due_date_is_not_recorded():
    assert judged(None, today=D(2023, 2, 5)) == (State.NOT_RECORDED, 1)
    assert judged(None, MONTH, today=D(2023, 3, 6)) == (State.NOT_RECORDED, 30)


def milestone(happened, precision=DAY, today=LATER):
    state, days = judged(happened, precision, today)
    return clock.Milestone(
        key="report_published",
        name="Feedback report published",
        rule="Within 3 months of the challenge",
        due=DUE,
        happened=happened,
        precision=precision,
        from_review_record=False,
        state=state,
        days=days,
    )


@pytest.mark.parametrize(
    ("happened", "precision", "today", "words", "happened_words"),
    [
        (D(2023, 2, 3), DAY, D(2024, 1, 1), "Met", "3 February 2023"),
        (D(2023, 1, 1), MONTH, D(2024, 1, 1), "Met", "January 2023"),
        (D(2023, 2, 5), DAY, D(2024, 1, 1), "Missed by 1 day", "5 February 2023"),
        (D(2023, 2, 16), DAY, D(2024, 1, 1), "Missed by 12 days", "16 February 2023"),
        (D(2023, 3, 1), MONTH, D(2024, 1, 1), "Missed by at least 25 days", "March 2023"),
        (D(2023, 2, 1), MONTH, D(2024, 1, 1), "In the month it was due", "February 2023"),
        (None, DAY, DUE, "Due today", ""),
        (None, DAY, D(2023, 2, 3), "Due in 1 day", ""),
        (None, DAY, D(2023, 1, 31), "Due in 4 days", ""),
        (None, DAY, D(2023, 2, 6), "Not recorded, 2 days past its due date", ""),
    ],
)
def test_each_state_in_words_and_the_date_as_precise_as_it_is_known(happened, precision, today, words, happened_words):
    each = milestone(happened, precision, today)
    assert each.state_words == words
    assert each.happened_words == happened_words
    assert each.tag_class == clock.TAG_CLASSES[each.state]


# What judge() always does -------------------------------------------------------------------------

dates = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))


@given(due=dates, happened=dates, today=dates)
def test_a_day_is_met_exactly_when_it_is_not_after_the_due_date(due, happened, today):
    state, days = clock.judge(due, happened, DAY, today)
    if happened <= due:
        assert (state, days) == (State.MET, None)
    else:
        assert (state, days) == (State.MISSED, (happened - due).days)


@given(due=dates, happened=dates, today=dates)
def test_a_month_never_says_more_than_every_day_of_it_would(due, happened, today):
    """Met only if every day of the month would be met, missed only if every day would be missed, and
    never by more days than its earliest day would be."""
    first = happened.replace(day=1)
    state, days = clock.judge(due, first, MONTH, today)
    month_days = [day for n in range(31) if (day := first + datetime.timedelta(days=n)).month == first.month]
    each = [clock.judge(due, day, DAY, today)[0] for day in month_days]
    if state == State.MET:
        assert set(each) == {State.MET}
    elif state == State.MISSED:
        assert set(each) == {State.MISSED}
        assert days == clock.judge(due, first, DAY, today)[1]
    else:
        assert state == State.IN_DUE_MONTH
        assert set(each) == {State.MET, State.MISSED}


@given(due=dates, today=dates, precision=st.sampled_from([DAY, MONTH]))
def test_a_milestone_not_recorded_is_due_until_its_due_date_has_passed(due, today, precision):
    state, days = clock.judge(due, None, precision, today)
    assert state == (State.DUE if due >= today else State.NOT_RECORDED)
    assert days == abs((due - today).days)


# Due dates -----------------------------------------------------------------------------------------


def test_months_are_counted_to_the_last_day_of_a_shorter_month():
    assert clock.add_months(D(2022, 8, 31), 6) == D(2023, 2, 28)
    assert clock.add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)  # a leap year
    assert clock.add_months(D(2022, 11, 30), 3) == D(2023, 2, 28)
    assert clock.add_months(D(2022, 11, 4), 12) == D(2023, 11, 4)


@pytest.mark.django_db
def test_each_milestone_is_due_its_months_after_the_last_day_on_site():
    challenge = PeerChallengeFactory(on_site_from=D(2022, 8, 30), on_site_to=D(2022, 8, 31))
    found = clock.milestones(challenge, today=D(2022, 9, 1))
    assert [(m.key, m.due) for m in found] == [
        ("report_published", D(2022, 11, 30)),
        ("plan_published", D(2023, 1, 31)),
        ("progress_review", D(2023, 8, 31)),
        ("review_report_published", D(2023, 8, 31)),
    ]


# A challenge's clock ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_challenge_whose_dates_are_not_yet_known_has_every_milestone_due_then_not_recorded():
    challenge = PeerChallengeFactory(on_site_from=D(2022, 11, 1), on_site_to=D(2022, 11, 4))

    soon_after = clock.milestones(challenge, today=D(2022, 11, 14))
    assert [m.state for m in soon_after] == [State.DUE] * 4
    assert [m.state_words for m in soon_after] == [
        "Due in 82 days",
        "Due in 141 days",
        "Due in 355 days",
        "Due in 355 days",
    ]
    assert clock.summary(soon_after).words == "0 of 4 met; next: feedback report published, due in 82 days"

    years_after = clock.milestones(challenge, today=D(2024, 11, 4))
    assert [m.state for m in years_after] == [State.NOT_RECORDED] * 4
    assert all(m.happened is None and not m.from_review_record for m in years_after)
    assert clock.summary(years_after).words == "0 of 4 met; 4 not recorded"


@pytest.mark.django_db
def test_the_progress_review_comes_from_the_first_review_on_record_rather_than_an_entered_date():
    challenge = PeerChallengeFactory(
        on_site_to=D(2022, 11, 4), progress_review_on=D(2023, 12, 1), progress_review_precision=MONTH
    )
    entered = clock.milestones(challenge, today=D(2024, 6, 1))[2]
    assert (entered.happened, entered.precision, entered.from_review_record) == (D(2023, 12, 1), MONTH, False)
    assert entered.state_words == "Missed by at least 27 days"

    ProgressReviewFactory(challenge=challenge, on_site=D(2024, 3, 5))
    ProgressReviewFactory(challenge=challenge, on_site=D(2023, 9, 12))
    challenge = PeerChallenge.objects.get(pk=challenge.pk)
    review = clock.milestones(challenge, today=D(2024, 6, 1))[2]
    assert (review.happened, review.precision, review.from_review_record) == (D(2023, 9, 12), DAY, True)
    assert review.state == State.MET


@pytest.mark.django_db
def test_with_clock_lets_a_list_of_challenges_ask_no_queries():
    for _ in range(3):
        ProgressReviewFactory(challenge=PeerChallengeFactory())
    challenges = list(clock.with_clock(PeerChallenge.objects.all()))
    with CaptureQueriesContext(connection) as queries:
        for challenge in challenges:
            clock.milestones(challenge)
    assert len(queries) == 0


@pytest.mark.django_db
def test_stockports_clock_from_the_fixture():
    """The report and plan were published in February 2023 (the month the report was due, 4 February),
    the peer team came back on 16 October 2023; the review's report is not in the seeds."""
    call_command("loaddata", "stockport_cpc", verbosity=0)
    stockport = clock.with_clock(PeerChallenge.objects.filter(slug="stockport-cpc-2022")).get()

    found = clock.milestones(stockport, today=D(2024, 6, 1))

    assert [(m.name, m.due, m.happened_words, m.state_words) for m in found] == [
        ("Feedback report published", D(2023, 2, 4), "February 2023", "In the month it was due"),
        ("Action plan published", D(2023, 4, 4), "February 2023", "Met"),
        ("Progress review on site", D(2023, 11, 4), "16 October 2023", "Met"),
        ("Progress review report published", D(2023, 11, 4), "", "Not recorded, 210 days past its due date"),
    ]
    assert found[2].from_review_record
    assert stockport.council.get_kind_display() == "Metropolitan borough (metropolitan district)"
    assert stockport.council.get_region_display() == "North West"


# The rules on the dates (PeerChallenge.clean) ---------------------------------------------------------


def errors_of(challenge):
    try:
        challenge.full_clean()
    except ValidationError as invalid:
        return invalid.message_dict
    return {}


@pytest.fixture
def challenge(db):
    return PeerChallengeFactory(on_site_from=D(2022, 11, 14), on_site_to=D(2022, 11, 17))


def test_a_milestone_may_be_on_the_first_day_on_site_but_not_before_it(challenge):
    challenge.report_published_on = D(2022, 11, 14)
    assert errors_of(challenge) == {}
    challenge.report_published_on = D(2022, 11, 13)
    assert errors_of(challenge) == {
        "report_published_on": ["Feedback report published must be on or after 14 November 2022, the first day on site"]
    }


def test_a_month_is_compared_as_a_whole_month_with_the_challenges(challenge):
    challenge.plan_published_on, challenge.plan_published_precision = D(2022, 11, 1), MONTH
    assert errors_of(challenge) == {}
    challenge.plan_published_on = D(2022, 10, 1)
    assert errors_of(challenge) == {
        "plan_published_on": ["Action plan published must be in or after November 2022, the month of the challenge"]
    }


def test_a_month_only_date_is_the_first_of_its_month(challenge):
    challenge.review_report_published_on = D(2023, 11, 20)
    challenge.review_report_published_precision = MONTH
    assert errors_of(challenge) == {
        "review_report_published_on": [
            "Progress review report published: a date known only to the month must be the 1st of that month"
        ]
    }


def test_a_milestone_cannot_be_in_the_future(challenge):
    today = timezone.localdate()
    challenge.progress_review_on = today
    assert errors_of(challenge) == {}
    challenge.progress_review_on = today + datetime.timedelta(days=1)
    assert errors_of(challenge) == {"progress_review_on": ["Progress review on site must be today or in the past"]}
    challenge.progress_review_on, challenge.progress_review_precision = today.replace(day=1), MONTH
    assert errors_of(challenge) == {}
    next_month = clock.add_months(today.replace(day=1), 1)
    challenge.progress_review_on = next_month
    assert errors_of(challenge) == {"progress_review_on": ["Progress review on site must be this month or earlier"]}
