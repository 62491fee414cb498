"""Invitations: a council's coordinator (or an administrator) asks a person by e-mail to take a
role at the council, and the person sets up their own account.

- **Who may invite:** a council's coordinators, into that council only; superusers, into any.
  The roles are officer, coordinator and scrutiny committee member: nobody becomes a superuser
  or staff by invitation. `can_invite_to` and its queryset twin `invitable_councils`.
- **The link:** `/invitations/<token>/`, the token an HMAC (SHA-256, keyed by SECRET_KEY) of the
  invitation's council, address, role and creation time to the microsecond (`make_token`), so the
  background task that e-mails it can make it again from the row. Only the token's SHA-256 is
  stored, and nothing in the database (task queue included) holds a working link. It works once, for
  INVITATION_EXPIRY_DAYS days, unless withdrawn or replaced: inviting the same address to the
  same council again withdraws the earlier invitation.
- **A new person** gives their name and chooses a password (AUTH_PASSWORD_VALIDATORS); their
  username is their e-mail address. The account, its membership and the invitation's use are
  one transaction; then they are signed in.
- **Someone who has an account** (that address as their e-mail or username) signs in first, then
  accepts: the membership is added to their account. Anyone signed in as somebody else is asked
  to sign out; an address that already has a role at the council cannot be invited.
- **The e-mail** is queued as a task (`recommendations.tasks.send_invitation_email`) after the
  invitation is committed (nobody has a user to `notify` yet); the worker sends it. A failure is
  logged, and the invitations page says the e-mail was not sent.
"""

import base64
import datetime
import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Council, Invitation, Membership, Role
from .permissions import forget_roles, is_admin, managed_council_ids, manages_council

logger = logging.getLogger(__name__)


class InvitationNotValid(Exception):
    """The link is unknown, used, withdrawn or expired."""


def can_invite_to(user, council):
    return manages_council(user, council.pk)


def invitable_councils(user):
    """The councils `user` may invite people to: the queryset twin of can_invite_to."""
    if is_admin(user):
        return Council.objects.all()
    return Council.objects.filter(pk__in=managed_council_ids(user))


def a_role(role):
    """'an officer', 'a coordinator', 'a scrutiny committee member'."""
    label = Role(role).label.lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(invitation):
    """The invitation's link token: unguessable without SECRET_KEY, made again from the row alone."""
    created = invitation.created_at.astimezone(datetime.UTC).strftime("%Y%m%d%H%M%S%f")
    value = f"{invitation.council_id}|{invitation.email}|{invitation.role}|{created}"
    digest = salted_hmac("recommendations.invitations.token", value, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def accept_url(token):
    return reverse("recommendations:invitation-accept", args=[token])


def find_pending(token):
    """The invitation this link's token opens, or InvitationNotValid."""
    invitation = Invitation.objects.select_related("council", "invited_by").filter(token_hash=hash_token(token)).first()
    if invitation is None or not invitation.is_pending:
        raise InvitationNotValid
    return invitation


def accounts_for(email):
    """Existing accounts with this address as their e-mail or username."""
    return get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))


def is_for(invitation, user):
    return invitation.email in (user.email.lower(), user.get_username().lower())


@transaction.atomic
def invite(*, council, email, role, invited_by):
    """Invite `email` to `council` as `role`; returns (invitation, token). The e-mail goes after commit."""
    now = timezone.now()
    invitation = Invitation(
        email=email,
        council=council,
        role=role,
        invited_by=invited_by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )
    invitation.full_clean(exclude=["token_hash"])  # cleans the address too, which the token is made from
    token = make_token(invitation)
    invitation.token_hash = hash_token(token)
    Invitation.objects.pending(now).filter(council=council, email=invitation.email).update(
        withdrawn_at=now, withdrawn_by=invited_by
    )
    invitation.save()
    transaction.on_commit(lambda: _queue_email(invitation.pk), robust=True)
    return invitation, token


def _queue_email(invitation_pk):
    from .tasks import send_invitation_email

    send_invitation_email.enqueue(invitation_pk)


def send_invitation(invitation_pk):
    """E-mail the invitation its link (in the worker). Returns whether it was sent."""
    invitation = Invitation.objects.select_related("council", "invited_by").get(pk=invitation_pk)
    if not invitation.is_pending or invitation.emailed_at:  # no longer wanted, or sent already
        return False
    token = make_token(invitation)
    context = {
        "invitation": invitation,
        "role": a_role(invitation.role),
        "invited_by": invitation.invited_by.get_full_name() if invitation.invited_by else "",
        "link": settings.SITE_URL.rstrip("/") + accept_url(token),
    }
    subject = f"You are invited to CPC Tracker for {invitation.council}"
    body = render_to_string("recommendations/invitations/invitation_email.txt", context)
    try:
        EmailMessage(subject, body, to=[invitation.email]).send()
    except Exception:
        logger.exception("The e-mail for invitation %s could not be sent", invitation_pk)
        return False
    Invitation.objects.filter(pk=invitation_pk).update(emailed_at=timezone.now())
    return True


@transaction.atomic
def withdraw(*, invitation, by):
    """Withdraw an invitation that has not been used; returns whether it was still open."""
    return bool(
        Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=by
        )
    )


def _claim(invitation):
    """The invitation, locked until the transaction ends, if its link still works."""
    invitation = Invitation.objects.select_for_update().select_related("council").get(pk=invitation.pk)
    if not invitation.is_pending:
        raise InvitationNotValid
    return invitation


def _mark_accepted(invitation, user):
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])


@transaction.atomic
def accept_with_new_account(*, invitation, first_name, last_name, password):
    """Create the invited person's account (username: their e-mail address) with its membership."""
    invitation = _claim(invitation)
    if accounts_for(invitation.email).exists():
        raise ValidationError("An account with this email address exists already: sign in to accept the invitation")
    user = get_user_model()(
        username=invitation.email, email=invitation.email, first_name=first_name, last_name=last_name
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    Membership.objects.create(user=user, council=invitation.council, role=invitation.role)
    _mark_accepted(invitation, user)
    return user


@transaction.atomic
def accept_as(*, invitation, user):
    """Add the invitation's role to `user`'s existing account. Returns the membership and whether it
    is new: a role they already had at the council is left as it is."""
    invitation = _claim(invitation)
    if not is_for(invitation, user):
        raise InvitationNotValid
    membership, created = Membership.objects.get_or_create(
        user=user, council=invitation.council, defaults={"role": invitation.role}
    )
    _mark_accepted(invitation, user)
    forget_roles(user)
    return membership, created
