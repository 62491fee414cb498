"""A challenge's action plan as a spreadsheet: export it as CSV or XLSX, import it back.

`ActionPlanResource` (django-import-export) maps actions to the columns a council's action
plan spreadsheet has. The import runs twice over the file: once to validate every row and
say what would happen (`preview_import`, writes nothing), and once more, only when every row
is good, to write the changes in one transaction (`apply_import`). Rows are matched to
actions by recommendation number and action reference; a row whose values match the action
writes nothing, so exporting and importing the same file changes nothing.

An imported action obeys the same rules as one saved from a form: each new or changed action
goes through the model's `full_clean()` (a quarter sets the dates, dates in order, actual dates
not in the future, lengths, who may lead it), and `Action.save()` raises its version. Its status
is never set: a row whose Status (or the update's other columns: evidence when it says Complete,
next steps, a closing action's reason and what supersedes it) differs from the working update
records the change as a published progress update (`services.record_status_change`), checked
first by `ProgressUpdate.full_clean()`.

The recommendation's columns (the council's response, its reasons, who agreed it and when) repeat
on each of its actions' rows: the rows must agree (a blank cell says nothing), and the
recommendation is checked by `Recommendation.full_clean()`. "Also answers" (recommendation
numbers) and "Depends on" (action references) are checked by the models' rules
(`also_answers_errors`, and no action depending on itself or, through others, on an action that
depends on it), over the plan as the whole file would leave it; they are written after every row's
action is saved, and the models' m2m_changed checks run again then.

Files are untrusted: the file's size, an XLSX's size once unzipped, the number of rows and
cells and each cell's length are checked before the rows are used.
"""

import copy
import csv
import datetime
import hashlib
import io
import itertools
import json
import logging
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from import_export import exceptions as import_export_exceptions
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from . import services
from .models import (
    DROPPED_STATUSES,
    Action,
    Approval,
    PeerChallenge,
    ProgressUpdate,
    Recommendation,
    Response,
    Status,
    also_answers_errors,
)
from .publication import working_evidence
from .spreadsheets import escape_row, unescape_formula

logger = logging.getLogger(__name__)

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Limits. A plan has tens of actions (Stockport's has 39) and a few thousand cells; these bound the
# work (and memory) a small file can cause: an XLSX is a zip, so 1 MB can unzip to gigabytes, and one
# shared string can fill thousands of cells. Every imported action is validated by the model and
# each status change is a progress update, about a dozen queries a row when it is written: applying
# 1,000 new actions with statuses took 21 s on an idle machine, too near a worker's 30 s timeout,
# so a file holds at most 500 actions (about 10 s).
MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 500
MAX_SCANNED_ROWS = 50000
MAX_CELLS = 500_000
MAX_CELL_CHARACTERS = 32767  # the most an Excel cell holds
MAX_XLSX_UNZIPPED_BYTES = 20 * 1024 * 1024
MAX_XLSX_PARTS = 500
# Spreadsheet XML deflates by 5 to 30 times; zip bombs by hundreds. Parts this small are harmless.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024

# The columns, in the order the file has them. Export-only columns are ignored on import.
RECOMMENDATION = "Recommendation"
REFERENCE = "Action reference"
DESCRIPTION = "Action"
LEAD_OFFICER = "Lead officer"
STATUS = "Status"
EVIDENCE = "Evidence of completion"
DIFFERENCE = "What difference it has made"
RESPONSE = "Response"
RESPONSE_REASON = "Response reason"
RESPONSE_AGREED_BY = "Response agreed by"
RESPONSE_AGREED_ON = "Response agreed on"
ACTUAL_START = "Actual start date"
ACTUAL_COMPLETION = "Actual completion date"
ALSO_ANSWERS = "Also answers"
DEPENDS_ON = "Depends on"
NEXT_STEPS = "Next steps"
CLOSURE_REASON = "Closure reason"
SUPERSEDED_BY = "Superseded by"
REQUIRED_COLUMNS = [RECOMMENDATION, REFERENCE, DESCRIPTION]

STATUS_NAMES = ", ".join(status.label for status in Status)
RESPONSE_NAMES = ", ".join(response.label for response in Response)
DATE_EXAMPLE = "a date like 2024-03-31 or 31/03/2024"
IMPORT_STATUS_CHANGE = "by an action plan import"
HISTORY_REASON_MAX = 100  # django-simple-history's history_change_reason


class FileProblem(ValueError):
    """The file as a whole cannot be imported; the message says what to do."""


# Reading values the way people type them into spreadsheets ------------------------------------


def is_blank(value):
    """An empty cell or one of spaces only (without copying the text, however long it is)."""
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


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
# "Superseded by another action" is how pages may word it; "Superseded" is the status's name.
STATUSES_BY_NAME["superseded by another action"] = Status.SUPERSEDED
RESPONSES_BY_NAME = {name.lower(): response for response in Response for name in (response.label, response.value)}
RESPONSES_BY_NAME["not recorded"] = Response.NOT_RECORDED
LIST_SEPARATOR = re.compile(r"[;,\n]")


def reference_order(reference):
    """Sort "1.10" after "1.9": numbers as numbers, other parts as text."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in reference.split(".")]


def plan_order(key):
    """(recommendation number, action reference) in the order of the plan."""
    return key[0], reference_order(key[1])


class PlanReferences:
    """Action references as a file gives them: "1.2", or "3/1.2" when two recommendations have an
    action 1.2. Knows every action of the plan as the file would leave it (the plan's and the file's)."""

    def __init__(self, keys):
        self.keys = set(keys)
        self.by_reference = defaultdict(set)
        for key in self.keys:
            self.by_reference[key[1]].add(key)

    def render(self, key):
        number, reference = key
        return reference if len(self.by_reference[reference]) <= 1 else f"{number}/{reference}"

    def resolve(self, text, label):
        """The (recommendation number, reference) of an action named in a cell; ValueError if none or unclear."""
        found = self.by_reference.get(text, set())
        if len(found) == 1:
            return next(iter(found))
        if len(found) > 1:
            numbers = " and ".join(str(number) for number, _ in sorted(found, key=plan_order))
            example = next(iter(sorted(found, key=plan_order)))
            raise ValueError(
                f"{label}: action {quoted(text)} is in more than one recommendation ({numbers}); "
                f"write it with its recommendation's number, like {example[0]}/{example[1]}"
            )
        number, slash, reference = text.partition("/")
        if slash and WHOLE_NUMBER.match(number.strip()):
            key = (int(float(number.strip())), reference.strip())
            if key in self.keys:
                return key
        raise ValueError(f"{label}: there is no action {quoted(text)} in this plan or the file")


# django-import-export widgets: each turns one cell into a value and back ------------------------


def quoted(text, limit=40):
    """A cell's text for a message: in quotes, and shortened when it is long."""
    return f"'{text}'" if len(text) <= limit else f"'{text[:limit]}…'"


def text_limit(model, name):
    """The most characters a text field holds: its max_length, or its MaxLengthValidator's limit."""
    model_field = model._meta.get_field(name)
    limits = [model_field.max_length] if model_field.max_length else []
    limits += [v.limit_value for v in model_field.validators if isinstance(v, MaxLengthValidator)]
    return min(limits) if limits else None


class TextWidget(widgets.CharWidget):
    """A text cell, trimmed; too long a cell is refused before its text is copied or kept."""

    def __init__(self, label, *, max_length=None, required_message=None):
        super().__init__(allow_blank=True)
        self.label = label
        self.max_length = max_length
        self.required_message = required_message

    def clean(self, value, row=None, **kwargs):
        if self.max_length and isinstance(value, str) and len(value) > self.max_length:
            length = len(value.strip())
            if length > self.max_length:
                raise ValueError(
                    f"{self.label} is {length:,} characters long; the most it can be is {self.max_length:,}"
                )
        text = as_text(value)
        if not text and self.required_message:
            raise ValueError(self.required_message)
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
    """A user's username in the file; blank for no lead officer. Whether that user may lead the
    action is the model's rule (Action.clean), so it is checked with the rest of the row."""

    def __init__(self):
        super().__init__()
        self.users = {}

    def clean(self, value, row=None, **kwargs):
        username = as_text(value)
        if not username:
            return None
        user = self.users.get(username) or self.users.get(username.lower())
        if user is None:
            raise ValueError(f"lead officer {quoted(username)} is not a user")
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
            raise ValueError(f"status {quoted(text)} is not one of {STATUS_NAMES}") from None

    def render(self, value, obj=None, **kwargs):
        return Status(value).label if value else ""


class ResponseWidget(widgets.Widget):
    """The council's response by name ("Accepted") out; its name or value, in any case, in. Blank leaves
    the response as it is."""

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return None
        try:
            return RESPONSES_BY_NAME[text.lower()]
        except KeyError:
            raise ValueError(f"response {quoted(text)} is not one of {RESPONSE_NAMES}") from None

    def render(self, value, obj=None, **kwargs):
        return Response(value).label if value else ""


def list_items(value):
    """The items of a list typed in one cell: "3; 7", "3, 7" or one per line."""
    return [item.strip() for item in LIST_SEPARATOR.split(as_text(value)) if item.strip()]


class AlsoAnswersWidget(widgets.Widget):
    """Other recommendations' numbers, like "3; 7", as a sorted tuple of numbers."""

    def __init__(self):
        super().__init__()
        self.numbers = set()

    def clean(self, value, row=None, **kwargs):
        numbers = set()
        for item in list_items(value):
            if not WHOLE_NUMBER.match(item):
                raise ValueError(
                    f"also answers {quoted(item)}, which is not a recommendation's number; write them like 3; 7"
                )
            number = int(float(item))
            if number not in self.numbers:
                raise ValueError(f"also answers recommendation {number}, which does not exist in this challenge")
            numbers.add(number)
        return tuple(sorted(numbers))

    def render(self, value, obj=None, **kwargs):
        return "; ".join(str(number) for number in value or ())


class ActionReferencesWidget(widgets.Widget):
    """Actions of the plan by reference, like "1.2; 4.1", as a tuple of (recommendation number,
    reference) in plan order. `references` (PlanReferences) is set before the file is read."""

    def __init__(self, label):
        super().__init__()
        self.label = label
        self.references = PlanReferences([])

    def clean(self, value, row=None, **kwargs):
        keys = {self.references.resolve(item, self.label) for item in list_items(value)}
        return tuple(sorted(keys, key=plan_order))

    def render(self, value, obj=None, **kwargs):
        return "; ".join(self.references.render(key) for key in value or ())


class ActionReferenceWidget(ActionReferencesWidget):
    """One action of the plan by reference; blank for none."""

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        return self.references.resolve(text, self.label) if text else None

    def render(self, value, obj=None, **kwargs):
        return self.references.render(value) if value else ""


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


class StatusChangeField(fields.Field):
    """A column read into `instance.imported`, never onto the action: an action's status follows
    its progress updates, so a new status (and its evidence of completion) is recorded as one."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.imported[self.attribute] = self.clean(row, **kwargs)


class RecommendationField(fields.Field):
    """A column of the row's recommendation (the council's response). Each row's cell is read, so a
    bad one is that row's problem; what the recommendation becomes is worked out over the whole
    file before the rows are read (ActionPlanResource.plan_recommendations), as its actions' rows
    must agree."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        self.clean(row, **kwargs)


@dataclass(frozen=True)
class StatusChange:
    """The progress update a row asks for, or the working update as it is: its status and the text
    that goes with it (evidence for Complete; a reason, and what supersedes it, for a dropped action)."""

    status: Status
    completion_evidence: str = ""
    difference_made: str = ""
    next_steps: str = ""
    closure_reason: str = ""
    superseded_by: tuple | None = None  # (recommendation number, action reference)

    @classmethod
    def of(
        cls, status, *, completion_evidence="", difference_made="", next_steps="", closure_reason="", superseded_by=None
    ):
        """Only the text the status keeps: evidence for Complete, a reason and a successor for a dropped action."""
        status = Status(status)
        complete, dropped = status == Status.COMPLETE, status in DROPPED_STATUSES
        return cls(
            status,
            completion_evidence if complete else "",
            difference_made if complete else "",
            next_steps or "",
            closure_reason if dropped else "",
            superseded_by if dropped else None,
        )


# The recommendation's columns, by its field's name.
RECOMMENDATION_COLUMNS = {
    "response": RESPONSE,
    "response_reason": RESPONSE_REASON,
    "response_agreed_by": RESPONSE_AGREED_BY,
    "response_agreed_on": RESPONSE_AGREED_ON,
}

# The update's columns besides Status, each with its StatusChange attribute, in the file's order.
UPDATE_COLUMNS = [
    (EVIDENCE, "completion_evidence"),
    (DIFFERENCE, "difference_made"),
    (NEXT_STEPS, "next_steps"),
    (CLOSURE_REASON, "closure_reason"),
    (SUPERSEDED_BY, "superseded_by"),
]


class PlanInstanceLoader(BaseInstanceLoader):
    """The challenge's actions (loaded once, by ActionPlanResource.before_import), found by
    (recommendation number, action reference)."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        resource.instance_loader = self
        self.actions = resource.plan_actions
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


def key_of(action):
    return action.recommendation.number, action.reference


def plan_actions(challenge):
    """The challenge's actions, with what the file's columns read (the recommendation, the lead, the
    working update and what it says supersedes the action), plan order."""
    return (
        Action.objects.filter(recommendation__challenge=challenge)
        .select_related(
            "recommendation__theme",
            "recommendation__challenge",
            "lead_officer",
            "working_update__superseded_by__recommendation",
        )
        .order_by("recommendation__number", "reference")
    )


def attach_links(actions, challenge):
    """Give each action `also_answers_numbers` (the other recommendations it answers, by number) and
    `depends_on_keys` (the actions it depends on, by (recommendation number, reference)), sorted,
    and the same again as `links_before`. Two queries, however many actions."""
    also, depends = defaultdict(list), defaultdict(list)
    for action_id, number in Action.also_answers.through.objects.filter(
        action__recommendation__challenge=challenge
    ).values_list("action_id", "recommendation__number"):
        also[action_id].append(number)
    for action_id, number, reference in Action.depends_on.through.objects.filter(
        from_action__recommendation__challenge=challenge
    ).values_list("from_action_id", "to_action__recommendation__number", "to_action__reference"):
        depends[action_id].append((number, reference))
    for action in actions:
        action.also_answers_numbers = tuple(sorted(also[action.pk]))
        action.depends_on_keys = tuple(sorted(depends[action.pk], key=plan_order))
        action.links_before = (action.also_answers_numbers, action.depends_on_keys)
    return actions


def superseded_by_key(update):
    """The (recommendation number, reference) of the action an update says supersedes its own, or None."""
    if update is None or update.superseded_by_id is None:
        return None
    return key_of(update.superseded_by)


def working_change(action):
    """The working update as a StatusChange, to tell what a row changes (Not started without one)."""
    update = action.working_update if action.working_update_id else None
    if update is None:
        return StatusChange.of(action.status)
    return StatusChange.of(
        update.status,
        completion_evidence=update.completion_evidence,
        difference_made=update.difference_made,
        next_steps=update.next_steps,
        closure_reason=update.closure_reason,
        superseded_by=superseded_by_key(update),
    )


def path_between(edges, start, goal):
    """A list of keys from `start` to `goal` following `edges` ({key: set of keys}), or None."""
    previous, frontier = {start: None}, [start]
    while frontier:
        current = frontier.pop(0)
        if current == goal:
            path = []
            while current is not None:
                path.append(current)
                current = previous[current]
            return path[::-1]
        for following in sorted(edges.get(current, ()), key=plan_order):
            if following not in previous:
                previous[following] = current
                frontier.append(following)
    return None


STATUS_CHANGE_COLUMNS = {
    "status",
    "completion_evidence",
    "difference_made",
    "next_steps",
    "closure_reason",
    "superseded_by",
}

# The import found these in the database moments ago (the challenge's recommendations, the named
# users) or does not touch them, so full_clean() need not look each one up again, row by row.
LOOKED_UP_BY_THE_IMPORT = ["recommendation", "lead_officer", "consideration", "working_update", "public_update"]


class ActionPlanResource(resources.ModelResource):
    """One row per action of one challenge, with the columns of a council's action plan spreadsheet."""

    recommendation = fields.Field(attribute="recommendation", column_name=RECOMMENDATION, widget=RecommendationWidget())
    recommendation_title = fields.Field(
        attribute="recommendation__title",
        column_name="Recommendation title",
        widget=TextWidget("title"),
        readonly=True,
    )
    theme = fields.Field(
        attribute="recommendation__theme__title", column_name="Theme", widget=TextWidget("theme"), readonly=True
    )
    response = RecommendationField(attribute="recommendation__response", column_name=RESPONSE, widget=ResponseWidget())
    response_reason = RecommendationField(
        attribute="recommendation__response_reason",
        column_name=RESPONSE_REASON,
        widget=TextWidget("response reason", max_length=text_limit(Recommendation, "response_reason")),
    )
    response_agreed_by = RecommendationField(
        attribute="recommendation__response_agreed_by",
        column_name=RESPONSE_AGREED_BY,
        widget=TextWidget("response agreed by", max_length=text_limit(Recommendation, "response_agreed_by")),
    )
    response_agreed_on = RecommendationField(
        attribute="recommendation__response_agreed_on",
        column_name=RESPONSE_AGREED_ON,
        widget=DateWidget("response agreed on"),
    )
    reference = TextField(
        attribute="reference",
        column_name=REFERENCE,
        widget=TextWidget(
            "action reference",
            max_length=text_limit(Action, "reference"),
            required_message="action reference is blank",
        ),
    )
    description = TextField(
        attribute="description",
        column_name=DESCRIPTION,
        widget=TextWidget(
            "action",
            max_length=text_limit(Action, "description"),
            required_message="action is blank; say what will be done",
        ),
    )
    lead_officer = fields.Field(attribute="lead_officer", column_name=LEAD_OFFICER, widget=LeadOfficerWidget())
    lead_role = TextField(
        attribute="lead_role",
        column_name="Lead role",
        widget=TextWidget("lead role", max_length=text_limit(Action, "lead_role")),
    )
    timescale = TextField(
        attribute="timescale",
        column_name="Timescale",
        widget=TextWidget("timescale", max_length=text_limit(Action, "timescale")),
    )
    starts_on = fields.Field(attribute="starts_on", column_name="Start date", widget=DateWidget("start date"))
    due_date = fields.Field(attribute="due_date", column_name="Due date", widget=DateWidget("due date"))
    actual_start = fields.Field(
        attribute="actual_start", column_name=ACTUAL_START, widget=DateWidget("actual start date")
    )
    actual_completion = fields.Field(
        attribute="actual_completion", column_name=ACTUAL_COMPLETION, widget=DateWidget("actual completion date")
    )
    also_answers = fields.Field(attribute="also_answers_numbers", column_name=ALSO_ANSWERS, widget=AlsoAnswersWidget())
    depends_on = fields.Field(
        attribute="depends_on_keys", column_name=DEPENDS_ON, widget=ActionReferencesWidget(DEPENDS_ON)
    )
    status = StatusChangeField(attribute="status", column_name=STATUS, widget=StatusWidget())
    public_status = fields.Field(
        attribute="public_status", column_name="Published status", widget=StatusWidget(), readonly=True
    )
    completion_evidence = StatusChangeField(
        attribute="completion_evidence",
        column_name=EVIDENCE,
        widget=TextWidget("evidence of completion", max_length=text_limit(ProgressUpdate, "completion_evidence")),
    )
    difference_made = StatusChangeField(
        attribute="difference_made",
        column_name=DIFFERENCE,
        widget=TextWidget("what difference it has made", max_length=text_limit(ProgressUpdate, "difference_made")),
    )
    next_steps = StatusChangeField(
        attribute="next_steps",
        column_name=NEXT_STEPS,
        widget=TextWidget("next steps", max_length=text_limit(ProgressUpdate, "next_steps")),
    )
    closure_reason = StatusChangeField(
        attribute="closure_reason",
        column_name=CLOSURE_REASON,
        widget=TextWidget("closure reason", max_length=text_limit(ProgressUpdate, "closure_reason")),
    )
    superseded_by = StatusChangeField(
        attribute="superseded_by", column_name=SUPERSEDED_BY, widget=ActionReferenceWidget(SUPERSEDED_BY)
    )
    latest_update = fields.Field(
        attribute="latest_update_text", column_name="Latest update", widget=TextWidget("latest update"), readonly=True
    )
    latest_update_date = fields.Field(
        attribute="latest_update_date",
        column_name="Latest update date",
        widget=DateWidget("latest update date"),
        readonly=True,
    )
    latest_update_published = fields.Field(
        attribute="latest_update_published",
        column_name="Latest update published",
        widget=YesNoWidget(),
        readonly=True,
    )

    class Meta:
        model = Action
        fields = (
            "recommendation",
            "recommendation_title",
            "theme",
            "response",
            "response_reason",
            "response_agreed_by",
            "response_agreed_on",
            "reference",
            "description",
            "lead_officer",
            "lead_role",
            "timescale",
            "starts_on",
            "due_date",
            "actual_start",
            "actual_completion",
            "also_answers",
            "depends_on",
            "status",
            "public_status",
            "completion_evidence",
            "difference_made",
            "next_steps",
            "closure_reason",
            "superseded_by",
            "latest_update",
            "latest_update_date",
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
        self.plan_actions = {}  # (recommendation number, reference): Action
        self.recommendations = {}  # number: Recommendation
        self.row_problems = defaultdict(dict)  # row index: {attribute: [message]}, found over the whole file
        self.recommendation_changes = []  # RecommendationChange, in the order of the file
        self.saved = []  # the rows' actions as they are saved (when writing), for what follows every row

    def set_references(self, keys):
        """How the Depends on and Superseded by columns name the actions of the plan (and of the file)."""
        references = PlanReferences(keys)
        for name in ("depends_on", "superseded_by"):
            self.fields[name].widget.references = references
        return references

    # Export

    def get_queryset(self):
        latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).newest_first()
        return plan_actions(self.challenge).annotate(
            latest_update_text=Subquery(latest.values("text")[:1]),
            latest_update_date=Subquery(latest.values("date")[:1]),
            latest_update_published=Subquery(latest.values("published")[:1]),
        )

    def export_actions(self):
        """The challenge's actions with their links, ready to export. Three queries, however many actions."""
        actions = attach_links(list(self.get_queryset()), self.challenge)
        self.set_references(key_of(action) for action in actions)
        return actions

    def dehydrate_completion_evidence(self, action):
        """The working update's evidence, so a re-imported Complete row asks for no new update."""
        evidence = working_evidence(action)
        return evidence[0] if evidence else ""

    def dehydrate_difference_made(self, action):
        evidence = working_evidence(action)
        return evidence[1] if evidence else ""

    def dehydrate_next_steps(self, action):
        """The working update's next steps (as its evidence), so a re-imported row asks for no new update."""
        return working_change(action).next_steps

    def dehydrate_closure_reason(self, action):
        return working_change(action).closure_reason

    def dehydrate_superseded_by(self, action):
        return self.fields["superseded_by"].widget.render(working_change(action).superseded_by)

    # Import

    def spreadsheet_row(self, index):
        """The row number a spreadsheet shows for the index-th data row (1-based, as import-export counts)."""
        return self.row_numbers[index - 1] if self.row_numbers else index + 1

    def action_fields(self):
        """The columns that are the action's own (its fields and links; not its status, its
        recommendation's, nor export-only ones)."""
        return [
            import_field
            for import_field in self.get_import_fields()
            if not import_field.readonly and not isinstance(import_field, StatusChangeField | RecommendationField)
        ]

    def before_import(self, dataset, **kwargs):
        """Load what the rows refer to, once: the challenge's recommendations, its actions with their
        links (locked while writing), the named lead officers. Then work out what the whole file asks
        of each recommendation and of the dependencies between actions."""
        recommendations = Recommendation.objects.filter(challenge=self.challenge).select_related("theme", "challenge")
        self.recommendations = {rec.number: rec for rec in recommendations}
        self.fields["recommendation"].widget.recommendations = self.recommendations
        self.fields["also_answers"].widget.numbers = set(self.recommendations)
        actions = plan_actions(self.challenge)
        if self.lock:
            actions = actions.select_for_update(of=("self",))
        self.plan_actions = {key_of(action): action for action in attach_links(list(actions), self.challenge)}
        rows = [dict(zip(dataset.headers, values)) for values in dataset]
        keys = [row_key(row) for row in rows]
        self.set_references([*self.plan_actions, *(key for key in keys if key is not None)])
        lead_column = self.fields["lead_officer"].column_name
        usernames = [as_text(name) for name in dataset[lead_column]] if lead_column in dataset.headers else []
        self.fields["lead_officer"].widget.users = lead_officers_named(usernames)
        self.plan_recommendations(rows, dataset.headers)
        self.plan_dependencies(rows, keys, dataset.headers)

    def problem(self, index, attribute, message):
        self.row_problems[index].setdefault(attribute, []).append(message)

    def plan_recommendations(self, rows, headers):
        """What the file asks of each recommendation: its actions' rows must agree, a blank cell
        saying nothing (the text columns become blank only when every row leaves them blank; a blank
        Response leaves the response as it is). A change is checked by Recommendation.full_clean(),
        and its problems are those of the recommendation's first row."""
        columns = [
            column
            for column in self.get_import_fields()
            if isinstance(column, RecommendationField) and column.column_name in headers
        ]
        if not columns:
            return
        rows_of = defaultdict(list)
        for index, row in enumerate(rows, 1):
            try:
                number = whole_number(row.get(RECOMMENDATION))
            except ValueError:
                continue
            if number in self.recommendations:
                rows_of[number].append((index, row))
        for number, its_rows in rows_of.items():
            recommendation = self.recommendations[number]
            candidate = copy.copy(recommendation)
            changes = []
            for column in columns:
                name = column.attribute.removeprefix("recommendation__")
                given = []
                for index, row in its_rows:
                    try:
                        value = column.clean(row)
                    except ValueError:
                        continue  # the row says what is wrong with the cell
                    if value not in (None, ""):
                        given.append((index, value))
                old = getattr(recommendation, name)
                if given:
                    first_index, new = given[0]
                    for index, value in given[1:]:
                        if not (same_text(value, new) if isinstance(new, str) else value == new):
                            self.problem(
                                index,
                                column.attribute,
                                f"{column.column_name} {quoted(column.widget.render(value))} differs from row "
                                f"{self.spreadsheet_row(first_index)}, another action of recommendation {number}: "
                                "give its actions the same value, or leave it blank on all but one",
                            )
                elif name == "response":
                    continue  # blank leaves the response as it is
                else:
                    new = "" if isinstance(old, str) else None
                if same_text(old, new) if isinstance(new, str) else old == new:
                    continue
                setattr(candidate, name, new)
                changes.append(Change(column.column_name, column.widget.render(old), column.widget.render(new)))
            if not changes:
                continue
            try:
                candidate.full_clean(exclude=["challenge", "theme"], validate_unique=False, validate_constraints=False)
            except ValidationError as invalid:
                for name, messages in invalid.message_dict.items():
                    label = RECOMMENDATION_COLUMNS.get(name, "Recommendation")
                    for message in messages:
                        self.problem(
                            its_rows[0][0], f"recommendation__{name}", f"{label}: {message} (recommendation {number})"
                        )
                continue
            self.recommendation_changes.append(
                RecommendationChange(
                    number=number,
                    title=recommendation.title,
                    row_number=self.spreadsheet_row(its_rows[0][0]),
                    changes=changes,
                    values={name: getattr(candidate, name) for name in RECOMMENDATION_COLUMNS},
                )
            )

    def plan_dependencies(self, rows, keys, headers):
        """The dependencies as the whole file would leave them: a row's Depends on replaces its action's,
        actions the file leaves out keep theirs. A row whose new dependency would close a loop (an
        action waiting, through others, on itself) has that as its problem. The model's
        dependency_errors() judges one action against the dependencies saved now, so it cannot judge a
        file that changes several at once; its rule is this one, and it runs again as each is written."""
        if DEPENDS_ON not in headers:
            return
        column = self.fields["depends_on"]
        before = {key: set(action.depends_on_keys) for key, action in self.plan_actions.items()}
        after = {key: set(dependencies) for key, dependencies in before.items()}
        changed, seen = [], set()
        for index, (row, key) in enumerate(zip(rows, keys), 1):
            if key is None or key in seen:
                continue
            seen.add(key)
            try:
                wanted = set(column.clean(row))
            except ValueError:
                continue  # the row says what is wrong with the cell
            wanted.discard(key)  # depending on itself is the row's own problem
            after[key] = wanted
            if wanted != before.get(key, set()):
                changed.append((index, key))
        render = column.widget.references.render
        for index, key in changed:
            for other in sorted(after[key] - before.get(key, set()), key=plan_order):
                path = path_between(after, other, key)
                if path:
                    loop = " → ".join(render(step) for step in [key, *path])
                    self.problem(
                        index,
                        column.attribute,
                        f"{DEPENDS_ON}: depending on action {render(other)} would make a loop ({loop}) in which "
                        "each action waits for the next for ever; remove one of these dependencies",
                    )

    def after_init_instance(self, instance, new, row, **kwargs):
        """Note the action's values as they were, to tell what the row changes once the model's rules ran."""
        instance.imported = {}
        instance.status_change = None
        instance.field_changes = []
        if new:
            instance.also_answers_numbers, instance.depends_on_keys = (), ()
            instance.links_before = ((), ())
        instance.values_before = None if new else self.action_values(instance)

    def action_values(self, instance):
        return {import_field.column_name: str(import_field.export(instance)) for import_field in self.action_fields()}

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as invalid:
            errors = invalid.update_error_dict(errors)
        key = row_key(row)
        if not errors.keys() & STATUS_CHANGE_COLUMNS:  # else the status change cannot be read
            try:
                instance.status_change = self.status_change(instance, key)
            except ValidationError as invalid:
                errors = invalid.update_error_dict(errors)
        if key is not None:
            this_row = self.spreadsheet_row(kwargs["row_number"])
            first = self.first_row_of.setdefault(key, this_row)
            if first != this_row:
                problem = f"action {key[1]} of recommendation {key[0]} is also on row {first}"
                errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(problem))
        for name, messages in self.link_errors(instance, key).items():
            errors.setdefault(name, []).extend(ValidationError(message) for message in messages)
        for name, messages in self.row_problems.get(kwargs["row_number"], {}).items():
            errors.setdefault(name, []).extend(ValidationError(message) for message in messages)
        if errors:
            raise ValidationError(errors)

    def link_errors(self, instance, key):
        """The models' rules for the row's links: no recommendation it also answers is its own, and it
        does not depend on itself (loops through other actions are found over the whole file)."""
        errors = {}
        numbers = instance.also_answers_numbers
        if numbers and instance.recommendation_id is not None:
            messages = also_answers_errors(instance, [self.recommendations[number] for number in numbers])
            if messages:
                errors["also_answers_numbers"] = [f"{ALSO_ANSWERS}: {message}" for message in messages]
        if key is not None and key in instance.depends_on_keys:
            errors["depends_on_keys"] = [f"{DEPENDS_ON}: Action {key[1]} cannot depend on itself"]
        return errors

    def status_change(self, instance, key):
        """The progress update the row asks for, or None when the working update already says it all.
        A blank Status keeps the working status; a column the file leaves out, or text that differs only
        in spacing, changes nothing; text a status does not keep (evidence unless Complete, a closure
        reason unless the action is dropped) is left out."""
        imported = instance.imported
        current = working_change(instance)

        def value(name):
            old = getattr(current, name)
            if name not in imported:
                return old
            new = imported[name]
            return old if isinstance(new, str) and same_text(old, new) else new

        status = imported.get("status") or current.status
        change = StatusChange.of(status, **{name: value(name) for _, name in UPDATE_COLUMNS})
        if change == current:
            return None
        self.validate_status_change(instance, key, change, current)
        return change

    def update_text(self, change, current):
        """The text of the update an import records: the new status, or which of its columns changed."""
        if change.status != current.status:
            return services.status_change_text(change.status, IMPORT_STATUS_CHANGE)
        changed = [column for column, name in UPDATE_COLUMNS if getattr(change, name) != getattr(current, name)]
        words = changed[0] if len(changed) == 1 else f"{', '.join(changed[:-1])} and {changed[-1]}"
        return f"{words[0].upper()}{words[1:].lower()} changed {IMPORT_STATUS_CHANGE}."

    def validate_status_change(self, instance, key, change, current):
        """Check the update the import would record by the model's rules (evidence for Complete, a
        reason for a dropped action, what supersedes it, its date), so the preview says what is wrong
        rather than the import failing on confirm. An action the file adds may supersede another:
        it is of this challenge, and not the action itself, by how the file names it."""
        update = ProgressUpdate(
            action=instance if instance.pk else None,
            status=change.status,
            text=self.update_text(change, current),
            date=timezone.localdate(),
            published=True,
            approval=Approval.NOT_NEEDED,
            completion_evidence=change.completion_evidence,
            difference_made=change.difference_made,
            next_steps=change.next_steps,
            closure_reason=change.closure_reason,
        )
        own = {}
        successor = change.superseded_by
        if successor is not None:
            if successor == key:
                own["superseded_by"] = ["An action cannot supersede itself: choose another action"]
            elif successor in self.plan_actions:
                update.superseded_by_id = self.plan_actions[successor].pk
        try:
            update.full_clean(
                exclude=["action", "author", "superseded_by"], validate_unique=False, validate_constraints=False
            )
            found = {}
        except ValidationError as invalid:
            found = invalid.message_dict
        if successor is not None and (own or successor not in self.plan_actions):
            found.pop("superseded_by", None)  # the model cannot see an action the file adds
        found.update(own)
        if not found:
            return
        columns = {name: column for column, name in UPDATE_COLUMNS}
        errors = {}
        for name, messages in found.items():
            if name in columns:
                errors[name] = [f"{message} in the '{columns[name]}' column" for message in messages]
            else:
                errors.setdefault("status", []).extend(
                    f"the status cannot change to {change.status.label}: {message}" for message in messages
                )
        raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A new status is a change to record even when the action's own fields stay as they are."""
        if instance.status_change is not None and not import_validation_errors:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own validation, as every way in to the plan runs it: Action.full_clean().

        Cells that could not be read keep their own message (the model would only repeat it). The
        database constraints are left to the database: the row's key was matched against the
        challenge's actions just now and duplicates in the file are refused, and the date order
        rules are Action.clean()'s too. So the only query per row is the model's own check of a new lead.
        """
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *LOOKED_UP_BY_THE_IMPORT], validate_unique=False, validate_constraints=False
            )
        except ValidationError as invalid:
            for name, model_errors in invalid.error_dict.items():
                if name not in errors:
                    errors[name] = [self.readable(name, error, instance) for error in model_errors]
        if errors:
            raise ValidationError(errors)
        instance.field_changes = self.field_changes(instance)

    def readable(self, name, error, instance):
        """A model's message as a row's reason: which lead officer, or which column, it is about."""
        message = " ".join(error.messages)
        if name == "lead_officer" and instance.lead_officer is not None:
            return f"{message} ({quoted(instance.lead_officer.get_username())} is not)"
        if error.code and name in self.fields:
            return f"{self.fields[name].column_name}: {message}"
        return message

    def field_changes(self, instance):
        """What the row changes in the action's own fields and links, after the model's rules (a quarter's dates)."""
        if instance.values_before is None:
            return []
        after = self.action_values(instance)
        return [
            Change(column, old, after[column]) for column, old in instance.values_before.items() if old != after[column]
        ]

    def changes(self, instance):
        """Every change the row makes, the update's among them, as the preview shows them."""
        changes = list(instance.field_changes)
        change = instance.status_change
        if change is not None:
            current = working_change(instance)
            if change.status != current.status:
                changes.append(Change(STATUS, current.status.label, change.status.label))
            render = self.fields["superseded_by"].widget.render
            for column, name in UPDATE_COLUMNS:
                old, new = getattr(current, name), getattr(change, name)
                if old != new:
                    changes.append(
                        Change(column, render(old), render(new))
                        if name == "superseded_by"
                        else Change(column, old, new)
                    )
        return changes

    def do_instance_save(self, instance, is_create):
        """Save only an action whose own fields or links change: a status change alone is a progress update."""
        if is_create or instance.field_changes:
            super().do_instance_save(instance, is_create)

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("validate_only"):
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user
        if instance.pk and (instance.also_answers_numbers, instance.depends_on_keys) != instance.links_before:
            instance._change_reason = self.links_reason(instance)

    def links_reason(self, instance):
        """What a change of links says in the action's history, e.g. "Now depends on actions 1.2, 3.1"."""
        parts = []
        if instance.also_answers_numbers != instance.links_before[0]:
            numbers = ", ".join(str(number) for number in instance.also_answers_numbers)
            parts.append(f"also answers recommendations {numbers}" if numbers else "answers no other recommendation")
        if instance.depends_on_keys != instance.links_before[1]:
            references = self.fields["depends_on"].widget.render(instance.depends_on_keys).replace(";", ",")
            parts.append(f"depends on actions {references}" if references else "depends on no other action")
        reason = f"Now {'; '.join(parts)} (by an action plan import)"
        return reason if len(reason) <= HISTORY_REASON_MAX else reason[: HISTORY_REASON_MAX - 1] + "…"

    def after_save_instance(self, instance, row, **kwargs):
        """Links and updates wait until every row's action is saved: a row may name an action a later row adds."""
        self.saved.append(instance)

    def after_import_row(self, row, row_result, **kwargs):
        """The row's changes for the preview; a row whose values, once the model's rules ran, match the
        action's changes nothing and counts as unchanged."""
        row_result.changes = []
        instance = getattr(row_result, "instance", None)
        if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE and instance is not None:
            row_result.changes = self.changes(instance)
            if not row_result.changes:
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW and instance is not None:
            change = instance.status_change
            row_result.new_status = change.status if change is not None else Status(instance.status)

    def after_import(self, dataset, result, **kwargs):
        """When writing, once every row's action is saved: the recommendations' responses, then the
        links between actions (every dependency the file removes before any it adds, so no step makes a
        loop the whole file does not; the models' m2m checks run on each), then each row's progress
        update (apply_import holds the actions' locks). Leaves the id sequence alone: rows never carry
        ids (ModelResource would reset it)."""
        if kwargs.get("validate_only"):
            return
        for change in self.recommendation_changes:
            services.record_response(recommendation=self.recommendations[change.number], **change.values)
        actions = self.plan_actions | {key_of(action): action for action in self.saved}
        linked = [
            action
            for action in self.saved
            if (action.also_answers_numbers, action.depends_on_keys) != action.links_before
        ]
        if any(action.depends_on_keys != action.links_before[1] for action in linked):
            # As the action form does: no one else adds half of a loop meanwhile.
            list(PeerChallenge.objects.select_for_update().filter(pk=self.challenge.pk).values("pk"))
        for action in linked:
            removed = set(action.links_before[1]) - set(action.depends_on_keys)
            if removed:
                action.depends_on.remove(*(actions[key] for key in removed))
        for action in linked:
            added = set(action.depends_on_keys) - set(action.links_before[1])
            if added:
                action.depends_on.add(*(actions[key] for key in sorted(added, key=plan_order)))
            if action.also_answers_numbers != action.links_before[0]:
                action.also_answers.set([self.recommendations[number] for number in action.also_answers_numbers])
        for action in self.saved:
            change = action.status_change
            if change is not None:
                services.record_status_change(
                    action=action,
                    author=self.user,
                    status=change.status,
                    how=IMPORT_STATUS_CHANGE,
                    text=self.update_text(change, working_change(action)),
                    completion_evidence=change.completion_evidence,
                    difference_made=change.difference_made,
                    next_steps=change.next_steps,
                    closure_reason=change.closure_reason,
                    superseded_by=None if change.superseded_by is None else actions[change.superseded_by],
                )


def lead_officers_named(usernames):
    """Users by username, exact and lower-cased (a username's case is easy to get wrong). One query."""
    User = get_user_model()
    longest = User._meta.get_field(User.USERNAME_FIELD).max_length  # no user has a longer name
    names = {name for name in usernames if name and len(name) <= longest}
    if not names:
        return {}
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
    """The action plan as a tablib Dataset: three queries, however many actions."""
    resource = ActionPlanResource(challenge=challenge)
    dataset = resource.export(resource.export_actions())
    dataset.title = "Action plan"
    return dataset


def export_action_plan(*, challenge, format):
    """The file's bytes: CSV (UTF-8 with a byte-order mark, so Excel reads £ and accents) or XLSX."""
    dataset = export_dataset(challenge)
    if format == CSV:
        return csv_bytes(dataset)
    if format == XLSX:
        return xlsx_bytes(dataset)
    raise ValueError(f"Unknown format {format!r}")


def export_filename(challenge, format, today=None):
    today = today or timezone.localdate()
    return f"{challenge.slug}-action-plan-{today:%Y-%m-%d}.{format}"


def csv_bytes(dataset):
    """CSV in which no cell can run as a formula when it is opened in a spreadsheet: every cell is
    escaped (recommendations.spreadsheets), the imported columns too, and the import unescapes them."""
    escaped = tablib.Dataset(*(escape_row(row) for row in dataset), headers=dataset.headers, title=dataset.title)
    return base_formats.CSV().export_data(escaped).encode("utf-8-sig")


COLUMN_WIDTHS = {
    "Recommendation title": 40,
    "Theme": 30,
    "Action": 60,
    "Lead role": 30,
    RESPONSE_REASON: 40,
    EVIDENCE: 40,
    DIFFERENCE: 40,
    NEXT_STEPS: 40,
    CLOSURE_REASON: 40,
    "Latest update": 60,
}


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
        dataset = tablib.Dataset(headers=self.headers)
        for row in self.rows:
            dataset.append(row)
        return dataset


def format_of(filename):
    """ "csv" or "xlsx" from a file's name, or None."""
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
    table = _within_limits(read_rows(content))
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


def _within_limits(table):
    """The table's rows, as long as the file stays within what a plan could need: no cell longer than a
    spreadsheet cell can be, and not too many cells. Checked before any cell's text is copied."""
    cells = 0
    for number, values in enumerate(table, start=1):
        cells += len(values)
        if cells > MAX_CELLS:
            raise FileProblem(
                f"The file has more than {MAX_CELLS:,} cells; a plan needs one row per action and the plan's "
                "columns. Delete the unused rows and columns and upload the file again"
            )
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS for value in values):
            raise FileProblem(
                f"Row {number} has a cell of more than {MAX_CELL_CHARACTERS:,} characters, more than a "
                "spreadsheet cell can hold. Shorten it and upload the file again"
            )
        yield values


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
    """The CSV's rows, with the apostrophe our export put before formula-like text taken off again."""
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield [unescape_formula(value) for value in row]
    except csv.Error:
        raise FileProblem("The file could not be read as CSV: save it as 'CSV UTF-8' and upload it again") from None


NOT_A_WORKBOOK = "The file is not an Excel workbook: save it as .xlsx and upload it again"


def _xlsx_rows(content):
    import openpyxl

    _check_xlsx_archive(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error for files that are not workbooks
        raise FileProblem(NOT_A_WORKBOOK) from None
    return _xlsx_reader(workbook)


def _check_xlsx_archive(content):
    """Refuse a workbook that would unzip to too much, before openpyxl unzips any of it.

    An XLSX is a zip of XML parts, so a 1 MB file can unzip to gigabytes and keep a worker busy
    for minutes. The zip's directory declares each part's unzipped size, and Python's zipfile never
    inflates a part beyond it, so those sizes bound the work: their total, the number of parts, and
    each large part's compression ratio (spreadsheet XML shrinks tens of times; a zip bomb, hundreds).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except Exception:  # zipfile raises several kinds of error for files that are not zips
        raise FileProblem(NOT_A_WORKBOOK) from None
    if len(parts) > MAX_XLSX_PARTS:
        raise FileProblem(
            f"The workbook has more than {MAX_XLSX_PARTS} parts, far more than an action plan needs. "
            "Copy the action plan's rows into a new workbook, or save it as CSV, and upload that"
        )
    if sum(part.file_size for part in parts) > MAX_XLSX_UNZIPPED_BYTES:
        raise FileProblem(
            f"The workbook is too big once unzipped: more than {MAX_XLSX_UNZIPPED_BYTES // 2**20} MB. "
            "Copy the action plan's rows into a new workbook, or save it as CSV, and upload that"
        )
    for part in parts:
        if part.file_size >= RATIO_CHECKED_FROM_BYTES and part.file_size > MAX_COMPRESSION_RATIO * part.compress_size:
            raise FileProblem(
                f"The workbook is compressed in an unusual way (a part of it unzips to more than "
                f"{MAX_COMPRESSION_RATIO} times its size), so it cannot be read safely. Save it again from "
                "your spreadsheet program as .xlsx or CSV and upload that"
            )


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
    status: Status | None = None  # for a new action: the status the import gives it

    @property
    def errors(self):
        return [f"Row {self.row_number}: {reason}" for reason in self.reasons]


@dataclass
class RecommendationChange:
    """What importing the file changes in one recommendation's response (from its actions' rows)."""

    number: int
    title: str
    row_number: int  # the recommendation's first row in the file
    changes: list
    values: dict  # the response's fields as the import leaves them


@dataclass
class ImportPreview:
    """Every row of the file with what importing it would do; clean when no row has a problem."""

    rows: list
    ignored_columns: list = field(default_factory=list)
    not_in_file: list = field(default_factory=list)  # (recommendation number, reference) of actions left alone
    recommendations: list = field(default_factory=list)  # RecommendationChange

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
        return bool(self.new or self.changed or self.recommendations)

    @property
    def recommendations_summary(self):
        n = len(self.recommendations)
        return f", {count_of(n, 'recommendation')} with a changed response" if n else ""

    @property
    def summary(self):
        """For example "3 new actions, 2 changed, 30 unchanged" (and ", 1 recommendation with a changed response")."""
        return (
            f"{count_of(len(self.new), 'new action')}, {len(self.changed)} changed, {len(self.unchanged)} unchanged"
            f"{self.recommendations_summary}"
        )

    @property
    def applied_summary(self):
        return f"{count_of(len(self.new), 'new action')}, {len(self.changed)} changed{self.recommendations_summary}"

    @property
    def fingerprint(self):
        """A digest of what the import would do, to tell whether the plan changed since the preview."""
        outline = [[row.row_number, row.kind, [[c.column, c.old, c.new] for c in row.changes]] for row in self.rows]
        outline += [[r.number, [[c.column, c.old, c.new] for c in r.changes]] for r in self.recommendations]
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
        rows=outcomes,
        ignored_columns=plan_file.ignored_columns,
        not_in_file=resource.instance_loader.not_in_file,
        recommendations=resource.recommendation_changes,
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
        description=as_text(row.get(DESCRIPTION))[: text_limit(Action, "description")],
        changes=getattr(row_result, "changes", []),
        status=getattr(row_result, "new_status", None),
    )
    if row_result.validation_error is not None:
        outcome.reasons = _reasons(resource, row_result.validation_error)
    elif row_result.errors:
        for error in row_result.errors:
            logger.error("Importing row %s of an action plan failed", row_number, exc_info=error.error)
        outcome.reasons = ["this row could not be read; check its values and upload the file again"]
    return outcome


def _reasons(resource, validation_error):
    """A row's problems in the order of the file's columns, then any others, then the whole row's."""
    messages = validation_error.message_dict
    order = [import_field.attribute for import_field in resource.get_import_fields()]
    order += [name for name in messages if name not in order and name != NON_FIELD_ERRORS]
    order.append(NON_FIELD_ERRORS)
    return [message for name in order for message in messages.get(name, [])]


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
    Changed actions are saved (Action.save raises the version, with a history record by `user`);
    status changes are published progress updates by `user`. The actions stay locked throughout.
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
