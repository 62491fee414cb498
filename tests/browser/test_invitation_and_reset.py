"""Acceptance for invitations and password reset, end to end in the browser with Django's locmem
email (the live server runs in this process, so `mail.outbox` holds what it sent):

- a coordinator invites a new officer; the officer opens the link from the email, is told what is
  wrong with a weak password, chooses a good one, and is signed in; the link then no longer works;
- an officer who forgot their password asks for a link from the sign-in page, opens it from the
  email, chooses a new password and signs in with it.
"""

import re

from django.core import mail
from playwright.sync_api import expect

from recommendations.tests.tasks import run_tasks

from .a11y import assert_accessible

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def link_in_last_email(to):
    run_tasks()  # the worker sends the e-mail the request queued
    message = mail.outbox[-1]
    assert message.to == [to]
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(link):
    return "/" + link.split("/", 3)[3]


def test_a_coordinator_invites_an_officer_who_sets_a_password_and_is_signed_in(stockport, signed_in_page):
    council = stockport.challenge.council
    coordinator = signed_in_page("coordinator")
    coordinator.goto("/invitations/")
    coordinator.get_by_role("link", name=f"Invite someone to {council.name}").click()
    coordinator.get_by_label("Email address").fill("nia.newcomer@example.org")
    coordinator.get_by_label("Officer").check()
    coordinator.get_by_role("button", name="Send invitation").click()
    expect(coordinator.locator(".govuk-notification-banner--success")).to_contain_text(
        "Invitation sent to nia.newcomer@example.org"
    )
    expect(coordinator.get_by_role("cell", name="nia.newcomer@example.org", exact=True)).to_be_visible()
    assert_accessible(coordinator, "the invitations page with a pending invitation")

    link = link_in_last_email("nia.newcomer@example.org")
    newcomer = signed_in_page("anonymous")
    newcomer.goto(path_of(link))
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Set up your account")
    expect(newcomer.get_by_text(f"as an officer of {council.name}")).to_be_visible()

    newcomer.get_by_label("First name").fill("Nia")
    newcomer.get_by_label("Last name").fill("Newcomer")
    newcomer.get_by_label("Create a password").fill("password1234")
    newcomer.get_by_label("Confirm your password").fill("password1234")
    newcomer.get_by_role("button", name="Create account").click()
    expect(newcomer.locator(".govuk-error-summary")).to_contain_text("This password is too common")
    expect(newcomer.get_by_label("First name")).to_have_value("Nia")
    assert_accessible(newcomer, "the set-up form with errors")

    newcomer.get_by_label("Create a password").fill(NEW_PASSWORD)
    newcomer.get_by_label("Confirm your password").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Create account").click()
    expect(newcomer.locator(".govuk-notification-banner--success")).to_contain_text("Your account is set up")
    expect(newcomer.locator(".app-service-navigation__user")).to_have_text("Signed in as Nia Newcomer")

    again = signed_in_page("anonymous")
    response = again.goto(path_of(link))
    assert response.status == 404
    expect(again.get_by_role("heading", level=1)).to_have_text("This invitation link does not work")


def test_an_officer_resets_a_forgotten_password_from_the_email_and_signs_in(stockport, signed_in_page):
    officer = stockport.officer
    page = signed_in_page("anonymous")
    page.goto("/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_role("button", name="Send reset link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    page.goto(path_of(link_in_last_email(officer.email)))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Reset password").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your password has been reset")

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".app-service-navigation__user")).to_have_text("Signed in as Olivia Officer")
