"""Every page fits a 320 px wide screen without scrolling sideways, and prints without the
service's navigation. Screenshots at 320 px and 1280 px, and a PDF of a recommendation, go to
test-artifacts/ to eyeball."""

import pytest
from playwright.sync_api import expect

from .pages import VISITS, visit_id

NARROW, WIDE = 320, 1280


def slug(text):
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


@pytest.mark.parametrize("visit", VISITS, ids=visit_id)
def test_page_fits_320_px_and_prints_only_its_content(visit, stockport, signed_in_page, artifacts):
    page_entry, role = visit
    page = signed_in_page(role)
    page.set_viewport_size({"width": NARROW, "height": 640})
    response = page.goto(page_entry.url(stockport))
    assert response.status == page_entry.status
    shot = artifacts / "screenshots" / slug(f"{page_entry.name}-as-{role}")

    # Wide tables scroll inside their .app-table-scroll region; the page itself never does.
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    sticking_out = widest_elements(page) if scroll_width > NARROW + 1 else []
    page.screenshot(path=f"{shot}-{NARROW}.png", full_page=True)
    page.set_viewport_size({"width": WIDE, "height": 800})
    page.screenshot(path=f"{shot}-{WIDE}.png", full_page=True)
    assert scroll_width <= NARROW + 1, (
        f"{page.url} is {scroll_width}px wide at {NARROW}px: it scrolls sideways. Widest elements: "
        + ", ".join(sticking_out)
    )

    page.emulate_media(media="print")
    expect(page.locator("header nav")).to_be_hidden()
    expect(page.locator(".govuk-skip-link")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()


def widest_elements(page):
    """The elements sticking out furthest past the viewport's right edge, but for those a scrolling
    region clips (absolutely positioned ones, such as visually hidden text, can escape it)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('body *'))
             .filter(el => !el.closest('.app-table-scroll') || ['absolute', 'fixed'].includes(getComputedStyle(el).position))
             .map(el => [el.getBoundingClientRect().right, el])
             .filter(([right]) => right > document.documentElement.clientWidth + 1)
             .sort((a, b) => b[0] - a[0]).slice(0, 5)
             .map(([right, el]) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (right edge ${Math.round(right)}px)`)"""
    )


def test_recommendation_prints_to_pdf(stockport, signed_in_page, artifacts):
    page = signed_in_page("anonymous")
    page.goto(stockport.recommendation.get_absolute_url())
    page.emulate_media(media="print")

    pdf = page.pdf(path=artifacts / "recommendation-10.pdf", format="A4", print_background=True)

    assert pdf.startswith(b"%PDF")
