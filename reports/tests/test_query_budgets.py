"""Every new page makes the same number of queries however much data there is, within a fixed budget."""

import pytest
from django.urls import reverse

from recommendations.tests.factories import UserFactory, build_challenge
from recommendations.tests.queries import SIGNED_IN_QUERIES, count_queries
from reviews.tests.factories import build_review

from .factories import CommitteeReportFactory, issued_report

pytestmark = pytest.mark.django_db


def with_reports(challenge):
    build_review(challenge)
    issued_report(challenge=challenge, cut_off=challenge.progress_reviews.get().on_site)
    CommitteeReportFactory(challenge=challenge)
    return challenge


@pytest.fixture
def small():
    return with_reports(
        build_challenge(themes=1, recommendations_per_theme=1, actions_per_recommendation=1, updates_per_action=1)
    )


@pytest.fixture
def large():
    for _ in range(4):
        with_reports(
            build_challenge(themes=1, recommendations_per_theme=1, actions_per_recommendation=1, updates_per_action=1)
        )
    challenge = with_reports(
        build_challenge(themes=3, recommendations_per_theme=2, actions_per_recommendation=4, updates_per_action=3)
    )
    for _ in range(5):
        CommitteeReportFactory(challenge=challenge)
    return challenge


def draft(challenge):
    return challenge.committee_reports.drafts().first()


def issued(challenge):
    return challenge.committee_reports.issued().first()


PUBLIC = {
    "report list": (lambda c: reverse("reports:report-list", args=[c.slug]), 3),
    "issued report": (lambda c: issued(c).get_absolute_url(), 1),
    "issued report PDF": (
        lambda c: reverse("reports:report-pdf", args=[issued(c).pk]),
        2,
    ),  # the report, and its PDF's state (made by the worker: this is the page saying it is being prepared)
    # Open data: two more for the actions' links (what they also answer, what they depend on).
    "open data page": (lambda c: reverse("reports:open-data", args=[c.slug]), 5),
    "CSV": (lambda c: reverse("reports:open-data-csv", args=[c.slug]), 5),
    "JSON": (lambda c: reverse("reports:open-data-json", args=[c.slug]), 5),
    "feed": (lambda c: reverse("reports:updates-feed", args=[c.slug]), 2),
}
SIGNED_IN_ONLY = {
    # A draft: one more for what each action depends on (waiting on, as of the cut-off), and two more for
    # the public indicators (their figures; the recommendations and themes they are linked to).
    "draft report": (lambda c: draft(c).get_absolute_url(), 13),
    # The draft's PDF is keyed by a digest of its content (the draft's 13), then its row is looked up,
    # made, and older versions dropped (4): the first request, whose page says it is being prepared.
    "draft report PDF": (lambda c: reverse("reports:report-pdf", args=[draft(c).pk]), 17),
    "create form": (lambda c: reverse("reports:report-create", args=[c.slug]), 1),
    "issue confirmation": (lambda c: reverse("reports:report-issue", args=[draft(c).pk]), 2),
}


def assert_within_budget(client, small, large, pages, extra):
    for name, (url_for, budget) in pages.items():
        few = count_queries(client, url_for(small))
        many = count_queries(client, url_for(large))
        assert many == few, f"{name}: {many} queries with more data, {few} with little"
        assert many <= budget + extra, f"{name}: {many} queries, budget {budget + extra}"


def test_public_pages_within_budget(client, small, large):
    assert_within_budget(client, small, large, PUBLIC, extra=0)


def test_signed_in_pages_within_budget(client, small, large, coordinator):
    client.force_login(coordinator)
    assert_within_budget(client, small, large, PUBLIC | SIGNED_IN_ONLY, extra=SIGNED_IN_QUERIES)


def test_scrutiny_member_reading_a_draft_within_budget(client, small, large, scrutiny_member):
    client.force_login(scrutiny_member)
    assert_within_budget(
        client, small, large, {"draft report": SIGNED_IN_ONLY["draft report"]}, extra=SIGNED_IN_QUERIES
    )


def test_home_with_charts_stays_within_its_budget(client, small, large):
    """The home page's new update-over-time charts cost one query for the whole page."""
    UserFactory()
    assert count_queries(client, reverse("home")) <= 8
