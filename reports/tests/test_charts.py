"""Charts: well-formed SVG with a title and description, labels in text, and a table of the same figures;
and every page that shows a chart shows that table."""

import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from recommendations.models import DROPPED_STATUSES, Status
from recommendations.tests.factories import build_challenge
from reports import charts
from reviews.tests.factories import IndicatorFactory, build_review

from .factories import CUT_OFF, issued_report, plan_with_history

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    root = ET.fromstring(str(chart.svg))
    assert root.get("role") == "img"
    labelled_by = root.get("aria-labelledby").split()
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert [ids[i].tag for i in labelled_by] == [f"{SVG}title", f"{SVG}desc"]
    return root


def texts(root):
    return [element.text for element in root.iter(f"{SVG}text")]


class TestStatusBars:
    rows = [
        (
            "Theme 1: Governance",
            [
                (Status.NOT_STARTED, 0),
                (Status.ON_TRACK, 2),
                (Status.AT_RISK, 1),
                (Status.OFF_TRACK, 0),
                (Status.COMPLETE, 3),
            ],
        ),
        (
            "Theme 2: Internal Processes",
            [
                (Status.NOT_STARTED, 1),
                (Status.ON_TRACK, 0),
                (Status.AT_RISK, 0),
                (Status.OFF_TRACK, 1),
                (Status.COMPLETE, 0),
            ],
        ),
    ]

    def test_each_bar_is_labelled_in_words_not_colour_alone(self):
        root = parse(charts.status_bars(self.rows, title="Actions by status"))

        labels = texts(root)
        assert "2 on track, 1 at risk, 3 complete" in labels
        assert "1 not started, 1 off track" in labels
        assert "Theme 1: Governance (6 actions)" in labels
        kept = [status for status in Status if status not in DROPPED_STATUSES]
        assert all(status.label in labels for status in kept), "a legend names every status actions are in"
        assert "Superseded" not in labels, "closing states no action is in are left out of the legend"
        patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
        assert patterns == {"chart-at_risk", "chart-off_track"}

    def test_dropped_actions_get_their_own_segment_legend_and_column_when_there_are_some(self):
        rows = [*self.rows, ("Theme 3: Transformation", [(Status.COMPLETE, 1), (Status.SUPERSEDED, 2)])]

        chart = charts.status_bars(rows, title="Actions by status")

        labels = texts(parse(chart))
        assert "Superseded" in labels and "Will not be taken forward" not in labels
        assert "1 complete, 2 superseded" in labels
        assert chart.table.head[-2:] == ["Superseded", "Total"]
        assert chart.table.rows[-1] == ["All themes", 1, 2, 1, 1, 4, 2, 11]

    def test_rows_stored_before_the_closing_states_existed_still_draw(self):
        """An issued report's snapshot counts five statuses: the chart reads them as they are."""
        old_rows = [
            ("Theme 1", [("not_started", 1), ("on_track", 0), ("at_risk", 0), ("off_track", 0), ("complete", 2)])
        ]

        chart = charts.status_bars(old_rows, title="Actions by status")

        assert chart.table.rows == [["Theme 1", 1, 0, 0, 0, 2, 3]]

    def test_segments_are_in_proportion(self):
        root = parse(charts.status_bars(self.rows[:1], title="Actions by status", chart_id="c"))

        widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect") if rect.get("y") == "56"]
        assert widths == [640, round(640 * 2 / 6, 2), round(640 / 6, 2), round(640 * 3 / 6, 2)]

    def test_table_has_the_same_figures_and_a_total_row(self):
        table = charts.status_bars(self.rows, title="Actions by status").table

        assert table.head == ["Theme", "Not started", "On track", "At risk", "Off track", "Complete", "Total"]
        assert table.rows == [
            ["Theme 1: Governance", 0, 2, 1, 0, 3, 6],
            ["Theme 2: Internal Processes", 1, 0, 0, 1, 0, 2],
            ["All themes", 1, 2, 1, 1, 3, 8],
        ]

    def test_titles_are_escaped(self):
        chart = charts.status_bars([("<script>alert(1)</script> & co", [(Status.ON_TRACK, 1)])], title="A < B")

        assert "<script>" not in str(chart.svg)
        parse(chart)


class TestCumulativeUpdates:
    def test_running_total_by_month_and_its_table(self):
        months = [(datetime.date(2023, 10, 1), 39), (datetime.date(2024, 1, 1), 2)]

        chart = charts.cumulative_updates(months, title="Updates", until=datetime.date(2024, 3, 1))

        root = parse(chart)
        assert "41 updates" in texts(root)
        assert len(list(root.iter(f"{SVG}circle"))) == 2
        assert chart.table.rows == [["October 2023", 39, 39], ["January 2024", 2, 41]]
        assert "none before October 2023, 41 by March 2024" in chart.description

    def test_no_updates_no_chart(self):
        assert charts.cumulative_updates([], title="Updates", until=datetime.date(2024, 3, 1)) is None


class TestIndicatorBars:
    def test_only_indicators_with_both_numbers_are_drawn(self):
        indicators = [
            {
                "name": "Council Tax collection rate",
                "value": Decimal("97.6"),
                "unit": "%",
                "comparator_value": Decimal("94.0"),
                "comparator_label": "National average",
            },
            {"name": "NEET", "value": Decimal("2.8"), "unit": "%", "comparator_value": None, "comparator_label": ""},
            {
                "name": "Looked After Children",
                "value": "72.0",
                "unit": "per 10,000",
                "comparator_value": "95.0",
                "comparator_label": "National average",
            },
        ]

        chart = charts.indicator_bars(indicators, council="Stockport")

        root = parse(chart)
        assert "Stockport: 97.6%" in texts(root) and "National average: 94%" in texts(root)
        assert "NEET" not in texts(root)
        assert chart.table.rows == [
            ["Council Tax collection rate", "97.6%", "National average", "94%"],
            ["Looked After Children", "72 per 10,000", "National average", "95 per 10,000"],
        ]

    def test_none_when_nothing_compares(self):
        assert (
            charts.indicator_bars(
                [{"name": "x", "value": 1, "unit": "", "comparator_value": None, "comparator_label": ""}],
                council="Stockport",
            )
            is None
        )


class ChartTables(HTMLParser):
    """Each inline SVG chart on a page and the table that follows it, with its caption and header scopes."""

    def __init__(self):
        super().__init__()
        self.charts, self.tables, self.in_caption = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg" and attrs.get("role") == "img":
            self.charts.append(attrs)
        elif tag == "table":
            self.tables.append({"after_chart": len(self.charts), "caption": "", "scopes": []})
        elif tag == "caption":
            self.in_caption = True
        elif tag == "th" and self.tables:
            self.tables[-1]["scopes"].append(attrs.get("scope"))

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False

    def handle_data(self, data):
        if self.in_caption:
            self.tables[-1]["caption"] += data


def assert_every_chart_has_a_table(html, expected_charts):
    parser = ChartTables()
    parser.feed(html)
    assert len(parser.charts) == expected_charts
    for number in range(1, expected_charts + 1):
        following = [t for t in parser.tables if t["after_chart"] == number]
        assert following, f"chart {number} has no table after it"
        assert following[0]["caption"].strip()
        assert set(following[0]["scopes"]) <= {"col", "row"} and None not in following[0]["scopes"]
    assert len(set(re.findall(r'id="(chart-\d+)-title"', html))) == expected_charts, "chart ids are unique"


@pytest.mark.django_db
class TestPagesWithCharts:
    def test_home_and_challenge_and_theme_pages(self, client):
        challenge = build_challenge(themes=2)
        build_challenge(themes=1)

        assert_every_chart_has_a_table(client.get("/").content.decode(), expected_charts=4)
        assert_every_chart_has_a_table(client.get(challenge.get_absolute_url()).content.decode(), expected_charts=1)
        assert_every_chart_has_a_table(
            client.get(challenge.themes.first().get_absolute_url()).content.decode(), expected_charts=1
        )

    def test_review_page_charts_its_indicators(self, client):
        review = build_review(build_challenge(), indicators=0)
        IndicatorFactory(
            review=review, value=Decimal("97.6"), comparator_value=Decimal("94"), comparator_label="National average"
        )

        html = client.get(review.get_absolute_url()).content.decode()

        assert_every_chart_has_a_table(html, expected_charts=1)
        assert "National average: 94%" in html

    def test_report_has_all_three_charts_with_tables_shown(self, client, coordinator):
        plan = plan_with_history()
        report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)

        html = client.get(report.get_absolute_url()).content.decode()

        assert_every_chart_has_a_table(html, expected_charts=3)
        assert "govuk-details" not in html, "in a report the tables are shown, not folded away"
        for caption in [
            "Actions by status in each theme, at the cut-off date",
            "Published progress updates over time, to the cut-off date",
            "LG Inform indicators against their comparators",
        ]:
            assert caption in html
