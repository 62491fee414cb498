"""The PDF: made by WeasyPrint from the report's HTML, with a title, bookmarks and real text."""

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from recommendations.tests.tasks import run_tasks
from reports.pdf import html_to_pdf

from .factories import CUT_OFF, CommitteeReportFactory, issued_report, plan_with_history

pytestmark = pytest.mark.django_db


def outline_titles(outline):
    for item in outline:
        if isinstance(item, list):
            yield from outline_titles(item)
        else:
            yield item.title


@pytest.fixture
def issued(coordinator):
    plan = plan_with_history()
    return issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)


def download(client, report):
    """The report's PDF, once the worker has made it (reports.prepared; the first request queues it)."""
    url = reverse("reports:report-pdf", args=[report.pk])
    client.get(url)
    run_tasks(commit=True)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def test_first_page_text_holds_the_executive_summary_figures(client, issued):
    response = download(client, issued)

    reader = PdfReader(BytesIO(response.content))
    first_page = " ".join(reader.pages[0].extract_text().split())
    assert "Executive summary" in first_page
    for figure in [
        "1 of 4 actions complete",
        "0 on track, 1 at risk, 1 off track and 1 not started",
        "0 of 2 recommendations complete",
        "1 overdue action",
    ]:
        assert figure in first_page
    assert "1 March 2024" in first_page


def test_pdf_has_a_title_an_author_and_bookmarks_from_the_headings(client, issued):
    reader = PdfReader(BytesIO(download(client, issued).content))

    assert reader.metadata.title == issued.document_title
    assert reader.metadata.author == "Anytown Council"
    titles = list(outline_titles(reader.outline))
    for heading in [
        "Corporate Peer Challenge: progress report",
        "Executive summary",
        "Theme 1: Governance",
        "Recommendation 1: Review the constitution",
        "Progress review considerations",
    ]:
        assert heading in titles


# Tagged, in en-GB, with a title: reports/tests/test_pdf_tags.py checks it of every PDF the app makes.


def test_pdf_is_a_download_named_after_the_meeting(client, issued):
    response = download(client, issued)

    assert response["Content-Disposition"] == f'attachment; filename="{issued.filename}"'


def test_themes_start_new_pages_and_every_page_is_numbered(client, issued):
    reader = PdfReader(BytesIO(download(client, issued).content))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]

    starts = [i for i, text in enumerate(pages) if "Theme 2: Internal Processes Recommendation 2" in text]
    assert starts and "Theme 1: Governance Recommendation 1" not in pages[starts[0]]
    assert all(f"Page {n} of {len(pages)}" in text for n, text in enumerate(pages, start=1))


def test_draft_pdf_says_draft_and_uses_the_live_plan(client, coordinator):
    plan = plan_with_history()
    draft = CommitteeReportFactory(challenge=plan.challenge, cut_off=CUT_OFF)
    client.force_login(coordinator)

    reader = PdfReader(BytesIO(download(client, draft).content))

    assert reader.metadata.title.endswith("(draft)")
    assert "Draft: the figures can still change" in " ".join(reader.pages[0].extract_text().split())


def test_nothing_is_fetched_while_rendering():
    html = (
        '<html><head><title>T</title><link rel="stylesheet" href="http://example.invalid/x.css"></head>'
        '<body><h1>Heading</h1><img src="/static/missing.png" alt=""></body></html>'
    )

    pdf = html_to_pdf(html, base_url="http://testserver/")

    assert "Heading" in PdfReader(BytesIO(pdf)).pages[0].extract_text()


def test_issued_report_keeps_its_pdf_so_later_downloads_are_the_same_file(client, issued):
    from unittest import mock

    url = reverse("reports:report-pdf", args=[issued.pk])
    first = download(client, issued).content
    with mock.patch("reports.prepared.html_to_pdf", side_effect=AssertionError("rendered again")):
        second = client.get(url).content
        assert run_tasks(commit=True) == 0

    assert second == first
