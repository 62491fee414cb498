"""Evidence files in a browser: an officer attaches files to a progress update, is told what to fix
(and to choose the files again) when something is missing, then sees them listed on the action; the
public sees and downloads only the public one."""

from playwright.sync_api import expect

from .a11y import assert_accessible

PDF = b"%PDF-1.7\n% Report-writing training: attendance and feedback\n%%EOF\n"
CSV = b"Directorate,Staff trained\nAdult Social Care,42\nPlace,38\n"
TEXT = "Report-writing training delivered to 120 staff; the attendance report is attached."


def a_file(name, content, mime_type):
    return {"name": name, "mimeType": mime_type, "buffer": content}


def test_an_officer_attaches_evidence_files_and_the_public_downloads_the_public_one(
    stockport, signed_in_page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = signed_in_page("lead officer")
    page.goto(stockport.action.get_absolute_url() + "update/")
    expect(page.get_by_role("heading", name="Evidence files (optional)")).to_be_visible()

    # A file without saying who can see it: the error summary says so, and asks for the file again.
    page.locator("[name=text]").fill(TEXT)
    page.get_by_label("File 1 (optional)").set_input_files(a_file("Training attendance.pdf", PDF, "application/pdf"))
    page.get_by_role("button", name="Save progress update").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select who can see file 1")
    expect(summary).to_contain_text("Select file 1 again: files are not kept when there is a problem with the page")
    page.wait_for_function("document.activeElement.closest('.govuk-error-summary') !== null")
    expect(page.locator("[name=text]")).to_have_value(TEXT)
    assert page.title().startswith("Error: ")
    assert_accessible(page, "the update page with evidence file errors")

    # Chosen again, one public and one private, and published.
    page.get_by_label("File 1 (optional)").set_input_files(a_file("Training attendance.pdf", PDF, "application/pdf"))
    page.get_by_role("group", name="Who can see file 1?").get_by_label(
        "The public, once the update is published"
    ).check()
    page.get_by_label("File 2 (optional)").set_input_files(a_file("Trained by directorate.csv", CSV, "text/csv"))
    page.get_by_role("group", name="Who can see file 2?").get_by_label(
        "Only the council's staff and councillors"
    ).check()
    page.locator("[name=published]").check()
    page.get_by_role("button", name="Save progress update").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("2 evidence files attached")
    expect(page.get_by_role("link", name="Training attendance.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="Trained by directorate.csv")).to_be_visible()
    expect(page.get_by_text("Staff and councillors only")).to_be_visible()
    assert_accessible(page, "the action page listing evidence files")

    # The public: the public file only, downloaded under its name.
    public = signed_in_page("anonymous")
    public.goto(stockport.action.get_absolute_url())
    expect(public.get_by_role("link", name="Trained by directorate.csv")).to_have_count(0)
    with public.expect_download() as download_info:
        public.get_by_role("link", name="Training attendance.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "Training attendance.pdf"
    assert open(download.path(), "rb").read() == PDF
    assert_accessible(public, "the public action page with an evidence file")
