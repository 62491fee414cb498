"""cpc_tracker.charts.indicator_line, the indicator page's chart over time: well-formed SVG with a
title and description, every line told apart by more than colour, a table of the same figures, and
whatever the figures are (none, one, negative, gaps, many)."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from cpc_tracker import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    root = ET.fromstring(str(chart.svg))
    assert root.get("role") == "img"
    ids = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert [ids[i].tag for i in root.get("aria-labelledby").split()] == [f"{SVG}title", f"{SVG}desc"]
    assert ids[f"{root.get('aria-labelledby').split()[1]}"].text == chart.description
    return root


def texts(root):
    return [element.text for element in root.iter(f"{SVG}text")]


def line(periods, **kwargs):
    return charts.indicator_line(periods, title="Council Tax collection rate: figures over time", unit="%", **kwargs)


TAX = [
    ("2021/22", Decimal("95.1"), Decimal("96"), Decimal("94")),
    ("2022/23", None, Decimal("96"), None),
    ("2023/24", Decimal("97.6"), Decimal("97"), Decimal("94.5")),
]


def test_the_figure_target_and_comparator_lines_differ_by_dashes_and_markers_and_are_named():
    chart = line(TAX, comparator_label="National average", summary="Improving: up from 95.1% to 97.6%")

    root = parse(chart)
    labels = texts(root)
    assert ["Figure", "Target", "National average"] == [
        t for t in labels if t in ("Figure", "Target", "National average")
    ]
    paths = list(root.iter(f"{SVG}path"))
    assert sorted(p.get("stroke-dasharray") or "solid" for p in paths) == ["2 4", "9 5", "solid"]
    assert {el.tag for el in root.iter() if el.tag in (f"{SVG}circle", f"{SVG}rect", f"{SVG}polygon")} == {
        f"{SVG}circle",
        f"{SVG}rect",
        f"{SVG}polygon",
    }
    assert "97.6%" in labels, "the latest figure is labelled on the chart"
    assert chart.table.head == ["Period", "Figure", "Target", "National average"]
    assert chart.table.rows == [
        ["2021/22", "95.1%", "96%", "94%"],
        ["2022/23", "No figure", "96%", "No figure"],
        ["2023/24", "97.6%", "97%", "94.5%"],
    ]
    assert chart.description == (
        "Line chart of 2 figures from 2021/22 (95.1%) to 2023/24 (97.6%). Target 97% for 2023/24. "
        "National average 94.5% for 2023/24. Improving: up from 95.1% to 97.6%."
    )
    assert "The line breaks where a period has no figure." in chart.notes


def test_a_gap_breaks_the_line():
    root = parse(line(TAX))
    figure_path = next(p for p in root.iter(f"{SVG}path") if not p.get("stroke-dasharray"))
    assert figure_path.get("d").count("M") == 2 and "L" not in figure_path.get("d")


def test_only_the_lines_there_are_figures_for():
    chart = line([("2022", Decimal(3), None, None), ("2023", Decimal(4), None, None)])

    assert chart.table.head == ["Period", "Figure"]
    assert "Target" not in texts(parse(chart))
    assert chart.notes == ["Periods are spaced evenly, in order, whatever their length."]


@pytest.mark.parametrize("periods", [[], [("2023", None, Decimal(5), Decimal(4))]])
def test_no_chart_without_a_figure(periods):
    assert line(periods) is None


def test_one_figure():
    chart = line([("At the progress review, October 2023", Decimal("97.6"), None, None)])

    parse(chart)
    assert chart.description == "Line chart of 1 figure: 97.6% for At the progress review, October 2023."


def test_negative_figures_get_a_zero_line_and_ticks_below_it():
    chart = line([("Q1", Decimal("-12.5"), None, None), ("Q2", Decimal("3"), None, None)])

    root = parse(chart)
    labels = texts(root)
    assert "0%" in labels and any(label.startswith("-") for label in labels if label.endswith("%"))
    zero = [el for el in root.iter(f"{SVG}line") if el.get("stroke") == charts.TEXT and el.get("x1") != el.get("x2")]
    assert len(zero) >= 2, "the zero line is drawn darker, beside the axis"


def test_many_periods_are_labelled_without_crowding_and_all_are_in_the_table():
    periods = [(f"Month {n}", Decimal(n * n), None, None) for n in range(60)]

    chart = line(periods)

    root = parse(chart)
    period_labels = [t for t in texts(root) if t.startswith("Month")]
    assert 2 <= len(period_labels) <= 8
    assert "Month 59" in period_labels
    assert len(chart.table.rows) == 60
    assert "Lowest 0% (Month 0), highest 3481% (Month 59)" in chart.description


def test_the_same_figure_every_time_still_has_an_axis():
    chart = line([("2022", Decimal(0), None, None), ("2023", Decimal(0), None, None)])

    labels = texts(parse(chart))
    assert "0%" in labels


def test_a_custom_figure_writer():
    chart = charts.indicator_line(
        [("2023", Decimal("1250"), None, None)], title="Tonnes", figure=lambda value: f"{value:,} tonnes"
    )

    assert chart.table.rows == [["2023", "1,250 tonnes"]]
