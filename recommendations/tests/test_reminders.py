"""`manage.py send_reminders`: who gets a digest of which actions, no repeats within 24 hours, dry runs.

The clock is fixed: django.utils.timezone.now is patched, so "today" and the 24-hour rule both follow it.
"""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from recommendations.management.commands.send_reminders import actions_needing_reminders
from recommendations.models import Membership, ReminderSent, Status
from recommendations.roles import OFFICER, SCRUTINY_MEMBER

from .factories import ActionFactory, CouncilFactory, PeerChallengeFactory, ProgressUpdateFactory, UserFactory

pytestmark = pytest.mark.django_db

# 8am in London on Monday 3 June 2024.
NOW = datetime.datetime(2024, 6, 3, 7, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2024, 6, 3)
BASE_URL = "https://cpc.example.gov.uk"


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
        lead_officer=officer, reference="1.2", description="Due in ten days", due_date=days(10),
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


def test_officers_whose_accounts_cannot_receive_email_are_left_out(officer):
    ActionFactory(lead_officer=UserFactory(username="gone", is_active=False, roles=[OFFICER]), due_date=days(-1))
    ActionFactory(lead_officer=UserFactory(username="noemail", email="", roles=[OFFICER]), due_date=days(-1))

    assert list(actions_needing_reminders(TODAY)) == []


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

    assert len(mail.outbox) == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    olivia = by_recipient["olivia@example.org"]
    assert olivia.subject == "CPC Tracker: 3 actions need an update"
    body = olivia.body
    assert body.startswith("Dear Olivia Officer,")
    for action, when in zip(actions["listed"], ["overdue by 14 days", "due in 1 day", "due in 10 days"]):
        assert f"Action {action.reference} (" in body
        assert action.description in body
        assert f"{BASE_URL}/actions/{action.pk}/update/" in body
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
    assert list(ReminderSent.objects.order_by("action_count").values_list("recipient__username", "action_count")) == [
        ("owen", 1),
        ("olivia", 3),
    ]
    assert ReminderSent.objects.filter(sent_at=NOW).count() == 2
    assert "Sent 2 reminders." in output


def test_someone_with_nothing_due_gets_nothing(officer, other_officer):
    ActionFactory(lead_officer=other_officer, due_date=days(30))
    ActionFactory(lead_officer=other_officer, due_date=days(-2), status=Status.COMPLETE)

    output = run()

    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert "No lead officer has actions that need a reminder." in output


def test_nobody_gets_two_digests_within_24_hours(actions, officer):
    run()
    output = run(now=NOW + datetime.timedelta(hours=12))

    assert len(mail.outbox) == 1
    assert "Skipped Olivia Officer <olivia@example.org>: already sent a reminder in the last 24 hours" in output
    assert ReminderSent.objects.count() == 1

    run(now=NOW + datetime.timedelta(hours=25))

    assert len(mail.outbox) == 2
    assert ReminderSent.objects.count() == 2


def test_an_update_after_the_reminder_stops_the_next_one(actions, officer):
    run()
    for action in actions["listed"]:
        ProgressUpdateFactory(action=action, date=TODAY)

    run(now=NOW + datetime.timedelta(days=2))

    assert len(mail.outbox) == 1


def test_dry_run_prints_who_would_get_what_and_sends_and_records_nothing(actions, officer):
    output = run("--dry-run")

    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert "Would email Olivia Officer <olivia@example.org>: CPC Tracker: 3 actions need an update" in output
    assert "Action 1.1, overdue by 14 days" in output
    assert "Action 1.2, due in 10 days" in output
    assert "2.1" not in output
    assert "Dry run: nothing was sent or recorded." in output


def test_today_option_works_out_what_is_due_on_another_date(actions, officer):
    run("--today", "2024-05-01")

    assert mail.outbox == []


def test_links_use_the_site_url_setting_when_no_base_url_is_given(actions, officer, settings):
    settings.SITE_URL = "https://tracker.example.gov.uk/"
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("send_reminders", stdout=io.StringIO())

    assert f"https://tracker.example.gov.uk/actions/{actions['listed'][0].pk}/update/" in mail.outbox[0].body
    assert "127.0.0.1" not in mail.outbox[0].body


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


def test_a_failed_email_is_not_recorded_and_does_not_stop_the_others(actions, officer, other_officer):
    ActionFactory(lead_officer=other_officer, due_date=days(-1))
    down = ConnectionRefusedError("SMTP server is down")
    sends = [down, 1] if officer.pk < other_officer.pk else [1, down]  # digests go out in officer order

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=sends):
        with pytest.raises(CommandError, match="Could not send 1 reminder: Olivia Officer <olivia@example.org>"):
            run()

    assert list(ReminderSent.objects.values_list("recipient__username", flat=True)) == ["owen"]


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
