"""The CPC clock as open data: one row per challenge and LGA milestone, the same columns in CSV and
JSON, for one challenge or every challenge the installation tracks.

Every state, due date and number of days is recommendations.clock's, the rule the challenge page
follows, worked out on the day the file is downloaded. Milestone dates are facts the council
publishes about itself (no draft or personal data), so the files are public.
"""

import csv
import io

from django.utils import timezone

from recommendations import clock
from recommendations.spreadsheets import escape_formula

from .open_data import LICENCE, LICENCE_URL, Column

COLUMNS = [
    Column("council", "The council's name"),
    Column("council_type", "The type of council, for example Metropolitan borough (empty if not recorded)"),
    Column("region", "The English region the council is in (empty if not recorded)"),
    Column("challenge", "The Corporate Peer Challenge's short name in this service's addresses (its slug)"),
    Column("challenge_title", "The title of the Corporate Peer Challenge"),
    Column("last_day_on_site", "The peer team's last day on site, as YYYY-MM-DD: each due date counts from it", "date"),
    Column("milestone", "The LGA milestone: " + ", ".join(rule.name for rule in clock.RULES)),
    Column("rule", "What the LGA expects of the council for that milestone"),
    Column("due", "The date the milestone is due by, as YYYY-MM-DD", "date"),
    Column(
        "happened",
        "The date it happened, as YYYY-MM-DD (empty if not recorded); when only the month is known, "
        "the 1st of that month",
        "date",
    ),
    Column("precision", "How much of the happened date is known: day or month (empty if not recorded)"),
    Column(
        "from_progress_review",
        "true when the date is that of the progress review on record, rather than one the council entered",
        "boolean",
    ),
    Column(
        "state",
        "The milestone's state on the date of the data, as the challenge page shows it: "
        + ", ".join(state.label for state in clock.State)
        + ". In the month it was due: only the month is known, and it is the month of the due date",
    ),
    Column(
        "days",
        "For Missed, the days it was late (at least, for a month); for Due, the days until its due date "
        "(0 when due today); for Not recorded, the days since its due date; empty otherwise",
        "integer",
    ),
    Column("state_words", "The state as the challenge page says it, for example Due in 12 days"),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def iso(day):
    return day.isoformat() if day else None


def milestone_rows(challenges, *, today=None):
    """One dict per challenge and milestone, keyed by COLUMN_NAMES, in the order given then the order
    the milestones fall due. `challenges` should come through clock.with_clock() (with their council)
    so the rows cost no query of their own."""
    today = today or timezone.localdate()
    rows = []
    for challenge in challenges:
        council = challenge.council
        for milestone in clock.milestones(challenge, today=today):
            rows.append(
                {
                    "council": council.name,
                    "council_type": council.get_kind_display(),
                    "region": council.get_region_display(),
                    "challenge": challenge.slug,
                    "challenge_title": challenge.title,
                    "last_day_on_site": iso(challenge.on_site_to),
                    "milestone": milestone.name,
                    "rule": milestone.rule,
                    "due": iso(milestone.due),
                    "happened": iso(milestone.happened),
                    "precision": milestone.precision if milestone.happened else "",
                    "from_progress_review": milestone.from_review_record,
                    "state": milestone.state.label,
                    "days": milestone.days,
                    "state_words": milestone.state_words,
                }
            )
    return rows


def as_json(rows, *, today=None, **about):
    """The rows with the licence, the date of the data (the day the states were worked out) and the
    columns; `about` adds keys first (the council and challenge of a one-challenge file)."""
    return {
        **about,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "data_date": (today or timezone.localdate()).isoformat(),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "columns": [{"name": c.name, "description": c.description, "type": c.type} for c in COLUMNS],
        "rows": rows,
    }


def as_csv(rows):
    """CSV text with a header row of COLUMN_NAMES; empty cells for missing values; true/false for the
    boolean; formula-like text starts with an apostrophe (recommendations.spreadsheets)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: cell(value) for name, value in row.items()})
    return out.getvalue()


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape_formula(value)
