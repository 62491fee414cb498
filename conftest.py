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
    from recommendations.tests.factories import ActionFactory

    from recommendations.models import Status

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
