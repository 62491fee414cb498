"""Telling people what needs them: one home for every notification, in the app and by e-mail.

- **Who is told what:**
  - an update awaits approval → the coordinators of its council;
  - an update is approved or returned → its author;
  - an action is given to someone or taken from them → the new and the old lead;
  - an update round opens, or a coordinator sends a round reminder → the lead (see recommendations.rounds);
  - the reminder digest (`send_reminders`) → the lead whose actions are due and quiet.
  Nobody is told about what they did themselves.
- **Once:** each notification has a key naming its event and recipient (unique in the database),
  so the same event never notifies the same person twice, whoever or whatever triggers it again.
- **After commit, in the background:** the notification row is written in the same transaction as
  the change; when that transaction commits (`transaction.on_commit`) a task is queued
  (`recommendations.tasks.send_notification_emails`) and the worker sends the e-mail: no request
  talks to the mail server. No lock is held while it does: a notification is claimed by a
  conditional UPDATE, sent, then marked sent or failed. A change that rolls back sends nothing.
- **Retried:** failures are recorded on the notification and logged, and `manage.py send_notifications`
  sends what is waiting or failed and what was left half-way by a crashed process, up to
  MAX_ATTEMPTS tries in all (each claim counts as one).
- **Preferences:** everyone sees their notifications in the app; e-mail is sent unless they turned
  that kind off (NotificationPreference) or have no e-mail address.
- **Private:** people see and open their own notifications only (`notifications_of`).
"""

import datetime
import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import (
    Action,
    Approval,
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    ProgressUpdate,
    Role,
    display_name,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = datetime.timedelta(minutes=10)


def wants_email(user, kind):
    if not user.email:
        return False
    return not NotificationPreference.objects.filter(user=user, kind=kind, email=False).exists()


def notify(*, recipient, kind, key, subject, body, url="", council=None, base_url=None):
    """Record a notification for `recipient` unless this event already notified them; its e-mail
    goes after the surrounding transaction commits. Returns the new notification, or None.
    `base_url` is the site's address for the e-mail's links (default: settings.SITE_URL)."""
    if recipient is None or not recipient.is_active:
        return None
    email = EmailState.PENDING if wants_email(recipient, kind) else EmailState.NOT_WANTED
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key[:200],
            defaults={
                "recipient": recipient,
                "kind": kind,
                "subject": subject[:300],
                "body": body.rstrip(),
                "url": url,
                "council_id": getattr(council, "pk", council),
                "email": email,
                "created_at": timezone.now(),
            },
        )
    if not created:
        return None
    if email == EmailState.PENDING:
        # robust: a failure to queue is logged, never turned into an error for a change already
        # committed; `send_notifications` sends what was left waiting.
        transaction.on_commit(partial(_queue_emails, [notification.pk], base_url), robust=True)
    return notification


def _queue_emails(pks, base_url=None):
    from .tasks import send_notification_emails

    send_notification_emails.enqueue(pks, base_url=base_url)


# Sending (in the worker, or `send_notifications`): claimed by a conditional UPDATE (no lock held while the mail server is talked to), sent,
# then marked sent or failed. Each claim counts as a try, so a message that crashes its sender is
# not tried for ever.


def _claimable(now):
    return Q(email_attempts__lt=MAX_ATTEMPTS) & (
        Q(email__in=[EmailState.PENDING, EmailState.FAILED])
        | Q(email=EmailState.SENDING, email_changed_at__lt=now - STUCK_AFTER)
    )


def _claim(pk, now):
    """Take one notification's e-mail to send, unless another process has it. No lock is held after."""
    return bool(
        Notification.objects.filter(_claimable(now), pk=pk).update(
            email=EmailState.SENDING, email_changed_at=now, email_attempts=F("email_attempts") + 1
        )
    )


def _mark(pk, state, error=""):
    Notification.objects.filter(pk=pk, email=EmailState.SENDING).update(
        email=state, email_error=error[:1000], email_changed_at=timezone.now()
    )


def site_url(base_url=None):
    return (base_url or settings.SITE_URL).rstrip("/")


def _message(notification, base_url=None, connection=None):
    base = site_url(base_url)
    body = render_to_string(
        "recommendations/email/notification.txt",
        {
            "notification": notification,
            "name": display_name(notification.recipient),
            "url": base + notification.url if notification.url else "",
            "settings_url": base + reverse("recommendations:notification-settings"),
        },
    )
    return EmailMessage(
        subject=f"CPC Tracker: {notification.subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
        connection=connection,
    )


@dataclass
class Sent:
    """What one sending run did: notifications sent, failed (with the error) and not wanted any more."""

    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (notification, error)
    not_wanted: list = field(default_factory=list)


def send_emails(pks, *, base_url=None):
    """Send the e-mails of these notifications, each at most once, over one connection to the
    mail server. A notification another process has claimed, or already sent, is left alone."""
    result = Sent()
    connection = None
    try:
        for pk in pks:
            if not _claim(pk, timezone.now()):
                continue
            notification = Notification.objects.select_related("recipient").get(pk=pk)
            recipient = notification.recipient
            if not (recipient.is_active and recipient.email):  # left, or lost their address, since
                _mark(pk, EmailState.NOT_WANTED)
                result.not_wanted.append(notification)
                continue
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                _message(notification, base_url, connection).send()
            except Exception as error:  # one bad address or a mail server hiccup must not stop the others
                logger.exception("Could not e-mail notification %s to user %s", pk, notification.recipient_id)
                _mark(pk, EmailState.FAILED, f"{type(error).__name__}: {error}")
                result.failed.append((notification, error))
                continue
            _mark(pk, EmailState.SENT)
            result.sent.append(notification)
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:
                logger.exception("Could not close the connection to the mail server")
    return result


def deliver(pks, *, base_url=None):
    """Send the e-mails of these notifications, each at most once. Returns how many were sent."""
    return len(send_emails(pks, base_url=base_url).sent)


def waiting_to_send(now=None):
    """Notifications whose e-mail is due: never tried, failed fewer than MAX_ATTEMPTS times, or stuck."""
    return Notification.objects.filter(_claimable(now or timezone.now())).order_by("created_at", "pk")


def given_up():
    """Notifications whose e-mail failed MAX_ATTEMPTS times: nothing sends them any more."""
    return Notification.objects.filter(
        email__in=[EmailState.FAILED, EmailState.SENDING], email_attempts__gte=MAX_ATTEMPTS
    )


# What a person sees: their own notifications only.


def notifications_of(user):
    """The user's own notifications, newest first; nobody sees anyone else's."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user):
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(notification):
    """Mark one notification read (the first time only). Returns it."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(user):
    """Mark all the user's notifications read. Returns how many were unread."""
    return notifications_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())


def emailed_kinds(user):
    """The kinds of notification the user wants by e-mail (every kind they have not turned off)."""
    off = set(NotificationPreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    return [kind for kind in NotificationKind.values if kind not in off]


def set_emailed_kinds(*, user, kinds):
    """Save which kinds of notification the user wants by e-mail; the rest are in the app only. One query."""
    wanted = set(kinds)
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=user, kind=kind, email=kind in wanted) for kind in NotificationKind.values],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["email"],
    )


# Who is told about what: the rules, each asked from the one place a change is saved.


def coordinators_of(council_id):
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__council_id=council_id, memberships__role=Role.COORDINATOR)
        .distinct()
    )


def _council_id(action):
    return action.recommendation.challenge.council_id


def update_awaits_approval(update):
    action = update.action
    path = reverse("recommendations:approval-list")
    author = display_name(update.author) if update.author else update.source or "Someone"
    for coordinator in coordinators_of(_council_id(action)):
        if coordinator.pk == update.author_id:
            continue
        notify(
            recipient=coordinator,
            kind=NotificationKind.AWAITING_APPROVAL,
            key=f"awaiting:{update.pk}:{coordinator.pk}",
            subject=f"An update on action {action.reference} is waiting for your approval",
            body=f"{author} wrote a progress update on action {action.reference} ({action.description[:120]}). "
            "It will be published when a coordinator approves it.",
            url=path,
            council=_council_id(action),
        )


def update_reviewed(update):
    if update.author is None or update.author_id == update.reviewed_by_id:
        return
    action = update.action
    reviewer = display_name(update.reviewed_by) if update.reviewed_by else "A coordinator"
    if update.approval == Approval.APPROVED:
        kind, verb, path = NotificationKind.UPDATE_APPROVED, "approved", action.get_absolute_url()
        body = f"{reviewer} approved your update on action {action.reference}. It is now published."
    else:
        kind, verb, path = NotificationKind.UPDATE_RETURNED, "returned", reverse("recommendations:my-actions")
        body = (
            f"{reviewer} returned your update on action {action.reference}. Their reason: "
            f"{update.return_reason}\n\nYou can write a new update from My actions."
        )
    notify(
        recipient=update.author,
        kind=kind,
        key=f"{verb}:{update.pk}",
        subject=f"Your update on action {action.reference} was {verb}",
        body=body,
        url=path,
        council=_council_id(action),
    )


def lead_changed(action, old_lead_id, by):
    """Tell the new lead the action is theirs, and the old lead it no longer is."""
    council_id = _council_id(action)
    users = get_user_model().objects.in_bulk([pk for pk in (old_lead_id, action.lead_officer_id) if pk])
    by_id = getattr(by, "pk", None)
    new_lead = users.get(action.lead_officer_id)
    if new_lead and new_lead.pk != by_id:
        notify(
            recipient=new_lead,
            kind=NotificationKind.ACTION_ASSIGNED,
            key=f"assigned:{action.pk}:v{action.version}:{new_lead.pk}",
            subject=f"You now lead action {action.reference}",
            body=f"You are now the lead officer of action {action.reference}: {action.description[:300]}",
            url=action.get_absolute_url(),
            council=council_id,
        )
    old_lead = users.get(old_lead_id)
    if old_lead and old_lead.pk != by_id:
        notify(
            recipient=old_lead,
            kind=NotificationKind.ACTION_ASSIGNED,
            key=f"unassigned:{action.pk}:v{action.version}:{old_lead.pk}",
            subject=f"You no longer lead action {action.reference}",
            body=f"Action {action.reference} ({action.description[:120]}) now has "
            f"{'another lead officer' if action.lead_officer_id else 'no lead officer'}.",
            url=action.get_absolute_url(),
            council=council_id,
        )


@receiver(post_save, sender=ProgressUpdate, dispatch_uid="notify_on_update_saved")
def _update_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created and instance.approval == Approval.AWAITING:
        update_awaits_approval(instance)
    elif (
        not created
        and instance._loaded_approval == Approval.AWAITING
        and instance.approval in (Approval.APPROVED, Approval.RETURNED)
    ):
        update_reviewed(instance)


@receiver(post_save, sender=Action, dispatch_uid="notify_on_action_saved")
def _action_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old_lead_id = None if created else instance._loaded_lead_id
    if instance.lead_officer_id != old_lead_id:
        lead_changed(instance, old_lead_id, getattr(instance, "_history_user", None))
