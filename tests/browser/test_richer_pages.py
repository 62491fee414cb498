"""The pages of the richer record (issue 12) with every new part showing: the council's response,
actions that also answer another recommendation, a waiting-on warning, linked actions, slippage,
a superseded action, progress to date and next steps, and the peer team's assessment beside the
council's status. Stockport's data has none of these (its letter gives no response, dates or
assessments), so a made-up council's plan stands in. axe finds no WCAG 2.2 AA violation and no page
scrolls sideways at 320 px, read by the public and by the council's own members."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from .a11y import assert_accessible
from .test_wide_tables import HEADER_CELLS, PHONE, WIDE, problems_at

NARROW = 320


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def richer(live_server, officer, coordinator, scrutiny_member):
    """Anytown Council's plan with every part of the richer record, and the URLs of its pages."""
    from recommendations.models import Response, Status
    from recommendations.tests.factories import (
        ActionFactory,
        PeerChallengeFactory,
        ProgressUpdateFactory,
        RecommendationFactory,
        ThemeFactory,
    )
    from reviews.models import PeerAssessment, PeerRating
    from reviews.tests.factories import ProgressReviewFactory

    challenge = PeerChallengeFactory()
    theme = ThemeFactory(challenge=challenge, number=1, title="Governance")
    first = RecommendationFactory(
        theme=theme,
        challenge=challenge,
        number=1,
        title="Refresh the council plan",
        response=Response.PARTLY_ACCEPTED,
        response_reason="The council will refresh the plan within its existing budget.",
        response_agreed_by="Cabinet",
        response_agreed_on=datetime.date(2023, 2, 14),
    )
    second = RecommendationFactory(theme=theme, challenge=challenge, number=2, title="Strengthen scrutiny")
    before = ActionFactory(
        recommendation=first, reference="1.1", description="Agree the outcomes", due_date=days(-5), status="off_track"
    )
    action = ActionFactory(
        recommendation=first,
        reference="1.2",
        description="Publish the new council plan",
        lead_officer=officer,
        starts_on=days(-60),
        due_date=days(-2),
        actual_start=days(-50),
    )
    ProgressUpdateFactory(
        action=action,
        status=Status.AT_RISK,
        date=days(-1),
        text="The draft plan is written.",
        next_steps="Consult residents, then take the plan to Cabinet.",
    )
    action.depends_on.add(before)
    action.also_answers.add(second)
    after = ActionFactory(recommendation=second, reference="2.1", description="Scrutinise delivery of the plan")
    after.depends_on.add(action)
    superseded = ActionFactory(recommendation=second, reference="2.2", description="A separate scrutiny review")
    ProgressUpdateFactory(
        action=superseded,
        status=Status.SUPERSEDED,
        superseded_by=after,
        closure_reason="Scrutiny of the plan's delivery covers it.",
        date=days(-3),
    )
    review = ProgressReviewFactory(challenge=challenge, on_site=days(-20))
    PeerAssessment.objects.create(
        review=review, recommendation=first, rating=PeerRating.LIMITED, text="The plan is not yet shaping decisions."
    )
    PeerAssessment.objects.create(review=review, recommendation=second, rating=PeerRating.GOOD)
    return {
        "action": action.get_absolute_url(),
        "superseded action": superseded.get_absolute_url(),
        "recommendation": first.get_absolute_url(),
        "also answered": second.get_absolute_url(),
        "review": review.get_absolute_url(),
        "challenge": challenge.get_absolute_url(),
        "theme": theme.get_absolute_url(),
        "action plan": reverse("recommendations:action-plan"),
        "my actions": reverse("recommendations:my-actions"),
    }


PUBLIC = ["action", "superseded action", "recommendation", "also answered", "review", "challenge", "theme"]
VISITS = [
    *[(name, "anonymous") for name in PUBLIC],
    ("action", "scrutiny member"),
    ("recommendation", "coordinator"),
    ("action plan", "scrutiny member"),
    ("my actions", "lead officer"),
]


@pytest.mark.parametrize(("name", "role"), VISITS, ids=[f"{name} as {role}" for name, role in VISITS])
def test_richer_pages_are_accessible_and_fit_320_px(richer, signed_in_page, artifacts, name, role):
    page = signed_in_page(role)
    page.set_viewport_size({"width": NARROW, "height": 640})

    response = page.goto(richer[name])

    assert response.status == 200
    page.screenshot(
        path=artifacts / "screenshots" / f"richer-{name.replace(' ', '-')}-as-{role.replace(' ', '-')}-320.png",
        full_page=True,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW + 1, f"{name} scrolls sideways at 320 px"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(
        path=artifacts / "screenshots" / f"richer-{name.replace(' ', '-')}-as-{role.replace(' ', '-')}-1280.png",
        full_page=True,
    )
    assert_accessible(page, f"{name} as {role}")


def test_a_reader_follows_the_waiting_on_warning_to_the_action_holding_it_up(richer, signed_in_page):
    page = signed_in_page("anonymous")
    page.goto(richer["action"])

    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text("Waiting on action 1.1, which is off track and overdue.")
    warning.get_by_role("link", name="action 1.1").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Action 1.1")
    expect(page.get_by_text("This action is off track and overdue, so they are waiting on it.")).to_be_visible()


def test_the_roll_up_rule_opens_beside_the_status(richer, signed_in_page):
    page = signed_in_page("anonymous")
    page.goto(richer["recommendation"])

    page.get_by_text("How this status is worked out").click()

    expect(page.get_by_text("A recommendation's status comes from its own actions")).to_be_visible()


# The challenge page's status tables fit at 1280 px and, on a phone, scroll inside their region as
# they always have; the others also keep test_wide_tables' rules at 375 px.
WIDE_TABLES = [
    ("challenge", "anonymous", (WIDE,)),
    ("review", "anonymous", (WIDE, PHONE)),
    ("action plan", "scrutiny member", (WIDE, PHONE)),
    ("my actions", "lead officer", (WIDE, PHONE)),
]


@pytest.mark.parametrize(
    ("name", "role", "widths"), WIDE_TABLES, ids=[f"{name} as {role}" for name, role, _ in WIDE_TABLES]
)
def test_no_column_is_cut_off_with_the_new_columns_and_lines(richer, signed_in_page, name, role, widths):
    """The status tables' two closing states, the assessments table, and the plan's waiting-on markers
    and slippage lines fit at 1280 px (test_wide_tables' rules)."""
    page = signed_in_page(role)
    page.goto(richer[name])
    problems = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        problems += problems_at(width, page.evaluate(HEADER_CELLS))
    assert not problems, f"{name} as {role}:\n" + "\n".join(problems)
