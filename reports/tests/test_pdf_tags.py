"""Every PDF the app makes is a tagged PDF with its language and title (issue 14; the Public Sector
Bodies Accessibility Regulations 2018): a structure tree of headings, paragraphs, lists and tables
marked as such, `/Lang` en-GB and a document title, so a screen reader can read it.

`PRODUCERS` lists the modules that make PDFs and what each makes; every one of those is made here
through its view and checked. A module that starts making PDFs fails
`test_every_pdf_the_app_makes_is_checked_here` until its PDFs are added."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from recommendations.models import Status
from recommendations.tests.factories import ActionFactory, ProgressUpdateFactory, RecommendationFactory
from recommendations.tests.tasks import run_tasks

from .factories import CUT_OFF, CommitteeReportFactory, issued_report, plan_with_history

pytestmark = pytest.mark.django_db

PDF_CALL = re.compile(r"\b(html_to_pdf|write_pdf)\(")

# Module (from the project's root) -> the PDFs it makes.
PRODUCERS = {
    "reports/pdf.py": {"(the one place WeasyPrint is called, with pdf_tags=True)"},
    "reports/prepared.py": {"committee report (draft)", "committee report (issued)", "progress review pack"},
}


def made_in_the_background(client, url):
    """The PDF at `url` once the worker has made it: the first request queues it (reports.prepared)."""
    client.get(url)
    run_tasks(commit=True)
    return client.get(url)


def make_committee_report(client, coordinator, issued):
    plan = plan_with_history()
    if issued:
        report = issued_report(challenge=plan.challenge, cut_off=CUT_OFF, issued_by=coordinator)
        title = report.document_title
    else:
        report = CommitteeReportFactory(challenge=plan.challenge, cut_off=CUT_OFF)
        title = f"{report.document_title} (draft)"
    client.force_login(coordinator)
    return made_in_the_background(client, reverse("reports:report-pdf", args=[report.pk])), title


def make_pack(client, coordinator):
    action = ActionFactory(
        recommendation=RecommendationFactory(title="Review the constitution"), reference="1.1", status=Status.ON_TRACK
    )
    ProgressUpdateFactory(action=action, text="Progress so far", next_steps="What comes next")
    challenge = action.recommendation.challenge
    client.force_login(coordinator)
    title = f"{challenge.council.name}: {challenge.title} – Progress review pack"
    return made_in_the_background(client, reverse("reports:pack-pdf", args=[challenge.slug])), title


PDFS = {
    "committee report (draft)": lambda client, coordinator: make_committee_report(client, coordinator, issued=False),
    "committee report (issued)": lambda client, coordinator: make_committee_report(client, coordinator, issued=True),
    "progress review pack": make_pack,
}


def structure_kinds(catalog):
    """The structure types (/H1, /P, /Table, ...) in a PDF's structure tree."""
    kinds = set()

    def walk(element, depth=0):
        element = element.get_object()
        if isinstance(element, dict) and "/S" in element:
            kinds.add(str(element["/S"]))
        kids = element.get("/K") if isinstance(element, dict) else None
        if depth < 40 and kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") or isinstance(kid, dict | list):
                    walk(kid, depth + 1)

    walk(catalog["/StructTreeRoot"])
    return kinds


def accessibility_problems(pdf, title):
    """What a screen reader would miss in `pdf`: [] when it is tagged, in en-GB, and titled `title`."""
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    problems = []
    if "/StructTreeRoot" not in catalog:
        return ["no structure tree (/StructTreeRoot): not a tagged PDF"]
    if catalog.get("/MarkInfo", {}).get("/Marked") != True:  # noqa: E712  (a pypdf BooleanObject)
        problems.append("not marked as tagged (/MarkInfo /Marked true)")
    if str(catalog.get("/Lang", "")) != "en-GB":
        problems.append(f"document language is {catalog.get('/Lang')!r}, not en-GB")
    if reader.metadata is None or reader.metadata.title != title:
        problems.append(f"document title is {reader.metadata and reader.metadata.title!r}, not {title!r}")
    missing = {"/H1", "/H2", "/P", "/Table", "/TH", "/TD"} - structure_kinds(catalog)
    if missing:
        problems.append(f"no {sorted(missing)} in the structure tree")
    return problems


@pytest.mark.parametrize("kind", sorted(PDFS))
def test_every_pdf_is_tagged_with_language_and_title(client, coordinator, kind):
    response, title = PDFS[kind](client, coordinator)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert accessibility_problems(response.content, title) == []


def test_every_pdf_the_app_makes_is_checked_here():
    root = Path(settings.BASE_DIR)
    folders = [path for path in root.iterdir() if path.is_dir() and path.name not in {".venv", "node_modules", ".git"}]
    makers = set()
    for path in (path for folder in folders for path in folder.rglob("*.py")):
        relative = path.relative_to(root)
        if {"tests", "migrations"} & set(relative.parts):
            continue
        if PDF_CALL.search(path.read_text(encoding="utf-8")):
            makers.add(relative.as_posix())

    assert makers == set(PRODUCERS), "a module makes PDFs: add what it makes to PRODUCERS and PDFS"
    made_here = {kind for module, kinds in PRODUCERS.items() if module != "reports/pdf.py" for kind in kinds}
    assert made_here == set(PDFS)


def test_an_untagged_pdf_is_caught():
    from weasyprint import HTML

    html = '<html lang="en-GB"><head><title>T</title></head><body><h1>A</h1><h2>B</h2><p>C</p></body></html>'
    untagged = HTML(string=html).write_pdf()

    assert accessibility_problems(untagged, "T") == ["no structure tree (/StructTreeRoot): not a tagged PDF"]
