"""The CPC clock as open data (reports/clock_data.py): one challenge's milestones and every
challenge's, in CSV and JSON, saying what the challenge page says."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from recommendations import clock
from recommendations.models import CouncilKind, DatePrecision, PeerChallenge, Region
from recommendations.tests.factories import CouncilFactory, PeerChallengeFactory
from recommendations.tests.queries import count_queries
from recommendations.tests.test_clock_pages import clock_rows
from reports.clock_data import COLUMN_NAMES, COLUMNS
from reports.open_data import LICENCE, LICENCE_URL
from reviews.tests.factories import ProgressReviewFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DOCUMENTED = [
    "council",
    "council_type",
    "region",
    "challenge",
    "challenge_title",
    "last_day_on_site",
    "milestone",
    "rule",
    "due",
    "happened",
    "precision",
    "from_progress_review",
    "state",
    "days",
    "state_words",
]


@pytest.fixture
def stockport():
    call_command("loaddata", "stockport_cpc", verbosity=0)
    return PeerChallenge.objects.get(slug="stockport-cpc-2022")


def get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def get_csv(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8")))), response


def challenge_url(name, challenge):
    return reverse(f"reports:open-data-milestones-{name}", args=[challenge.slug])


def test_columns_are_the_documented_ones():
    assert COLUMN_NAMES == DOCUMENTED
    assert all(column.description for column in COLUMNS)


def test_stockports_milestones_as_json(client, stockport):
    document = get_json(client, challenge_url("json", stockport))

    assert document["council"] == "Stockport Metropolitan Borough Council"
    assert document["licence"] == LICENCE and document["licence_url"] == LICENCE_URL
    assert document["data_date"] == timezone.localdate().isoformat()
    assert [c["name"] for c in document["columns"]] == DOCUMENTED
    rows = document["rows"]
    assert [list(row) for row in rows] == [DOCUMENTED] * 4
    assert rows[0] | {"days": None, "state_words": None} == {
        "council": "Stockport Metropolitan Borough Council",
        "council_type": "Metropolitan borough (metropolitan district)",
        "region": "North West",
        "challenge": "stockport-cpc-2022",
        "challenge_title": stockport.title,
        "last_day_on_site": "2022-11-04",
        "milestone": "Feedback report published",
        "rule": "Within 3 months of the challenge",
        "due": "2023-02-04",
        "happened": "2023-02-01",
        "precision": "month",
        "from_progress_review": False,
        "state": "In the month it was due",
        "days": None,
        "state_words": None,
    }
    assert [
        (row["milestone"], row["happened"], row["precision"], row["from_progress_review"], row["state"]) for row in rows
    ] == [
        ("Feedback report published", "2023-02-01", "month", False, "In the month it was due"),
        ("Action plan published", "2023-02-01", "month", False, "Met"),
        ("Progress review on site", "2023-10-16", "day", True, "Met"),
        ("Progress review report published", None, "", False, "Not recorded"),
    ]
    assert rows[3]["days"] == (timezone.localdate() - D(2023, 11, 4)).days


def test_the_csv_has_the_same_rows_as_the_json(client, stockport):
    rows, response = get_csv(client, challenge_url("csv", stockport))

    expected = [
        {k: "" if v is None else ("true" if v is True else "false" if v is False else str(v)) for k, v in row.items()}
        for row in get_json(client, challenge_url("json", stockport))["rows"]
    ]
    assert rows == expected
    assert f'<{LICENCE_URL}>; rel="license"' in response["Link"]
    assert reverse("reports:open-data", args=[stockport.slug]) in response["Link"]
    assert response["X-Data-Date"] == timezone.localdate().isoformat()
    assert response["Access-Control-Allow-Origin"] == "*"


def test_every_challenges_milestones_in_one_file(client, stockport):
    other = PeerChallengeFactory(
        council=CouncilFactory(name="Anytown Council", kind=CouncilKind.COUNTY, region=Region.EAST),
        on_site_from=D(2024, 3, 4),
        on_site_to=D(2024, 3, 7),
        plan_published_on=D(2024, 5, 20),
    )

    document = get_json(client, reverse("reports:all-milestones-json"))
    rows, _ = get_csv(client, reverse("reports:all-milestones-csv"))

    assert [(row["challenge"], row["milestone"]) for row in document["rows"]] == [
        (challenge.slug, rule.name) for challenge in (other, stockport) for rule in clock.RULES
    ]
    assert "council" not in document
    anytown = document["rows"][1]
    assert (anytown["council_type"], anytown["region"], anytown["happened"], anytown["state"]) == (
        "County council",
        "East of England",
        "2024-05-20",
        "Met",
    )
    assert len(rows) == 8


def test_an_unknown_challenge_is_not_found(client):
    assert client.get(reverse("reports:open-data-milestones-csv", args=["no-such-challenge"])).status_code == 404


def test_the_open_data_page_documents_the_files_and_their_columns(client, stockport):
    response = client.get(reverse("reports:open-data", args=[stockport.slug]))
    text = response.content.decode()

    assert challenge_url("csv", stockport) in text and challenge_url("json", stockport) in text
    assert reverse("reports:all-milestones-csv") in text
    for name in DOCUMENTED:
        assert f"<code>{name}</code>" in text


def test_the_files_ask_the_same_queries_however_many_challenges(client, stockport):
    urls = [
        challenge_url("csv", stockport),
        challenge_url("json", stockport),
        reverse("reports:all-milestones-csv"),
        reverse("reports:all-milestones-json"),
    ]
    few = [count_queries(client, url) for url in urls]
    for n in range(6):
        ProgressReviewFactory(challenge=PeerChallengeFactory(council=CouncilFactory(name=f"Council {n}")))
    many = [count_queries(client, url) for url in urls]
    assert many == few
    assert max(many) <= 1  # the challenges, with their councils and first progress reviews


@pytest.mark.parametrize("today_offset", [0, 40, 400, 4000])
def test_the_challenge_page_and_open_data_say_the_same_state_for_each_milestone(client, today_offset):
    """Parity: whatever the dates, the page's state and the files' state come from the one rule."""
    today = timezone.localdate()
    on_site_to = today - datetime.timedelta(days=today_offset)
    challenge = PeerChallengeFactory(
        on_site_from=on_site_to - datetime.timedelta(days=3),
        on_site_to=on_site_to,
        report_published_on=min(today, on_site_to + datetime.timedelta(days=60)).replace(day=1),
        report_published_precision=DatePrecision.MONTH,
        plan_published_on=min(today, on_site_to + datetime.timedelta(days=170)),
    )
    if today_offset > 300:
        ProgressReviewFactory(challenge=challenge, on_site=on_site_to + datetime.timedelta(days=300))

    page_rows = clock_rows(client.get(challenge.get_absolute_url()))
    file_rows = get_json(client, challenge_url("json", challenge))["rows"]

    assert [row[0] for row in page_rows] == [row["milestone"] for row in file_rows]
    assert [row[4] for row in page_rows] == [row["state_words"] for row in file_rows]
    states = {state.label for state in clock.State}
    for page_row, file_row in zip(page_rows, file_rows, strict=True):
        assert file_row["state"] in states
        assert page_row[2] == f"{D.fromisoformat(file_row['due']):%-d %B %Y}"
