"""The action plan table: every member of a council reads their council's plan (coordinators also get
the links that change it), filters by lead (or none), status and staleness, shows how long since
each action's last update, and downloads as CSV exactly what the reader sees."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Approval, ProgressUpdate, UpdateRound
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER

from .factories import ActionFactory, CouncilFactory, ProgressUpdateFactory, RecommendationFactory, UserFactory
from .queries import SIGNED_IN_QUERIES, count_queries

pytestmark = pytest.mark.django_db

PLAN = reverse("recommendations:action-plan")
CSV = reverse("recommendations:action-plan-csv")


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def listed(response):
    return {action.description for action in response.context["paginator"].object_list}


def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def elsewhere_action():
    return ActionFactory(
        recommendation=RecommendationFactory(
            theme__challenge__council=CouncilFactory(name="Elsewhere Borough Council")
        ),
        description="Elsewhere's own action",
    )


# Who reads it --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["lead officer", "other officer", "scrutiny member", "coordinator", "admin"])
def test_every_member_reads_their_councils_plan(client, sign_in_as, led_action, elsewhere_action, role):
    sign_in_as(role)

    response = client.get(PLAN)

    assert response.status_code == 200
    expected = {led_action.description} | ({elsewhere_action.description} if role == "admin" else set())
    assert listed(response) == expected


def test_someone_with_no_role_at_any_council_is_refused(client, led_action):
    client.force_login(UserFactory())

    assert client.get(PLAN).status_code == 403
    assert client.get(CSV).status_code == 403


def test_strangers_are_asked_to_sign_in(client):
    for url in (PLAN, CSV):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_scrutiny_members_read_it_without_the_links_that_change_the_plan(client, scrutiny_member, led_action):
    client.force_login(scrutiny_member)
    challenge = led_action.recommendation.challenge

    text = client.get(PLAN, {"challenge": challenge.pk}).content.decode()

    assert "Coordinators change it" in text
    for name in ("approval-list",):
        assert reverse(f"recommendations:{name}") not in text
    for name in ("action-plan-import", "publishing-settings", "action-plan-export-xlsx"):
        assert reverse(f"recommendations:{name}", args=[challenge.slug]) not in text
    assert reverse("recommendations:action-update", args=[led_action.pk]) not in text


def test_a_coordinator_gets_the_plan_links_only_for_a_challenge_they_manage(client):
    anytown, elsewhere = CouncilFactory(), CouncilFactory(name="Elsewhere Borough Council")
    user = UserFactory(roles=[(anytown, COORDINATOR), (elsewhere, SCRUTINY_MEMBER)])
    managed = ActionFactory(
        recommendation=RecommendationFactory(theme__challenge__council=anytown)
    ).recommendation.challenge
    read_only = ActionFactory(
        recommendation=RecommendationFactory(theme__challenge__council=elsewhere)
    ).recommendation.challenge
    client.force_login(user)

    own = client.get(PLAN, {"challenge": managed.pk}).content.decode()
    other = client.get(PLAN, {"challenge": read_only.pk})

    assert reverse("recommendations:action-plan-import", args=[managed.slug]) in own
    assert other.status_code == 200 and len(listed(other)) == 1
    assert reverse("recommendations:action-plan-import", args=[read_only.slug]) not in other.content.decode()


def test_filter_choices_come_from_the_readers_councils_only(client, scrutiny_member, led_action, elsewhere_action):
    client.force_login(scrutiny_member)

    fields = client.get(PLAN).context["filter"].form.fields

    assert set(fields["challenge"].queryset) == {led_action.recommendation.challenge}
    assert set(fields["lead"].queryset) == {led_action.lead_officer}


# Filters ---------------------------------------------------------------------------------------------


def test_no_lead_officer_lists_the_unassigned_actions(client, scrutiny_member, led_action):
    ActionFactory(description="Nobody leads this", lead_officer=None)
    client.force_login(scrutiny_member)

    response = client.get(PLAN, {"lead": "null"})

    assert listed(response) == {"Nobody leads this"}
    assert (
        "Chief Executive<span" in response.content.decode() and ">No lead officer</span>" in response.content.decode()
    )
    assert read_csv(client.get(CSV, {"lead": "null"}))[0]["Lead"] == "Chief Executive (no lead officer)"
    assert '<option value="null">No lead officer</option>' in client.get(PLAN).content.decode()


def test_any_but_complete_leaves_out_complete_actions(client, scrutiny_member):
    ActionFactory(description="Still going", status="on_track")
    ActionFactory(description="Done", status="complete")
    client.force_login(scrutiny_member)

    assert listed(client.get(PLAN, {"status": "open"})) == {"Still going"}
    assert listed(client.get(PLAN, {"status": "complete"})) == {"Done"}


def test_no_update_in_90_days_lists_open_actions_with_no_recent_update(client, scrutiny_member, officer):
    ActionFactory(description="Never updated")
    old = ActionFactory(description="Updated 91 days ago")
    ProgressUpdateFactory(action=old, date=days(-91))
    recent = ActionFactory(description="Updated 90 days ago")
    ProgressUpdateFactory(action=recent, date=days(-90))
    ActionFactory(description="Complete long ago", status="complete")
    waiting = ActionFactory(description="Only an update awaiting approval")
    ProgressUpdateFactory(action=waiting, date=days(0), published=False, approval=Approval.AWAITING, author=officer)
    client.force_login(scrutiny_member)

    response = client.get(PLAN, {"updated": "90_days"})

    assert listed(response) == {"Never updated", "Updated 91 days ago", "Only an update awaiting approval"}


def test_no_update_in_the_last_round_lists_the_rounds_actions_not_updated_for_it(client, scrutiny_member, officer):
    recommendation = RecommendationFactory()
    challenge = recommendation.challenge
    updated, returned, silent, outside = (
        ActionFactory(recommendation=recommendation, description=text)
        for text in ("Updated in the round", "Update returned", "Not updated", "Not in the round")
    )
    earlier = UpdateRound.objects.create(
        challenge=challenge, title="Earlier", deadline=days(-30), closed_at=timezone.now()
    )
    earlier.actions.set([outside])
    update_round = UpdateRound.objects.create(challenge=challenge, title="Latest", deadline=days(14))
    update_round.actions.set([updated, returned, silent])
    ProgressUpdateFactory(action=updated, author=officer)
    ProgressUpdateFactory(action=returned, author=officer, published=False, approval=Approval.RETURNED)
    client.force_login(scrutiny_member)

    response = client.get(PLAN, {"updated": "last_round"})

    assert listed(response) == {"Update returned", "Not updated"}


def test_no_update_in_the_last_round_judges_each_challenge_by_its_own_newest_round(client, scrutiny_member, officer):
    now = timezone.now()
    closed_challenge, open_challenge = RecommendationFactory(), RecommendationFactory()
    in_time, too_late, updated, before_it_opened = (
        ActionFactory(recommendation=recommendation, description=text)
        for recommendation, text in (
            (closed_challenge, "Updated before its round closed"),
            (closed_challenge, "Updated after its round closed"),
            (open_challenge, "Updated in the open round"),
            (open_challenge, "Updated before the open round"),
        )
    )
    closed = UpdateRound.objects.create(
        challenge=closed_challenge.challenge,
        title="Closed",
        deadline=days(-12),
        opened_at=now - datetime.timedelta(days=40),
        closed_at=now - datetime.timedelta(days=10),
    )
    closed.actions.set([in_time, too_late])
    opened = UpdateRound.objects.create(
        challenge=open_challenge.challenge,
        title="Open",
        deadline=days(14),
        opened_at=now - datetime.timedelta(days=3),
    )
    opened.actions.set([updated, before_it_opened])
    for action, days_ago in ((in_time, 20), (too_late, 5), (updated, 1), (before_it_opened, 20)):
        update = ProgressUpdateFactory(action=action, author=officer)
        ProgressUpdate.objects.filter(pk=update.pk).update(created_at=now - datetime.timedelta(days=days_ago))
    client.force_login(scrutiny_member)

    response = client.get(PLAN, {"updated": "last_round"})

    assert listed(response) == {"Updated after its round closed", "Updated before the open round"}


def test_each_row_says_how_long_since_the_last_update(client, scrutiny_member):
    ProgressUpdateFactory(action=ActionFactory(description="Updated a while ago"), date=days(-45))
    ActionFactory(description="Never updated")
    client.force_login(scrutiny_member)

    text = client.get(PLAN).content.decode()

    assert f'<time datetime="{days(-45):%Y-%m-%d}">45 days ago</time>' in text
    assert "No update yet" in text


# The CSV -----------------------------------------------------------------------------------------------


def test_the_csv_has_the_filtered_actions_on_every_page_in_the_tables_order(client, scrutiny_member, elsewhere_action):
    recommendation = RecommendationFactory()
    for n in range(30):
        ActionFactory(
            recommendation=recommendation,
            reference=f"1.{n + 10}",
            description=f"Overdue action {n + 10}",
            due_date=days(-1),
        )
    ActionFactory(recommendation=recommendation, reference="1.99", description="Not overdue")
    client.force_login(scrutiny_member)

    page = client.get(PLAN, {"due": "overdue"})
    rows = read_csv(client.get(page.context["csv_url"]))

    assert page.context["paginator"].count == 30 and len(page.context["actions"]) == 25
    assert [row["Description"] for row in rows] == [f"Overdue action {n + 10}" for n in range(30)]
    assert {row["Overdue"] for row in rows} == {"Yes"}


def test_the_csv_has_the_tables_columns(client, scrutiny_member, officer):
    action = ActionFactory(
        reference="4.2",
        description="Write the plan",
        lead_officer=officer,
        lead_role="Head of Policy",
        timescale="March 2030",
        due_date=datetime.date(2030, 3, 31),
        status="at_risk",
    )
    ProgressUpdateFactory(action=action, date=days(-10), status="off_track", published=False, author=officer)
    client.force_login(scrutiny_member)

    (row,) = read_csv(client.get(CSV))

    challenge = action.recommendation.challenge
    assert row == {
        "Peer challenge": f"Anytown Council: {challenge.title}",
        "Recommendation": str(action.recommendation.number),
        "Theme": f"{action.recommendation.theme.number}: {action.recommendation.theme.title}",
        "Action": "4.2",
        "Description": "Write the plan",
        "Lead": "Olivia Officer (Head of Policy)",
        "Timescale": "March 2030",
        "Planned start": "",
        "Due date": "2030-03-31",
        "Actual start": "",
        "Actual completion": "",
        "Days late": "0",
        "Overdue": "No",
        "Waiting on": "",
        "Status": "Off track",
        "Published status": "At risk",
        "Last update": days(-10).isoformat(),
        "Days since last update": "10",
    }


def test_the_csv_cannot_run_formulas_and_is_not_cached(client, scrutiny_member):
    ActionFactory(description='=HYPERLINK("http://evil.example","Click")')
    client.force_login(scrutiny_member)

    response = client.get(CSV)

    assert read_csv(response)[0]["Description"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="action-plan-{timezone.localdate():%Y-%m-%d}.csv"'


def test_the_download_link_keeps_the_filters(client, scrutiny_member, led_action):
    client.force_login(scrutiny_member)

    text = client.get(PLAN, {"status": "open", "lead": "null", "page": "1"}).content.decode()

    assert "No actions match these filters" in text
    ActionFactory(lead_officer=None)
    text = client.get(PLAN, {"status": "open", "lead": "null", "page": "1"}).content.decode()
    assert f'href="{CSV}?status=open&amp;lead=null" download' in text


# Pages ----------------------------------------------------------------------------------------------------


def plan_of(n, **kwargs):
    recommendation = RecommendationFactory()
    return [
        ActionFactory(recommendation=recommendation, reference=f"1.{i + 10}", description=f"Action {i + 10}", **kwargs)
        for i in range(n)
    ]


def page_descriptions(response):
    return [action.description for action in response.context["actions"]]


def test_pages_of_25_in_plan_order_with_next_and_previous_links(client, scrutiny_member):
    plan_of(30)
    client.force_login(scrutiny_member)

    first = client.get(PLAN, {"status": "open"})
    second = client.get(PLAN, {"status": "open", "page": "2"})

    assert page_descriptions(first) == [f"Action {i + 10}" for i in range(25)]
    assert page_descriptions(second) == [f"Action {i + 10}" for i in range(25, 30)]
    assert '<h2 class="govuk-heading-m">30 actions</h2>' in first.content.decode()
    assert 'href="?status=open&amp;page=2" rel="next"' in first.content.decode()
    assert 'rel="prev"' not in first.content.decode()
    assert 'href="?status=open&amp;page=1" rel="prev"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()


@pytest.mark.parametrize("sort", ["status", "-status", "due", "lead"])
def test_every_action_is_on_exactly_one_page_and_the_csv_agrees_when_the_sort_ties(client, scrutiny_member, sort):
    plan_of(30, status="on_track", due_date=days(30))
    client.force_login(scrutiny_member)

    pages = [page_descriptions(client.get(PLAN, {"sort": sort, "page": page})) for page in ("1", "2")]

    assert len(pages[0]) == 25 and sorted(pages[0] + pages[1]) == sorted(f"Action {i + 10}" for i in range(30))
    assert [row["Description"] for row in read_csv(client.get(CSV, {"sort": sort}))] == pages[0] + pages[1]


def test_a_page_past_the_end_is_not_found_and_the_last_page_is_offered(client, scrutiny_member):
    plan_of(30)
    client.force_login(scrutiny_member)

    assert client.get(PLAN, {"page": "3"}).status_code == 404
    assert page_descriptions(client.get(PLAN, {"page": "last"})) == [f"Action {i + 10}" for i in range(25, 30)]


# Query budgets -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{}, {"updated": "90_days"}, {"updated": "last_round"}, {"lead": "null"}, {"sort": "-due"}, {"status": "open"}],
)
def test_the_plan_and_its_csv_stay_within_their_query_budget(client, scrutiny_member, query):
    client.force_login(scrutiny_member)

    def grow(n):
        recommendation = RecommendationFactory()
        actions = [
            ActionFactory(
                recommendation=recommendation,
                lead_officer=UserFactory(roles=[OFFICER]) if i % 2 else None,
                status="on_track",
            )
            for i in range(n)
        ]
        update_round = UpdateRound.objects.create(challenge=recommendation.challenge, title="Round", deadline=days(7))
        update_round.actions.set(actions)

    grow(3)
    few = {
        url: count_queries(client, url + "?" + "&".join(f"{k}={v}" for k, v in query.items())) for url in (PLAN, CSV)
    }
    grow(40)
    many = {
        url: count_queries(client, url + "?" + "&".join(f"{k}={v}" for k, v in query.items())) for url in (PLAN, CSV)
    }

    assert many == few
    # The page: the count, the page of actions, the three filters' choices, the header's unread
    # notifications and, filtering by the last round, the rounds. The CSV: the actions (and the rounds).
    assert few[PLAN] <= SIGNED_IN_QUERIES + 8 and few[CSV] <= SIGNED_IN_QUERIES + 3
