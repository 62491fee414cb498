"""The richer record in every public output: open data, the feed, committee reports and their PDF give
the council's response, closing states with their reasons, slippage, waiting on, progress to date and
next steps, all from published updates only, and agree with each other and with the action's page.
Reports issued before these were kept still render."""

import csv
import datetime
import html
import io
import json
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from pypdf import PdfReader

from recommendations.models import Recommendation, Response, Status
from recommendations.tests.factories import (
    ActionFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    build_challenge,
)
from recommendations.tests.queries import count_queries
from recommendations.tests.tasks import run_tasks
from reports.models import CommitteeReport
from reports.open_data import COLUMNS
from reports.snapshot import build_report_snapshot, readable

from .factories import CUT_OFF, CommitteeReportFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SECRETS = ("Secret draft", "Secret next steps", "Secret closure reason")


@pytest.fixture
def rich():
    """A plan whose public record at CUT_OFF (1 March 2024) is known:

    - Recommendation 1, accepted by Cabinet on 14 February 2023.
    - 1.1: due 31 January 2024, published On track on 10 February with next steps; an unpublished At
      risk update after it -> On track, overdue by 30 days. It also answers recommendation 2.
    - 1.2: published Will not be taken forward, with its reason.
    - 1.3: published On track; an unpublished closure (Will not be taken forward) -> On track.
    - 2.1: published Superseded by 1.1, with its reason.
    - 2.2: depends on 1.1 (overdue) -> waiting on it; due 2030, not yet due.
    """
    challenge = PeerChallengeFactory(council__name="Anytown Council", slug="anytown")
    theme = ThemeFactory(challenge=challenge, number=1, title="Governance")
    first = RecommendationFactory(challenge=challenge, theme=theme, number=1, title="Review the constitution")
    second = RecommendationFactory(challenge=challenge, theme=theme, number=2, title="Communicate more widely")
    Recommendation.objects.filter(pk=first.pk).update(
        response=Response.ACCEPTED,
        response_reason="The council agrees in full",
        response_agreed_by="Cabinet",
        response_agreed_on=datetime.date(2023, 2, 14),
    )
    a11 = ActionFactory(recommendation=first, reference="1.1", due_date=datetime.date(2024, 1, 31))
    ProgressUpdateFactory(
        action=a11,
        date=datetime.date(2024, 2, 10),
        status=Status.ON_TRACK,
        text="Working group formed",
        next_steps="Report to Cabinet in March",
    )
    ProgressUpdateFactory(
        action=a11,
        date=datetime.date(2024, 2, 20),
        status=Status.AT_RISK,
        text="Secret draft",
        next_steps="Secret next steps",
        published=False,
    )
    a12 = ActionFactory(recommendation=first, reference="1.2")
    ProgressUpdateFactory(
        action=a12,
        date=datetime.date(2024, 2, 1),
        status=Status.NOT_TAKEN_FORWARD,
        text="Cabinet decided",
        closure_reason="Covered by the constitution review",
    )
    a13 = ActionFactory(recommendation=first, reference="1.3")
    ProgressUpdateFactory(action=a13, date=datetime.date(2024, 2, 1), status=Status.ON_TRACK, text="Started")
    ProgressUpdateFactory(
        action=a13,
        date=datetime.date(2024, 2, 2),
        status=Status.NOT_TAKEN_FORWARD,
        text="Secret draft",
        closure_reason="Secret closure reason",
        published=False,
    )
    a21 = ActionFactory(recommendation=second, reference="2.1")
    ProgressUpdateFactory(
        action=a21,
        date=datetime.date(2024, 2, 5),
        status=Status.SUPERSEDED,
        text="Merged",
        closure_reason="Merged into 1.1",
        superseded_by=a11,
    )
    a22 = ActionFactory(recommendation=second, reference="2.2")
    a22.depends_on.add(a11)
    a11.also_answers.add(second)
    actions = {"1.1": a11, "1.2": a12, "1.3": a13, "2.1": a21, "2.2": a22}
    for action in actions.values():
        action.refresh_from_db()
    return challenge, actions


def text_of(response):
    """The page's words, without its tags."""
    return " ".join(html.unescape(strip_tags(response.content.decode())).split())


def open_data_rows(client, challenge):
    csv_response = client.get(reverse("reports:open-data-csv", args=[challenge.slug]))
    json_response = client.get(reverse("reports:open-data-json", args=[challenge.slug]))
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode("utf-8"))))
    document = json.loads(json_response.content)
    return rows, document, csv_response.content.decode() + json_response.content.decode()


def feed_entries(client, challenge):
    response = client.get(reverse("reports:updates-feed", args=[challenge.slug]))
    root = ET.fromstring(response.content)
    return root.findall(f"{ATOM}entry"), response.content.decode()


def draft_report(challenge):
    return CommitteeReportFactory(challenge=challenge, cut_off=CUT_OFF, meeting_date=datetime.date(2024, 3, 14))


# Open data -------------------------------------------------------------------------------------


def test_open_data_gives_the_richer_record_from_published_updates(client, rich):
    challenge, actions = rich

    rows, document, raw = open_data_rows(client, challenge)

    by_reference = {row["action_reference"]: row for row in document["rows"]}
    today = timezone.localdate()
    first = by_reference["1.1"]
    assert {name: first[name] for name in first if name.startswith("recommendation_response")} == {
        "recommendation_response": "Accepted",
        "recommendation_response_reason": "The council agrees in full",
        "recommendation_response_agreed_by": "Cabinet",
        "recommendation_response_agreed_on": "2023-02-14",
    }
    assert (first["status"], first["latest_published_update"], first["next_steps"]) == (
        "On track",
        "Working group formed",
        "Report to Cabinet in March",
    )
    assert first["days_late"] == (today - datetime.date(2024, 1, 31)).days
    assert (first["also_answers"], first["depends_on"], first["waiting_on"]) == ("2", "", "")
    assert (by_reference["1.2"]["status"], by_reference["1.2"]["closure_reason"]) == (
        "Will not be taken forward",
        "Covered by the constitution review",
    )
    assert by_reference["1.2"]["days_late"] is None, "a dropped action is never late"
    assert (by_reference["1.3"]["status"], by_reference["1.3"]["closure_reason"]) == ("On track", "")
    assert (
        by_reference["2.1"]["status"],
        by_reference["2.1"]["superseded_by"],
        by_reference["2.1"]["closure_reason"],
    ) == (
        "Superseded",
        "1.1",
        "Merged into 1.1",
    )
    assert (by_reference["2.2"]["depends_on"], by_reference["2.2"]["waiting_on"]) == ("1.1", "1.1")
    assert by_reference["2.2"]["recommendation_response"] == "Not yet recorded"
    assert rows == [{k: "" if v is None else str(v) for k, v in row.items()} for row in document["rows"]]
    for secret in SECRETS:
        assert secret not in raw


def test_every_open_data_column_is_documented_on_the_page(client, rich):
    challenge, _ = rich
    rows, _, _ = open_data_rows(client, challenge)

    page = client.get(reverse("reports:open-data", args=[challenge.slug])).content.decode()

    assert list(rows[0]) == [column.name for column in COLUMNS]
    for name in rows[0]:
        assert f"<code>{name}</code>" in page
    assert "with the recommendation's number first, like 4/1.2" in html.unescape(page)


def test_open_data_makes_the_same_queries_however_many_links(client):
    def linked(size):
        challenge = build_challenge(themes=1, recommendations_per_theme=2, actions_per_recommendation=size)
        actions = list(challenge.recommendations.first().actions.all())
        for before, action in zip(actions, actions[1:]):
            action.depends_on.add(before)
            action.also_answers.add(challenge.recommendations.last())
        return challenge

    small, large = linked(1), linked(6)
    for name in ("reports:open-data-csv", "reports:open-data-json", "reports:open-data"):
        few = count_queries(client, reverse(name, args=[small.slug]))
        many = count_queries(client, reverse(name, args=[large.slug]))
        assert few == many <= 5, name


# The feed --------------------------------------------------------------------------------------


def test_the_feed_gives_progress_to_date_next_steps_and_closure_of_published_updates_only(client, rich):
    challenge, _ = rich

    entries, raw = feed_entries(client, challenge)

    summaries = {entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}summary") for entry in entries}
    assert summaries["Action 1.1: On track (10 February 2024)"] == (
        "<p><strong>Progress to date:</strong> Working group formed</p>"
        "<p><strong>Next steps:</strong> Report to Cabinet in March</p>"
    )
    assert summaries["Action 2.1: Superseded (5 February 2024)"] == (
        "<p><strong>Progress to date:</strong> Merged</p>"
        "<p><strong>Superseded by:</strong> Action 1.1</p>"
        "<p><strong>Why it is closing:</strong> Merged into 1.1</p>"
    )
    for secret in SECRETS:
        assert secret not in raw


def test_the_feed_escapes_what_officers_wrote(client):
    update = ProgressUpdateFactory(text="<script>alert(1)</script>", next_steps="A & B\nthen C")

    entries, _ = feed_entries(client, update.action.recommendation.challenge)

    assert entries[0].findtext(f"{ATOM}summary") == (
        "<p><strong>Progress to date:</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>"
        "<p><strong>Next steps:</strong> A &amp; B<br>then C</p>"
    )


# Committee reports ------------------------------------------------------------------------------


def test_the_snapshot_keeps_the_richer_record_as_of_the_cut_off(rich):
    challenge, actions = rich

    snapshot = build_report_snapshot(challenge=challenge, cut_off=CUT_OFF)

    assert snapshot["format"] == 2
    json.dumps(snapshot)
    [theme] = snapshot["themes"]
    first, second = theme["recommendations"]
    assert (first["response"], first["response_agreed_by"], first["response_agreed_on"]) == (
        "accepted",
        "Cabinet",
        "2023-02-14",
    )
    entries = {action["reference"]: action for r in (first, second) for action in r["actions"]}
    a11 = entries["1.1"]
    assert (a11["status"], a11["overdue"], a11["not_yet_due"], a11["days_late"]) == ("on_track", True, False, 30)
    assert (a11["latest_update"]["text"], a11["latest_update"]["next_steps"]) == (
        "Working group formed",
        "Report to Cabinet in March",
    )
    assert (entries["1.2"]["status"], entries["1.2"]["closure_reason"], entries["1.2"]["days_late"]) == (
        "not_taken_forward",
        "Covered by the constitution review",
        None,
    )
    assert (entries["1.3"]["status"], entries["1.3"]["closure_reason"]) == ("on_track", "")
    assert entries["2.1"]["superseded_by"] == {"id": actions["1.1"].pk, "reference": "1.1"}
    assert (entries["2.2"]["waiting_on"], entries["2.2"]["not_yet_due"]) == (
        [{"id": actions["1.1"].pk, "reference": "1.1"}],
        True,
    )
    assert second["status"] == "not_started", "the superseded action leaves the roll-up"
    assert snapshot["summary"]["dates"] == {
        "overdue": 1,
        "not_yet_due": 2,
        "complete": 0,
        "dropped": 2,
        "no_due_date": 0,
    }
    counts = {row["status"]: row["count"] for row in snapshot["summary"]["actions"]["counts"]}
    assert (counts["not_taken_forward"], counts["superseded"]) == (1, 1)
    for secret in SECRETS:
        assert secret not in json.dumps(snapshot)


def test_waiting_on_and_slippage_are_as_of_the_cut_off_not_today(rich):
    """1.1 is overdue at the cut-off, so 2.2 waits on it then; a report cut off before 1.1 was due
    shows neither."""
    challenge, _ = rich

    early = build_report_snapshot(challenge=challenge, cut_off=datetime.date(2024, 1, 15))

    entries = {a["reference"]: a for r in early["themes"][0]["recommendations"] for a in r["actions"]}
    assert (entries["1.1"]["overdue"], entries["1.1"]["not_yet_due"], entries["1.1"]["days_late"]) == (False, True, 0)
    assert entries["2.2"]["waiting_on"] == []
    assert entries["1.2"]["status"] == "not_started", "its closure was published after this cut-off"


REPORT_PHRASES = [
    "The council's response: Accepted (agreed by Cabinet on 14 February 2023). The council agrees in full",
    "Slippage: 30 days late",
    "Why it is closing: Covered by the constitution review",
    "Superseded by action 1.1",
    "Why it is closing: Merged into 1.1",
    "Progress to date: Working group formed",
    "Next steps: Report to Cabinet in March",
    "Waiting on action 1.1, which was overdue, at risk or off track.",
    "2 actions closed without being done, counted apart: 1 will not be taken forward and 1 superseded by another action",
    "1 overdue action, past their due date and still open; 2 not yet due",
]


def test_the_report_page_shows_response_closure_slippage_next_steps_and_waiting_on(client, coordinator, rich):
    challenge, _ = rich
    client.force_login(coordinator)

    text = text_of(client.get(draft_report(challenge).get_absolute_url()))

    for phrase in REPORT_PHRASES:
        assert phrase in text
    for secret in SECRETS:
        assert secret not in text


def test_the_pdf_shows_them_too(client, coordinator, rich):
    challenge, _ = rich
    client.force_login(coordinator)

    url = reverse("reports:report-pdf", args=[draft_report(challenge).pk])
    client.get(url)
    run_tasks(commit=True)  # made by the worker (reports.prepared)
    response = client.get(url)

    reader = PdfReader(BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for phrase in (
        "The council's response: Accepted",
        "Slippage: 30 days late",
        "Covered by the constitution review",
        "Superseded by action 1.1",
        "Next steps: Report to Cabinet in March",
        "Waiting on action 1.1",
        "2 actions closed without being done",
    ):
        assert phrase in text, phrase
    for secret in SECRETS:
        assert secret not in text


# Reports issued before the richer record ---------------------------------------------------------


def format_one_snapshot(challenge, action):
    """An issued report's snapshot as FORMAT 1 wrote it: no response, closure, slippage, next steps,
    waiting on or dates summary, and counts for the five statuses of the time."""
    five = ["not_started", "on_track", "at_risk", "off_track", "complete"]

    def counts(status):
        return {"counts": [{"status": s, "count": int(s == status)} for s in five], "total": 1}

    entry = {
        "id": action.pk,
        "reference": action.reference,
        "description": action.description,
        "lead": "Chief Executive",
        "timescale": "March 2024",
        "due_date": "2024-03-31",
        "status": "on_track",
        "overdue": False,
        "latest_update": {
            "uid": "0b0f8f9e-46f8-4c1e-a7b1-3d0c2b6b0a11",
            "date": "2023-10-01",
            "created_at": "2023-10-01T09:00:00+00:00",
            "text": "Old progress in words",
            "status": "on_track",
        },
    }
    recommendation = {
        "id": action.recommendation.pk,
        "number": action.recommendation.number,
        "title": "An old recommendation",
        "status": "on_track",
        "actions": [entry],
    }
    return {
        "format": 1,
        "cut_off": "2023-10-16",
        "council": "Anytown Council",
        "challenge": "Corporate Peer Challenge",
        "challenge_slug": challenge.slug,
        "summary": {
            "actions": counts("on_track"),
            "recommendations": counts("on_track"),
            "overdue": 0,
            "themes": [
                {
                    "number": 1,
                    "title": "Governance",
                    "actions": counts("on_track"),
                    "recommendations": counts("on_track"),
                }
            ],
        },
        "themes": [{"number": 1, "title": "Governance", "recommendations": [recommendation]}],
        "unthemed": [],
        "overdue": [],
        "updates_by_month": [{"month": "2023-10-01", "count": 1}],
        "review": None,
        "changes": {
            "previous": None,
            "previous_counts": None,
            "status_changes": [],
            "new_actions": [],
            "new_updates": [],
            "removed_actions": [],
        },
    }


@pytest.fixture
def old_report():
    challenge = PeerChallengeFactory(council__name="Anytown Council")
    theme = ThemeFactory(challenge=challenge, number=1, title="Governance")
    action = ActionFactory(recommendation__challenge=challenge, recommendation__theme=theme, reference="1.1")
    return CommitteeReport.objects.create(
        challenge=challenge,
        committee="Scrutiny Committee",
        meeting_date=datetime.date(2023, 10, 30),
        cut_off=datetime.date(2023, 10, 16),
        issued_at=timezone.now(),
        snapshot=format_one_snapshot(challenge, action),
    )


def test_a_report_issued_in_the_first_format_still_renders_as_it_was(client, old_report):
    page = client.get(old_report.get_absolute_url())
    client.get(reverse("reports:report-pdf", args=[old_report.pk]))
    run_tasks(commit=True)  # made by the worker (reports.prepared)
    pdf = client.get(reverse("reports:report-pdf", args=[old_report.pk]))
    assert pdf["Content-Type"] == "application/pdf"

    assert page.status_code == 200 and pdf.status_code == 200
    text = text_of(page)
    assert "Old progress in words" in text
    assert "1 overdue action" not in text and "0 overdue actions" in text
    for absent in ("The council's response", "Slippage", "Next steps", "Waiting on", "done, counted apart"):
        assert absent not in text
    content = readable(old_report.snapshot)
    assert content["summary"]["dropped"] == {"not_taken_forward": 0, "superseded": 0, "total": 0}


def test_a_new_report_compares_with_one_issued_in_the_first_format(client, coordinator, old_report):
    challenge = old_report.challenge
    action = challenge.recommendations.get().actions.get()
    ProgressUpdateFactory(
        action=action,
        date=datetime.date(2024, 2, 1),
        status=Status.NOT_TAKEN_FORWARD,
        closure_reason="No longer needed",
    )
    draft = draft_report(challenge)
    client.force_login(coordinator)

    content = draft.content()
    text = text_of(client.get(draft.get_absolute_url()))

    assert content["changes"]["previous"]["id"] == old_report.pk
    assert content["changes"]["status_changes"][0]["new_status"] == Status.NOT_TAKEN_FORWARD
    rows = {row["status"]: row for row in content["summary"]["status_rows"]}
    assert (rows[Status.NOT_TAKEN_FORWARD]["before"], rows[Status.NOT_TAKEN_FORWARD]["change"]) == (0, 1)
    assert (rows[Status.ON_TRACK]["before"], rows[Status.ON_TRACK]["change"]) == (1, -1)
    assert "Why it is closing: No longer needed" in text


# One record everywhere -------------------------------------------------------------------------


def test_each_actions_status_closure_and_next_steps_agree_across_page_open_data_feed_and_report(
    client, coordinator, rich
):
    challenge, actions = rich
    rows, _, _ = open_data_rows(client, challenge)
    csv_rows = {row["action_reference"]: row for row in rows}
    entries, _ = feed_entries(client, challenge)
    client.force_login(coordinator)
    content = draft_report(challenge).content()
    client.logout()
    report = {a["reference"]: a for r in content["themes"][0]["recommendations"] for a in r["actions"]}
    expected = {
        "1.1": ("On track", "", "Report to Cabinet in March"),
        "1.2": ("Will not be taken forward", "Covered by the constitution review", ""),
        "1.3": ("On track", "", ""),
        "2.1": ("Superseded", "Merged into 1.1", ""),
    }

    for reference, (status, closure, next_steps) in expected.items():
        action = actions[reference]
        page = html.unescape(client.get(action.get_absolute_url()).content.decode())
        assert f">{status}</strong>" in page, reference
        assert closure in page and next_steps in page
        row = csv_rows[reference]
        assert (row["status"], row["closure_reason"], row["next_steps"]) == (status, closure, next_steps)
        feed = [e for e in entries if e.findtext(f"{ATOM}title").startswith(f"Action {reference}:")]
        newest = html.unescape(feed[0].findtext(f"{ATOM}summary"))
        assert feed[0].findtext(f"{ATOM}title").startswith(f"Action {reference}: {status} (")
        assert closure in newest and next_steps in newest
        entry = report[reference]
        latest = entry["latest_update"]
        assert (entry["status"].label, entry["closure_reason"], latest["next_steps"]) == (status, closure, next_steps)
    for reference in ("1.1", "1.3"):
        page = client.get(actions[reference].get_absolute_url()).content.decode()
        for secret in SECRETS:
            assert secret not in page, f"the public page of {reference} shows unpublished text"


def test_an_actual_completion_date_is_given_only_once_the_published_status_says_complete(client):
    """A coordinator may enter the day an action finished while its Complete update awaits approval:
    open data and reports say it finished only when the public can read that it has, as the public
    action page does."""
    challenge = PeerChallengeFactory(council__name="Anytown Council", slug="anytown")
    recommendation = RecommendationFactory(challenge=challenge, number=1)
    action = ActionFactory(
        recommendation=recommendation,
        reference="1.1",
        actual_start=datetime.date(2024, 1, 5),
        actual_completion=datetime.date(2024, 2, 1),
    )
    ProgressUpdateFactory(action=action, date=datetime.date(2024, 1, 5), status=Status.ON_TRACK, text="Begun")
    complete = ProgressUpdateFactory(
        action=action,
        date=datetime.date(2024, 2, 1),
        status=Status.COMPLETE,
        text="Done",
        completion_evidence="Cabinet report",
        difference_made="Clearer decisions",
        published=False,
    )

    [row], document, _ = open_data_rows(client, challenge)
    snapshot = build_report_snapshot(challenge=challenge, cut_off=CUT_OFF)

    assert row["status"] == "On track" and row["actual_start"] == "2024-01-05"
    assert row["actual_completion"] == "" and document["rows"][0]["actual_completion"] is None
    assert "2024-01-05" in json.dumps(snapshot) and "2024-02-01" not in json.dumps(snapshot)

    complete.published = True
    complete.approval = "not_needed"
    complete.save()

    [row], document, _ = open_data_rows(client, challenge)
    assert row["status"] == "Complete" and row["actual_completion"] == "2024-02-01"
    assert document["rows"][0]["actual_completion"] == "2024-02-01"
    snapshot = build_report_snapshot(challenge=challenge, cut_off=CUT_OFF)
    assert "2024-02-01" in json.dumps(snapshot)
    early = build_report_snapshot(challenge=challenge, cut_off=datetime.date(2024, 1, 2))
    assert "2024-02-01" not in json.dumps(early) and "2024-01-05" not in json.dumps(early), (
        "a report cut off before the action began says neither when it started nor when it finished"
    )
