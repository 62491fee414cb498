"""What coordinators and councillors see on the committee report pages."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Status
from recommendations.tests.factories import PeerChallengeFactory, ProgressUpdateFactory
from reports.models import CommitteeReport

from .factories import COMMITTEE, CUT_OFF, CommitteeReportFactory, issued_report, plan_with_history

pytestmark = pytest.mark.django_db


def text_of(response):
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace("&#x27;", "'")


def date_fields(prefix, date):
    return {f"{prefix}_0": str(date.day), f"{prefix}_1": str(date.month), f"{prefix}_2": str(date.year)}


def form_data(committee=COMMITTEE, meeting_date=datetime.date(2024, 3, 14), cut_off=datetime.date(2024, 3, 1)):
    return {"committee": committee, **date_fields("meeting_date", meeting_date), **date_fields("cut_off", cut_off)}


class TestCreate:
    def test_coordinator_creates_a_draft_and_sees_it(self, client, coordinator):
        plan = plan_with_history()
        client.force_login(coordinator)

        response = client.post(reverse("reports:report-create", args=[plan.challenge.slug]), form_data())

        report = CommitteeReport.objects.get()
        assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
        assert (report.committee, report.meeting_date, report.cut_off) == (
            COMMITTEE,
            datetime.date(2024, 3, 14),
            datetime.date(2024, 3, 1),
        )
        assert report.created_by == coordinator and not report.is_issued
        text = text_of(client.get(report.get_absolute_url()))
        assert "Draft report created" in text
        assert "Draft: the figures can still change" in text

    @pytest.mark.parametrize(
        "data, message",
        [
            (form_data(committee=""), "Enter the name of the committee"),
            (
                {"committee": COMMITTEE, **date_fields("cut_off", datetime.date(2024, 3, 1))},
                "Enter the date of the meeting",
            ),
            (
                form_data(
                    cut_off=timezone.localdate() + datetime.timedelta(days=1),
                    meeting_date=timezone.localdate() + datetime.timedelta(days=10),
                ),
                "The cut-off date must be today or in the past",
            ),
            (
                form_data(cut_off=datetime.date(2024, 3, 20)),
                "The cut-off date must be the same as or before the date of the meeting",
            ),
            (
                {
                    "committee": COMMITTEE,
                    **date_fields("meeting_date", datetime.date(2024, 3, 14)),
                    "cut_off_0": "31",
                    "cut_off_1": "2",
                    "cut_off_2": "2024",
                },
                "Enter the cut-off date as a real date",
            ),
        ],
    )
    def test_errors_are_summarised_above_the_form(self, client, coordinator, data, message):
        challenge = PeerChallengeFactory()
        client.force_login(coordinator)

        response = client.post(reverse("reports:report-create", args=[challenge.slug]), data)

        page = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in page and message in page
        assert page.index("govuk-error-summary") < page.index("<h1")
        assert "<title>Error: " in page
        assert not CommitteeReport.objects.exists()

    def test_form_has_a_hint_and_no_default_committee(self, client, coordinator):
        client.force_login(coordinator)

        page = client.get(reverse("reports:report-create", args=[PeerChallengeFactory().slug])).content.decode()

        assert 'name="committee"' in page and 'value="Corporate' not in page
        assert "For example, the Corporate Resource Management and Governance Scrutiny Committee" in page


class TestReportPage:
    def test_executive_summary_comes_first_with_the_figures_at_the_cut_off(self, client, scrutiny_member):
        plan = plan_with_history()
        report = CommitteeReportFactory(challenge=plan.challenge, cut_off=CUT_OFF)
        client.force_login(scrutiny_member)

        text = text_of(client.get(report.get_absolute_url()))

        summary = text.index("Executive summary", text.index("Contents") + 20)
        assert (
            summary < text.index("Theme 1: Governance", summary) < text.index("Progress review considerations", summary)
        )
        for figure in [
            "1 of 4 actions complete",
            "0 on track, 1 at risk, 1 off track and 1 not started",
            "0 of 2 recommendations complete",
            "1 overdue action",
        ]:
            assert figure in text
        assert "Working group met for the first time" in text
        assert "After the cut-off" not in text and "Draft not for the committee" not in text
        assert "Focus on Equality" in text

    def test_themes_start_on_a_new_printed_page(self, client):
        plan = plan_with_history()
        report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF)

        page = client.get(report.get_absolute_url()).content.decode()

        assert (
            len(re.findall(r'<section class="app-print-break app-report-section"', page)) == 3
        )  # 2 themes, considerations
        assert 'href="/static/build/print.css" media="print"' in page

    def test_changes_since_the_previous_report_are_on_the_page(self, client, coordinator):
        plan = plan_with_history()
        issued_report(challenge=plan.challenge, cut_off=CUT_OFF, committee="Cabinet", issued_by=coordinator)
        ProgressUpdateFactory(
            action=plan.a21, date=datetime.date(2024, 3, 10), status=Status.ON_TRACK, text="Printer booked"
        )
        report = issued_report(challenge=plan.challenge, cut_off=datetime.date(2024, 3, 12), issued_by=coordinator)

        text = text_of(client.get(report.get_absolute_url()))

        assert "Compared with the report to the Cabinet on 14 March 2024" in text
        assert (
            "Since the previous report: 2 status changes, 0 new actions, 2 actions with a new progress update" in text
        )
        assert "Printer booked" in text

    def test_issued_report_says_so_and_offers_no_issue_button(self, client, coordinator):
        report = issued_report(issued_by=coordinator)
        client.force_login(coordinator)

        text = text_of(client.get(report.get_absolute_url()))

        assert "Issued on" in text and "Issue this report" not in text
        assert "Download as PDF" in text

    def test_draft_offers_the_coordinator_an_issue_button_and_a_scrutiny_member_none(
        self, client, coordinator, scrutiny_member
    ):
        report = CommitteeReportFactory()
        client.force_login(coordinator)
        assert "Issue this report" in text_of(client.get(report.get_absolute_url()))
        client.force_login(scrutiny_member)
        assert "Issue this report" not in text_of(client.get(report.get_absolute_url()))


class TestIssue:
    def test_confirmation_then_issue(self, client, coordinator):
        earlier = issued_report(cut_off=datetime.date(2024, 1, 1), issued_by=coordinator)
        report = CommitteeReportFactory(challenge=earlier.challenge)
        client.force_login(coordinator)

        text = text_of(client.get(reverse("reports:report-issue", args=[report.pk])))
        assert "Issue this report?" in text and "An issued report cannot be changed" in text
        assert str(earlier) in text

        response = client.post(reverse("reports:report-issue", args=[report.pk]))

        report.refresh_from_db()
        assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
        assert report.is_issued and report.issued_by == coordinator and report.previous == earlier

    def test_issuing_twice_changes_nothing(self, client, coordinator, superuser):
        report = issued_report(issued_by=coordinator)
        snapshot, issued_at = report.snapshot, report.issued_at
        client.force_login(superuser)

        for method in (client.get, client.post):
            response = method(reverse("reports:report-issue", args=[report.pk]))
            assert response.status_code == 302 and response["Location"] == report.get_absolute_url()

        report.refresh_from_db()
        assert (report.snapshot, report.issued_at, report.issued_by) == (snapshot, issued_at, coordinator)


class TestList:
    def test_public_sees_issued_reports_only(self, client):
        challenge = PeerChallengeFactory()
        issued_report(challenge=challenge, committee="Cabinet")
        CommitteeReportFactory(challenge=challenge, committee="Draft committee")

        text = text_of(client.get(reverse("reports:report-list", args=[challenge.slug])))

        assert "Cabinet" in text and "Draft committee" not in text
        assert "Create a report" not in text

    def test_signed_in_readers_see_drafts_and_coordinators_can_create(self, client, coordinator):
        challenge = PeerChallengeFactory()
        CommitteeReportFactory(challenge=challenge, committee="Draft committee")
        client.force_login(coordinator)

        text = text_of(client.get(reverse("reports:report-list", args=[challenge.slug])))

        assert "Draft committee" in text and "Draft" in text
        assert "Create a report" in text

    def test_challenge_page_links_to_committee_reports(self, client):
        challenge = PeerChallengeFactory()

        page = client.get(challenge.get_absolute_url()).content.decode()

        assert f'href="{reverse("reports:report-list", args=[challenge.slug])}"' in page


def test_unknown_report_or_challenge_is_not_found(client, coordinator):
    client.force_login(coordinator)
    for url in [
        "/reports/999999/",
        "/reports/999999/report.pdf",
        "/reports/999999/issue/",
        "/challenges/nowhere/reports/",
        "/challenges/nowhere/reports/new/",
        "/challenges/nowhere/open-data/",
        "/challenges/nowhere/open-data/status.csv",
        "/challenges/nowhere/open-data/status.json",
        "/challenges/nowhere/updates.atom",
    ]:
        assert client.get(url).status_code == 404, url
