"""Evidence files on progress updates (issue 12, acceptance 2): what is taken (by content, not by
name), the names shown and stored, who may download which, and that a failed save leaves no file
behind. Every test stores into its own temporary MEDIA_ROOT."""

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

from recommendations import evidence
from recommendations.evidence import (
    EMPTY,
    WRONG_TYPE,
    SizeLimitedUploadHandler,
    can_read_evidence,
    check_upload,
    readable_files,
    safe_name,
    save_update_with_evidence,
    store_evidence,
)
from recommendations.models import Approval, EvidenceFile, ProgressUpdate
from recommendations.roles import OFFICER, SCRUTINY_MEMBER
from recommendations.tests.factories import ProgressUpdateFactory, UserFactory
from recommendations.tests.queries import count_queries
from recommendations.tests.test_progress_updates import form_data, update_url

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A MEDIA_ROOT of the test's own: what is stored in it is what the tracker left behind."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return sorted(str(path.relative_to(media)) for path in Path(media).rglob("*") if path.is_file())


# Files of each kind, made here -------------------------------------------------------------------


def ooxml(folder, part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr(f"{folder}{part}", "<document/>")
    return buffer.getvalue()


def ole2(stream):
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    return header + "Root Entry".encode("utf-16-le") + b"\0" * 30 + stream.encode("utf-16-le") + b"\0" * 400


PDF_BYTES = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
CONTENT = {
    "report.pdf": (PDF_BYTES, "application/pdf"),
    "minutes.docx": (
        ooxml("word/", "document.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "minutes.doc": (ole2("WordDocument"), "application/msword"),
    "budget.xlsx": (ooxml("xl/", "workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "budget.xls": (ole2("Workbook"), "application/vnd.ms-excel"),
    "slides.pptx": (
        ooxml("ppt/", "presentation.xml"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "slides.ppt": (ole2("PowerPoint Document"), "application/vnd.ms-powerpoint"),
    "chart.png": (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 20, "image/png"),
    "photo.jpg": (b"\xff\xd8\xff\xe0\0\x10JFIF\0" + b"\0" * 20, "image/jpeg"),
    "photo.jpeg": (b"\xff\xd8\xff\xe1\0\x10Exif\0" + b"\0" * 20, "image/jpeg"),
    "logo.gif": (b"GIF89a\x01\0\x01\0" + b"\0" * 20, "image/gif"),
    "banner.webp": (b"RIFF\x24\0\0\0WEBPVP8 " + b"\0" * 20, "image/webp"),
    "figures.csv": ("Ward,Residents surveyed\nBramhall,1200\nCheadle – North,950\n".encode(), "text/csv"),
}


def upload(name, content=PDF_BYTES, content_type="application/octet-stream"):
    """A file as the browser sends it: the type it claims is the browser's guess, never trusted."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name="report.pdf"):
    return upload(name, PDF_BYTES, "application/pdf")


def message(invalid):
    return invalid.value.messages[0]


# What is taken ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CONTENT))
def test_each_kind_of_file_is_taken_with_its_type_from_its_content(name):
    content, content_type = CONTENT[name]

    checked = check_upload(upload(name, content, content_type="text/html"))

    assert checked.name == name
    assert checked.kind.content_type == content_type
    assert checked.size == len(content)


def test_a_password_protected_word_document_is_taken():
    assert check_upload(upload("locked.docx", ole2("EncryptedPackage"))).kind.label == "Word document"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024

    with pytest.raises(ValidationError) as invalid:
        check_upload(upload("big.pdf", PDF_BYTES + b"\0" * (1024 * 1024)))

    assert message(invalid) == "The selected file must be smaller than 1 MB"


def test_the_default_limit_is_20_mb_and_a_file_of_exactly_the_limit_is_taken(settings):
    assert settings.EVIDENCE_MAX_BYTES == 20 * 1024 * 1024
    assert evidence.too_big_message() == "The selected file must be smaller than 20 MB"
    settings.EVIDENCE_MAX_BYTES = len(PDF_BYTES)
    assert check_upload(pdf()).size == len(PDF_BYTES)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as invalid:
        check_upload(upload("empty.pdf", b""))

    assert message(invalid) == EMPTY == "The selected file is empty"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),  # a web page named .pdf
        ("report.pdf", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff" + b"\0" * 50),  # a Windows program named .pdf
        ("minutes.docx", ooxml("other/", "thing.xml")),  # a zip, but no Word document in it
        ("minutes.docx", b"PK\x03\x04" + b"\0" * 40),  # a broken zip
        ("minutes.doc", ole2("SomethingElse")),  # a compound file of no Office program
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),  # SVG can carry script: not taken
        ("figures.csv", b"Ward,Count\n\0\0\0binary"),  # NUL bytes: not text
        ("figures.csv", "Ward,Résidents\n".encode("latin-1")),  # not UTF-8
        ("notes.txt", b"Plain text is not one of the kinds taken"),
        ("setup.exe", b"MZ\x90\0"),
        ("no-extension", b"<html></html>"),
    ],
)
def test_a_file_of_another_type_is_refused_whatever_its_name_says(name, content):
    with pytest.raises(ValidationError) as invalid:
        check_upload(upload(name, content, content_type="application/pdf"))

    assert (
        message(invalid) == WRONG_TYPE == "The selected file must be a PDF, Word, Excel, PowerPoint, image or CSV file"
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("minutes.docx", CONTENT["budget.xlsx"][0], "is an Excel spreadsheet but its name does not end in .xlsx"),
        ("figures.csv", PDF_BYTES, "is a PDF but its name does not end in .pdf"),
        ("photo.png", CONTENT["photo.jpg"][0], "is a JPEG image but its name does not end in .jpg or .jpeg"),
        ("report", PDF_BYTES, "is a PDF but its name does not end in .pdf"),
    ],
)
def test_a_file_whose_name_disagrees_with_its_content_is_refused_saying_how_to_put_it_right(name, content, expected):
    with pytest.raises(ValidationError) as invalid:
        check_upload(upload(name, content))

    assert message(invalid) == f"The selected file {expected}: rename it and select it again"


# Names -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system.ini.pdf", "system.ini.pdf"),
        ("C:\\Users\\officer\\Desktop\\Cabinet report.pdf", "Cabinet report.pdf"),
        ("/var/www/report.PDF", "report.pdf"),
        ("re\x00port\x07\x1b[31m.pdf", "report[31m.pdf"),  # NUL and control characters dropped
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override cannot disguise the type
        ('what<is>:this"|?*.pdf', "whatisthis.pdf"),
        ("  spaced \t  out  .pdf ", "spaced out.pdf"),
        ("...pdf", "evidence.pdf"),
        (".pdf", "evidence.pdf"),
        ("Rapport – été 2024.pdf", "Rapport – été 2024.pdf"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
    ],
)
def test_the_name_shown_is_the_uploaded_name_made_safe(original, shown):
    assert safe_name(original) == shown
    assert len(safe_name(original)) <= evidence.NAME_MAX_CHARACTERS


@pytest.mark.parametrize("original", ["../../etc/passwd.pdf", "/etc/cron.d/x.pdf", "..\\..\\boot.pdf", "a\x00b.pdf"])
def test_a_path_traversal_name_is_stored_under_a_random_name_inside_the_media_folder(
    led_action, officer, media, original
):
    update = ProgressUpdateFactory(action=led_action)

    stored = store_evidence(update, pdf(original), public=False, by=officer)

    assert "/" not in stored.name and "\\" not in stored.name and "\x00" not in stored.name
    folder, file_name = stored.file.name.split("/")
    assert folder == "evidence"
    assert len(file_name) == len("0" * 32 + ".pdf") and file_name.endswith(".pdf")
    path = Path(stored.file.path).resolve()
    assert path.is_relative_to(Path(media).resolve())
    assert path.read_bytes() == PDF_BYTES
    assert stored_files(media) == [stored.file.name]


def test_stored_files_are_not_readable_by_other_users_of_the_server(led_action, officer):
    stored = store_evidence(ProgressUpdateFactory(action=led_action), pdf(), public=True, by=officer)

    assert os.stat(stored.file.path).st_mode & 0o007 == 0


def test_a_stored_file_records_what_the_page_shows(led_action, officer):
    update = ProgressUpdateFactory(action=led_action)

    stored = store_evidence(
        update, upload("budget.xlsx", CONTENT["budget.xlsx"][0], "text/plain"), public=True, by=officer
    )

    stored.refresh_from_db()
    assert (stored.update, stored.name, stored.public, stored.uploaded_by) == (update, "budget.xlsx", True, officer)
    assert stored.content_type == CONTENT["budget.xlsx"][1]
    assert stored.size == len(CONTENT["budget.xlsx"][0])


# Saving with an update: all or nothing ---------------------------------------------------------


def test_a_failed_save_leaves_no_file_in_storage_and_no_update(led_action, officer, media):
    before = ProgressUpdate.objects.count()

    def save_update():
        return ProgressUpdateFactory(action=led_action, text="Saved then rolled back")

    with pytest.raises(ValidationError):
        save_update_with_evidence(
            save_update, [(pdf("first.pdf"), True), (upload("second.pdf", b"<html></html>"), False)], by=officer
        )

    assert stored_files(media) == []
    assert ProgressUpdate.objects.count() == before
    assert not EvidenceFile.objects.exists()


def test_a_database_error_after_the_files_are_stored_leaves_none_behind(led_action, officer, media, monkeypatch):
    real_save = EvidenceFile.save
    saved = []

    def save_then_fail(self, *args, **kwargs):
        if saved:
            raise IntegrityError("the database refused the second file")
        saved.append(self)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(EvidenceFile, "save", save_then_fail)

    with pytest.raises(IntegrityError):
        save_update_with_evidence(
            lambda: ProgressUpdateFactory(action=led_action), [(pdf("a.pdf"), True), (pdf("b.pdf"), True)], by=officer
        )

    assert len(saved) == 1
    assert stored_files(media) == []
    assert not EvidenceFile.objects.exists()


def test_a_deleted_update_takes_its_stored_files_with_it(
    led_action, officer, media, django_capture_on_commit_callbacks
):
    update = ProgressUpdateFactory(action=led_action)
    store_evidence(update, pdf(), public=True, by=officer)

    with django_capture_on_commit_callbacks(execute=True):
        update.delete()

    assert stored_files(media) == []


# The update page ------------------------------------------------------------------------------


def with_files(action, **files):
    return form_data(action) | files


def test_the_update_page_offers_three_files_each_public_or_private_in_one_form(client, officer, led_action):
    client.force_login(officer)

    page = client.get(update_url(led_action)).content.decode()

    assert page.count("<form") == 2  # the sign-out button's, and the update's
    assert 'enctype="multipart/form-data"' in page
    assert page.count('type="file"') == 3
    assert page.count('name="submit"') == 1
    assert "Who can see file 1?" in page
    assert "The public, once the update is published" in page
    assert "Only the council&#x27;s staff and councillors" in page
    assert "each smaller than 20 MB" in page


def test_an_officer_attaches_files_to_an_update(client, officer, led_action, media):
    client.force_login(officer)
    data = with_files(
        led_action,
        file_1=pdf("Cabinet report.pdf"),
        visibility_1="public",
        file_2=upload("figures.csv", CONTENT["figures.csv"][0], "text/csv"),
        visibility_2="private",
    )

    response = client.post(update_url(led_action), data, follow=True)

    page = response.content.decode()
    assert "Progress update saved for action" in page
    assert "2 evidence files attached" in page
    update = led_action.progress_updates.latest("created_at")
    files = list(update.evidence_files.order_by("pk"))
    assert [(f.name, f.public, f.uploaded_by) for f in files] == [
        ("Cabinet report.pdf", True, officer),
        ("figures.csv", False, officer),
    ]
    assert stored_files(media) == sorted(f.file.name for f in files)
    assert f'href="{files[0].get_absolute_url()}"' in page
    assert "Cabinet report.pdf" in page and "(PDF," in page
    assert "Staff and councillors only" in page  # the CSV, to the officer


def test_a_file_needs_to_say_who_can_see_it(client, officer, led_action, media):
    client.force_login(officer)

    response = client.post(update_url(led_action), with_files(led_action, file_1=pdf()))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="#id_visibility_1_1">Select who can see file 1</a>' in page
    assert stored_files(media) == []
    assert not EvidenceFile.objects.exists()


def test_a_refused_file_is_shown_with_its_error_and_nothing_is_saved(client, officer, led_action, media, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(officer)
    before = led_action.progress_updates.count()
    data = with_files(
        led_action,
        text="Typed text that must survive",
        file_1=upload("report.pdf", b"<html>not a pdf</html>"),
        visibility_1="public",
        file_2=upload("big.pdf", PDF_BYTES + b"\0" * (1024 * 1024)),
        visibility_2="private",
        file_3=pdf("fine.pdf"),
        visibility_3="public",
    )

    response = client.post(update_url(led_action), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("There is a problem") == 1
    assert (
        '<a href="#id_file_1">The selected file must be a PDF, Word, Excel, PowerPoint, image or CSV file</a>' in page
    )
    assert '<a href="#id_file_2">The selected file must be smaller than 1 MB</a>' in page
    # A file the browser sent cannot be given back: the page says to choose it again.
    assert "Select file 3 again: files are not kept when there is a problem with the page" in page
    assert "Typed text that must survive" in page
    for n, chosen in ((1, "public"), (2, "private"), (3, "public")):  # who can see each: kept
        assert re.search(rf'name="visibility_{n}"[^>]*value="{chosen}"\s+checked', page), n
    assert led_action.progress_updates.count() == before
    assert stored_files(media) == []


def test_a_problem_with_the_update_asks_for_the_files_again_and_stores_none(client, officer, led_action, media):
    client.force_login(officer)
    data = with_files(led_action, text="", file_1=pdf(), visibility_1="private")

    response = client.post(update_url(led_action), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page
    assert (
        '<a href="#id_file_1">Select file 1 again: files are not kept when there is a problem with the page</a>' in page
    )
    assert stored_files(media) == []
    assert not EvidenceFile.objects.exists()


def test_a_stale_update_keeps_no_file(client, officer, led_action, media):
    client.force_login(officer)
    data = with_files(led_action, file_1=pdf(), visibility_1="public")
    ProgressUpdateFactory(action=led_action)  # someone else updated the action meanwhile

    response = client.post(update_url(led_action), data)

    assert response.status_code == 200
    assert "Someone else updated this action" in response.content.decode()
    assert "Select file 1 again" in response.content.decode()
    assert stored_files(media) == []
    assert not EvidenceFile.objects.exists()


def test_a_failure_while_storing_leaves_no_update_and_no_file(client, officer, led_action, media, monkeypatch):
    """Anything that fails after the first file is stored (the database, the storage) undoes it all."""
    real_store = evidence.store_evidence
    calls = []

    def store_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("the storage is full")
        return real_store(*args, **kwargs)

    monkeypatch.setattr(evidence, "store_evidence", store_then_fail)
    client.force_login(officer)
    before = led_action.progress_updates.count()
    data = with_files(
        led_action, file_1=pdf("a.pdf"), visibility_1="public", file_2=pdf("b.pdf"), visibility_2="public"
    )

    with pytest.raises(OSError):
        client.post(update_url(led_action), data)

    assert len(calls) == 2
    assert led_action.progress_updates.count() == before
    assert stored_files(media) == []


def test_the_upload_handler_stops_keeping_a_file_past_the_limit_but_counts_all_of_it(settings):
    settings.EVIDENCE_MAX_BYTES = 100
    handler = SizeLimitedUploadHandler()
    handler.new_file("file_1", "big.pdf", "application/pdf", 0)
    for start in range(0, 1000, 60):
        handler.receive_data_chunk(b"x" * 60, start)

    received = handler.file_complete(1000)

    assert received.size == 1000
    assert len(received.read()) <= 100
    received.close()


def test_a_huge_upload_is_refused_as_too_big(client, officer, led_action, media, settings):
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE the upload goes to a temporary file, which stops at the limit."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.EVIDENCE_MAX_BYTES = 4096
    client.force_login(officer)

    response = client.post(
        update_url(led_action),
        with_files(led_action, file_1=upload("big.pdf", PDF_BYTES + b"\0" * 10_000), visibility_1="public"),
    )

    assert "The selected file must be smaller than 4 KB" in response.content.decode()
    assert stored_files(media) == []


# Who may download which --------------------------------------------------------------------------


@pytest.fixture
def files(led_action, officer, other_council):
    """The same council's files: public on a published update, private on it, public on a draft and
    public on an update awaiting approval."""
    published = ProgressUpdateFactory(action=led_action, published=True)
    draft = ProgressUpdateFactory(action=led_action, published=False)
    awaiting = ProgressUpdateFactory(action=led_action, published=False, approval=Approval.AWAITING)
    return {
        "public": store_evidence(published, pdf("public.pdf"), public=True, by=officer),
        "private": store_evidence(published, pdf("private.pdf"), public=False, by=officer),
        "public on a draft": store_evidence(draft, pdf("draft.pdf"), public=True, by=officer),
        "public awaiting approval": store_evidence(awaiting, pdf("awaiting.pdf"), public=True, by=officer),
    }


@pytest.fixture
def readers(officer, scrutiny_member, superuser, other_council):
    return {
        "anonymous": None,
        "officer": officer,
        "scrutiny member": scrutiny_member,
        "superuser": superuser,
        "other council's officer": UserFactory(username="oliver-elsewhere", roles=[(other_council, OFFICER)]),
        "other council's scrutiny member": UserFactory(
            username="sid-elsewhere", roles=[(other_council, SCRUTINY_MEMBER)]
        ),
        "no membership": UserFactory(username="nobody"),
        "inactive officer": UserFactory(username="ivy", is_active=False, roles=[OFFICER]),
    }


MEMBERS = {"officer", "scrutiny member", "superuser"}


def file_url(evidence_file):
    return reverse("recommendations:evidence-file", args=[evidence_file.pk])


@pytest.mark.parametrize(
    "reader",
    [
        "anonymous",
        "officer",
        "scrutiny member",
        "superuser",
        "other council's officer",
        "other council's scrutiny member",
        "no membership",
    ],
)
def test_who_may_download_each_file(client, files, readers, reader):
    """A public file of a published update: anyone. Any other: the council's members and
    administrators; to everyone else it is not found (not forbidden: its existence is not given away)."""
    if readers[reader] is not None:
        client.force_login(readers[reader])
    problems = []
    for label, evidence_file in files.items():
        expected = 200 if label == "public" or reader in MEMBERS else 404
        response = client.get(file_url(evidence_file))
        if response.status_code != expected:
            problems.append(f"{label}: {response.status_code}, expected {expected}")
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == PDF_BYTES
    assert not problems, problems


def test_a_file_is_a_download_with_its_safe_name_and_stored_type(client, led_action, officer):
    update = ProgressUpdateFactory(action=led_action, published=True)
    stored = store_evidence(
        update, upload("../Rapport – été.xlsx", CONTENT["budget.xlsx"][0], "text/html"), public=True, by=officer
    )

    response = client.get(file_url(stored))

    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT["budget.xlsx"][1]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Rapport%20%E2%80%93%20%C3%A9t%C3%A9.xlsx"
    assert int(response["Content-Length"]) == len(CONTENT["budget.xlsx"][0])
    assert "no-store" not in response.get("Cache-Control", "")  # a public file may be cached
    assert b"".join(response.streaming_content) == CONTENT["budget.xlsx"][0]


def test_a_private_file_is_never_kept_in_a_cache(client, files, scrutiny_member):
    client.force_login(scrutiny_member)

    response = client.get(file_url(files["private"]))

    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="private.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_file_missing_from_storage_is_not_found(client, files, caplog):
    Path(files["public"].file.path).unlink()

    response = client.get(file_url(files["public"]))

    assert response.status_code == 404
    assert "missing from storage" in caplog.text


def test_files_are_never_served_from_a_public_media_url(client, files, settings):
    """Only the evidence view serves a stored file: nothing answers for MEDIA_URL and the stored name."""
    for url in ("/" + files["public"].file.name, f"/media/{files['public'].file.name}", settings.MEDIA_URL + "x"):
        with pytest.raises(Resolver404):
            resolve(url)


def test_the_rule_and_its_queryset_agree(files, readers):
    from django.contrib.auth.models import AnonymousUser

    for label, user in readers.items():
        user = user or AnonymousUser()
        expected = {
            f.pk
            for f in EvidenceFile.objects.select_related("update__action__recommendation__challenge")
            if can_read_evidence(user, f)
        }
        assert set(readable_files(user).values_list("pk", flat=True)) == expected, label


def test_the_action_page_lists_only_the_files_the_reader_may_download(client, files, led_action, other_council):
    public_page = client.get(led_action.get_absolute_url()).content.decode()

    assert "public.pdf" in public_page
    for label in ("private", "public on a draft", "public awaiting approval"):
        assert files[label].name not in public_page
        assert file_url(files[label]) not in public_page

    client.force_login(UserFactory(username="elsewhere", roles=[(other_council, OFFICER)]))
    assert "private.pdf" not in client.get(led_action.get_absolute_url()).content.decode()


def test_the_action_page_shows_staff_which_files_the_public_cannot_download(client, files, led_action, scrutiny_member):
    client.force_login(scrutiny_member)

    page = client.get(led_action.get_absolute_url()).content.decode()

    for evidence_file in files.values():
        assert f'href="{file_url(evidence_file)}"' in page
    assert "Staff and councillors only" in page
    assert "Public once published" in page


# Query budgets -------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["anonymous", "scrutiny member"])
def test_downloading_a_file_stays_within_its_query_budget(
    client, files, scrutiny_member, reader, django_assert_max_num_queries
):
    if reader != "anonymous":
        client.force_login(scrutiny_member)
    ProgressUpdateFactory.create_batch(5, action=files["public"].update.action)

    with django_assert_max_num_queries(1 if reader == "anonymous" else 5):
        response = client.get(file_url(files["public"]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_the_action_page_lists_files_in_one_query_however_many_there_are(client, led_action, officer, scrutiny_member):
    client.force_login(scrutiny_member)
    store_evidence(ProgressUpdateFactory(action=led_action), pdf(), public=True, by=officer)
    few = count_queries(client, led_action.get_absolute_url())

    for _ in range(6):
        update = ProgressUpdateFactory(action=led_action)
        for n in range(3):
            store_evidence(update, pdf(f"file {n}.pdf"), public=n != 1, by=officer)

    with CaptureQueriesContext(connection) as many:
        response = client.get(led_action.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("/evidence/") == 19
    assert len(many) == few


# Settings ----------------------------------------------------------------------------------------


def settings_with(**environment):
    """The settings module's STORAGES and MEDIA_ROOT under `environment`, read in a fresh Python."""
    code = (
        "import json; from cpc_tracker import settings as s; "
        "print(json.dumps({'storages': s.STORAGES['default'], 'media_root': str(s.MEDIA_ROOT), "
        "'max': s.EVIDENCE_MAX_BYTES}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MEDIA_ROOT", "EVIDENCE_"))}
    env |= {"SECRET_KEY": "settings-test", "DEBUG": "false", **environment}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_files_are_stored_in_the_media_folder_by_default():
    configured = settings_with()

    assert configured["storages"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert configured["media_root"] == str(ROOT / "media")
    assert configured["max"] == 20 * 1024 * 1024


def test_the_media_folder_and_the_limit_come_from_the_environment():
    configured = settings_with(MEDIA_ROOT="/srv/cpc-tracker/media", EVIDENCE_MAX_BYTES="5242880")

    assert configured["media_root"] == "/srv/cpc-tracker/media"
    assert configured["max"] == 5 * 1024 * 1024


def test_an_s3_compatible_bucket_is_used_when_one_is_named():
    configured = settings_with(
        AWS_STORAGE_BUCKET_NAME="council-evidence",
        AWS_S3_ENDPOINT_URL="https://s3.example.org",
        AWS_S3_REGION_NAME="eu-west-2",
    )

    storage = configured["storages"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "council-evidence"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.org"
    assert storage["OPTIONS"]["region_name"] == "eu-west-2"
    assert storage["OPTIONS"]["default_acl"] is None
    assert storage["OPTIONS"]["file_overwrite"] is False
    from storages.backends.s3 import S3Storage

    bucket = S3Storage(**storage["OPTIONS"])  # makes no connection until a file is read or written
    assert bucket.bucket_name == "council-evidence"
