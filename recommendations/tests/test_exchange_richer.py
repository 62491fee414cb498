"""The action plan file's richer columns: the council's response to each recommendation, actual dates,
"also answers", "depends on", next steps and the closing states. Each round-trips unchanged, each
change is imported by the models' rules, and a row that breaks one is refused with nothing written."""

import datetime
import html
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations import exchange
from recommendations.models import Action, ProgressUpdate, Recommendation, Response, Status

from .factories import (
    ActionFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

KEY = ["Recommendation", "Action reference", "Action"]


@pytest.fixture
def challenge(db):
    challenge = PeerChallengeFactory(slug="anytown-cpc")
    theme = ThemeFactory(challenge=challenge, number=1, title="Place leadership")
    for number in (1, 2, 3, 4):
        RecommendationFactory(challenge=challenge, theme=theme, number=number, title=f"Recommendation title {number}")
    return challenge


def recommendation(challenge, number):
    return challenge.recommendations.get(number=number)


@pytest.fixture
def plan(challenge):
    """Every new column with a value: responses, actual dates, links, next steps, both closing states."""
    first, second = recommendation(challenge, 1), recommendation(challenge, 2)
    Recommendation.objects.filter(pk=first.pk).update(
        response=Response.ACCEPTED, response_agreed_by="Cabinet", response_agreed_on=datetime.date(2023, 2, 14)
    )
    Recommendation.objects.filter(pk=second.pk).update(
        response=Response.PARTLY_ACCEPTED,
        response_reason="The council will review; it cannot commit to a second office",
        response_agreed_by="Full Council",
        response_agreed_on=datetime.date(2023, 3, 1),
    )
    a11 = ActionFactory(
        recommendation=first,
        reference="1.1",
        description="Set up a working group",
        actual_start=datetime.date(2024, 7, 1),
    )
    ProgressUpdateFactory(action=a11, status=Status.ON_TRACK, text="Terms agreed", next_steps="Book the venue by May")
    a12 = ActionFactory(recommendation=first, reference="1.2", description="Write a new protocol")
    ProgressUpdateFactory(
        action=a12,
        status=Status.NOT_TAKEN_FORWARD,
        text="Decided at Cabinet",
        closure_reason="The new constitution covers it",
    )
    a21 = ActionFactory(
        recommendation=second,
        reference="2.1",
        description="Publish the budget",
        actual_start=datetime.date(2024, 7, 15),
        actual_completion=datetime.date(2024, 9, 1),
    )
    ProgressUpdateFactory(action=a21, status=Status.COMPLETE, text="Published")
    a22 = ActionFactory(recommendation=second, reference="2.2", description="Consult residents")
    ProgressUpdateFactory(
        action=a22,
        status=Status.SUPERSEDED,
        text="Merged",
        closure_reason="The working group consults residents",
        superseded_by=a11,
    )
    a11.also_answers.add(recommendation(challenge, 3))
    a11.depends_on.add(a21)
    a21.also_answers.add(recommendation(challenge, 3), recommendation(challenge, 4))
    for action in (a11, a12, a21, a22):
        action.refresh_from_db()
    return {"1.1": a11, "1.2": a12, "2.1": a21, "2.2": a22}


def export(challenge, format="csv"):
    return exchange.export_action_plan(challenge=challenge, format=format)


def exported_rows(challenge):
    dataset = exchange.export_dataset(challenge)
    return [dict(zip(dataset.headers, row)) for row in dataset]


def state():
    """Everything the richer columns could change, with versions and history."""
    actions = list(
        Action.objects.order_by("pk").values_list(
            "pk", "version", "actual_start", "actual_completion", "status", "public_status", "working_update"
        )
    )
    links = (
        sorted(Action.also_answers.through.objects.values_list("action_id", "recommendation_id")),
        sorted(Action.depends_on.through.objects.values_list("from_action_id", "to_action_id")),
    )
    recommendations = list(
        Recommendation.objects.order_by("pk").values_list(
            "pk", "response", "response_reason", "response_agreed_by", "response_agreed_on"
        )
    )
    updates = list(
        ProgressUpdate.objects.order_by("pk").values_list(
            "pk", "status", "next_steps", "closure_reason", "superseded_by", "completion_evidence"
        )
    )
    return actions, links, recommendations, updates, Action.history.count()


def csv_file(rows, headers):
    dataset = exchange.tablib.Dataset(*rows, headers=headers)
    return exchange.csv_bytes(dataset)


def preview_csv(challenge, user, rows, headers):
    return exchange.preview_import(challenge=challenge, file=csv_file(rows, headers), format="csv", user=user)


def apply_csv(challenge, user, rows, headers):
    return exchange.apply_import(challenge=challenge, file=csv_file(rows, headers), format="csv", user=user)


def edited(challenge, changes, *, headers=None, extra_rows=()):
    """The exported plan with cells changed: {reference: {column: value}}; new rows as dicts."""
    rows = exported_rows(challenge)
    headers = headers or list(rows[0])
    for row in rows:
        row.update(changes.get(row["Action reference"], {}))
    rows += [{name: "" for name in headers} | extra for extra in extra_rows]
    return [[row.get(name, "") for name in headers] for row in rows], headers


# Export ----------------------------------------------------------------------------------------


def test_the_export_has_every_new_column(challenge, plan):
    rows = {row["Action reference"]: row for row in exported_rows(challenge)}

    assert {column: rows["1.1"][column] for column in exchange.RECOMMENDATION_COLUMNS.values()} == {
        "Response": "Accepted",
        "Response reason": "",
        "Response agreed by": "Cabinet",
        "Response agreed on": "2023-02-14",
    }
    assert rows["2.1"]["Response"] == "Partly accepted"
    assert rows["2.2"]["Response reason"] == "The council will review; it cannot commit to a second office"
    assert (rows["1.1"]["Actual start date"], rows["1.1"]["Actual completion date"]) == ("2024-07-01", "")
    assert (rows["2.1"]["Actual start date"], rows["2.1"]["Actual completion date"]) == ("2024-07-15", "2024-09-01")
    assert (rows["1.1"]["Also answers"], rows["2.1"]["Also answers"], rows["1.2"]["Also answers"]) == ("3", "3; 4", "")
    assert (rows["1.1"]["Depends on"], rows["2.1"]["Depends on"]) == ("2.1", "")
    assert rows["1.1"]["Next steps"] == "Book the venue by May"
    assert (rows["1.2"]["Status"], rows["1.2"]["Closure reason"], rows["1.2"]["Superseded by"]) == (
        "Will not be taken forward",
        "The new constitution covers it",
        "",
    )
    assert (rows["2.2"]["Status"], rows["2.2"]["Closure reason"], rows["2.2"]["Superseded by"]) == (
        "Superseded",
        "The working group consults residents",
        "1.1",
    )


def test_an_action_reference_two_recommendations_share_is_written_with_its_recommendation(challenge):
    shared = ActionFactory(recommendation=recommendation(challenge, 1), reference="A")
    ActionFactory(recommendation=recommendation(challenge, 2), reference="A")
    waiting = ActionFactory(recommendation=recommendation(challenge, 3), reference="3.1")
    waiting.depends_on.add(shared)

    rows = {(row["Recommendation"], row["Action reference"]): row for row in exported_rows(challenge)}
    assert rows[(3, "3.1")]["Depends on"] == "1/A"

    content, headers = edited(challenge, {})
    preview = preview_csv(challenge, None, content, headers)
    assert (preview.is_clean, preview.has_changes) == (True, False)

    ambiguous = preview_csv(challenge, None, [[3, "3.1", waiting.description, "A"]], [*KEY, "Depends on"])
    assert ambiguous.errors == [
        "Row 2: Depends on: action 'A' is in more than one recommendation (1 and 2); write it with its "
        "recommendation's number, like 1/A"
    ]


# Round trips -----------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export_then_import_changes_nothing_in_any_new_column(client, coordinator, challenge, plan, format):
    client.force_login(coordinator)
    exported = client.get(reverse(f"recommendations:action-plan-export-{format}", args=[challenge.slug])).content
    before = state()

    page = client.post(
        reverse("recommendations:action-plan-import", args=[challenge.slug]),
        {"file": SimpleUploadedFile(f"plan.{format}", exported)},
    )
    preview = exchange.apply_import(challenge=challenge, file=exported, format=format, user=coordinator)

    assert "0 new actions, 0 changed, 4 unchanged" in html.unescape(page.content.decode())
    assert preview.summary == "0 new actions, 0 changed, 4 unchanged"
    assert state() == before


def test_an_xlsx_edited_in_a_spreadsheet_keeps_its_dates_and_lists(coordinator, challenge, plan):
    """Excel turns typed dates into date cells and "3" into a number: both read back as they were."""
    workbook = openpyxl.load_workbook(io.BytesIO(export(challenge, "xlsx")))
    sheet = workbook.active
    column = {cell.value: cell.column for cell in sheet[1]}
    for row in range(2, sheet.max_row + 1):
        for name in ("Response agreed on", "Actual start date", "Actual completion date"):
            cell = sheet.cell(row=row, column=column[name])
            if cell.value:
                cell.value = datetime.datetime.fromisoformat(cell.value)
        cell = sheet.cell(row=row, column=column["Also answers"])
        if cell.value == "3":
            cell.value = 3
    stream = io.BytesIO()
    workbook.save(stream)
    before = state()

    preview = exchange.apply_import(challenge=challenge, file=stream.getvalue(), format="xlsx", user=coordinator)

    assert preview.summary == "0 new actions, 0 changed, 4 unchanged"
    assert state() == before


# Changes ---------------------------------------------------------------------------------------


def test_each_new_column_is_imported(coordinator, challenge, plan):
    content, headers = edited(
        challenge,
        {
            "1.1": {"Also answers": "3; 4", "Depends on": "", "Next steps": "Hold the first meeting in June"},
            "1.2": {"Actual start date": "01/08/2024", "Closure reason": "The constitution of 2024 covers it"},
            "2.1": {"Response": "Accepted", "Response reason": "", "Response agreed on": "2023-03-02"},
            "2.2": {"Response": "accepted", "Response reason": "", "Response agreed on": "2023-03-02"},
        },
    )

    preview = apply_csv(challenge, coordinator, content, headers)

    assert preview.summary == "0 new actions, 2 changed, 2 unchanged, 1 recommendation with a changed response"
    changes = {row.reference: [(c.column, c.old, c.new) for c in row.changes] for row in preview.changed}
    assert changes == {
        "1.1": [
            ("Also answers", "3", "3; 4"),
            ("Depends on", "2.1", ""),
            ("Next steps", "Book the venue by May", "Hold the first meeting in June"),
        ],
        "1.2": [
            ("Actual start date", "", "2024-08-01"),
            ("Closure reason", "The new constitution covers it", "The constitution of 2024 covers it"),
        ],
    }
    [response_change] = preview.recommendations
    assert (response_change.number, response_change.row_number) == (2, 4)
    assert [(c.column, c.old, c.new) for c in response_change.changes] == [
        ("Response", "Partly accepted", "Accepted"),
        ("Response reason", "The council will review; it cannot commit to a second office", ""),
        ("Response agreed on", "2023-03-01", "2023-03-02"),
    ]
    second = recommendation(challenge, 2)
    assert (second.response, second.response_reason, second.response_agreed_by, second.response_agreed_on) == (
        Response.ACCEPTED,
        "",
        "Full Council",
        datetime.date(2023, 3, 2),
    )
    a11 = Action.objects.get(reference="1.1")
    assert sorted(a11.also_answers.values_list("number", flat=True)) == [3, 4]
    assert not a11.depends_on.exists()
    assert a11.working_update.next_steps == "Hold the first meeting in June"
    assert a11.working_update.text == "Next steps changed by an action plan import."
    assert (a11.status, a11.public_status, a11.working_update.published) == (Status.ON_TRACK, Status.ON_TRACK, True)
    a12 = Action.objects.get(reference="1.2")
    assert a12.actual_start == datetime.date(2024, 8, 1)
    assert (a12.status, a12.working_update.closure_reason) == (
        Status.NOT_TAKEN_FORWARD,
        "The constitution of 2024 covers it",
    )
    assert a12.working_update.text == "Closure reason changed by an action plan import."


def test_a_change_of_links_alone_raises_the_version_once_and_says_so_in_the_history(coordinator, challenge, plan):
    a12 = plan["1.2"]
    version = a12.version
    content, headers = edited(challenge, {"1.2": {"Depends on": "1.1; 2.1", "Also answers": "4"}})

    apply_csv(challenge, coordinator, content, headers)

    a12.refresh_from_db()
    assert a12.version == version + 1
    assert a12.history.first().history_change_reason == (
        "Now also answers recommendations 4; depends on actions 1.1, 2.1 (by an action plan import)"
    )
    assert list(a12.depends_on.order_by("reference").values_list("reference", flat=True)) == ["1.1", "2.1"]


def test_the_dropped_statuses_import_with_their_reason_and_successor(coordinator, challenge, plan):
    headers = [*KEY, "Status", "Closure reason", "Superseded by", "Next steps"]
    rows = [
        [1, "1.1", "Set up a working group", "Will not be taken forward", "Cabinet decided against it", "", ""],
        [2, "2.3", "A new way to consult residents", "On track", "", "", "Survey in spring"],
        [2, "2.1", "Publish the budget", "Superseded", "Replaced by a new approach", "2.3", ""],
    ]

    preview = apply_csv(challenge, coordinator, rows, headers)

    assert preview.summary == "1 new action, 2 changed, 0 unchanged"
    a11, a21 = Action.objects.get(reference="1.1"), Action.objects.get(reference="2.1")
    a23 = Action.objects.get(reference="2.3")
    assert (a11.status, a11.working_update.closure_reason, a11.working_update.superseded_by) == (
        Status.NOT_TAKEN_FORWARD,
        "Cabinet decided against it",
        None,
    )
    assert a11.working_update.text == "Status changed to Will not be taken forward by an action plan import."
    assert (a21.status, a21.working_update.closure_reason, a21.working_update.superseded_by) == (
        Status.SUPERSEDED,
        "Replaced by a new approach",
        a23,
    )
    assert (a23.status, a23.working_update.next_steps) == (Status.ON_TRACK, "Survey in spring")
    assert a21.working_update.completion_evidence == "", "a superseded action keeps no evidence of completion"


def test_dependencies_the_file_reverses_are_imported(coordinator, challenge, plan):
    """1.1 depends on 2.1 now; the file turns it round. Checked against the saved dependencies one by
    one this would look like a loop; over the whole file it is not, and it is written in that order."""
    content, headers = edited(challenge, {"1.1": {"Depends on": ""}, "2.1": {"Depends on": "1.1"}})

    apply_csv(challenge, coordinator, content, headers)

    assert not plan["1.1"].depends_on.exists()
    assert list(plan["2.1"].depends_on.all()) == [plan["1.1"]]


def test_a_new_action_may_depend_on_and_be_depended_on_by_rows_of_the_same_file(coordinator, challenge, plan):
    headers = [*KEY, "Depends on"]
    rows = [
        [3, "3.1", "Draft the strategy", ""],
        [3, "3.2", "Consult on the strategy", "3.1; 1.1"],
        [1, "1.2", "Write a new protocol", "3.2"],
    ]

    apply_csv(challenge, coordinator, rows, headers)

    a31, a32 = Action.objects.get(reference="3.1"), Action.objects.get(reference="3.2")
    assert set(a32.depends_on.all()) == {a31, plan["1.1"]}
    assert list(plan["1.2"].depends_on.all()) == [a32]


# Refusals --------------------------------------------------------------------------------------


def assert_refused(challenge, user, rows, headers, errors):
    before = state()
    preview = preview_csv(challenge, user, rows, headers)
    assert preview.errors == errors
    with pytest.raises(exchange.ImportNotClean):
        apply_csv(challenge, user, rows, headers)
    assert state() == before


def test_a_loop_in_the_file_is_refused_on_each_of_its_rows(coordinator, challenge, plan):
    headers = [*KEY, "Depends on"]
    rows = [
        [1, "1.2", "Write a new protocol", "2.2"],
        [2, "2.2", "Consult residents", "1.2"],
    ]
    loop = "in which each action waits for the next for ever; remove one of these dependencies"

    assert_refused(
        challenge,
        coordinator,
        rows,
        headers,
        [
            f"Row 2: Depends on: depending on action 2.2 would make a loop (1.2 → 2.2 → 1.2) {loop}",
            f"Row 3: Depends on: depending on action 1.2 would make a loop (2.2 → 1.2 → 2.2) {loop}",
        ],
    )


def test_a_loop_through_the_saved_dependencies_is_refused(coordinator, challenge, plan):
    """1.1 depends on 2.1 already; 2.1 may not depend on 1.2 if 1.2 would depend on 1.1."""
    headers = [*KEY, "Depends on"]
    rows = [[2, "2.1", "Publish the budget", "1.2"], [1, "1.2", "Write a new protocol", "1.1"]]

    preview = preview_csv(challenge, coordinator, rows, headers)

    assert [row.row_number for row in preview.invalid] == [2, 3]
    assert preview.errors[0].startswith(
        "Row 2: Depends on: depending on action 1.2 would make a loop (2.1 → 1.2 → 1.1 → 2.1)"
    )
    assert_refused(challenge, coordinator, rows, headers, preview.errors)


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [
        ("Depends on", "1.1", "Depends on: Action 1.1 cannot depend on itself"),
        ("Depends on", "9.9", "Depends on: there is no action '9.9' in this plan or the file"),
        ("Also answers", "1", "Also answers: Recommendation 1 is this action's own recommendation"),
        ("Also answers", "12", "also answers recommendation 12, which does not exist in this challenge"),
        ("Also answers", "three", "also answers 'three', which is not a recommendation's number; write them like 3; 7"),
        ("Actual start date", "2999-01-01", "The actual start date must be today or in the past"),
    ],
)
def test_a_bad_link_or_date_is_refused_by_row(coordinator, challenge, plan, column, value, error):
    assert_refused(
        challenge, coordinator, [[1, "1.1", "Set up a working group", value]], [*KEY, column], [f"Row 2: {error}"]
    )


def test_actions_and_recommendations_of_another_challenge_cannot_be_named(coordinator, challenge, plan):
    other = ActionFactory(reference="7.1", recommendation__number=7)
    assert other.recommendation.challenge != challenge

    assert_refused(
        challenge,
        coordinator,
        [[1, "1.1", "Set up a working group", "7.1", "7"]],
        [*KEY, "Depends on", "Also answers"],
        [
            "Row 2: also answers recommendation 7, which does not exist in this challenge",
            "Row 2: Depends on: there is no action '7.1' in this plan or the file",
        ],
    )


@pytest.mark.parametrize(
    ("status", "reason", "successor", "errors"),
    [
        ("Will not be taken forward", "", "", ["Enter why the action is closing in the 'Closure reason' column"]),
        ("Superseded", "", "2.1", ["Enter why the action is closing in the 'Closure reason' column"]),
        ("Superseded", "Replaced", "", ["Choose the action that supersedes this one in the 'Superseded by' column"]),
        (
            "Superseded",
            "Replaced",
            "1.1",
            ["An action cannot supersede itself: choose another action in the 'Superseded by' column"],
        ),
        (
            "Will not be taken forward",
            "Dropped",
            "2.1",
            [
                "Only an update that says the action is superseded names what supersedes it in the "
                "'Superseded by' column"
            ],
        ),
    ],
)
def test_a_closing_status_needs_its_reason_and_a_real_successor(
    coordinator, challenge, plan, status, reason, successor, errors
):
    headers = [*KEY, "Status", "Closure reason", "Superseded by"]
    rows = [[1, "1.1", "Set up a working group", status, reason, successor]]

    assert_refused(challenge, coordinator, rows, headers, [f"Row 2: {error}" for error in errors])


def test_a_new_action_superseded_by_itself_is_refused(coordinator, challenge, plan):
    headers = [*KEY, "Status", "Closure reason", "Superseded by"]
    rows = [[3, "3.9", "A new action", "Superseded", "Replaced", "3.9"]]

    assert_refused(
        challenge,
        coordinator,
        rows,
        headers,
        ["Row 2: An action cannot supersede itself: choose another action in the 'Superseded by' column"],
    )


def test_a_recommendations_rows_must_agree_on_its_response(coordinator, challenge, plan):
    content, headers = edited(
        challenge,
        {
            "1.1": {"Response": "Not accepted", "Response reason": "Too costly"},
            "1.2": {"Response": "Accepted", "Response reason": ""},
        },
    )

    assert_refused(
        challenge,
        coordinator,
        content,
        headers,
        [
            "Row 3: Response 'Accepted' differs from row 2, another action of recommendation 1: give its actions "
            "the same value, or leave it blank on all but one"
        ],
    )


def test_a_blank_response_cell_says_nothing_so_one_row_may_carry_it(coordinator, challenge, plan):
    content, headers = edited(
        challenge,
        {
            "1.1": {"Response": "Not accepted", "Response reason": "Too costly"},
            "1.2": {"Response": "", "Response reason": ""},
        },
    )

    preview = apply_csv(challenge, coordinator, content, headers)

    assert [(c.column, c.new) for c in preview.recommendations[0].changes] == [
        ("Response", "Not accepted"),
        ("Response reason", "Too costly"),
    ]
    first = recommendation(challenge, 1)
    assert (first.response, first.response_reason) == (Response.NOT_ACCEPTED, "Too costly")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"Response": "Not accepted", "Response reason": ""},
            "Response reason: Enter the reasons the council gave for its response (recommendation 1)",
        ),
        (
            {"Response agreed on": "2999-01-01"},
            "Response agreed on: The date the response was agreed must be today or in the past (recommendation 1)",
        ),
        (
            {"Response": "Not yet recorded"},
            "Response: Choose the council's response, or remove who agreed it and when (recommendation 1)",
        ),
        (
            {"Response": "Maybe"},
            "response 'Maybe' is not one of Not yet recorded, Accepted, Partly accepted, Not accepted",
        ),
    ],
)
def test_a_response_the_models_rules_refuse_is_refused_on_the_recommendations_first_row(
    coordinator, challenge, plan, changes, error
):
    content, headers = edited(challenge, {"1.1": changes, "1.2": {name: "" for name in changes}})

    assert_refused(challenge, coordinator, content, headers, [f"Row 2: {error}"])


# The pages -------------------------------------------------------------------------------------


def test_the_preview_page_shows_the_responses_and_update_changes(client, coordinator, challenge, plan):
    client.force_login(coordinator)
    content, headers = edited(
        challenge,
        {
            "1.1": {"Response": "Partly accepted", "Response reason": "Only the first part", "Next steps": "Meet"},
            "1.2": {"Response": "", "Response reason": ""},
        },
    )

    response = client.post(
        reverse("recommendations:action-plan-import", args=[challenge.slug]),
        {"file": SimpleUploadedFile("plan.csv", csv_file(content, headers))},
    )

    text = html.unescape(response.content.decode())
    assert "0 new actions, 1 changed, 3 unchanged, 1 recommendation with a changed response" in text
    assert "Changed responses to recommendations" in text
    assert "1: Recommendation title 1" in text
    assert (
        'Accepted <span aria-hidden="true">→</span><span class="govuk-visually-hidden"> becomes </span> Partly accepted'
        in text
    )
    assert "Book the venue by May" in text and "Meet" in text
    assert "Confirm import" in text


def test_the_import_form_documents_the_new_columns(client, coordinator, challenge):
    client.force_login(coordinator)

    text = html.unescape(
        client.get(reverse("recommendations:action-plan-import", args=[challenge.slug])).content.decode()
    )

    for column in ("Response", "Actual start date", "Also answers", "Depends on", "Next steps", "Closure reason"):
        assert column in text
    assert "Not started, On track, At risk, Off track, Complete, Will not be taken forward or Superseded" in text
    assert "Not yet recorded, Accepted, Partly accepted or Not accepted" in text


def test_the_preview_makes_the_same_queries_however_many_links_the_file_has(client, coordinator, challenge):
    client.force_login(coordinator)

    def plan_of(size):
        Action.objects.all().delete()
        actions = [
            ActionFactory(recommendation=recommendation(challenge, 1 + n % 4), reference=f"{1 + n % 4}.{n}")
            for n in range(size)
        ]
        for before, action in zip(actions, actions[1:]):
            action.depends_on.add(before)
            action.also_answers.add(recommendation(challenge, 1 + (action.recommendation.number % 4)))
        content, headers = edited(challenge, {action.reference: {"Next steps": "Next"} for action in actions})
        return SimpleUploadedFile("plan.csv", csv_file(content, headers))

    counts = []
    for size in (3, 30):
        upload = plan_of(size)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("recommendations:action-plan-import", args=[challenge.slug]), {"file": upload}
            )
        assert f"0 new actions, {size} changed" in html.unescape(response.content.decode())
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 14
