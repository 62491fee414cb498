"""The sign-in lockout behind a proxy (cpc_tracker.client_address, cpc_tracker.sign_in_throttle):
the address is the client's, trusted from X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says;
five failures lock a username from that address, and thirty failures from one address, whatever
the usernames, refuse every sign-in from it."""

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from cpc_tracker.client_address import client_address
from recommendations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # UserFactory's
SIGN_IN = reverse("login")
PROXY = "10.0.0.5"  # the council's reverse proxy, the only address the app sees
ALICE_AT_HOME = "203.0.113.10"
BOB_AT_WORK = "198.51.100.20"
ATTACKER = "192.0.2.66"

behind_one_proxy = override_settings(TRUSTED_PROXY_COUNT=1)


def attempt(client, username, password, *, remote=PROXY, forwarded=None):
    """One sign-in attempt, through the proxy when `forwarded` (the X-Forwarded-For header) is given."""
    client.logout()
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(SIGN_IN, {"username": username, "password": password}, **headers)
    return response


def signed_in(client):
    return "_auth_user_id" in client.session


def locked_out(response):
    return response.status_code == 429 and "Too many attempts to sign in" in response.content.decode()


def fail_until_locked(client, username, **where):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, username, "wrong", **where)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


# The client's address ------------------------------------------------------------------------------


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (0, None, PROXY),
        (0, ALICE_AT_HOME, PROXY),  # nothing trusted: a forged header is ignored
        (1, ALICE_AT_HOME, ALICE_AT_HOME),
        (1, f"{ATTACKER}, {ALICE_AT_HOME}", ALICE_AT_HOME),  # the client wrote the left part itself
        (2, f"{ATTACKER}, {ALICE_AT_HOME}, 10.0.0.9", ALICE_AT_HOME),
        (2, ALICE_AT_HOME, PROXY),  # fewer addresses than proxies: not through them all
        (1, None, PROXY),
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(count, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_address(request_from(PROXY, forwarded)) == expected


def test_no_proxy_is_trusted_unless_configured():
    assert settings.TRUSTED_PROXY_COUNT == 0


# Behind a configured proxy ---------------------------------------------------------------------------


@behind_one_proxy
def test_five_failures_lock_the_username_from_that_client_not_the_proxy(client, alice, bob):
    fail_until_locked(client, "alice", forwarded=ATTACKER)

    from_attacker = attempt(client, "alice", PASSWORD, forwarded=ATTACKER)
    assert locked_out(from_attacker)
    assert not signed_in(client)

    attempt(client, "bob", PASSWORD, forwarded=BOB_AT_WORK)
    assert signed_in(client), "another user through the same proxy from another client still signs in"

    attempt(client, "alice", PASSWORD, forwarded=ALICE_AT_HOME)
    assert signed_in(client), "the user, from their own address, still signs in"


@behind_one_proxy
def test_a_forged_address_left_of_the_proxys_entry_does_not_escape_the_lock(client, alice):
    fail_until_locked(client, "alice", forwarded=f"{ALICE_AT_HOME}, {ATTACKER}")

    response = attempt(client, "alice", PASSWORD, forwarded=f"{BOB_AT_WORK}, {ATTACKER}")

    assert locked_out(response)


@behind_one_proxy
def test_thirty_usernames_tried_from_one_address_are_throttled(client, alice):
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    for n in range(limit - 1):
        response = attempt(client, f"guess{n}", "Spring2025!", forwarded=ATTACKER)
        assert not locked_out(response), f"throttled after only {n + 1} failures"

    last = attempt(client, "guess-last", "Spring2025!", forwarded=ATTACKER)
    right_password = attempt(client, "alice", PASSWORD, forwarded=ATTACKER)

    assert limit == 30
    assert locked_out(last)
    assert locked_out(right_password), "every username is refused from a throttled address"
    assert not signed_in(client)
    attempt(client, "alice", PASSWORD, forwarded=ALICE_AT_HOME)
    assert signed_in(client), "other addresses are not throttled"


# Without a trusted proxy ------------------------------------------------------------------------------


def test_without_a_trusted_proxy_a_forged_forwarded_for_header_is_ignored(client, alice):
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "alice", "wrong", remote=ATTACKER, forwarded=f"198.51.100.{n}")

    response = attempt(client, "alice", PASSWORD, remote=ATTACKER, forwarded="198.51.100.99")

    assert locked_out(response)
    attempt(client, "alice", PASSWORD, remote=ALICE_AT_HOME)
    assert signed_in(client)


def test_a_successful_sign_in_clears_the_usernames_failures(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "alice", "wrong", remote=ALICE_AT_HOME)
    attempt(client, "alice", PASSWORD, remote=ALICE_AT_HOME)
    assert signed_in(client)

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "alice", "wrong", remote=ALICE_AT_HOME)

    attempt(client, "alice", PASSWORD, remote=ALICE_AT_HOME)
    assert signed_in(client)
