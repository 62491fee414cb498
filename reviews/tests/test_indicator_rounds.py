"""Figures due are part of update rounds (reviews.indicator_rounds): which indicators have a figure
due, their owners asked once when a round opens, and the figures-due page the round links to."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from recommendations import rounds
from recommendations.models import Notification, NotificationKind, UpdateRound
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER
from recommendations.tests.factories import ActionFactory, CouncilFactory, PeerChallengeFactory, UserFactory
from recommendations.tests.queries import count_queries
from recommendations.tests.tasks import run_tasks
from reviews.indicator_rounds import NO_OWNER, figures_due
from reviews.models import Frequency

from .factories import IndicatorFactory, IndicatorValueFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 5, 15)  # last month April 2024; last quarter Q4 2023/24; last years 2023/24, 2023


def due_names(challenge, today=TODAY):
    return {
        due.label: [(item.indicator.name, item.period) for item in due.items] for due in figures_due(challenge, today)
    }


def value(indicator, start, period="A period"):
    return IndicatorValueFactory(indicator=indicator, period_start=start, period=period)


@pytest.fixture
def challenge():
    return PeerChallengeFactory()


def test_a_figure_is_due_when_the_latest_finished_period_has_none(challenge, officer):
    monthly = IndicatorFactory(challenge=challenge, owner=officer, name="Monthly", frequency=Frequency.MONTHLY)
    quarterly = IndicatorFactory(challenge=challenge, owner=officer, name="Quarterly", frequency=Frequency.QUARTERLY)
    annual = IndicatorFactory(challenge=challenge, owner=officer, name="Annual", frequency=Frequency.ANNUAL)
    value(monthly, datetime.date(2024, 3, 1))  # March: April is due
    value(quarterly, datetime.date(2023, 10, 1))  # Q3 2023/24: Q4 is due
    value(annual, datetime.date(2022, 4, 1))  # 2022/23: 2023/24 (or 2023) is due

    assert due_names(challenge) == {
        "Olivia Officer": [  # in the indicators' order
            ("Monthly", "April 2024"),
            ("Quarterly", "Q4 2023/24 (January to March 2024)"),
            ("Annual", "2023/24 or 2023"),
        ]
    }

    value(monthly, datetime.date(2024, 4, 1))
    value(quarterly, datetime.date(2024, 1, 1))
    value(annual, datetime.date(2023, 1, 1))  # the calendar year 2023 counts for an annual indicator
    assert due_names(challenge) == {}


def test_internal_and_public_alike_and_indicators_nobody_may_be_asked_for_come_last(
    challenge, officer, scrutiny_member
):
    IndicatorFactory(challenge=challenge, owner=officer, name="Internal one", public=False)
    IndicatorFactory(challenge=challenge, owner=None, name="Unowned")
    IndicatorFactory(challenge=challenge, owner=scrutiny_member, name="Scrutiny-owned")  # may not enter figures
    due = figures_due(challenge, TODAY)
    assert [d.label for d in due] == ["Olivia Officer", NO_OWNER]
    assert [item.indicator.name for item in due[1].items] == ["Unowned", "Scrutiny-owned"]


def open_round(challenge, coordinator):
    ActionFactory(recommendation__challenge=challenge)
    return rounds.open_round(
        challenge=challenge,
        by=coordinator,
        title="Quarter 1 round",
        deadline=timezone.localdate() + datetime.timedelta(7),
    )


def test_owners_are_asked_once_when_a_round_opens(
    challenge, officer, other_officer, coordinator, django_capture_on_commit_callbacks
):
    IndicatorFactory(challenge=challenge, owner=officer, name="Council Tax collection rate")
    IndicatorFactory(challenge=challenge, owner=officer, name="NEET")
    up_to_date = IndicatorFactory(
        challenge=challenge, owner=other_officer, name="Up to date", frequency=Frequency.MONTHLY
    )
    today = timezone.localdate()
    value(up_to_date, today.replace(day=1))

    with django_capture_on_commit_callbacks(execute=True):
        update_round = open_round(challenge, coordinator)
    run_tasks()  # the worker sends what the commit queued

    asked = Notification.objects.filter(key__startswith="round-opened-indicators:")
    assert [(n.recipient, n.kind) for n in asked] == [(officer, NotificationKind.ROUND_OPENED)]
    notification = asked.get()
    assert notification.subject.startswith("Quarter 1 round: please add the figures due for 2 indicators by ")
    assert "- Council Tax collection rate: a figure for" in notification.body
    assert notification.url == reverse("reviews:indicator-list", args=[challenge.slug])
    assert any("Council Tax collection rate" in message.body for message in mail.outbox)
    # Saving the round again (closing it) asks nobody again.
    rounds.close_round(update_round=update_round, by=coordinator)
    assert asked.count() == 1


def test_a_round_that_fails_to_open_asks_nobody(challenge, officer, coordinator):
    IndicatorFactory(challenge=challenge, owner=officer)
    with pytest.raises(ValidationError):
        rounds.open_round(challenge=challenge, by=coordinator, title="No actions", deadline=timezone.localdate())
    assert not UpdateRound.objects.exists()
    assert not Notification.objects.filter(key__startswith="round-opened-indicators:").exists()


def test_one_indicator_links_to_its_own_page(challenge, officer, coordinator):
    indicator = IndicatorFactory(challenge=challenge, owner=officer)
    open_round(challenge, coordinator)
    assert Notification.objects.get(recipient=officer).url == indicator.get_absolute_url()


def test_the_round_page_links_to_the_figures_due(client, challenge, coordinator):
    update_round = open_round(challenge, coordinator)
    client.force_login(coordinator)
    assert (
        reverse("reviews:figures-due", args=[challenge.slug])
        in client.get(update_round.get_absolute_url()).content.decode()
    )


def figures_due_url(challenge):
    return reverse("reviews:figures-due", args=[challenge.slug])


def test_the_figures_due_page_lists_them_by_owner(client, challenge, officer, scrutiny_member, coordinator):
    IndicatorFactory(challenge=challenge, owner=officer, name="Council Tax collection rate", public=True)
    IndicatorFactory(challenge=challenge, owner=None, name="Internal measure", public=False)
    update_round = open_round(challenge, coordinator)
    client.force_login(scrutiny_member)

    text = client.get(figures_due_url(challenge)).content.decode()

    assert "Olivia Officer: 1 indicator" in text and "Council Tax collection rate" in text
    assert "No owner who can enter figures: 1 indicator" in text and "Internal measure</a> (internal)" in text
    assert update_round.title in text


def test_coordinators_are_offered_to_give_an_unowned_indicator_an_owner(client, challenge, coordinator, officer):
    indicator = IndicatorFactory(challenge=challenge, owner=None)
    edit = reverse("reviews:indicator-edit", args=[indicator.pk])
    client.force_login(officer)
    assert edit not in client.get(figures_due_url(challenge)).content.decode()
    client.force_login(coordinator)
    assert edit in client.get(figures_due_url(challenge)).content.decode()


def test_nothing_due_says_so(client, challenge, officer):
    client.force_login(officer)
    assert 'id="no-figures-due"' in client.get(figures_due_url(challenge)).content.decode()


@pytest.mark.parametrize(
    "who, status", [("anonymous", 302), ("officer", 200), ("scrutiny", 200), ("coordinator", 200), ("outsider", 403)]
)
def test_only_the_councils_members_see_the_figures_due(
    client, challenge, officer, scrutiny_member, coordinator, who, status
):
    elsewhere = CouncilFactory(name="Elsewhere Borough Council")
    users = {
        "officer": officer,
        "scrutiny": scrutiny_member,
        "coordinator": coordinator,
        "outsider": UserFactory(roles=[(elsewhere, COORDINATOR)]),
    }
    if who != "anonymous":
        client.force_login(users[who])
    assert client.get(figures_due_url(challenge)).status_code == status


def test_the_figures_due_page_stays_within_its_query_budget(client, challenge, officer):
    client.force_login(officer)
    IndicatorFactory(challenge=challenge, owner=officer)
    few = count_queries(client, figures_due_url(challenge))
    for _ in range(8):
        owner = UserFactory(roles=[OFFICER])
        for indicator in IndicatorFactory.create_batch(3, challenge=challenge, owner=owner):
            value(indicator, datetime.date(2020, 4, 1))
    UserFactory(roles=[SCRUTINY_MEMBER])
    assert count_queries(client, figures_due_url(challenge)) == few
