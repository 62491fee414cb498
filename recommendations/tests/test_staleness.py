"""How long since an action's last update: in words, on the action's page (from the update the reader
may see), on My actions, and what an open update round still asks of a lead there."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Approval, UpdateRound
from recommendations.staleness import age

from .factories import ActionFactory, ProgressUpdateFactory, RecommendationFactory
from .queries import SIGNED_IN_QUERIES, count_queries

pytestmark = pytest.mark.django_db

MY_ACTIONS = reverse("recommendations:my-actions")
TODAY = datetime.date(2025, 6, 30)


@pytest.mark.parametrize(
    "days, words",
    [
        (0, "Today"),
        (1, "Yesterday"),
        (2, "2 days ago"),
        (45, "45 days ago"),
        (60, "60 days ago"),
        (61, "2 months ago"),
        (92, "3 months ago"),
        (364, "12 months ago"),
        (729, "24 months ago"),
        (730, "2 years ago"),
        (1200, "3 years ago"),
    ],
)
def test_age_in_words(days, words):
    assert age(TODAY - datetime.timedelta(days=days), today=TODAY) == words


def test_no_update_is_said_so():
    assert age(None, today=TODAY) == "No update yet"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


# The action's page -----------------------------------------------------------------------------------


@pytest.fixture
def action_with_a_draft(officer):
    """Published 100 days ago; a draft (not for publication) 10 days ago."""
    action = ActionFactory(lead_officer=officer)
    ProgressUpdateFactory(action=action, date=days(-100))
    ProgressUpdateFactory(action=action, date=days(-10), published=False, author=officer)
    return action


def last_updated(client, action):
    text = client.get(action.get_absolute_url()).content.decode()
    row = text.split('<dt class="govuk-summary-list__key">Last updated</dt>', 1)[1]
    return row.split("</dd>", 1)[0]


def test_the_public_see_when_the_last_published_update_was(client, action_with_a_draft):
    shown = last_updated(client, action_with_a_draft)

    assert "3 months ago" in shown and f"{days(-100):%-d %B %Y}" in shown


def test_the_councils_staff_see_when_the_last_update_of_all_was(client, scrutiny_member, action_with_a_draft):
    client.force_login(scrutiny_member)

    shown = last_updated(client, action_with_a_draft)

    assert "10 days ago" in shown and f"{days(-10):%-d %B %Y}" in shown


def test_an_action_with_no_update_says_so(client):
    assert "No update yet" in last_updated(client, ActionFactory())


def test_an_update_awaiting_approval_is_not_the_last_update(client, officer, scrutiny_member):
    action = ActionFactory(lead_officer=officer)
    ProgressUpdateFactory(action=action, date=days(0), published=False, approval=Approval.AWAITING, author=officer)
    client.force_login(scrutiny_member)

    assert "No update yet" in last_updated(client, action)


# My actions --------------------------------------------------------------------------------------


def test_my_actions_says_how_long_since_each_update_and_offers_the_update_link_first(client, officer, led_action):
    ProgressUpdateFactory(action=led_action, date=days(-45), author=officer)
    client.force_login(officer)

    text = client.get(MY_ACTIONS).content.decode()

    assert f'<time datetime="{days(-45):%Y-%m-%d}">45 days ago</time>' in text
    first_cell = text.split('<td class="govuk-table__cell app-my-actions__action">', 1)[1].split("</td>", 1)[0]
    assert reverse("recommendations:progress-update-create", args=[led_action.pk]) in first_cell


@pytest.fixture
def round_plan(officer, other_officer):
    recommendation = RecommendationFactory()
    mine = [
        ActionFactory(
            recommendation=recommendation, reference=f"1.{n}", description=f"My action {n}", lead_officer=officer
        )
        for n in (1, 2, 3)
    ]
    theirs = ActionFactory(
        recommendation=recommendation, reference="1.4", description="Owen's action", lead_officer=other_officer
    )
    outside = ActionFactory(
        recommendation=recommendation, reference="1.5", description="Mine, not in the round", lead_officer=officer
    )
    update_round = UpdateRound.objects.create(
        challenge=recommendation.challenge, title="Quarter 3 2024/25", deadline=datetime.date(2099, 3, 14)
    )
    update_round.actions.set([*mine, theirs])
    return update_round, mine, outside


def round_panel(text):
    start = text.index('<div class="govuk-notification-banner"')
    return text[start : text.index("</div>\n</div>", start)]


def test_my_actions_starts_with_what_the_open_round_asks_of_me(client, officer, round_plan):
    _, mine, _ = round_plan
    ProgressUpdateFactory(action=mine[0], author=officer)  # written during the round: done
    ProgressUpdateFactory(action=mine[1], author=officer, published=False, approval=Approval.RETURNED)  # does not count
    client.force_login(officer)

    text = client.get(MY_ACTIONS).content.decode()

    panel = round_panel(text)
    assert text.index(panel) < text.index("Actions you can update")
    assert "Quarter 3 2024/25: add a progress update to these 2 actions by 14 March 2099" in panel
    assert "My action 2" in panel and "My action 3" in panel
    assert "My action 1" not in panel and "Owen" not in panel and "not in the round" not in panel


def test_the_round_panel_goes_once_every_action_is_updated(client, officer, round_plan):
    update_round, mine, _ = round_plan
    client.force_login(officer)
    for action in mine:
        ProgressUpdateFactory(action=action, author=officer)

    assert f'id="round-{update_round.pk}-title"' not in client.get(MY_ACTIONS).content.decode()


def test_a_closed_round_asks_nothing(client, officer, round_plan):
    update_round, _, _ = round_plan
    UpdateRound.objects.filter(pk=update_round.pk).update(closed_at=timezone.now())
    client.force_login(officer)

    assert f'id="round-{update_round.pk}-title"' not in client.get(MY_ACTIONS).content.decode()


def test_my_actions_stays_within_its_query_budget_with_a_round(client, officer, round_plan):
    update_round, _, _ = round_plan
    client.force_login(officer)
    few = count_queries(client, MY_ACTIONS)

    more = ActionFactory.create_batch(
        20, lead_officer=officer, recommendation=update_round.challenge.recommendations.first()
    )
    update_round.actions.add(*more)
    for action in more[:5]:
        ProgressUpdateFactory(action=action, date=days(-5), author=officer)

    assert count_queries(client, MY_ACTIONS) == few <= SIGNED_IN_QUERIES + 9
