"""axe finds no WCAG 2.2 AA violation on any page in pages.py, as each role that sees it, nor on
a form showing its errors or a page showing a success banner."""

import pytest
from playwright.sync_api import expect

from .a11y import assert_accessible
from .pages import VISITS, visit_id


@pytest.mark.parametrize("visit", VISITS, ids=visit_id)
def test_page_has_no_accessibility_violations(visit, stockport, signed_in_page):
    page_entry, role = visit
    page = signed_in_page(role)

    response = page.goto(page_entry.url(stockport))

    assert response.status == page_entry.status, f"{page.url} answered {response.status}"
    assert_accessible(page, f"{page_entry.name} as {role}")


def test_progress_update_form_with_errors_and_success_banner_are_accessible(stockport, signed_in_page):
    page = signed_in_page("lead officer")
    page.goto(stockport.url("recommendations:progress-update-create", stockport.action.pk))

    page.get_by_role("button", name="Save progress update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is a problem")
    assert_accessible(page, "the progress update form with errors")

    page.get_by_label("Progress to date", exact=True).fill("Two training sessions held.")
    page.get_by_role("button", name="Save progress update").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Progress update saved")
    assert_accessible(page, "the action page with a success banner")
