"""The public progress review and consideration pages."""

import pytest

from recommendations.models import Status
from recommendations.tests.factories import ActionFactory, build_challenge
from recommendations.tests.queries import count_queries

from .factories import (
    ConsiderationFactory,
    IndicatorFactory,
    PeerTeamMemberFactory,
    ProgressReviewFactory,
    build_review,
)

pytestmark = pytest.mark.django_db


def test_review_page_shows_team_findings_considerations_and_indicators(client):
    review = ProgressReviewFactory(challenge__council__name="Anytown Council")
    PeerTeamMemberFactory(review=review, name="Pat Peer", role="Lead Peer", organisation="Elsewhere Council")
    ConsiderationFactory(review=review, title="Focus on Equality", text="Keep equality in view.")
    IndicatorFactory(review=review, name="Council Tax collection rate", value="97.6", unit="%", comparator="third best")

    response = client.get(review.get_absolute_url())

    text = response.content.decode()
    assert response.status_code == 200
    assert "16 October 2023" in text
    for fact in [
        "Pat Peer",
        "Lead Peer",
        "Elsewhere Council",
        "Focus on Equality",
        "Keep equality in view.",
        "Council Tax collection rate",
        "97.6%",
        "third best",
    ]:
        assert fact in text


def test_consideration_page_lists_the_actions_that_carry_it_forward(client):
    consideration = ConsiderationFactory(title="Neighbourhood Working")
    ActionFactory(consideration=consideration, description="Involve councillors in neighbourhood plans")

    response = client.get(consideration.get_absolute_url())

    assert "Involve councillors in neighbourhood plans" in response.content.decode()


def test_review_and_consideration_pages_stay_within_query_budget(client):
    small = build_review(build_challenge(themes=1, recommendations_per_theme=1, actions_per_recommendation=1))
    large = build_review(
        build_challenge(themes=3, recommendations_per_theme=4, actions_per_recommendation=2),
        members=20,
        findings_per_theme=4,
        considerations=10,
        indicators=10,
    )
    for consideration in large.considerations.all():
        ActionFactory.create_batch(5, consideration=consideration, status=Status.COMPLETE)
    for url_for, budget in [
        (lambda r: r.get_absolute_url(), 8),
        (lambda r: r.considerations.first().get_absolute_url(), 4),
    ]:
        few = count_queries(client, url_for(small))
        many = count_queries(client, url_for(large))
        assert many == few <= budget
