"""Update rounds' pages (recommendations.round_views): who may see and do what, opening a round,
the dashboard's figures, reminders, closing, and a lead's updates on one page (all saved or none).
Reports made from a closed round: reports/tests/test_reports_from_rounds.py. Cross-council access:
tests/test_council_permissions.py."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from recommendations import rounds
from recommendations.models import (
    Approval,
    Notification,
    NotificationKind,
    ProgressUpdate,
    RoundReminder,
    Status,
    UpdateRound,
)
from recommendations.roles import COORDINATOR, OFFICER

from .factories import (
    ActionFactory,
    CouncilFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from .queries import count_queries
from .tasks import run_tasks

pytestmark = pytest.mark.django_db

TITLE = "Quarter 3 2024/25 – for scrutiny on 14 March 2030"
MEMBERS = {"lead officer", "other officer", "coordinator", "scrutiny member", "admin"}
MANAGERS = {"coordinator", "admin"}


@pytest.fixture
def plan(officer, other_officer):
    """Anytown's challenge: Olivia leads 1.1 and 1.2 (theme 1), Owen 2.1 (theme 2); 2.2 has no lead; 2.3 is complete."""
    challenge = PeerChallengeFactory(slug="anytown-cpc")
    first = RecommendationFactory(
        theme=ThemeFactory(challenge=challenge, number=1, title="Leadership"),
        challenge=challenge,
        number=1,
        title="Lead well",
    )
    second = RecommendationFactory(
        theme=ThemeFactory(challenge=challenge, number=2, title="Finance"),
        challenge=challenge,
        number=2,
        title="Spend well",
    )
    return {
        "challenge": challenge,
        "olivia": [
            ActionFactory(
                recommendation=first, reference="1.1", lead_officer=officer, description="Train the managers"
            ),
            ActionFactory(
                recommendation=first,
                reference="1.2",
                lead_officer=officer,
                description="Refresh the vision",
                status=Status.ON_TRACK,
            ),
        ],
        "owen": ActionFactory(
            recommendation=second, reference="2.1", lead_officer=other_officer, description="Balance the budget"
        ),
        "unassigned": ActionFactory(recommendation=second, reference="2.2", description="Sell the old depot"),
        "complete": ActionFactory(
            recommendation=second,
            reference="2.3",
            lead_officer=officer,
            description="Appoint a finance director",
            status=Status.COMPLETE,
        ),
    }


@pytest.fixture
def open_round(plan, coordinator):
    return rounds.open_round(
        challenge=plan["challenge"],
        by=coordinator,
        title=TITLE,
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )


def url(name, *args):
    return reverse(f"recommendations:{name}", args=args)


def page(response):
    return response.content.decode()


def flash(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def expect_status(response, role, allowed, allowed_status=200):
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif role in allowed:
        assert response.status_code == allowed_status
    else:
        assert response.status_code == 403


def date_data(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def round_data(chosen, **overrides):
    data = {
        "title": TITLE,
        "grace_days": "7",
        **date_data("deadline", timezone.localdate() + datetime.timedelta(days=10)),
        "actions": [str(action.pk) for action in chosen],
    }
    data.update(overrides)
    return data


def update_data(*actions, **fields):
    """The round page's POST: for each action its fields, prefixed; `fields` apply to every action."""
    data = {}
    for action in actions:
        action.refresh_from_db()
        prefix = f"action-{action.pk}"
        values = {"status": action.status, "version": str(action.version), **fields}
        data |= {f"{prefix}-{name}": value for name, value in values.items()}
    return data


# The challenge's rounds ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_a_challenges_rounds(client, sign_in_as, plan, open_round, role):
    sign_in_as(role)

    response = client.get(url("round-list", plan["challenge"].slug))

    expect_status(response, role, MEMBERS)
    if response.status_code == 200:
        assert TITLE in page(response)
        assert ("Open an update round" in page(response)) == (role in MANAGERS)


def test_round_list_puts_the_open_round_first_with_its_figures(client, coordinator, officer, plan, open_round):
    older = UpdateRound.objects.create(
        challenge=plan["challenge"],
        title="Quarter 2",
        deadline=datetime.date(2030, 1, 1),
        opened_at=timezone.now() - datetime.timedelta(days=90),
        closed_at=timezone.now() - datetime.timedelta(days=60),
    )
    older.actions.set([plan["owen"]])
    ProgressUpdateFactory(action=plan["olivia"][0], author=officer)
    client.force_login(coordinator)

    text = page(client.get(url("round-list", plan["challenge"].slug)))

    assert text.index(TITLE) < text.index("Quarter 2")
    assert "1 of 4 (25%)" in text  # the open round: Olivia's 1.1 of 1.1, 1.2, 2.1, 2.2
    assert "0 of 1 (0%)" in text
    assert "Open" in text and "Closed" in text


def test_round_list_stays_within_query_budget(client, coordinator, plan, open_round):
    client.force_login(coordinator)
    few = count_queries(client, url("round-list", plan["challenge"].slug))
    rounds.close_round(update_round=open_round, by=coordinator)
    for n in range(5):
        extra = UpdateRound.objects.create(
            challenge=plan["challenge"],
            title=f"Round {n}",
            deadline=datetime.date(2030, 1, 1),
            closed_at=timezone.now(),
        )
        extra.actions.set(plan["olivia"])

    assert count_queries(client, url("round-list", plan["challenge"].slug)) == few


def test_challenge_page_links_members_to_the_rounds(client, officer, plan):
    rounds_url = url("round-list", plan["challenge"].slug)

    assert rounds_url not in page(client.get(plan["challenge"].get_absolute_url()))
    client.force_login(officer)
    assert rounds_url in page(client.get(plan["challenge"].get_absolute_url()))


# Opening a round -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_councils_coordinators_may_open_a_round(client, sign_in_as, plan, role):
    sign_in_as(role)
    create = url("round-create", plan["challenge"].slug)

    shown = client.get(create)
    posted = client.post(create, round_data(plan["olivia"]))

    expect_status(shown, role, MANAGERS)
    expect_status(posted, role, MANAGERS, allowed_status=302)
    assert UpdateRound.objects.exists() == (role in MANAGERS)


def test_the_form_ticks_every_open_action_grouped_by_recommendation(client, coordinator, plan):
    client.force_login(coordinator)

    text = page(client.get(url("round-create", plan["challenge"].slug)))

    for action in [*plan["olivia"], plan["owen"], plan["unassigned"]]:
        assert re.search(rf'id="id_actions_{action.pk}"[^>]*value="{action.pk}" checked', text), action.reference
    assert re.search(rf'id="id_actions_{plan["complete"].pk}"[^>]*value="{plan["complete"].pk}"\s*aria', text)
    assert (
        text.index("Recommendation 1: Lead well")
        < text.index("Action 1.1")
        < text.index("Recommendation 2: Spend well")
    )
    assert "No lead officer: nobody will be asked" in text


def test_opening_a_round_asks_each_lead_once_after_commit(
    client, coordinator, officer, other_officer, plan, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    chosen = [*plan["olivia"], plan["owen"], plan["unassigned"]]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("round-create", plan["challenge"].slug), round_data(chosen))
    run_tasks()  # the worker sends what the commit queued

    update_round = UpdateRound.objects.get()
    assert response.status_code == 302 and response["Location"] == update_round.get_absolute_url()
    assert set(update_round.actions.all()) == set(chosen)
    assert update_round.grace_days == 7 and update_round.title == TITLE
    assert flash(response) == ["Update round opened with 4 actions. 2 leads were asked for their updates"]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([officer.email, other_officer.email])


def test_a_round_can_leave_actions_out(client, coordinator, plan):
    client.force_login(coordinator)

    client.post(url("round-create", plan["challenge"].slug), round_data([plan["owen"]], grace_days=""))

    update_round = UpdateRound.objects.get()
    assert list(update_round.actions.all()) == [plan["owen"]]
    assert update_round.grace_days == 0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "Enter a title for the round"),
        (date_data("deadline", datetime.date(2020, 1, 1)), "The deadline must be today or in the future"),
        ({"deadline_0": "31", "deadline_1": "2"}, "Enter the deadline as a real date, like 28 2 2025"),
        ({"deadline_0": "", "deadline_1": "", "deadline_2": ""}, "Enter the deadline"),
        ({"grace_days": "61"}, "The grace period must be 60 days or fewer"),
        ({"grace_days": "a week"}, "Enter the grace period as a whole number of days, like 7"),
        ({"actions": []}, "Select at least one action for the round"),
    ],
)
def test_a_refused_round_shows_the_error_summary_and_keeps_what_was_typed(
    client, coordinator, plan, overrides, message
):
    client.force_login(coordinator)
    data = round_data([plan["owen"]], **overrides)
    if "title" not in overrides:
        data["title"] = "Kept: Quarter 4"

    response = client.post(url("round-create", plan["challenge"].slug), data)

    text = page(response)
    assert response.status_code == 200
    assert "There is a problem" in text and message in text
    assert text.startswith("<!DOCTYPE html>") and "<title>Error: " in text
    if "title" not in overrides:
        assert 'value="Kept: Quarter 4"' in text
    if overrides != {"actions": []}:
        assert re.search(rf'value="{plan["owen"].pk}" checked', text)  # the choice survives the refusal
        assert not re.search(rf'value="{plan["olivia"][0].pk}" checked', text)
    assert not UpdateRound.objects.exists()


def test_a_second_open_round_is_refused_and_the_form_says_why(client, coordinator, plan, open_round):
    client.force_login(coordinator)
    create = url("round-create", plan["challenge"].slug)

    shown = page(client.get(create))
    assert "already has an open update round" in shown and "Open the round and ask the leads" not in shown
    response = client.post(create, round_data([plan["owen"]], title="Another"))

    assert response.status_code == 200
    assert "This peer challenge already has an open update round" in page(response)
    assert UpdateRound.objects.count() == 1


def test_another_challenges_actions_cannot_be_put_in_a_round(client, coordinator, plan):
    stranger = ActionFactory(description="Another challenge's action")
    client.force_login(coordinator)

    response = client.post(url("round-create", plan["challenge"].slug), round_data([plan["owen"], stranger]))

    assert response.status_code == 200 and "Select actions from the list" in page(response)
    assert not UpdateRound.objects.exists()


# The dashboard --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_the_dashboard_and_who_may_act_on_it(client, sign_in_as, open_round, role):
    sign_in_as(role)

    response = client.get(open_round.get_absolute_url())

    expect_status(response, role, MEMBERS)
    if response.status_code == 200:
        text = page(response)
        assert TITLE in text
        acts = role in MANAGERS
        assert ("Send a reminder to the 2 leads with actions outstanding" in text) == acts
        assert (url("round-close", open_round.pk) in text) == acts


def test_dashboard_figures_match_the_records(client, coordinator, officer, other_officer, plan, open_round):
    ProgressUpdateFactory(action=plan["olivia"][0], author=officer)
    ProgressUpdateFactory(action=plan["owen"], author=other_officer, published=False, approval=Approval.AWAITING)
    ProgressUpdateFactory(
        action=plan["olivia"][1], author=officer, published=False, approval=Approval.RETURNED, return_reason="Say more"
    )
    client.force_login(coordinator)

    text = page(client.get(open_round.get_absolute_url()))

    updated = sum(
        1 for action in open_round.actions.all() if rounds.counting_updates(open_round).filter(action=action).exists()
    )
    total = open_round.actions.count()
    assert (updated, total) == (2, 4)
    assert "<strong>50%</strong> of the actions in the round are updated: 2 of 4 actions." in text
    by_lead = dict(
        re.findall(
            r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*'
            r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]+)</td>',
            text,
        )
    )
    assert by_lead["Olivia Officer"] == "1 of 2" and by_lead["Owen Other"] == "1 of 1"
    assert by_lead[rounds.UNASSIGNED] == "0 of 1"
    assert by_lead["Theme 1: Leadership"] == "1 of 2" and by_lead["Theme 2: Finance"] == "1 of 2"
    assert "Send a reminder to the 1 lead with actions outstanding" in text  # Olivia; Owen replied
    outstanding = text[text.index("Actions still to update") : text.index("Actions with no lead officer")]
    assert plan["olivia"][1].get_absolute_url() in outstanding
    assert (
        plan["olivia"][0].get_absolute_url() not in outstanding and plan["owen"].get_absolute_url() not in outstanding
    )
    unassigned = text[text.index("Actions with no lead officer") :]
    assert plan["unassigned"].get_absolute_url() in unassigned
    assert url("action-update", plan["unassigned"].pk) in unassigned


def test_a_closed_rounds_dashboard_offers_a_committee_report(client, coordinator, open_round):
    rounds.close_round(update_round=open_round, by=coordinator)
    client.force_login(coordinator)

    text = page(client.get(open_round.get_absolute_url()))

    report_link = reverse("reports:report-create", args=[open_round.challenge.slug]) + f"?round={open_round.pk}"
    assert "Create a committee report from this round" in text and report_link in text
    assert "Send a reminder" not in text and url("round-close", open_round.pk) not in text
    assert "Closed" in text


def test_dashboard_stays_within_query_budget_as_the_round_grows(client, coordinator, plan):
    client.force_login(coordinator)

    def dashboard_queries(leads, actions_each):
        challenge = PeerChallengeFactory()
        for n in range(leads):
            lead = UserFactory(roles=[OFFICER])
            theme = ThemeFactory(challenge=challenge)
            recommendation = RecommendationFactory(theme=theme, challenge=challenge)
            for action in ActionFactory.create_batch(actions_each, recommendation=recommendation, lead_officer=lead):
                if n % 2:
                    ProgressUpdateFactory(action=action, author=lead)
        update_round = rounds.open_round(
            challenge=challenge, by=coordinator, title="Round", deadline=timezone.localdate()
        )
        for action in update_round.actions.all()[:2]:
            ProgressUpdateFactory(action=action)
        rounds.send_round_reminders(update_round=update_round, by=coordinator)
        return count_queries(client, update_round.get_absolute_url())

    few = dashboard_queries(1, 1)
    assert dashboard_queries(6, 4) == few <= 12


# Reminders -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_councils_coordinators_may_send_reminders(client, sign_in_as, open_round, role):
    sign_in_as(role)

    response = client.post(url("round-remind", open_round.pk))

    expect_status(response, role, MANAGERS, allowed_status=302)
    assert RoundReminder.objects.exists() == (role in MANAGERS)


def test_a_reminder_goes_to_the_outstanding_leads_once_a_day(
    client, coordinator, officer, other_officer, plan, open_round, django_capture_on_commit_callbacks
):
    for action in plan["olivia"]:
        ProgressUpdateFactory(action=action, author=officer)
    client.force_login(coordinator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("round-remind", open_round.pk))
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url("round-remind", open_round.pk))
    run_tasks()

    assert first.status_code == second.status_code == 302
    assert flash(first) == ["Reminder sent to Owen Other"]
    assert (
        flash(second)[-1]
        == "No reminder sent: Owen Other was already reminded today and can be reminded again tomorrow"
    )
    assert [message.to for message in mail.outbox] == [[other_officer.email]]
    assert "2.1" in mail.outbox[0].body
    assert RoundReminder.objects.filter(round=open_round).count() == 1
    text = page(client.get(open_round.get_absolute_url()))
    assert "Send a reminder" not in text and "1 lead with actions outstanding was reminded today" in text


def test_reminding_a_closed_round_or_by_get_changes_nothing(client, coordinator, open_round):
    client.force_login(coordinator)

    assert client.get(url("round-remind", open_round.pk)).status_code == 405
    rounds.close_round(update_round=open_round, by=coordinator)
    response = client.post(url("round-remind", open_round.pk))

    assert response.status_code == 302
    assert flash(response) == ["This round is closed: reminders can only be sent while a round is open"]
    assert not RoundReminder.objects.exists()


# Closing -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_councils_coordinators_may_close_a_round(client, sign_in_as, open_round, role):
    sign_in_as(role)

    shown = client.get(url("round-close", open_round.pk))
    posted = client.post(url("round-close", open_round.pk))

    expect_status(shown, role, MANAGERS)
    expect_status(posted, role, MANAGERS, allowed_status=302)
    open_round.refresh_from_db()
    assert open_round.is_open == (role not in MANAGERS)


def test_closing_asks_first_then_closes_and_a_second_close_is_told_politely(client, coordinator, open_round):
    client.force_login(coordinator)

    confirm = client.get(url("round-close", open_round.pk))
    closed = client.post(url("round-close", open_round.pk))
    again = client.post(url("round-close", open_round.pk))
    again_get = client.get(url("round-close", open_round.pk))

    assert "Are you sure you want to close this update round?" in page(confirm)
    assert "0 of 4 actions (0%) are updated" in page(confirm)
    assert closed.status_code == 302 and closed["Location"] == open_round.get_absolute_url()
    assert flash(closed)[0].startswith("Update round closed")
    open_round.refresh_from_db()
    assert open_round.closed_by == coordinator and not open_round.is_open
    for response in (again, again_get):
        assert response.status_code == 302 and response["Location"] == open_round.get_absolute_url()
        assert flash(response)[-1].startswith("This round is already closed: it closed on ")


# A lead's updates on one page ---------------------------------------------------------------------------------


def my_updates(update_round):
    return url("round-my-updates", update_round.pk)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_round_page_for_leads(client, sign_in_as, open_round, role):
    sign_in_as(role)

    response = client.get(my_updates(open_round))

    expect_status(response, role, MEMBERS)
    if response.status_code == 200:
        leads = role in {"lead officer", "other officer"}
        assert ("You lead no actions in this round" in page(response)) == (not leads)


def test_the_page_lists_the_leads_actions_each_updated_or_still_to_update(client, officer, plan, open_round):
    ProgressUpdateFactory(action=plan["olivia"][0], author=officer)
    client.force_login(officer)

    text = page(client.get(my_updates(open_round)))

    tasks = text[text.index('<ul class="govuk-task-list">') : text.index("Write your updates")]
    assert "Action 1.1" in tasks and "Action 1.2" in tasks
    assert "2.1" not in tasks and "2.3" not in tasks  # Owen's; complete, so not in the round
    first, second = tasks.split("Action 1.2")
    assert "Updated" in first and "To update" in second
    # Only the action still to update has fields here, and its own page is a link away.
    olivia_second = plan["olivia"][1]
    assert f'name="action-{olivia_second.pk}-text"' in text and f'name="action-{plan["olivia"][0].pk}-text"' not in text
    assert url("progress-update-create", olivia_second.pk) in text
    assert "1 of 2 still needs an update" in text


def test_a_lead_saves_several_updates_at_once(client, officer, plan, open_round):
    client.force_login(officer)
    first, second = plan["olivia"]
    data = update_data(first, second, text="Both moved on", status=Status.AT_RISK, published="on")

    response = client.post(my_updates(open_round), data)

    assert response.status_code == 302 and response["Location"] == my_updates(open_round)
    assert flash(response) == ["2 progress updates saved, for actions 1.1 and 1.2"]
    for action in (first, second):
        action.refresh_from_db()
        assert action.status == Status.AT_RISK
        assert action.progress_updates.get(text="Both moved on").author == officer
    assert rounds.round_progress(open_round).overall.updated == 2
    assert "All your actions in this round are updated" in page(client.get(my_updates(open_round)))


def test_an_action_left_blank_is_skipped(client, officer, plan, open_round):
    client.force_login(officer)
    first, second = plan["olivia"]
    data = update_data(first, text="Managers trained") | update_data(second)

    response = client.post(my_updates(open_round), data)

    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(author=officer).count() == 1
    assert first.progress_updates.filter(text="Managers trained").exists()


def test_nothing_filled_in_is_an_error(client, officer, plan, open_round):
    client.force_login(officer)

    response = client.post(my_updates(open_round), update_data(*plan["olivia"]))

    text = page(response)
    assert response.status_code == 200
    assert "Write an update on at least one of your actions: nothing was saved" in text
    assert f'href="#id_action-{plan["olivia"][0].pk}-status_1"' in text
    assert "Enter the progress to date" not in text  # blank actions are not faulted
    assert not ProgressUpdate.objects.filter(author=officer).exists()


def test_one_invalid_update_saves_none_and_each_shows_its_own_errors(
    client, officer, plan, open_round, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    first, second = plan["olivia"]
    versions = (first.version, second.version)
    data = update_data(first, text="Typed and kept", status=Status.ON_TRACK) | update_data(
        second, status=Status.COMPLETE, text="Done, but no evidence"
    )
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(my_updates(open_round), data)

    text = page(response)
    assert response.status_code == 200
    assert "There is a problem: nothing was saved" in text
    assert (
        f'href="#id_action-{second.pk}-completion_evidence">Action 1.2: Enter the evidence that the action is complete'
        in text
    )
    assert f'id="id_action-{second.pk}-completion_evidence"' in text
    assert "Typed and kept" in text and "Done, but no evidence" in text
    assert not ProgressUpdate.objects.filter(author=officer).exists()
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.version, second.version) == versions
    assert callbacks == [] and not Notification.objects.exists()


def test_a_valid_update_is_rolled_back_when_another_is_refused_while_saving(
    client, officer, coordinator, plan, open_round, monkeypatch
):
    """Both pass the form; the second fails in the service (a rule only the model checks): the first,
    already written in the same transaction, is undone."""
    client.force_login(officer)
    first, second = plan["olivia"]
    data = update_data(first, text="Written first") | update_data(second, text="Refused second")
    original = ProgressUpdate.full_clean

    def refuse_second(update, *args, **kwargs):
        if update.text == "Refused second":
            from django.core.exceptions import ValidationError

            raise ValidationError({"text": "A rule refused this update"})
        return original(update, *args, **kwargs)

    monkeypatch.setattr(ProgressUpdate, "full_clean", refuse_second)

    response = client.post(my_updates(open_round), data)

    assert response.status_code == 200
    assert f'href="#id_action-{second.pk}-text">A rule refused this update' in page(response)
    assert not ProgressUpdate.objects.filter(text__in=["Written first", "Refused second"]).exists()
    first.refresh_from_db()
    assert first.status == Status.NOT_STARTED


def test_a_stale_action_saves_nothing_and_the_lead_can_save_again(client, officer, coordinator, plan, open_round):
    client.force_login(officer)
    first, second = plan["olivia"]
    data = update_data(first, text="Mine, first") | update_data(second, text="Mine, second")
    ProgressUpdateFactory(action=second, author=coordinator, text="The coordinator got there first")

    response = client.post(my_updates(open_round), data)

    text = page(response)
    assert response.status_code == 200
    assert "Someone else updated action 1.2 after you opened this page" in text
    assert not ProgressUpdate.objects.filter(text__startswith="Mine").exists()
    second.refresh_from_db()
    assert f'name="action-{second.pk}-version" value="{second.version}"' in text  # brought up to date

    resubmitted = data | {f"action-{second.pk}-version": str(second.version)}
    assert client.post(my_updates(open_round), resubmitted).status_code == 302
    assert ProgressUpdate.objects.filter(text__startswith="Mine").count() == 2


def test_updates_needing_approval_count_and_say_so(client, officer, plan, open_round):
    plan["challenge"].updates_need_approval = True
    plan["challenge"].save()
    client.force_login(officer)

    response = client.post(my_updates(open_round), update_data(*plan["olivia"], text="For approval", published="on"))

    assert flash(response) == [
        "2 progress updates saved, for actions 1.1 and 1.2. 2 updates are awaiting a coordinator's approval"
    ]
    assert rounds.round_progress(open_round).overall.updated == 2


def test_those_leading_nothing_in_the_round_cannot_post_to_it(client, scrutiny_member, coordinator, plan, open_round):
    for user in (scrutiny_member, coordinator):
        client.force_login(user)
        response = client.post(my_updates(open_round), update_data(plan["olivia"][0], text="Not mine"))
        assert response.status_code == 403
    assert not ProgressUpdate.objects.filter(text="Not mine").exists()


def test_a_coordinator_sees_the_actions_they_lead_in_the_round(client, coordinator, plan):
    led = ActionFactory(recommendation=plan["olivia"][0].recommendation, reference="1.3", lead_officer=coordinator)
    update_round = rounds.open_round(
        challenge=plan["challenge"], by=coordinator, title=TITLE, deadline=timezone.localdate()
    )
    client.force_login(coordinator)

    text = page(client.get(my_updates(update_round)))

    assert f'name="action-{led.pk}-text"' in text and "Action 1.1" not in text


def test_a_lead_who_moved_council_is_refused(client, officer, plan, open_round):
    """Olivia leads 1.1 still, but is no longer a member of Anytown."""
    from recommendations.models import Membership

    Membership.objects.filter(user=officer).update(council=CouncilFactory(name="Elsewhere Borough Council"))
    client.force_login(officer)

    assert client.get(my_updates(open_round)).status_code == 403
    assert client.post(my_updates(open_round), update_data(plan["olivia"][0], text="Gone")).status_code == 403


def test_a_closed_rounds_page_lists_the_actions_without_forms(client, officer, coordinator, plan, open_round):
    rounds.close_round(update_round=open_round, by=coordinator)
    client.force_login(officer)

    text = page(client.get(my_updates(open_round)))
    posted = client.post(my_updates(open_round), update_data(plan["olivia"][0], text="Too late"))

    assert "This round closed on" in text and "Action 1.1" in text and "Save updates" not in text
    assert posted.status_code == 302 and not ProgressUpdate.objects.filter(text="Too late").exists()


def test_the_leads_page_stays_within_query_budget_as_their_actions_grow(client, officer, coordinator, plan):
    client.force_login(officer)

    def queries(actions):
        challenge = PeerChallengeFactory()
        recommendation = RecommendationFactory(theme__challenge=challenge, challenge=challenge)
        ActionFactory.create_batch(actions, recommendation=recommendation, lead_officer=officer)
        update_round = rounds.open_round(
            challenge=challenge, by=coordinator, title="Round", deadline=timezone.localdate()
        )
        ProgressUpdateFactory(action=update_round.actions.first(), author=officer)
        return count_queries(client, my_updates(update_round))

    few = queries(2)
    UpdateRound.objects.update(closed_at=timezone.now())
    assert queries(12) == few <= 9


# A lead's e-mail leads to the page -----------------------------------------------------------------------------


def test_the_leads_email_links_to_their_round_page(
    client, officer, plan, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update_round = rounds.open_round(
            challenge=plan["challenge"], by=coordinator, title=TITLE, deadline=timezone.localdate()
        )
    run_tasks()
    message = next(message for message in mail.outbox if message.to == [officer.email])
    path = re.search(r"https?://[^/\s]+(/\S+)", message.body)[1]
    client.force_login(officer)

    assert path == my_updates(update_round)
    assert "Action 1.1" in page(client.get(path))
    assert Notification.objects.filter(recipient=officer, kind=NotificationKind.ROUND_OPENED).count() == 1


def test_other_councils_coordinator_cannot_see_or_act_on_the_round(client, open_round):
    elsewhere = CouncilFactory(name="Elsewhere Borough Council")
    client.force_login(UserFactory(roles=[(elsewhere, COORDINATOR)]))

    for name in ("round-detail", "round-close", "round-my-updates"):
        assert client.get(url(name, open_round.pk)).status_code == 403
    assert client.get(url("round-list", open_round.challenge.slug)).status_code == 403
    assert client.post(url("round-remind", open_round.pk)).status_code == 403
    assert client.post(url("round-close", open_round.pk)).status_code == 403
    open_round.refresh_from_db()
    assert open_round.is_open and not RoundReminder.objects.exists()
