"""Officers add progress updates to the actions they lead: who may, bad input, stale edits, transactions."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from recommendations.models import Action, ProgressUpdate, Status

from .factories import ActionFactory, ProgressUpdateFactory
from .queries import count_queries

pytestmark = pytest.mark.django_db


def form_data(action, **overrides):
    today = timezone.localdate()
    data = {
        "status": Status.AT_RISK,
        "text": "The working group met twice; the terms of reference are agreed.",
        "percent_complete": "40",
        "evidence_url": "https://democracy.example.gov.uk/report.pdf",
        "date_0": str(today.day),
        "date_1": str(today.month),
        "date_2": str(today.year),
        "published": "on",
        "version": str(action.version),
    }
    data.update(overrides)
    return data


def update_url(action):
    return reverse("recommendations:progress-update-create", args=[action.pk])


ALLOWED = {"lead officer", "coordinator", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_update_form(client, sign_in_as, led_action, role):
    sign_in_as(role)

    response = client.get(update_url(led_action))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in ALLOWED:
        assert response.status_code == 200
        assert "Add a progress update" in response.content.decode()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_who_may_save_an_update_and_nothing_is_written_for_the_others(client, sign_in_as, led_action, role):
    sign_in_as(role)

    response = client.post(update_url(led_action), form_data(led_action))

    led_action.refresh_from_db()
    if role in ALLOWED:
        assert response.status_code == 302
        assert led_action.status == Status.AT_RISK
        assert led_action.progress_updates.exclude(author=None).count() == 1
    else:
        assert response.status_code in (302, 403)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        assert led_action.status == Status.ON_TRACK
        assert not ProgressUpdate.objects.exclude(author=None).exists()  # only the set-up update


@pytest.mark.parametrize("role", ROLES)
def test_action_page_offers_the_update_button_only_to_those_who_may_use_it(client, sign_in_as, led_action, role):
    sign_in_as(role)

    text = client.get(led_action.get_absolute_url()).content.decode()

    assert ("Add a progress update" in text) == (role in ALLOWED)


def test_a_saved_update_records_author_status_and_shows_a_confirmation(client, officer, led_action):
    client.force_login(officer)

    response = client.post(update_url(led_action), form_data(led_action), follow=True)

    update = ProgressUpdate.objects.exclude(author=None).get()
    assert update.author == officer
    assert update.percent_complete == 40
    assert update.published
    text = response.content.decode()
    assert "Progress update saved for action" in text
    assert "govuk-notification-banner--success" in text
    assert "The working group met twice" in text


def test_empty_update_shows_error_summary_and_keeps_what_was_typed(client, officer, led_action):
    client.force_login(officer)

    response = client.post(
        update_url(led_action),
        form_data(led_action, text="", evidence_url="not a web address", percent_complete="140"),
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert 'href="#id_text"' in text
    assert "Enter the progress to date" in text
    assert "Enter a full web address" in text
    assert "Percentage complete must be 100 or less" in text
    assert 'value="not a web address"' in text
    assert not ProgressUpdate.objects.exclude(author=None).exists()  # only the set-up update


def test_update_dated_in_the_future_is_refused(client, officer, led_action):
    client.force_login(officer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.post(
        update_url(led_action),
        form_data(led_action, date_0=str(tomorrow.day), date_1=str(tomorrow.month), date_2=str(tomorrow.year)),
    )

    assert "The date of the update must be today or in the past" in response.content.decode()
    assert not ProgressUpdate.objects.exclude(author=None).exists()  # only the set-up update


def test_marking_complete_asks_for_evidence_and_the_difference_made(client, officer, led_action):
    client.force_login(officer)

    response = client.post(update_url(led_action), form_data(led_action, status=Status.COMPLETE))

    text = response.content.decode()
    assert "Enter the evidence that the action is complete" in text
    assert "Enter what difference the action has made" in text
    assert not ProgressUpdate.objects.exclude(author=None).exists()  # only the set-up update


def test_completed_action_shows_its_evidence_and_difference_on_the_public_page(client, officer, led_action):
    client.force_login(officer)
    client.post(
        update_url(led_action),
        form_data(
            led_action,
            status=Status.COMPLETE,
            completion_evidence="Report to Cabinet, 5 March 2024",
            difference_made="Committee reports are now half as long, with executive summaries",
        ),
    )
    client.logout()

    text = client.get(led_action.get_absolute_url()).content.decode()

    assert "Report to Cabinet, 5 March 2024" in text
    assert "Committee reports are now half as long, with executive summaries" in text


def test_a_status_that_does_not_exist_is_refused(client, officer, led_action):
    client.force_login(officer)

    response = client.post(update_url(led_action), form_data(led_action, status="finished-ish"))

    assert "Select one of the statuses listed" in response.content.decode()
    assert not ProgressUpdate.objects.exclude(author=None).exists()  # only the set-up update


def test_second_submit_based_on_stale_data_is_refused_and_shows_what_changed(client, officer, coordinator, led_action):
    client.force_login(officer)
    stale_version = led_action.version
    # The coordinator saves an update after the officer opened the form.
    coordinator_client = client.__class__()
    coordinator_client.force_login(coordinator)
    coordinator_client.post(update_url(led_action), form_data(led_action, status=Status.OFF_TRACK, text="Stalled"))

    response = client.post(
        update_url(led_action),
        form_data(led_action, version=str(stale_version), text="My careful words about progress"),
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "Someone else updated this action after you opened this page" in text
    assert "Cora Coordinator" in text
    assert "Off track" in text
    assert "My careful words about progress" in text
    led_action.refresh_from_db()
    assert led_action.status == Status.OFF_TRACK
    assert list(led_action.progress_updates.exclude(author=None).values_list("text", flat=True)) == ["Stalled"]


def test_resubmitting_after_seeing_the_changes_saves(client, officer, coordinator, led_action):
    client.force_login(officer)
    ProgressUpdateFactory(action=led_action)
    Action.objects.filter(pk=led_action.pk).update(version=5)

    response = client.post(update_url(led_action), form_data(led_action, version="1"))
    new_version = response.context["form"].data["version"]
    response = client.post(update_url(led_action), form_data(led_action, version=new_version))

    assert response.status_code == 302
    assert led_action.progress_updates.exclude(author=None).count() == 1


def test_update_and_new_status_are_saved_together_or_not_at_all(client, officer, led_action):
    client.force_login(officer)
    client.raise_request_exception = False

    with mock.patch.object(Action, "save", side_effect=RuntimeError("database went away")):
        response = client.post(update_url(led_action), form_data(led_action))

    assert response.status_code == 500
    assert not ProgressUpdate.objects.exclude(author=None).exists()  # only the set-up update
    led_action.refresh_from_db()
    assert led_action.status == Status.ON_TRACK


def test_history_shows_who_changed_what_and_when_to_signed_in_users_only(client, officer, led_action):
    client.force_login(officer)
    client.post(
        update_url(led_action),
        form_data(led_action, status=Status.COMPLETE, completion_evidence="Cabinet report", difference_made="Shorter"),
    )

    text = client.get(led_action.get_absolute_url()).content.decode()
    assert "History" in text
    assert "by Olivia Officer" in text
    assert "Status: On track → Complete" in text

    client.logout()
    public = client.get(led_action.get_absolute_url()).content.decode()
    assert "by Olivia Officer" not in public
    assert "moj-timeline" not in public


class TestMyActions:
    url = reverse("recommendations:my-actions")

    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_officer_sees_only_the_actions_they_lead_overdue_first(self, client, officer):
        later = ActionFactory(lead_officer=officer, description="Later action", due_date=datetime.date(2031, 1, 1))
        sooner = ActionFactory(lead_officer=officer, description="Sooner action", due_date=datetime.date(2030, 1, 1))
        overdue = ActionFactory(lead_officer=officer, description="Overdue action", overdue=True)
        ActionFactory(description="Someone else's action")
        client.force_login(officer)

        text = client.get(self.url).content.decode()

        assert "Someone else&#x27;s action" not in text and "Someone else's action" not in text
        assert text.index(overdue.description) < text.index(sooner.description) < text.index(later.description)
        assert "Overdue" in text

    def test_coordinator_sees_everyones_actions(self, client, coordinator, led_action):
        client.force_login(coordinator)

        assert led_action.description in client.get(self.url).content.decode()

    def test_scrutiny_member_leads_nothing_and_is_told_so(self, client, scrutiny_member, led_action):
        client.force_login(scrutiny_member)

        text = client.get(self.url).content.decode()

        assert "You do not lead any actions yet" in text
        assert led_action.description not in text

    def test_stays_within_query_budget_as_actions_grow(self, client, officer, django_assert_max_num_queries):
        client.force_login(officer)
        ActionFactory.create_batch(3, lead_officer=officer)
        # 9, the header's unread notifications, open update rounds, and what the actions depend on (waiting on)
        with django_assert_max_num_queries(12) as few:
            client.get(self.url)
        ActionFactory.create_batch(30, lead_officer=officer)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(self.url)


def test_update_form_and_action_history_stay_within_query_budget(client, officer, led_action):
    client.force_login(officer)
    client.post(update_url(led_action), form_data(led_action))
    few_form = count_queries(client, update_url(led_action))
    few_page = count_queries(client, led_action.get_absolute_url())
    for _ in range(10):
        led_action.refresh_from_db()
        client.post(update_url(led_action), form_data(led_action))
    assert count_queries(client, update_url(led_action)) == few_form <= 8
    # The action page: 12, and four for issue 12: the actions it depends on, the actions that need it,
    # the recommendations it also answers, and the updates' evidence files.
    assert count_queries(client, led_action.get_absolute_url()) == few_page <= 16
