"""Invitations: a coordinator invites a person by email to their council with a role; the link in
the email works once, until it expires, and lets the person set up an account with a password
meeting the validators (recommendations.invitations)."""

import hashlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from recommendations.invitations import invite
from recommendations.models import Invitation, Membership
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER
from recommendations.tests.factories import CouncilFactory, UserFactory
from recommendations.tests.queries import SIGNED_IN_QUERIES, count_queries
from recommendations.tests.tasks import run_tasks

pytestmark = pytest.mark.django_db

STRONG = "a-long-and-unusual-passphrase-42"
INVITATIONS = reverse("recommendations:invitation-list")


def create_url(council):
    return reverse("recommendations:invitation-create", args=[council.slug])


def accept_url(token):
    return reverse("recommendations:invitation-accept", args=[token])


def link_in(message):
    return re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)


def new_account(**overrides):
    return {"first_name": "Nia", "last_name": "Newcomer", "password1": STRONG, "password2": STRONG} | overrides


@pytest.fixture
def invitation(council, coordinator):
    """A pending invitation of a new person to be an officer, and its link's token."""
    return invite(council=council, email="nia@example.org", role=OFFICER, invited_by=coordinator)


# Inviting ----------------------------------------------------------------------------------------


def test_a_coordinator_invites_someone_and_the_email_has_a_single_use_link(
    client, council, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(create_url(council), {"email": " Nia@Example.org ", "role": OFFICER}, follow=True)
    assert mail.outbox == []  # queued for the worker
    run_tasks()

    assert "Invitation sent to nia@example.org" in response.content.decode()
    [message] = mail.outbox
    assert message.to == ["nia@example.org"]
    assert "Cora Coordinator has invited you to CPC Tracker as an officer of Anytown Council" in message.body
    link = link_in(message)
    assert link.startswith("http://127.0.0.1:8000/invitations/")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.council, invitation.role, invitation.invited_by) == (
        "nia@example.org",
        council,
        OFFICER,
        coordinator,
    )
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())
    assert token not in str(list(DBTaskResult.objects.values()))  # nor in the task queue
    assert invitation.emailed_at is not None
    assert (invitation.expires_at - invitation.created_at).days == 7


def test_a_blank_invitation_says_what_to_enter(client, council, coordinator):
    client.force_login(coordinator)

    response = client.post(create_url(council), {"email": "nia@"})

    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Enter an email address in the correct format, like name@example.com" in text
    assert "Select their role" in text
    assert 'value="nia@"' in text
    assert not Invitation.objects.exists()


def test_nobody_is_invited_to_a_role_the_council_does_not_have(client, council, coordinator):
    client.force_login(coordinator)

    response = client.post(create_url(council), {"email": "nia@example.org", "role": "superuser"})

    assert "Select one of the roles listed" in response.content.decode()
    assert not Invitation.objects.exists()


def test_someone_who_already_has_a_role_at_the_council_is_not_invited(client, council, coordinator, officer):
    client.force_login(coordinator)

    response = client.post(create_url(council), {"email": officer.email.upper(), "role": COORDINATOR})

    assert f"{officer.email} already has a role at Anytown Council" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", ["other council's coordinator", "officer", "scrutiny member"])
def test_only_the_councils_coordinators_may_invite_to_it(client, council, who):
    other = CouncilFactory(name="Elsewhere Borough Council")
    user = {
        "other council's coordinator": UserFactory(roles=[(other, COORDINATOR)]),
        "officer": UserFactory(roles=[(council, OFFICER)]),
        "scrutiny member": UserFactory(roles=[(council, SCRUTINY_MEMBER)]),
    }[who]
    client.force_login(user)

    assert client.get(create_url(council)).status_code == 403
    assert client.post(create_url(council), {"email": "nia@example.org", "role": OFFICER}).status_code == 403
    assert not Invitation.objects.exists()


def test_signing_in_is_needed_to_invite(client, council):
    response = client.get(create_url(council))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_superuser_may_invite_to_any_council(client, superuser):
    elsewhere = CouncilFactory(name="Elsewhere Borough Council")
    client.force_login(superuser)

    response = client.post(create_url(elsewhere), {"email": "nia@example.org", "role": COORDINATOR})

    assert response.status_code == 302
    assert Invitation.objects.get().council == elsewhere


def test_inviting_the_same_address_again_replaces_the_earlier_link(client, council, coordinator, invitation):
    _first, old_token = invitation

    invite(council=council, email="NIA@example.org", role=SCRUTINY_MEMBER, invited_by=coordinator)

    assert "This invitation link does not work" in client.get(accept_url(old_token)).content.decode()
    assert Invitation.objects.pending().get().role == SCRUTINY_MEMBER


def test_a_failed_email_is_logged_and_shown_on_the_invitations_page(
    client, council, coordinator, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(create_url(council), {"email": "nia@example.org", "role": OFFICER})
    run_tasks()

    assert "could not be sent" in caplog.text
    assert "nia@example.org" not in caplog.text
    assert Invitation.objects.get().emailed_at is None
    assert "Email not sent" in client.get(INVITATIONS).content.decode()


# The invitations page and withdrawing --------------------------------------------------------------


def test_the_invitations_page_lists_the_pending_invitations_of_the_councils_the_coordinator_manages(
    client, council, coordinator, invitation
):
    elsewhere = CouncilFactory(name="Elsewhere Borough Council")
    invite(council=elsewhere, email="someone@elsewhere.example", role=OFFICER, invited_by=None)
    used, _token = invite(council=council, email="used@example.org", role=OFFICER, invited_by=coordinator)
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now())
    client.force_login(coordinator)

    text = client.get(INVITATIONS).content.decode()

    assert "nia@example.org" in text
    assert "used@example.org" not in text
    assert "Elsewhere" not in text and "someone@elsewhere.example" not in text
    assert create_url(council) in text


def test_a_withdrawn_invitation_link_no_longer_works(client, coordinator, invitation):
    pending, token = invitation
    client.force_login(coordinator)

    response = client.post(reverse("recommendations:invitation-withdraw", args=[pending.pk]), follow=True)

    assert "Invitation to nia@example.org withdrawn" in response.content.decode()
    assert "nia@example.org</td>" not in response.content.decode()
    client.logout()
    assert client.get(accept_url(token)).status_code == 404


def test_another_councils_coordinator_cannot_withdraw_an_invitation(client, invitation):
    pending, _token = invitation
    client.force_login(UserFactory(roles=[(CouncilFactory(name="Elsewhere Borough Council"), COORDINATOR)]))

    response = client.post(reverse("recommendations:invitation-withdraw", args=[pending.pk]))

    assert response.status_code == 403
    assert Invitation.objects.get(pk=pending.pk).is_pending


# Accepting: a new person ---------------------------------------------------------------------------


def test_the_link_lets_a_new_person_set_a_password_and_signs_them_in(client, council, invitation):
    pending, token = invitation

    page = client.get(accept_url(token)).content.decode()
    response = client.post(accept_url(token), new_account())

    assert "Set up your account" in page and "Your username will be your email address" in page
    assert response.status_code == 302
    user = get_user_model().objects.get(username="nia@example.org")
    assert (user.email, user.get_full_name(), user.is_staff, user.is_superuser) == (
        "nia@example.org",
        "Nia Newcomer",
        False,
        False,
    )
    assert user.check_password(STRONG)
    assert Membership.objects.get(user=user).council == council
    assert Membership.objects.get(user=user).role == OFFICER
    assert client.session["_auth_user_id"] == str(user.pk)
    pending.refresh_from_db()
    assert pending.accepted_by == user and pending.accepted_at is not None


def test_a_weak_password_is_refused_with_what_to_do_and_the_name_kept(client, invitation):
    _pending, token = invitation

    response = client.post(accept_url(token), new_account(password1="password123", password2="password123"))

    text = response.content.decode()
    assert "There is a problem" in text
    assert "This password is too short" in text
    assert "This password is too common" in text
    assert 'value="Nia"' in text
    assert STRONG not in text
    assert not get_user_model().objects.filter(username="nia@example.org").exists()


def test_a_password_like_the_email_address_is_refused(client, invitation):
    _pending, token = invitation
    similar = "nia@example.org1"

    response = client.post(accept_url(token), new_account(password1=similar, password2=similar))

    assert "The password is too similar to the" in response.content.decode()


def test_passwords_that_do_not_match_are_refused(client, invitation):
    _pending, token = invitation

    response = client.post(accept_url(token), new_account(password2=STRONG + "x"))

    assert "The passwords do not match" in response.content.decode()
    assert not get_user_model().objects.filter(username="nia@example.org").exists()


def test_a_used_link_shows_a_clear_page(client, invitation):
    _pending, token = invitation
    client.post(accept_url(token), new_account())
    client.logout()

    response = client.get(accept_url(token))
    again = client.post(accept_url(token), new_account(first_name="Mallory"))

    assert response.status_code == 404
    text = response.content.decode()
    assert "This invitation link does not work" in text
    assert "Ask the coordinator who invited you for a new invitation" in text
    assert again.status_code == 404
    assert get_user_model().objects.filter(username="nia@example.org").get().first_name == "Nia"


def test_an_expired_link_shows_the_same_clear_page(client, invitation):
    pending, token = invitation
    Invitation.objects.filter(pk=pending.pk).update(expires_at=timezone.now())

    response = client.post(accept_url(token), new_account())

    assert response.status_code == 404
    assert "has expired" in response.content.decode()
    assert not get_user_model().objects.filter(username="nia@example.org").exists()


def test_an_unknown_link_shows_the_same_clear_page(client):
    response = client.get(accept_url("not-a-real-token"))

    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


# Accepting: someone with an account already ---------------------------------------------------------


@pytest.fixture
def existing(council, coordinator):
    """An officer of another council, invited to this one as a scrutiny member."""
    person = UserFactory(username="eve", email="Eve@example.org", roles=[(CouncilFactory(name="Elsewhere"), OFFICER)])
    pending, token = invite(council=council, email="eve@example.org", role=SCRUTINY_MEMBER, invited_by=coordinator)
    return person, pending, token


def test_someone_with_an_account_signs_in_first_and_comes_back_to_accept(client, council, existing):
    person, _pending, token = existing

    page = client.get(accept_url(token)).content.decode()
    refused = client.post(accept_url(token), new_account())

    assert "Sign in to accept your invitation" in page
    assert f'href="{reverse("login")}?next={accept_url(token)}"' in page
    assert "Sign in to accept your invitation" in refused.content.decode()
    assert get_user_model().objects.filter(email__iexact="eve@example.org").count() == 1
    assert not Membership.objects.filter(user=person, council=council).exists()


def test_signed_in_the_invited_person_accepts_and_the_role_is_added_to_their_account(client, council, existing):
    person, _pending, token = existing
    client.force_login(person)

    assert "Accept invitation" in client.get(accept_url(token)).content.decode()
    response = client.post(accept_url(token), follow=True)

    assert f"You are now a scrutiny committee member of {council}" in response.content.decode()
    assert Membership.objects.get(user=person, council=council).role == SCRUTINY_MEMBER
    assert client.get(accept_url(token)).status_code == 404


def test_someone_signed_in_as_another_person_cannot_accept(client, council, existing, officer):
    person, pending, token = existing
    client.force_login(officer)

    page = client.get(accept_url(token)).content.decode()
    client.post(accept_url(token))

    assert "This invitation is for someone else" in page
    assert not Membership.objects.filter(user=person, council=council).exists()
    assert Membership.objects.get(user=officer, council=council).role == OFFICER
    assert Invitation.objects.get(pk=pending.pk).is_pending


# Query budgets --------------------------------------------------------------------------------------


def test_the_invitations_page_stays_within_its_query_budget(client, council, coordinator, superuser):
    for n in range(3):
        invite(council=council, email=f"person{n}@example.org", role=OFFICER, invited_by=coordinator)
    client.force_login(superuser)
    few = count_queries(client, INVITATIONS)
    for n in range(3, 25):
        elsewhere = CouncilFactory(name=f"Council {n}")
        invite(council=elsewhere, email=f"person{n}@example.org", role=OFFICER, invited_by=coordinator)

    many = count_queries(client, INVITATIONS)

    assert many == few <= SIGNED_IN_QUERIES + 3


def test_the_invite_form_stays_within_its_query_budget(client, council, coordinator):
    client.force_login(coordinator)

    assert count_queries(client, create_url(council)) <= SIGNED_IN_QUERIES + 1


def test_the_accept_page_stays_within_its_query_budget(client, invitation):
    _pending, token = invitation

    assert count_queries(client, accept_url(token)) <= 2
