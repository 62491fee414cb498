"""Send each lead officer one digest of the actions that need a progress update from them.

An action needs one when it is not complete, is overdue or due within 14 days, and has had
no progress update dated in the last 30 days; its lead gets it while they are an active officer
or coordinator of the action's council (the people who may write its updates).

Each digest is a notification (recommendations.notifications, kind "updates due"): it is in the
lead's notifications in the app, and e-mailed after it is recorded unless they turned that off or
have no e-mail address; a failed e-mail is kept and retried by `manage.py send_notifications`.
Nobody gets a second digest within 24 hours (read from their notifications of this kind), so the
command is safe to run from cron twice a day. `--dry-run` prints what would be sent. Links point
at settings.SITE_URL unless `--base-url` says otherwise.
"""

import argparse
import datetime
import itertools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from recommendations.models import (
    LEAD_ROLES,
    Action,
    EmailState,
    Membership,
    Notification,
    NotificationKind,
    ProgressUpdate,
    display_name,
)
from recommendations.notifications import deliver, notify, wants_email

DUE_WITHIN_DAYS = 14
QUIET_DAYS = 30
RESEND_AFTER = datetime.timedelta(hours=24)


def actions_needing_reminders(today):
    """Open actions, overdue or due within 14 days, with no update dated in the last 30 days, whose
    lead officer is active and still an officer or coordinator of the action's council; by lead
    officer, then soonest due. One query."""
    recent_update = ProgressUpdate.objects.filter(
        action=OuterRef("pk"), date__gte=today - datetime.timedelta(days=QUIET_DAYS)
    )
    lead_of_council = Membership.objects.filter(
        user=OuterRef("lead_officer"), council=OuterRef("recommendation__challenge__council"), role__in=LEAD_ROLES
    )
    due = Action.objects.overdue(today) | Action.objects.due_within(DUE_WITHIN_DAYS, today)
    return (
        due.filter(lead_officer__is_active=True)
        .filter(Exists(lead_of_council))
        .filter(~Exists(recent_update))
        .select_related("lead_officer", "recommendation__challenge__council")
        .order_by("lead_officer_id", "due_date", "recommendation__number", "reference")
    )


@dataclass
class ReminderItem:
    action: Action
    days: int  # until the due date; negative when overdue
    url: str

    @property
    def when(self):
        if self.days < 0:
            return f"overdue by {-self.days} day{'' if self.days == -1 else 's'}"
        if self.days == 0:
            return "due today"
        return f"due in {self.days} day{'' if self.days == 1 else 's'}"


@dataclass
class Digest:
    officer: object
    items: list

    @property
    def name(self):
        return display_name(self.officer)

    @property
    def subject(self):
        count = len(self.items)
        return f"{count} action{'' if count == 1 else 's'} need{'s' if count == 1 else ''} an update"

    def body(self):
        context = {"items": self.items, "quiet_days": QUIET_DAYS, "due_within_days": DUE_WITHIN_DAYS}
        return render_to_string("recommendations/email/reminder.txt", context)


def digests(today, base_url):
    """One Digest per lead officer with actions needing an update."""
    result = []
    actions = actions_needing_reminders(today)
    for _, group in itertools.groupby(actions, key=lambda action: action.lead_officer_id):
        group = list(group)
        items = [
            ReminderItem(
                action=action,
                days=(action.due_date - today).days,
                url=base_url + reverse("recommendations:progress-update-create", args=[action.pk]),
            )
            for action in group
        ]
        result.append(Digest(officer=group[0].lead_officer, items=items))
    return result


def reminded_recently(officers, now):
    """The ids of those officers who were sent a digest in the 24 hours before `now`."""
    return set(
        Notification.objects.filter(
            kind=NotificationKind.UPDATES_DUE, recipient__in=officers, created_at__gt=now - RESEND_AFTER
        ).values_list("recipient_id", flat=True)
    )


def digest_key(officer, now):
    """The digest's notification key names the lead and the day: a second one that day is refused."""
    return f"updates-due:{officer.pk}:{timezone.localdate(now).isoformat()}"


def send_digest(digest, *, now, base_url):
    """Record one digest as the lead's notification, unless another run got there first; its e-mail
    goes when this transaction commits, after the lock below is released: this command (not a
    request) sends it itself, to report on it; the task queued on commit then finds it sent (each
    e-mail is claimed once). Inside a caller's transaction it is left to that task. The notification,
    or None."""
    with transaction.atomic():
        # Lock the officer so that two runs at once cannot both record a digest.
        get_user_model().objects.select_for_update().filter(pk=digest.officer.pk).first()
        if reminded_recently([digest.officer], now):
            return None
        notification = notify(
            recipient=digest.officer,
            kind=NotificationKind.UPDATES_DUE,
            key=digest_key(digest.officer, now),
            subject=digest.subject,
            body=digest.body(),
            url=reverse("recommendations:my-actions"),
            base_url=base_url,
        )
    if notification is not None and not transaction.get_connection().in_atomic_block:
        deliver([notification.pk], base_url=base_url)
    return notification


def date_option(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date like 2024-03-31") from None


def base_url_option(value):
    value = value.rstrip("/")
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a web address like https://cpc-tracker.example.gov.uk"
        ) from None
    return value


class Command(BaseCommand):
    help = (
        "Send each lead officer a digest of their actions that are overdue or due within "
        f"{DUE_WITHIN_DAYS} days and have had no progress update for {QUIET_DAYS} days, as a notification "
        "in CPC Tracker, e-mailed unless they turned that off. Nobody gets two digests within 24 hours. "
        "An e-mail that fails is kept and sent by `manage.py send_notifications`; the command then "
        "exits with an error naming who was not e-mailed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print who would get which actions; send and record nothing."
        )
        parser.add_argument(
            "--base-url",
            type=base_url_option,
            default=None,
            help="The site's address for links in the email (default: the SITE_URL setting).",
        )
        parser.add_argument(
            "--today",
            type=date_option,
            default=None,
            help="Work out what is due as if today were this date (YYYY-MM-DD). The 24-hour rule uses the real time.",
        )

    def handle(self, *args, dry_run=False, base_url=None, today=None, **options):
        if base_url is None:
            try:
                base_url = base_url_option(settings.SITE_URL)
            except argparse.ArgumentTypeError as error:
                raise CommandError(f"SITE_URL: {error}") from None
        now = timezone.now()
        today = today or timezone.localdate(now)
        pending = digests(today, base_url)
        if not pending:
            self.stdout.write("No lead officer has actions that need a reminder.")
            return
        recent = reminded_recently([digest.officer for digest in pending], now)
        sent, failed = 0, []
        for digest in pending:
            officer = digest.officer
            who = f"{digest.name} <{officer.email}>" if officer.email else f"{digest.name} (no email address)"
            if officer.pk in recent:
                self.stdout.write(f"Skipped {who}: already sent a reminder in the last 24 hours")
                continue
            if dry_run:
                how = "email" if wants_email(officer, NotificationKind.UPDATES_DUE) else "notify in the app only"
                self.stdout.write(f"Would {how} {who}: {digest.subject}")
                for item in digest.items:
                    self.stdout.write(f"  - Action {item.action.reference}, {item.when}: {item.url}")
                continue
            notification = send_digest(digest, now=now, base_url=base_url)
            if notification is None:
                self.stdout.write(f"Skipped {who}: already sent a reminder in the last 24 hours")
                continue
            sent += 1
            notification.refresh_from_db(fields=["email", "email_error"])
            if notification.email == EmailState.SENT:
                self.stdout.write(f"Emailed {who}: {digest.subject}")
            elif notification.email == EmailState.NOT_WANTED:
                self.stdout.write(f"Notified {who} in the app only (no email wanted): {digest.subject}")
            elif notification.email == EmailState.FAILED:
                failed.append(who)
                self.stderr.write(f"Could not email {who}: {notification.email_error}")
            else:  # called inside a transaction: the e-mail goes when it commits
                self.stdout.write(f"Notified {who}: {digest.subject}; the email goes when the transaction commits")
        if dry_run:
            self.stdout.write("Dry run: nothing was sent or recorded.")
            return
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
        if failed:
            plural = "" if len(failed) == 1 else "s"
            raise CommandError(
                f"Could not email {len(failed)} reminder{plural}: {', '.join(failed)}. The reminders are in "
                "their notifications; run `manage.py send_notifications` to try the email again."
            )
