"""Shared pytest fixtures: one user per role and an action the officer leads.

Settings: cpc_tracker/test_settings.py; the test database is PostgreSQL (DATABASE_URL, set by `make test`).
"""

import pytest

from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER


@pytest.fixture
def council(db):
    """Anytown Council: the council every factory's challenge belongs to unless a test names another."""
    from recommendations.tests.factories import CouncilFactory

    return CouncilFactory()


@pytest.fixture
def other_council(db):
    from recommendations.tests.factories import CouncilFactory

    return CouncilFactory(name="Elsewhere Borough Council")


@pytest.fixture
def officer(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="olivia", first_name="Olivia", last_name="Officer", roles=[OFFICER])


@pytest.fixture
def other_officer(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="owen", first_name="Owen", last_name="Other", roles=[OFFICER])


@pytest.fixture
def coordinator(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="cora", first_name="Cora", last_name="Coordinator", roles=[COORDINATOR])


@pytest.fixture
def scrutiny_member(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="sam", first_name="Sam", last_name="Scrutiny", roles=[SCRUTINY_MEMBER])


@pytest.fixture
def superuser(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="ada", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def led_action(officer):
    from recommendations.models import Status
    from recommendations.tests.factories import ActionFactory

    return ActionFactory(
        lead_officer=officer, description="Set up a report-writing working group", status=Status.ON_TRACK
    )


ROLES = ["anonymous", "lead officer", "other officer", "coordinator", "scrutiny member", "admin"]


@pytest.fixture
def sign_in_as(client, officer, other_officer, coordinator, scrutiny_member, superuser):
    """sign_in_as(role) signs the test client in as that role (or not at all, for 'anonymous')."""
    users = {
        "anonymous": None,
        "lead officer": officer,
        "other officer": other_officer,
        "coordinator": coordinator,
        "scrutiny member": scrutiny_member,
        "admin": superuser,
    }

    def sign_in(role):
        user = users[role]
        if user is not None:
            client.force_login(user)
        return user

    return sign_in


# Two-factor sign-in (cpc_tracker/two_factor.py). `client.force_login(user)` skips the sign-in form,
# so for a user who must use two-factor sign-in (coordinators, staff, superusers) a forced session is
# verified too, as if they had entered a code: they get a confirmed authenticator app, and the session
# names it as django_otp.login does. Only the test client's shortcut is wrapped, nothing of the app;
# tests/test_two_factor.py signs in through the real steps and checks what an unverified session meets.


def authenticator_for(user):
    """The user's confirmed authenticator app (a django-otp TOTPDevice), made if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )


def code_for(device):
    """A 6-digit code `device` accepts now: the current step's, or the next one's if the current
    code was used already (a code works once)."""
    import time

    from django_otp.oath import TOTP, hotp

    while True:
        device.refresh_from_db()
        now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
        step = max(now, device.last_t + 1)
        if step <= now + device.tolerance:
            return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


@pytest.fixture
def authenticator(db):
    """authenticator(user) -> the user's confirmed authenticator app, made if they have none."""
    return authenticator_for


@pytest.fixture
def otp_code(db):
    """otp_code(device) -> a 6-digit code the authenticator app `device` accepts now."""
    return code_for


@pytest.fixture(autouse=True)
def force_login_verifies_two_factor(monkeypatch):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from cpc_tracker.two_factor import two_factor_required

    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        if two_factor_required(get_user_model().objects.get(pk=user.pk)):  # a copy: keep `user` as it was
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


# Browser tests (tests/browser, and any test using Playwright's `page`): Debian's Chromium, never a
# download, against pytest-django's live server. Defined here so every test shares one set-up.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": browser_type_launch_args.get("headless", True),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages are addressed by path (page.goto("/my-actions/")) on pytest-django's live server."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "en-GB",
        "timezone_id": "Europe/London",
        "viewport": {"width": 1280, "height": 800},
    }
