"""PDFs made in the background, in a browser: a coordinator asks for a draft report's PDF and for the
progress review pack's, is told each is being prepared (no refresh of its own), and once the worker
has made it the same link downloads it. A PDF that could not be made says so, with a link to try
again. Each page passes axe and fits 320 px."""

import datetime

from playwright.sync_api import expect

from recommendations.tests.tasks import run_tasks
from reports.models import PdfStatus, PreparedPdf
from reports.tests.factories import CommitteeReportFactory

from .a11y import assert_accessible


def fits_320(page):
    page.set_viewport_size({"width": 320, "height": 640})
    fits = page.evaluate("document.documentElement.scrollWidth") <= 321
    page.set_viewport_size({"width": 1280, "height": 800})
    return fits


def test_a_pdf_is_prepared_then_downloaded_and_a_failure_can_be_tried_again(stockport, signed_in_page):
    challenge = stockport.challenge
    cut_off = challenge.on_site_from + datetime.timedelta(days=120)
    report = CommitteeReportFactory(
        challenge=challenge, committee="Scrutiny Committee", cut_off=cut_off, meeting_date=cut_off
    )
    page = signed_in_page("coordinator")

    page.goto(report.get_absolute_url())
    page.get_by_role("link", name="Download as PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The PDF is being prepared")
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    assert_accessible(page, "a report's PDF being prepared")
    assert fits_320(page)

    run_tasks()  # the worker
    with page.expect_download() as download:
        page.get_by_role("link", name="Try again to download the PDF").click()
    assert download.value.suggested_filename == report.filename

    page.goto(stockport.url("reports:report-list", challenge.slug))
    page.get_by_role("link", name="Download the progress review pack as a PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The PDF is being prepared")
    assert_accessible(page, "the progress review pack's PDF being prepared")

    PreparedPdf.objects.filter(challenge=challenge, status=PdfStatus.PREPARING).update(
        status=PdfStatus.FAILED, error="RuntimeError: out of memory"
    )
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("The PDF could not be made")
    assert_accessible(page, "a PDF that could not be made")
    assert fits_320(page)
    page.get_by_role("link", name="Try again to make the PDF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The PDF is being prepared")
    run_tasks()
    with page.expect_download() as download:
        page.get_by_role("link", name="Try again to download the PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
