"""Email each lead officer one digest of the actions that need a progress update from them.

An action needs one when it is not complete, is overdue or due within 14 days, and has had
no progress update dated in the last 30 days; its lead gets it while they are an active officer
or coordinator of the action's council (the people who may write its updates). Nobody gets a
second digest within 24 hours, so the command is safe to run from cron twice a day. `--dry-run`
prints what would be sent. Links point at settings.SITE_URL unless `--base-url` says otherwise.
"""

import argparse
import datetime
import itertools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from recommendations.models import LEAD_ROLES, Action, Membership, ProgressUpdate, ReminderSent

DUE_WITHIN_DAYS = 14
QUIET_DAYS = 30
RESEND_AFTER = datetime.timedelta(hours=24)


def actions_needing_reminders(today):
    """Open actions, overdue or due within 14 days, with no update dated in the last 30 days, whose
    lead officer is active, has an email address and is still an officer or coordinator of the
    action's council; by lead officer, then soonest due. One query."""
    recent_update = ProgressUpdate.objects.filter(
        action=OuterRef("pk"), date__gte=today - datetime.timedelta(days=QUIET_DAYS)
    )
    lead_of_council = Membership.objects.filter(
        user=OuterRef("lead_officer"), council=OuterRef("recommendation__challenge__council"), role__in=LEAD_ROLES
    )
    due = Action.objects.overdue(today) | Action.objects.due_within(DUE_WITHIN_DAYS, today)
    return (
        due.filter(lead_officer__is_active=True)
        .exclude(lead_officer__email="")
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
        return self.officer.get_full_name() or self.officer.get_username()

    @property
    def subject(self):
        count = len(self.items)
        return f"CPC Tracker: {count} action{'' if count == 1 else 's'} need{'s' if count == 1 else ''} an update"

    def body(self, base_url):
        context = {
            "name": self.name,
            "items": self.items,
            "quiet_days": QUIET_DAYS,
            "my_actions_url": base_url + reverse("recommendations:my-actions"),
        }
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
        ReminderSent.objects.filter(recipient__in=officers, sent_at__gt=now - RESEND_AFTER).values_list(
            "recipient_id", flat=True
        )
    )


def send_digest(digest, *, now, base_url):
    """Email one digest and record it, unless another run got there first. True if it was sent."""
    with transaction.atomic():
        # Lock the officer so that two runs at once cannot both send.
        get_user_model().objects.select_for_update().filter(pk=digest.officer.pk).first()
        if reminded_recently([digest.officer], now):
            return False
        EmailMessage(
            subject=digest.subject,
            body=digest.body(base_url),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[digest.officer.email],
        ).send()
        ReminderSent.objects.create(recipient=digest.officer, sent_at=now, action_count=len(digest.items))
    return True


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
        "Email each lead officer a digest of their actions that are overdue or due within "
        f"{DUE_WITHIN_DAYS} days and have had no progress update for {QUIET_DAYS} days. "
        "Nobody gets two digests within 24 hours."
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
            who = f"{digest.name} <{digest.officer.email}>"
            if digest.officer.pk in recent:
                self.stdout.write(f"Skipped {who}: already sent a reminder in the last 24 hours")
                continue
            if dry_run:
                self.stdout.write(f"Would email {who}: {digest.subject}")
                for item in digest.items:
                    self.stdout.write(f"  - Action {item.action.reference}, {item.when}: {item.url}")
                continue
            try:
                if send_digest(digest, now=now, base_url=base_url):
                    sent += 1
                    self.stdout.write(f"Emailed {who}: {digest.subject}")
                else:
                    self.stdout.write(f"Skipped {who}: already sent a reminder in the last 24 hours")
            except Exception as error:  # one officer's bad address must not stop the others' reminders
                failed.append(who)
                self.stderr.write(f"Could not email {who}: {error}")
        if dry_run:
            self.stdout.write("Dry run: nothing was sent or recorded.")
            return
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
        if failed:
            plural = "" if len(failed) == 1 else "s"
            raise CommandError(f"Could not send {len(failed)} reminder{plural}: {', '.join(failed)}")
