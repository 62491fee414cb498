"""The peer team's assessment of each recommendation beside the council's own status on the day of the
review: the one rule for when they differ (reviews.assessment), and the review page's table."""

import datetime
import html
import re

import pytest
from django.core.management import call_command

from recommendations.models import Status
from recommendations.tests.factories import (
    ActionFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
)
from recommendations.tests.queries import count_queries
from reviews.assessment import AGREEING_STATUSES, compare, differs
from reviews.models import PeerAssessment, PeerRating, ProgressReview

from .factories import ProgressReviewFactory

G, S, L, N = PeerRating.GOOD, PeerRating.SOME, PeerRating.LIMITED, PeerRating.NONE
AGREE = {
    # council's status: the ratings that agree with it
    Status.COMPLETE: {G},
    Status.ON_TRACK: {G, S},
    Status.AT_RISK: {S, L},
    Status.OFF_TRACK: {L, N},
    Status.NOT_STARTED: {L, N},
    Status.NOT_TAKEN_FORWARD: {L, N},
    Status.SUPERSEDED: {L, N},
}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("rating", list(PeerRating))
def test_the_rating_and_the_status_differ_unless_the_table_pairs_them(rating, status):
    assert differs(rating, status) is (rating not in AGREE[status])
    assert differs(rating.value, status.value) is differs(rating, status)  # stored values work too


def test_every_rating_agrees_with_some_status_and_every_status_with_some_rating():
    assert set(AGREEING_STATUSES) == set(PeerRating)
    assert set().union(*AGREEING_STATUSES.values()) == set(Status)


def test_a_difference_is_put_in_words_and_an_agreement_is_not():
    assert compare("limited", "on_track").words == "The peer team saw limited progress; the council reported On track"
    assert compare(PeerRating.SOME, Status.COMPLETE).words == (
        "The peer team saw some progress; the council reported Complete"
    )
    assert compare(PeerRating.GOOD, Status.COMPLETE).words == ""


def seen(response):
    assert response.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\s+", " ", text))


@pytest.fixture
def review(db):
    """A review on 16 October 2023 that assessed three recommendations: the first had one action on
    track by then (published; it became complete later), the second none, the third one the council
    published as off track after the review but had not updated before it."""
    challenge = PeerChallengeFactory()
    theme = ThemeFactory(challenge=challenge, number=1)
    first, second, third = (
        RecommendationFactory(theme=theme, challenge=challenge, number=n, title=title)
        for n, title in [(1, "Refresh the council plan"), (2, "Review the constitution"), (3, "Shorter reports")]
    )
    action = ActionFactory(recommendation=first)
    ProgressUpdateFactory(action=action, status=Status.ON_TRACK, date=datetime.date(2023, 9, 1))
    ProgressUpdateFactory(action=action, status=Status.COMPLETE, date=datetime.date(2023, 11, 1))
    unpublished = ActionFactory(recommendation=first)
    ProgressUpdateFactory(action=unpublished, status=Status.OFF_TRACK, date=datetime.date(2023, 9, 1), published=False)
    late = ActionFactory(recommendation=third)
    ProgressUpdateFactory(action=late, status=Status.OFF_TRACK, date=datetime.date(2023, 10, 17))
    review = ProgressReviewFactory(challenge=challenge, on_site=datetime.date(2023, 10, 16))
    for recommendation, rating, text in [
        (first, PeerRating.LIMITED, "The new plan is not yet shaping decisions."),
        (second, PeerRating.NONE, ""),
        (third, PeerRating.GOOD, "Reports are shorter and clearer."),
    ]:
        PeerAssessment.objects.create(review=review, recommendation=recommendation, rating=rating, text=text)
    return review


def test_the_review_page_sets_each_assessment_beside_the_councils_status_that_day(client, review):
    text = seen(client.get(review.get_absolute_url()))

    assert "The peer team's assessment of each recommendation" in text
    assert (
        "Recommendation 1: Refresh the council plan Limited progress The new plan is not yet shaping decisions. "
        "On track Differs The peer team saw limited progress; the council reported On track"
    ) in text
    assert "Recommendation 2: Review the constitution No progress Not started They agree" in text
    # Nothing the council had published by the review day said otherwise: the action was not started then.
    assert (
        "Recommendation 3: Shorter reports Good progress Reports are shorter and clearer. Not started "
        "Differs The peer team saw good progress; the council reported Not started"
    ) in text
    assert "The council's status on 16 October 2023" in text


def test_the_contents_link_to_the_assessments(client, review):
    content = client.get(review.get_absolute_url()).content.decode()

    assert '<a class="govuk-link" href="#assessments">' in content
    assert 'id="assessments"' in content


def test_a_review_without_assessments_says_none_has_been_recorded(client, db):
    review = ProgressReviewFactory()

    text = seen(client.get(review.get_absolute_url()))

    assert "No assessment of each recommendation has been recorded for this review." in text


def test_stockports_review_records_no_assessment_as_its_letter_gives_none(client, db):
    call_command("loaddata", "stockport_cpc", verbosity=0)
    review = ProgressReview.objects.get(challenge__slug="stockport-cpc-2022")

    text = seen(client.get(review.get_absolute_url()))

    assert not review.assessments.exists()
    assert "No assessment of each recommendation has been recorded for this review." in text


def test_the_review_page_stays_within_budget_as_assessments_grow(client, review):
    few = count_queries(client, review.get_absolute_url())
    challenge = review.challenge
    for number in range(4, 20):
        recommendation = RecommendationFactory(theme=challenge.themes.get(), challenge=challenge, number=number)
        ActionFactory.create_batch(3, recommendation=recommendation, status=Status.AT_RISK)
        PeerAssessment.objects.create(review=review, recommendation=recommendation, rating=PeerRating.SOME)

    many = count_queries(client, review.get_absolute_url())

    assert many == few
