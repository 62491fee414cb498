"""A challenge's action plan as a spreadsheet: export it as CSV or XLSX, import it back.

`ActionPlanResource` (django-import-export) maps actions to the columns a council's action
plan spreadsheet has. The import runs twice over the file: once to validate every row and
say what would happen (`preview_import`, writes nothing), and once more, only when every row
is good, to write the changes in one transaction (`apply_import`). Rows are matched to
actions by recommendation number and action reference; a row whose values match the action
writes nothing, so exporting and importing the same file changes nothing.
"""

import csv
import datetime
import hashlib
import io
import itertools
import json
import logging
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from import_export import exceptions as import_export_exceptions
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from .models import Action, ProgressUpdate, Recommendation, Status

logger = logging.getLogger(__name__)

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_FILE_BYTES = 1024 * 1024
# A plan has tens or hundreds of actions; these bound the work a small but compressed XLSX can cause.
MAX_ROWS = 5000
MAX_SCANNED_ROWS = 50000

# The columns, in the order the file has them. Export-only columns are ignored on import.
RECOMMENDATION = "Recommendation"
REFERENCE = "Action reference"
DESCRIPTION = "Action"
REQUIRED_COLUMNS = [RECOMMENDATION, REFERENCE, DESCRIPTION]
EXPORT_ONLY_TEXT_COLUMNS = ["Recommendation title", "Theme", "Latest update"]

STATUS_NAMES = ", ".join(status.label for status in Status)
DATE_EXAMPLE = "a date like 2024-03-31 or 31/03/2024"


class FileProblem(ValueError):
    """The file as a whole cannot be imported; the message says what to do."""


# Reading values the way people type them into spreadsheets ------------------------------------


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value):
    """A cell as text: numbers typed into Excel come back as numbers, so 3.0 reads as "3"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def same_text(stored, imported):
    """Spreadsheets trim cells and may turn \\r\\n into \\n; neither is a change to the action."""

    def normal(text):
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    return normal(stored) == normal(imported)


WHOLE_NUMBER = re.compile(r"^\d+(\.0+)?$")


def whole_number(value):
    """The recommendation number in a cell, None if blank; ValueError if it is not a whole number."""
    if is_blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = as_text(value)
    if WHOLE_NUMBER.match(text):
        return int(float(text))
    raise ValueError(f"recommendation '{text}' is not a number; use the recommendation's number, like 3")


ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value, label):
    """A date from ISO (2024-03-31) or UK (31/03/2024) text, or a date cell in Excel."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = as_text(value)
    if match := ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := UK_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(f"{label} '{text}' is not {DATE_EXAMPLE}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"{label} '{text}' is not a real date") from None


STATUSES_BY_NAME = {name.lower(): status for status in Status for name in (status.label, status.value)}


# django-import-export widgets: each turns one cell into a value and back ------------------------


class TextWidget(widgets.CharWidget):
    def __init__(self, label, *, max_length=None, required_message=None):
        super().__init__(allow_blank=True)
        self.label = label
        self.max_length = max_length
        self.required_message = required_message

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text and self.required_message:
            raise ValueError(self.required_message)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"{self.label} is {len(text)} characters long; the most it can be is {self.max_length}")
        return text


class RecommendationWidget(widgets.Widget):
    """The recommendation's number in the file; the Recommendation of this challenge on import."""

    def __init__(self):
        super().__init__()
        self.recommendations = {}

    def clean(self, value, row=None, **kwargs):
        number = whole_number(value)
        if number is None:
            raise ValueError("recommendation number is blank")
        if number not in self.recommendations:
            raise ValueError(f"recommendation {number} does not exist in this challenge")
        return self.recommendations[number]

    def render(self, value, obj=None, **kwargs):
        return value.number if value is not None else ""


class LeadOfficerWidget(widgets.Widget):
    """A user's username in the file; blank for no lead officer."""

    def __init__(self):
        super().__init__()
        self.users = {}

    def clean(self, value, row=None, **kwargs):
        username = as_text(value)
        if not username:
            return None
        user = self.users.get(username) or self.users.get(username.lower())
        if user is None:
            raise ValueError(f"lead officer '{username}' is not a user")
        return user

    def render(self, value, obj=None, **kwargs):
        return value.get_username() if value is not None else ""


class DateWidget(widgets.Widget):
    """ISO dates out; ISO or DD/MM/YYYY text, or a date cell, in."""

    def __init__(self, label):
        super().__init__()
        self.label = label

    def clean(self, value, row=None, **kwargs):
        return parse_date(value, self.label)

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class StatusWidget(widgets.Widget):
    """The status's name ("On track") out; its name or value, in any case, in. Blank leaves it as it is."""

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return None
        try:
            return STATUSES_BY_NAME[text.lower()]
        except KeyError:
            raise ValueError(f"status '{text}' is not one of {STATUS_NAMES}") from None

    def render(self, value, obj=None, **kwargs):
        return Status(value).label if value else ""


class YesNoWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "Yes" if value else "No"


class TextField(fields.Field):
    """A text column that leaves the stored text alone when the file differs only in spacing."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if self.readonly:
            return
        cleaned = self.clean(row, **kwargs)
        if not same_text(getattr(instance, self.attribute), cleaned):
            setattr(instance, self.attribute, cleaned)


def _max_length(name):
    return Action._meta.get_field(name).max_length


class PlanInstanceLoader(BaseInstanceLoader):
    """The challenge's actions in one query, found by (recommendation number, action reference)."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        resource.instance_loader = self
        actions = Action.objects.filter(recommendation__challenge=resource.challenge).select_related(
            "recommendation__theme", "lead_officer"
        )
        if resource.lock:
            actions = actions.select_for_update(of=("self",))
        self.actions = {(action.recommendation.number, action.reference): action for action in actions}
        self.matched = set()

    def get_instance(self, row):
        key = row_key(row)
        self.matched.add(key)
        return self.actions.get(key)

    @property
    def not_in_file(self):
        return sorted(key for key in self.actions if key not in self.matched)


def row_key(row):
    """(recommendation number, action reference) of a row, or None when either cannot be read."""
    try:
        number = whole_number(row.get(RECOMMENDATION))
    except ValueError:
        return None
    reference = as_text(row.get(REFERENCE))
    if number is None or not reference:
        return None
    return number, reference


class ActionPlanResource(resources.ModelResource):
    """One row per action of one challenge, with the columns of a council's action plan spreadsheet."""

    recommendation = fields.Field(
        attribute="recommendation", column_name=RECOMMENDATION, widget=RecommendationWidget()
    )
    recommendation_title = fields.Field(
        attribute="recommendation__title", column_name="Recommendation title", widget=TextWidget("title"),
        readonly=True,
    )
    theme = fields.Field(
        attribute="recommendation__theme__title", column_name="Theme", widget=TextWidget("theme"), readonly=True
    )
    reference = TextField(
        attribute="reference",
        column_name=REFERENCE,
        widget=TextWidget(
            "action reference", max_length=_max_length("reference"), required_message="action reference is blank"
        ),
    )
    description = TextField(
        attribute="description",
        column_name=DESCRIPTION,
        widget=TextWidget("action", required_message="action is blank; say what will be done"),
    )
    lead_officer = fields.Field(attribute="lead_officer", column_name="Lead officer", widget=LeadOfficerWidget())
    lead_role = TextField(
        attribute="lead_role",
        column_name="Lead role",
        widget=TextWidget("lead role", max_length=_max_length("lead_role")),
    )
    timescale = TextField(
        attribute="timescale",
        column_name="Timescale",
        widget=TextWidget("timescale", max_length=_max_length("timescale")),
    )
    starts_on = fields.Field(attribute="starts_on", column_name="Start date", widget=DateWidget("start date"))
    due_date = fields.Field(attribute="due_date", column_name="Due date", widget=DateWidget("due date"))
    status = fields.Field(attribute="status", column_name="Status", widget=StatusWidget(), saves_null_values=False)
    latest_update = fields.Field(
        attribute="latest_update_text", column_name="Latest update", widget=TextWidget("latest update"), readonly=True
    )
    latest_update_date = fields.Field(
        attribute="latest_update_date", column_name="Latest update date", widget=DateWidget("latest update date"),
        readonly=True,
    )
    latest_update_published = fields.Field(
        attribute="latest_update_published", column_name="Latest update published", widget=YesNoWidget(),
        readonly=True,
    )

    class Meta:
        model = Action
        fields = (
            "recommendation", "recommendation_title", "theme", "reference", "description", "lead_officer",
            "lead_role", "timescale", "starts_on", "due_date", "status", "latest_update", "latest_update_date",
            "latest_update_published",
        )
        export_order = fields
        import_id_fields = ("recommendation", "reference")
        instance_loader_class = PlanInstanceLoader
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        store_instance = True
        use_transactions = False

    def __init__(self, *, challenge=None, user=None, row_numbers=None, lock=False):
        super().__init__()
        self.challenge = challenge
        self.user = user
        self.row_numbers = row_numbers or []
        self.lock = lock
        self.first_row_of = {}

    # Export

    def get_queryset(self):
        latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).newest_first()
        return (
            Action.objects.filter(recommendation__challenge=self.challenge)
            .select_related("recommendation__theme", "lead_officer")
            .annotate(
                latest_update_text=Subquery(latest.values("text")[:1]),
                latest_update_date=Subquery(latest.values("date")[:1]),
                latest_update_published=Subquery(latest.values("published")[:1]),
            )
            .order_by("recommendation__number", "reference")
        )

    # Import

    def spreadsheet_row(self, index):
        """The row number a spreadsheet shows for the index-th data row (1-based, as import-export counts)."""
        return self.row_numbers[index - 1] if self.row_numbers else index + 1

    def before_import(self, dataset, **kwargs):
        """Load what the rows refer to, once: the challenge's recommendations and the named lead officers."""
        recommendations = Recommendation.objects.filter(challenge=self.challenge).select_related("theme")
        self.fields["recommendation"].widget.recommendations = {rec.number: rec for rec in recommendations}
        lead_column = self.fields["lead_officer"].column_name
        usernames = [as_text(name) for name in dataset[lead_column]] if lead_column in dataset.headers else []
        self.fields["lead_officer"].widget.users = lead_officers_named(usernames)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as invalid:
            errors = invalid.update_error_dict(errors)
        problems = []
        key = row_key(row)
        if key is not None:
            this_row = self.spreadsheet_row(kwargs["row_number"])
            first = self.first_row_of.setdefault(key, this_row)
            if first != this_row:
                problems.append(f"action {key[1]} of recommendation {key[0]} is also on row {first}")
        if (
            "starts_on" not in errors
            and "due_date" not in errors
            and instance.starts_on
            and instance.due_date
            and instance.starts_on > instance.due_date
        ):
            problems.append(
                f"start date {instance.starts_on:%Y-%m-%d} is after the due date {instance.due_date:%Y-%m-%d}"
            )
        if problems:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(ValidationError(problem) for problem in problems)
        if errors:
            raise ValidationError(errors)

    def after_import_row(self, row, row_result, **kwargs):
        row_result.changes = []
        if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            for import_field in self.get_import_fields():
                if import_field.readonly:
                    continue
                old, new = import_field.export(row_result.original), import_field.export(row_result.instance)
                if old != new:
                    row_result.changes.append(Change(import_field.column_name, str(old), str(new)))

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("validate_only"):
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is not None:
            instance.version += 1
        instance._history_user = self.user

    def after_import(self, dataset, result, **kwargs):
        """Leave the id sequence alone: rows never carry ids (ModelResource would reset it)."""


def lead_officers_named(usernames):
    """Users by username, exact and lower-cased (a username's case is easy to get wrong). One query."""
    names = {name for name in usernames if name}
    if not names:
        return {}
    User = get_user_model()
    found = User.objects.annotate(lowered=Lower(User.USERNAME_FIELD)).filter(
        lowered__in={name.lower() for name in names}
    )
    users = {}
    for user in found:
        users[user.get_username()] = user
        users.setdefault(user.get_username().lower(), user)
    return users


# Export ------------------------------------------------------------------------------------------


def export_dataset(challenge):
    """The action plan as a tablib Dataset: one query, however many actions."""
    resource = ActionPlanResource(challenge=challenge)
    dataset = resource.export(resource.get_queryset())
    dataset.title = "Action plan"
    return dataset


def export_action_plan(*, challenge, format):
    """The file's bytes: CSV (UTF-8 with a byte-order mark, so Excel reads £ and accents) or XLSX."""
    dataset = export_dataset(challenge)
    if format == CSV:
        dataset = escape_formulae(dataset, EXPORT_ONLY_TEXT_COLUMNS)
        return base_formats.CSV().export_data(dataset).encode("utf-8-sig")
    if format == XLSX:
        return xlsx_bytes(dataset)
    raise ValueError(f"Unknown format {format!r}")


def export_filename(challenge, format, today=None):
    today = today or timezone.localdate()
    return f"{challenge.slug}-action-plan-{today:%Y-%m-%d}.{format}"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formulae(dataset, columns):
    """A copy of the dataset in which text officers wrote cannot run as a formula when the CSV is opened.

    Only columns that are never imported are escaped, so a round trip stays exact.
    """
    import tablib

    indexes = [dataset.headers.index(column) for column in columns]
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        row = list(row)
        for index in indexes:
            if isinstance(row[index], str) and row[index].startswith(FORMULA_START):
                row[index] = "'" + row[index]
        escaped.append(row)
    return escaped


COLUMN_WIDTHS = {"Recommendation title": 40, "Theme": 30, "Action": 60, "Lead role": 30, "Latest update": 60}


def xlsx_bytes(dataset):
    """An XLSX workbook of the dataset in which every text cell is text, never a formula."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = dataset.title or "Action plan"
    sheet.append(dataset.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in dataset:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
    for index, header in enumerate(dataset.headers, 1):
        sheet.column_dimensions[get_column_letter(index)].width = COLUMN_WIDTHS.get(header, max(12, len(header) + 2))
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# Reading a file ----------------------------------------------------------------------------------


@dataclass
class PlanFile:
    """The rows of an uploaded file, blank rows left out, each with the row number a spreadsheet shows."""

    headers: list
    rows: list
    row_numbers: list
    ignored_columns: list = field(default_factory=list)

    def dataset(self):
        import tablib

        dataset = tablib.Dataset(headers=self.headers)
        for row in self.rows:
            dataset.append(row)
        return dataset


def format_of(filename):
    """"csv" or "xlsx" from a file's name, or None."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return extension if extension in FORMATS else None


def read_plan_file(content, format):
    """The file's rows with their headings matched to the plan's columns. FileProblem if it cannot be used."""
    if not content:
        raise FileProblem("The file is empty")
    if len(content) > MAX_FILE_BYTES:
        raise FileProblem("The file must be smaller than 1 MB")
    read_rows = {CSV: _csv_rows, XLSX: _xlsx_rows}.get(format)
    if read_rows is None:
        raise FileProblem("The file must be a CSV or XLSX file")
    table = read_rows(content)
    header_row = next(table, None)
    if header_row is None:
        raise FileProblem("The file is empty")
    headers, ignored = _match_headings(header_row)
    rows, row_numbers = [], []
    for number, values in enumerate(itertools.islice(table, MAX_SCANNED_ROWS), start=2):
        values = list(values)[: len(headers)]
        values += [None] * (len(headers) - len(values))
        if all(is_blank(value) for value in values):
            continue
        if len(rows) == MAX_ROWS:
            raise FileProblem(f"The file has more than {MAX_ROWS:,} actions in it; a plan has one row per action")
        rows.append(values)
        row_numbers.append(number)
    if next(table, None) is not None:
        raise FileProblem(f"The file has more than {MAX_SCANNED_ROWS:,} rows; delete the empty rows at its end")
    if not rows:
        raise FileProblem("The file has no actions in it: add a row for each action below the column headings")
    return PlanFile(headers=headers, rows=rows, row_numbers=row_numbers, ignored_columns=ignored)


def _match_headings(header_row):
    """The plan's column for each heading, whatever its case or spacing; placeholders for the others."""
    known = {column.lower(): column for column in ActionPlanResource().get_export_headers()}
    headers, ignored = [], []
    for heading in header_row:
        name = " ".join(as_text(heading).split())
        column = known.get(name.lower())
        if column is None or column in headers:
            if name:
                ignored.append(name)
            column = f"(ignored column {len(headers) + 1})"
        headers.append(column)
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    if missing:
        raise FileProblem(
            "The first row of the file must have the column headings "
            f"{', '.join(REQUIRED_COLUMNS[:-1])} and {REQUIRED_COLUMNS[-1]}. Missing: {', '.join(missing)}"
        )
    return headers, ignored


def _csv_rows(content):
    for encoding in ("utf-8-sig", "cp1252"):  # Excel saves "CSV" as Windows-1252, "CSV UTF-8" with a BOM
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileProblem("The file could not be read: save it as 'CSV UTF-8' and upload it again")
    if "\0" in text:
        raise FileProblem("The file is not a CSV file: save it as 'CSV UTF-8' and upload it again")
    return _csv_reader(text)


def _csv_reader(text):
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:
        raise FileProblem("The file could not be read as CSV: save it as 'CSV UTF-8' and upload it again") from None


def _xlsx_rows(content):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for files that are not workbooks
        raise FileProblem("The file is not an Excel workbook: save it as .xlsx and upload it again") from None
    return _xlsx_reader(workbook)


def _xlsx_reader(workbook):
    try:
        yield from workbook.active.iter_rows(values_only=True)
    finally:
        workbook.close()


# Preview and import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    column: str
    old: str
    new: str


@dataclass
class RowOutcome:
    """What importing one row does: "new", "changed", "unchanged" or "invalid" (with its reasons)."""

    row_number: int
    kind: str
    recommendation: str = ""
    reference: str = ""
    description: str = ""
    changes: list = field(default_factory=list)
    reasons: list = field(default_factory=list)

    @property
    def errors(self):
        return [f"Row {self.row_number}: {reason}" for reason in self.reasons]


@dataclass
class ImportPreview:
    """Every row of the file with what importing it would do; clean when no row has a problem."""

    rows: list
    ignored_columns: list = field(default_factory=list)
    not_in_file: list = field(default_factory=list)  # (recommendation number, reference) of actions left alone

    def _of_kind(self, kind):
        return [row for row in self.rows if row.kind == kind]

    @property
    def new(self):
        return self._of_kind("new")

    @property
    def changed(self):
        return self._of_kind("changed")

    @property
    def unchanged(self):
        return self._of_kind("unchanged")

    @property
    def invalid(self):
        return self._of_kind("invalid")

    @property
    def errors(self):
        return [error for row in self.invalid for error in row.errors]

    @property
    def is_clean(self):
        return not self.invalid

    @property
    def has_changes(self):
        return bool(self.new or self.changed)

    @property
    def summary(self):
        """For example "3 new actions, 2 changed, 30 unchanged"."""
        return f"{count_of(len(self.new), 'new action')}, {len(self.changed)} changed, {len(self.unchanged)} unchanged"

    @property
    def applied_summary(self):
        return f"{count_of(len(self.new), 'new action')}, {len(self.changed)} changed"

    @property
    def fingerprint(self):
        """A digest of what the import would do, to tell whether the plan changed since the preview."""
        outline = [[row.row_number, row.kind, [[c.column, c.old, c.new] for c in row.changes]] for row in self.rows]
        return hashlib.sha256(json.dumps(outline).encode()).hexdigest()


def count_of(n, noun):
    return f"{n} {noun}{'' if n == 1 else 's'}"


class ImportNotClean(Exception):
    """apply_import found problems (or different changes from the preview); nothing was written."""

    def __init__(self, preview):
        self.preview = preview
        super().__init__(preview.summary)


def _run(*, challenge, plan_file, user, validate_only, lock=False):
    resource = ActionPlanResource(challenge=challenge, user=user, row_numbers=plan_file.row_numbers, lock=lock)
    try:
        result = resource.import_data(
            plan_file.dataset(),
            dry_run=False,
            use_transactions=False,
            raise_errors=not validate_only,
            validate_only=validate_only,
        )
    except import_export_exceptions.ImportError as failed:  # only when writing: let the real error roll back
        raise failed.error from failed
    if result.base_errors:
        raise result.base_errors[0].error
    outcomes = [
        _outcome(resource, dict(zip(plan_file.headers, values)), row_number, row_result)
        for values, row_number, row_result in zip(plan_file.rows, plan_file.row_numbers, result.rows, strict=True)
    ]
    return ImportPreview(
        rows=outcomes, ignored_columns=plan_file.ignored_columns, not_in_file=resource.instance_loader.not_in_file
    )


KINDS = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "changed",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
}


def _outcome(resource, row, row_number, row_result):
    outcome = RowOutcome(
        row_number=row_number,
        kind=KINDS.get(row_result.import_type, "invalid"),
        recommendation=as_text(row.get(RECOMMENDATION)),
        reference=as_text(row.get(REFERENCE)),
        description=as_text(row.get(DESCRIPTION)),
        changes=getattr(row_result, "changes", []),
    )
    if row_result.validation_error is not None:
        messages = row_result.validation_error.message_dict
        attributes = [import_field.attribute for import_field in resource.get_import_fields()] + [NON_FIELD_ERRORS]
        outcome.reasons = [message for attribute in attributes for message in messages.get(attribute, [])]
    elif row_result.errors:
        for error in row_result.errors:
            logger.error("Importing row %s of an action plan failed", row_number, exc_info=error.error)
        outcome.reasons = ["this row could not be read; check its values and upload the file again"]
    return outcome


def preview_import(*, challenge, file, format, user):
    """What importing `file` would do to the challenge's action plan, row by row. Writes nothing.

    `file` is the file's bytes (or a file to read). Raises FileProblem if the file cannot be used.
    """
    plan_file = read_plan_file(_content(file), format)
    return _run(challenge=challenge, plan_file=plan_file, user=user, validate_only=True)


@transaction.atomic
def apply_import(*, challenge, file, format, user, expected=None):
    """Validate every row, then create and change the actions, all in one transaction.

    Nothing is written if any row has a problem, or if `expected` (an earlier preview's
    fingerprint) no longer matches what the import would do: ImportNotClean carries the new preview.
    Changed actions get their version raised by one and a history record by `user`.
    """
    plan_file = read_plan_file(_content(file), format)
    preview = _run(challenge=challenge, plan_file=plan_file, user=user, validate_only=True, lock=True)
    if not preview.is_clean or (expected is not None and preview.fingerprint != expected):
        raise ImportNotClean(preview)
    if preview.has_changes:
        _run(challenge=challenge, plan_file=plan_file, user=user, validate_only=False, lock=True)
    return preview


def _content(file):
    if isinstance(file, bytes):
        return file
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()
