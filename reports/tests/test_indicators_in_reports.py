"""Public indicators in committee reports and open data (reports.indicator_data): their figures to
the cut-off, the direction of travel in words and symbol, internal indicators never shown, reports
issued before indicators had figures over time still shown as they were, and the documented files."""

import copy
import csv
import datetime
import io
import json
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from recommendations.tests.queries import count_queries
from recommendations.tests.tasks import run_tasks
from reports.indicator_data import COLUMN_NAMES, COLUMNS, indicator_entries
from reports.models import CommitteeReport
from reports.snapshot import build_snapshot, readable
from reviews.models import Polarity
from reviews.tests.factories import IndicatorFactory, IndicatorValueFactory, add_values

from .factories import CUT_OFF, issued_report, plan_with_history

pytestmark = pytest.mark.django_db

INTERNAL = "Staff sickness days internal-k2m9"


def figures(indicator, *pairs):
    """Figures for (period start, value) pairs, each period written as its month."""
    for start, value in pairs:
        IndicatorValueFactory(
            indicator=indicator,
            period_start=start,
            period=f"{start:%B %Y}",
            value=None if value is None else Decimal(str(value)),
        )


@pytest.fixture
def plan():
    plan = plan_with_history()
    challenge = plan.challenge
    plan.neet = IndicatorFactory(
        challenge=challenge, name="NEET", unit="%", polarity=Polarity.LOWER, public=True, order=2, source_id="9613"
    )
    figures(
        plan.neet,
        (datetime.date(2023, 12, 1), 3.1),
        (datetime.date(2024, 1, 1), 2.8),
        (datetime.date(2024, 4, 1), 9.9),  # after the cut-off
    )
    plan.internal = IndicatorFactory(challenge=challenge, name=INTERNAL, public=False, order=3)
    figures(plan.internal, (datetime.date(2024, 1, 1), 7), (datetime.date(2024, 2, 1), 5))
    recommendation = plan.first
    plan.neet.recommendations.set([recommendation])
    plan.neet.themes.set([recommendation.theme])
    return plan


def test_a_report_has_the_public_indicators_with_their_figures_to_the_cut_off(plan):
    snapshot = build_snapshot(challenge=plan.challenge, cut_off=CUT_OFF)

    names = [indicator["name"] for indicator in snapshot["indicators"]]
    assert names == ["Council Tax collection rate", "NEET"]
    neet = snapshot["indicators"][1]
    assert [(v["period"], v["figure"]) for v in neet["values"]] == [("December 2023", "3.1%"), ("January 2024", "2.8%")]
    assert (neet["recommendations"], neet["themes"]) == ([1], [1])
    assert neet["direction"]["words"] == "Improving" and neet["direction"]["symbol"] == "▼"
    assert neet["direction"]["sentence"] == (
        "Improving: down from 3.1% (December 2023) to 2.8% (January 2024); lower is better"
    )
    assert INTERNAL not in json.dumps(snapshot)
    assert json.loads(json.dumps(snapshot)) == snapshot


@pytest.mark.parametrize(
    "polarity, numbers, words, symbol",
    [
        (Polarity.HIGHER, (94, 97.6), "Improving", "▲"),
        (Polarity.HIGHER, (97.6, 94), "Worsening", "▼"),
        (Polarity.LOWER, (95, 72), "Improving", "▼"),
        (Polarity.LOWER, (72, 95), "Worsening", "▲"),
        (Polarity.LOWER, (72, 72), "No change", "■"),
    ],
)
def test_the_issued_report_shows_the_direction_of_travel_in_words_and_symbol(
    client, coordinator, polarity, numbers, words, symbol
):
    plan = plan_with_history()
    indicator = IndicatorFactory(challenge=plan.challenge, name="Measured", polarity=polarity, public=True)
    figures(indicator, (datetime.date(2024, 1, 1), numbers[0]), (datetime.date(2024, 2, 1), numbers[1]))
    report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)

    html = client.get(report.get_absolute_url()).content.decode()

    assert (
        f'<span class="app-direction__symbol" aria-hidden="true">{symbol}</span> {words}'
        '<span class="govuk-visually-hidden">'
    ) in html
    assert "Measured: figures over time, to the cut-off date" in html


def test_internal_indicators_are_never_in_a_report_its_pdf_or_open_data(client, coordinator, plan, monkeypatch):
    monkeypatch.setattr("reports.prepared.html_to_pdf", lambda html, base_url=None: html.encode("utf-8"))
    report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)
    run_tasks(commit=True)  # its PDF, made by the worker when it is issued
    slug = plan.challenge.slug
    outputs = {
        "report": report.get_absolute_url(),
        "pdf": reverse("reports:report-pdf", args=[report.pk]),
        "open data page": reverse("reports:open-data", args=[slug]),
        "indicators csv": reverse("reports:open-data-indicators-csv", args=[slug]),
        "indicators json": reverse("reports:open-data-indicators-json", args=[slug]),
        "feed": reverse("reports:updates-feed", args=[slug]),
    }
    for signed_in in (None, coordinator):  # whoever asks: these are public outputs
        if signed_in:
            client.force_login(signed_in)
        for name, url in outputs.items():
            response = client.get(url)
            assert response.status_code == 200, name
            assert INTERNAL not in response.content.decode(), name
    assert "NEET" in client.get(outputs["pdf"]).content.decode()


def test_a_report_made_before_indicators_had_figures_over_time_still_shows_what_it_quoted(client, coordinator):
    plan = plan_with_history()
    report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)
    old = copy.deepcopy(report.snapshot)
    old.pop("indicators")
    old["review"]["indicators"] = [  # as reports issued before kept the figures their review quoted
        {
            "name": "Looked After Children",
            "figure": "72 per 10,000",
            "value": "72.0",
            "unit": "per 10,000",
            "comparator": "The fourth lowest levels of Looked After Children",
            "comparator_value": "95.0",
            "comparator_label": "National average",
        }
    ]
    CommitteeReport.objects.filter(pk=report.pk).update(snapshot=old)

    html = client.get(report.get_absolute_url()).content.decode()

    assert "LG Inform indicators" in html and "Performance indicators" not in html
    assert "72 per 10,000" in html and "National average: 95 per 10,000" in html
    assert readable(old)["indicators"] is None


def test_a_report_without_public_indicators_says_so(client, coordinator):
    plan = plan_with_history()
    plan.challenge.indicators.update(public=False)
    report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)
    html = client.get(report.get_absolute_url()).content.decode()
    assert "The council published no indicators by the cut-off date" in html


def test_a_report_stays_within_its_query_budget_as_indicators_grow(django_assert_max_num_queries, plan):
    with CaptureQueriesContext(connection) as few:
        indicator_entries(plan.challenge, CUT_OFF)
    for n in range(8):
        indicator = IndicatorFactory(challenge=plan.challenge, public=True, name=f"Grown {n}")
        indicator.recommendations.set([plan.first, plan.second])
        add_values(indicator, list(range(20)), start=datetime.date(2021, 1, 1))
    with django_assert_max_num_queries(len(few)):
        entries = indicator_entries(plan.challenge, CUT_OFF)
    assert len(entries) == 10 and all(len(e["values"]) == 20 for e in entries[2:])


# Open data ---------------------------------------------------------------------------------------


def get_csv(client, challenge):
    response = client.get(reverse("reports:open-data-indicators-csv", args=[challenge.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def get_json(client, challenge):
    response = client.get(reverse("reports:open-data-indicators-json", args=[challenge.slug]))
    return json.loads(response.content)


def test_columns_are_documented():
    assert all(column.description for column in COLUMNS)
    assert {column.type for column in COLUMNS} <= {"string", "number", "date"}


def test_one_row_for_each_figure_of_each_public_indicator(client, plan):
    rows = get_csv(client, plan.challenge)

    assert list(rows[0]) == COLUMN_NAMES
    assert [(r["indicator"], r["period"], r["value"], r["direction_of_travel"]) for r in rows] == [
        ("Council Tax collection rate", "At the progress review, October 2023", "97.6", ""),
        ("NEET", "December 2023", "3.1", ""),
        ("NEET", "January 2024", "2.8", "Improving"),
        ("NEET", "April 2024", "9.9", "Worsening"),
    ]
    neet = rows[1]
    assert (neet["which_way_is_better"], neet["lg_inform_metric_id"], neet["recommendations"], neet["themes"]) == (
        "Lower is better",
        "9613",
        "1",
        "1",
    )
    assert rows[0]["comparator"] == "National average" and rows[0]["comparator_value"] == "94"


def test_the_json_file_has_the_same_rows_with_numbers_as_numbers(client, plan):
    document = get_json(client, plan.challenge)

    assert [c["name"] for c in document["columns"]] == COLUMN_NAMES
    assert document["licence"] == "Open Government Licence v3.0"
    assert [(r["period"], r["value"]) for r in document["rows"]][:2] == [
        ("At the progress review, October 2023", 97.6),
        ("December 2023", 3.1),
    ]
    assert document["rows"][0]["comparator_value"] == 94
    datetime.date.fromisoformat(document["data_date"])
    assert INTERNAL not in json.dumps(document)


def test_text_cannot_run_as_a_formula(client, plan):
    IndicatorValueFactory(indicator=plan.neet, note="=HYPERLINK(1)", period_start=datetime.date(2024, 5, 1))
    rows = get_csv(client, plan.challenge)
    assert rows[-1]["note"] == "'=HYPERLINK(1)"


def test_the_open_data_page_links_and_documents_the_indicator_files(client, plan):
    html = client.get(reverse("reports:open-data", args=[plan.challenge.slug])).content.decode()
    assert reverse("reports:open-data-indicators-csv", args=[plan.challenge.slug]) in html
    assert reverse("reports:open-data-indicators-json", args=[plan.challenge.slug]) in html
    assert "The council publishes 2 indicators." in html
    for column in COLUMNS:
        assert f"<code>{column.name}</code>" in html


def test_open_data_stays_within_its_query_budget(client, plan):
    urls = [
        reverse(name, args=[plan.challenge.slug])
        for name in ("reports:open-data-indicators-csv", "reports:open-data-indicators-json", "reports:open-data")
    ]
    few = [count_queries(client, url) for url in urls]
    for n in range(8):
        add_values(IndicatorFactory(challenge=plan.challenge, public=True, name=f"Grown {n}"), list(range(20)))
    assert [count_queries(client, url) for url in urls] == few


def test_the_pdf_has_the_indicators_and_their_charts(client, coordinator, plan):
    report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)
    run_tasks(commit=True)  # its PDF, made by the worker when it is issued
    response = client.get(reverse("reports:report-pdf", args=[report.pk]))

    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Performance indicators" in text and "NEET: figures over time, to the cut-off date" in text
    assert "Improving" in text and INTERNAL not in text
