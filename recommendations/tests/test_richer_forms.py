"""Entering the richer record (issue 12): the council's response to a recommendation, what an action
also answers and depends on, its actual dates, closing an action (will not be taken forward,
superseded) with its reason, progress to date and next steps, on the web forms, the round page and
the admin. The rules themselves are the models' (recommendations/models.py); these tests check that
each form shows their messages beside the right field, keeps what was typed and saves all or nothing."""

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES
from recommendations import rounds
from recommendations.history import action_timeline
from recommendations.models import Action, Approval, ProgressUpdate, Recommendation, Response, Status
from recommendations.roles import COORDINATOR
from recommendations.services import approve_update, change_action, record_progress_update, record_response

from .factories import ActionFactory, CouncilFactory, PeerChallengeFactory, RecommendationFactory, UserFactory
from .queries import count_queries
from .test_notifications import admin_post_data
from .test_plan_management import action_data, edit_data
from .test_progress_updates import form_data as update_data
from .test_progress_updates import update_url

pytestmark = pytest.mark.django_db

LOOP = "already depends on action {}, directly or through other actions: depending on it would make a loop"


def page(response):
    return response.content.decode()


def flash(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def date_parts(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def error_summary(response):
    """The text of the page's error summary (empty when there is none)."""
    text = page(response)
    if "govuk-error-summary" not in text:
        return ""
    start = text.index("govuk-error-summary")
    return html.unescape(text[start : text.index("</ul>", start)])


@pytest.fixture
def plan(led_action):
    """led_action (1.1 here) and, in the same challenge, 1.2 under the same recommendation and 2.1
    under a second one; and an action of another council's challenge."""
    recommendation = led_action.recommendation
    led_action.reference = "1.1"
    led_action.save()
    challenge = recommendation.challenge
    second_recommendation = RecommendationFactory(theme=recommendation.theme, challenge=challenge, title="Spend well")
    elsewhere = PeerChallengeFactory(council=CouncilFactory(name="Elsewhere Borough Council"))
    return {
        "first": led_action,
        "second": ActionFactory(recommendation=recommendation, reference="1.2", description="Refresh the vision"),
        "other": ActionFactory(recommendation=second_recommendation, reference="2.1", description="Balance budget"),
        "recommendation": recommendation,
        "second_recommendation": second_recommendation,
        "elsewhere": ActionFactory(recommendation__theme__challenge=elsewhere, reference="9.9"),
    }


def fresh(action):
    return Action.objects.get(pk=action.pk)


# The council's response to a recommendation ------------------------------------------------------


def response_url(recommendation):
    return reverse(
        "recommendations:recommendation-response", args=[recommendation.challenge.slug, recommendation.number]
    )


def response_data(**overrides):
    return {
        "response": Response.PARTLY_ACCEPTED,
        "response_reason": "The second part is to be addressed through recommendation 3.",
        "response_agreed_by": "Cabinet",
        **date_parts("response_agreed_on", datetime.date(2023, 2, 14)),
        **overrides,
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_the_councils_coordinators_and_admins_may_record_a_response(client, sign_in_as, led_action, role):
    sign_in_as(role)
    recommendation = led_action.recommendation

    opened = client.get(response_url(recommendation))
    saved = client.post(response_url(recommendation), response_data())

    recommendation.refresh_from_db()
    if role in ("coordinator", "admin"):
        assert opened.status_code == 200 and "The council’s response" in page(opened)
        assert saved.status_code == 302 and saved["Location"] == recommendation.get_absolute_url()
        assert recommendation.response == Response.PARTLY_ACCEPTED
    else:
        for response in (opened, saved):
            if role == "anonymous":
                assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
            else:
                assert response.status_code == 403
        assert recommendation.response == Response.NOT_RECORDED


def test_another_councils_coordinator_may_not_record_a_response(client, led_action, other_council):
    client.force_login(UserFactory(username="erin", roles=[(other_council, COORDINATOR)]))

    assert client.get(response_url(led_action.recommendation)).status_code == 403
    assert client.post(response_url(led_action.recommendation), response_data()).status_code == 403
    assert Recommendation.objects.get(pk=led_action.recommendation_id).response == Response.NOT_RECORDED


def test_a_coordinator_records_the_response_with_its_reasons_and_who_agreed_it(client, coordinator, led_action):
    client.force_login(coordinator)
    recommendation = led_action.recommendation

    response = client.post(response_url(recommendation), response_data())

    assert flash(response) == [f"The council's response to recommendation {recommendation.number} saved"]
    recommendation.refresh_from_db()
    assert (
        recommendation.response,
        recommendation.response_reason,
        recommendation.response_agreed_by,
        recommendation.response_agreed_on,
    ) == (
        Response.PARTLY_ACCEPTED,
        "The second part is to be addressed through recommendation 3.",
        "Cabinet",
        datetime.date(2023, 2, 14),
    )
    # The form opens on what was saved.
    form = client.get(response_url(recommendation)).context["form"]
    assert (form["response"].value(), form["response_agreed_by"].value()) == (Response.PARTLY_ACCEPTED, "Cabinet")


@pytest.mark.parametrize("answer", [Response.PARTLY_ACCEPTED, Response.NOT_ACCEPTED])
def test_a_response_short_of_accepting_needs_its_reasons_and_keeps_what_was_typed(
    client, coordinator, led_action, answer
):
    client.force_login(coordinator)

    response = client.post(
        response_url(led_action.recommendation),
        response_data(response=answer, response_reason="  ", response_agreed_by="Full Council meeting"),
    )

    assert response.status_code == 200
    assert "Enter the reasons the council gave for its response" in error_summary(response)
    assert 'href="#id_response_reason"' in error_summary(response)
    assert 'value="Full Council meeting"' in page(response)
    assert page(response).startswith("<!DOCTYPE html>") and "<title>Error: " in page(response)
    assert Recommendation.objects.get(pk=led_action.recommendation_id).response == Response.NOT_RECORDED


def test_an_accepted_response_needs_no_reasons(client, coordinator, led_action):
    client.force_login(coordinator)

    client.post(response_url(led_action.recommendation), response_data(response=Response.ACCEPTED, response_reason=""))

    assert Recommendation.objects.get(pk=led_action.recommendation_id).response == Response.ACCEPTED


def test_a_response_date_in_the_future_or_not_a_real_date_is_refused(client, coordinator, led_action):
    client.force_login(coordinator)
    url = response_url(led_action.recommendation)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    future = client.post(url, response_data(**date_parts("response_agreed_on", tomorrow)))
    unreal = client.post(url, response_data(response_agreed_on_0="31", response_agreed_on_1="2"))

    assert "The date the response was agreed must be today or in the past" in error_summary(future)
    assert "Date the response was agreed must be a real date" in error_summary(unreal)
    assert Recommendation.objects.get(pk=led_action.recommendation_id).response == Response.NOT_RECORDED


def test_who_agreed_a_response_needs_the_response(client, coordinator, led_action):
    client.force_login(coordinator)

    response = client.post(response_url(led_action.recommendation), response_data(response=Response.NOT_RECORDED))

    assert "Choose the council's response, or remove who agreed it and when" in error_summary(response)


def test_the_response_service_checks_the_models_rules(led_action):
    with pytest.raises(ValidationError) as refused:
        record_response(recommendation=led_action.recommendation, response=Response.NOT_ACCEPTED)

    assert refused.value.message_dict == {"response_reason": ["Enter the reasons the council gave for its response"]}


def test_the_response_page_stays_within_query_budget(client, coordinator, led_action):
    client.force_login(coordinator)
    url = response_url(led_action.recommendation)
    few = count_queries(client, url)
    RecommendationFactory.create_batch(10, challenge=led_action.recommendation.challenge)
    ActionFactory.create_batch(10, recommendation=led_action.recommendation)

    assert count_queries(client, url) == few <= 10


# The action form: what it also answers and depends on, actual dates -------------------------------


def action_url(action):
    return reverse("recommendations:action-update", args=[action.pk])


def test_a_coordinator_links_an_action_to_other_recommendations_and_actions(client, coordinator, plan):
    client.force_login(coordinator)
    first = plan["first"]
    start = timezone.localdate() - datetime.timedelta(days=30)

    response = client.post(
        action_url(first),
        edit_data(
            first,
            also_answers=[str(plan["second_recommendation"].pk)],
            depends_on=[str(plan["second"].pk), str(plan["other"].pk)],
            **date_parts("actual_start", start),
        ),
    )

    assert response.status_code == 302, error_summary(response)
    first = fresh(first)
    assert list(first.also_answers.all()) == [plan["second_recommendation"]]
    assert set(first.depends_on.all()) == {plan["second"], plan["other"]}
    assert first.actual_start == start and first.actual_completion is None
    form = page(client.get(action_url(first)))
    assert "Action 1.2: Refresh the vision" in form and f"Recommendation {plan['second_recommendation'].number}" in form


def test_the_form_offers_only_the_challenges_other_recommendations_and_actions(client, coordinator, plan):
    client.force_login(coordinator)

    response = client.get(action_url(plan["first"]))

    form = response.context["form"]
    assert set(form.fields["also_answers"].queryset) == {plan["second_recommendation"]}
    assert list(form.fields["depends_on"].queryset) == [plan["second"], plan["other"]]  # plan order, not itself


def test_another_challenges_recommendation_or_action_is_refused(client, coordinator, plan):
    client.force_login(coordinator)
    first = plan["first"]
    elsewhere = plan["elsewhere"]

    response = client.post(
        action_url(first),
        edit_data(first, also_answers=[str(elsewhere.recommendation_id)], depends_on=[str(elsewhere.pk)]),
    )

    summary = error_summary(response)
    assert "Select recommendations of this peer challenge from the list" in summary
    assert "Select actions of this peer challenge from the list" in summary
    assert not fresh(first).depends_on.exists() and not fresh(first).also_answers.exists()


def test_the_services_refuse_another_challenges_links_and_an_actions_own_recommendation(plan, coordinator):
    first = plan["first"]

    with pytest.raises(ValidationError) as own:
        change_action(
            action=first, author=coordinator, seen_version=first.version, also_answers=[plan["recommendation"]]
        )
    with pytest.raises(ValidationError) as elsewhere:
        change_action(
            action=first, author=coordinator, seen_version=fresh(first).version, depends_on=[plan["elsewhere"]]
        )

    assert "is this action's own recommendation" in str(own.value)
    assert "Action 9.9 belongs to another peer challenge" in str(elsewhere.value)
    assert fresh(first).version == first.version  # rolled back: nothing saved


def test_a_loop_of_dependencies_is_refused_with_its_message_beside_the_field(client, coordinator, plan):
    first, second, other = plan["first"], plan["second"], plan["other"]
    change_action(action=second, author=coordinator, seen_version=second.version, depends_on=[other])
    change_action(action=other, author=coordinator, seen_version=fresh(other).version, depends_on=[first])
    client.force_login(coordinator)
    version = fresh(first).version

    response = client.post(
        action_url(first), edit_data(fresh(first), depends_on=[str(second.pk)], description="Typed and kept")
    )

    assert response.status_code == 200
    summary = error_summary(response)
    assert f"Action 1.2 {LOOP.format('1.1')}" in summary
    assert 'href="#id_depends_on_1"' in summary
    assert "Typed and kept" in page(response)
    first = fresh(first)
    assert first.version == version and not first.depends_on.exists() and first.description != "Typed and kept"


def test_an_action_cannot_depend_on_itself_however_it_is_asked(plan, coordinator):
    first = plan["first"]

    with pytest.raises(ValidationError) as refused:
        change_action(action=first, author=coordinator, seen_version=first.version, depends_on=[first])

    assert "Action 1.1 cannot depend on itself" in str(refused.value)


def test_changing_only_the_links_raises_the_version_and_shows_in_the_history(client, coordinator, plan):
    first = plan["first"]
    client.force_login(coordinator)
    opened = edit_data(fresh(first))  # a form opened before the change

    client.post(action_url(first), edit_data(fresh(first), depends_on=[str(plan["second"].pk)]))

    changed = fresh(first)
    assert changed.version == first.version + 1
    assert changed.history.first().history_change_reason == "Now depends on actions 1.2"
    assert action_timeline(changed)[0].title == "Now depends on actions 1.2"
    # The form opened before is now out of date: its save is refused, and says what changed.
    stale = client.post(action_url(first), opened | {"description": "Overwrites the change"})
    assert stale.status_code == 200
    assert "Someone else changed this action after you opened this page" in page(stale)
    assert list(fresh(first).depends_on.all()) == [plan["second"]]


def test_a_stale_form_saves_none_of_its_links(client, coordinator, plan):
    first = plan["first"]
    client.force_login(coordinator)
    opened = edit_data(
        fresh(first), depends_on=[str(plan["second"].pk)], also_answers=[str(plan["second_recommendation"].pk)]
    )
    change_action(action=first, author=coordinator, seen_version=first.version, description="Changed meanwhile")

    response = client.post(action_url(first), opened)

    assert "Someone else changed this action" in page(response)
    assert not fresh(first).depends_on.exists() and not fresh(first).also_answers.exists()


def test_actual_dates_must_be_in_order_and_not_in_the_future(client, coordinator, plan):
    client.force_login(coordinator)
    first = plan["first"]
    today = timezone.localdate()

    backwards = client.post(
        action_url(first),
        edit_data(
            first,
            **date_parts("actual_start", today - datetime.timedelta(days=5)),
            **date_parts("actual_completion", today - datetime.timedelta(days=10)),
        ),
    )
    future = client.post(
        action_url(first), edit_data(first, **date_parts("actual_start", today + datetime.timedelta(days=1)))
    )

    assert "The actual completion date must be the same as or after the actual start date" in error_summary(backwards)
    assert "The actual start date must be today or in the past" in error_summary(future)
    assert fresh(first).actual_start is None


def test_a_new_action_is_added_with_its_links(client, coordinator, plan):
    client.force_login(coordinator)
    recommendation = plan["recommendation"]
    url = reverse("recommendations:action-create", args=[recommendation.challenge.slug, recommendation.number])

    response = client.post(
        url,
        action_data(
            reference="1.3", depends_on=[str(plan["first"].pk)], also_answers=[str(plan["second_recommendation"].pk)]
        ),
    )

    assert response.status_code == 302, error_summary(response)
    added = recommendation.actions.get(reference="1.3")
    assert list(added.depends_on.all()) == [plan["first"]]
    assert list(added.also_answers.all()) == [plan["second_recommendation"]]


def test_the_change_form_stays_within_query_budget_as_links_grow(client, coordinator, plan):
    client.force_login(coordinator)
    first = plan["first"]
    change_action(action=first, author=coordinator, seen_version=first.version, depends_on=[plan["second"]])
    few = count_queries(client, action_url(first))
    more = ActionFactory.create_batch(10, recommendation=plan["recommendation"])
    RecommendationFactory.create_batch(5, challenge=plan["recommendation"].challenge)
    change_action(action=first, author=coordinator, seen_version=fresh(first).version, depends_on=more)

    assert count_queries(client, action_url(first)) == few


# Closing an action: will not be taken forward, superseded ----------------------------------------


def test_an_action_that_will_not_be_taken_forward_needs_a_reason_and_keeps_what_was_typed(client, officer, plan):
    client.force_login(officer)
    first = plan["first"]

    response = client.post(
        update_url(first),
        update_data(first, status=Status.NOT_TAKEN_FORWARD, closure_reason=" ", text="Typed progress is kept"),
    )

    assert response.status_code == 200
    summary = error_summary(response)
    assert "Enter why the action is closing" in summary and 'href="#id_closure_reason"' in summary
    assert "Typed progress is kept" in page(response)
    assert fresh(first).status == Status.ON_TRACK


def test_an_action_closes_as_not_taken_forward_with_its_reason(client, officer, plan):
    client.force_login(officer)
    first = plan["first"]

    response = client.post(
        update_url(first),
        update_data(
            first,
            status=Status.NOT_TAKEN_FORWARD,
            closure_reason="The service moved to the county council.",
            superseded_by=str(plan["second"].pk),  # a hidden question's answer: ignored
            superseded_reason="Not this one",
        ),
    )

    assert response.status_code == 302
    update = fresh(first).working_update
    assert (update.status, update.closure_reason, update.superseded_by) == (
        Status.NOT_TAKEN_FORWARD,
        "The service moved to the county council.",
        None,
    )
    assert not Action.objects.overdue().filter(pk=first.pk).exists()


def test_a_superseded_action_names_the_action_that_takes_its_place(client, officer, plan):
    client.force_login(officer)
    first = plan["first"]

    missing = client.post(update_url(first), update_data(first, status=Status.SUPERSEDED, closure_reason="Wrong box"))
    saved = client.post(
        update_url(first),
        update_data(
            first,
            status=Status.SUPERSEDED,
            superseded_by=str(plan["other"].pk),
            superseded_reason="Action 2.1 covers the same ground.",
            next_steps="Close the working group.",
        ),
    )

    summary = error_summary(missing)
    assert "Choose the action that supersedes this one" in summary and 'href="#id_superseded_by"' in summary
    assert "Enter why the action is closing" in summary and 'href="#id_superseded_reason"' in summary
    assert saved.status_code == 302
    update = fresh(first).working_update
    assert (update.status, update.superseded_by, update.closure_reason, update.next_steps) == (
        Status.SUPERSEDED,
        plan["other"],
        "Action 2.1 covers the same ground.",
        "Close the working group.",
    )


def test_an_action_is_not_superseded_by_itself_or_another_challenges_action(client, officer, plan):
    client.force_login(officer)
    first = plan["first"]

    for candidate in (first, plan["elsewhere"]):
        response = client.post(
            update_url(first),
            update_data(first, status=Status.SUPERSEDED, superseded_by=str(candidate.pk), superseded_reason="Why"),
        )
        assert "Choose an action from the list" in error_summary(response)
    assert fresh(first).status == Status.ON_TRACK


@pytest.mark.parametrize(
    ("superseded_by", "message"),
    [
        ("itself", "An action cannot supersede itself: choose another action"),
        ("elsewhere", "Choose an action of the same peer challenge"),
        (None, "Choose the action that supersedes this one"),
    ],
)
def test_the_update_service_checks_what_supersedes_an_action(plan, officer, superseded_by, message):
    first = plan["first"]
    candidate = {"itself": first, "elsewhere": plan["elsewhere"], None: None}[superseded_by]

    with pytest.raises(ValidationError) as refused:
        record_progress_update(
            action=first,
            author=officer,
            seen_version=first.version,
            status=Status.SUPERSEDED,
            text="Replaced",
            date=timezone.localdate(),
            closure_reason="Another action covers it",
            superseded_by=candidate,
        )

    assert refused.value.message_dict == {"superseded_by": [message]}


def test_answers_of_a_status_not_chosen_are_not_kept(client, officer, plan):
    client.force_login(officer)
    first = plan["first"]

    client.post(
        update_url(first),
        update_data(
            first,
            status=Status.AT_RISK,
            closure_reason="Typed, then the officer chose At risk",
            superseded_by=str(plan["second"].pk),
            completion_evidence="Not complete after all",
        ),
    )

    update = fresh(first).working_update
    assert update.status == Status.AT_RISK
    assert (update.closure_reason, update.superseded_by, update.completion_evidence) == ("", None, "")


def test_a_closing_update_awaiting_approval_is_published_when_approved(coordinator, officer, plan):
    first = plan["first"]
    challenge = first.recommendation.challenge
    challenge.updates_need_approval = True
    challenge.save()

    update = record_progress_update(
        action=first,
        author=officer,
        seen_version=first.version,
        status=Status.SUPERSEDED,
        text="The work moved to action 2.1",
        next_steps="None: the action is closed",
        date=timezone.localdate(),
        published=True,
        closure_reason="Action 2.1 covers it",
        superseded_by=plan["other"],
    )
    assert update.approval == Approval.AWAITING and fresh(first).public_status == Status.ON_TRACK
    approve_update(update=update, coordinator=coordinator)

    first = fresh(first)
    assert (first.status, first.public_status, first.public_update.superseded_by) == (
        Status.SUPERSEDED,
        Status.SUPERSEDED,
        plan["other"],
    )


def test_a_coordinator_closes_an_action_from_the_action_form(client, coordinator, plan):
    client.force_login(coordinator)
    first = plan["first"]

    missing = client.post(action_url(first), edit_data(first, status=Status.SUPERSEDED))
    saved = client.post(
        action_url(first),
        edit_data(
            first,
            status=Status.SUPERSEDED,
            superseded_by=str(plan["second"].pk),
            superseded_reason="Merged into action 1.2",
        ),
    )

    summary = error_summary(missing)
    assert "Choose the action that supersedes this one" in summary
    assert "Enter why the action is closing" in summary and 'href="#id_superseded_reason"' in summary
    assert saved.status_code == 302, error_summary(saved)
    update = fresh(first).working_update
    assert (update.status, update.superseded_by, update.closure_reason, update.published) == (
        Status.SUPERSEDED,
        plan["second"],
        "Merged into action 1.2",
        True,
    )
    # The form opens on the closing answers; saving it unchanged records no second update.
    reopened = client.get(action_url(first))
    assert reopened.context["form"]["superseded_reason"].value() == "Merged into action 1.2"
    client.post(
        action_url(first),
        edit_data(
            fresh(first),
            status=Status.SUPERSEDED,
            superseded_by=str(plan["second"].pk),
            superseded_reason="Merged into action 1.2",
        ),
    )
    assert fresh(first).progress_updates.filter(status=Status.SUPERSEDED).count() == 1


def test_the_update_form_has_progress_to_date_and_next_steps_apart(client, officer, plan):
    client.force_login(officer)
    first = plan["first"]

    form = page(client.get(update_url(first)))
    client.post(update_url(first), update_data(first, text="Two sessions held.", next_steps="A third in May."))

    assert "Progress to date" in form and "Next steps (optional)" in form
    assert form.index("Progress to date") < form.index("Next steps (optional)")
    assert "Will not be taken forward" in form and "Superseded" in form
    update = fresh(first).working_update
    assert (update.text, update.next_steps) == ("Two sessions held.", "A third in May.")


def test_the_update_form_stays_within_query_budget_as_the_plan_grows(client, officer, plan):
    client.force_login(officer)
    few = count_queries(client, update_url(plan["first"]))
    ActionFactory.create_batch(15, recommendation=plan["recommendation"])

    assert count_queries(client, update_url(plan["first"])) == few


# The round page ---------------------------------------------------------------------------------


@pytest.fixture
def open_round(plan, coordinator):
    return rounds.open_round(
        challenge=plan["recommendation"].challenge,
        by=coordinator,
        title="Quarter 3",
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )


def test_the_round_page_saves_next_steps_and_leaves_closing_to_the_actions_own_page(client, officer, plan, open_round):
    client.force_login(officer)
    first = plan["first"]
    url = reverse("recommendations:round-my-updates", args=[open_round.pk])
    prefix = f"action-{first.pk}"

    text = page(client.get(url))
    closing = client.post(
        url,
        {f"{prefix}-status": Status.NOT_TAKEN_FORWARD, f"{prefix}-text": "Dropped", f"{prefix}-version": first.version},
    )
    saved = client.post(
        url,
        {
            f"{prefix}-status": Status.AT_RISK,
            f"{prefix}-text": "Training booked",
            f"{prefix}-next_steps": "Run it in March",
            f"{prefix}-version": str(first.version),
        },
    )

    assert "Progress to date on action 1.1" in text and "Next steps on action 1.1 (optional)" in text
    assert 'value="not_taken_forward"' not in text and "use its own update page" in text
    assert closing.status_code == 200 and "Select one of the statuses listed" in page(closing)
    assert saved.status_code == 302
    update = fresh(first).working_update
    assert (update.status, update.text, update.next_steps) == (Status.AT_RISK, "Training booked", "Run it in March")


# The admin --------------------------------------------------------------------------------------


def test_the_admin_refuses_a_loop_of_dependencies_on_the_form(client, superuser, coordinator, plan):
    first, second = plan["first"], plan["second"]
    change_action(action=second, author=coordinator, seen_version=second.version, depends_on=[first])
    client.force_login(superuser)
    url = reverse("admin:recommendations_action_change", args=[first.pk])
    data = admin_post_data(client.get(url))

    response = client.post(url, data | {"depends_on": [str(second.pk)]})

    assert response.status_code == 200
    assert f"Action 1.2 {LOOP.format('1.1')}" in page(response)
    assert not fresh(first).depends_on.exists()


def test_the_admin_saves_links_and_actual_dates(client, superuser, plan):
    first = plan["first"]
    client.force_login(superuser)
    url = reverse("admin:recommendations_action_change", args=[first.pk])
    data = admin_post_data(client.get(url))
    start = timezone.localdate() - datetime.timedelta(days=3)

    response = client.post(
        url,
        data
        | {
            "depends_on": [str(plan["other"].pk)],
            "also_answers": [str(plan["second_recommendation"].pk)],
            "actual_start": start.isoformat(),
        },
    )

    assert response.status_code == 302
    first = fresh(first)
    assert list(first.depends_on.all()) == [plan["other"]] and first.actual_start == start
    assert list(first.also_answers.all()) == [plan["second_recommendation"]]
    offered = client.get(url).context["adminform"].form.fields["depends_on"].queryset
    assert plan["elsewhere"] not in offered and first not in offered


def test_the_admin_asks_why_an_update_closes_an_action(client, superuser, plan):
    first = plan["first"]
    client.force_login(superuser)
    url = reverse("admin:recommendations_action_change", args=[first.pk])
    data = admin_post_data(client.get(url))
    update = first.progress_updates.get()
    index = next(key for key, value in data.items() if key.endswith("-id") and value == str(update.pk)).split("-")[1]

    response = client.post(url, data | {f"progress_updates-{index}-status": Status.NOT_TAKEN_FORWARD})

    assert response.status_code == 200
    assert "Enter why the action is closing" in page(response)
    assert ProgressUpdate.objects.get(pk=update.pk).status == Status.ON_TRACK


def test_the_admin_checks_a_recommendations_response(client, superuser, led_action):
    recommendation = led_action.recommendation
    client.force_login(superuser)
    url = reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    data = admin_post_data(client.get(url))

    refused = client.post(url, data | {"response": Response.NOT_ACCEPTED, "response_reason": ""})
    saved = client.post(url, data | {"response": Response.NOT_ACCEPTED, "response_reason": "Not affordable"})

    assert refused.status_code == 200 and "Enter the reasons the council gave for its response" in page(refused)
    assert saved.status_code == 302
    assert Recommendation.objects.get(pk=recommendation.pk).response == Response.NOT_ACCEPTED


# The error summary's links -----------------------------------------------------------------------


def summary_targets(response):
    """{target id of each error summary link: whether the page has an element with that id}."""
    text = page(response)
    start = text.index("govuk-error-summary__list")
    links = re.findall(r'href="#([^"]+)"', text[start : text.index("</ul>", start)])
    return {target: f'id="{target}"' in text for target in links}


def test_an_error_on_radios_links_to_the_first_of_them(client, coordinator, plan):
    """A keyboard or screen reader user follows an error to its field: a group of radios has no
    element with the field's own id, so the link goes to its first option."""
    client.force_login(coordinator)

    response = client.post(response_url(plan["recommendation"]), response_data(response=""))

    assert summary_targets(response) == {"id_response_1": True}
