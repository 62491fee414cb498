"""Coordinators export a challenge's action plan as CSV or XLSX and import it back:
who may, what the files hold, previews, bad rows, round trips and query budgets."""

import csv
import datetime
import html
import io
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ROLES
from recommendations import exchange, spreadsheets
from recommendations.models import Action, ProgressUpdate, Status
from recommendations.roles import COORDINATOR, OFFICER

from .factories import (
    ActionFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ALLOWED = {"coordinator", "admin"}
IMPORT_COLUMNS = [
    "Recommendation",
    "Action reference",
    "Action",
    "Lead officer",
    "Lead role",
    "Timescale",
    "Start date",
    "Due date",
    "Status",
]
ALL_COLUMNS = [
    "Recommendation",
    "Recommendation title",
    "Theme",
    "Response",
    "Response reason",
    "Response agreed by",
    "Response agreed on",
    "Action reference",
    "Action",
    "Lead officer",
    "Lead role",
    "Timescale",
    "Start date",
    "Due date",
    "Actual start date",
    "Actual completion date",
    "Also answers",
    "Depends on",
    "Status",
    "Published status",
    "Evidence of completion",
    "What difference it has made",
    "Next steps",
    "Closure reason",
    "Superseded by",
    "Latest update",
    "Latest update date",
    "Latest update published",
]


@pytest.fixture
def challenge(db):
    challenge = PeerChallengeFactory(slug="stockport-cpc-2022")
    theme = ThemeFactory(challenge=challenge, number=1, title="Place leadership")
    for number in (1, 2, 3):
        RecommendationFactory(challenge=challenge, theme=theme, number=number, title=f"Recommendation title {number}")
    return challenge


def recommendation(challenge, number):
    return challenge.recommendations.get(number=number)


@pytest.fixture
def plan(challenge, officer):
    """Three actions with awkward text: commas, quotes, line breaks, a pound sign, a leading '='."""
    first = ActionFactory(
        recommendation=recommendation(challenge, 1),
        reference="1.1",
        description='Set up a "report-writing" working group, with terms of reference',
        lead_officer=officer,
        lead_role="Monitoring Officer",
        timescale="Q2 2024/25",
        starts_on=datetime.date(2024, 7, 1),
        due_date=datetime.date(2024, 9, 30),
        status=Status.ON_TRACK,
    )
    ProgressUpdateFactory(action=first, date=datetime.date(2024, 8, 1), text="Older update", published=True)
    ProgressUpdateFactory(action=first, date=datetime.date(2024, 8, 20), text="=Group met twice", published=True)
    second = ActionFactory(
        recommendation=recommendation(challenge, 1),
        reference="1.2",
        description="Review the £2m budget\r\nacross all directorates",
        lead_officer=None,
        lead_role="",
        timescale="",
        starts_on=None,
        due_date=None,
        status=Status.NOT_STARTED,
    )
    third = ActionFactory(
        recommendation=recommendation(challenge, 2),
        reference="2.1",
        description="=SUM(1,2) is not a formula here",
        lead_officer=officer,
        due_date=datetime.date(2025, 3, 31),
        status=Status.ON_TRACK,
    )
    # Complete for the council's staff (with its evidence); the public still sees On track.
    ProgressUpdateFactory(
        action=third,
        date=datetime.date(2025, 3, 1),
        text="Done, awaiting sign-off",
        status=Status.COMPLETE,
        published=False,
    )
    return [first, second, third]


def export_url(challenge, format):
    return reverse(f"recommendations:action-plan-export-{format}", args=[challenge.slug])


def import_url(challenge):
    return reverse("recommendations:action-plan-import", args=[challenge.slug])


def confirm_url(challenge):
    return reverse("recommendations:action-plan-import-confirm", args=[challenge.slug])


def csv_upload(rows, headers=IMPORT_COLUMNS, name="action-plan.csv"):
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile(name, stream.getvalue().encode("utf-8"), content_type="text/csv")


def read_csv(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def snapshot():
    """Everything an import could change: each action's fields, statuses and version, its progress
    updates, and the history."""
    actions = list(
        Action.objects.order_by("pk").values_list(
            "pk",
            "version",
            "reference",
            "description",
            "lead_officer",
            "lead_role",
            "timescale",
            "starts_on",
            "due_date",
            "status",
            "public_status",
        )
    )
    updates = list(ProgressUpdate.objects.order_by("pk").values_list("pk", "action", "status", "published"))
    return actions, updates, Action.history.count()


def page_text(response):
    return html.unescape(response.content.decode())


def preview_and_confirm(client, challenge, upload):
    preview = client.post(import_url(challenge), {"file": upload})
    assert preview.status_code == 200
    token = preview.context["confirm_form"]["token"].value()
    return preview, client.post(confirm_url(challenge), {"token": token}, follow=True)


# Who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["export-csv", "export-xlsx", "import"])
def test_who_may_open_the_export_and_import_pages(client, sign_in_as, plan, challenge, role, name):
    sign_in_as(role)
    url = reverse(f"recommendations:action-plan-{name}", args=[challenge.slug])

    response = client.get(url)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    elif role in ALLOWED:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_who_may_upload_a_file_for_preview(client, sign_in_as, plan, challenge, role):
    sign_in_as(role)
    before = snapshot()

    response = client.post(import_url(challenge), {"file": csv_upload([[1, "1.9", "A new action"]])})

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in ALLOWED:
        assert response.status_code == 200
        text = page_text(response)
        assert "1 new action, 0 changed, 0 unchanged" in text
        assert "3 actions in the plan are not in the file" in text
    else:
        assert response.status_code == 403
    assert snapshot() == before
    assert (exchange_pending(client) is not None) == (role in ALLOWED)


def exchange_pending(client):
    from recommendations.exchange_views import SESSION_KEY

    return client.session.get(SESSION_KEY)


def stash_pending_import(client, challenge, content, format="csv"):
    """Put a checked file in the session as the preview step would, for roles that cannot preview."""
    import base64

    from recommendations.exchange_views import SESSION_KEY

    preview = exchange.preview_import(challenge=challenge, file=content, format=format, user=None)
    session = client.session
    session[SESSION_KEY] = {
        "token": "a-token",
        "challenge": challenge.pk,
        "format": format,
        "name": "action-plan.csv",
        "content": base64.b64encode(content).decode("ascii"),
        "fingerprint": preview.fingerprint,
    }
    session.save()
    return "a-token"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_confirm_an_import_and_nothing_is_written_for_the_others(client, sign_in_as, plan, challenge, role):
    sign_in_as(role)
    content = csv_upload([[1, "1.9", "A new action"], [1, "1.1", "Reworded action"]]).read()
    token = stash_pending_import(client, challenge, content)
    before = snapshot()

    response = client.post(confirm_url(challenge), {"token": token})

    if role in ALLOWED:
        assert response.status_code == 302
        assert Action.objects.filter(reference="1.9").exists()
        assert Action.objects.get(reference="1.1").description == "Reworded action"
    else:
        assert response.status_code in (302, 403)
        if role == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code == 403
        assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_confirm_answers_only_posts(client, sign_in_as, challenge, role):
    sign_in_as(role)

    response = client.get(confirm_url(challenge))

    expected = {"anonymous": 302, "coordinator": 405, "admin": 405}.get(role, 403)
    assert response.status_code == expected


def test_unknown_challenge_is_not_found(client, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("recommendations:action-plan-export-csv", args=["no-such-challenge"])).status_code == 404
    assert client.get(reverse("recommendations:action-plan-import", args=["no-such-challenge"])).status_code == 404


# Export ----------------------------------------------------------------------------------------


def test_csv_export_has_one_row_per_action_with_the_plan_columns(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    other_challenge_action = ActionFactory(description="Another council's action")

    response = client.get(export_url(challenge, "csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = datetime.date.today()
    assert response["Content-Disposition"] == (
        f'attachment; filename="stockport-cpc-2022-action-plan-{today:%Y-%m-%d}.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the byte-order mark
    rows = read_csv(response.content)
    assert list(rows[0]) == ALL_COLUMNS
    assert [row["Action reference"] for row in rows] == ["1.1", "1.2", "2.1"]
    assert other_challenge_action.description not in response.content.decode("utf-8-sig")
    first, second, third = rows
    assert first == {
        "Recommendation": "1",
        "Recommendation title": "Recommendation title 1",
        "Theme": "Place leadership",
        "Response": "Not yet recorded",
        "Response reason": "",
        "Response agreed by": "",
        "Response agreed on": "",
        "Action reference": "1.1",
        "Action": 'Set up a "report-writing" working group, with terms of reference',
        "Lead officer": "olivia",
        "Lead role": "Monitoring Officer",
        "Timescale": "Q2 2024/25",
        "Start date": "2024-07-01",
        "Due date": "2024-09-30",
        "Actual start date": "",
        "Actual completion date": "",
        "Also answers": "",
        "Depends on": "",
        "Status": "On track",
        "Published status": "On track",
        "Evidence of completion": "",
        "What difference it has made": "",
        "Next steps": "",
        "Closure reason": "",
        "Superseded by": "",
        "Latest update": "'=Group met twice",  # an officer's text cannot run as a formula
        "Latest update date": "2024-08-20",
        "Latest update published": "Yes",
    }
    assert second["Action"] == "Review the £2m budget\r\nacross all directorates"
    assert (second["Lead officer"], second["Due date"], second["Status"]) == ("", "", "Not started")
    assert (second["Latest update"], second["Latest update published"]) == ("", "")
    assert third["Action"] == "'=SUM(1,2) is not a formula here"  # imported columns are escaped too
    assert (third["Status"], third["Published status"]) == ("Complete", "On track")  # working, then public
    assert (third["Evidence of completion"], third["What difference it has made"]) == (
        "Decision of Cabinet",
        "A clearer plan",
    )
    assert (third["Latest update"], third["Latest update published"]) == ("Done, awaiting sign-off", "No")


def test_xlsx_export_has_the_same_rows_as_text_never_formulas(client, coordinator, plan, challenge):
    client.force_login(coordinator)

    response = client.get(export_url(challenge, "xlsx"))

    assert response["Content-Type"] == exchange.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"].endswith(f'-action-plan-{datetime.date.today():%Y-%m-%d}.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ALL_COLUMNS
    assert rows[1][:8] == [1, "Recommendation title 1", "Place leadership", "Not yet recorded", None, None, None, "1.1"]
    first = dict(zip(ALL_COLUMNS, rows[1]))
    assert (first["Due date"], first["Status"], first["Latest update"]) == (
        "2024-09-30",
        "On track",
        "=Group met twice",
    )
    third = dict(zip(ALL_COLUMNS, rows[3]))
    assert (third["Status"], third["Published status"], third["Evidence of completion"]) == (
        "Complete",
        "On track",
        "Decision of Cabinet",
    )
    assert sheet["I4"].value == "=SUM(1,2) is not a formula here"  # as written: a text cell needs no apostrophe
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_is_three_queries_however_many_actions(challenge, django_assert_num_queries):
    """The actions with their updates, then the recommendations they also answer and the actions they
    depend on."""
    for number in range(1, 41):
        action = ActionFactory(recommendation=recommendation(challenge, 1 + number % 3), reference=f"9.{number}")
        ProgressUpdateFactory.create_batch(2, action=action)
        action.also_answers.add(recommendation(challenge, 1 + (number + 1) % 3))
        if number > 1:
            action.depends_on.add(Action.objects.get(reference=f"9.{number - 1}"))

    with django_assert_num_queries(3):
        content = exchange.export_action_plan(challenge=challenge, format="csv")

    assert len(read_csv(content)) == 40


def test_export_page_query_count_does_not_grow_with_the_plan(client, coordinator, challenge):
    client.force_login(coordinator)
    few_actions = [ActionFactory(recommendation=recommendation(challenge, 1), reference=f"1.{n}") for n in range(3)]
    for action in few_actions:
        ProgressUpdateFactory(action=action)
    with CaptureQueriesContext(connection) as few:
        assert client.get(export_url(challenge, "xlsx")).status_code == 200

    for n in range(37):
        ProgressUpdateFactory(action=ActionFactory(recommendation=recommendation(challenge, 2), reference=f"2.{n}"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(export_url(challenge, "csv"))

    assert len(read_csv(response.content)) == 40
    assert len(many) == len(few) <= 8  # 6, and the two for the links between actions and recommendations


# Import ----------------------------------------------------------------------------------------


def test_import_form_offers_the_downloads_and_a_file_upload(client, coordinator, challenge):
    client.force_login(coordinator)

    text = page_text(client.get(import_url(challenge)))

    assert "Import the action plan" in text
    assert 'type="file"' in text and 'accept=".csv,.xlsx"' in text
    assert "1 MB or less, with up to 500 actions" in text
    assert 'enctype="multipart/form-data"' in text
    assert export_url(challenge, "csv") in text and export_url(challenge, "xlsx") in text
    assert 'class="govuk-breadcrumbs"' in text


@pytest.mark.parametrize(
    "upload, message",
    [
        (None, "Select a CSV or Excel file"),
        (
            SimpleUploadedFile("notes.txt", b"Recommendation,Action reference,Action\n1,1.1,x\n"),
            "The file must be a CSV or XLSX file",
        ),
        (SimpleUploadedFile("plan.csv", b""), "The file is empty"),
        (SimpleUploadedFile("plan.xlsx", b""), "The file is empty"),
        (SimpleUploadedFile("plan.csv", b"a" * (1024 * 1024 + 1)), "The file must be smaller than 1 MB"),
        (SimpleUploadedFile("plan.xlsx", b"this is not a workbook"), "The file is not an Excel workbook"),
        (SimpleUploadedFile("plan.csv", b"Ref,Text\n1.1,x\n"), "Missing: Recommendation, Action reference, Action"),
        (SimpleUploadedFile("plan.csv", b"Recommendation,Action reference,Action\n\n"), "The file has no actions"),
    ],
)
def test_unusable_files_are_refused_with_a_message_saying_what_to_do(
    client, coordinator, plan, challenge, upload, message
):
    client.force_login(coordinator)
    before = snapshot()

    response = client.post(import_url(challenge), {"file": upload} if upload else {})

    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert message in text
    assert 'href="#id_file"' in text
    assert snapshot() == before


def test_clean_csv_creates_and_changes_actions_after_a_preview(
    client, coordinator, officer, other_officer, plan, challenge
):
    client.force_login(coordinator)
    first, second, third = plan
    upload = csv_upload(
        [
            # unchanged, but written the way people type: other case, UK dates, status value
            [
                1,
                "1.1",
                first.description,
                "OLIVIA",
                "Monitoring Officer",
                "Q2 2024/25",
                "01/07/2024",
                "30/09/2024",
                "on_track",
            ],
            # changed: lead officer, due date and status
            [1, "1.2", "Review the £2m budget\nacross all directorates", "owen", "", "", "", "31/03/2025", "at risk"],
            # unchanged
            [2, "2.1", third.description, "olivia", third.lead_role, third.timescale, "", "2025-03-31", "Complete"],
            # new
            [3, "3.1", "Publish a communications plan", "", "Head of Comms", "March 2025", "", "2025-03-31", ""],
        ]
    )
    before_versions = {action.pk: action.version for action in plan}
    before_history = {action.pk: action.history.count() for action in plan}

    preview = client.post(import_url(challenge), {"file": upload})

    text = page_text(preview)
    assert "1 new action, 1 changed, 2 unchanged" in text
    assert "Publish a communications plan" in text
    assert "Lead officer" in text and "owen" in text
    assert "Due date" in text and "2025-03-31" in text
    changes = preview.context["preview"].changed[0].changes
    assert changes == [
        exchange.Change("Lead officer", "", "owen"),
        exchange.Change("Due date", "", "2025-03-31"),
        exchange.Change("Status", "Not started", "At risk"),
    ]
    assert "Not started" in text and "At risk" in text
    assert "Confirm import" in text
    assert not Action.objects.filter(reference="3.1").exists()  # nothing written by the preview
    assert Action.history.filter(reference="1.2").count() == 1
    assert not second.progress_updates.exists()  # the status change is not recorded yet either

    token = preview.context["confirm_form"]["token"].value()
    response = client.post(confirm_url(challenge), {"token": token}, follow=True)

    assert response.redirect_chain[-1][0] == challenge.get_absolute_url()
    assert "Imported: 1 new action, 1 changed" in page_text(response)
    new = Action.objects.get(recommendation__challenge=challenge, recommendation__number=3, reference="3.1")
    assert (new.description, new.lead_officer, new.lead_role, new.timescale) == (
        "Publish a communications plan",
        None,
        "Head of Comms",
        "March 2025",
    )
    assert (new.due_date, new.status, new.version) == (datetime.date(2025, 3, 31), Status.NOT_STARTED, 1)
    assert new.history.get().history_user == coordinator
    second.refresh_from_db()
    assert (second.lead_officer, second.due_date, second.status) == (
        other_officer,
        datetime.date(2025, 3, 31),
        Status.AT_RISK,
    )
    assert second.description == "Review the £2m budget\r\nacross all directorates"  # line endings alone are no change
    # The status is a published progress update by the coordinator, with a system text ...
    update = second.progress_updates.get()
    assert (update.status, update.published, update.author, update.text) == (
        Status.AT_RISK,
        True,
        coordinator,
        "Status changed to At risk by an action plan import.",
    )
    assert second.public_status == Status.AT_RISK
    # ... and Action.save() raised the version: once for the row's changes, once as the status followed.
    assert second.version == before_versions[second.pk] + 2
    change = second.history.get(version=before_versions[second.pk] + 1)
    assert (change.history_type, change.history_user, change.lead_officer, change.status) == (
        "~",
        coordinator,
        other_officer,
        Status.NOT_STARTED,
    )
    for unchanged in (first, third):
        unchanged.refresh_from_db()
        assert unchanged.version == before_versions[unchanged.pk]
        assert unchanged.history.count() == before_history[unchanged.pk]
    assert third.progress_updates.count() == 2  # Complete in the file and in the plan: no new update
    assert exchange_pending(client) is None


def test_xlsx_export_edited_in_a_spreadsheet_imports_back(client, coordinator, other_officer, plan, challenge):
    client.force_login(coordinator)
    exported = client.get(export_url(challenge, "xlsx")).content
    workbook = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    column = {name: index + 1 for index, name in enumerate(headers)}
    sheet.cell(row=3, column=column["Due date"]).value = datetime.datetime(2025, 6, 30)  # a real date cell
    sheet.cell(row=3, column=column["Lead officer"]).value = "owen"
    sheet.cell(row=3, column=column["Latest update"]).value = "Edited, but export-only"
    new_row = {"Recommendation": 2, "Action reference": 2.2, "Action": "Hold a member briefing"}
    new_row |= {"Due date": "15/01/2025", "Status": "Off track"}
    sheet.append([new_row.get(name, "") for name in headers])
    stream = io.BytesIO()
    workbook.save(stream)
    upload = SimpleUploadedFile("action-plan.xlsx", stream.getvalue())

    preview, response = preview_and_confirm(client, challenge, upload)

    assert "1 new action, 1 changed, 2 unchanged" in page_text(preview)
    assert "Imported: 1 new action, 1 changed" in page_text(response)
    second = Action.objects.get(reference="1.2")
    assert (second.due_date, second.lead_officer) == (datetime.date(2025, 6, 30), other_officer)
    new = Action.objects.get(recommendation__number=2, reference="2.2")
    assert (new.description, new.due_date, new.status) == (
        "Hold a member briefing",
        datetime.date(2025, 1, 15),
        Status.OFF_TRACK,
    )
    assert not second.progress_updates.exists()


def test_every_bad_row_is_reported_with_its_number_and_reason_and_nothing_is_written(
    client, coordinator, plan, challenge
):
    client.force_login(coordinator)
    first = plan[0]
    upload = csv_upload(
        [
            [1, "1.1", "A good change that must wait", "olivia", "", "", "", "", "On track"],  # row 2
            [3, "3.5", "A good new action that must wait", "", "", "", "", "", ""],  # row 3
            [12, "12.1", "Unknown recommendation", "", "", "", "", "", ""],  # row 4
            [1, "1.2", "Bad date", "", "", "", "", "31/02/2024", ""],  # row 5
            [2, "2.1", "Unknown status", "", "", "", "", "", "Done"],  # row 6
            [3, "3.2", "Unknown lead", "jbloggs", "", "", "", "", ""],  # row 7
            [3, "", "", "", "", "", "next spring", "2024-01-01", "Finished"],  # row 8: several problems
            [3, "3.5", "The same action again", "", "", "", "", "", ""],  # row 9
            [3, "3.6", "Starts after it is due", "", "", "", "2025-05-01", "2025-04-01", ""],  # row 10
        ]
    )
    before = snapshot()

    response = client.post(import_url(challenge), {"file": upload})

    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem with 7 rows of the file" in text
    for error in [
        "Row 4: recommendation 12 does not exist in this challenge",
        "Row 5: due date '31/02/2024' is not a real date",
        "Row 6: status 'Done' is not one of Not started, On track, At risk, Off track, Complete",
        "Row 7: lead officer 'jbloggs' is not a user",
        "Row 8: action reference is blank",
        "Row 8: action is blank; say what will be done",
        "Row 8: start date 'next spring' is not a date like 2024-03-31 or 31/03/2024",
        "Row 8: status 'Finished' is not one of Not started, On track, At risk, Off track, Complete",
        "Row 9: action 3.5 of recommendation 3 is also on row 3",
        "Row 10: The due date must be the same as or after the start date",  # the model's rule
    ]:
        assert error in text
    assert 'href="#row-4"' in text and 'id="row-4"' in text
    assert "Row 2:" not in text and "Row 3:" not in text
    assert "Confirm import" not in text
    assert snapshot() == before
    assert exchange_pending(client) is None
    first.refresh_from_db()
    assert first.description != "A good change that must wait"


def test_apply_import_refuses_a_file_with_bad_rows_and_writes_nothing(coordinator, plan, challenge):
    rows = [[3, "3.5", "Good"], [12, "12.1", "Unknown recommendation"]]
    content = csv_upload(rows, headers=IMPORT_COLUMNS[:3]).read()
    before = snapshot()

    with pytest.raises(exchange.ImportNotClean) as refused:
        exchange.apply_import(challenge=challenge, file=content, format="csv", user=coordinator)

    assert refused.value.preview.errors == ["Row 3: recommendation 12 does not exist in this challenge"]
    assert snapshot() == before


def test_columns_left_out_of_the_file_are_left_as_they_are(coordinator, plan, challenge):
    first = plan[0]
    content = csv_upload([[1, "1.1", "Only the wording changes"]], headers=IMPORT_COLUMNS[:3]).read()

    preview = exchange.apply_import(challenge=challenge, file=content, format="csv", user=coordinator)

    assert preview.summary == "0 new actions, 1 changed, 0 unchanged"
    assert preview.changed[0].changes == [exchange.Change("Action", first.description, "Only the wording changes")]
    first.refresh_from_db()
    assert (first.description, first.lead_officer.username, first.due_date, first.status) == (
        "Only the wording changes",
        "olivia",
        datetime.date(2024, 9, 30),
        Status.ON_TRACK,
    )


def test_headings_are_matched_whatever_their_case_and_unknown_columns_are_ignored(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    upload = csv_upload(
        [[1, "1.1", "New wording", "RAG notes"]],
        headers=["recommendation", " Action Reference ", "ACTION", "Comments"],
    )

    text = page_text(client.post(import_url(challenge), {"file": upload}))

    assert "0 new actions, 1 changed, 0 unchanged" in text
    assert "will be ignored: Comments" in text


def test_csv_saved_by_excel_in_windows_1252_is_read(coordinator, plan, challenge):
    content = "Recommendation,Action reference,Action\r\n1,1.1,Find £2m of savings – by March\r\n".encode("cp1252")

    preview = exchange.preview_import(challenge=challenge, file=content, format="csv", user=coordinator)

    assert preview.changed[0].changes[0].new == "Find £2m of savings – by March"


def test_blank_rows_are_skipped_but_row_numbers_stay_those_the_spreadsheet_shows(coordinator, plan, challenge):
    content = (
        b"Recommendation,Action reference,Action\r\n"
        b",,\r\n"
        b'1,1.1,"Two lines\r\nin one cell"\r\n'
        b"\r\n"
        b"12,12.1,Unknown recommendation\r\n"
    )

    preview = exchange.preview_import(challenge=challenge, file=content, format="csv", user=coordinator)

    assert [row.row_number for row in preview.rows] == [3, 5]
    assert preview.errors == ["Row 5: recommendation 12 does not exist in this challenge"]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export_then_import_unchanged_changes_nothing(client, coordinator, plan, challenge, format):
    client.force_login(coordinator)
    exported = client.get(export_url(challenge, format)).content
    before = snapshot()

    response = client.post(import_url(challenge), {"file": SimpleUploadedFile(f"plan.{format}", exported)})
    preview = exchange.apply_import(challenge=challenge, file=exported, format=format, user=coordinator)

    text = page_text(response)
    assert "0 new actions, 0 changed, 3 unchanged" in text
    assert "nothing to import" in text
    assert "Confirm import" not in text
    assert preview.summary == "0 new actions, 0 changed, 3 unchanged"
    assert snapshot() == before


def test_confirm_checks_the_file_again_and_stops_if_the_plan_changed_meanwhile(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    upload = csv_upload([[1, "1.1", "The coordinator's wording"]], headers=IMPORT_COLUMNS[:3])
    preview = client.post(import_url(challenge), {"file": upload})
    token = preview.context["confirm_form"]["token"].value()
    # Someone else rewords the action meanwhile.
    Action.objects.filter(reference="1.1").update(description="Someone else's wording")

    response = client.post(confirm_url(challenge), {"token": token})

    text = page_text(response)
    assert response.status_code == 200
    assert "The action plan changed after you checked the file" in text
    assert response.context["preview"].changed[0].changes == [
        exchange.Change("Action", "Someone else's wording", "The coordinator's wording")
    ]
    assert Action.objects.get(reference="1.1").description == "Someone else's wording"

    response = client.post(confirm_url(challenge), {"token": token}, follow=True)

    assert "Imported: 0 new actions, 1 changed" in page_text(response)
    assert Action.objects.get(reference="1.1").description == "The coordinator's wording"


def test_an_import_that_fails_part_way_writes_nothing(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    upload = csv_upload(
        [[1, "1.1", "Saved first"], [3, "3.1", "Clashes with an action added meanwhile"]], headers=IMPORT_COLUMNS[:3]
    )
    preview = client.post(import_url(challenge), {"file": upload})
    token = preview.context["confirm_form"]["token"].value()
    before = snapshot()
    real_save = Action.save

    def save_then_clash(action, *args, **kwargs):
        if action.reference == "3.1":
            raise IntegrityError('duplicate key value violates unique constraint "unique_action_reference"')
        return real_save(action, *args, **kwargs)

    with mock.patch.object(Action, "save", autospec=True, side_effect=save_then_clash):
        response = client.post(confirm_url(challenge), {"token": token}, follow=True)

    assert response.redirect_chain[-1][0] == import_url(challenge)
    assert "Nothing was imported" in page_text(response)
    assert snapshot() == before


def test_confirm_without_a_checked_file_sends_you_back_to_upload(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    before = snapshot()

    response = client.post(confirm_url(challenge), {"token": "guessed"}, follow=True)

    assert response.redirect_chain[-1][0] == import_url(challenge)
    assert "Upload it again" in page_text(response)
    assert snapshot() == before


def test_a_checked_file_cannot_be_confirmed_for_another_challenge(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    other = PeerChallengeFactory()
    preview = client.post(import_url(challenge), {"file": csv_upload([[1, "1.9", "New"]], headers=IMPORT_COLUMNS[:3])})
    token = preview.context["confirm_form"]["token"].value()

    response = client.post(confirm_url(other), {"token": token})

    assert response.status_code == 302
    assert not Action.objects.filter(reference="1.9").exists()


def test_status_accepts_labels_and_values_in_any_case():
    assert [exchange.StatusWidget().clean(value) for value in ["On track", "AT RISK", "off_track", " complete "]] == [
        Status.ON_TRACK,
        Status.AT_RISK,
        Status.OFF_TRACK,
        Status.COMPLETE,
    ]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-03-31", datetime.date(2024, 3, 31)),
        ("31/03/2024", datetime.date(2024, 3, 31)),
        ("1/4/2024", datetime.date(2024, 4, 1)),
        (datetime.datetime(2024, 3, 31), datetime.date(2024, 3, 31)),
        ("", None),
    ],
)
def test_dates_are_read_as_iso_or_day_month_year(value, expected):
    assert exchange.parse_date(value, "due date") == expected


# The model's rules -----------------------------------------------------------------------------


def apply_csv(challenge, user, rows, headers=IMPORT_COLUMNS):
    return exchange.apply_import(
        challenge=challenge, file=csv_upload(rows, headers=headers).read(), format="csv", user=user
    )


def preview_csv(challenge, user, rows, headers=IMPORT_COLUMNS):
    return exchange.preview_import(
        challenge=challenge, file=csv_upload(rows, headers=headers).read(), format="csv", user=user
    )


def test_a_quarter_sets_an_imported_actions_dates_as_the_model_does(coordinator, plan, challenge):
    second = plan[1]
    rows = [
        [3, "3.1", "A new action this winter", "", "", "Q3 2025/26", "", "", ""],
        [1, "1.2", second.description, "", "", "Q4 2024/25", "", "", ""],
    ]

    preview = preview_csv(challenge, coordinator, rows)

    assert preview.changed[0].changes == [
        exchange.Change("Timescale", "", "Q4 2024/25"),
        exchange.Change("Start date", "", "2025-01-01"),
        exchange.Change("Due date", "", "2025-03-31"),
    ]

    apply_csv(challenge, coordinator, rows)

    new = Action.objects.get(recommendation__number=3, reference="3.1")
    assert (new.starts_on, new.due_date) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    second.refresh_from_db()
    assert (second.starts_on, second.due_date) == (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    # The same file again: once the model's rules have run, nothing differs.
    assert preview_csv(challenge, coordinator, rows).summary == "0 new actions, 0 changed, 2 unchanged"


@pytest.mark.parametrize(
    "row, message",
    [
        (
            [1, "1.2", "A plan", "", "", "Q5 2024/25", "", "", ""],
            "Timescale 'Q5 2024/25' is not a financial-year quarter: write it like Q3 2025/26 "
            "(Q1 to Q4, then the years it spans)",
        ),
        (
            [3, "3.1", "A plan", "", "", "Q3 2025/26", "", "2026-02-01", ""],
            "The due date must fall within Q3 2025/26, or leave it blank",
        ),
        (
            [1, "1.2", "x" * 2001, "", "", "", "", "", ""],
            "action is 2,001 characters long; the most it can be is 2,000",
        ),
        (
            [1, "1.2", "A plan", "", "L" * 201, "", "", "", ""],
            "lead role is 201 characters long; the most it can be is 200",
        ),
        (
            [1, "1.2", "A plan", "", "", "T" * 101, "", "", ""],
            "timescale is 101 characters long; the most it can be is 100",
        ),
        (
            [1, "1" * 21, "A plan", "", "", "", "", "", ""],
            "action reference is 21 characters long; the most it can be is 20",
        ),
        (
            [1, "1.2", "A plan", "sam", "", "", "", "", ""],
            "The lead officer must be an active officer or coordinator of this council ('sam' is not)",
        ),
    ],
)
def test_a_row_the_models_rules_refuse_is_reported_and_nothing_is_written(
    coordinator, scrutiny_member, plan, challenge, row, message
):
    before = snapshot()

    preview = preview_csv(challenge, coordinator, [[3, "3.9", "A good row"], row], headers=IMPORT_COLUMNS)
    with pytest.raises(exchange.ImportNotClean):
        apply_csv(challenge, coordinator, [[3, "3.9", "A good row", "", "", "", "", "", ""], row])

    assert preview.errors == [f"Row 3: {message}"]
    assert snapshot() == before


def test_only_the_councils_active_officers_and_coordinators_may_lead_an_imported_action(
    coordinator, plan, challenge, other_council
):
    UserFactory(username="elsie", roles=[(other_council, OFFICER)])
    UserFactory(username="gone", roles=[OFFICER], is_active=False)
    UserFactory(username="chris", roles=[COORDINATOR])
    rule = "The lead officer must be an active officer or coordinator of this council"

    preview = preview_csv(
        challenge,
        coordinator,
        [[3, "3.1", "A", "elsie"], [3, "3.2", "B", "gone"], [3, "3.3", "C", "chris"], [3, "3.4", "D", "OLIVIA"]],
        headers=IMPORT_COLUMNS[:4],
    )

    assert preview.errors == [f"Row 2: {rule} ('elsie' is not)", f"Row 3: {rule} ('gone' is not)"]
    assert [row.reference for row in preview.new] == ["3.3", "3.4"]


def test_an_imported_change_raises_the_version_once(coordinator, plan, challenge):
    first = plan[0]
    version = first.version

    apply_csv(challenge, coordinator, [[1, "1.1", "Reworded"]], headers=IMPORT_COLUMNS[:3])

    first.refresh_from_db()
    assert first.version == version + 1
    assert first.history.first().version == first.version


# Statuses --------------------------------------------------------------------------------------


def test_a_new_status_is_a_published_update_and_the_preview_writes_none(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    first = plan[0]
    version = first.version
    upload = csv_upload([[1, "1.1", first.description, "Off track"]], headers=[*IMPORT_COLUMNS[:3], "Status"])
    before = snapshot()

    preview = client.post(import_url(challenge), {"file": upload})

    assert preview.context["preview"].changed[0].changes == [exchange.Change("Status", "On track", "Off track")]
    assert "0 new actions, 1 changed, 0 unchanged" in page_text(preview)
    assert snapshot() == before

    token = preview.context["confirm_form"]["token"].value()
    response = client.post(confirm_url(challenge), {"token": token}, follow=True)

    assert "Imported: 0 new actions, 1 changed" in page_text(response)
    first.refresh_from_db()
    assert (first.status, first.public_status) == (Status.OFF_TRACK, Status.OFF_TRACK)
    update = first.progress_updates.newest_first().first()
    assert (update.status, update.text, update.author, update.published, update.approval) == (
        Status.OFF_TRACK,
        "Status changed to Off track by an action plan import.",
        coordinator,
        True,
        "not_needed",
    )
    assert first.version == version + 1  # the status followed the update; the action's own fields did not change


def test_a_new_action_can_start_with_a_status(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    rows = [[3, "3.1", "Started already", "", "", "", "", "", "At risk"]]

    text = page_text(client.post(import_url(challenge), {"file": csv_upload(rows)}))
    preview = apply_csv(challenge, coordinator, rows)

    assert '<td class="govuk-table__cell">At risk</td>' in text
    assert "recorded as a published progress update" in text
    assert preview.new[0].status == Status.AT_RISK
    new = Action.objects.get(recommendation__number=3, reference="3.1")
    assert (new.status, new.public_status, new.progress_updates.get().author) == (
        Status.AT_RISK,
        Status.AT_RISK,
        coordinator,
    )


EVIDENCE_COLUMNS = [*IMPORT_COLUMNS, "Evidence of completion", "What difference it has made"]


def test_complete_needs_evidence_of_completion_and_the_difference_it_made(coordinator, plan, challenge):
    second = plan[1]
    row = [1, "1.2", second.description, "", "", "", "", "", "Complete"]
    missing = [
        "Row 2: Enter the evidence that the action is complete in the 'Evidence of completion' column",
        "Row 2: Enter what difference the action has made in the 'What difference it has made' column",
    ]
    before = snapshot()

    assert preview_csv(challenge, coordinator, [row]).errors == missing  # the file has no such columns
    assert preview_csv(challenge, coordinator, [[*row, " ", ""]], headers=EVIDENCE_COLUMNS).errors == missing
    assert snapshot() == before

    preview = apply_csv(
        challenge,
        coordinator,
        [[*row, "Cabinet report, May 2025", "Budgets are reviewed each quarter"]],
        headers=EVIDENCE_COLUMNS,
    )

    assert preview.changed[0].changes == [
        exchange.Change("Status", "Not started", "Complete"),
        exchange.Change("Evidence of completion", "", "Cabinet report, May 2025"),
        exchange.Change("What difference it has made", "", "Budgets are reviewed each quarter"),
    ]
    second.refresh_from_db()
    update = second.progress_updates.get()
    assert (second.status, second.public_status) == (Status.COMPLETE, Status.COMPLETE)
    assert (update.completion_evidence, update.difference_made, update.published) == (
        "Cabinet report, May 2025",
        "Budgets are reviewed each quarter",
        True,
    )
    exported = read_csv(exchange.export_action_plan(challenge=challenge, format="csv"))[1]
    assert (exported["Evidence of completion"], exported["What difference it has made"]) == (
        "Cabinet report, May 2025",
        "Budgets are reviewed each quarter",
    )


def test_new_evidence_for_a_complete_action_is_a_new_update(coordinator, plan, challenge):
    third = plan[2]  # Complete, with "Decision of Cabinet" and "A clearer plan"
    row = [2, "2.1", third.description, "olivia", third.lead_role, third.timescale, "", "2025-03-31", "Complete"]

    unchanged = preview_csv(challenge, coordinator, [[*row, "Decision of Cabinet", "A clearer plan"]], EVIDENCE_COLUMNS)
    preview = apply_csv(
        challenge, coordinator, [[*row, "Decision of Cabinet, 5 March", "A clearer plan"]], EVIDENCE_COLUMNS
    )

    assert unchanged.summary == "0 new actions, 0 changed, 1 unchanged"
    assert preview.changed[0].changes == [
        exchange.Change("Evidence of completion", "Decision of Cabinet", "Decision of Cabinet, 5 March")
    ]
    assert third.progress_updates.newest_first().first().completion_evidence == "Decision of Cabinet, 5 March"


def test_an_import_with_status_changes_that_fails_part_way_writes_nothing(client, coordinator, plan, challenge):
    client.force_login(coordinator)
    upload = csv_upload(
        [[1, "1.1", "Saved first", "At risk"], [3, "3.1", "Clashes with an action added meanwhile", "On track"]],
        headers=[*IMPORT_COLUMNS[:3], "Status"],
    )
    preview = client.post(import_url(challenge), {"file": upload})
    token = preview.context["confirm_form"]["token"].value()
    before = snapshot()
    real_save = Action.save

    def save_then_clash(action, *args, **kwargs):
        if action.reference == "3.1":
            raise IntegrityError('duplicate key value violates unique constraint "unique_action_reference"')
        return real_save(action, *args, **kwargs)

    with mock.patch.object(Action, "save", autospec=True, side_effect=save_then_clash):
        response = client.post(confirm_url(challenge), {"token": token}, follow=True)

    assert "Nothing was imported" in page_text(response)
    assert snapshot() == before  # neither the first row's change nor its status update


# Limits ----------------------------------------------------------------------------------------


def xlsx_with_extra_part(challenge, size, parts=1):
    """Our own export of the plan with more parts in its zip, each `size` zero bytes (which deflate
    about a thousand times): the shape of a zip bomb, in a file of a few kilobytes."""
    stream = io.BytesIO(exchange.export_action_plan(challenge=challenge, format="xlsx"))
    with zipfile.ZipFile(stream, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        for n in range(parts):
            archive.writestr(f"xl/media/extra{n}.bin", b"\0" * size)
    return stream.getvalue()


@pytest.mark.parametrize(
    "size, parts, message",
    [
        (21 * 1024 * 1024, 1, "The workbook is too big once unzipped: more than 20 MB"),
        (2 * 1024 * 1024, 1, "The workbook is compressed in an unusual way (a part of it unzips to more than 100"),
        (10, 501, "The workbook has more than 500 parts"),
    ],
)
def test_an_xlsx_that_unzips_to_too_much_is_refused_before_it_is_opened(
    client, coordinator, plan, challenge, size, parts, message
):
    client.force_login(coordinator)
    content = xlsx_with_extra_part(challenge, size, parts)
    assert len(content) < exchange.MAX_FILE_BYTES
    before = snapshot()

    with mock.patch("openpyxl.load_workbook", side_effect=AssertionError("openpyxl opened the file")):
        response = client.post(import_url(challenge), {"file": SimpleUploadedFile("plan.xlsx", content)})

    assert "There is a problem" in page_text(response)
    assert message in page_text(response)
    assert snapshot() == before


def test_our_own_xlsx_export_is_within_the_limits(coordinator, plan, challenge):
    content = exchange.export_action_plan(challenge=challenge, format="xlsx")

    assert exchange.preview_import(challenge=challenge, file=content, format="xlsx", user=coordinator).is_clean


@pytest.mark.parametrize(
    "content, message",
    [
        (
            b"Recommendation,Action reference,Action\r\n1,1.1," + b"x" * 40000 + b"\r\n",
            "Row 2 has a cell of more than 32,767 characters, more than a spreadsheet cell can hold",
        ),
        (
            b"Recommendation,Action reference,Action\r\n1,1.1,x" + b"," * 600_000 + b"\r\n",
            "The file has more than 500,000 cells",
        ),
        (
            b"Recommendation,Action reference,Action\r\n" + b"".join(b"1,1.%d,x\r\n" % n for n in range(501)),
            "The file has more than 500 actions in it",
        ),
    ],
)
def test_a_file_with_too_long_a_cell_too_many_cells_or_rows_is_refused(
    client, coordinator, plan, challenge, content, message
):
    client.force_login(coordinator)
    before = snapshot()

    response = client.post(import_url(challenge), {"file": SimpleUploadedFile("plan.csv", content)})

    assert message in page_text(response)
    assert snapshot() == before


def test_a_long_cell_is_refused_by_its_columns_limit_before_its_text_is_copied():
    widget = exchange.ActionPlanResource().fields["description"].widget

    with mock.patch.object(exchange, "as_text", side_effect=AssertionError("the text was copied")):
        with pytest.raises(ValueError, match="action is 30,000 characters long; the most it can be is 2,000"):
            widget.clean("x" * 30000)


def test_evidence_is_held_to_the_progress_updates_limit(coordinator, plan, challenge):
    row = [1, "1.2", plan[1].description, "", "", "", "", "", "Complete", "e" * 2001, "A difference"]

    assert preview_csv(challenge, coordinator, [row], headers=EVIDENCE_COLUMNS).errors == [
        "Row 2: evidence of completion is 2,001 characters long; the most it can be is 2,000"
    ]


# Formulas in CSV -------------------------------------------------------------------------------

FORMULA_LIKE = ['=HYPERLINK("https://example.com","Click me")', "-5 days", "@home", "+44 161 000 0000"]


@pytest.mark.parametrize(
    "text", [*FORMULA_LIKE, "\tTabbed", "\rReturn", "'=quoted", "''@twice", "'hello", "plain", "'"]
)
def test_escaping_round_trips_and_never_leaves_a_formula(text):
    escaped = spreadsheets.escape_formula(text)

    assert spreadsheets.unescape_formula(escaped) == text
    assert not escaped.startswith(spreadsheets.FORMULA_START)


@pytest.fixture
def formula_like_plan(plan):
    first, _, third = plan
    Action.objects.filter(pk=first.pk).update(description=FORMULA_LIKE[0], lead_role=FORMULA_LIKE[1], timescale="@home")
    ProgressUpdate.objects.filter(action=third, status=Status.COMPLETE).update(
        completion_evidence="=1+1", difference_made="+20% fewer complaints"
    )
    return plan


def test_csv_export_escapes_every_column_people_typed(coordinator, formula_like_plan, challenge):
    first, _, third = read_csv(exchange.export_action_plan(challenge=challenge, format="csv"))

    assert (first["Action"], first["Lead role"], first["Timescale"], first["Latest update"]) == (
        "'" + FORMULA_LIKE[0],
        "'-5 days",
        "'@home",
        "'=Group met twice",
    )
    assert (third["Evidence of completion"], third["What difference it has made"]) == (
        "'=1+1",
        "'+20% fewer complaints",
    )


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_formula_like_text_comes_back_unchanged_after_export_and_import(
    coordinator, formula_like_plan, challenge, format
):
    exported = exchange.export_action_plan(challenge=challenge, format=format)
    before = snapshot()

    preview = exchange.apply_import(challenge=challenge, file=exported, format=format, user=coordinator)

    assert preview.summary == "0 new actions, 0 changed, 3 unchanged"
    assert snapshot() == before


def test_the_import_takes_off_one_apostrophe_before_formula_like_text_only(coordinator, plan, challenge):
    rows = [[1, "1.1", "'=SUM(A1:A2)"], [1, "1.2", "''-5 days"], [2, "2.1", "'Quoted, not a formula"]]

    preview = preview_csv(challenge, coordinator, rows, headers=IMPORT_COLUMNS[:3])

    assert [row.changes[0].new for row in preview.changed] == ["=SUM(A1:A2)", "'-5 days", "'Quoted, not a formula"]


# Query budgets ---------------------------------------------------------------------------------


def plan_rows(challenge, count):
    return [
        [1 + n % 3, f"{1 + n % 3}.{n + 10}", f"Action number {n}", "olivia", "", "", "", "2025-03-31", "On track"]
        for n in range(count)
    ]


def test_import_form_and_preview_stay_within_query_budget(client, coordinator, officer, challenge):
    """The preview's queries do not grow with the file, but for the model's own check that a new
    lead may lead the action (Action.clean), one per row that names a new lead."""
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as form_queries:
        assert client.get(import_url(challenge)).status_code == 200
    assert len(form_queries) <= 6  # 5, and the header's unread notifications

    few_rows = plan_rows(challenge, 3)
    for rec, reference, *_ in few_rows[:2]:
        ActionFactory(recommendation=recommendation(challenge, rec), reference=reference, lead_officer=officer)
    with CaptureQueriesContext(connection) as few:
        response = client.post(import_url(challenge), {"file": csv_upload(few_rows)})
    assert "1 new action, 2 changed, 0 unchanged" in page_text(response)

    many_rows = plan_rows(challenge, 40)
    for rec, reference, *_ in many_rows[3:30]:
        ActionFactory(recommendation=recommendation(challenge, rec), reference=reference, lead_officer=officer)
    with CaptureQueriesContext(connection) as many:
        response = client.post(import_url(challenge), {"file": csv_upload(many_rows)})
    assert "11 new actions, 29 changed, 0 unchanged" in page_text(response)

    def lead_checks(queries):
        return [sql for sql in (query["sql"] for query in queries) if f'"user_id" = {officer.pk})' in sql]

    assert (len(lead_checks(few)), len(lead_checks(many))) == (1, 11)  # the new actions'; the others keep theirs
    assert len(many) - 11 == len(few) - 1 <= 14  # 13 (two for the plan's links), and the header's unread notifications
