"""A report's content: the plan as of its cut-off date, and exactly what changed since the previous report."""

import datetime
import itertools
import json

import pytest

from recommendations.models import Recommendation, Status
from recommendations.tests.factories import ActionFactory, ProgressUpdateFactory, RecommendationFactory
from reports.snapshot import all_actions, build_report_snapshot, build_snapshot, derive_status, readable

from .factories import CUT_OFF, CommitteeReportFactory, issued_report, plan_with_history

pytestmark = pytest.mark.django_db


def counts(table):
    return {row["status"]: row["count"] for row in table["counts"]} | {"total": table["total"]}


@pytest.fixture
def plan():
    return plan_with_history()


def test_figures_are_the_plan_at_the_cut_off_date(plan):
    snapshot = build_snapshot(challenge=plan.challenge, cut_off=CUT_OFF)

    assert counts(snapshot["summary"]["actions"]) == {
        "not_started": 1,
        "on_track": 0,
        "at_risk": 1,
        "off_track": 1,
        "complete": 1,
        "not_taken_forward": 0,
        "superseded": 0,
        "total": 4,
    }
    assert counts(snapshot["summary"]["recommendations"]) == {
        "not_started": 1,
        "on_track": 0,
        "at_risk": 0,
        "off_track": 1,
        "complete": 0,
        "not_taken_forward": 0,
        "superseded": 0,
        "total": 2,
    }
    assert snapshot["summary"]["overdue"] == 1
    # 2.1 is overdue; 1.2 (due on 30 June) and 1.3 are not yet due; 1.1 is complete.
    assert snapshot["summary"]["dates"] == {
        "overdue": 1,
        "not_yet_due": 2,
        "complete": 1,
        "dropped": 0,
        "no_due_date": 0,
    }
    by_theme = {theme["title"]: counts(theme["actions"]) for theme in snapshot["summary"]["themes"]}
    assert by_theme["Governance"] == {
        "not_started": 0,
        "on_track": 0,
        "at_risk": 1,
        "off_track": 1,
        "complete": 1,
        "not_taken_forward": 0,
        "superseded": 0,
        "total": 3,
    }
    assert by_theme["Internal Processes"] == {
        "not_started": 1,
        "on_track": 0,
        "at_risk": 0,
        "off_track": 0,
        "complete": 0,
        "not_taken_forward": 0,
        "superseded": 0,
        "total": 1,
    }


def test_each_action_has_its_status_and_latest_published_update_at_the_cut_off(plan):
    actions = {
        a["reference"]: a for a in all_actions(build_snapshot(challenge=plan.challenge, cut_off=CUT_OFF)).values()
    }

    assert actions["1.1"]["status"] == Status.COMPLETE
    assert actions["1.1"]["latest_update"]["text"] == "Working group met for the first time"
    assert actions["1.1"]["latest_update"]["date"] == "2024-02-20"
    assert actions["1.2"]["status"] == Status.AT_RISK, "an unpublished update never counts"
    assert actions["1.2"]["latest_update"]["text"] == "Few places booked"
    assert actions["1.3"]["status"] == Status.OFF_TRACK, "same date: the update written later wins"
    assert actions["2.1"]["status"] == Status.NOT_STARTED, "no published update by the cut-off"
    assert actions["2.1"]["latest_update"] is None
    assert [a for a in actions if actions[a]["overdue"]] == ["2.1"]
    assert actions["1.1"]["lead"] == "Chief Executive"


def test_lead_officers_names_are_left_out(plan, officer):
    plan.a11.lead_officer = officer
    plan.a11.save()
    plan.a12.lead_officer, plan.a12.lead_role = officer, ""
    plan.a12.save()

    snapshot = build_snapshot(challenge=plan.challenge, cut_off=CUT_OFF)

    assert "Olivia" not in json.dumps(snapshot)
    actions = {a["reference"]: a for a in all_actions(snapshot).values()}
    assert actions["1.2"]["lead"] == "Lead officer assigned (role not recorded)"


def test_overdue_list_review_and_updates_by_month(plan):
    snapshot = build_snapshot(challenge=plan.challenge, cut_off=CUT_OFF)

    assert [(a["reference"], a["due_date"], a["status"]) for a in snapshot["overdue"]] == [
        ("2.1", "2024-02-01", "not_started")
    ]
    assert snapshot["updates_by_month"] == [{"month": "2024-01-01", "count": 1}, {"month": "2024-02-01", "count": 4}]
    review = snapshot["review"]
    assert review["on_site"] == "2023-10-16", "the review after the cut-off is not reported"
    assert [(c["title"], [(a["reference"], a["status"]) for a in c["actions"]]) for c in review["considerations"]] == [
        ("Focus on Equality", [("1.2", "at_risk")])
    ]
    assert "indicators" not in review, "the public indicators are the report's own, with their figures over time"
    [indicator] = snapshot["indicators"]
    assert (indicator["values"][0]["figure"], indicator["values"][0]["comparator_value"]) == ("97.6%", "94")


def test_no_review_before_the_cut_off_means_no_review_section(plan):
    assert build_snapshot(challenge=plan.challenge, cut_off=datetime.date(2023, 10, 1))["review"] is None


def test_snapshot_survives_json_unchanged(plan):
    snapshot = build_report_snapshot(challenge=plan.challenge, cut_off=CUT_OFF)

    assert json.loads(json.dumps(snapshot)) == snapshot


def test_readable_content_has_dates_statuses_and_links(plan):
    content = readable(build_report_snapshot(challenge=plan.challenge, cut_off=CUT_OFF))

    assert content["cut_off"] == CUT_OFF
    action = content["themes"][0]["recommendations"][0]["actions"][0]
    assert action["status"] is Status.COMPLETE
    assert action["latest_update"]["date"] == datetime.date(2024, 2, 20)
    assert action["url"] == plan.a11.get_absolute_url()
    assert content["summary"]["actions"]["by_status"]["complete"] == 1
    assert content["themes"][0]["url"] == plan.first.theme.get_absolute_url()


@pytest.mark.parametrize(
    "statuses",
    [
        combination
        for size in range(0, 3)
        for combination in itertools.combinations_with_replacement(list(Status), size)
    ],
)
def test_recommendation_status_follows_the_rule_of_the_live_pages(statuses):
    recommendation = RecommendationFactory()
    for status in statuses:
        ActionFactory(recommendation=recommendation, status=status)

    live = Recommendation.objects.with_progress().get(pk=recommendation.pk).derived_status

    assert derive_status(statuses) == live


class TestChangesSincePreviousReport:
    """Changes are actions whose status changed, new actions, actions with a newer published update,
    and actions no longer in the plan: exactly those, nothing else."""

    @pytest.fixture
    def scenario(self, coordinator):
        recommendation = RecommendationFactory(number=1)
        challenge = recommendation.challenge
        unchanged = ActionFactory(recommendation=recommendation, reference="1.1")
        changes_status = ActionFactory(recommendation=recommendation, reference="1.2")
        new_update_only = ActionFactory(recommendation=recommendation, reference="1.3")
        removed = ActionFactory(recommendation=recommendation, reference="1.4", description="Dropped from the plan")
        for action in (unchanged, changes_status, new_update_only, removed):
            ProgressUpdateFactory(action=action, date=datetime.date(2024, 1, 15), status=Status.ON_TRACK)
        previous = issued_report(challenge=challenge, cut_off=datetime.date(2024, 2, 1), issued_by=coordinator)
        return challenge, previous, unchanged, changes_status, new_update_only, removed

    def test_lists_exactly_what_changed(self, scenario):
        challenge, previous, unchanged, changes_status, new_update_only, removed = scenario
        ProgressUpdateFactory(
            action=changes_status, date=datetime.date(2024, 2, 20), status=Status.OFF_TRACK, text="Supplier withdrew"
        )
        ProgressUpdateFactory(
            action=new_update_only, date=datetime.date(2024, 2, 21), status=Status.ON_TRACK, text="Still going well"
        )
        ProgressUpdateFactory(
            action=unchanged,
            date=datetime.date(2024, 2, 22),
            status=Status.AT_RISK,
            text="Unpublished, so not a change",
            published=False,
        )
        unchanged.status = Status.COMPLETE  # the live field; reports go by published updates only
        unchanged.save()
        removed.delete()
        added = ActionFactory(recommendation=changes_status.recommendation, reference="1.5", description="New one")
        report = CommitteeReportFactory(challenge=challenge, cut_off=datetime.date(2024, 3, 1))

        changes = report.content()["changes"]

        assert changes["previous"]["id"] == previous.pk
        assert [(c["reference"], c["old_status"], c["new_status"]) for c in changes["status_changes"]] == [
            ("1.2", Status.ON_TRACK, Status.OFF_TRACK)
        ]
        assert [(a["reference"], a["status"]) for a in changes["new_actions"]] == [("1.5", Status.NOT_STARTED)]
        assert [(u["reference"], u["text"]) for u in changes["new_updates"]] == [
            ("1.2", "Supplier withdrew"),
            ("1.3", "Still going well"),
        ]
        assert [(a["reference"], a["description"]) for a in changes["removed_actions"]] == [
            ("1.4", "Dropped from the plan")
        ]
        assert added.pk in {a["id"] for a in changes["new_actions"]}

    def test_nothing_changed_means_empty_lists(self, scenario):
        challenge, previous, *_ = scenario
        report = CommitteeReportFactory(challenge=challenge, cut_off=datetime.date(2024, 3, 1))

        changes = report.content()["changes"]

        assert changes["previous"]["id"] == previous.pk
        assert not changes["any"]
        assert changes["status_changes"] == changes["new_actions"] == changes["new_updates"] == []
        assert changes["removed_actions"] == []

    def test_issuing_keeps_the_comparison_it_was_issued_with(self, scenario, coordinator):
        challenge, previous, unchanged, changes_status, *_ = scenario
        ProgressUpdateFactory(action=changes_status, date=datetime.date(2024, 2, 20), status=Status.COMPLETE)
        report = issued_report(challenge=challenge, cut_off=datetime.date(2024, 3, 1), issued_by=coordinator)

        ProgressUpdateFactory(action=unchanged, date=datetime.date(2024, 2, 25), status=Status.OFF_TRACK)
        content = report.content()

        assert report.previous == previous
        assert [c["reference"] for c in content["changes"]["status_changes"]] == ["1.2"]

    def test_the_first_report_has_nothing_to_compare_with(self, scenario):
        challenge, previous, *_ = scenario
        earlier = CommitteeReportFactory(challenge=challenge, cut_off=datetime.date(2024, 1, 31))

        changes = earlier.content()["changes"]

        assert changes["previous"] is None
        assert not changes["any"]
