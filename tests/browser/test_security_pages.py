"""The Content-Security-Policy in a real browser: the harness notices what the policy blocks, and the
CSRF failure page (reached only by sending a form) is accessible and fits a narrow screen. The
400 page is in pages.py with every other page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .a11y import assert_accessible, csp_violations

PASSWORD = "correct-horse-battery-staple"


def test_an_inline_script_is_blocked_and_fails_the_page_s_accessibility_check(live_server, signed_in_page):
    page = signed_in_page("anonymous")
    page.goto(reverse("home"))
    assert csp_violations(page) == []

    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")

    assert page.evaluate("window.injected") is None
    assert [violation["directive"] for violation in csp_violations(page)] == ["script-src-elem"]
    with pytest.raises(AssertionError, match="Content-Security-Policy violation"):
        assert_accessible(page, "the home page with an injected script")


def test_a_form_sent_without_its_token_gets_an_accessible_page_saying_what_to_do(live_server, officer, signed_in_page):
    page = signed_in_page("anonymous")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(reverse("login"))
    page.context.clear_cookies()  # as if the browser had dropped them: the form's token no longer matches

    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, your form could not be sent")
    expect(page.get_by_text("Reload the page, so that the form is up to date.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 321
    assert_accessible(page, "the CSRF failure page")
