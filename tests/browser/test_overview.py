"""The LGA overview's tables (the councils' challenges, the themes compared) cut no column off: at
1280 px every column fits; at 375 px and 320 px each row is a block, each cell under its column's
name. Filtering with the form shows the matching challenges. Screenshots go to test-artifacts/."""

from django.urls import reverse
from playwright.sync_api import expect

from .test_wide_tables import HEADER_CELLS, WIDE, problems_at, slug


def test_no_column_of_the_overview_is_cut_off(stockport, signed_in_page, artifacts):
    page = signed_in_page("anonymous")
    page.goto(reverse("recommendations:overview"))
    shot = artifacts / "screenshots" / slug("wide-tables-overview")
    problems = []
    for width in (WIDE, 375, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{shot}-{width}.png", full_page=True)
        cells = page.evaluate(HEADER_CELLS)
        assert cells, "the overview shows no table"
        problems += problems_at(width, cells)
    assert not problems, "\n".join(problems)


def test_filtering_by_type_and_region_shows_the_matching_challenges(stockport, signed_in_page):
    page = signed_in_page("anonymous")
    page.goto(reverse("recommendations:overview"))

    page.get_by_label("Type of council").select_option(label="County council")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", level=2, name="0 peer challenges matching the filters")).to_be_visible()

    page.get_by_label("Type of council").select_option(label="Metropolitan borough (metropolitan district)")
    page.get_by_label("Region").select_option(label="North West")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", level=2, name="1 peer challenge matching the filters")).to_be_visible()
    expect(page.get_by_role("link", name="Stockport Metropolitan Borough Council")).to_be_visible()
