"""The public pages of the action plan: what readers see, what they may not, and query budgets."""

import pytest
from django.urls import reverse

from recommendations.models import Status
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER

from .factories import (
    ActionFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
    build_challenge,
)
from .queries import SIGNED_IN_QUERIES, count_queries

pytestmark = pytest.mark.django_db


def page_text(response):
    assert response.status_code == 200
    return response.content.decode()


def test_home_lists_each_challenge_with_its_status_summary_by_theme(client):
    theme = ThemeFactory(title="Governance", challenge__council__name="Anytown Council")
    recommendation = RecommendationFactory(theme=theme, challenge=theme.challenge)
    ActionFactory(recommendation=recommendation, status=Status.COMPLETE)
    ActionFactory(recommendation=recommendation, status=Status.AT_RISK)

    text = page_text(client.get(reverse("home")))

    assert "Anytown Council" in text
    assert "Governance" in text
    assert "1 recommendation and 2 actions" in text


def test_recommendation_status_is_the_worst_of_its_actions_until_all_are_complete(client):
    recommendation = RecommendationFactory(title="Review the constitution")
    ActionFactory(recommendation=recommendation, status=Status.COMPLETE)
    ActionFactory(recommendation=recommendation, status=Status.OFF_TRACK)
    url = reverse("recommendations:recommendation-list", args=[recommendation.challenge.slug])

    text = page_text(client.get(url))

    assert "Review the constitution" in text
    assert 'govuk-tag--red">Off track' in text


def test_recommendation_page_shows_full_text_actions_and_latest_published_progress(client):
    action = ActionFactory(description="Set up a working group", lead_role="Monitoring Officer")
    ProgressUpdateFactory(action=action, text="Older news", date="2023-01-01")
    ProgressUpdateFactory(action=action, text="Working group established", date="2023-06-01")
    ProgressUpdateFactory(action=action, text="Draft not for the public", date="2023-07-01", published=False)

    text = page_text(client.get(action.recommendation.get_absolute_url()))

    assert action.recommendation.text in text
    assert "Set up a working group" in text
    assert "Monitoring Officer" in text
    assert "Working group established" in text
    assert "Older news" not in text
    assert "Draft not for the public" not in text


def test_the_councils_own_readers_see_unpublished_updates_marked_as_such(client, other_council):
    update = ProgressUpdateFactory(text="Draft for the committee", published=False)
    client.force_login(UserFactory(roles=[SCRUTINY_MEMBER]))

    text = page_text(client.get(update.action.get_absolute_url()))

    assert "Draft for the committee" in text
    assert "Not for publication" in text


@pytest.mark.parametrize("role", [OFFICER, COORDINATOR, SCRUTINY_MEMBER, None])
def test_another_councils_members_and_people_with_no_role_never_see_drafts(client, other_council, role):
    update = ProgressUpdateFactory(text="Draft for the committee", published=False)
    client.force_login(UserFactory(roles=[(other_council, role)] if role else []))

    for url in (update.action.get_absolute_url(), update.action.recommendation.get_absolute_url()):
        assert "Draft for the committee" not in page_text(client.get(url))


def test_public_action_page_hides_unpublished_updates(client):
    update = ProgressUpdateFactory(
        action=ActionFactory(status=Status.NOT_STARTED), text="Draft for the committee", published=False
    )

    text = page_text(client.get(update.action.get_absolute_url()))

    assert "Draft for the committee" not in text
    assert "No progress has been reported" in text


def test_overdue_action_is_labelled_overdue(client):
    action = ActionFactory(overdue=True)

    assert "Overdue" in page_text(client.get(action.get_absolute_url()))


@pytest.mark.parametrize(
    "url",
    [
        "/challenges/nowhere/",
        "/challenges/nowhere/recommendations/",
        "/challenges/nowhere/recommendations/1/",
        "/challenges/nowhere/themes/1/",
        "/actions/999999/",
        "/progress-reviews/999999/",
        "/considerations/999999/",
        "/no-such-page/",
    ],
)
def test_unknown_pages_get_the_styled_not_found_page(client, url):
    PeerChallengeFactory(slug="somewhere")

    response = client.get(url)

    assert response.status_code == 404
    text = response.content.decode()
    assert "Page not found" in text
    assert "govuk-template" in text


def test_unknown_recommendation_number_of_a_real_challenge_is_not_found(client):
    challenge = PeerChallengeFactory()

    response = client.get(reverse("recommendations:recommendation-detail", args=[challenge.slug, 99]))

    assert response.status_code == 404


def test_server_error_page_is_styled_and_needs_no_database(client, settings):
    from django.test import RequestFactory

    from cpc_tracker.views import server_error

    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


class TestQueryBudgets:
    """Each page makes the same number of queries however much data there is (no N+1)."""

    @pytest.fixture
    def small(self):
        return build_challenge(
            themes=1, recommendations_per_theme=1, actions_per_recommendation=1, updates_per_action=1
        )

    @pytest.fixture
    def large(self):
        for _ in range(9):
            build_challenge(themes=1, recommendations_per_theme=1, actions_per_recommendation=1, updates_per_action=1)
        return build_challenge(
            themes=3, recommendations_per_theme=4, actions_per_recommendation=10, updates_per_action=10
        )

    @pytest.mark.parametrize("signed_in", [False, True])
    def test_every_page_is_within_budget_and_independent_of_data_size(self, client, small, large, signed_in):
        extra = 0
        if signed_in:
            client.force_login(UserFactory())
            extra = SIGNED_IN_QUERIES
        budgets = {
            "home": (lambda c: reverse("home"), 8),
            "challenge": (lambda c: c.get_absolute_url(), 8),
            "recommendations": (lambda c: reverse("recommendations:recommendation-list", args=[c.slug]), 6),
            # Issue 12 added two: the actions of other recommendations that also answer it, and the
            # peer team's assessments of it. Issue 14 added one: other councils' similar recommendations
            # and their actions (recommendations/tests/test_similar.py).
            "recommendation": (lambda c: c.recommendations.first().get_absolute_url(), 11),
            "theme": (lambda c: c.themes.first().get_absolute_url(), 7),
            "action": (lambda c: c.recommendations.first().actions.first().get_absolute_url(), 7),
        }
        for name, (url_for, budget) in budgets.items():
            few = count_queries(client, url_for(small))
            many = count_queries(client, url_for(large))
            assert many == few, f"{name}: {many} queries with ten times the data, {few} with little"
            assert many <= budget + extra, f"{name}: {many} queries, budget {budget + extra}"
