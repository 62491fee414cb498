"""Two-factor sign-in in the browser: a coordinator without an authenticator app sets one up while
signing in (QR code and secret, a wrong code, the right one, backup codes shown once); a coordinator
with one enters a wrong code, then a backup code. Each step passes axe with no CSP violation."""

import base64

from django_otp.oath import totp
from playwright.sync_api import expect

from .a11y import assert_accessible
from .conftest import PASSWORD, TIMEOUT_MS


def open_sign_in(new_context, user):
    context = new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_coordinator_sets_up_an_app_while_signing_in_and_saves_backup_codes(live_server, new_context, coordinator):
    page = open_sign_in(new_context, coordinator)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_text("Signed in as")).not_to_be_attached()  # not yet
    qr = page.get_by_role("img", name="QR code for adding CPC Tracker to an authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0  # the data: image loads under the CSP
    assert_accessible(page, "setting up two-factor sign-in")

    secret = base64.b32decode(page.locator("#secret-key").inner_text().replace(" ", ""))
    page.get_by_label("Code from your authenticator app").fill(wrong(f"{totp(secret):06d}"))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    assert page.title().startswith("Error: ")
    assert_accessible(page, "setting up two-factor sign-in, with a wrong code")

    page.wait_for_timeout(1_200)  # a person takes longer than django-otp's one-second wait after a wrong code
    page.get_by_label("Code from your authenticator app").fill(f"{totp(secret):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your backup codes")
    expect(page.locator("#backup-codes li")).to_have_count(10)
    assert_accessible(page, "the new backup codes")
    page.get_by_role("link", name="I have saved my backup codes").click()
    expect(page.get_by_text("Signed in as")).to_be_attached()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_a_coordinator_with_an_app_signs_in_with_a_backup_code(live_server, new_context, coordinator, authenticator):
    from cpc_tracker.two_factor import make_backup_codes

    authenticator(coordinator)
    codes = make_backup_codes(coordinator)
    page = open_sign_in(new_context, coordinator)

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert_accessible(page, "the code step")
    page.get_by_label("Code").fill("123")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code from your authenticator app")
    expect(page.get_by_label("Code")).to_have_value("123")
    assert_accessible(page, "the code step with an error")

    page.get_by_text("I cannot use my authenticator app").click()
    expect(page.get_by_text("Enter one of your backup codes in the box instead")).to_be_visible()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_text("Signed in as")).to_be_attached()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 backup codes left")
    assert_accessible(page, "the start page after a backup code")
