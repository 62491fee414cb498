"""Creating and issuing reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from recommendations.tests.factories import PeerChallengeFactory
from reports.models import CommitteeReport
from reports.services import ReportAlreadyIssued, create_report, issue_report

from .factories import CUT_OFF, CommitteeReportFactory, issued_report, plan_with_history

pytestmark = pytest.mark.django_db


def test_create_report_makes_a_draft(coordinator):
    challenge = PeerChallengeFactory()

    report = create_report(
        challenge=challenge,
        created_by=coordinator,
        committee="Scrutiny Committee",
        meeting_date=datetime.date(2024, 3, 14),
        cut_off=datetime.date(2024, 3, 1),
    )

    assert report.created_by == coordinator
    assert report.issued_at is None and report.snapshot is None


def test_create_report_refuses_a_cut_off_after_the_meeting(coordinator):
    with pytest.raises(ValidationError):
        create_report(
            challenge=PeerChallengeFactory(),
            created_by=coordinator,
            committee="Scrutiny Committee",
            meeting_date=datetime.date(2024, 3, 1),
            cut_off=datetime.date(2024, 3, 14),
        )
    assert not CommitteeReport.objects.exists()


def test_issue_report_stores_the_snapshot_who_and_when(coordinator):
    plan = plan_with_history()
    earlier = issued_report(challenge=plan.challenge, cut_off=datetime.date(2024, 1, 1), issued_by=coordinator)
    draft = CommitteeReportFactory(challenge=plan.challenge, cut_off=CUT_OFF)

    report = issue_report(report=draft, issued_by=coordinator)

    report.refresh_from_db()
    assert report.is_issued and report.issued_by == coordinator
    assert report.previous == earlier
    assert report.snapshot["cut_off"] == "2024-03-01"
    assert report.snapshot["changes"]["previous"]["id"] == earlier.pk
    assert report.snapshot["summary"]["actions"]["total"] == 4


def test_an_issued_report_cannot_be_issued_again(coordinator, superuser):
    report = issued_report(issued_by=coordinator)
    issued_at = report.issued_at

    with pytest.raises(ReportAlreadyIssued):
        issue_report(report=report, issued_by=superuser)

    report.refresh_from_db()
    assert report.issued_at == issued_at and report.issued_by == coordinator
