"""Every page this app adds or changes passes axe in a real browser (Debian's Chromium), signed out
and signed in as a coordinator, with the Stockport data and reports in every state."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from recommendations.models import PeerChallenge, ProgressUpdate, Status
from recommendations.roles import COORDINATOR
from recommendations.tests.factories import ActionFactory, ProgressUpdateFactory, UserFactory
from reviews.models import ProgressReview

from .factories import CommitteeReportFactory, issued_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stockport_reports():
    """Stockport's plan, an issued report, then changes and a draft that shows them."""
    call_command("loaddata", "stockport_cpc", verbosity=0)
    challenge = PeerChallenge.objects.get(slug="stockport-cpc-2022")
    coordinator = UserFactory(username="cora", roles=[(challenge.council, COORDINATOR)])
    first = issued_report(
        challenge=challenge,
        meeting_date=datetime.date(2023, 11, 7),
        cut_off=datetime.date(2023, 10, 16),
        issued_by=coordinator,
    )
    action = ProgressUpdate.objects.filter(action__recommendation__challenge=challenge).first().action
    ProgressUpdateFactory(
        action=action,
        date=datetime.date(2024, 1, 10),
        status=Status.AT_RISK,
        text="The working group has lost its chair.",
    )
    new_chair = ActionFactory(
        recommendation=action.recommendation,
        reference="99.1",
        due_date=datetime.date(2024, 1, 1),
        description="Appoint a new chair",
    )
    # The richer record in the draft: next steps, a superseded action with its reason, slippage and
    # an action waiting on an overdue one.
    ProgressUpdateFactory(
        action=new_chair,
        date=datetime.date(2024, 1, 5),
        status=Status.ON_TRACK,
        text="Candidates shortlisted.",
        next_steps="Interview the candidates in February.",
    )
    interim = ActionFactory(recommendation=action.recommendation, reference="99.2", description="Hire an interim chair")
    ProgressUpdateFactory(
        action=interim,
        date=datetime.date(2024, 1, 20),
        status=Status.SUPERSEDED,
        text="Replaced.",
        closure_reason="Appointing a permanent chair covers it.",
        superseded_by=new_chair,
    )
    ActionFactory(
        recommendation=action.recommendation, reference="99.3", description="Brief the new chair"
    ).depends_on.add(new_chair)
    draft = CommitteeReportFactory(
        challenge=challenge,
        meeting_date=datetime.date(2024, 3, 14),
        cut_off=datetime.date(2024, 2, 29),
        created_by=coordinator,
    )
    return challenge, first, draft, coordinator


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def assert_passes_axe(page, url):
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    results = Axe().run(page)
    assert results.violations_count == 0, f"{url}:\n{results.generate_report()}"


def test_public_pages_pass_axe(page, live_server, stockport_reports):
    challenge, issued, draft, _ = stockport_reports
    review = ProgressReview.objects.get(challenge=challenge)
    for path in [
        reverse("home"),
        challenge.get_absolute_url(),
        challenge.themes.get(number=1).get_absolute_url(),
        review.get_absolute_url(),
        reverse("reports:report-list", args=[challenge.slug]),
        issued.get_absolute_url(),
        reverse("reports:open-data", args=[challenge.slug]),
    ]:
        assert_passes_axe(page, live_server.url + path)


def test_coordinator_pages_pass_axe(page, live_server, stockport_reports):
    challenge, issued, draft, coordinator = stockport_reports
    sign_in(page, live_server, coordinator)
    for path in [
        reverse("reports:report-list", args=[challenge.slug]),
        reverse("reports:report-create", args=[challenge.slug]),
        draft.get_absolute_url(),
        reverse("reports:report-issue", args=[draft.pk]),
        issued.get_absolute_url(),
    ]:
        assert_passes_axe(page, live_server.url + path)


def test_report_form_with_errors_passes_axe(page, live_server, stockport_reports):
    from axe_playwright_python.sync_playwright import Axe

    challenge, _, _, coordinator = stockport_reports
    sign_in(page, live_server, coordinator)
    page.goto(live_server.url + reverse("reports:report-create", args=[challenge.slug]))
    page.get_by_role("button", name="Create draft report").click()

    assert "Enter the name of the committee" in page.get_by_role("alert").inner_text()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_charts_are_readable_without_javascript(browser, live_server, stockport_reports):
    challenge, issued, _, _ = stockport_reports
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + issued.get_absolute_url())

    chart = page.get_by_role("img", name="Actions by status in each theme, at the cut-off date")
    assert chart.is_visible()
    assert page.get_by_role("table", name="Actions by status in each theme, at the cut-off date").is_visible()
    page.goto(live_server.url + reverse("home"))
    page.get_by_text("Show the figures in a table").first.click()
    assert page.get_by_role("table", name="Actions by status in each theme").first.is_visible()
    context.close()
