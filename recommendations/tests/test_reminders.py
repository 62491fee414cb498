"""`manage.py send_reminders`: who gets a digest of which actions, no repeats within 24 hours, dry runs.

Each digest is a notification (kind "updates due") e-mailed after it is recorded. The command runs
as it does from cron, outside any transaction, so these tests use a transactional database: the
e-mail really goes when the digest's transaction commits. The clock is fixed:
django.utils.timezone.now is patched, so "today" and the 24-hour rule both follow it.
"""

import datetime
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from recommendations.management.commands.send_reminders import actions_needing_reminders
from recommendations.models import (
    EmailState,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    Status,
)
from recommendations.roles import OFFICER, SCRUTINY_MEMBER

from .factories import (
    ActionFactory,
    CouncilFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# 8am in London on Monday 3 June 2024.
NOW = datetime.datetime(2024, 6, 3, 7, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2024, 6, 3)
BASE_URL = "https://cpc.example.gov.uk"


DIGEST_SUBJECT = re.compile(r"CPC Tracker: \d+ actions? needs? an update")


def digest_emails():
    """The digests e-mailed so far (setting up actions tells their leads too: those are left out)."""
    return [message for message in mail.outbox if DIGEST_SUBJECT.fullmatch(message.subject)]


def days(n):
    return TODAY + datetime.timedelta(days=n)


def run(*args, now=NOW):
    out = io.StringIO()
    with mock.patch("django.utils.timezone.now", return_value=now):
        call_command("send_reminders", "--base-url", BASE_URL, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def actions(officer):
    """The officer's actions, named by whether a reminder should list them."""
    overdue = ActionFactory(lead_officer=officer, reference="1.1", description="Overdue action", due_date=days(-14))
    due_soon = ActionFactory(
        lead_officer=officer,
        reference="1.2",
        description="Due in ten days",
        due_date=days(10),
        status=Status.NOT_STARTED,
    )
    stale_update = ActionFactory(
        lead_officer=officer, reference="1.3", description="Updated 31 days ago", due_date=days(1)
    )
    ProgressUpdateFactory(action=stale_update, date=days(-31))
    due_later = ActionFactory(lead_officer=officer, reference="2.1", description="Due in 20 days", due_date=days(20))
    updated = ActionFactory(lead_officer=officer, reference="2.2", description="Updated 5 days ago", due_date=days(-3))
    ProgressUpdateFactory(action=updated, date=days(-5), published=False)
    complete = ActionFactory(
        lead_officer=officer, reference="2.3", description="Complete", due_date=days(-30), status=Status.COMPLETE
    )
    undated = ActionFactory(lead_officer=officer, reference="2.4", description="No due date", due_date=None)
    unled = ActionFactory(lead_officer=None, reference="3.1", description="Nobody leads it", due_date=days(-30))
    return {
        "listed": [overdue, stale_update, due_soon],
        "not listed": [due_later, updated, complete, undated, unled],
    }


def test_selection_is_overdue_or_due_within_14_days_without_an_update_for_30_days(actions, django_assert_num_queries):
    with django_assert_num_queries(1):
        selected = list(actions_needing_reminders(TODAY))

    assert selected == actions["listed"]  # soonest due first


def test_officers_whose_accounts_are_switched_off_are_left_out(officer):
    ActionFactory(lead_officer=UserFactory(username="gone", is_active=False, roles=[OFFICER]), due_date=days(-1))

    assert list(actions_needing_reminders(TODAY)) == []


def digests():
    return Notification.objects.filter(kind=NotificationKind.UPDATES_DUE)


def test_an_officer_without_an_email_address_gets_the_digest_in_the_app_only(officer):
    no_email = UserFactory(username="noemail", first_name="Nia", last_name="Noemail", email="", roles=[OFFICER])
    ActionFactory(lead_officer=no_email, reference="5.1", due_date=days(-1))

    output = run()

    assert digest_emails() == []
    digest = digests().get()
    assert (digest.recipient, digest.email) == (no_email, EmailState.NOT_WANTED)
    assert "Action 5.1" in digest.body
    assert "Notified Nia Noemail (no email address) in the app only" in output


def test_an_officer_who_turned_the_email_off_gets_the_digest_in_the_app_only(actions, officer):
    NotificationPreference.objects.create(user=officer, kind=NotificationKind.UPDATES_DUE, email=False)

    run()

    assert digest_emails() == []
    assert digests().get().email == EmailState.NOT_WANTED


def test_reminders_go_to_leads_who_are_officers_or_coordinators_of_the_actions_council(officer, coordinator):
    """Someone who moved to another council, or now only scrutinises, no longer writes the updates."""
    elsewhere = CouncilFactory(name="Elsewhere Borough Council")
    moved = UserFactory(username="moved", roles=[(elsewhere, OFFICER)])
    scrutiny = UserFactory(username="now-scrutiny", roles=[SCRUTINY_MEMBER])
    left = UserFactory(username="left", roles=[OFFICER])
    ActionFactory(lead_officer=moved, description="Led from another council", due_date=days(-1))
    ActionFactory(lead_officer=scrutiny, description="Led by a scrutiny member", due_date=days(-1))
    left_action = ActionFactory(lead_officer=left, description="Lead left the council", due_date=days(-1))
    Membership.objects.filter(user=left).delete()
    theirs = ActionFactory(lead_officer=officer, description="Officer of this council", due_date=days(-1))
    coordinated = ActionFactory(lead_officer=coordinator, description="Coordinator of this council", due_date=days(-1))
    at_elsewhere = ActionFactory(
        recommendation__theme__challenge=PeerChallengeFactory(council=elsewhere),
        lead_officer=moved,
        description="Officer of that council",
        due_date=days(-1),
    )

    selected = set(actions_needing_reminders(TODAY))

    assert selected == {theirs, coordinated, at_elsewhere}
    assert left_action not in selected


def test_each_lead_officer_gets_one_digest_of_exactly_their_actions(actions, officer, other_officer):
    theirs = ActionFactory(lead_officer=other_officer, reference="4.1", description="Owen's action", due_date=days(0))

    output = run()

    assert len(digest_emails()) == 2
    by_recipient = {message.to[0]: message for message in digest_emails()}
    olivia = by_recipient["olivia@example.org"]
    assert olivia.subject == "CPC Tracker: 3 actions need an update"
    body = olivia.body
    assert body.startswith("Dear Olivia Officer,")
    for action, when in zip(actions["listed"], ["overdue by 14 days", "due in 1 day", "due in 10 days"]):
        assert f"Action {action.reference} (" in body
        assert action.description in body
        assert f"{BASE_URL}/actions/{action.pk}/update/" in body
        assert f": {when}\n" in body
    assert "Due 20 May 2024: overdue by 14 days" in body
    assert "Due 4 June 2024: due in 1 day" in body
    assert "Due 13 June 2024: due in 10 days" in body
    for action in actions["not listed"] + [theirs]:
        assert action.description not in body
        assert f"/actions/{action.pk}/update/" not in body
    assert body.index("Action 1.1") < body.index("Action 1.3") < body.index("Action 1.2")
    owen = by_recipient["owen@example.org"]
    assert owen.subject == "CPC Tracker: 1 action needs an update"
    assert "Due 3 June 2024: due today" in owen.body
    assert "Overdue action" not in owen.body
    assert sorted(digests().values_list("recipient__username", "subject", "email", "created_at")) == [
        ("olivia", "3 actions need an update", EmailState.SENT, NOW),
        ("owen", "1 action needs an update", EmailState.SENT, NOW),
    ]
    in_the_app = digests().get(recipient=officer)
    assert in_the_app.key == f"updates-due:{officer.pk}:2024-06-03"
    assert in_the_app.url == "/my-actions/" and in_the_app.read_at is None
    assert "Action 1.1 (" in in_the_app.body and "Owen's action" not in in_the_app.body
    assert "Emailed Olivia Officer <olivia@example.org>: 3 actions need an update" in output
    assert "Sent 2 reminders." in output


def test_the_email_links_to_all_the_lead_officers_actions_and_their_settings(actions, officer):
    run()

    body = digest_emails()[0].body
    assert "My actions lists every action you lead" in body
    assert "/my-actions/\n" in body
    assert "/notifications/settings/" in body


def test_someone_with_nothing_due_gets_nothing(officer, other_officer):
    ActionFactory(lead_officer=other_officer, due_date=days(30))
    ActionFactory(lead_officer=other_officer, due_date=days(-2), status=Status.COMPLETE)

    output = run()

    assert digest_emails() == []
    assert not digests().exists()
    assert "No lead officer has actions that need a reminder." in output


def test_nobody_gets_two_digests_within_24_hours(actions, officer):
    run()
    output = run(now=NOW + datetime.timedelta(hours=12))

    assert len(digest_emails()) == 1
    assert "Skipped Olivia Officer <olivia@example.org>: already sent a reminder in the last 24 hours" in output
    assert digests().count() == 1

    run(now=NOW + datetime.timedelta(hours=25))

    assert len(digest_emails()) == 2
    assert digests().count() == 2


def test_a_digest_is_never_recorded_twice_for_a_lead_on_one_day(actions, officer):
    """Two runs that both passed the 24-hour check (say, at once) record one digest: its key names the day."""
    from recommendations.management.commands.send_reminders import (
        digests as pending_digests,
    )
    from recommendations.management.commands.send_reminders import send_digest

    digest = pending_digests(TODAY, BASE_URL)[0]
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        first = send_digest(digest, now=NOW, base_url=BASE_URL)
        with mock.patch("recommendations.management.commands.send_reminders.reminded_recently", return_value=set()):
            second = send_digest(digest, now=NOW + datetime.timedelta(hours=1), base_url=BASE_URL)

    assert first is not None and second is None
    assert digests().count() == 1 and len(digest_emails()) == 1


def test_the_24_hour_rule_counts_digests_recorded_before_the_change_to_notifications(actions, officer):
    """A digest carried over from the old ReminderSent table (migration 0010) is a sent notification."""
    Notification.objects.create(
        recipient=officer,
        kind=NotificationKind.UPDATES_DUE,
        key=f"updates-due:{officer.pk}:2024-06-02",
        subject="3 actions need an update",
        body="Carried over",
        created_at=NOW - datetime.timedelta(hours=20),
        email=EmailState.SENT,
    )

    output = run()

    assert digest_emails() == []
    assert "already sent a reminder in the last 24 hours" in output


def test_an_update_after_the_reminder_stops_the_next_one(actions, officer):
    run()
    for action in actions["listed"]:
        ProgressUpdateFactory(action=action, date=TODAY)

    run(now=NOW + datetime.timedelta(days=2))

    assert len(digest_emails()) == 1


def test_dry_run_prints_who_would_get_what_and_sends_and_records_nothing(actions, officer):
    output = run("--dry-run")

    assert digest_emails() == []
    assert not Notification.objects.filter(kind=NotificationKind.UPDATES_DUE).exists()
    assert "Would email Olivia Officer <olivia@example.org>: 3 actions need an update" in output
    assert "Action 1.1, overdue by 14 days" in output
    assert "Action 1.2, due in 10 days" in output
    assert "2.1" not in output
    assert "Dry run: nothing was sent or recorded." in output


def test_today_option_works_out_what_is_due_on_another_date(actions, officer):
    run("--today", "2024-05-01")

    assert digest_emails() == []


def test_links_use_the_site_url_setting_when_no_base_url_is_given(actions, officer, settings):
    settings.SITE_URL = "https://tracker.example.gov.uk/"
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("send_reminders", stdout=io.StringIO())

    assert f"https://tracker.example.gov.uk/actions/{actions['listed'][0].pk}/update/" in digest_emails()[0].body
    assert "127.0.0.1" not in digest_emails()[0].body


def test_a_bad_site_url_setting_is_named_in_the_error(db, settings):
    settings.SITE_URL = "tracker.example.gov.uk"

    with pytest.raises(CommandError, match="SITE_URL: 'tracker.example.gov.uk' is not a web address"):
        call_command("send_reminders", stdout=io.StringIO())


def site_url_setting(**environment):
    """settings.SITE_URL as a fresh process reads it from this environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DEBUG="true", **environment)
    script = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, "DJANGO_SETTINGS_MODULE": "cpc_tracker.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_site_url_comes_from_the_environment_and_defaults_to_the_development_server():
    assert site_url_setting() == "http://127.0.0.1:8000"
    assert site_url_setting(SITE_URL="https://tracker.example.gov.uk") == "https://tracker.example.gov.uk"


def test_a_failed_email_is_kept_for_send_notifications_and_does_not_stop_the_others(actions, officer, other_officer):
    ActionFactory(lead_officer=other_officer, due_date=days(-1))
    down = ConnectionRefusedError("SMTP server is down")
    sends = [down, 1] if officer.pk < other_officer.pk else [1, down]  # digests go out in officer order

    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=sends),
        pytest.raises(
            CommandError,
            match=r"Could not email 1 reminder: Olivia Officer <olivia@example.org>\. "
            r".*run `manage.py send_notifications`",
        ),
    ):
        run()

    assert dict(digests().values_list("recipient__username", "email")) == {
        "olivia": EmailState.FAILED,
        "owen": EmailState.SENT,
    }
    assert "SMTP server is down" in digests().get(recipient=officer).email_error

    with mock.patch("django.utils.timezone.now", return_value=NOW + datetime.timedelta(minutes=5)):
        call_command("send_notifications", stdout=io.StringIO())

    assert digests().get(recipient=officer).email == EmailState.SENT
    assert [message.to for message in digest_emails()] == [["olivia@example.org"]]  # the mock took the first


@pytest.mark.parametrize(
    "args, message",
    [
        (["--today", "2024-13-01"], "'2024-13-01' is not a date like 2024-03-31"),
        (["--today", "yesterday"], "'yesterday' is not a date like 2024-03-31"),
        (["--base-url", "ftp://example.org"], "'ftp://example.org' is not a web address"),
        (["--base-url", "not a url"], "'not a url' is not a web address"),
    ],
)
def test_bad_options_give_a_readable_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_reminders", *args, stdout=io.StringIO())


def test_the_migration_carries_digests_already_sent_over_as_sent_notifications_and_back():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("recommendations", "0009_invitations")],
        [("recommendations", "0010_reminder_digests_become_notifications")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    lead = old.get_model("auth", "User").objects.create(username="lena", email="lena@example.org")
    sent_at = datetime.datetime(2024, 6, 3, 7, 0, tzinfo=datetime.UTC)
    old.get_model("recommendations", "ReminderSent").objects.create(recipient=lead, sent_at=sent_at, action_count=3)
    old.get_model("recommendations", "ReminderSent").objects.create(
        recipient=lead, sent_at=sent_at - datetime.timedelta(days=2), action_count=1
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)

    carried = executor.loader.project_state(after).apps.get_model("recommendations", "Notification").objects
    assert sorted(carried.values_list("key", "subject", "email", "created_at", "kind")) == [
        (
            f"updates-due:{lead.pk}:2024-06-01",
            "1 action needs an update",
            "sent",
            sent_at - datetime.timedelta(days=2),
            "updates_due",
        ),
        (f"updates-due:{lead.pk}:2024-06-03", "3 actions need an update", "sent", sent_at, "updates_due"),
    ]
    assert not carried.filter(read_at__isnull=True).exists()  # old news: no sudden unread count

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    back = executor.loader.project_state(before).apps.get_model("recommendations", "ReminderSent").objects
    assert sorted(back.values_list("sent_at", "action_count")) == [
        (sent_at - datetime.timedelta(days=2), 1),
        (sent_at, 3),
    ]
    assert not executor.loader.project_state(before).apps.get_model("recommendations", "Notification").objects.exists()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
