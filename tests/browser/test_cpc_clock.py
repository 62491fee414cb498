"""A coordinator enters a milestone of Stockport's CPC clock in a browser: a date in the future is
refused with the GOV.UK error summary (what was typed stays), a month-only date is saved, and the
challenge page's clock shows it. axe checks the form with its errors and the page with its banner."""

from django.utils import timezone
from playwright.sync_api import expect

from .a11y import assert_accessible


def test_a_coordinator_enters_a_month_only_date_of_the_cpc_clock(stockport, signed_in_page):
    page = signed_in_page("coordinator")
    page.goto(stockport.challenge.get_absolute_url())
    page.get_by_role("link", name="Change the dates of the CPC clock").click()

    # Stockport's report was published in February 2023: the day is blank, as the source gives only the month.
    expect(page.locator('[name="report_published_on_0"]')).to_have_value("")
    expect(page.locator('[name="report_published_on_1"]')).to_have_value("2")
    expect(page.locator('[name="progress_review_on_1"]')).to_have_count(0)  # the review's own record is used

    next_year = str(timezone.localdate().year + 1)
    page.locator('[name="review_report_published_on_1"]').fill("1")
    page.locator('[name="review_report_published_on_2"]').fill(next_year)
    page.get_by_role("button", name="Save the dates").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Progress review report published must be this month or earlier")
    expect(page.locator('[name="review_report_published_on_2"]')).to_have_value(next_year)
    assert_accessible(page, "the CPC clock's form with errors")

    page.locator('[name="review_report_published_on_1"]').fill("12")
    page.locator('[name="review_report_published_on_2"]').fill("2023")
    page.get_by_role("button", name="Save the dates").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Dates of the CPC clock saved")
    row = page.locator("#cpc-clock + p + table tbody tr").nth(3)
    expect(row).to_contain_text("December 2023")
    expect(row).to_contain_text("Missed by at least 27 days")
    assert_accessible(page, "the challenge page with the CPC clock and a success banner")
