"""Reading an LG Inform CSV download and checking its rows (reviews.indicator_import): no database.
The pages that upload, preview and confirm are tested in test_indicator_import_views.py."""

import datetime
from decimal import Decimal

import pytest

from reviews.indicator_import import (
    MAX_FILE_BYTES,
    MAX_VALUES,
    FileProblem,
    check_rows,
    default_area,
    parse_value,
    read_values_file,
)

LONG = """area code,area name,period,value
E08000007,Stockport,2021/22,96.9
E08000007,Stockport,2022/23,97.6
E08000001,Bolton,2022/23,95.1
"""

# The periods across the page, as LG Inform's API's CSV gives them, after a title line.
WIDE = """Council tax collection rate
area,area label,area long label,2021/22,2022/23
E08000007,Stockport,Stockport Metropolitan Borough Council,96.9,97.6
E08000001,Bolton,Bolton Metropolitan Borough Council,95.0,95.1
"""


def read(text):
    return read_values_file(text.encode("utf-8"))


def check(text, *, areas=("Stockport",), metrics=("2013",), existing=None):
    return check_rows(read(text), areas=areas, metrics=metrics, existing=existing or {})


def test_one_row_per_area_and_period():
    file = read(LONG)
    assert file.layout == "long"
    assert [(row.line, row.area, row.period, row.value) for row in file.rows] == [
        (2, "Stockport", "2021/22", "96.9"),
        (3, "Stockport", "2022/23", "97.6"),
        (4, "Bolton", "2022/23", "95.1"),
    ]


def test_a_column_per_period_after_a_title_line():
    file = read(WIDE)
    assert file.layout == "wide"
    assert [(row.line, row.period, row.value) for row in file.rows if row.area.startswith("Stockport")] == [
        (3, "2021/22", "96.9"),
        (3, "2022/23", "97.6"),
    ]


def test_excel_saves_with_a_byte_order_mark_or_in_windows_latin():
    assert read_values_file(("\ufeff" + LONG).encode("utf-8")).layout == "long"
    latin = "area,period,value,note\nStockport,2022/23,97.6,caf\xe9\n".encode("cp1252")
    assert read_values_file(latin).rows[0].value == "97.6"


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,when,figure\nStockport,2022/23,97.6\n", "no header row naming an area column"),
        ("area,period\nStockport,2022/23\n", "The file has no value column"),
        ("area\nStockport\n", "neither period and value columns nor a column for each period"),
    ],
)
def test_a_file_without_the_columns_is_refused_as_a_whole(text, message):
    with pytest.raises(FileProblem) as problem:
        read(text)
    assert message in str(problem.value)


def test_a_binary_file_is_refused():
    with pytest.raises(FileProblem, match="not a CSV file"):
        read_values_file(b"PK\x03\x04\x00\x00binary")


def test_limits_on_size_and_values():
    with pytest.raises(FileProblem, match="smaller than 1 MB"):
        read_values_file(b"area,period,value\n" + b"x" * MAX_FILE_BYTES)
    rows = "".join(f"Stockport,{2000 + n % 100},1\n" for n in range(MAX_VALUES + 1))
    with pytest.raises(FileProblem, match="more than 5,000 values"):
        read("area,period,value\n" + rows)


@pytest.mark.parametrize(
    "text, value",
    [
        ("97.6", Decimal("97.600")),
        ("97.6%", Decimal("97.600")),
        (" 72 ", Decimal("72.000")),
        ("1,234.5", Decimal("1234.500")),
        ("-3.25", Decimal("-3.250")),
        ("0.12345", Decimal("0.123")),
        ("0.0005", Decimal("0.001")),
        ("", None),
    ],
)
def test_values_as_numbers_to_three_places(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text", ["n/a", "-", "x", "1.2.3", "12,34", "97.6 %%", "1e5", "100000000000"])
def test_values_that_are_not_numbers(text):
    with pytest.raises(ValueError):
        parse_value(text)


def test_the_councils_area_is_its_name_without_council_words():
    assert default_area("Stockport Metropolitan Borough Council") == "Stockport"
    assert default_area("Anytown Council") == "Anytown"
    assert default_area("The Royal Borough of Kensington and Chelsea") == "Royal Borough of Kensington and Chelsea"
    assert default_area("Bristol City Council") == "Bristol"


def test_preview_says_what_is_added_and_changed_and_reports_other_areas():
    existing = {datetime.date(2021, 4, 1): (Decimal("96.5"), "2021/22")}
    preview = check(LONG, existing=existing)
    assert preview.is_clean and preview.has_changes
    assert [(c.period, c.old, c.value) for c in preview.changed] == [("2021/22", Decimal("96.5"), Decimal("96.9"))]
    assert [(c.period, c.start, c.value) for c in preview.added] == [
        ("2022/23", datetime.date(2022, 4, 1), Decimal("97.6"))
    ]
    assert preview.other_areas == {"Bolton": 1}
    assert preview.summary == "1 new value and 1 value changed"


def test_the_area_matches_by_code_or_name_without_case():
    assert check(LONG, areas=("e08000007",)).matched == 2
    assert check(WIDE, areas=("STOCKPORT",)).matched == 2
    assert check(WIDE, areas=("Nowhere",)).matched == 0


def test_the_same_values_again_change_nothing():
    existing = {
        datetime.date(2021, 4, 1): (Decimal("96.900"), "2021/22"),
        datetime.date(2022, 4, 1): (Decimal("97.600"), "2022/23"),
    }
    preview = check(LONG, existing=existing)
    assert preview.is_clean and not preview.has_changes and preview.unchanged == 2


def test_a_recorded_period_without_a_figure_gets_one():
    preview = check(LONG, existing={datetime.date(2022, 4, 1): (None, "At the progress review, October 2023")})
    assert [(c.period, c.old, c.value) for c in preview.changed] == [
        ("At the progress review, October 2023", None, Decimal("97.600"))
    ]


def test_every_bad_row_is_named_and_nothing_would_be_imported():
    text = (
        "area,period,value\n"
        "Stockport,2021/22,96.9\n"
        "Stockport,2022/23,n/a\n"  # row 3
        "Stockport,Smarch 2023,1\n"  # row 4
        "Stockport,,2\n"  # row 5
        "Stockport,Apr 2021 - Mar 2022,3\n"  # row 6: the same period as row 2
        "Stockport,2020/21,\n"  # row 7: no value, skipped
    )
    preview = check(text)
    assert not preview.is_clean
    assert preview.errors == [
        "Row 3: the value 'n/a' is not a number",
        "Row 4: 'Smarch 2023' is not a period we can read: 'Smarch' is not a month. Write 2022/23 (a financial "
        "year), Q2 2023/24 (a quarter of one), 2023 (a calendar year), September 2023 or 2023-09 (a month) or "
        "31 March 2023 (a day)",
        "Row 5: the period is empty",
        "Row 6: 'Apr 2021 - Mar 2022' is the same period as '2021/22' in row 2: give each period once",
    ]
    assert preview.empty == 1


def test_wide_errors_name_the_row_and_the_period():
    text = "area,2021/22,2022/23\nStockport,96.9,n/a\n"
    assert check(text).errors == ["Row 2 (2022/23): the value 'n/a' is not a number"]


def test_rows_for_another_metric_are_reported_not_imported():
    text = "metric id,area,period,value\n2013,Stockport,2022/23,97.6\n9613,Stockport,2022/23,2.8\n"
    preview = check(text, metrics=("2013", "Council Tax collection rate"))
    assert [c.value for c in preview.added] == [Decimal("97.600")]
    assert preview.other_metrics == {"9613": 1}


def test_the_fingerprint_changes_when_what_would_be_imported_changes():
    before = check(LONG).fingerprint
    assert check(LONG).fingerprint == before
    assert check(LONG, existing={datetime.date(2021, 4, 1): (Decimal("1"), "2021/22")}).fingerprint != before


def test_an_empty_cell_is_skipped_whatever_its_column_is_headed():
    text = "area,2021/22,Notes\nStockport,96.9,\n"
    preview = check(text)
    assert preview.is_clean and preview.empty == 1 and len(preview.added) == 1
