"""Notifications in a browser: the header's unread count, opening a notification, choosing which are
e-mailed (with the success banner checked by axe), and the count in the collapsed menu at 320 px."""

from playwright.sync_api import expect

from .a11y import assert_accessible


def test_officer_opens_a_notification_and_chooses_which_are_emailed(stockport, signed_in_page):
    page = signed_in_page("lead officer")  # the stockport fixture gave them action 10.2: they were told
    page.goto("/my-actions/")

    page.get_by_role("link", name="Notifications 1 unread").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("heading", name="New You now lead action 10.2")).to_be_visible()
    assert_accessible(page, "the notifications page with one unread")

    page.get_by_role("link", name="You now lead action 10.2").click()

    expect(page).to_have_url(stockport.action.get_absolute_url())
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # no unread count now

    page.goto("/notifications/")
    page.get_by_role("link", name="Choose which notifications are emailed to you").click()
    page.get_by_label("An update round asks for my updates").uncheck()
    page.get_by_role("button", name="Save notification settings").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Notification settings saved")
    assert_accessible(page, "the notifications page with a success banner")
    page.get_by_role("link", name="Choose which notifications are emailed to you").click()
    expect(page.get_by_label("An update round asks for my updates")).not_to_be_checked()
    expect(page.get_by_label("An action is given to me or taken from me")).to_be_checked()


def test_the_unread_count_is_in_the_menu_on_a_narrow_screen(stockport, signed_in_page):
    page = signed_in_page("lead officer")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/my-actions/")

    page.get_by_role("button", name="Menu").click()

    expect(page.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    assert_accessible(page, "the open menu with the unread count")
