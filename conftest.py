"""Shared pytest fixtures: one user per role and an action the officer leads.

Settings: cpc_tracker/test_settings.py; the test database is PostgreSQL (DATABASE_URL, set by `make test`).
"""

import pytest

from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER


@pytest.fixture
def officer(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="olivia", first_name="Olivia", last_name="Officer", groups=[OFFICER])


@pytest.fixture
def other_officer(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="owen", first_name="Owen", last_name="Other", groups=[OFFICER])


@pytest.fixture
def coordinator(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="cora", first_name="Cora", last_name="Coordinator", groups=[COORDINATOR])


@pytest.fixture
def scrutiny_member(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="sam", first_name="Sam", last_name="Scrutiny", groups=[SCRUTINY_MEMBER])


@pytest.fixture
def superuser(db):
    from recommendations.tests.factories import UserFactory

    return UserFactory(username="ada", first_name="Ada", last_name="Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def led_action(officer):
    from recommendations.tests.factories import ActionFactory

    return ActionFactory(lead_officer=officer, description="Set up a report-writing working group")


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
