"""Reporting periods of indicator values, in one place: the period as people write it, read into
the first day of the period (which orders an indicator's values over time), and the latest
finished period of a reporting frequency (which says when a value is due).

`parse_period(text)` reads these, and says what to write instead for anything else:

======================================  ==========================  ===================
Written                                 Read as                     First day
======================================  ==========================  ===================
``2022/23``, ``2022-23``, ``2022/2023`` a financial year            1 April 2022
``Q2 2023/24``, ``2023/24 Q2``          a quarter of one            1 July 2023
``Q3 2023``, ``2023 Q3``                a calendar quarter          1 July 2023
``2023``                                a calendar year             1 January 2023
``September 2023``, ``Sep 2023``,       a month                     1 September 2023
``2023-09``, ``09/2023``
``31 March 2023``, ``2023-03-31``,      a day (a figure "as at")    31 March 2023
``31/03/2023``
``Jan - Mar 2023``,                     a span of months or years:  1 January 2023
``Apr 2022 - Mar 2023``,                its first day               (1 April 2022, ...)
``2019/20 - 2021/22``, ``2020 - 2022``
======================================  ==========================  ===================

LG Inform labels its periods the same way: financial years ``2022/23``, their quarters ``Q2
2023/24``, calendar years ``2023``, months ``Sep 2023`` and spans of them (three-year averages,
rolling twelve months) with a dash between their ends. An academic year (``2022/23``) reads as
the financial year of the same name: the first day only orders the series, and the label is kept
as written. ``2011-12`` is read as the financial year 2011/12, not December 2011: a year and the
next one's last two digits are a financial year, with a slash or a dash.

Quarters of a financial year: Q1 is April to June, Q2 July to September, Q3 October to December
and Q4 January to March of the next calendar year.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

FIRST_YEAR, LAST_YEAR = 1900, 2100
FY_FIRST_MONTH = 4  # the financial year starts on 1 April

MONTHS = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9

EXAMPLES = (
    "2022/23 (a financial year), Q2 2023/24 (a quarter of one), 2023 (a calendar year), "
    "September 2023 or 2023-09 (a month) or 31 March 2023 (a day)"
)

# Period kinds
FINANCIAL_YEAR = "financial year"
FINANCIAL_QUARTER = "quarter of a financial year"
CALENDAR_QUARTER = "calendar quarter"
CALENDAR_YEAR = "calendar year"
MONTH = "month"
DAY = "day"
SPAN = "span"


class PeriodError(ValueError):
    """The text is not a period we can read; the message says what to write instead."""


@dataclass(frozen=True)
class Period:
    label: str  # as written, with its spaces tidied
    start: datetime.date  # the first day of the period
    kind: str


def tidy(text):
    """The text with spaces trimmed and runs of spaces made one."""
    return " ".join(str(text or "").split())


def _year(text, written):
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"'{written}' has the year {year}: write a year from {FIRST_YEAR} to {LAST_YEAR}")
    return year


def _financial_year(first, second, written):
    """The first calendar year of the financial year `first`/`second` ("2022", "23" or "2023")."""
    year = _year(first, written)
    following = int(second)
    expected = year + 1 if len(second) == 4 else (year + 1) % 100
    if following != expected:
        nxt = f"{(year + 1) % 100:02d}"
        raise PeriodError(
            f"'{written}' is not a financial year: a financial year runs into the next year, like {year}/{nxt}"
        )
    return year


def _quarter(number, written):
    quarter = int(number)
    if not 1 <= quarter <= 4:
        raise PeriodError(f"'{written}' has no quarter {quarter}: quarters are Q1 to Q4")
    return quarter


def _month(name, written):
    month = MONTHS.get(name.lower().rstrip("."))
    if month is None:
        raise PeriodError(f"'{written}' is not a period we can read: '{name}' is not a month. Write {EXAMPLES}")
    return month


def _month_number(text, written):
    month = int(text)
    if not 1 <= month <= 12:
        raise PeriodError(f"'{written}' has the month {month}: months are 1 to 12")
    return month


def _day(year, month, day, written):
    try:
        return datetime.date(year, month, int(day))
    except ValueError:
        raise PeriodError(f"'{written}' is not a real date") from None


FY = r"(\d{4})(?:\s*/\s*|[-–])(\d{2}|\d{4})"  # a dash without spaces: "2020 - 2022" is a span
QUARTER = r"(?:q|quarter\s*)([0-9])"
PATTERNS = [
    ("iso_month", re.compile(r"^(\d{4})-(\d{1,2})$")),  # before "fy": 2023-09 is a month, 2022-23 a financial year
    ("fy", re.compile(rf"^(?:fy\s*)?{FY}$", re.I)),
    ("fq", re.compile(rf"^{QUARTER}\s*,?\s*{FY}$", re.I)),
    ("fq_after", re.compile(rf"^{FY}\s*,?\s*{QUARTER}$", re.I)),
    ("cq", re.compile(rf"^{QUARTER}\s*,?\s*(\d{{4}})$", re.I)),
    ("cq_after", re.compile(rf"^(\d{{4}})\s*,?\s*{QUARTER}$", re.I)),
    ("year", re.compile(r"^(\d{4})$")),
    ("month_name", re.compile(r"^([a-z]+)\.?\s*,?\s*(\d{4})$", re.I)),
    ("uk_month", re.compile(r"^(\d{1,2})/(\d{4})$")),
    ("iso_day", re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")),
    ("uk_day", re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")),
    ("day_name", re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?\s*,?\s*(\d{4})$", re.I)),
]
# A span: two periods with a dash (or "to") between them; the first may leave out its year
# ("Jan - Mar 2023"). A hyphen needs spaces around it, as it is inside ISO dates and "2022-23".
SPAN_SEPARATOR = re.compile(r"\s*[–—]\s*|\s+(?:-|to)\s+", re.I)
MONTH_ONLY = re.compile(r"^([a-z]+)\.?$", re.I)


def _read(kind, match, written):
    groups = match.groups()
    if kind == "fy":
        year = _financial_year(groups[0], groups[1], written)
        return datetime.date(year, FY_FIRST_MONTH, 1), FINANCIAL_YEAR
    if kind in ("fq", "fq_after"):
        quarter, first, second = groups if kind == "fq" else (groups[2], groups[0], groups[1])
        year = _financial_year(first, second, written)
        months_in = 3 * (_quarter(quarter, written) - 1)
        month = FY_FIRST_MONTH + months_in
        return datetime.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1), FINANCIAL_QUARTER
    if kind in ("cq", "cq_after"):
        quarter, year = groups if kind == "cq" else (groups[1], groups[0])
        return datetime.date(_year(year, written), 3 * _quarter(quarter, written) - 2, 1), CALENDAR_QUARTER
    if kind == "year":
        return datetime.date(_year(groups[0], written), 1, 1), CALENDAR_YEAR
    if kind == "month_name":
        return datetime.date(_year(groups[1], written), _month(groups[0], written), 1), MONTH
    if kind == "iso_month":
        year, month = _year(groups[0], written), int(groups[1])
        if len(groups[1]) == 2 and month == (year + 1) % 100:
            return datetime.date(year, FY_FIRST_MONTH, 1), FINANCIAL_YEAR
        if not 1 <= month <= 12:
            raise PeriodError(
                f"'{written}' is neither a month, like {year}-09, nor a financial year, like "
                f"{financial_year_label(year)}"
            )
        return datetime.date(year, month, 1), MONTH
    if kind == "uk_month":
        return datetime.date(_year(groups[1], written), _month_number(groups[0], written), 1), MONTH
    if kind == "iso_day":
        year, month, day = groups
        return _day(_year(year, written), _month_number(month, written), day, written), DAY
    if kind == "uk_day":
        day, month, year = groups
        return _day(_year(year, written), _month_number(month, written), day, written), DAY
    day, name, year = groups  # day_name
    return _day(_year(year, written), _month(name, written), day, written), DAY


def _match(text):
    for kind, pattern in PATTERNS:
        if match := pattern.match(text):
            return kind, match
    return None


def _single(text, written):
    if found := _match(text):
        return _read(*found, written)
    raise PeriodError(f"'{written}' is not a period we can read. Write it like {EXAMPLES}")


def _span(first, last, written):
    end, _ = _single(last, written)
    if match := MONTH_ONLY.match(
        first
    ):  # "Jan - Mar 2023": the first month is in the last one's year or the one before
        month = _month(match.group(1), written)
        start = datetime.date(end.year if month <= end.month else end.year - 1, month, 1)
    else:
        start, _ = _single(first, written)
    if start > end:
        raise PeriodError(f"'{written}' ends before it starts: write the earlier period first")
    return start


def parse_period(text):
    """The Period `text` names; PeriodError saying what to write if it names none we can read."""
    label = tidy(text)
    if not label:
        raise PeriodError(f"Enter the period, like {EXAMPLES}")
    if len(label) > 50:
        raise PeriodError("The period must be 50 characters or fewer")
    if found := _match(label):
        start, kind = _read(*found, label)
        return Period(label, start, kind)
    parts = SPAN_SEPARATOR.split(label)
    if len(parts) == 2 and all(parts):
        return Period(label, _span(parts[0], parts[1], label), SPAN)
    raise PeriodError(f"'{label}' is not a period we can read. Write it like {EXAMPLES}")


# When is a value due? -------------------------------------------------------------------------------

MONTHLY, QUARTERLY, ANNUAL = "monthly", "quarterly", "annual"  # reviews.models.Frequency's values


def _months_before(day, n):
    index = day.year * 12 + day.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def financial_year_label(first_year):
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def latest_finished(frequency, today):
    """(first day, label) of the latest period of `frequency` that had ended by `today`.

    Monthly: last month. Quarterly: the last whole quarter (the quarters of financial and calendar
    years begin on the same days). Annual: the earlier of the last whole calendar year and the last
    whole financial year, so that a value for either counts (an indicator reported by financial
    year is not due in January, nor one reported by calendar year in April)."""
    if frequency == MONTHLY:
        start = _months_before(today, 1)
        return start, f"{start:%B %Y}"
    if frequency == QUARTERLY:
        this_quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        start = _months_before(this_quarter, 3)
        fy_first = start.year if start.month >= FY_FIRST_MONTH else start.year - 1
        number = ((start.month - FY_FIRST_MONTH) % 12) // 3 + 1
        end = _months_before(this_quarter, 1)
        return start, f"Q{number} {financial_year_label(fy_first)} ({start:%B} to {end:%B %Y})"
    if frequency == ANNUAL:
        fy_first = today.year - 1 if today.month >= FY_FIRST_MONTH else today.year - 2
        calendar_start = datetime.date(today.year - 1, 1, 1)
        financial_start = datetime.date(fy_first, FY_FIRST_MONTH, 1)
        label = f"{financial_year_label(fy_first)} or {today.year - 1}"
        return min(calendar_start, financial_start), label
    raise ValueError(f"Unknown frequency {frequency!r}")
