"""Reading the periods people (and LG Inform) write, and when an indicator's next value is due."""

import datetime

import pytest

from reviews.periods import (
    CALENDAR_QUARTER,
    CALENDAR_YEAR,
    DAY,
    FINANCIAL_QUARTER,
    FINANCIAL_YEAR,
    MONTH,
    SPAN,
    PeriodError,
    latest_finished,
    parse_period,
)

D = datetime.date


@pytest.mark.parametrize(
    "text, start, kind",
    [
        ("2022/23", D(2022, 4, 1), FINANCIAL_YEAR),
        ("2022-23", D(2022, 4, 1), FINANCIAL_YEAR),
        ("2022/2023", D(2022, 4, 1), FINANCIAL_YEAR),
        ("2022–23", D(2022, 4, 1), FINANCIAL_YEAR),
        ("1999/00", D(1999, 4, 1), FINANCIAL_YEAR),
        ("2011-12", D(2011, 4, 1), FINANCIAL_YEAR),  # a year and the next one's digits: a financial year
        ("Q1 2023/24", D(2023, 4, 1), FINANCIAL_QUARTER),
        ("Q2 2023/24", D(2023, 7, 1), FINANCIAL_QUARTER),
        ("Q3 2023/24", D(2023, 10, 1), FINANCIAL_QUARTER),
        ("Q4 2023/24", D(2024, 1, 1), FINANCIAL_QUARTER),
        ("2023/24 Q2", D(2023, 7, 1), FINANCIAL_QUARTER),
        ("Quarter 2 2023/24", D(2023, 7, 1), FINANCIAL_QUARTER),
        ("Q3 2023", D(2023, 7, 1), CALENDAR_QUARTER),
        ("2023 Q1", D(2023, 1, 1), CALENDAR_QUARTER),
        ("2023", D(2023, 1, 1), CALENDAR_YEAR),
        ("September 2023", D(2023, 9, 1), MONTH),
        ("Sep 2023", D(2023, 9, 1), MONTH),
        ("sept 2023", D(2023, 9, 1), MONTH),
        ("2023-09", D(2023, 9, 1), MONTH),
        ("09/2023", D(2023, 9, 1), MONTH),
        ("31 March 2023", D(2023, 3, 31), DAY),
        ("31st Mar 2023", D(2023, 3, 31), DAY),
        ("2023-03-31", D(2023, 3, 31), DAY),
        ("31/03/2023", D(2023, 3, 31), DAY),
        ("Jan - Mar 2023", D(2023, 1, 1), SPAN),
        ("Nov - Jan 2024", D(2023, 11, 1), SPAN),
        ("Apr 2022 - Mar 2023", D(2022, 4, 1), SPAN),
        ("2019/20 - 2021/22", D(2019, 4, 1), SPAN),
        ("2020 - 2022", D(2020, 1, 1), SPAN),
        ("Jan – Mar 2023", D(2023, 1, 1), SPAN),
    ],
)
def test_periods_as_people_and_lg_inform_write_them(text, start, kind):
    period = parse_period(text)
    assert (period.start, period.kind) == (start, kind)
    assert period.label == text


def test_the_label_is_kept_as_written_with_its_spaces_tidied():
    assert parse_period("  Q2   2023/24 ").label == "Q2 2023/24"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter the period, like 2022/23 (a financial year)"),
        ("n/a", "'n/a' is not a period we can read. Write it like 2022/23 (a financial year), Q2 2023/24"),
        ("2022/24", "'2022/24' is not a financial year: a financial year runs into the next year, like 2022/23"),
        ("Q5 2023/24", "'Q5 2023/24' has no quarter 5: quarters are Q1 to Q4"),
        ("Smarch 2023", "'Smarch' is not a month"),
        ("2023-13", "'2023-13' is neither a month, like 2023-09, nor a financial year, like 2023/24"),
        ("31/02/2023", "'31/02/2023' is not a real date"),
        ("1850", "'1850' has the year 1850: write a year from 1900 to 2100"),
        ("Mar 2023 - Jan 2023", "ends before it starts: write the earlier period first"),
        ("At the progress review, October 2023", "is not a period we can read"),
        ("x" * 51, "The period must be 50 characters or fewer"),
    ],
)
def test_anything_else_is_refused_with_what_to_write(text, message):
    with pytest.raises(PeriodError) as refused:
        parse_period(text)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    "frequency, today, start, label",
    [
        ("monthly", D(2024, 1, 15), D(2023, 12, 1), "December 2023"),
        ("monthly", D(2024, 3, 31), D(2024, 2, 1), "February 2024"),
        ("quarterly", D(2024, 1, 15), D(2023, 10, 1), "Q3 2023/24 (October to December 2023)"),
        ("quarterly", D(2024, 4, 1), D(2024, 1, 1), "Q4 2023/24 (January to March 2024)"),
        ("quarterly", D(2024, 7, 1), D(2024, 4, 1), "Q1 2024/25 (April to June 2024)"),
        # Annual: the earlier of the last whole calendar year and the last whole financial year.
        ("annual", D(2024, 1, 15), D(2022, 4, 1), "2022/23 or 2023"),
        ("annual", D(2024, 3, 31), D(2022, 4, 1), "2022/23 or 2023"),
        ("annual", D(2024, 4, 1), D(2023, 1, 1), "2023/24 or 2023"),
    ],
)
def test_the_latest_finished_period_of_each_frequency(frequency, today, start, label):
    assert latest_finished(frequency, today) == (start, label)
