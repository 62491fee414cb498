"""Where each role lands after signing in, and the coordinators' dashboard: every count is a link to
exactly the actions it counts, the open round's progress matches the round's own figures, and the
page costs the same number of queries however many challenges and actions there are."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Action, Approval, UpdateRound
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER
from recommendations.rounds import round_progress

from .factories import (
    ActionFactory,
    CouncilFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    UserFactory,
)
from .queries import SIGNED_IN_QUERIES, count_queries

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("recommendations:dashboard")
START = reverse("recommendations:start")
PASSWORD = "correct-horse-battery-staple"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def open_round(challenge, actions, **kwargs):
    """An open update round on `actions`, made directly (the round pages are tested in test_rounds.py)."""
    update_round = UpdateRound.objects.create(
        challenge=challenge,
        title=kwargs.pop("title", "Quarter 3 – for scrutiny on 14 March"),
        deadline=days(14),
        **kwargs,
    )
    update_round.actions.set(actions)
    return update_round


# Start page --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "roles, expected",
    [
        ([OFFICER], "recommendations:my-actions"),
        ([SCRUTINY_MEMBER], "recommendations:action-plan"),
        ([], "home"),
    ],
)
def test_signing_in_lands_on_the_page_for_the_role(client, roles, expected):
    """(Coordinators sign in with a second factor first: cpc_tracker.two_factor.)"""
    UserFactory(username="pat", roles=roles)

    response = client.post(reverse("login"), {"username": "pat", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[0][0] == START
    assert response.redirect_chain[-1][0] == reverse(expected)
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_and_superusers_start_on_the_dashboard(client, sign_in_as, role):
    sign_in_as(role)

    assert client.get(START)["Location"] == DASHBOARD


@pytest.mark.parametrize(
    "home_role, other_role, expected",
    [
        (SCRUTINY_MEMBER, OFFICER, "recommendations:my-actions"),
        (OFFICER, COORDINATOR, "recommendations:dashboard"),
        (SCRUTINY_MEMBER, COORDINATOR, "recommendations:dashboard"),
    ],
)
def test_someone_with_roles_at_several_councils_starts_by_their_strongest(client, home_role, other_role, expected):
    user = UserFactory(
        roles=[(CouncilFactory(), home_role), (CouncilFactory(name="Elsewhere Borough Council"), other_role)]
    )
    client.force_login(user)

    assert client.get(START)["Location"] == reverse(expected)


def test_the_page_asked_for_before_signing_in_still_wins(client, officer):
    asked_for = reverse("recommendations:action-plan")

    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD, "next": asked_for})

    assert response["Location"] == asked_for


def test_the_start_page_sends_strangers_to_sign_in(client):
    response = client.get(START)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Who sees the dashboard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("lead officer", 403),
        ("other officer", 403),
        ("scrutiny member", 403),
        ("coordinator", 200),
        ("admin", 200),
    ],
)
def test_only_coordinators_and_administrators_see_the_dashboard(client, sign_in_as, role, status):
    sign_in_as(role)

    assert client.get(DASHBOARD).status_code == status


def test_the_dashboard_asks_strangers_to_sign_in(client):
    assert client.get(DASHBOARD)["Location"].startswith(reverse("login"))


def test_the_navigation_offers_the_dashboard_to_coordinators_and_the_action_plan_to_every_member(client, sign_in_as):
    sign_in_as("coordinator")
    coordinators = client.get(reverse("recommendations:my-actions")).content.decode()
    sign_in_as("scrutiny member")
    scrutiny = client.get(reverse("recommendations:my-actions")).content.decode()

    assert f'href="{DASHBOARD}"' in coordinators
    assert f'href="{reverse("recommendations:action-plan")}"' in coordinators
    assert f'href="{DASHBOARD}"' not in scrutiny
    assert f'href="{reverse("recommendations:action-plan")}"' in scrutiny


def test_a_coordinator_sees_the_challenges_of_the_councils_they_coordinate_only(client):
    anytown, elsewhere, faraway = (
        CouncilFactory(),
        CouncilFactory(name="Elsewhere Borough Council"),
        CouncilFactory(name="Faraway District Council"),
    )
    coordinator = UserFactory(roles=[(anytown, COORDINATOR), (elsewhere, SCRUTINY_MEMBER)])
    PeerChallengeFactory(council=anytown, title="Anytown's challenge")
    PeerChallengeFactory(council=elsewhere, title="Elsewhere's challenge")
    PeerChallengeFactory(council=faraway, title="Faraway's challenge")
    client.force_login(coordinator)

    text = client.get(DASHBOARD).content.decode()

    assert "Anytown&#x27;s challenge" in text
    assert "Elsewhere" not in text and "Faraway" not in text


# The figures -------------------------------------------------------------------------------------


@pytest.fixture
def plan(coordinator, officer):
    """Anytown's challenge with one action of each kind the dashboard counts, and some of none."""
    recommendation = RecommendationFactory(theme__challenge__council=CouncilFactory())
    challenge = recommendation.challenge

    def action(description, **kwargs):
        return ActionFactory(
            recommendation=recommendation, description=description, lead_officer=kwargs.pop("lead", officer), **kwargs
        )

    actions = {
        "overdue": action("Overdue and stale", due_date=days(-5), status="at_risk"),
        "overdue, fresh": action("Overdue, updated last week", due_date=days(-1)),
        "due soon": action("Due in ten days", due_date=days(10)),
        "due today": action("Due today", due_date=days(0)),
        "due later": action("Due in two months", due_date=days(60)),
        "complete": action("Complete long ago", due_date=days(-100), status="complete"),
        "complete, no lead": action("Complete without a lead", status="complete", lead=None),
        "no lead": action("Nobody leads this", lead=None),
        "fresh": action("Updated yesterday"),
    }
    for key, when in (("overdue, fresh", -7), ("fresh", -1), ("due soon", -90), ("due today", -91)):
        ProgressUpdateFactory(action=actions[key], date=days(when), author=officer)
    ProgressUpdateFactory(action=actions["fresh"], published=False, approval=Approval.AWAITING, author=officer)
    ProgressUpdateFactory(action=actions["due later"], published=False, approval=Approval.AWAITING, author=officer)
    return challenge, actions


def listed(client, url):
    """The actions the action plan lists at `url`, on every page."""
    return {action.description for action in client.get(url).context["paginator"].object_list}


def test_every_count_matches_the_actions_its_link_lists(client, coordinator, plan):
    _, actions = plan
    client.force_login(coordinator)

    row = client.get(DASHBOARD).context["challenges"][0]

    counted = {cell.figure.name: (cell.count, listed(client, cell.url)) for cell in row.cells}
    assert counted == {
        "overdue": (2, {"Overdue and stale", "Overdue, updated last week"}),
        "due_soon": (2, {"Due in ten days", "Due today"}),
        "stale": (4, {"Overdue and stale", "Due today", "Due in two months", "Nobody leads this"}),
        "unassigned": (1, {"Nobody leads this"}),
    }
    assert row.awaiting == 2
    assert row.total == len(actions) == len(listed(client, row.all_url))


def test_the_page_shows_each_count_as_a_link_and_says_what_it_counts(client, coordinator, plan):
    challenge, _ = plan
    client.force_login(coordinator)

    text = client.get(DASHBOARD).content.decode()

    overdue = reverse("recommendations:action-plan") + f"?challenge={challenge.pk}&amp;due=overdue"
    assert f'href="{overdue}">2<span class="govuk-visually-hidden"> overdue: Anytown Council</span>' in text
    assert (
        f'href="{reverse("recommendations:approval-list")}">2<span class="govuk-visually-hidden"> awaiting approval'
        in text
    )
    assert "No open round" in text


def test_the_open_rounds_progress_matches_the_rounds_own_figures(client, coordinator, officer, plan):
    challenge, actions = plan
    in_round = [actions[key] for key in ("overdue", "due soon", "no lead", "fresh")]
    update_round = open_round(challenge, in_round, title="Quarter 3 2024/25")
    ProgressUpdateFactory(action=actions["overdue"], author=officer, date=days(0))
    ProgressUpdateFactory(action=actions["due soon"], author=officer, published=False, approval=Approval.RETURNED)
    ProgressUpdateFactory(action=actions["fresh"], author=officer, published=False, approval=Approval.AWAITING)
    client.force_login(coordinator)

    row = client.get(DASHBOARD).context["challenges"][0]
    text = client.get(DASHBOARD).content.decode()

    overall = round_progress(update_round).overall
    assert (
        (row.open_round.updated_count, row.open_round.action_count, row.round_percent)
        == (overall.updated, overall.total, overall.percent)
        == (2, 4, 50)
    )
    assert "Quarter 3 2024/25" in text and "2 of 4 updated (50%)" in text


def test_a_closed_round_is_not_shown_as_open(client, coordinator, plan):
    challenge, actions = plan
    open_round(challenge, [actions["overdue"]], title="Last quarter's round", closed_at=timezone.now())
    client.force_login(coordinator)

    text = client.get(DASHBOARD).content.decode()

    assert "Last quarter" not in text and "No open round" in text


def test_each_challenge_counts_its_own_actions(client, coordinator, plan):
    challenge, _ = plan
    other = RecommendationFactory(theme__challenge__council=challenge.council)
    ActionFactory.create_batch(3, recommendation=other, due_date=days(-3))
    client.force_login(coordinator)

    rows = {row.challenge.pk: row for row in client.get(DASHBOARD).context["challenges"]}

    assert {pk: row.cells[0].count for pk, row in rows.items()} == {challenge.pk: 2, other.challenge.pk: 3}
    assert listed(client, rows[other.challenge.pk].cells[0].url) == set(
        Action.objects.filter(recommendation=other).values_list("description", flat=True)
    )


def build_challenges(n, officer):
    for _ in range(n):
        recommendation = RecommendationFactory(theme__challenge__council=CouncilFactory())
        actions = [
            ActionFactory(recommendation=recommendation, due_date=days(-2), lead_officer=officer),
            ActionFactory(recommendation=recommendation, due_date=days(5), lead_officer=None),
            ActionFactory(recommendation=recommendation, status="on_track"),
        ]
        ProgressUpdateFactory(action=actions[0], published=False, approval=Approval.AWAITING, author=officer)
        open_round(recommendation.challenge, actions)
        ProgressUpdateFactory(action=actions[2], author=officer, date=days(0))


def test_the_dashboard_stays_within_its_query_budget_as_challenges_and_actions_grow(client, coordinator, officer):
    client.force_login(coordinator)
    build_challenges(1, officer)
    few = count_queries(client, DASHBOARD)

    build_challenges(4, officer)
    many = count_queries(client, DASHBOARD)

    assert len(client.get(DASHBOARD).context["challenges"]) == 5
    # challenges, action counts, awaiting counts and open rounds, and the header's unread notifications
    assert many == few <= SIGNED_IN_QUERIES + 5
