"""Notifications (recommendations.notifications): who is told what, by e-mail only after commit and
only once, failures kept and retried by `send_notifications`, preferences, and each person's own
notification pages (list, open, mark all read, settings) with the unread count in the header."""

import datetime
import io
import logging
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from recommendations import exchange, notifications
from recommendations.models import (
    Approval,
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    Status,
)
from recommendations.roles import COORDINATOR, OFFICER
from recommendations.services import (
    approve_update,
    change_action,
    record_progress_update,
    return_update,
)

from .factories import (
    ActionFactory,
    PeerChallengeFactory,
    UserFactory,
)
from .queries import SIGNED_IN_QUERIES, count_queries
from .tasks import run_tasks
from .test_exchange import IMPORT_COLUMNS, csv_upload
from .test_progress_updates import form_data, update_url

pytestmark = pytest.mark.django_db

LIST_URL = reverse("recommendations:notification-list")
SETTINGS_URL = reverse("recommendations:notification-settings")
MARK_ALL_READ_URL = reverse("recommendations:notification-mark-all-read")


def emails():
    """{address: [subjects]} of the e-mails sent so far, once the worker has run the queued tasks
    (requests and services only queue them: recommendations.tasks)."""
    run_tasks()
    sent = {}
    for message in mail.outbox:
        for address in message.to:
            sent.setdefault(address, []).append(message.subject)
    return sent


def told(user, kind=None):
    found = Notification.objects.filter(recipient=user)
    return found.filter(kind=kind) if kind else found


def all_sent():
    """Forget what setting up the data told people (their e-mails are not under test)."""
    Notification.objects.update(email=EmailState.SENT)
    mail.outbox.clear()


@pytest.fixture
def approval_challenge(council):
    return PeerChallengeFactory(council=council, updates_need_approval=True)


@pytest.fixture
def action(approval_challenge, officer):
    return ActionFactory(recommendation__theme__challenge=approval_challenge, reference="4.2", lead_officer=officer)


@pytest.fixture
def second_coordinator(council):
    return UserFactory(username="colin", first_name="Colin", last_name="Second", roles=[(council, COORDINATOR)])


@pytest.fixture
def elsewhere_coordinator(other_council):
    return UserFactory(username="erin", first_name="Erin", last_name="Elsewhere", roles=[(other_council, COORDINATOR)])


def write_update(action, author, **fields):
    action.refresh_from_db()
    return record_progress_update(
        action=action,
        author=author,
        seen_version=action.version,
        status=fields.pop("status", Status.ON_TRACK),
        text=fields.pop("text", "The working group met twice."),
        date=timezone.localdate(),
        published=True,
        **fields,
    )


# Who is told what --------------------------------------------------------------------------------


def test_an_update_awaiting_approval_emails_that_councils_coordinators_only(
    action, officer, coordinator, second_coordinator, elsewhere_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update = write_update(action, officer)

    assert update.approval == Approval.AWAITING
    subject = "CPC Tracker: An update on action 4.2 is waiting for your approval"
    assert emails() == {coordinator.email: [subject], second_coordinator.email: [subject]}
    assert not told(elsewhere_coordinator).exists()
    assert not told(officer, NotificationKind.AWAITING_APPROVAL).exists()
    notification = told(coordinator).get()
    assert notification.url == reverse("recommendations:approval-list")
    assert "Olivia Officer wrote a progress update on action 4.2" in notification.body


def test_an_officer_posting_the_update_form_tells_the_coordinator(
    client, action, officer, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(update_url(action), form_data(action))

    assert response.status_code == 302
    assert list(emails()) == [coordinator.email]


@pytest.mark.parametrize("decision", ["approved", "returned"])
def test_approving_or_returning_an_update_emails_its_author_only(
    action, officer, coordinator, second_coordinator, decision, django_capture_on_commit_callbacks
):
    update = write_update(action, officer)
    all_sent()

    with django_capture_on_commit_callbacks(execute=True):
        if decision == "approved":
            approve_update(update=update, coordinator=coordinator)
        else:
            return_update(update=update, coordinator=coordinator, reason="Say what the group agreed")

    assert emails() == {officer.email: [f"CPC Tracker: Your update on action 4.2 was {decision}"]}
    notification = told(officer).exclude(kind=NotificationKind.ACTION_ASSIGNED).get()
    if decision == "approved":
        assert notification.kind == NotificationKind.UPDATE_APPROVED
        assert notification.url == action.get_absolute_url()
    else:
        assert notification.kind == NotificationKind.UPDATE_RETURNED
        assert "Their reason: Say what the group agreed" in notification.body
        assert notification.url == reverse("recommendations:my-actions")
    assert not told(coordinator).exclude(kind=NotificationKind.AWAITING_APPROVAL).exists()


def test_giving_an_action_to_someone_else_tells_the_old_and_new_lead_not_the_coordinator(
    action, officer, other_officer, coordinator, django_capture_on_commit_callbacks
):
    all_sent()

    with django_capture_on_commit_callbacks(execute=True):
        change_action(action=action, author=coordinator, seen_version=action.version, lead_officer=other_officer)

    assert emails() == {
        officer.email: ["CPC Tracker: You no longer lead action 4.2"],
        other_officer.email: ["CPC Tracker: You now lead action 4.2"],
    }
    assert not told(coordinator).exists()
    assert "now has another lead officer" in told(officer).get(subject__contains="no longer").body


def test_taking_an_action_yourself_tells_only_the_old_lead(
    action, officer, coordinator, django_capture_on_commit_callbacks
):
    all_sent()

    with django_capture_on_commit_callbacks(execute=True):
        change_action(action=action, author=coordinator, seen_version=action.version, lead_officer=coordinator)

    assert emails() == {officer.email: ["CPC Tracker: You no longer lead action 4.2"]}


def test_an_action_added_with_a_lead_tells_that_lead(
    approval_challenge, officer, coordinator, django_capture_on_commit_callbacks
):
    from recommendations.services import create_action

    recommendation = ActionFactory(recommendation__theme__challenge=approval_challenge).recommendation
    all_sent()

    with django_capture_on_commit_callbacks(execute=True):
        create_action(
            recommendation=recommendation,
            author=coordinator,
            reference="7.1",
            description="A new action",
            lead_officer=officer,
        )

    assert emails() == {officer.email: ["CPC Tracker: You now lead action 7.1"]}


def test_the_import_tells_the_old_and_new_leads_not_the_coordinator_who_imported(
    action, officer, other_officer, coordinator, django_capture_on_commit_callbacks
):
    challenge = action.recommendation.challenge
    content = csv_upload(
        [[action.recommendation.number, "4.2", action.description, "owen"]], headers=IMPORT_COLUMNS[:4]
    ).read()
    all_sent()

    with django_capture_on_commit_callbacks(execute=True):
        exchange.apply_import(challenge=challenge, file=content, format="csv", user=coordinator)

    assert emails() == {
        officer.email: ["CPC Tracker: You no longer lead action 4.2"],
        other_officer.email: ["CPC Tracker: You now lead action 4.2"],
    }
    assert not told(coordinator).exists()


def admin_post_data(response):
    """The admin change form's POST data, as the browser would send it unchanged."""
    from django import forms

    data = {"_save": "Save"}
    bound_fields = [*response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        bound_fields += [*inline.formset.management_form] + [field for form in inline.formset.forms for field in form]
    for bound in bound_fields:
        value, widget = bound.value(), bound.field.widget
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(bound.field, forms.ModelMultipleChoiceField):  # one value per chosen item, or none
            data[bound.html_name] = [str(item) for item in value or []]
        elif isinstance(widget, forms.MultiWidget):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


def test_the_admin_tells_the_old_and_new_leads_not_the_administrator(
    client, action, officer, other_officer, superuser, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    url = reverse("admin:recommendations_action_change", args=[action.pk])
    data = admin_post_data(client.get(url))
    all_sent()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data | {"lead_officer": str(other_officer.pk)})

    assert response.status_code == 302
    assert emails() == {
        officer.email: ["CPC Tracker: You no longer lead action 4.2"],
        other_officer.email: ["CPC Tracker: You now lead action 4.2"],
    }
    assert not told(superuser).exists()


def test_saving_an_action_without_changing_its_lead_tells_nobody(
    action, coordinator, django_capture_on_commit_callbacks
):
    all_sent()
    before = Notification.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        change_action(action=action, author=coordinator, seen_version=action.version, description="Reworded")

    assert mail.outbox == [] and Notification.objects.count() == before


def test_the_email_says_hello_links_to_the_page_and_to_the_settings(
    action, officer, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://tracker.example.gov.uk/"

    with django_capture_on_commit_callbacks(execute=True):
        write_update(action, officer)
    run_tasks()

    message = mail.outbox[0]
    assert message.body.startswith("Dear Cora Coordinator,")
    assert "https://tracker.example.gov.uk/approvals/\n" in message.body
    assert (
        "You can choose which emails CPC Tracker sends you: https://tracker.example.gov.uk/notifications/settings/"
        in message.body
    )


# After commit, and once ------------------------------------------------------------------------


def test_nothing_is_emailed_before_the_change_commits(action, officer, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        write_update(action, officer)
        assert mail.outbox == []  # recorded, not yet sent
        assert told(coordinator).get().email == EmailState.PENDING

    assert len(callbacks) == 1
    assert mail.outbox == []  # queued for the worker
    run_tasks()
    assert len(mail.outbox) == 1
    assert told(coordinator).get().email == EmailState.SENT


def test_a_change_that_rolls_back_records_and_sends_nothing(
    action, officer, other_officer, coordinator, django_capture_on_commit_callbacks
):
    all_sent()
    before = Notification.objects.count()

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        change_action(action=action, author=coordinator, seen_version=action.version, lead_officer=other_officer)
        raise RuntimeError("something after the change failed")

    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == before


def test_the_same_event_twice_notifies_and_emails_once(
    action, officer, coordinator, django_capture_on_commit_callbacks
):
    update = write_update(action, officer)
    update = approve_update(update=update, coordinator=coordinator)
    all_sent()
    Notification.objects.filter(kind=NotificationKind.UPDATE_APPROVED).delete()

    with django_capture_on_commit_callbacks(execute=True):
        notifications.update_reviewed(update)
        notifications.update_reviewed(update)

    assert told(officer, NotificationKind.UPDATE_APPROVED).count() == 1
    assert emails() == {officer.email: ["CPC Tracker: Your update on action 4.2 was approved"]}


def test_delivering_twice_sends_one_email(action, officer, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        write_update(action, officer)
    notification = told(coordinator).get()

    assert notifications.deliver([notification.pk]) == 1
    assert notifications.deliver([notification.pk]) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_no_email_is_sent_while_a_transaction_or_row_lock_is_open(officer, other_officer, coordinator):
    """Run as in production (no test transaction around it): every e-mail goes after the commit."""
    challenge = PeerChallengeFactory(updates_need_approval=True)
    action = ActionFactory(recommendation__theme__challenge=challenge, reference="4.2", lead_officer=officer)
    in_transaction = []
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        in_transaction.append(connection.in_atomic_block)
        return real_send(message, *args, **kwargs)

    with mock.patch("django.core.mail.EmailMessage.send", send):
        update = write_update(action, officer)
        approve_update(update=update, coordinator=coordinator)
        action.refresh_from_db()
        change_action(action=action, author=coordinator, seen_version=action.version, lead_officer=other_officer)
        assert in_transaction == []  # queued on commit, sent by the worker
        run_tasks()

    assert len(in_transaction) >= 4  # assigned, awaiting, approved, reassigned (old and new lead)
    assert not any(in_transaction)
    assert not Notification.objects.exclude(email=EmailState.SENT).exists()


# Failures and send_notifications ----------------------------------------------------------------


def send_notifications(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("send_notifications", *args, stdout=out, stderr=err)
    finally:
        send_notifications.err = err.getvalue()
    return out.getvalue()


@pytest.fixture
def pending(action, officer, coordinator, django_capture_on_commit_callbacks):
    """A notification to the coordinator whose e-mail has not gone (its process stopped first)."""
    all_sent()
    with django_capture_on_commit_callbacks(execute=False):
        write_update(action, officer)
    return told(coordinator).get()


def test_a_failed_email_is_recorded_and_logged_and_send_notifications_sends_it(
    action, officer, coordinator, caplog, django_capture_on_commit_callbacks
):
    all_sent()
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("SMTP server is down")),
        caplog.at_level(logging.ERROR, logger="recommendations.notifications"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            write_update(action, officer)
        run_tasks()  # the worker tries to send it

    failed = told(coordinator).get()
    assert (failed.email, failed.email_attempts) == (EmailState.FAILED, 1)
    assert "SMTP server is down" in failed.email_error
    assert f"Could not e-mail notification {failed.pk} to user {coordinator.pk}" in caplog.text
    assert mail.outbox == []

    output = send_notifications()

    assert emails() == {coordinator.email: ["CPC Tracker: An update on action 4.2 is waiting for your approval"]}
    failed.refresh_from_db()
    assert (failed.email, failed.email_attempts, failed.email_error) == (EmailState.SENT, 2, "")
    assert "Emailed “An update on action 4.2 is waiting for your approval” to Cora Coordinator" in output
    assert "Sent 1 email." in output

    assert "No notifications are waiting to be emailed." in send_notifications()
    assert len(mail.outbox) == 1


def test_send_notifications_sends_what_was_never_sent(pending, coordinator):
    output = send_notifications()

    assert list(emails()) == [coordinator.email]
    assert "Sent 1 email." in output
    pending.refresh_from_db()
    assert pending.email == EmailState.SENT


def test_send_notifications_exits_with_an_error_naming_what_failed(pending, coordinator):
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("Connection timed out")),
        pytest.raises(CommandError) as failure,
    ):
        send_notifications()

    message = str(failure.value)
    assert message.startswith(
        "Could not send 1 email: “An update on action 4.2 is waiting for your approval” "
        "to Cora Coordinator <cora@example.org>"
    )
    assert "1 will be tried again on the next run" in message
    assert "Connection timed out" in send_notifications.err
    pending.refresh_from_db()
    assert (pending.email, pending.email_attempts) == (EmailState.FAILED, 1)


def test_an_email_is_given_up_after_max_attempts(pending):
    Notification.objects.filter(pk=pending.pk).update(
        email=EmailState.FAILED, email_attempts=notifications.MAX_ATTEMPTS
    )

    output = send_notifications()

    assert mail.outbox == []
    assert "No notifications are waiting to be emailed." in output
    assert f"1 notification failed {notifications.MAX_ATTEMPTS} times and will not be emailed again" in (
        send_notifications.err
    )


def test_one_left_being_sent_by_a_stopped_process_is_sent_once_it_is_stuck(pending):
    now = timezone.now()
    Notification.objects.filter(pk=pending.pk).update(
        email=EmailState.SENDING, email_attempts=1, email_changed_at=now - datetime.timedelta(minutes=2)
    )

    assert "No notifications are waiting" in send_notifications()  # another process may still be sending it
    assert mail.outbox == []

    Notification.objects.filter(pk=pending.pk).update(
        email_changed_at=now - notifications.STUCK_AFTER - datetime.timedelta(minutes=1)
    )
    send_notifications()

    assert len(mail.outbox) == 1


def test_send_notifications_dry_run_lists_and_sends_nothing(pending):
    output = send_notifications("--dry-run")

    assert mail.outbox == []
    assert (
        "Would email “An update on action 4.2 is waiting for your approval” to Cora Coordinator <cora@example.org>"
        in output
    )
    assert "Dry run: 1 notification would be emailed; nothing was sent." in output
    pending.refresh_from_db()
    assert pending.email == EmailState.PENDING


def test_send_notifications_does_not_email_someone_whose_account_was_switched_off(pending, coordinator):
    coordinator.is_active = False
    coordinator.save()

    output = send_notifications()

    assert mail.outbox == []
    assert "the account is switched off or has no email address" in output
    pending.refresh_from_db()
    assert pending.email == EmailState.NOT_WANTED


def test_the_command_documents_itself():
    from recommendations.management.commands.send_notifications import Command

    assert "failed fewer than 5 times" in Command.help
    assert "--dry-run" in Command.help


# Preferences ------------------------------------------------------------------------------------


def test_turning_an_email_off_keeps_the_notification_in_the_app(
    action, officer, coordinator, second_coordinator, django_capture_on_commit_callbacks
):
    notifications.set_emailed_kinds(
        user=coordinator, kinds=[kind for kind in NotificationKind.values if kind != NotificationKind.AWAITING_APPROVAL]
    )

    with django_capture_on_commit_callbacks(execute=True):
        write_update(action, officer)

    assert list(emails()) == [second_coordinator.email]
    assert told(coordinator).get().email == EmailState.NOT_WANTED


def test_someone_without_an_email_address_is_told_in_the_app(action, officer, django_capture_on_commit_callbacks):
    coordinator = UserFactory(username="noemail", email="", roles=[COORDINATOR])

    with django_capture_on_commit_callbacks(execute=True):
        write_update(action, officer)
    run_tasks()

    assert mail.outbox == []
    assert told(coordinator).get().email == EmailState.NOT_WANTED


def test_the_settings_page_shows_and_saves_which_kinds_are_emailed(client, officer):
    NotificationPreference.objects.create(user=officer, kind=NotificationKind.UPDATES_DUE, email=False)
    client.force_login(officer)

    page = client.get(SETTINGS_URL)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Email me when" in text
    assert f"emailed to you at {officer.email}" in text
    assert set(page.context["form"]["emailed"].value()) == set(NotificationKind.values) - {NotificationKind.UPDATES_DUE}

    response = client.post(
        SETTINGS_URL, {"emailed": [NotificationKind.ACTION_ASSIGNED, NotificationKind.UPDATE_RETURNED]}
    )

    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert notifications.emailed_kinds(officer) == [NotificationKind.UPDATE_RETURNED, NotificationKind.ACTION_ASSIGNED]
    assert NotificationPreference.objects.filter(user=officer).count() == len(NotificationKind.values)
    assert "Notification settings saved" in client.get(LIST_URL).content.decode()

    client.post(SETTINGS_URL, {})  # nothing ticked: no e-mail at all

    assert notifications.emailed_kinds(officer) == []


def test_the_settings_page_refuses_an_unknown_kind_with_an_error_summary(client, officer):
    client.force_login(officer)

    response = client.post(SETTINGS_URL, {"emailed": ["nonsense", NotificationKind.ACTION_ASSIGNED]})

    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "Select the notifications to email you from the list" in text
    assert response.context["form"]["emailed"].value() == ["nonsense", NotificationKind.ACTION_ASSIGNED]
    assert not NotificationPreference.objects.filter(user=officer).exists()


def test_the_settings_page_warns_when_the_account_has_no_email_address(client):
    user = UserFactory(email="", roles=[OFFICER])
    client.force_login(user)

    text = client.get(SETTINGS_URL).content.decode()

    assert "Your account has no email address, so CPC Tracker cannot email you" in text


# The pages --------------------------------------------------------------------------------------


def make(user, subject, *, minutes_ago=0, read=False, url="/my-actions/", body="What happened."):
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=user,
        kind=NotificationKind.ACTION_ASSIGNED,
        key=f"test:{user.pk}:{subject}",
        subject=subject,
        body=body,
        url=url,
        created_at=at,
        read_at=at if read else None,
        email=EmailState.SENT,
    )


def test_the_list_shows_my_notifications_newest_first_with_new_ones_tagged(client, officer, other_officer):
    older = make(officer, "Older and read", minutes_ago=60, read=True)
    newer = make(officer, "Newer and unread", minutes_ago=5, body="First line\nSecond line")
    make(other_officer, "Someone else's notification")
    client.force_login(officer)

    response = client.get(LIST_URL)

    text = response.content.decode()
    assert list(response.context["notifications"]) == [newer, older]
    assert text.index("Newer and unread") < text.index("Older and read")
    assert "Someone else&#x27;s notification" not in text and "Someone else's notification" not in text
    assert text.count('<strong class="govuk-tag govuk-!-margin-right-1">New</strong>') == 1
    assert f'href="{reverse("recommendations:notification-open", args=[newer.pk])}"' in text
    assert "First line<br>Second line" in text
    assert "You have 1 unread notification." in text
    assert "Mark all as read" in text


def test_the_list_says_when_there_is_nothing(client, officer):
    client.force_login(officer)

    text = client.get(LIST_URL).content.decode()

    assert "You have no notifications yet." in text
    assert "Mark all as read" not in text


def test_the_list_is_paginated(client, officer):
    for n in range(30):
        make(officer, f"Notification {n:02}", minutes_ago=n)
    client.force_login(officer)

    first, second = client.get(LIST_URL), client.get(LIST_URL, {"page": 2})

    assert len(first.context["notifications"]) == 25
    assert "Notification 00" in first.content.decode() and "Notification 29" not in first.content.decode()
    assert "Notification 29" in second.content.decode()
    assert "Next" in first.content.decode()


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, officer):
    notification = make(officer, "You now lead action 4.2", url="/actions/42/")
    client.force_login(officer)

    response = client.get(reverse("recommendations:notification-open", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == "/actions/42/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    read_at = notification.read_at

    client.get(reverse("recommendations:notification-open", args=[notification.pk]))  # again: stays as first read

    notification.refresh_from_db()
    assert notification.read_at == read_at


@pytest.mark.parametrize("url", ["", "https://elsewhere.example.com/", "//elsewhere.example.com/"])
def test_a_notification_with_no_page_here_opens_the_list(client, officer, url):
    notification = make(officer, "Nowhere to go", url=url)
    client.force_login(officer)

    response = client.get(reverse("recommendations:notification-open", args=[notification.pk]))

    assert response["Location"] == LIST_URL


def test_nobody_sees_or_opens_anyone_elses_notifications(client, officer, other_officer, superuser):
    theirs = make(other_officer, "Owen's own notification")
    for user in (officer, superuser):
        client.force_login(user)

        assert client.get(reverse("recommendations:notification-open", args=[theirs.pk])).status_code == 404
        assert "Owen" not in client.get(LIST_URL).content.decode()
        client.post(MARK_ALL_READ_URL)

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_mine(client, officer, other_officer):
    mine = [make(officer, "One"), make(officer, "Two")]
    theirs = make(other_officer, "Theirs")
    client.force_login(officer)

    response = client.post(MARK_ALL_READ_URL, follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert "2 notifications marked as read" in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get(MARK_ALL_READ_URL).status_code == 405


def test_the_pages_ask_anonymous_people_to_sign_in(client, officer):
    notification = make(officer, "Mine")
    for url in (LIST_URL, SETTINGS_URL, reverse("recommendations:notification-open", args=[notification.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    response = client.post(MARK_ALL_READ_URL)
    assert response["Location"].startswith(reverse("login"))


# The header ------------------------------------------------------------------------------------


def header(response):
    text = response.content.decode()
    return text[
        text.index('<ul class="govuk-service-navigation__list"') : text.index(
            "</ul>", text.index("govuk-service-navigation__list")
        )
    ]


def test_the_header_shows_the_unread_count_until_they_are_read(client, officer):
    for n in range(3):
        make(officer, f"Unread {n}")
    make(officer, "Read", read=True)
    client.force_login(officer)

    nav = header(client.get(reverse("recommendations:my-actions")))

    assert (
        'href="/notifications/">Notifications <span class="govuk-tag">3<span class="govuk-visually-hidden"> unread</span></span></a>'
        in nav
    )

    client.post(MARK_ALL_READ_URL)
    nav = header(client.get(reverse("recommendations:my-actions")))

    assert 'href="/notifications/">Notifications</a>' in nav
    assert "unread" not in nav


def test_the_header_marks_the_notifications_page_as_current(client, officer):
    make(officer, "Unread")
    client.force_login(officer)

    nav = header(client.get(LIST_URL))

    assert (
        '<a class="govuk-service-navigation__link" href="/notifications/" aria-current="page">'
        '<strong class="govuk-service-navigation__active-fallback">Notifications</strong> <span class="govuk-tag">1'
    ) in nav


def test_people_not_signed_in_have_no_notifications_link_and_no_query_for_it(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("login"))

    assert "Notifications" not in header(response)


def test_the_header_count_is_one_query_however_many_notifications(client, officer):
    client.force_login(officer)
    url = reverse("recommendations:my-actions")
    with mock.patch("recommendations.context_processors.unread_count", return_value=0) as counted:
        without_count = count_queries(client, url)
    assert counted.call_count == 1  # asked once, though the page shows it

    make(officer, "One")
    few = count_queries(client, url)
    for n in range(20):
        make(officer, f"More {n}")

    assert count_queries(client, url) == few == without_count + 1


# Query budgets ----------------------------------------------------------------------------------


def test_the_list_stays_within_its_query_budget_as_notifications_grow(client, officer):
    client.force_login(officer)
    make(officer, "The first")
    few = count_queries(client, LIST_URL)
    for n in range(40):
        make(officer, f"Notification {n}", read=n % 2 == 0)

    # the page of notifications and their count; the unread count is the header's (in SIGNED_IN_QUERIES)
    assert count_queries(client, LIST_URL) == few <= SIGNED_IN_QUERIES + 2


def test_the_settings_page_stays_within_its_query_budget(client, officer):
    client.force_login(officer)
    NotificationPreference.objects.create(user=officer, kind=NotificationKind.UPDATES_DUE, email=False)

    # the preferences
    assert count_queries(client, SETTINGS_URL) <= SIGNED_IN_QUERIES + 1


def test_saving_the_settings_is_one_write(officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        notifications.set_emailed_kinds(user=officer, kinds=[NotificationKind.ACTION_ASSIGNED])
