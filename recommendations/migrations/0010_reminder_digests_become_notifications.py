"""The reminder digest is a notification now (kind "updates due"): each digest already sent
becomes a notification of that kind whose e-mail was sent, so the rule that nobody gets two
digests within 24 hours carries on across the change, and the digests' own table goes.

Reversible: going back turns each such notification back into a ReminderSent row."""

import re

from django.db import migrations
from django.utils import timezone

UPDATES_DUE = "updates_due"
MY_ACTIONS = "/my-actions/"


def subject(count):
    return f"{count} action{'' if count == 1 else 's'} need{'s' if count == 1 else ''} an update"


def digests_to_notifications(apps, schema_editor):
    ReminderSent = apps.get_model("recommendations", "ReminderSent")
    Notification = apps.get_model("recommendations", "Notification")
    taken = set(Notification.objects.filter(kind=UPDATES_DUE).values_list("key", flat=True))
    notifications = []
    for reminder in ReminderSent.objects.order_by("sent_at", "pk").iterator():
        key = f"updates-due:{reminder.recipient_id}:{timezone.localdate(reminder.sent_at).isoformat()}"
        if key in taken:
            key = f"{key}:reminder-{reminder.pk}"
        taken.add(key)
        notifications.append(
            Notification(
                recipient_id=reminder.recipient_id,
                kind=UPDATES_DUE,
                key=key,
                subject=subject(reminder.action_count),
                body=(
                    f"A reminder of {reminder.action_count} action{'' if reminder.action_count == 1 else 's'} "
                    "you lead that were overdue or due soon without a recent progress update was emailed to you."
                ),
                url=MY_ACTIONS,
                created_at=reminder.sent_at,
                read_at=reminder.sent_at,  # old news: it was read by e-mail, so it does not count as unread
                email="sent",
                email_attempts=1,
                email_changed_at=reminder.sent_at,
            )
        )
    Notification.objects.bulk_create(notifications, batch_size=500)


def notifications_to_digests(apps, schema_editor):
    ReminderSent = apps.get_model("recommendations", "ReminderSent")
    Notification = apps.get_model("recommendations", "Notification")
    reminders = []
    digests = Notification.objects.filter(kind=UPDATES_DUE, email="sent")
    for notification in digests.iterator():
        count = re.match(r"\d+", notification.subject)
        reminders.append(
            ReminderSent(
                recipient_id=notification.recipient_id,
                sent_at=notification.email_changed_at or notification.created_at,
                action_count=int(count.group()) if count else 0,
            )
        )
    ReminderSent.objects.bulk_create(reminders, batch_size=500)
    digests.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0009_invitations"),
    ]

    operations = [
        migrations.RunPython(digests_to_notifications, notifications_to_digests),
        migrations.DeleteModel(name="ReminderSent"),
    ]
