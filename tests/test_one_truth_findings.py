"""Each finding of the "one truth" issue, as a user would meet it, with the behaviour that fixes it.

Why 2: one action, one status everywhere. Why 3: unpublished and unapproved work stays off the
public pages. Why 4: the rules hold on the model, whichever way a change arrives. Why 6: officers'
names are public only where the council publishes them. Why 7: bad input gets a clear message and
writes nothing. (Why 1 is in recommendations/tests/test_load_challenge.py, Why 5 in
tests/test_council_permissions.py, and the parity of every output in tests/test_one_truth.py.)
"""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from recommendations import services
from recommendations.models import Action, Approval, ProgressUpdate, Status
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER
from recommendations.tests.factories import (
    ActionFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    UserFactory,
)
from reports.tests.factories import CommitteeReportFactory

pytestmark = pytest.mark.django_db


def text_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def status_csv(client, action):
    challenge = action.recommendation.challenge
    rows = csv.DictReader(io.StringIO(text_of(client.get(reverse("reports:open-data-csv", args=[challenge.slug])))))
    return {row["action_reference"]: row for row in rows}


def edit_data(action, **changes):
    data = {
        "reference": action.reference,
        "description": action.description,
        "lead_officer": action.lead_officer_id or "",
        "lead_role": action.lead_role,
        "timescale": action.timescale,
        "starts_on_0": "",
        "starts_on_1": "",
        "starts_on_2": "",
        "due_date_0": "",
        "due_date_1": "",
        "due_date_2": "",
        "status": action.status,
        "consideration": "",
        "completion_evidence": "",
        "difference_made": "",
        "version": str(action.version),
    }
    if action.due_date:
        data |= {
            "due_date_0": action.due_date.day,
            "due_date_1": action.due_date.month,
            "due_date_2": action.due_date.year,
        }
    if action.starts_on:
        data |= {
            "starts_on_0": action.starts_on.day,
            "starts_on_1": action.starts_on.month,
            "starts_on_2": action.starts_on.year,
        }
    return data | changes


def update_data(action, **changes):
    today = timezone.localdate()
    return {
        "status": Status.ON_TRACK,
        "text": "The working group met twice",
        "percent_complete": "",
        "evidence_url": "",
        "date_0": today.day,
        "date_1": today.month,
        "date_2": today.year,
        "completion_evidence": "",
        "difference_made": "",
        "published": "on",
        "version": str(action.version),
    } | changes


# Why 2 ---------------------------------------------------------------------------------------------


def test_a_coordinators_completion_shows_the_same_on_the_page_in_open_data_and_in_the_report(client, coordinator):
    action = ActionFactory(reference="1.5", status=Status.ON_TRACK)
    report = CommitteeReportFactory(
        challenge=action.recommendation.challenge, cut_off=timezone.localdate(), meeting_date=timezone.localdate()
    )
    client.force_login(coordinator)

    response = client.post(
        reverse("recommendations:action-update", args=[action.pk]),
        edit_data(
            action,
            status=Status.COMPLETE,
            completion_evidence="Cabinet decision, 5 March",
            difference_made="Residents can follow the plan",
        ),
    )
    assert response.status_code == 302
    client.logout()

    assert ">Complete</strong>" in text_of(client.get(action.get_absolute_url()))
    assert status_csv(client, action)["1.5"]["status"] == "Complete"
    client.force_login(coordinator)
    assert ">Complete</strong>" in text_of(client.get(report.get_absolute_url()))
    content = report.content()
    assert content["themes"][0]["recommendations"][0]["actions"][0]["status"] == Status.COMPLETE


# Why 3 ---------------------------------------------------------------------------------------------


def test_an_update_saved_without_publish_changes_nothing_the_public_sees(client, officer, led_action):
    client.force_login(officer)
    client.post(
        reverse("recommendations:progress-update-create", args=[led_action.pk]),
        update_data(led_action, status=Status.OFF_TRACK, text="Stalled: do not publish", published=""),
    )
    client.logout()

    page = text_of(client.get(led_action.get_absolute_url()))
    assert ">On track</strong>" in page and ">Off track</strong>" not in page
    assert status_csv(client, led_action)[led_action.reference]["status"] == "On track"
    led_action.refresh_from_db()
    assert (led_action.status, led_action.public_status) == (Status.OFF_TRACK, Status.ON_TRACK)


def test_staff_see_both_statuses_labelled_when_they_differ(client, scrutiny_member, led_action):
    ProgressUpdateFactory(action=led_action, status=Status.AT_RISK, published=False, date=timezone.localdate())
    client.force_login(scrutiny_member)

    page = text_of(client.get(led_action.get_absolute_url()))

    assert "Published: " in page and "Not yet published: " in page


def test_an_unpublished_completion_keeps_its_evidence_off_the_public_page(client, officer, led_action):
    client.force_login(officer)
    client.post(
        reverse("recommendations:progress-update-create", args=[led_action.pk]),
        update_data(
            led_action,
            status=Status.COMPLETE,
            published="",
            completion_evidence="Secret draft evidence",
            difference_made="Secret difference",
        ),
    )
    client.logout()

    for url in (led_action.get_absolute_url(), led_action.recommendation.get_absolute_url()):
        page = text_of(client.get(url))
        assert "Secret draft evidence" not in page and "Secret difference" not in page


def test_an_update_awaiting_approval_never_replaces_the_published_evidence(client, officer, coordinator, led_action):
    ProgressUpdateFactory(
        action=led_action,
        status=Status.COMPLETE,
        date=datetime.date(2024, 1, 10),
        completion_evidence="Published evidence",
        difference_made="Published difference",
    )
    challenge = led_action.recommendation.challenge
    services.change_publishing_settings(challenge=challenge, author=coordinator, updates_need_approval=True)
    led_action.refresh_from_db()
    client.force_login(officer)
    client.post(
        reverse("recommendations:progress-update-create", args=[led_action.pk]),
        update_data(
            led_action,
            status=Status.COMPLETE,
            completion_evidence="Unapproved evidence",
            difference_made="Unapproved difference",
        ),
    )
    awaiting = ProgressUpdate.objects.get(approval=Approval.AWAITING)
    client.logout()

    assert "Published evidence" in text_of(client.get(led_action.get_absolute_url()))
    assert "Unapproved evidence" not in text_of(client.get(led_action.get_absolute_url()))

    services.return_update(update=awaiting, coordinator=coordinator, reason="Say what changed")
    page = text_of(client.get(led_action.get_absolute_url()))
    assert "Published evidence" in page and "Unapproved evidence" not in page


def test_the_officer_is_told_their_update_awaits_approval(client, officer, coordinator, led_action):
    services.change_publishing_settings(
        challenge=led_action.recommendation.challenge, author=coordinator, updates_need_approval=True
    )
    led_action.refresh_from_db()
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:progress-update-create", args=[led_action.pk]), update_data(led_action), follow=True
    )

    assert "awaiting a coordinator&#x27;s approval" in response.content.decode()


# Why 4 ---------------------------------------------------------------------------------------------


def test_a_quarter_that_does_not_exist_is_refused_by_the_model():
    action = ActionFactory.build(recommendation=RecommendationFactory(), timescale="Q5 2024/25", due_date=None)

    with pytest.raises(ValidationError) as refused:
        action.full_clean()

    assert "is not a financial-year quarter" in str(refused.value.message_dict["timescale"])


def test_a_quarter_sets_the_dates_whoever_saves_the_action(coordinator):
    action = ActionFactory(timescale="March 2024", due_date=None)

    changed = services.change_action(
        action=action, author=coordinator, seen_version=action.version, timescale="Q3 2025/26"
    )

    assert (changed.starts_on, changed.due_date) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))


def test_saving_an_action_keeps_its_start_date(coordinator):
    action = ActionFactory(
        timescale="From spring", starts_on=datetime.date(2024, 4, 1), due_date=datetime.date(2025, 3, 31)
    )

    changed = services.change_action(
        action=action, author=coordinator, seen_version=action.version, description="Reworded"
    )

    assert changed.starts_on == datetime.date(2024, 4, 1)


def test_a_completed_actions_lead_changes_without_retyping_its_evidence(client, coordinator, officer, other_officer):
    action = ActionFactory(status=Status.COMPLETE, lead_officer=officer)
    client.force_login(coordinator)

    response = client.post(
        reverse("recommendations:action-update", args=[action.pk]),
        edit_data(
            action,
            lead_officer=str(other_officer.pk),
            completion_evidence=action.working_update.completion_evidence,
            difference_made=action.working_update.difference_made,
        ),
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.lead_officer == other_officer
    assert action.progress_updates.count() == 1, "no new update: the status did not change"


def test_every_save_raises_the_version_including_the_admins(client, superuser):
    action = ActionFactory(description="Old words")
    client.force_login(superuser)
    url = reverse("admin:recommendations_action_change", args=[action.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {
        "recommendation": action.recommendation_id,
        "description": "Corrected by the admin",
        "lead_officer": "",
        "consideration": "",
        "starts_on": "",
        "due_date": "2030-03-31",
        "progress_updates-TOTAL_FORMS": "0",
        "progress_updates-INITIAL_FORMS": "0",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    action.refresh_from_db()
    assert (action.description, action.version) == ("Corrected by the admin", 2)


# Why 6 ---------------------------------------------------------------------------------------------


def test_officers_names_are_public_only_where_the_council_publishes_them(client, officer, coordinator):
    action = ActionFactory(lead_officer=officer, lead_role="Monitoring Officer", status=Status.ON_TRACK)
    ProgressUpdateFactory(action=action, author=officer, text="Written by the officer", date=timezone.localdate())
    urls = [action.get_absolute_url(), action.recommendation.get_absolute_url()]

    for url in urls:
        page = text_of(client.get(url))
        assert "Monitoring Officer" in page and "Olivia Officer" not in page
    assert status_csv(client, action)[action.reference]["lead_role"] == "Monitoring Officer"

    services.change_publishing_settings(
        challenge=action.recommendation.challenge, author=coordinator, publish_lead_names=True
    )
    for url in urls:
        assert "Olivia Officer" in text_of(client.get(url))


# Why 7 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["0001", "1900"])
def test_an_update_dated_before_the_challenge_is_refused_with_a_message(client, officer, led_action, year):
    client.force_login(officer)

    response = client.post(
        reverse("recommendations:progress-update-create", args=[led_action.pk]),
        update_data(led_action, date_0="1", date_1="1", date_2=year),
    )

    page = text_of(response)
    assert "There is a problem" in page
    assert "when the peer challenge began" in page or "year with 4 numbers" in page
    assert not led_action.progress_updates.exclude(author=None).exists()


def test_an_impossible_date_gets_a_govuk_message(client, officer, led_action):
    client.force_login(officer)

    page = text_of(
        client.post(
            reverse("recommendations:progress-update-create", args=[led_action.pk]),
            update_data(led_action, date_0="31", date_1="2", date_2="2024"),
        )
    )

    assert "Date of the update must be a real date" in page
    assert "day is out of range" not in page


def test_the_model_refuses_an_update_dated_before_the_challenge():
    action = ActionFactory()
    update = ProgressUpdate(action=action, date=datetime.date(1, 1, 1), text="Typo", status=Status.ON_TRACK)

    with pytest.raises(ValidationError) as refused:
        update.full_clean()

    assert "date" in refused.value.message_dict


@pytest.mark.parametrize("version", [None, "", "abc", "0"])
def test_a_missing_or_broken_version_gets_a_message_not_a_blank_problem(client, officer, led_action, version):
    client.force_login(officer)
    data = update_data(led_action)
    if version is None:
        del data["version"]
    else:
        data["version"] = version

    page = text_of(client.post(reverse("recommendations:progress-update-create", args=[led_action.pk]), data))

    assert "This page is out of date or incomplete" in page
    assert 'value="The working group met twice"' in page or "The working group met twice" in page


def test_a_very_long_username_at_sign_in_is_refused_with_a_message(client):
    response = client.post(reverse("login"), {"username": "a" * 256, "password": "whatever-it-is"})

    page = text_of(response)
    assert "usernames are 150 characters or fewer" in page


def test_approving_a_returned_update_says_who_returned_it(client, coordinator, officer, led_action):
    update = ProgressUpdateFactory(action=led_action, author=officer, published=False, approval=Approval.AWAITING)
    other_coordinator = UserFactory(first_name="Chris", last_name="Coordinator", roles=[COORDINATOR])
    services.return_update(update=update, coordinator=other_coordinator, reason="Add the date of the meeting")
    client.force_login(coordinator)

    response = client.post(reverse("recommendations:update-approve", args=[update.pk]), follow=True)

    assert "Chris Coordinator returned this update" in response.content.decode()
    update.refresh_from_db()
    assert update.approval == Approval.RETURNED and not update.published


def test_of_two_coordinators_reviewing_at_once_only_the_first_wins(coordinator, officer, led_action):
    update = ProgressUpdateFactory(action=led_action, author=officer, published=False, approval=Approval.AWAITING)
    stale_copy = ProgressUpdate.objects.get(pk=update.pk)
    services.approve_update(update=update, coordinator=coordinator)

    with pytest.raises(services.AlreadyReviewed) as second:
        services.return_update(update=stale_copy, coordinator=UserFactory(roles=[COORDINATOR]), reason="No")

    assert "Cora Coordinator approved this update" in second.value.message
    update.refresh_from_db()
    assert update.approval == Approval.APPROVED and update.published


def test_a_duplicate_reference_race_ends_in_a_form_error(client, coordinator):
    recommendation = RecommendationFactory()
    ActionFactory(recommendation=recommendation, reference="3.1")
    client.force_login(coordinator)
    data = {
        "reference": "3.1",
        "description": "Same number, added at the same moment",
        "status": "not_started",
        "lead_officer": "",
        "lead_role": "",
        "timescale": "",
        "consideration": "",
        "completion_evidence": "",
        "difference_made": "",
        "version": "",
    }
    # The form's own check passed for both people before either saved: the database decides.
    with mock.patch("recommendations.forms.ActionForm.clean_reference", lambda form: form.cleaned_data["reference"]):
        with mock.patch.object(Action, "full_clean"):
            response = client.post(
                reverse("recommendations:action-create", args=[recommendation.challenge.slug, recommendation.number]),
                data,
            )

    page = text_of(response)
    assert "already has an action with this number" in page
    assert Action.objects.filter(reference="3.1").count() == 1


def test_the_home_page_and_reports_survive_an_old_stored_date(client, coordinator):
    """Bad dates written before the model checked them (or straight into the database) never break a page."""
    action = ActionFactory(status=Status.ON_TRACK)
    update = ProgressUpdateFactory(action=action)
    ProgressUpdate.objects.filter(pk=update.pk).update(date=datetime.date(1, 1, 1))
    report = CommitteeReportFactory(
        challenge=action.recommendation.challenge, cut_off=timezone.localdate(), meeting_date=timezone.localdate()
    )

    assert client.get(reverse("home")).status_code == 200
    client.force_login(coordinator)
    assert client.get(report.get_absolute_url()).status_code == 200


def test_a_scrutiny_member_cannot_be_made_a_lead(coordinator):
    scrutiny = UserFactory(roles=[SCRUTINY_MEMBER])
    action = ActionFactory()

    with pytest.raises(ValidationError) as refused:
        services.change_action(action=action, author=coordinator, seen_version=action.version, lead_officer=scrutiny)

    assert "lead_officer" in refused.value.message_dict
    action.refresh_from_db()
    assert action.lead_officer is None


def test_an_officer_of_the_council_can_be_made_a_lead(coordinator):
    officer = UserFactory(roles=[OFFICER])
    action = ActionFactory()

    changed = services.change_action(
        action=action, author=coordinator, seen_version=action.version, lead_officer=officer
    )

    assert changed.lead_officer == officer
