"""Coordinators own the action plan: adding and changing actions, the action plan table,
approving officers' updates, and the publishing setting."""

import datetime

import pytest
from django.urls import reverse

from conftest import ROLES
from recommendations.models import Action, Approval, ProgressUpdate, Status
from reviews.tests.factories import ConsiderationFactory

from .factories import ActionFactory, ProgressUpdateFactory, UserFactory
from .queries import count_queries
from .test_progress_updates import form_data as update_form_data
from .test_progress_updates import update_url

pytestmark = pytest.mark.django_db

MANAGERS = {"coordinator", "admin"}


def action_data(**overrides):
    data = {
        "reference": "10.3",
        "description": "Train report writers in executive summaries",
        "lead_officer": "",
        "lead_role": "Monitoring Officer",
        "timescale": "Q2 2024/25",
        "due_date_0": "",
        "due_date_1": "",
        "due_date_2": "",
        "status": Status.NOT_STARTED,
        "consideration": "",
        "completion_evidence": "",
        "difference_made": "",
        "version": "",
    }
    data.update(overrides)
    return data


def edit_data(action, **overrides):
    current = {
        "reference": action.reference,
        "description": action.description,
        "lead_officer": str(action.lead_officer_id or ""),
        "lead_role": action.lead_role,
        "timescale": action.timescale,
        "status": action.status,
        "version": str(action.version),
    }
    return action_data(**(current | overrides))


def assert_refused(response, role):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403


@pytest.fixture
def recommendation(led_action):
    return led_action.recommendation


@pytest.fixture
def awaiting_update(led_action, officer):
    return ProgressUpdateFactory(
        action=led_action,
        author=officer,
        published=False,
        approval=Approval.AWAITING,
        text="Please publish me",
        status=Status.AT_RISK,
    )


def page_urls(led_action, awaiting_update):
    recommendation = led_action.recommendation
    challenge = recommendation.challenge
    return {
        "action plan": reverse("recommendations:action-plan"),
        "add action": reverse("recommendations:action-create", args=[challenge.slug, recommendation.number]),
        "change action": reverse("recommendations:action-update", args=[led_action.pk]),
        "approvals": reverse("recommendations:approval-list"),
        "return update": reverse("recommendations:update-return", args=[awaiting_update.pk]),
        "publishing settings": reverse("recommendations:publishing-settings", args=[challenge.slug]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_and_admins_may_open_the_plan_pages(client, sign_in_as, led_action, awaiting_update, role):
    sign_in_as(role)
    for name, url in page_urls(led_action, awaiting_update).items():
        response = client.get(url)
        # Every member of the council reads the action plan table (test_action_plan.py); only managers change it.
        if role in MANAGERS or (name == "action plan" and role != "anonymous"):
            assert response.status_code == 200, name
        else:
            assert_refused(response, role)


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_and_admins_may_change_the_plan_and_nothing_is_written_for_others(
    client, sign_in_as, led_action, awaiting_update, role
):
    sign_in_as(role)
    recommendation = led_action.recommendation
    challenge = recommendation.challenge
    posts = [
        (reverse("recommendations:action-create", args=[challenge.slug, recommendation.number]), action_data()),
        (reverse("recommendations:action-update", args=[led_action.pk]), edit_data(led_action, description="New")),
        (reverse("recommendations:update-approve", args=[awaiting_update.pk]), {}),
        (
            reverse("recommendations:publishing-settings", args=[challenge.slug]),
            {"updates_need_approval": "yes", "publish_lead_names": "no"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if role in MANAGERS:
            assert response.status_code == 302, url
        else:
            assert_refused(response, role)
    led_action.refresh_from_db()
    challenge.refresh_from_db()
    awaiting_update.refresh_from_db()
    if role in MANAGERS:
        assert Action.objects.count() == 2
        assert led_action.description == "New"
        assert awaiting_update.published
        assert challenge.updates_need_approval
    else:
        assert Action.objects.count() == 1
        assert led_action.description != "New"
        assert not awaiting_update.published
        assert not challenge.updates_need_approval


def test_a_quarter_timescale_is_stored_as_a_date_range(client, coordinator, recommendation):
    client.force_login(coordinator)

    client.post(
        reverse("recommendations:action-create", args=[recommendation.challenge.slug, recommendation.number]),
        action_data(),
    )

    action = Action.objects.get(reference="10.3")
    assert (action.starts_on, action.due_date) == (datetime.date(2024, 7, 1), datetime.date(2024, 9, 30))
    assert action.lead_role == "Monitoring Officer"


def test_bad_action_input_shows_errors_and_keeps_what_was_typed(client, coordinator, led_action):
    client.force_login(coordinator)
    url = reverse(
        "recommendations:action-create",
        args=[led_action.recommendation.challenge.slug, led_action.recommendation.number],
    )

    response = client.post(
        url,
        action_data(
            reference=led_action.reference,
            description="",
            due_date_0="31",
            due_date_1="2",
            due_date_2="2024",
            lead_role="Chief Executive",
        ),
    )

    text = response.content.decode()
    assert "There is a problem" in text
    assert "Enter what will be done" in text
    assert f"already has an action {led_action.reference}" in text
    assert 'value="Chief Executive"' in text
    assert Action.objects.count() == 1


def test_closing_an_action_asks_for_evidence_and_difference(client, coordinator, led_action):
    client.force_login(coordinator)
    url = reverse("recommendations:action-update", args=[led_action.pk])

    refused = client.post(url, edit_data(led_action, status=Status.COMPLETE))
    accepted = client.post(
        url,
        edit_data(
            led_action,
            status=Status.COMPLETE,
            completion_evidence="Decision notice",
            difference_made="Residents can see progress",
        ),
    )

    assert "Enter the evidence that the action is complete" in refused.content.decode()
    assert accepted.status_code == 302
    led_action.refresh_from_db()
    assert led_action.status == Status.COMPLETE
    assert led_action.working_update.difference_made == "Residents can see progress"
    assert led_action.working_update.text == "Status changed to Complete when a coordinator changed the action."


def test_reassigning_a_lead_shows_in_both_officers_history(client, coordinator, officer, other_officer, led_action):
    client.force_login(coordinator)
    client.post(
        reverse("recommendations:action-update", args=[led_action.pk]),
        edit_data(led_action, lead_officer=str(other_officer.pk)),
    )

    for user in (officer, other_officer):
        client.force_login(user)
        text = client.get(reverse("recommendations:my-actions")).content.decode()
        assert "moved from Olivia Officer to Owen Other by Cora Coordinator" in text
    led_action.refresh_from_db()
    assert led_action.lead_officer == other_officer


def test_stale_action_edit_is_refused(client, coordinator, led_action):
    client.force_login(coordinator)
    stale = edit_data(led_action, description="My edit")
    Action.objects.filter(pk=led_action.pk).update(version=led_action.version + 1)

    response = client.post(reverse("recommendations:action-update", args=[led_action.pk]), stale)

    assert "Someone else changed this action" in response.content.decode()
    led_action.refresh_from_db()
    assert led_action.description != "My edit"


def test_consideration_becomes_an_action_listed_on_its_page(client, coordinator, recommendation):
    from reviews.tests.factories import ProgressReviewFactory

    consideration = ConsiderationFactory(
        title="Performance Management Framework", review=ProgressReviewFactory(challenge=recommendation.challenge)
    )
    client.force_login(coordinator)
    page = client.get(consideration.get_absolute_url()).content.decode()
    assert f"?consideration={consideration.pk}" in page

    client.post(
        reverse("recommendations:action-create", args=[recommendation.challenge.slug, recommendation.number]),
        action_data(consideration=str(consideration.pk), description="Agree the measures for the Council Plan"),
    )

    client.logout()
    text = client.get(consideration.get_absolute_url()).content.decode()
    assert "Agree the measures for the Council Plan" in text


class TestActionPlan:
    url = reverse("recommendations:action-plan")

    def test_filters_by_status_lead_and_overdue(self, client, coordinator, officer):
        ActionFactory(description="Overdue one", overdue=True, lead_officer=officer)
        ActionFactory(description="Due soon", due_date=datetime.date.today() + datetime.timedelta(days=10))
        ActionFactory(description="Done long ago", overdue=True, status=Status.COMPLETE)
        client.force_login(coordinator)

        overdue = client.get(self.url, {"due": "overdue"}).content.decode()
        soon = client.get(self.url, {"due": "within_30_days"}).content.decode()
        by_lead = client.get(self.url, {"lead": officer.pk}).content.decode()
        complete = client.get(self.url, {"status": Status.COMPLETE}).content.decode()

        assert "Overdue one" in overdue and "Due soon" not in overdue and "Done long ago" not in overdue
        assert "Due soon" in soon and "Overdue one" not in soon
        assert "Overdue one" in by_lead and "Due soon" not in by_lead
        assert "Done long ago" in complete and "Overdue one" not in complete

    def test_sorts_by_due_date(self, client, coordinator):
        ActionFactory(description="Later", due_date=datetime.date(2031, 1, 1))
        ActionFactory(description="Sooner", due_date=datetime.date(2030, 1, 1))
        client.force_login(coordinator)

        ascending = client.get(self.url, {"sort": "due"}).content.decode()
        descending = client.get(self.url, {"sort": "-due"}).content.decode()

        assert ascending.index("Sooner") < ascending.index("Later")
        assert descending.index("Later") < descending.index("Sooner")

    def test_paginates_and_stays_within_query_budget(self, client, coordinator):
        client.force_login(coordinator)
        ActionFactory.create_batch(3, lead_officer=UserFactory())
        few = count_queries(client, self.url)
        ActionFactory.create_batch(60, lead_officer=UserFactory())
        many = count_queries(client, self.url)

        assert many == few <= 14
        assert "Next" in client.get(self.url).content.decode()


class TestApproval:
    def test_officers_update_waits_for_approval_when_the_challenge_asks(self, client, officer, led_action):
        challenge = led_action.recommendation.challenge
        challenge.updates_need_approval = True
        challenge.save()
        client.force_login(officer)

        client.post(update_url(led_action), update_form_data(led_action, text="Waiting for the coordinator"))

        update = ProgressUpdate.objects.exclude(author=None).get()
        assert update.approval == Approval.AWAITING and not update.published
        led_action.refresh_from_db()
        assert led_action.status == Status.ON_TRACK, "an unapproved update must not change the public status"
        client.logout()
        assert "Waiting for the coordinator" not in client.get(led_action.get_absolute_url()).content.decode()
        assert (
            "Waiting for the coordinator"
            not in client.get(led_action.recommendation.get_absolute_url()).content.decode()
        )

    def test_coordinators_own_updates_publish_directly(self, client, coordinator, led_action):
        challenge = led_action.recommendation.challenge
        challenge.updates_need_approval = True
        challenge.save()
        client.force_login(coordinator)

        client.post(update_url(led_action), update_form_data(led_action))

        assert ProgressUpdate.objects.exclude(author=None).get().published

    def test_approval_publishes_the_update(self, client, coordinator, awaiting_update):
        client.force_login(coordinator)
        assert "Please publish me" in client.get(reverse("recommendations:approval-list")).content.decode()

        client.post(reverse("recommendations:update-approve", args=[awaiting_update.pk]))

        awaiting_update.action.refresh_from_db()
        assert awaiting_update.action.status == awaiting_update.status
        client.logout()
        public = client.get(awaiting_update.action.recommendation.get_absolute_url()).content.decode()
        assert "Please publish me" in public
        awaiting_update.refresh_from_db()
        assert awaiting_update.reviewed_by == coordinator

    def test_returned_update_shows_the_reason_to_its_author_and_stays_private(
        self, client, coordinator, officer, awaiting_update
    ):
        client.force_login(coordinator)
        empty = client.post(reverse("recommendations:update-return", args=[awaiting_update.pk]), {"reason": ""})
        assert "Enter why you are returning the update" in empty.content.decode()

        client.post(
            reverse("recommendations:update-return", args=[awaiting_update.pk]),
            {"reason": "Say what difference the working group made"},
        )

        client.force_login(officer)
        mine = client.get(reverse("recommendations:my-actions")).content.decode()
        assert "Say what difference the working group made" in mine
        client.logout()
        assert "Please publish me" not in client.get(awaiting_update.action.get_absolute_url()).content.decode()

    def test_an_update_can_only_be_approved_while_it_is_awaiting(self, client, coordinator):
        draft = ProgressUpdateFactory(published=False)
        client.force_login(coordinator)

        response = client.post(reverse("recommendations:update-approve", args=[draft.pk]), follow=True)

        assert response.redirect_chain[-1][0] == reverse("recommendations:approval-list")
        assert "is no longer awaiting approval" in response.content.decode()
        draft.refresh_from_db()
        assert not draft.published

    def test_approval_list_stays_within_query_budget(self, client, coordinator, officer):
        client.force_login(coordinator)
        url = reverse("recommendations:approval-list")
        ProgressUpdateFactory(author=officer, published=False, approval=Approval.AWAITING)
        few = count_queries(client, url)
        ProgressUpdateFactory.create_batch(20, author=officer, published=False, approval=Approval.AWAITING)
        assert count_queries(client, url) == few <= 10


def test_management_forms_stay_within_query_budget(client, coordinator, led_action, awaiting_update):
    client.force_login(coordinator)
    urls = page_urls(led_action, awaiting_update)
    few = {name: count_queries(client, url) for name, url in urls.items()}
    ActionFactory.create_batch(20, recommendation=led_action.recommendation)
    ProgressUpdateFactory.create_batch(10, action=led_action, published=False, approval=Approval.AWAITING)
    for name, url in urls.items():
        assert count_queries(client, url) == few[name] <= 16, name


def test_returned_update_still_shows_when_the_coordinators_account_is_gone(client, officer, awaiting_update):
    from recommendations.services import return_update

    leaver = UserFactory(username="leaver")
    return_update(update=awaiting_update, coordinator=leaver, reason="Add the evidence link")
    leaver.delete()
    client.force_login(officer)

    response = client.get(reverse("recommendations:my-actions"))

    assert response.status_code == 200
    assert "Returned by a coordinator" in response.content.decode()
