"""E-mail every notification whose e-mail is still to go: never sent, failed, or stuck.

Notifications are e-mailed as soon as the change that made them commits (recommendations.notifications).
This command is the safety net, for cron every few minutes: it sends what is waiting (a process that
died before sending), what failed (the mail server was down; up to MAX_ATTEMPTS tries in all), and
what a crashed process left "being sent" for over STUCK_AFTER. Each e-mail goes once: a notification
is claimed by a conditional UPDATE before it is sent, so two runs at once never send the same one.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recommendations.models import display_name
from recommendations.notifications import (
    MAX_ATTEMPTS,
    STUCK_AFTER,
    given_up,
    send_emails,
    waiting_to_send,
)


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe(notification):
    recipient = notification.recipient
    return f"“{notification.subject}” to {display_name(recipient)} <{recipient.email or 'no email address'}>"


class Command(BaseCommand):
    help = (
        "Email every notification whose email is waiting, failed fewer than "
        f"{MAX_ATTEMPTS} times, or was left being sent for over {int(STUCK_AFTER.total_seconds() // 60)} minutes "
        "by a process that stopped. Prints how many were sent; exits with an error naming those that "
        "failed (they are tried again next time). --dry-run lists them and sends nothing. Safe to run "
        "from cron every few minutes, several at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the notifications that would be emailed; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        waiting = list(waiting_to_send(timezone.now()).select_related("recipient"))
        stopped = given_up().count()
        if stopped:
            self.stderr.write(
                f"{plural(stopped, 'notification')} failed {MAX_ATTEMPTS} times and will not be emailed again: "
                "see Notifications in the admin for the errors."
            )
        if not waiting:
            self.stdout.write("No notifications are waiting to be emailed.")
            return
        if dry_run:
            for notification in waiting:
                tried = notification.email_attempts
                tries = f" (tried {'once' if tried == 1 else f'{tried} times'})" if tried else ""
                self.stdout.write(f"Would email {describe(notification)}{tries}")
            self.stdout.write(f"Dry run: {plural(len(waiting), 'notification')} would be emailed; nothing was sent.")
            return
        result = send_emails([notification.pk for notification in waiting])
        for notification in result.sent:
            self.stdout.write(f"Emailed {describe(notification)}")
        for notification in result.not_wanted:
            self.stdout.write(
                f"Not emailed {describe(notification)}: the account is switched off or has no email address"
            )
        for notification, error in result.failed:
            self.stderr.write(f"Could not email {describe(notification)}: {error}")
        others = len(waiting) - len(result.sent) - len(result.failed) - len(result.not_wanted)
        summary = f"Sent {plural(len(result.sent), 'email')}."
        if others:
            summary += f" {plural(others, 'notification')} left alone: another run had taken them."
        self.stdout.write(summary)
        if result.failed:
            retry = [n for n, _ in result.failed if n.email_attempts < MAX_ATTEMPTS]  # this try counted
            raise CommandError(
                f"Could not send {plural(len(result.failed), 'email')}: "
                + "; ".join(describe(n) for n, _ in result.failed)
                + (f". {len(retry)} will be tried again on the next run." if retry else ". None will be tried again.")
            )
