"""A challenge's published status as open data: one row per action, the same columns in CSV and JSON.

Only published progress counts, by the rule every public page follows
(recommendations.publication): an action's status is its public status, that of its newest
published progress update, or Not started without one, so the files and the action's page agree.
Lead officers' names are personal data: the files give the lead role, and the name only where the
challenge publishes lead officers' names.

In the CSV file, text that a spreadsheet would run as a formula starts with an apostrophe
(recommendations.spreadsheets); the JSON file has the text as it was written.
"""

import csv
import io
from dataclasses import dataclass

from django.utils import timezone

from recommendations.publication import actions_with_public_status, public_lead_of
from recommendations.spreadsheets import escape_formula

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    type: str = "string"


COLUMNS = [
    Column("council", "The council's name"),
    Column("challenge", "The title of the Corporate Peer Challenge"),
    Column("theme_number", "The number of the theme the recommendation is grouped under (empty if none)", "integer"),
    Column("theme", "The title of that theme (empty if none)"),
    Column("recommendation_number", "The recommendation's number in the peer team's report", "integer"),
    Column("recommendation", "The recommendation's title"),
    Column("action_reference", "The action's number in the action plan, for example 10.2"),
    Column("action", "What will be done"),
    Column("lead_role", "The post that leads the action, as the action plan states it (empty if not recorded)"),
    Column(
        "lead",
        "Who leads the action: the post, with the lead officer's name only where the council publishes "
        "lead officers' names; 'Not yet assigned' if nobody does",
    ),
    Column("timescale", "The timescale as the action plan states it"),
    Column("due_date", "The date the action is due, as YYYY-MM-DD (empty if none)", "date"),
    Column(
        "status",
        "The status of the latest published progress update: Not started, On track, At risk, "
        "Off track or Complete (Not started if nothing has been published)",
    ),
    Column(
        "latest_published_update_date",
        "The date of the latest published progress update, as YYYY-MM-DD (empty if none)",
        "date",
    ),
    Column("latest_published_update", "What the latest published progress update says (empty if none)"),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def status_rows(challenge):
    """One dict per action, keyed by COLUMN_NAMES, in plan order. Two queries."""
    rows = []
    for action in actions_with_public_status(challenge):
        recommendation, update = action.recommendation, action.public_update
        theme = recommendation.theme
        rows.append(
            {
                "council": challenge.council.name,
                "challenge": challenge.title,
                "theme_number": theme.number if theme else None,
                "theme": theme.title if theme else "",
                "recommendation_number": recommendation.number,
                "recommendation": recommendation.title,
                "action_reference": action.reference,
                "action": action.description,
                "lead_role": action.lead_role,
                "lead": public_lead_of(action, challenge),
                "timescale": action.timescale,
                "due_date": action.due_date.isoformat() if action.due_date else None,
                "status": action.published_status.label,
                "latest_published_update_date": update.date.isoformat() if update else None,
                "latest_published_update": update.text if update else "",
            }
        )
    return rows


def data_date(rows):
    """The date of the data: the newest published progress update's, or today if there is none."""
    dates = [row["latest_published_update_date"] for row in rows if row["latest_published_update_date"]]
    return max(dates) if dates else timezone.localdate().isoformat()


def as_json(challenge, rows):
    return {
        "council": challenge.council.name,
        "challenge": challenge.title,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "data_date": data_date(rows),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "columns": [{"name": c.name, "description": c.description, "type": c.type} for c in COLUMNS],
        "rows": rows,
    }


def as_csv(rows):
    """CSV text with a header row of COLUMN_NAMES; empty cells for missing values. No cell can run as
    a formula when the file is opened in a spreadsheet: formula-like text starts with an apostrophe."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if value is None else escape_formula(value) for name, value in row.items()})
    return out.getvalue()
