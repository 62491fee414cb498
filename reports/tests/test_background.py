"""No request renders a PDF or sends e-mail (issue 15): WeasyPrint takes seconds and a mail server
can hang, so requests only record what is wanted and queue a task after they commit; the worker
(`manage.py db_worker`; here `run_tasks(commit=True)`) does the work.

The first tests make every request that leads to a PDF or an e-mail (report PDFs draft and issued,
issuing a report, the pack PDF, approving and returning an update, writing one that awaits
approval, opening a round, a round reminder, inviting, a password reset) with WeasyPrint's
`write_pdf` and Django's mail sending replaced by mocks that fail, in transactions that really
commit (so each request's on_commit callbacks run inside it, as in production); they answer
normally and neither mock is called. Then the queued tasks run: the PDFs are served, the e-mails
are in the outbox."""

import datetime
from contextlib import contextmanager
from io import BytesIO
from unittest import mock

import pytest
import weasyprint
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.mail.message import EmailMessage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from recommendations.models import Approval, ProgressUpdate, Status, UpdateRound
from recommendations.roles import COORDINATOR, OFFICER
from recommendations.tests.factories import ActionFactory, ProgressUpdateFactory, RecommendationFactory, UserFactory
from recommendations.tests.tasks import queued_tasks, run_tasks
from recommendations.tests.test_round_views import round_data
from reports.models import CommitteeReport, PdfStatus, PreparedPdf

from .factories import CUT_OFF, CommitteeReportFactory, plan_with_history

PREPARING = "The PDF is being prepared"


@contextmanager
def no_pdf_or_mail():
    """WeasyPrint and mail sending fail if called; yields the two mocks."""
    pdf = mock.Mock(side_effect=AssertionError("a PDF was rendered in the request"))
    send = mock.Mock(side_effect=AssertionError("mail was sent in the request"))
    with (
        mock.patch.object(weasyprint.HTML, "write_pdf", pdf),
        mock.patch.object(EmailMessage, "send", send),
        mock.patch.object(EmailBackend, "send_messages", send),
    ):
        yield pdf, send


def is_pdf(response):
    return response.status_code == 200 and response["Content-Type"] == "application/pdf"


def text(response):
    return response.content.decode()


def preparing_page(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert PREPARING in text(response)
    assert 'http-equiv="refresh"' not in text(response).lower()  # no refresh of its own (WCAG 2.2.1)
    assert "no-store" in response["Cache-Control"]
    return True


@pytest.mark.django_db(transaction=True)
def test_no_request_makes_a_pdf_they_are_made_by_the_worker_and_then_served(client, coordinator):
    plan = plan_with_history()
    challenge = plan.challenge
    draft = CommitteeReportFactory(challenge=challenge, cut_off=CUT_OFF, committee="Scrutiny Committee")
    to_issue = CommitteeReportFactory(challenge=challenge, cut_off=CUT_OFF, committee="Audit Committee")
    client.force_login(coordinator)
    urls = {
        "draft": reverse("reports:report-pdf", args=[draft.pk]),
        "issued": reverse("reports:report-pdf", args=[to_issue.pk]),
        "pack": reverse("reports:pack-pdf", args=[challenge.slug]),
    }

    with no_pdf_or_mail() as (write_pdf, send):
        issued = client.post(reverse("reports:report-issue", args=[to_issue.pk]))
        pages = {name: client.get(url) for name, url in urls.items()}
        again = {name: client.get(url) for name, url in urls.items()}

    assert issued.status_code == 302
    assert all(preparing_page(page) for page in [*pages.values(), *again.values()])
    assert write_pdf.call_count == 0 and send.call_count == 0
    assert queued_tasks() == ["reports.tasks.make_pdf"] * 3  # asking twice queues each once

    assert run_tasks(commit=True) == 3

    downloads = {name: client.get(url) for name, url in urls.items()}
    assert all(is_pdf(response) for response in downloads.values())
    to_issue.refresh_from_db()
    assert bytes(to_issue.pdf) == downloads["issued"].content  # kept on the issued report, as before
    assert PdfReader(BytesIO(downloads["draft"].content)).metadata.title.endswith("(draft)")
    assert downloads["pack"]["Content-Disposition"] == (
        f'attachment; filename="{challenge.slug}-progress-review-pack-{timezone.localdate():%Y-%m-%d}.pdf"'
    )


@pytest.mark.django_db(transaction=True)
def test_no_request_sends_email_the_worker_does(client, council, coordinator, officer, other_officer):
    challenge_action = ActionFactory(
        recommendation__theme__challenge__council=council,
        recommendation__theme__challenge__updates_need_approval=True,
        lead_officer=officer,
        reference="1.1",
        status=Status.ON_TRACK,
    )
    challenge = challenge_action.recommendation.challenge
    ActionFactory(recommendation=challenge_action.recommendation, lead_officer=other_officer, reference="1.2")
    approve_me, return_me = (
        ProgressUpdateFactory(action=challenge_action, author=officer, approval=Approval.AWAITING, published=False)
        for _ in range(2)
    )
    run_tasks(commit=True)  # what setting up told people is not under test
    mail.outbox.clear()
    client.force_login(coordinator)

    with no_pdf_or_mail() as (write_pdf, send):
        responses = [
            client.post(reverse("recommendations:update-approve", args=[approve_me.pk])),
            client.post(reverse("recommendations:update-return", args=[return_me.pk]), {"reason": "Add the dates"}),
            client.post(
                reverse("recommendations:round-create", args=[challenge.slug]),
                round_data(list(challenge_action.recommendation.actions.all())),
            ),
        ]
        update_round = UpdateRound.objects.get()
        responses += [
            client.post(reverse("recommendations:round-remind", args=[update_round.pk])),
            client.post(
                reverse("recommendations:invitation-create", args=[council.slug]),
                {"email": "nia@example.org", "role": OFFICER},
            ),
            client.post(reverse("password_reset"), {"email": other_officer.email}),
        ]

    assert [response.status_code for response in responses] == [302] * 6
    assert send.call_count == 0 and write_pdf.call_count == 0 and mail.outbox == []
    assert ProgressUpdate.objects.get(pk=approve_me.pk).approval == Approval.APPROVED
    assert set(queued_tasks()) == {
        "recommendations.tasks.send_notification_emails",
        "recommendations.tasks.send_invitation_email",
        "cpc_tracker.tasks.send_password_reset_email",
    }

    run_tasks(commit=True)

    subjects = sorted((message.to[0], message.subject) for message in mail.outbox)
    assert (officer.email, "CPC Tracker: Your update on action 1.1 was approved") in subjects
    assert (officer.email, "CPC Tracker: Your update on action 1.1 was returned") in subjects
    asked = {to for to, subject in subjects if "please update your actions" in subject}
    assert asked == {officer.email, other_officer.email}
    assert any(subject.startswith("CPC Tracker: Reminder") for _to, subject in subjects)
    assert ("nia@example.org", f"You are invited to CPC Tracker for {council}") in subjects
    assert any(to == other_officer.email and "password" in subject.lower() for to, subject in subjects)


@pytest.mark.django_db(transaction=True)
def test_an_officers_update_awaiting_approval_is_emailed_by_the_worker(client, council, coordinator, officer):
    from recommendations.tests.test_progress_updates import form_data, update_url

    action = ActionFactory(
        recommendation__theme__challenge__council=council,
        recommendation__theme__challenge__updates_need_approval=True,
        lead_officer=officer,
    )
    run_tasks(commit=True)
    mail.outbox.clear()
    client.force_login(officer)

    with no_pdf_or_mail() as (_write_pdf, send):
        response = client.post(update_url(action), form_data(action))

    assert response.status_code == 302 and send.call_count == 0
    run_tasks(commit=True)
    assert [message.to for message in mail.outbox] == [[coordinator.email]]


# Drafts change; failures are said and can be tried again ------------------------------------------


@pytest.fixture
def draft(db):
    plan = plan_with_history()
    return CommitteeReportFactory(challenge=plan.challenge, cut_off=CUT_OFF)


def test_a_changed_draft_gets_a_new_pdf(client, coordinator, draft):
    client.force_login(coordinator)
    url = reverse("reports:report-pdf", args=[draft.pk])
    assert preparing_page(client.get(url))
    run_tasks(commit=True)
    first = client.get(url)
    assert is_pdf(first)
    assert is_pdf(client.get(url)) and queued_tasks() == []  # unchanged: the same PDF, nothing queued

    action = ActionFactory(recommendation=RecommendationFactory(challenge=draft.challenge), status=Status.COMPLETE)
    ProgressUpdateFactory(action=action, status=Status.COMPLETE, date=CUT_OFF - datetime.timedelta(days=1))

    assert preparing_page(client.get(url))
    run_tasks(commit=True)
    second = client.get(url)
    assert is_pdf(second) and second.content != first.content
    assert PreparedPdf.objects.filter(report=draft).count() == 1  # the old version is dropped


def test_the_pack_pdf_is_made_again_once_an_update_is_published(client, coordinator, draft):
    """The Word file is made in the request, as things stand; the PDF follows it the same day."""
    client.force_login(coordinator)
    url = reverse("reports:pack-pdf", args=[draft.challenge.slug])
    assert preparing_page(client.get(url))
    run_tasks(commit=True)
    first = client.get(url)
    assert is_pdf(first)
    assert is_pdf(client.get(url)) and queued_tasks() == []  # unchanged: the same PDF, nothing queued

    action = ActionFactory(recommendation=RecommendationFactory(challenge=draft.challenge), status=Status.ON_TRACK)
    ProgressUpdateFactory(action=action, status=Status.ON_TRACK, text="Published after the first pack", published=True)

    assert preparing_page(client.get(url))
    run_tasks(commit=True)
    second = client.get(url)
    assert is_pdf(second)
    assert "Published after the first pack" in "".join(
        page.extract_text() for page in PdfReader(BytesIO(second.content)).pages
    )
    assert PreparedPdf.objects.filter(challenge=draft.challenge, kind="pack").count() == 1  # the old one is dropped


def test_a_pdf_that_could_not_be_made_is_logged_and_can_be_tried_again(client, coordinator, draft, caplog):
    client.force_login(coordinator)
    url = reverse("reports:report-pdf", args=[draft.pk])
    client.get(url)
    with mock.patch.object(weasyprint.HTML, "write_pdf", side_effect=RuntimeError("out of memory")):
        run_tasks(commit=True)

    page = client.get(url)
    assert page.status_code == 200 and "The PDF could not be made" in text(page)
    assert f'href="{url}?retry=1"' in text(page)
    assert "Could not make the PDF" in caplog.text and "out of memory" in caplog.text
    assert PreparedPdf.objects.get(report=draft).status == PdfStatus.FAILED
    assert "The PDF could not be made" in text(client.get(url))  # not tried again by itself

    assert preparing_page(client.get(f"{url}?retry=1"))
    run_tasks(commit=True)
    assert is_pdf(client.get(url))


def test_issuing_a_report_queues_its_pdf_and_it_is_kept_on_the_report(client, coordinator, draft):
    client.force_login(coordinator)
    client.post(reverse("reports:report-issue", args=[draft.pk]))

    assert queued_tasks() == [] and run_tasks(commit=True) == 1  # queued on commit
    draft.refresh_from_db()
    assert draft.is_issued and bytes(draft.pdf).startswith(b"%PDF")
    with mock.patch.object(weasyprint.HTML, "write_pdf", side_effect=AssertionError("rendered again")):
        assert client.get(reverse("reports:report-pdf", args=[draft.pk])).content == bytes(draft.pdf)


def test_the_preparing_page_is_only_for_those_who_may_read_the_report(client, other_council, draft):
    stranger = UserFactory(username="stan", roles=[(other_council, COORDINATOR)])
    client.force_login(stranger)

    assert client.get(reverse("reports:report-pdf", args=[draft.pk])).status_code in (403, 404)
    assert not PreparedPdf.objects.exists() and CommitteeReport.objects.get().pdf is None
