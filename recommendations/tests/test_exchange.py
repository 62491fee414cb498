"""Coordinators export a challenge's action plan as CSV or XLSX and import it back:
who may, what the files hold, previews, bad rows, round trips and query budgets."""

import csv
import datetime
import html
import io
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ROLES
from recommendations import exchange
from recommendations.models import Action, Status

from .factories import (
    ActionFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
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
    "Action reference",
    "Action",
    "Lead officer",
    "Lead role",
    "Timescale",
    "Start date",
    "Due date",
    "Status",
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
        status=Status.COMPLETE,
    )
    ProgressUpdateFactory(action=third, date=datetime.date(2025, 3, 1), text="Done, awaiting sign-off", published=False)
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
    """Everything an import could change: each action's fields and version, and the history."""
    actions = list(
        Action.objects.order_by("pk").values_list(
            "pk", "version", "reference", "description", "lead_officer", "lead_role", "timescale", "starts_on",
            "due_date", "status",
        )
    )
    return actions, Action.history.count()


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
        "Action reference": "1.1",
        "Action": 'Set up a "report-writing" working group, with terms of reference',
        "Lead officer": "olivia",
        "Lead role": "Monitoring Officer",
        "Timescale": "Q2 2024/25",
        "Start date": "2024-07-01",
        "Due date": "2024-09-30",
        "Status": "On track",
        "Latest update": "'=Group met twice",  # an officer's text cannot run as a formula
        "Latest update date": "2024-08-20",
        "Latest update published": "Yes",
    }
    assert second["Action"] == "Review the £2m budget\r\nacross all directorates"
    assert (second["Lead officer"], second["Due date"], second["Status"]) == ("", "", "Not started")
    assert (second["Latest update"], second["Latest update published"]) == ("", "")
    assert third["Action"] == "=SUM(1,2) is not a formula here"
    assert (third["Status"], third["Latest update"], third["Latest update published"]) == (
        "Complete",
        "Done, awaiting sign-off",
        "No",
    )


def test_xlsx_export_has_the_same_rows_as_text_never_formulas(client, coordinator, plan, challenge):
    client.force_login(coordinator)

    response = client.get(export_url(challenge, "xlsx"))

    assert response["Content-Type"] == exchange.CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"].endswith('-action-plan-{:%Y-%m-%d}.xlsx"'.format(datetime.date.today()))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ALL_COLUMNS
    assert rows[1][:5] == [1, "Recommendation title 1", "Place leadership", "1.1", rows[1][4]]
    assert rows[1][9:12] == ["2024-09-30", "On track", "=Group met twice"]
    assert sheet["E4"].value == "=SUM(1,2) is not a formula here"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_is_one_query_however_many_actions(challenge, django_assert_num_queries):
    for number in range(1, 41):
        action = ActionFactory(recommendation=recommendation(challenge, 1 + number % 3), reference=f"9.{number}")
        ProgressUpdateFactory.create_batch(2, action=action)

    with django_assert_num_queries(1):
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
    assert len(many) == len(few) <= 6


# Import ----------------------------------------------------------------------------------------


def test_import_form_offers_the_downloads_and_a_file_upload(client, coordinator, challenge):
    client.force_login(coordinator)

    text = page_text(client.get(import_url(challenge)))

    assert "Import the action plan" in text
    assert 'type="file"' in text and 'accept=".csv,.xlsx"' in text
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
            [1, "1.1", first.description, "OLIVIA", "Monitoring Officer", "Q2 2024/25", "01/07/2024", "30/09/2024",
             "on_track"],
            # changed: lead officer, due date and status
            [1, "1.2", "Review the £2m budget\nacross all directorates", "owen", "", "", "", "31/03/2025", "at risk"],
            # unchanged
            [2, "2.1", third.description, "olivia", third.lead_role, third.timescale, "", "2025-03-31", "Complete"],
            # new
            [3, "3.1", "Publish a communications plan", "", "Head of Comms", "March 2025", "", "2025-03-31", ""],
        ]
    )
    before_versions = {action.pk: action.version for action in plan}

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
    assert second.version == before_versions[second.pk] + 1
    latest = second.history.first()
    assert (latest.history_type, latest.history_user, latest.version) == ("~", coordinator, second.version)
    for unchanged in (first, third):
        unchanged.refresh_from_db()
        assert unchanged.version == before_versions[unchanged.pk]
        assert unchanged.history.count() == 1
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
    sheet.append([2, "", "", 2.2, "Hold a member briefing", "", "", "", "", "15/01/2025", "Off track"])
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
        "Row 10: start date 2025-05-01 is after the due date 2025-04-01",
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
    assert preview.changed[0].changes == [
        exchange.Change("Action", first.description, "Only the wording changes")
    ]
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
    upload = csv_upload([[1, "1.1", "Saved first"], [3, "3.1", "Clashes with an action added meanwhile"]],
                        headers=IMPORT_COLUMNS[:3])
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


# Query budgets ---------------------------------------------------------------------------------


def plan_rows(challenge, count):
    return [[1 + n % 3, f"{1 + n % 3}.{n + 10}", f"Action number {n}", "olivia", "", "", "", "2025-03-31", "On track"]
            for n in range(count)]


def test_import_form_and_preview_stay_within_query_budget(client, coordinator, officer, challenge):
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as form_queries:
        assert client.get(import_url(challenge)).status_code == 200
    assert len(form_queries) <= 5

    few_rows = plan_rows(challenge, 3)
    for rec, reference, *_ in few_rows[:2]:
        ActionFactory(recommendation=recommendation(challenge, rec), reference=reference)
    with CaptureQueriesContext(connection) as few:
        response = client.post(import_url(challenge), {"file": csv_upload(few_rows)})
    assert "1 new action, 2 changed, 0 unchanged" in page_text(response)

    many_rows = plan_rows(challenge, 40)
    for rec, reference, *_ in many_rows[3:30]:
        ActionFactory(recommendation=recommendation(challenge, rec), reference=reference)
    with CaptureQueriesContext(connection) as many:
        response = client.post(import_url(challenge), {"file": csv_upload(many_rows)})
    assert "11 new actions, 29 changed, 0 unchanged" in page_text(response)

    assert len(many) == len(few) <= 11
