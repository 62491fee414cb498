"""The progress-review pack (issue 14): per recommendation the council's response, progress to date,
plans for the future, evidence and indicators, as a Word document and a PDF made from the same data,
for coordinators to send to the peer team and publish. Public content only."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from recommendations.evidence import store_evidence
from recommendations.models import Approval, Response, Status
from recommendations.roles import COORDINATOR
from recommendations.tests.factories import (
    ActionFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from recommendations.tests.queries import SIGNED_IN_QUERIES, count_queries
from recommendations.tests.tasks import run_tasks
from reports.pack import pack_data
from reports.pack_docx import pack_docx
from reviews.tests.factories import IndicatorFactory, add_values

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2024, 1, 31)

# Text found in one place each: none of it may ever be in the pack.
SECRETS = {
    "unpublished update": "Unpublished-draft-text-x7k2",
    "update awaiting approval": "Awaiting-approval-text-m3q9",
    "private file": "Private-evidence-file-b4t6.pdf",
    "public file of a draft": "Drafts-public-file-c8w1.pdf",
    "internal indicator": "Internal-indicator-n5r3",
    "other council's recommendation": "Elsewhere-recommendation-v2j7",
    "other council's progress": "Elsewhere-progress-h6d4",
}

PDF_BYTES = b"%PDF-1.7\n% an evidence file\n%%EOF\n"


def evidence(name):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def plan(council, other_council, settings, tmp_path):
    """Two themes, three recommendations (one with no actions), published progress with next steps,
    a completed action, public and private evidence, a public and an internal indicator; drafts and
    another council's plan, whose text must never appear."""
    settings.MEDIA_ROOT = tmp_path / "media"
    challenge = PeerChallengeFactory(council=council, slug="anytown-cpc", title="Corporate Peer Challenge 2022")
    governance = ThemeFactory(challenge=challenge, number=1, title="Governance")
    finance = ThemeFactory(challenge=challenge, number=2, title="Finance")
    constitution = RecommendationFactory(
        challenge=challenge,
        theme=governance,
        number=1,
        title="Review the constitution",
        response=Response.ACCEPTED,
        response_agreed_by="Cabinet",
        response_agreed_on=datetime.date(2023, 2, 14),
    )
    induction = RecommendationFactory(
        challenge=challenge,
        theme=governance,
        number=2,
        title="Refresh member induction",
        response=Response.PARTLY_ACCEPTED,
        response_reason="Induction is run with neighbouring councils",
    )
    budget = RecommendationFactory(challenge=challenge, theme=finance, number=3, title="Align the budget")

    review = ActionFactory(recommendation=constitution, reference="1.1", description="Commission a review")
    ProgressUpdateFactory(
        action=review,
        date=datetime.date(2023, 11, 1),
        text="The review was commissioned in November",
        next_steps="Report the findings to Council in March",
        status=Status.ON_TRACK,
        evidence_url="https://example.org/constitution-review",
    )
    draft = ProgressUpdateFactory(
        action=review,
        date=datetime.date(2023, 12, 1),
        text=SECRETS["unpublished update"],
        status=Status.OFF_TRACK,
        published=False,
    )
    published = review.progress_updates.get(published=True)
    store_evidence(published, evidence("Terms of reference.pdf"), public=True, by=None)
    store_evidence(published, evidence(SECRETS["private file"]), public=False, by=None)
    store_evidence(draft, evidence(SECRETS["public file of a draft"]), public=True, by=None)

    done = ActionFactory(recommendation=constitution, reference="1.2", description="Adopt the new scheme")
    ProgressUpdateFactory(
        action=done,
        date=datetime.date(2023, 10, 1),
        text="Council adopted the new scheme of delegation",
        status=Status.COMPLETE,
        completion_evidence="Council minutes, 1 October 2023",
        difference_made="Decisions are quicker",
    )
    programme = ActionFactory(
        recommendation=induction, reference="2.1", description="Run the induction programme", timescale="May 2024"
    )
    ProgressUpdateFactory(
        action=programme,
        date=datetime.date(2023, 12, 15),
        text="Sessions are booked for after the elections",
        next_steps="Deliver the sessions in May and June",
    )
    ProgressUpdateFactory(
        action=programme,
        date=datetime.date(2024, 1, 10),
        text=SECRETS["update awaiting approval"],
        published=False,
        approval=Approval.AWAITING,
    )
    later = ActionFactory(recommendation=induction, reference="2.2", description="Survey new members")
    ProgressUpdateFactory(
        action=later, date=datetime.date(2024, 3, 1), text="Surveyed after the pack's date", next_steps="Later steps"
    )

    public_indicator = IndicatorFactory(challenge=challenge, name="Members attending induction", public=True)
    internal_indicator = IndicatorFactory(challenge=challenge, name=SECRETS["internal indicator"], public=False)
    for indicator in (public_indicator, internal_indicator):
        add_values(indicator, [60, 75])
        indicator.recommendations.add(induction)

    elsewhere = PeerChallengeFactory(council=other_council, slug="elsewhere-cpc")
    their_recommendation = RecommendationFactory(
        challenge=elsewhere,
        theme=ThemeFactory(challenge=elsewhere, number=1),
        number=1,
        title=SECRETS["other council's recommendation"],
    )
    ProgressUpdateFactory(
        action=ActionFactory(recommendation=their_recommendation, reference="1.1"),
        text=SECRETS["other council's progress"],
    )
    return challenge, budget


EXPECTED = [
    "Recommendation 1: Review the constitution",
    "Recommendation 2: Refresh member induction",
    "Recommendation 3: Align the budget",
    "The review was commissioned in November",
    "Report the findings to Council in March",
    "Council adopted the new scheme of delegation",
    "Sessions are booked for after the elections",
    "Deliver the sessions in May and June",
    "Induction is run with neighbouring councils",
    "Terms of reference.pdf",
    "Members attending induction",
]


def docx_text(content):
    """Every piece of text in a .docx: its paragraphs, its tables' cells, and links' text."""
    document = Document(io.BytesIO(content))
    return " ".join(node.text or "" for node in document.element.body.iter(qn("w:t")))


def pdf_text(content):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def download(client, name, challenge):
    """The download, the PDF once the worker has made it (the first request queues it: reports.prepared)."""
    response = client.get(reverse(name, args=[challenge.slug]))
    if run_tasks(commit=True):
        response = client.get(reverse(name, args=[challenge.slug]))
    assert response.status_code == 200, response.status_code
    return response


# The data ---------------------------------------------------------------------------------------


def test_pack_gives_each_recommendation_its_response_progress_plans_evidence_and_indicators(plan):
    challenge, _ = plan

    pack = pack_data(challenge, as_of=AS_OF, site_url="https://tracker.example/")

    assert [theme.heading for theme in pack.themes] == ["Theme 1: Governance", "Theme 2: Finance"]
    constitution, induction, budget = pack.recommendations
    assert constitution.response == Response.ACCEPTED
    assert (constitution.response_agreed_by, constitution.response_agreed_on) == ("Cabinet", datetime.date(2023, 2, 14))
    assert [action.progress for action in constitution.progress] == [
        "The review was commissioned in November",
        "Council adopted the new scheme of delegation",
    ]
    assert [(action.reference, action.next_steps) for action in constitution.plans] == [
        ("1.1", "Report the findings to Council in March")
    ]
    assert [action.reference for action in constitution.closed] == ["1.2"]
    assert constitution.closed[0].completion_evidence == "Council minutes, 1 October 2023"
    assert [(item.name, item.kind, item.reference) for item in constitution.evidence] == [
        ("Terms of reference.pdf", "PDF", "1.1"),
        ("https://example.org/constitution-review", "Link", "1.1"),
    ]
    file = next(item for item in constitution.evidence if item.kind == "PDF")
    assert file.url.startswith("https://tracker.example/evidence/")
    assert [indicator.name for indicator in induction.indicators] == ["Members attending induction"]
    assert induction.indicators[0].latest == "75% (February 2022)"
    assert induction.indicators[0].direction.startswith("Improving")
    assert budget.actions == [] and budget.plans == []
    assert pack.filename("docx") == "anytown-cpc-progress-review-pack-2024-01-31.docx"


def test_the_pack_is_the_plan_as_it_stood_on_its_date(plan):
    challenge, _ = plan

    survey = pack_data(challenge, as_of=AS_OF).recommendations[1].actions[1]

    assert survey.reference == "2.2"
    assert (survey.status, survey.progress, survey.update_date) == (Status.NOT_STARTED, "", None)


def test_the_pack_holds_no_private_text_even_for_an_administrator(plan):
    challenge, _ = plan

    content = docx_text(pack_docx(pack_data(challenge)))

    assert "Surveyed after the pack's date" in content  # today's pack has it
    assert [name for name, secret in SECRETS.items() if secret in content] == []


def test_pack_makes_the_same_number_of_queries_however_big_the_plan(client, plan, coordinator):
    challenge, budget = plan
    client.force_login(coordinator)
    word = reverse("reports:pack-docx", args=[challenge.slug])

    def queries():
        fresh = type(challenge).objects.select_related("council").get(pk=challenge.pk)
        with CaptureQueriesContext(connection) as captured:
            pack_data(fresh, as_of=AS_OF)
        return len(captured)

    before, download_before = queries(), count_queries(client, word)
    theme = ThemeFactory(challenge=challenge, number=3)
    for number in range(4, 10):
        recommendation = RecommendationFactory(challenge=challenge, theme=theme, number=number)
        for n in range(3):
            action = ActionFactory(recommendation=recommendation, reference=f"{number}.{n + 1}")
            update = ProgressUpdateFactory(
                action=action, date=datetime.date(2023, 12, 1), evidence_url="https://e.org/"
            )
            store_evidence(update, evidence(f"File {number}.{n}.pdf"), public=True, by=None)
            action.also_answers.add(budget)
        indicator = IndicatorFactory(challenge=challenge, public=True)
        add_values(indicator, [1, 2, 3])
        indicator.recommendations.add(recommendation)

    assert queries() == before
    assert before <= 10
    assert count_queries(client, word) == download_before <= SIGNED_IN_QUERIES + 11


# The Word document ------------------------------------------------------------------------------


def test_coordinator_downloads_a_word_document_with_every_recommendation(client, plan, coordinator):
    challenge, _ = plan
    client.force_login(coordinator)

    response = download(client, "reports:pack-docx", challenge)

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert re.fullmatch(
        r'attachment; filename="anytown-cpc-progress-review-pack-\d{4}-\d{2}-\d{2}\.docx"',
        response["Content-Disposition"],
    )
    content = docx_text(response.content)
    missing = [text for text in EXPECTED if text not in content]
    assert missing == []
    assert [name for name, secret in SECRETS.items() if secret in content] == []


def test_word_document_has_a_cover_a_contents_field_and_real_headings(plan):
    challenge, _ = plan
    document = Document(io.BytesIO(pack_docx(pack_data(challenge, as_of=AS_OF))))
    paragraphs = document.paragraphs

    cover = [p.text for p in paragraphs[:4]]
    assert cover[:3] == ["Anytown Council", "Progress review pack", "Corporate Peer Challenge 2022"]
    assert "as at 31 January 2024" in cover[3]
    by_style = {}
    for paragraph in paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)
    assert by_style["Heading 1"] == ["Summary", "Theme 1: Governance", "Theme 2: Finance"]
    assert by_style["Heading 2"] == [
        "Recommendation 1: Review the constitution",
        "Recommendation 2: Refresh member induction",
        "Recommendation 3: Align the budget",
    ]
    assert {"The council's response", "Progress to date", "Plans for the future", "Evidence", "Indicators"} <= set(
        by_style["Heading 3"]
    )
    # Real built-in heading styles (Word's navigation pane and a screen reader's headings list use them).
    heading = document.styles["Heading 1"]
    assert heading.builtin and heading.style_id == "Heading1"

    body = document.element.body
    instructions = [node.text for node in body.iter(qn("w:instrText"))]
    assert any(text.strip().startswith("TOC") for text in instructions)
    anchors = [link.get(qn("w:anchor")) for link in body.iter(qn("w:hyperlink")) if link.get(qn("w:anchor"))]
    bookmarks = {mark.get(qn("w:name")) for mark in body.iter(qn("w:bookmarkStart"))}
    assert len(anchors) == 6 and set(anchors) <= bookmarks  # Summary, 2 themes, 3 recommendations


def test_word_tables_have_a_marked_header_row(plan):
    challenge, _ = plan
    document = Document(io.BytesIO(pack_docx(pack_data(challenge, as_of=AS_OF))))

    assert len(document.tables) >= 3  # the summary, plans for the future, indicators
    for table in document.tables:
        first, *rest = table.rows
        assert first._tr.trPr is not None and first._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in rest)
        assert table._tbl.tblPr.find(qn("w:tblCaption")) is not None
    plans = next(t for t in document.tables if t.rows[0].cells[0].text == "Action" and len(t.columns) == 5)
    assert [cell.text for cell in plans.rows[0].cells] == ["Action", "Next steps", "Timescale", "Lead", "Status"]


def test_word_document_has_a_title_and_is_in_british_english(plan):
    challenge, _ = plan
    document = Document(io.BytesIO(pack_docx(pack_data(challenge, as_of=AS_OF))))

    assert document.core_properties.title == "Anytown Council: Corporate Peer Challenge 2022 – Progress review pack"
    assert document.core_properties.language == "en-GB"
    default_language = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert default_language.get(qn("w:val")) == "en-GB"


def test_word_document_is_made_when_text_holds_characters_xml_cannot(client, plan, coordinator):
    """Text pasted from elsewhere may carry control characters (a vertical tab for Word's manual line
    break): the download still works, with a space in their place."""
    challenge, budget = plan
    action = ActionFactory(recommendation=budget, reference="3.1", description="Line one\x0bline two")
    ProgressUpdateFactory(
        action=action, date=datetime.date(2023, 11, 1), text="Pasted\x0cfrom Word", next_steps="a\x01b"
    )
    client.force_login(coordinator)

    content = docx_text(download(client, "reports:pack-docx", challenge).content)
    assert "Line one line two" in content and "Pasted from Word" in content and "a b" in content


# The PDF ----------------------------------------------------------------------------------------


def test_coordinator_downloads_a_pdf_with_a_cover_contents_and_every_recommendation(client, plan, coordinator):
    challenge, _ = plan
    client.force_login(coordinator)

    response = download(client, "reports:pack-pdf", challenge)

    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="anytown-cpc-progress-review-pack-\d{4}-\d{2}-\d{2}\.pdf"',
        response["Content-Disposition"],
    )
    reader = PdfReader(io.BytesIO(response.content))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Anytown Council" in pages[0] and "Progress review pack" in pages[0]
    assert "Corporate Peer Challenge 2022" in pages[0] and "Recommendation 1" not in pages[0]
    assert pages[1].startswith("Contents") or " Contents " in f" {pages[1]} "
    # The contents give each recommendation's page number, from where its heading really is.
    for number, title in [(1, "Review the constitution"), (3, "Align the budget")]:
        heading = f"Recommendation {number}: {title}"
        page = next(i for i, text in enumerate(pages[2:], start=3) if heading in text)
        assert re.search(re.escape(heading) + r"[ .]*" + str(page) + r"\b", pages[1]), pages[1]
    content = " ".join(pages)
    missing = [text for text in EXPECTED if text not in content]
    assert missing == []
    assert [name for name, secret in SECRETS.items() if secret in content] == []
    assert reader.metadata.title == "Anytown Council: Corporate Peer Challenge 2022 – Progress review pack"


# Who may make it, and where it is offered --------------------------------------------------------


@pytest.mark.parametrize("name", ["reports:pack-docx", "reports:pack-pdf"])
def test_only_the_councils_coordinators_make_the_pack(client, plan, other_council, officer, scrutiny_member, name):
    challenge, _ = plan
    url = reverse(name, args=[challenge.slug])

    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for user in (
        officer,
        scrutiny_member,
        UserFactory(username="other-coordinator", roles=[(other_council, COORDINATOR)]),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 403, user.username


def test_the_reports_page_offers_the_pack_to_coordinators_only(client, plan, coordinator, officer):
    challenge, _ = plan
    url = reverse("reports:report-list", args=[challenge.slug])
    links = [reverse("reports:pack-docx", args=[challenge.slug]), reverse("reports:pack-pdf", args=[challenge.slug])]

    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "Download the progress review pack" in page
    assert all(link in page for link in links)

    client.force_login(officer)
    page = client.get(url).content.decode()
    assert "progress review pack" not in page and not any(link in page for link in links)
