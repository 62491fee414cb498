"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

One browser per test session (per xdist worker), a new browser context per test. Tests that
use `stockport` get the Stockport peer challenge loaded into the live server's database;
`signed_in_page(role)` signs in through the real sign-in form and returns the page.
"""

from functools import cached_property
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from .a11y import CSP_VIOLATION_RECORDER
from .pages import ROLES

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parents[1] / "test-artifacts"
PASSWORD = "correct-horse-battery-staple"  # UserFactory's
STOCKPORT = "stockport-cpc-2022"
OFFICERS_ACTION = (10, "10.2")  # Stockport's recommendation 10, "Roll out training for staff on reports"
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


class Stockport:
    """The loaded Stockport data, for building URLs: the objects a page needs, fetched when first asked for."""

    def __init__(self, officer):
        self.officer = officer

    @cached_property
    def challenge(self):
        from recommendations.models import PeerChallenge

        return PeerChallenge.objects.get(slug=STOCKPORT)

    @cached_property
    def theme(self):
        return self.challenge.themes.get(number=1)

    @cached_property
    def recommendation(self):
        """The recommendation holding the officer's action."""
        return self.challenge.recommendations.get(number=OFFICERS_ACTION[0])

    @cached_property
    def action(self):
        """The action the officer leads."""
        return self.recommendation.actions.get(reference=OFFICERS_ACTION[1])

    @cached_property
    def review(self):
        return self.challenge.progress_reviews.get()

    @cached_property
    def consideration(self):
        return self.review.considerations.order_by("order").first()

    @cached_property
    def awaiting_update(self):
        """An officer's update on their action, waiting for a coordinator's approval."""
        from recommendations.models import Approval
        from recommendations.tests.factories import ProgressUpdateFactory

        return ProgressUpdateFactory(
            action=self.action,
            author=self.officer,
            text="Training sessions booked for January; waiting for approval.",
            published=False,
            approval=Approval.AWAITING,
        )

    @cached_property
    def draft_report(self):
        """A draft committee report on Stockport's progress."""
        from reports.tests.factories import CommitteeReportFactory

        return CommitteeReportFactory(challenge=self.challenge)

    @cached_property
    def issued_report(self):
        """An issued committee report, which the public may read."""
        from reports.tests.factories import issued_report

        return issued_report(challenge=self.challenge)

    @cached_property
    def update_round(self):
        """Stockport's open update round of its open actions (the one already open, if a page opened
        it), with one update in it on an action the officer does not lead: they still have theirs to do."""
        import datetime

        from django.utils import timezone

        from recommendations import rounds
        from recommendations.models import UpdateRound
        from recommendations.tests.factories import ProgressUpdateFactory

        update_round = UpdateRound.objects.filter(challenge=self.challenge, closed_at__isnull=True).first()
        if update_round is None:
            update_round = rounds.open_round(
                challenge=self.challenge,
                by=None,
                title="Quarter 3 2024/25 – for scrutiny on 14 March 2025",
                deadline=timezone.localdate() + datetime.timedelta(days=14),
                grace_days=7,
            )
        ProgressUpdateFactory(
            action=update_round.actions.exclude(lead_officer=self.officer).order_by("pk").first(),
            date=timezone.localdate(),
            text="Updated for the round.",
        )
        return update_round

    def url(self, name, *args):
        return reverse(name, args=args)


@pytest.fixture
def stockport(live_server, officer, other_officer, coordinator, scrutiny_member):
    """Stockport's peer challenge in the live server's database, with `officer` leading action 10.2.
    Each role's user has the same role at Stockport as at the factories' council."""
    from recommendations.models import Membership

    call_command("loaddata", "stockport_cpc", verbosity=0)
    site = Stockport(officer)
    for membership in Membership.objects.filter(user__in=[officer, other_officer, coordinator, scrutiny_member]):
        Membership.objects.get_or_create(
            user=membership.user, council=site.challenge.council, defaults={"role": membership.role}
        )
    site.action.lead_officer = officer
    site.action.save(update_fields=["lead_officer"])
    return site


@pytest.fixture
def new_context(new_context):
    """pytest-playwright's `new_context`, whose pages record the Content-Security-Policy violations
    they meet (a11y.csp_violations; assert_accessible fails on any)."""

    def create(**kwargs):
        context = new_context(**kwargs)
        context.add_init_script(script=CSP_VIOLATION_RECORDER)
        return context

    return create


# The root conftest's fixture for each role's user; "anonymous" is nobody.
ROLE_FIXTURES = {
    "anonymous": None,
    "lead officer": "officer",
    "other officer": "other_officer",
    "coordinator": "coordinator",
    "scrutiny member": "scrutiny_member",
    "admin": "superuser",
}


@pytest.fixture
def signed_in_page(request, new_context, live_server, authenticator, otp_code):
    """signed_in_page(role) is a page in a new browser context, signed in as that role through the
    sign-in form ('anonymous': not signed in). Roles: tests.browser.pages.ROLES. Coordinators and
    admins have an authenticator app and enter its code, as they must (cpc_tracker/two_factor.py)."""
    from django.contrib.auth import get_user_model

    from cpc_tracker.two_factor import two_factor_required

    assert set(ROLE_FIXTURES) == set(ROLES)

    def open_page(role):
        context = new_context()
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        if ROLE_FIXTURES[role] is not None:
            user = request.getfixturevalue(ROLE_FIXTURES[role])
            app = authenticator(user) if two_factor_required(get_user_model().objects.get(pk=user.pk)) else None
            page.goto(reverse("login"))
            page.get_by_label("Username").fill(user.username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            if app is not None:
                page.get_by_label("Code").fill(otp_code(app))
                page.get_by_role("button", name="Continue").click()
            expect(page.get_by_text("Signed in as")).to_be_attached()
        return page

    return open_page


@pytest.fixture(scope="session")
def artifacts():
    """test-artifacts/ at the project root (git-ignored): screenshots and PDFs to eyeball."""
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
