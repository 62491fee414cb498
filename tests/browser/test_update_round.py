"""Acceptance for update rounds (issue 11, acceptance 3 and 4): a coordinator opens a round; two
officers get their e-mail, follow its link and update (one is told what to fix first, nothing
half-saved); the dashboard shows 2 of N; a reminder goes only to the lead who has not replied; the
round closes; a committee report is made from it. The dashboard fits 1280 and 375 px."""

import datetime
import re

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from recommendations.roles import OFFICER
from recommendations.tests.tasks import run_tasks

from .a11y import assert_accessible

TITLE = "Quarter 3 2024/25 – for scrutiny on 14 March 2025"


def link_in_email(recipient):
    run_tasks()  # the worker sends the e-mails requests queued
    messages = [message for message in mail.outbox if message.to == [recipient.email]]
    assert len(messages) == 1, f"{recipient.username} got {len(messages)} e-mails"
    return re.search(r"https?://[^/\s]+(/rounds/\d+/my-updates/)", messages[0].body)[1]


def success(page):
    return page.locator(".govuk-notification-banner--success")


def test_a_whole_update_round(stockport, signed_in_page, officer, other_officer, artifacts):
    from recommendations.tests.factories import UserFactory

    challenge = stockport.challenge
    owen_action = challenge.recommendations.get(number=1).actions.get(reference="1.1")
    owen_action.lead_officer = other_officer
    owen_action.save(update_fields=["lead_officer"])
    tess = UserFactory(username="tess", first_name="Tess", last_name="Third", roles=[(challenge.council, OFFICER)])
    tess_action = challenge.recommendations.get(number=1).actions.get(reference="1.5")
    tess_action.lead_officer = tess
    tess_action.save(update_fields=["lead_officer"])
    run_tasks()  # what setting up queued, sent before the outbox is cleared
    mail.outbox.clear()

    # The coordinator opens a round from the challenge's page.
    coordinator = signed_in_page("coordinator")
    coordinator.goto(challenge.get_absolute_url())
    coordinator.get_by_role("link", name=f"Update rounds for {challenge.council.name}").click()
    coordinator.get_by_role("link", name="Open an update round").click()
    expect(coordinator.get_by_role("checkbox", name=re.compile(r"^Action 10\.2:"))).to_be_checked()
    assert_accessible(coordinator, "the form opening a round")
    coordinator.get_by_label("Title of the round").fill(TITLE)
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    deadline_group = coordinator.get_by_role("group", name="Deadline")
    deadline_group.get_by_label("Day").fill(str(deadline.day))
    deadline_group.get_by_label("Month").fill(str(deadline.month))
    deadline_group.get_by_label("Year").fill(str(deadline.year))
    coordinator.get_by_role("button", name="Open the round and ask the leads").click()
    expect(success(coordinator)).to_contain_text("3 leads were asked for their updates")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(TITLE)
    total = int(re.search(r"opened with (\d+) actions", success(coordinator).inner_text())[1])

    # Each lead got one e-mail; Olivia follows hers. Saving nothing is an error; then she updates.
    olivia = signed_in_page("lead officer")
    olivia.goto(link_in_email(officer))
    expect(olivia.get_by_role("heading", level=1)).to_have_text("Your updates for this round")
    olivia.get_by_role("button", name="Save updates").click()
    expect(olivia.locator(".govuk-error-summary")).to_contain_text("Write an update on at least one of your actions")
    assert_accessible(olivia, "the lead's round page with an error")
    olivia.get_by_label("Progress to date on action 10.2").fill("Training booked for March.")
    olivia.get_by_role("button", name="Save updates").click()
    expect(success(olivia)).to_contain_text("Progress update saved for action 10.2")
    expect(olivia.get_by_text("All your actions in this round are updated")).to_be_visible()

    # Owen says Complete without evidence: told what to fix, nothing saved, what he typed kept.
    owen = signed_in_page("other officer")
    owen.goto(link_in_email(other_officer))
    owen.get_by_role("group", name="What is the status of action 1.1 now?").get_by_label("Complete").check()
    text = owen.get_by_label("Progress to date on action 1.1")
    text.fill("The new vision was agreed by Cabinet.")
    owen.get_by_role("button", name="Save updates").click()
    expect(owen.locator(".govuk-error-summary")).to_contain_text(
        "Action 1.1: Enter the evidence that the action is complete"
    )
    expect(text).to_have_value("The new vision was agreed by Cabinet.")
    assert_accessible(owen, "the lead's round page with an update's errors")
    owen.get_by_role("group", name="What is the status of action 1.1 now?").get_by_label("On track").check()
    owen.get_by_role("button", name="Save updates").click()
    expect(success(owen)).to_contain_text("Progress update saved for action 1.1")

    # The dashboard: 2 of N; a reminder goes to Tess only, once.
    coordinator.reload()
    expect(coordinator.locator(".app-round-figure")).to_contain_text(f"2 of {total} actions")
    assert_accessible(coordinator, "the round's dashboard")
    for width in (1280, 375):
        coordinator.set_viewport_size({"width": width, "height": 900})
        assert coordinator.evaluate("document.documentElement.scrollWidth") <= width, (
            f"the dashboard overflows at {width} px"
        )
        coordinator.screenshot(path=str(artifacts / "screenshots" / f"round-dashboard-{width}.png"), full_page=True)
    coordinator.set_viewport_size({"width": 1280, "height": 800})
    run_tasks()  # what setting up queued, sent before the outbox is cleared
    mail.outbox.clear()
    coordinator.get_by_role("button", name="Send a reminder to the 1 lead with actions outstanding").click()
    expect(success(coordinator)).to_have_text(re.compile("Reminder sent to Tess Third"))
    run_tasks()  # the worker sends the reminder the request queued
    assert [message.to for message in mail.outbox] == [[tess.email]]
    expect(coordinator.get_by_role("button", name=re.compile("Send a reminder"))).to_have_count(0)

    # Close it, then make a committee report from it.
    coordinator.get_by_role("link", name="Close the round").click()
    assert_accessible(coordinator, "the page confirming a round's closing")
    coordinator.get_by_role("button", name="Close the round").click()
    expect(success(coordinator)).to_contain_text("Update round closed")
    coordinator.get_by_role("link", name="Create a committee report from this round").click()
    expect(coordinator.get_by_label("Committee")).to_have_value("Scrutiny committee")
    today = timezone.localdate()
    cut_off = coordinator.get_by_role("group", name="Cut-off date for the figures")
    expect(cut_off.get_by_label("Day")).to_have_value(str(today.day))
    meeting = coordinator.get_by_role("group", name="Date of the meeting")
    meeting_date = today + datetime.timedelta(days=10)
    meeting.get_by_label("Day").fill(str(meeting_date.day))
    meeting.get_by_label("Month").fill(str(meeting_date.month))
    meeting.get_by_label("Year").fill(str(meeting_date.year))
    coordinator.get_by_role("button", name="Create draft report").click()
    expect(success(coordinator)).to_contain_text(f"Draft report created from the update round {TITLE}")
    expect(coordinator.get_by_text(f"Made from the update round {TITLE}")).to_be_visible()
