"""Open data: CSV and JSON with the documented columns, published data only, licence and date."""

import csv
import datetime
import html
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Approval, Status
from recommendations.publication import actions_with_public_status
from recommendations.tests.factories import ActionFactory, PeerChallengeFactory, ProgressUpdateFactory
from reports.open_data import COLUMN_NAMES, COLUMNS, LICENCE, LICENCE_URL, status_rows

pytestmark = pytest.mark.django_db

DOCUMENTED = [
    "council",
    "challenge",
    "theme_number",
    "theme",
    "recommendation_number",
    "recommendation",
    "action_reference",
    "action",
    "lead_role",
    "lead",
    "timescale",
    "due_date",
    "status",
    "latest_published_update_date",
    "latest_published_update",
    "recommendation_response",
    "recommendation_response_reason",
    "recommendation_response_agreed_by",
    "recommendation_response_agreed_on",
    "also_answers",
    "planned_start",
    "actual_start",
    "actual_completion",
    "days_late",
    "closure_reason",
    "superseded_by",
    "depends_on",
    "waiting_on",
    "next_steps",
]


@pytest.fixture
def action(officer):
    action = ActionFactory(
        recommendation__theme__challenge__council__name="Anytown Council",
        recommendation__number=10,
        recommendation__theme__number=2,
        recommendation__theme__title="Governance",
        reference="10.2",
        description="Train staff on report writing",
        lead_role="Monitoring Officer",
        lead_officer=officer,
        timescale="Q2 2024/25",
        due_date=datetime.date(2024, 9, 30),
        status=Status.NOT_STARTED,  # no update of its own: the two below are its whole record
    )
    ProgressUpdateFactory(
        action=action, date=datetime.date(2024, 5, 1), status=Status.ON_TRACK, text="Two sessions held"
    )
    ProgressUpdateFactory(
        action=action,
        date=datetime.date(2024, 6, 1),
        status=Status.OFF_TRACK,
        text="Unpublished: trainer off sick",
        published=False,
    )
    action.refresh_from_db()
    assert (action.status, action.public_status) == (Status.OFF_TRACK, Status.ON_TRACK)  # staff's and public's
    return action


def get_json(client, challenge):
    response = client.get(reverse("reports:open-data-json", args=[challenge.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def get_csv(client, challenge):
    response = client.get(reverse("reports:open-data-csv", args=[challenge.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8")))), response


def test_columns_are_the_documented_ones():
    assert COLUMN_NAMES == DOCUMENTED
    assert all(column.description for column in COLUMNS)


def test_json_validates_against_the_documented_columns(client, action):
    document = get_json(client, action.recommendation.challenge)

    assert [c["name"] for c in document["columns"]] == DOCUMENTED
    assert {c["type"] for c in document["columns"]} <= {"string", "integer", "date"}
    assert len(document["rows"]) == 1
    row = document["rows"][0]
    assert list(row) == DOCUMENTED
    types = {"string": str, "integer": int, "date": str}
    for column in document["columns"]:
        value = row[column["name"]]
        assert value is None or isinstance(value, types[column["type"]]), column["name"]
        if column["type"] == "date" and value:
            datetime.date.fromisoformat(value)
    assert row == {
        "council": "Anytown Council",
        "challenge": "Corporate Peer Challenge",
        "theme_number": 2,
        "theme": "Governance",
        "recommendation_number": 10,
        "recommendation": action.recommendation.title,
        "action_reference": "10.2",
        "action": "Train staff on report writing",
        "lead_role": "Monitoring Officer",
        "lead": "Monitoring Officer",
        "timescale": "Q2 2024/25",
        "due_date": "2024-09-30",
        "status": "On track",
        "latest_published_update_date": "2024-05-01",
        "latest_published_update": "Two sessions held",
        "recommendation_response": "Not yet recorded",
        "recommendation_response_reason": "",
        "recommendation_response_agreed_by": "",
        "recommendation_response_agreed_on": None,
        "also_answers": "",
        "planned_start": None,
        "actual_start": None,
        "actual_completion": None,
        "days_late": (timezone.localdate() - datetime.date(2024, 9, 30)).days,  # on track, but past its due date
        "closure_reason": "",
        "superseded_by": "",
        "depends_on": "",
        "waiting_on": "",
        "next_steps": "",
    }


def test_json_carries_the_licence_and_the_date_of_the_data(client, action):
    document = get_json(client, action.recommendation.challenge)

    assert document["licence"] == LICENCE == "Open Government Licence v3.0"
    assert document["licence_url"] == LICENCE_URL
    assert document["data_date"] == "2024-05-01", "the newest published update, not the unpublished one"
    datetime.datetime.fromisoformat(document["generated_at"])


def test_csv_has_a_header_row_of_the_documented_columns_and_the_same_rows(client, action):
    rows, response = get_csv(client, action.recommendation.challenge)

    assert list(rows[0]) == DOCUMENTED
    assert rows == [
        {k: "" if v is None else str(v) for k, v in row.items()}
        for row in get_json(client, action.recommendation.challenge)["rows"]
    ]
    assert f'<{LICENCE_URL}>; rel="license"' in response["Link"]
    assert response["X-Data-Date"] == "2024-05-01"


def test_an_unpublished_update_is_absent_everywhere(client, action):
    challenge = action.recommendation.challenge
    rows, response = get_csv(client, challenge)
    json_text = client.get(reverse("reports:open-data-json", args=[challenge.slug])).content.decode()

    for text in (response.content.decode(), json_text):
        assert "trainer off sick" not in text
        assert "2024-06-01" not in text
    assert [row["status"] for row in rows] == ["On track"], "an unpublished update's status is not published either"
    assert [row["status"] for row in json.loads(json_text)["rows"]] == ["On track"]
    assert action.progress_updates.filter(published=False).exists()


def test_lead_officers_names_are_not_published_unless_the_challenge_publishes_them(client, action, officer):
    challenge = action.recommendation.challenge
    for url in ("reports:open-data-json", "reports:open-data-csv", "reports:updates-feed"):
        text = client.get(reverse(url, args=[challenge.slug])).content.decode()
        assert officer.first_name not in text and officer.get_full_name() not in text
        assert f'"{officer.username}"' not in text and officer.email not in text
    page = html.unescape(client.get(reverse("reports:open-data", args=[challenge.slug])).content.decode())
    assert "Officers' names are not published" in page

    challenge.publish_lead_names = True
    challenge.save()

    rows, _ = get_csv(client, challenge)
    assert [(row["lead_role"], row["lead"]) for row in rows] == [
        ("Monitoring Officer", "Olivia Officer (Monitoring Officer)")
    ]
    assert get_json(client, challenge)["rows"][0]["lead"] == "Olivia Officer (Monitoring Officer)"
    assert officer.email not in get_csv(client, challenge)[1].content.decode()
    page = html.unescape(client.get(reverse("reports:open-data", args=[challenge.slug])).content.decode())
    assert "The council publishes lead officers' names" in page


def test_an_action_without_a_lead_says_so():
    action = ActionFactory(lead_officer=None, lead_role="")

    assert status_rows(action.recommendation.challenge)[0]["lead"] == "Not yet assigned"


def test_open_data_gives_each_actions_public_status_as_its_page_does(client):
    """One rule (recommendations.publication) for every public output: status.csv and status.json give
    the action's public status, the status its page shows, whatever the council's staff see."""
    nothing_published = ActionFactory(status=Status.NOT_STARTED, reference="1.1")
    ProgressUpdateFactory(action=nothing_published, status=Status.COMPLETE, published=False)
    recommendation = nothing_published.recommendation
    newer_draft = ActionFactory(recommendation=recommendation, reference="1.2", status=Status.NOT_STARTED)
    ProgressUpdateFactory(action=newer_draft, date=datetime.date(2024, 5, 1), status=Status.ON_TRACK)
    ProgressUpdateFactory(action=newer_draft, date=datetime.date(2024, 6, 1), status=Status.OFF_TRACK, published=False)
    awaiting = ActionFactory(recommendation=recommendation, reference="1.3", status=Status.NOT_STARTED)
    ProgressUpdateFactory(action=awaiting, status=Status.AT_RISK, published=False, approval=Approval.AWAITING)
    challenge = recommendation.challenge
    actions = [nothing_published, newer_draft, awaiting]
    for action in actions:
        action.refresh_from_db()

    rows, _ = get_csv(client, challenge)
    document = get_json(client, challenge)

    public = [Status(action.public_status).label for action in actions]
    assert public == ["Not started", "On track", "Not started"]
    assert [action.published_status.label for action in actions_with_public_status(challenge)] == public
    assert [row["status"] for row in rows] == public
    assert [row["status"] for row in document["rows"]] == public
    assert [Status(action.status).label for action in actions] == ["Complete", "Off track", "Not started"]
    for action, label in zip(actions, public):
        page = client.get(action.get_absolute_url()).content.decode()
        assert f">{label}</strong>" in page, f"action {action.reference}'s page shows its public status"
        working = Status(action.status).label
        assert working == label or f">{working}</strong>" not in page
    assert document["rows"][0]["latest_published_update_date"] is None
    assert document["data_date"] == "2024-05-01"


def test_with_nothing_published_every_action_is_not_started_and_the_data_is_of_today(client):
    action = ActionFactory(status=Status.NOT_STARTED)
    ProgressUpdateFactory(action=action, status=Status.COMPLETE, published=False)

    document = get_json(client, action.recommendation.challenge)

    assert [row["status"] for row in document["rows"]] == ["Not started"]
    assert document["data_date"] == timezone.localdate().isoformat()


def test_csv_text_cannot_run_as_a_formula_and_json_keeps_it_as_written(client, action):
    action.description = '=HYPERLINK("https://example.com","Click me")'
    action.lead_role = "@Comms"
    action.timescale = "-5 days"
    action.save()
    action.progress_updates.filter(published=True).update(text="+5 members trained")
    challenge = action.recommendation.challenge

    row = get_csv(client, challenge)[0][0]
    json_row = get_json(client, challenge)["rows"][0]

    assert (row["action"], row["lead_role"], row["lead"], row["timescale"], row["latest_published_update"]) == (
        '\'=HYPERLINK("https://example.com","Click me")',
        "'@Comms",
        "'@Comms",
        "'-5 days",
        "'+5 members trained",
    )
    assert (json_row["action"], json_row["lead_role"], json_row["timescale"], json_row["latest_published_update"]) == (
        '=HYPERLINK("https://example.com","Click me")',
        "@Comms",
        "-5 days",
        "+5 members trained",
    )
    assert (row["recommendation_number"], row["due_date"]) == ("10", "2024-09-30")


def test_only_this_challenges_actions(client, action):
    ActionFactory(description="Someone else's action")

    document = get_json(client, action.recommendation.challenge)

    assert [row["action"] for row in document["rows"]] == ["Train staff on report writing"]


def test_open_data_page_documents_columns_licence_date_and_links(client, action):
    challenge = action.recommendation.challenge

    page = client.get(reverse("reports:open-data", args=[challenge.slug])).content.decode()

    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in page
    assert LICENCE in page and f'href="{LICENCE_URL}"' in page
    assert "2024-05-01" in page
    for name in ("reports:open-data-csv", "reports:open-data-json", "reports:updates-feed"):
        assert f'href="{reverse(name, args=[challenge.slug])}"' in page


def test_public_pages_link_to_the_open_data_and_the_feed(client):
    challenge = ActionFactory().recommendation.challenge
    links = [
        reverse(name, args=[challenge.slug])
        for name in ("reports:open-data", "reports:open-data-csv", "reports:open-data-json", "reports:updates-feed")
    ]

    for url in ("/", challenge.get_absolute_url(), challenge.themes.first().get_absolute_url()):
        page = client.get(url).content.decode()
        for link in links:
            assert f'href="{link}"' in page, f"{url} has no link to {link}"


def test_stable_addresses():
    challenge = PeerChallengeFactory.build(slug="stockport-cpc-2022")

    assert (
        reverse("reports:open-data-csv", args=[challenge.slug]) == "/challenges/stockport-cpc-2022/open-data/status.csv"
    )
    assert (
        reverse("reports:open-data-json", args=[challenge.slug])
        == "/challenges/stockport-cpc-2022/open-data/status.json"
    )
    assert reverse("reports:updates-feed", args=[challenge.slug]) == "/challenges/stockport-cpc-2022/updates.atom"
