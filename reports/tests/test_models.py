"""CommitteeReport: issued reports are frozen; the previous report is the latest issued one before."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from recommendations.models import Status
from recommendations.tests.factories import ActionFactory, PeerChallengeFactory, ProgressUpdateFactory
from reports.models import CommitteeReport

from .factories import CUT_OFF, CommitteeReportFactory, issued_report, plan_with_history

pytestmark = pytest.mark.django_db


def test_an_update_after_issue_does_not_change_an_issued_report(client, coordinator):
    plan = plan_with_history()
    report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)
    snapshot_before = report.snapshot
    page_before = client.get(report.get_absolute_url()).content.decode()

    # Later: a back-dated published update, a status change, new wording, a new action.
    ProgressUpdateFactory(
        action=plan.a12,
        date=datetime.date(2024, 2, 28),
        status=Status.COMPLETE,
        text="Back-dated news the committee never saw",
    )
    plan.a21.description = "Reworded after the meeting"
    plan.a21.status = Status.COMPLETE
    plan.a21.save()
    ActionFactory(recommendation=plan.first, reference="1.9", description="Added after the meeting")

    report.refresh_from_db()
    page_after = client.get(report.get_absolute_url()).content.decode()
    assert report.snapshot == snapshot_before
    assert page_after == page_before
    for later in ["Back-dated news", "Reworded after the meeting", "Added after the meeting"]:
        assert later not in page_after
    # A draft with the same cut-off does see them: the plan did change.
    draft_page = client.get(CommitteeReportFactory(challenge=plan.challenge, cut_off=CUT_OFF).get_absolute_url())
    assert draft_page.status_code == 302  # drafts need sign-in
    client.force_login(coordinator)
    assert "Back-dated news" in client.get(CommitteeReport.objects.drafts().get().get_absolute_url()).content.decode()


def test_a_draft_follows_the_plan_until_it_is_issued():
    plan = plan_with_history()
    draft = CommitteeReportFactory(challenge=plan.challenge, cut_off=CUT_OFF)
    assert draft.content()["summary"]["actions"]["by_status"]["complete"] == 1

    ProgressUpdateFactory(action=plan.a12, date=datetime.date(2024, 2, 28), status=Status.COMPLETE)

    assert draft.content()["summary"]["actions"]["by_status"]["complete"] == 2
    assert draft.snapshot is None


def test_previous_report_is_the_latest_issued_one_with_an_earlier_cut_off(coordinator):
    challenge = PeerChallengeFactory()
    older = issued_report(challenge=challenge, cut_off=datetime.date(2023, 6, 1), issued_by=coordinator)
    latest = issued_report(challenge=challenge, cut_off=datetime.date(2023, 12, 1), issued_by=coordinator)
    CommitteeReportFactory(challenge=challenge, cut_off=datetime.date(2024, 1, 1))  # a draft never counts
    issued_report(challenge=challenge, cut_off=datetime.date(2024, 3, 1), issued_by=coordinator)  # same cut-off
    issued_report(cut_off=datetime.date(2024, 2, 1), issued_by=coordinator)  # another challenge

    report = CommitteeReportFactory(challenge=challenge, cut_off=datetime.date(2024, 3, 1))

    assert report.find_previous() == latest
    assert latest.previous == older
    assert older.previous is None


def test_issued_report_needs_a_snapshot_and_a_draft_has_none():
    report = CommitteeReportFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeReport.objects.filter(pk=report.pk).update(
            issued_at=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeReport.objects.filter(pk=report.pk).update(snapshot={"format": 1})


def test_cut_off_cannot_be_after_the_meeting():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeReportFactory(meeting_date=datetime.date(2024, 3, 1), cut_off=datetime.date(2024, 3, 2))


def test_names_and_addresses():
    report = CommitteeReportFactory(
        challenge__council__name="Anytown Council",
        challenge__slug="anytown",
        committee="Scrutiny Committee",
        meeting_date=datetime.date(2024, 3, 14),
    )

    assert str(report) == "Scrutiny Committee, 14 March 2024"
    assert report.get_absolute_url() == reverse("reports:report-detail", args=[report.pk])
    assert (
        report.document_title
        == "Corporate Peer Challenge: progress report – Anytown Council, Scrutiny Committee, 14 March 2024"
    )
    assert report.filename == "anytown-committee-report-2024-03-14.pdf"
    assert not report.is_issued
