"""What the pages show of the richer record (issue 12): the council's response to each recommendation,
actions that also answer other recommendations, dependencies and what an action is waiting on,
planned and actual dates with slippage, overdue and not yet due counted apart, the closing states
(will not be taken forward, superseded) with their reasons, progress to date and next steps, and the
peer team's assessment beside the council's own status. The public only ever reads published text."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import ROLL_UP_RULE, Approval, EvidenceFile, Response, Status
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER
from reviews.models import PeerAssessment, PeerRating
from reviews.tests.factories import ProgressReviewFactory

from .factories import (
    ActionFactory,
    CouncilFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from .queries import SIGNED_IN_QUERIES, count_queries

pytestmark = pytest.mark.django_db

PLAN = reverse("recommendations:action-plan")
CSV = reverse("recommendations:action-plan-csv")
MY_ACTIONS = reverse("recommendations:my-actions")


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def seen(response):
    """The page's text as a reader sees it: tags dropped, entities decoded, white space collapsed."""
    assert response.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+([,.;:)])", r"\1", re.sub(r"\s+", " ", text))


@pytest.fixture
def plan():
    """Anytown Council's challenge with two recommendations in one theme."""
    challenge = PeerChallengeFactory()
    theme = ThemeFactory(challenge=challenge, number=1)
    first = RecommendationFactory(theme=theme, challenge=challenge, number=1, title="Refresh the council plan")
    second = RecommendationFactory(theme=theme, challenge=challenge, number=2, title="Strengthen scrutiny")
    return first, second


def publish(action, status, *, date=datetime.date(2023, 1, 1), **fields):
    return ProgressUpdateFactory(action=action, status=status, date=date, published=True, **fields)


def draft(action, status, *, date=None, **fields):
    return ProgressUpdateFactory(action=action, status=status, date=date or days(0), published=False, **fields)


# The recommendation page ---------------------------------------------------------------------------------


def test_the_councils_response_shows_its_reasons_and_who_agreed_it_when(client, plan):
    recommendation, _ = plan
    recommendation.response = Response.PARTLY_ACCEPTED
    recommendation.response_reason = "The council will review scrutiny within its existing budget."
    recommendation.response_agreed_by = "Cabinet"
    recommendation.response_agreed_on = datetime.date(2023, 2, 14)
    recommendation.save()

    text = seen(client.get(recommendation.get_absolute_url()))

    assert "The council's response Partly accepted" in text
    assert "The council will review scrutiny within its existing budget." in text
    assert "Agreed by Cabinet on 14 February 2023" in text


def test_a_response_not_yet_recorded_says_so(client, plan):
    recommendation, _ = plan

    text = seen(client.get(recommendation.get_absolute_url()))

    assert "The council's response Not yet recorded" in text
    assert "Agreed by" not in text


@pytest.mark.parametrize(
    ("role", "sees_link"),
    [
        ("anonymous", False),
        ("lead officer", False),
        ("scrutiny member", False),
        ("coordinator", True),
        ("admin", True),
    ],
)
def test_only_the_councils_coordinators_get_the_link_to_change_its_response(client, sign_in_as, plan, role, sees_link):
    recommendation, _ = plan
    sign_in_as(role)
    link = reverse("recommendations:recommendation-response", args=[recommendation.challenge.slug, 1])

    text = client.get(recommendation.get_absolute_url()).content.decode()

    assert (f'href="{link}">Change the council\'s response</a>' in text) is sees_link


def test_another_councils_coordinator_gets_no_link_to_change_the_response(client, plan, other_council):
    recommendation, _ = plan
    client.force_login(UserFactory(roles=[(other_council, COORDINATOR)]))

    assert "Change the council's response" not in seen(client.get(recommendation.get_absolute_url()))


def test_actions_of_other_recommendations_that_also_answer_it_are_listed_with_their_status(client, plan):
    first, second = plan
    shared = ActionFactory(
        recommendation=second, reference="2.1", description="Joint member development programme", status="off_track"
    )
    shared.also_answers.add(first)

    first_page = seen(client.get(first.get_absolute_url()))
    action_page = seen(client.get(shared.get_absolute_url()))

    assert "Also answered by Actions of other recommendations that also answer this one" in first_page
    assert "Action 2.1 (recommendation 2): Joint member development programme Off track" in first_page
    # Its status counts towards its own recommendation only: the first has no actions of its own.
    assert "Status Not started 0 of 0 actions complete" in first_page
    assert "Also answers Recommendation 1: Refresh the council plan" in action_page
    assert "Also answered by" not in seen(client.get(second.get_absolute_url()))


def test_the_roll_up_rule_is_stated_beside_the_status(client, plan):
    recommendation, _ = plan

    text = seen(client.get(recommendation.get_absolute_url()))

    assert f"How this status is worked out {ROLL_UP_RULE}" in text


def test_dropped_actions_are_counted_apart_in_the_recommendations_status(client, plan):
    recommendation, _ = plan
    ActionFactory(recommendation=recommendation, status="complete")
    dropped = ActionFactory(recommendation=recommendation)
    publish(dropped, Status.NOT_TAKEN_FORWARD, closure_reason="Funding withdrawn")

    text = seen(client.get(recommendation.get_absolute_url()))

    assert "Status Complete 1 of 2 actions complete; 1 will not be taken forward or is superseded" in text


@pytest.fixture
def assessed(plan):
    """Recommendation 1, assessed at a progress review on 16 October 2023 as showing limited progress,
    when its one action's published status was On track (it was completed after the review, and an
    unpublished Off track draft written before it never counted)."""
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation)
    publish(action, Status.ON_TRACK, date=datetime.date(2023, 9, 1))
    draft(action, Status.OFF_TRACK, date=datetime.date(2023, 10, 1))
    publish(action, Status.COMPLETE, date=datetime.date(2023, 11, 1))
    review = ProgressReviewFactory(challenge=recommendation.challenge, on_site=datetime.date(2023, 10, 16))
    PeerAssessment.objects.create(
        review=review,
        recommendation=recommendation,
        rating=PeerRating.LIMITED,
        text="The new plan is not yet shaping decisions.",
    )
    return recommendation, review


def test_the_peer_teams_assessment_is_shown_beside_the_councils_status_on_the_review_day(client, assessed):
    recommendation, review = assessed

    text = seen(client.get(recommendation.get_absolute_url()))

    assert "The peer team's assessment" in text
    assert "Progress review, 16 October 2023" in text
    assert "The peer team's view Limited progress The new plan is not yet shaping decisions." in text
    assert "The council's status on 16 October 2023 On track" in text
    assert "Do they agree? Differs The peer team saw limited progress; the council reported On track" in text
    # Today the recommendation is complete: the comparison is with the day of the review.
    assert "Status Complete" in text


def test_an_assessment_that_agrees_says_so(client, assessed):
    recommendation, _ = assessed
    recommendation.peer_assessments.update(rating=PeerRating.SOME)

    text = seen(client.get(recommendation.get_absolute_url()))

    assert "Do they agree? They agree" in text
    assert "Differs" not in text


def test_without_an_assessment_the_section_is_left_out(client, plan):
    recommendation, _ = plan

    assert "The peer team's assessment" not in seen(client.get(recommendation.get_absolute_url()))


# The action page: dates and slippage ---------------------------------------------------------------------


def test_planned_and_actual_dates_and_slippage_of_a_late_completion(client, plan):
    recommendation, _ = plan
    action = ActionFactory(
        recommendation=recommendation,
        starts_on=datetime.date(2023, 1, 1),
        due_date=datetime.date(2023, 6, 30),
        actual_start=datetime.date(2023, 2, 1),
        actual_completion=datetime.date(2023, 7, 10),
    )
    publish(action, Status.COMPLETE, date=datetime.date(2023, 7, 12))

    text = seen(client.get(action.get_absolute_url()))

    assert "Planned start 1 January 2023" in text
    assert "Due date 30 June 2023 Actual start" in text  # neither overdue nor "not yet due": it is done
    assert "Actual start 1 February 2023" in text
    assert "Actual completion 10 July 2023" in text
    assert "Slippage 10 days late" in text
    assert "Overdue" not in text


def test_a_complete_action_without_an_actual_completion_date_finished_on_its_complete_update(client, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation, due_date=datetime.date(2023, 6, 30))
    publish(action, Status.COMPLETE, date=datetime.date(2023, 6, 20))

    text = seen(client.get(action.get_absolute_url()))

    assert "Actual completion 20 June 2023" in text
    assert "Slippage On time" in text


def test_an_open_action_past_its_due_date_is_overdue_and_counts_its_days_late(client, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation, due_date=days(-12), status="on_track")

    text = seen(client.get(action.get_absolute_url()))

    assert "Overdue: past its due date and not finished" in text
    assert "Slippage 12 days late, and counting" in text
    assert "Actual start Not recorded" in text
    assert "Actual completion Not complete" in text


def test_an_open_action_with_its_due_date_ahead_is_not_yet_due(client, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation, due_date=days(30), status="on_track")

    text = seen(client.get(action.get_absolute_url()))

    assert f"Due date {days(30):%-d %B %Y} Not yet due" in text
    assert "Overdue" not in text


def test_a_dropped_action_past_its_due_date_is_neither_overdue_nor_late(client, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation, due_date=days(-30))
    publish(action, Status.NOT_TAKEN_FORWARD, closure_reason="Funding withdrawn")

    text = seen(client.get(action.get_absolute_url()))

    assert "Overdue" not in text
    assert "Not yet due" not in text
    assert "Slippage None: the action closed without being done" in text


def test_staff_read_dates_by_the_working_status_and_the_public_by_the_published_one(client, officer, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation, due_date=days(-10), status="on_track")
    draft(action, Status.COMPLETE, date=days(-4))

    public = seen(client.get(action.get_absolute_url()))
    client.force_login(officer)
    staff = seen(client.get(action.get_absolute_url()))

    assert "Actual completion Not complete" in public
    assert "Slippage 10 days late, and counting" in public
    assert f"Actual completion {days(-4):%-d %B %Y}" in staff
    assert "Slippage 6 days late" in staff
    assert "and counting" not in staff


# The action page: links to other actions -------------------------------------------------------------------


@pytest.fixture
def chain(plan):
    """Action 1.2 depends on action 1.1; action 2.1 needs action 1.2."""
    first, second = plan
    before = ActionFactory(recommendation=first, reference="1.1", description="Agree the new plan's outcomes")
    action = ActionFactory(recommendation=first, reference="1.2", description="Publish the new council plan")
    after = ActionFactory(recommendation=second, reference="2.1", description="Scrutinise delivery of the plan")
    action.depends_on.add(before)
    after.depends_on.add(action)
    return before, action, after


def test_depends_on_and_needed_by_are_listed_with_their_status(client, chain):
    before, action, after = chain
    publish(before, Status.ON_TRACK)

    text = seen(client.get(action.get_absolute_url()))

    assert (
        "Depends on This action cannot finish before these do. Action 1.1: Agree the new plan's outcomes On track"
        in text
    )
    assert "Needed by These actions cannot finish before this one does. Action 2.1: Scrutinise delivery" in text
    assert "Not started" in text.split("Needed by", 1)[1]
    assert "Waiting on" not in text
    assert "Holding this action up" not in text


@pytest.mark.parametrize(
    ("status", "due", "why"),
    [
        (Status.OFF_TRACK, 30, "off track"),
        (Status.AT_RISK, 30, "at risk"),
        (Status.ON_TRACK, -3, "overdue"),
        (Status.OFF_TRACK, -3, "off track and overdue"),
    ],
)
def test_an_action_is_waiting_on_what_it_depends_on_when_that_slips(client, chain, status, due, why):
    before, action, after = chain
    before.due_date = days(due)
    before.save()
    publish(before, status)

    text = seen(client.get(action.get_absolute_url()))
    needing = seen(client.get(after.get_absolute_url()))

    assert f"Warning Waiting on action 1.1, which is {why}. This action cannot finish before that one does." in text
    assert "Holding this action up" in text
    # The action after it is not waiting: what it depends on (1.2) is itself neither late nor slipping.
    assert "Waiting on" not in needing


@pytest.mark.parametrize(("status", "due"), [(Status.ON_TRACK, 30), (Status.NOT_STARTED, None), (Status.COMPLETE, -3)])
def test_an_action_is_not_waiting_on_what_is_on_course_or_finished(client, chain, status, due):
    before, action, _ = chain
    before.due_date = days(due) if due is not None else None
    before.save()
    if status != Status.NOT_STARTED:
        publish(before, status)

    assert "Waiting on" not in seen(client.get(action.get_absolute_url()))


def test_a_slipping_action_says_the_actions_that_need_it_are_waiting_on_it(client, chain):
    _, action, _ = chain
    publish(action, Status.AT_RISK)

    text = seen(client.get(action.get_absolute_url()))

    assert "This action is at risk, so they are waiting on it." in text


def test_the_public_is_not_told_of_a_wait_only_an_unpublished_update_shows(client, officer, chain):
    before, action, _ = chain
    draft(before, Status.OFF_TRACK)

    public = seen(client.get(action.get_absolute_url()))
    client.force_login(officer)
    staff = seen(client.get(action.get_absolute_url()))

    assert "Waiting on" not in public
    assert "Waiting on action 1.1, which is off track" in staff


def test_several_waits_are_listed_together(client, chain, plan):
    before, action, _ = chain
    other = ActionFactory(recommendation=plan[0], reference="1.3", status="at_risk")
    action.depends_on.add(other)
    publish(before, Status.OFF_TRACK)

    text = seen(client.get(action.get_absolute_url()))

    assert (
        "Waiting on action 1.1, which is off track, and action 1.3, which is at risk. "
        "This action cannot finish before those do." in text
    )


# The action page: closing states, progress to date and next steps ----------------------------------------


def test_an_action_that_will_not_be_taken_forward_shows_why(client, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation)
    publish(action, Status.NOT_TAKEN_FORWARD, closure_reason="The combined authority now runs this programme.")

    text = seen(client.get(action.get_absolute_url()))

    assert "Will not be taken forward Why it will not be taken forward The combined authority now runs" in text


def test_a_superseded_action_links_to_the_action_that_replaced_it_and_says_why(client, plan):
    recommendation, _ = plan
    replacement = ActionFactory(recommendation=recommendation, reference="1.9", description="One training plan")
    action = ActionFactory(recommendation=recommendation)
    publish(action, Status.SUPERSEDED, superseded_by=replacement, closure_reason="Merged into one plan.")

    response = client.get(action.get_absolute_url())
    text = seen(response)

    assert "Superseded Superseded by action 1.9: One training plan Why it was superseded Merged into one plan." in text
    assert f'href="{replacement.get_absolute_url()}">action 1.9</a>' in response.content.decode()


def test_the_public_never_reads_an_unpublished_closure_or_next_steps(client, officer, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation)
    publish(action, Status.ON_TRACK, text="Consultation finished.", next_steps="Report to Cabinet in March.")
    draft(
        action,
        Status.NOT_TAKEN_FORWARD,
        text="Stopped.",
        next_steps="Tell the partners in writing.",
        closure_reason="The budget was cut in the autumn statement.",
    )

    public = seen(client.get(action.get_absolute_url()))
    client.force_login(officer)
    staff = seen(client.get(action.get_absolute_url()))

    assert "Progress to date Consultation finished. Next steps Report to Cabinet in March." in public
    for secret in ("Tell the partners in writing", "The budget was cut", "Will not be taken forward"):
        assert secret not in public
    assert "Will not be taken forward Not for publication The public does not see this yet." in staff
    assert "Why it will not be taken forward The budget was cut in the autumn statement." in staff
    assert "Progress to date Stopped. Next steps Tell the partners in writing." in staff


def test_the_public_reads_a_published_closure_even_when_a_newer_draft_exists(client, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation)
    publish(action, Status.NOT_TAKEN_FORWARD, closure_reason="Replaced by national guidance.")
    draft(action, Status.ON_TRACK, text="Restarted after all.")

    text = seen(client.get(action.get_absolute_url()))

    assert "Why it will not be taken forward Replaced by national guidance." in text
    assert "Restarted after all" not in text


def test_an_update_without_next_steps_has_no_next_steps_heading(client, plan):
    recommendation, _ = plan
    action = ActionFactory(recommendation=recommendation)
    publish(action, Status.ON_TRACK, text="Started the work.", next_steps="")

    text = seen(client.get(action.get_absolute_url()))

    assert "Progress to date Started the work." in text
    assert "Next steps" not in text


# The action plan and My actions ----------------------------------------------------------------------------


@pytest.fixture
def waiting_plan(plan, officer):
    """Action 1.2 (led by the officer) waits on action 1.1, off track; action 1.1 is 5 days overdue."""
    first, _ = plan
    before = ActionFactory(recommendation=first, reference="1.1", due_date=days(-5), status="off_track")
    action = ActionFactory(recommendation=first, reference="1.2", lead_officer=officer, due_date=days(20))
    action.depends_on.add(before)
    return before, action


def test_the_action_plan_marks_waiting_actions_and_slippage(client, scrutiny_member, waiting_plan):
    client.force_login(scrutiny_member)

    text = seen(client.get(PLAN))

    assert "Waiting on action 1.1 (off track and overdue)" in text
    assert "Slippage: 5 days late" in text
    assert "Slippage: On time" in text


def test_my_actions_marks_waiting_actions_and_slippage(client, officer, waiting_plan):
    client.force_login(officer)

    text = seen(client.get(MY_ACTIONS))

    assert "Waiting on action 1.1 (off track and overdue)" in text
    assert "Slippage: On time" in text


def test_the_status_filter_offers_the_closing_states_and_still_open_leaves_them_out(client, scrutiny_member, plan):
    recommendation, _ = plan
    for reference, status in [("1.1", Status.NOT_TAKEN_FORWARD), ("1.2", Status.SUPERSEDED), ("1.3", Status.ON_TRACK)]:
        action = ActionFactory(recommendation=recommendation, reference=reference, description=f"Action {reference}")
        publish(
            action,
            status,
            closure_reason="Closed" if status != Status.ON_TRACK else "",
            superseded_by=ActionFactory(recommendation=recommendation, reference="1.9", description="Action 1.9")
            if status == Status.SUPERSEDED
            else None,
        )
    client.force_login(scrutiny_member)

    page = client.get(PLAN)
    listed = {
        value: {a.description for a in client.get(PLAN, {"status": value}).context["paginator"].object_list}
        for value in ("not_taken_forward", "superseded", "open")
    }

    assert '<option value="not_taken_forward">Will not be taken forward</option>' in page.content.decode()
    assert '<option value="superseded">Superseded</option>' in page.content.decode()
    assert listed["not_taken_forward"] == {"Action 1.1"}
    assert listed["superseded"] == {"Action 1.2"}
    assert listed["open"] == {"Action 1.3", "Action 1.9"}


def test_overdue_leaves_out_actions_that_will_not_be_taken_forward_or_are_superseded(client, scrutiny_member, plan):
    recommendation, _ = plan
    late = ActionFactory(recommendation=recommendation, description="Late and open", due_date=days(-3))
    dropped = ActionFactory(recommendation=recommendation, description="Late but dropped", due_date=days(-3))
    publish(dropped, Status.NOT_TAKEN_FORWARD, closure_reason="No longer needed")
    client.force_login(scrutiny_member)

    response = client.get(PLAN, {"due": "overdue"})

    assert {a.description for a in response.context["paginator"].object_list} == {late.description}


def test_the_csv_has_planned_and_actual_dates_days_late_and_what_each_waits_on(client, scrutiny_member, waiting_plan):
    import csv
    import io

    before, action = waiting_plan
    action.starts_on = days(-40)
    action.actual_start = days(-35)
    action.save()
    client.force_login(scrutiny_member)

    rows = {row["Action"]: row for row in csv.DictReader(io.StringIO(client.get(CSV).content.decode("utf-8-sig")))}

    assert rows["1.2"]["Planned start"] == days(-40).isoformat()
    assert rows["1.2"]["Due date"] == days(20).isoformat()
    assert rows["1.2"]["Actual start"] == days(-35).isoformat()
    assert rows["1.2"]["Actual completion"] == ""
    assert rows["1.2"]["Days late"] == "0"
    assert rows["1.2"]["Waiting on"] == "1.1 (off track and overdue)"
    assert rows["1.1"]["Days late"] == "5"
    assert rows["1.1"]["Overdue"] == "Yes"
    assert rows["1.1"]["Waiting on"] == ""


# The challenge and theme pages ------------------------------------------------------------------------------


def test_summaries_count_overdue_and_not_yet_due_apart_and_the_closing_states_apart(client, plan):
    recommendation, _ = plan
    ActionFactory(recommendation=recommendation, due_date=days(-3), status="on_track")
    ActionFactory(recommendation=recommendation, due_date=days(-3), status="at_risk")
    ActionFactory(recommendation=recommendation, due_date=days(10), status="on_track")
    ActionFactory(recommendation=recommendation, due_date=None)
    ActionFactory(recommendation=recommendation, due_date=days(-3), status="complete")
    dropped = ActionFactory(recommendation=recommendation, due_date=days(-3))
    publish(dropped, Status.NOT_TAKEN_FORWARD, closure_reason="No longer needed")
    unpublished_late = ActionFactory(recommendation=recommendation, due_date=days(30), status="on_track")
    draft(unpublished_late, Status.COMPLETE)  # the public summary counts it not yet due

    for url in (recommendation.challenge.get_absolute_url(), recommendation.theme.get_absolute_url()):
        text = seen(client.get(url))

        assert "Overdue: past their due date and still open 2" in text
        assert "Not yet due 2" in text
        assert "Still open, with no due date 1" in text
        assert "Complete 1 Will not be taken forward, or superseded 1" in text

    text = seen(client.get(recommendation.challenge.get_absolute_url()))
    assert "Not started On track At risk Off track Complete Will not be taken forward Superseded Total" in text


# Query budgets ---------------------------------------------------------------------------------------------


def grow_links(recommendations, n):
    """n more actions on each recommendation, each depending on the one before and also answering the
    other recommendation, with a published update (dropped, for one in three) and a review assessment."""
    first, second = recommendations
    previous = None
    for i in range(n):
        for recommendation, other in ((first, second), (second, first)):
            action = ActionFactory(
                recommendation=recommendation, due_date=days(-1 if i % 2 else 5), starts_on=days(-90), status="at_risk"
            )
            action.also_answers.add(other)
            if previous is not None:
                action.depends_on.add(previous)
                previous.depends_on.add(ActionFactory(recommendation=recommendation, status="off_track"))
            if i % 3 == 0:
                publish(action, Status.NOT_TAKEN_FORWARD, closure_reason="Dropped", date=days(-1))
            previous = action


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_richer_pages_stay_within_budget_as_links_and_assessments_grow(client, plan, signed_in):
    first, second = plan
    target = ActionFactory(recommendation=first, reference="1.0", due_date=days(-2), status="on_track")
    review = ProgressReviewFactory(challenge=first.challenge, on_site=days(-30))
    PeerAssessment.objects.create(review=review, recommendation=first, rating=PeerRating.SOME)
    # What this pages add: the recommendation page, the actions that also answer it and the
    # assessments, and two for each review that assessed it (recommendations.rollup); the action page,
    # what it depends on, what needs it and what it also answers; the challenge and theme pages, the
    # actions' due dates. The budgets are the pages' whole counts, with the indicators and evidence
    # files other parts of the issue show. The council's members also read the action's history (two).
    # Issue 14 added one to the recommendation page: other councils' similar recommendations.
    if signed_in:
        client.force_login(UserFactory(roles=[OFFICER]))
    urls = {
        "recommendation": (first.get_absolute_url(), 13),
        "action": (target.get_absolute_url(), 10 if signed_in else 8),
        "challenge": (first.challenge.get_absolute_url(), 7),
        "theme": (first.theme.get_absolute_url(), 7),
    }
    extra = SIGNED_IN_QUERIES if signed_in else 0

    grow_links(plan, 1)
    target.depends_on.add(*first.actions.exclude(pk=target.pk))
    few = {name: count_queries(client, url) for name, (url, _) in urls.items()}
    grow_links(plan, 6)
    target.depends_on.add(*first.actions.exclude(pk=target.pk))
    for _ in range(5):
        ActionFactory(recommendation=second, status="on_track").depends_on.add(target)
    ProgressReviewFactory(challenge=first.challenge, on_site=days(-200))  # a review with no assessment of it
    many = {name: count_queries(client, url) for name, (url, _) in urls.items()}

    assert many == few
    for name, (_, budget) in urls.items():
        assert few[name] <= budget + extra, f"{name}: {few[name]} queries"


def test_the_plan_csv_and_my_actions_stay_within_budget_as_dependencies_grow(client, plan):
    coordinator = UserFactory(roles=[COORDINATOR])
    client.force_login(coordinator)

    grow_links(plan, 1)
    few = {url: count_queries(client, url) for url in (PLAN, CSV, MY_ACTIONS)}
    grow_links(plan, 8)
    many = {url: count_queries(client, url) for url in (PLAN, CSV, MY_ACTIONS)}

    assert many == few


def test_another_councils_members_read_the_public_view_of_dates_and_waits(client, chain, other_council):
    before, action, _ = chain
    draft(before, Status.OFF_TRACK)
    client.force_login(UserFactory(roles=[(other_council, SCRUTINY_MEMBER)]))

    assert "Waiting on" not in seen(client.get(action.get_absolute_url()))


def test_scrutiny_members_of_the_council_read_the_working_view(client, chain):
    before, action, _ = chain
    draft(before, Status.OFF_TRACK)
    client.force_login(UserFactory(roles=[(CouncilFactory(), SCRUTINY_MEMBER)]))

    assert "Waiting on action 1.1, which is off track" in seen(client.get(action.get_absolute_url()))


def test_an_update_awaiting_approval_does_not_count_for_the_wait(client, officer, chain):
    before, action, _ = chain
    ProgressUpdateFactory(action=before, status=Status.OFF_TRACK, published=False, approval=Approval.AWAITING)
    client.force_login(officer)

    assert "Waiting on" not in seen(client.get(action.get_absolute_url()))


# The approvals page ------------------------------------------------------------------------------------


def test_a_coordinator_approving_an_update_reads_all_that_approving_publishes(client, coordinator, officer, plan):
    """Approving publishes next steps, the reason for closing, what supersedes the action and its
    public evidence files: the approvals page shows them all, not only the progress to date."""
    first, second = plan
    action, successor = ActionFactory(recommendation=first, reference="1.1"), ActionFactory(recommendation=second)
    update = ProgressUpdateFactory(
        action=action,
        author=officer,
        status=Status.SUPERSEDED,
        superseded_by=successor,
        closure_reason="The new scrutiny programme covers it",
        next_steps="Hand the work over to the scrutiny team",
        published=False,
        approval=Approval.AWAITING,
    )
    EvidenceFile.objects.create(
        update=update, file="evidence/a.pdf", name="Cabinet minutes.pdf", content_type="application/pdf", size=2048
    )
    client.force_login(coordinator)

    page = seen(client.get(reverse("recommendations:approval-list")))

    assert "Next steps Hand the work over to the scrutiny team" in page
    assert f"Superseded by Action {successor.reference}" in page
    assert "Why the action is closing The new scrutiny programme covers it" in page
    assert "Cabinet minutes.pdf (PDF, 2.0 KB) Staff and councillors only" in page
