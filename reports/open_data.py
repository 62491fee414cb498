"""A challenge's published status as open data: one row per action, the same columns in CSV and JSON.

Only published progress counts, by the rule every public page follows
(recommendations.publication): an action's status is its public status, that of its newest
published progress update, or Not started without one, so the files and the action's page agree.
Lead officers' names are personal data: the files give the lead role, and the name only where the
challenge publishes lead officers' names. Progress to date, next steps, the reason an action is
closing and what supersedes it come from that same published update only; slippage and "waiting on"
are the public ones of recommendations.schedule.

In the CSV file, text that a spreadsheet would run as a formula starts with an apostrophe
(recommendations.spreadsheets); the JSON file has the text as it was written.
"""

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils import timezone

from recommendations import schedule
from recommendations.models import DROPPED_STATUSES, Action, Response
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
        "Off track, Complete, Will not be taken forward or Superseded (Not started if nothing has been published)",
    ),
    Column(
        "latest_published_update_date",
        "The date of the latest published progress update, as YYYY-MM-DD (empty if none)",
        "date",
    ),
    Column(
        "latest_published_update",
        "Progress to date: what the latest published progress update says has been done (empty if none)",
    ),
    Column(
        "recommendation_response",
        "The council's response to the recommendation: " + ", ".join(r.label for r in Response),
    ),
    Column(
        "recommendation_response_reason",
        "The reasons the council gave for its response (empty if none were recorded)",
    ),
    Column(
        "recommendation_response_agreed_by",
        "The body that agreed the response, for example Cabinet (empty if not recorded)",
    ),
    Column(
        "recommendation_response_agreed_on",
        "The date the response was agreed, as YYYY-MM-DD (empty if not recorded)",
        "date",
    ),
    Column(
        "also_answers",
        "The numbers of other recommendations this action also answers, separated by '; ' (empty if none). "
        "Its status counts only towards its own recommendation's",
    ),
    Column("planned_start", "The date the action was planned to start, as YYYY-MM-DD (empty if none)", "date"),
    Column("actual_start", "The date the action really started, as YYYY-MM-DD (empty if not recorded)", "date"),
    Column(
        "actual_completion",
        "The date the action really finished, as YYYY-MM-DD (empty if not recorded)",
        "date",
    ),
    Column(
        "days_late",
        "How many days late the action is (an open action past its due date) or was (a complete one that "
        "finished after it: on its actual completion date, else the date of the update that said Complete); "
        "0 if on time; empty without a due date or once it will not be taken forward or is superseded",
        "integer",
    ),
    Column(
        "closure_reason",
        "Why the action will not be taken forward or is superseded, as the latest published progress update "
        "says (empty otherwise)",
    ),
    Column(
        "superseded_by",
        "The action_reference of the action that takes this one's place, when it is superseded (empty otherwise)",
    ),
    Column(
        "depends_on",
        "The action_reference of each action that must finish before this one can, separated by '; ' (empty if none)",
    ),
    Column(
        "waiting_on",
        "Those of depends_on that are holding this action up, being overdue, at risk or off track by their "
        "published status (empty if none)",
    ),
    Column("next_steps", "What the latest published progress update says will be done next (empty if none)"),
]
COLUMN_NAMES = [column.name for column in COLUMNS]
REFERENCE_NOTE = (
    "Where two recommendations have an action with the same action_reference, depends_on, waiting_on and "
    "superseded_by write it with the recommendation's number first, like 4/1.2."
)


def reference_renderer(actions):
    """How an action is named in the link columns: its action_reference, or "4/1.2" when two
    recommendations have an action 1.2."""
    counts = Counter(action.reference for action in actions)

    def render(action):
        if counts[action.reference] > 1:
            return f"{action.recommendation.number}/{action.reference}"
        return action.reference

    return render


def also_answers_of(challenge):
    """{action id: the numbers of the other recommendations it also answers, sorted}. One query."""
    numbers = defaultdict(list)
    for action_id, number in Action.also_answers.through.objects.filter(
        action__recommendation__challenge=challenge
    ).values_list("action_id", "recommendation__number"):
        numbers[action_id].append(number)
    return {action_id: sorted(found) for action_id, found in numbers.items()}


def iso(date):
    return date.isoformat() if date else None


def status_rows(challenge):
    """One dict per action, keyed by COLUMN_NAMES, in plan order. Three queries."""
    actions = schedule.waiting_on(actions_with_public_status(challenge), public=True)
    by_id = {action.pk: action for action in actions}
    also_answers = also_answers_of(challenge)
    name = reference_renderer(actions)
    rows = []
    for action in actions:
        recommendation, update = action.recommendation, action.public_update
        theme = recommendation.theme
        dropped = action.published_status in DROPPED_STATUSES
        successor = by_id.get(update.superseded_by_id) if dropped and update.superseded_by_id else None
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
                "recommendation_response": recommendation.get_response_display(),
                "recommendation_response_reason": recommendation.response_reason,
                "recommendation_response_agreed_by": recommendation.response_agreed_by,
                "recommendation_response_agreed_on": iso(recommendation.response_agreed_on),
                "also_answers": "; ".join(str(number) for number in also_answers.get(action.pk, [])),
                "planned_start": iso(action.starts_on),
                "actual_start": iso(action.actual_start),
                # Only once the published status says Complete, as on the public action page.
                "actual_completion": iso(schedule.completion_date(action, public=True)),
                "days_late": schedule.days_late(action, public=True),
                "closure_reason": update.closure_reason if dropped else "",
                "superseded_by": name(successor) if successor else "",
                "depends_on": "; ".join(name(dependency.action) for dependency in action.depends_on_list),
                "waiting_on": "; ".join(name(other) for other in action.waiting_on),
                "next_steps": update.next_steps if update else "",
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
