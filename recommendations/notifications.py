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
- **After commit:** the notification row is written in the same transaction as the change; its
  e-mail is sent only after that transaction commits (`transaction.on_commit`), and no lock is
  held while the mail server is talked to: a notification is claimed by a conditional UPDATE,
  sent, then marked sent or failed. A change that rolls back sends nothing.
- **Retried:** failures are logged, and `manage.py send_notifications` sends what is waiting or
  failed (up to MAX_ATTEMPTS tries) and what was left half-way by a crashed process.
- **Preferences:** everyone sees their notifications in the app; e-mail is sent unless they turned
  that kind off (NotificationPreference).
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
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
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = datetime.timedelta(minutes=10)


def display_name(user):
    return user.get_full_name() or user.get_username()


def wants_email(user, kind):
    if not user.email:
        return False
    return not NotificationPreference.objects.filter(user=user, kind=kind, email=False).exists()


def notify(*, recipient, kind, key, subject, body, url="", council=None):
    """Record a notification for `recipient` unless this event already notified them; its e-mail
    goes after the surrounding transaction commits. Returns the new notification, or None."""
    if recipient is None or not recipient.is_active:
        return None
    email = EmailState.PENDING if wants_email(recipient, kind) else EmailState.NOT_WANTED
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key[:200],
            defaults=dict(
                recipient=recipient,
                kind=kind,
                subject=subject[:300],
                body=body,
                url=url,
                council_id=getattr(council, "pk", council),
                email=email,
            ),
        )
    if not created:
        return None
    if email == EmailState.PENDING:
        transaction.on_commit(partial(deliver, [notification.pk]))
    return notification


def _claim(pk, now):
    """Take one notification's e-mail to send, unless another process has it. No lock is held after."""
    claimable = Q(email__in=[EmailState.PENDING, EmailState.FAILED], email_attempts__lt=MAX_ATTEMPTS) | Q(
        email=EmailState.SENDING, email_changed_at__lt=now - STUCK_AFTER
    )
    return bool(Notification.objects.filter(claimable, pk=pk).update(email=EmailState.SENDING, email_changed_at=now))


def _message(notification):
    url = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    body = render_to_string(
        "recommendations/email/notification.txt",
        {
            "notification": notification,
            "name": display_name(notification.recipient),
            "url": url,
            "settings_url": settings.SITE_URL.rstrip("/") + reverse("recommendations:notification-settings"),
        },
    )
    return EmailMessage(
        subject=f"CPC Tracker: {notification.subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient.email],
    )


def deliver(pks):
    """Send the e-mails of these notifications, each at most once. Returns how many were sent."""
    sent = 0
    for pk in pks:
        if not _claim(pk, timezone.now()):
            continue
        notification = Notification.objects.select_related("recipient").get(pk=pk)
        try:
            _message(notification).send()
        except Exception as error:  # one bad address or a mail server hiccup must not stop the others
            logger.exception("Could not e-mail notification %s to user %s", pk, notification.recipient_id)
            Notification.objects.filter(pk=pk).update(
                email=EmailState.FAILED,
                email_attempts=notification.email_attempts + 1,
                email_error=str(error)[:1000],
                email_changed_at=timezone.now(),
            )
            continue
        Notification.objects.filter(pk=pk).update(
            email=EmailState.SENT, email_attempts=notification.email_attempts + 1, email_error="",
            email_changed_at=timezone.now(),
        )
        sent += 1
    return sent


def waiting_to_send(now=None):
    """Notifications whose e-mail is due: never tried, failed fewer than MAX_ATTEMPTS times, or stuck."""
    now = now or timezone.now()
    return Notification.objects.filter(
        Q(email__in=[EmailState.PENDING, EmailState.FAILED], email_attempts__lt=MAX_ATTEMPTS)
        | Q(email=EmailState.SENDING, email_changed_at__lt=now - STUCK_AFTER)
    ).order_by("created_at", "pk")


def unread_count(user):
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# Who is told about what: the rules, each asked from the one place a change is saved.


def coordinators_of(council_id):
    return get_user_model().objects.filter(
        is_active=True, memberships__council_id=council_id, memberships__role=Role.COORDINATOR
    ).distinct()


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

