"""Importing an indicator's values from a CSV file, as LG Inform's data download gives them.

One file, one indicator: the file is checked and previewed first (what will be added, what will
change, every row that is wrong), and nothing is written until every row is right and the person
confirms. The confirm step checks the file again against the values as they are then, and writes
only if it would still do what the preview showed, all in one transaction.

The file (documented on the import page and in the README):

- A CSV file (UTF-8, or Windows' Latin encoding as Excel saves it) of at most 1 MB and
  5,000 values. Lines before the header row (a title) are skipped.
- **One row per area and period** (LG Inform's data download with the periods down the page):
  columns ``area`` (or ``area code``, ``area name``, ``area label``), ``period`` (or ``period
  label``) and ``value``, optionally ``metric`` (or ``metric id``, ``metric type``): or
- **One row per area, a column per period** (the periods across the page, as LG Inform's data
  download and its API's CSV give them): ``area`` columns (``area``, ``area label``, ``area long
  label``) and then one column for each period, headed with the period (``2021/22``, ``2022/23``).

Rows for areas other than the council's are counted and shown, not imported; so are rows for
another metric, when the file has a metric column (a row is this indicator's when its metric is
the indicator's LG Inform metric id or its name). Periods are read by `reviews.periods`; values
are numbers (``97.6``, ``97.6%``, ``1,234``), kept to three decimal places. An empty value is
skipped. Anything else is an error naming its row: "Row 4: the value 'n/a' is not a number".
A period already recorded gets the file's value (its target, comparator and note are kept); a
value equal to the one recorded changes nothing, so importing the same file twice changes nothing.
"""

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .periods import PeriodError, parse_period

MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 5000  # values read from the file (an area's period each), every area counted
MAX_LINES = 20000
MAX_ERRORS_SHOWN = 100
HEADER_SEARCH_LINES = 10
DECIMAL_PLACES = 3
LARGEST_VALUE = Decimal("99999999999.999")  # 14 digits, 3 of them after the point: the model's field


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says what to do."""


def column_key(name):
    """A column's name compared without case, spaces or punctuation: "Area Code" is "areacode"."""
    return re.sub(r"[^a-z0-9]", "", str(name or "").lower())


AREA_COLUMNS = ["area", "areacode", "areaidentifier", "areaname", "arealabel", "arealonglabel", "areaaltlabel"]
PERIOD_COLUMNS = ["period", "periodlabel", "periodname"]
VALUE_COLUMNS = ["value"]
METRIC_COLUMNS = [
    "metric",
    "metricid",
    "metrictype",
    "metrictypeid",
    "metrictypeidentifier",
    "metrictypelabel",
    "metricname",
    "metriclabel",
]


@dataclass
class FileRow:
    """One value in the file: its line (as a spreadsheet numbers it), the texts naming its area,
    its period and value as written, and its metric (empty if the file has no metric column)."""

    line: int
    areas: tuple
    period: str
    value: str
    metric: str = ""

    @property
    def where(self):
        return f"Row {self.line}"

    @property
    def area(self):
        return next((area for area in reversed(self.areas) if area), "") or "(no area)"


@dataclass
class ValuesFile:
    rows: list
    layout: str  # "long": a row per area and period; "wide": a column per period
    has_metric: bool = False


def decode(content):
    if b"\x00" in content[:4096]:
        raise FileProblem("The file is not a CSV file: save it as CSV (comma-separated values) and upload it again")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _lines(text):
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, line in enumerate(reader, start=1):
            if number > MAX_LINES:
                raise FileProblem(f"The file has more than {MAX_LINES:,} lines: split it into smaller files")
            yield number, [cell.strip() for cell in line]
    except csv.Error as error:
        raise FileProblem(
            f"The file is not a CSV file we can read ({error}): save it as CSV and upload it again"
        ) from None


def _find(keys, names):
    return next((keys.index(name) for name in names if name in keys), None)


def read_values_file(content):
    """The values in an LG Inform CSV download (see the module's docstring), or FileProblem."""
    if len(content) > MAX_FILE_BYTES:
        raise FileProblem("The file must be smaller than 1 MB")
    lines = _lines(decode(content))
    header = None
    for number, line in lines:
        keys = [column_key(cell) for cell in line]
        if any(key in AREA_COLUMNS for key in keys):
            header = (number, line, keys)
            break
        if number >= HEADER_SEARCH_LINES:
            break
    if header is None:
        raise FileProblem(
            "The file has no header row naming an area column: the first rows must include one with "
            "the columns area, period and value (or area and a column for each period)"
        )
    _, names, keys = header
    area_columns = [index for index, key in enumerate(keys) if key in AREA_COLUMNS]
    period, value, metric = _find(keys, PERIOD_COLUMNS), _find(keys, VALUE_COLUMNS), _find(keys, METRIC_COLUMNS)
    if period is not None and value is not None:
        return _read_long(lines, area_columns, period, value, metric)
    if period is not None or value is not None:
        missing = "value" if value is None else "period"
        raise FileProblem(f"The file has no {missing} column: it needs the columns area, period and value")
    used = set(area_columns) | ({metric} if metric is not None else set())
    periods = [(index, name) for index, name in enumerate(names) if index not in used and name]
    if not periods:
        raise FileProblem(
            "The file has neither period and value columns nor a column for each period: download the "
            "data from LG Inform again, or add the columns area, period and value"
        )
    return _read_wide(lines, area_columns, periods, metric)


def _cell(line, index):
    return line[index] if index is not None and index < len(line) else ""


def _is_header_again(line, area_columns):
    return column_key(_cell(line, area_columns[0])) in AREA_COLUMNS


def _count(rows):
    if len(rows) > MAX_VALUES:
        raise FileProblem(f"The file has more than {MAX_VALUES:,} values: split it into smaller files")


def _read_long(lines, area_columns, period, value, metric):
    rows = []
    for number, line in lines:
        if not any(line) or _is_header_again(line, area_columns):
            continue
        rows.append(
            FileRow(
                line=number,
                areas=tuple(_cell(line, index) for index in area_columns),
                period=_cell(line, period),
                value=_cell(line, value),
                metric=_cell(line, metric),
            )
        )
        _count(rows)
    return ValuesFile(rows=rows, layout="long", has_metric=metric is not None)


def _read_wide(lines, area_columns, periods, metric):
    rows = []
    for number, line in lines:
        if not any(line) or _is_header_again(line, area_columns):
            continue
        areas = tuple(_cell(line, index) for index in area_columns)
        for index, name in periods:
            rows.append(
                FileRow(line=number, areas=areas, period=name, value=_cell(line, index), metric=_cell(line, metric))
            )
        _count(rows)
    return ValuesFile(rows=rows, layout="wide", has_metric=metric is not None)


# Reading one value ------------------------------------------------------------------------------

NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


def shown(text, limit=40):
    """A cell's text for a message: in quotes, shortened when it is long."""
    return f"'{text}'" if len(text) <= limit else f"'{text[:limit]}…'"


def parse_value(text):
    """The number in a cell (None if it is empty), to three decimal places; ValueError saying why not."""
    text = text.strip()
    if not text:
        return None
    number = text.removesuffix("%").strip()
    if not number or not NUMBER.match(number) or number in {"+", "-", "."}:
        raise ValueError(f"the value {shown(text)} is not a number")
    try:
        value = Decimal(number.replace(",", "")).quantize(Decimal(1).scaleb(-DECIMAL_PLACES), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"the value {shown(text)} is not a number") from None
    if abs(value) > LARGEST_VALUE:
        raise ValueError(f"the value {shown(text)} is too large")
    return value


# Which rows are the council's --------------------------------------------------------------------

COUNCIL_WORDS = re.compile(
    r"\b(metropolitan borough|metropolitan district|royal borough|london borough|borough|city|county|district|"
    r"unitary)?\s*council\b|^the\s+|\bcity of\b",
    re.I,
)


def area_key(text):
    return " ".join(str(text or "").lower().replace("&", "and").split())


def default_area(council_name):
    """What LG Inform calls a council's area: its name without "Metropolitan Borough Council" and the like."""
    return " ".join(COUNCIL_WORDS.sub(" ", council_name).split()) or council_name


def is_area(row, wanted):
    """Is the row for one of the `wanted` areas (names or codes, compared without case)?"""
    keys = {area_key(area) for area in wanted if area}
    return any(area_key(area) in keys for area in row.areas)


# The preview: what importing would do --------------------------------------------------------------


@dataclass
class Change:
    line: int
    period: str  # the label: as recorded, for a change; as written in the file, for a new value
    start: object  # datetime.date
    value: Decimal
    old: Decimal | None = None
    new: bool = True

    def as_key(self):
        return [self.start.isoformat(), self.period, str(self.value), None if self.old is None else str(self.old)]


@dataclass
class Preview:
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    empty: int = 0
    errors: list = field(default_factory=list)
    other_areas: dict = field(default_factory=dict)  # {area as written: rows}
    other_metrics: dict = field(default_factory=dict)  # {metric as written: rows}
    read: int = 0

    @property
    def is_clean(self):
        return not self.errors

    @property
    def has_changes(self):
        return bool(self.added or self.changed)

    @property
    def matched(self):
        return len(self.added) + len(self.changed) + self.unchanged + self.empty

    @property
    def errors_shown(self):
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def errors_not_shown(self):
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)

    @property
    def fingerprint(self):
        """What importing would do, as a hash: the confirm step imports only if it is unchanged."""
        changes = sorted(change.as_key() for change in self.added + self.changed)
        return hashlib.sha256(json.dumps(changes).encode()).hexdigest()

    @property
    def summary(self):
        parts = []
        if self.added:
            parts.append(f"{len(self.added)} new value{'' if len(self.added) == 1 else 's'}")
        if self.changed:
            parts.append(f"{len(self.changed)} value{'' if len(self.changed) == 1 else 's'} changed")
        return " and ".join(parts) or "nothing to change"


def check_rows(values_file, *, areas, metrics, existing):
    """What importing `values_file` would do. `areas`: the names or codes of the council's area;
    `metrics`: the metric ids or names that are the indicator's (compared without case);
    `existing`: {period start: (value or None, label)} of the values recorded. Writes nothing."""
    preview = Preview(read=len(values_file.rows))
    metric_keys = {area_key(metric) for metric in metrics if metric}
    seen = {}
    for row in values_file.rows:
        if values_file.has_metric and area_key(row.metric) not in metric_keys:
            name = row.metric or "(no metric)"
            preview.other_metrics[name] = preview.other_metrics.get(name, 0) + 1
            continue
        if not is_area(row, areas):
            preview.other_areas[row.area] = preview.other_areas.get(row.area, 0) + 1
            continue
        if not row.value.strip():  # no figure in the file for this period: nothing to import or check
            preview.empty += 1
            continue
        problems = []
        try:
            period = parse_period(row.period)
        except PeriodError as error:
            period = None
            problems.append(str(error) if row.period.strip() else "the period is empty")
        try:
            value = parse_value(row.value)
        except ValueError as error:
            value = None
            problems.append(str(error))
        if period is not None and not problems:
            if period.start in seen:
                problems.append(
                    f"{shown(period.label)} is the same period as {shown(seen[period.start][1])} in row "
                    f"{seen[period.start][0]}: give each period once"
                )
            else:
                seen[period.start] = (row.line, period.label)
        if problems:
            where = f"{row.where} ({row.period})" if values_file.layout == "wide" and row.period else row.where
            preview.errors.extend(f"{where}: {problem}" for problem in problems)
            continue
        if period.start in existing:
            old, label = existing[period.start]
            if old is not None and old == value:
                preview.unchanged += 1
            else:
                preview.changed.append(
                    Change(line=row.line, period=label, start=period.start, value=value, old=old, new=False)
                )
        else:
            preview.added.append(Change(line=row.line, period=period.label, start=period.start, value=value))
    preview.added.sort(key=lambda change: change.start)
    preview.changed.sort(key=lambda change: change.start)
    return preview
