"""Acceptance for officers' progress updates: an officer signs in, finds their action under My
actions, is told what to fix when the update has no text, saves it, and the public sees it only
when it is published. The action's history says who changed it and when."""

import re

from playwright.sync_api import expect

from .a11y import assert_accessible
from .conftest import PASSWORD

EVIDENCE = "https://www.stockport.gov.uk/reports/report-writing-training"
PUBLISHED_TEXT = "Report-writing training delivered to 120 staff across all directorates."
UNPUBLISHED_TEXT = "Draft: second round of training being planned with the Monitoring Officer."


def add_update(page, text, *, publish):
    page.get_by_label("Progress to date", exact=True).fill(text)
    if publish:
        page.get_by_label("Publish this update on the public page").check()
    page.get_by_role("button", name="Save progress update").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Progress update saved for action 10.2")


def test_officer_adds_updates_and_only_published_ones_reach_the_public(stockport, signed_in_page):
    page = signed_in_page("anonymous")

    # Sign in through the form.
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(stockport.officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Olivia Officer")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")  # an officer's start page

    # My actions, from the header navigation, lists the action they lead.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    page.get_by_role("link", name="Add a progress update to action 10.2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a progress update")

    # An update without text: the error summary takes the focus, and what was typed stays.
    page.get_by_label("Link to evidence (optional)").fill(EVIDENCE)
    page.get_by_label("Progress to date", exact=True).fill("")
    page.get_by_role("button", name="Save progress update").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter the progress to date")
    page.wait_for_function("document.activeElement.closest('.govuk-error-summary') !== null")
    expect(page.get_by_label("Link to evidence (optional)")).to_have_value(EVIDENCE)
    assert page.title().startswith("Error: ")

    # With text, published: saved, and on the public recommendation page.
    add_update(page, PUBLISHED_TEXT, publish=True)
    assert_accessible(page, "the action page after saving an update")

    # A second update, not published: signed-in users see it, the public does not.
    page.get_by_role("link", name="Add a progress update").click()
    add_update(page, UNPUBLISHED_TEXT, publish=False)
    expect(page.get_by_text(UNPUBLISHED_TEXT)).to_be_visible()

    public = signed_in_page("anonymous")  # a fresh browser context, signed out
    public.goto(stockport.recommendation.get_absolute_url())
    expect(public.get_by_text(PUBLISHED_TEXT)).to_be_visible()
    expect(public.get_by_text(UNPUBLISHED_TEXT)).to_have_count(0)
    public.goto(stockport.action.get_absolute_url())
    expect(public.get_by_text(PUBLISHED_TEXT)).to_be_visible()
    expect(public.get_by_text(UNPUBLISHED_TEXT)).to_have_count(0)
    expect(public.locator("#history")).to_have_count(0)

    # The action's history: who added the updates, and when.
    expect(page.get_by_role("heading", name="History", level=2)).to_be_visible()
    history = page.locator(".moj-timeline__item").filter(has_text="by Olivia Officer")
    expect(history.first).to_be_visible()
    expect(history.first.locator("time")).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}$"))
