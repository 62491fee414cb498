"""The recommendation page's "How other councils answered similar recommendations" with another
council's recommendation in it: axe finds no WCAG 2.2 AA violation, the page fits 320 px, and a
reader follows the link to the other council's recommendation. Stockport's recommendation 4 (its
member development programme) is the one read; the other council and its plan are made up."""

import pytest
from playwright.sync_api import expect

from .a11y import assert_accessible

NARROW = 320
SECTION = "How other councils answered similar recommendations"


@pytest.fixture
def elsewhere(stockport):
    """Othertown's made-up recommendation on the same subject, with a complete action, one that is
    on track, and one whose only update is an unpublished draft."""
    from recommendations.models import Status
    from recommendations.tests.factories import (
        ActionFactory,
        CouncilFactory,
        PeerChallengeFactory,
        ProgressUpdateFactory,
        RecommendationFactory,
    )

    challenge = PeerChallengeFactory(council=CouncilFactory(name="Othertown Borough Council"), title="Othertown CPC")
    other = RecommendationFactory(
        challenge=challenge,
        theme__challenge=challenge,
        number=3,
        title="Put in place a member development programme before the elections",
        text="Newly elected councillors need an induction programme and continuing member development, "
        "so that members have the skills and knowledge for their roles.",
    )
    ActionFactory(
        recommendation=other, reference="3.1", description="Agree the induction programme", status=Status.COMPLETE
    )
    ActionFactory(
        recommendation=other,
        reference="3.2",
        description="Offer every councillor a development plan",
        status="on_track",
    )
    draft = ActionFactory(recommendation=other, reference="3.3", description="Pair new members with mentors")
    ProgressUpdateFactory(action=draft, status=Status.OFF_TRACK, text="Draft: no mentors yet", published=False)
    return stockport.challenge.recommendations.get(number=4), other


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_the_section_is_accessible_and_fits_320_px(elsewhere, signed_in_page, artifacts, role):
    mine, _ = elsewhere
    page = signed_in_page(role)
    page.set_viewport_size({"width": NARROW, "height": 640})

    page.goto(mine.get_absolute_url())

    section = page.locator("#similar-elsewhere ~ *")
    expect(page.get_by_role("heading", name=SECTION)).to_be_visible()
    expect(section.get_by_text("Othertown Borough Council — recommendation 3")).to_be_visible()
    expect(page.get_by_text("Draft: no mentors yet")).to_have_count(0)
    page.screenshot(path=artifacts / "screenshots" / f"similar-elsewhere-as-{role}-320.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW + 1, "scrolls sideways at 320 px"
    assert_accessible(page, f"the recommendation page with similar recommendations, as {role}")


def test_a_reader_follows_the_link_to_the_other_councils_recommendation(elsewhere, signed_in_page):
    mine, other = elsewhere
    page = signed_in_page("anonymous")
    page.goto(mine.get_absolute_url())

    page.get_by_role("link", name=other.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(other.title)
    # And from there, Stockport's recommendation is the one like it.
    expect(page.get_by_role("link", name=mine.title)).to_be_visible()
