"""The progress-review pack as a Word document (python-docx), for councils to edit before they send
or publish it. Made from reports.pack.pack_data, like the PDF.

Accessible as Word's own checker asks: the document's title and language (en-GB) in its
properties and in its default text; a cover page; a contents list that is a real table of contents
field (Word can update it with page numbers) whose entries link to the headings; real heading
styles (Heading 1 for themes, Heading 2 for recommendations, Heading 3 for their parts); tables
whose first row is marked as a header row (repeated on each page, read as headers) with a title
and description; links with words, not bare addresses, where there are words to give.
"""

import dataclasses
import enum
import io
import re

from docx import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .pack import TITLE

LANGUAGE = "en-GB"
LINK_COLOUR = RGBColor(0x1D, 0x70, 0xB8)  # GOV.UK link blue, 4.5:1 and more on white
TEXT_COLOUR = RGBColor(0x0B, 0x0C, 0x0C)  # GOV.UK text
DATE = "%-d %B %Y"
MARGIN = Mm(20)
TEXT_WIDTH = Mm(210) - 2 * MARGIN


def _set_language(document):
    """en-GB for the document's properties and for every run of text by default (spelling, and the
    voice a screen reader speaks it in)."""
    document.core_properties.language = LANGUAGE
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


class _Writer:
    def __init__(self, pack):
        self.pack = pack
        self.document = Document()
        self.bookmark_id = 0

    # Building blocks ------------------------------------------------------------------------------

    def paragraph(self, text="", style=None, bold_lead=None):
        """A paragraph, optionally starting with `bold_lead` in bold ("Status: ")."""
        paragraph = self.document.add_paragraph(style=style)
        if bold_lead:
            paragraph.add_run(bold_lead).bold = True
        if text:
            paragraph.add_run(text)
        return paragraph

    def heading(self, text, level, anchor=None):
        paragraph = self.document.add_heading(text, level=level)
        if anchor:
            self._bookmark(paragraph, anchor)
        return paragraph

    def _bookmark(self, paragraph, name):
        """A bookmark around the heading's text, for the contents' links."""
        self.bookmark_id += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmark_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmark_id))
        paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(end)

    @staticmethod
    def _link_run(text):
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), str(LINK_COLOUR))
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        properties.append(colour)
        properties.append(underline)
        run.append(properties)
        text_element = OxmlElement("w:t")
        text_element.text = text
        text_element.set(qn("xml:space"), "preserve")
        run.append(text_element)
        return run

    def external_link(self, paragraph, text, url):
        relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), relationship)
        link.append(self._link_run(text))
        paragraph._p.append(link)

    def internal_link(self, paragraph, text, anchor):
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), anchor)
        link.append(self._link_run(text))
        paragraph._p.append(link)

    def table(self, title, description, headers, rows, widths=None):
        """A table with a marked header row (repeated on each page), a title and a description;
        `widths`: each column's share of the text's width, in per cent."""
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.autofit = widths is None
        header = table.rows[0]
        row_properties = header._tr.get_or_add_trPr()
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        row_properties.append(marker)
        for cell, text in zip(header.cells, headers):
            cell.paragraphs[0].add_run(text).bold = True
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values):
                cell.text = value
        if widths:
            for column, share in zip(table.columns, widths):
                column.width = TEXT_WIDTH * share // 100  # the grid, which LibreOffice reads
                for cell in column.cells:
                    cell.width = column.width  # each cell's, which Word reads
        properties = table._tbl.tblPr
        for tag, value in (("w:tblCaption", title), ("w:tblDescription", description)):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value[:255])
            properties.append(element)
        self.document.add_paragraph()  # Word needs a paragraph between two tables, and it reads better
        return table

    def bullets(self, items):
        for item in items:
            self.paragraph(item, style="List Bullet")

    def page_break(self):
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # The document ---------------------------------------------------------------------------------

    def write(self):
        pack = self.pack
        properties = self.document.core_properties
        properties.title = pack.title
        properties.subject = f"{pack.challenge}: progress to date and plans for the future"
        properties.author = pack.council
        properties.keywords = "Corporate Peer Challenge, progress review, action plan"
        properties.comments = "Made by the CPC Tracker from published information only."
        _set_language(self.document)
        for section in self.document.sections:  # A4, as councils print
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.left_margin = section.right_margin = MARGIN
            section.top_margin = section.bottom_margin = MARGIN
        style = self.document.styles["Normal"]
        style.font.name = "Arial"
        style.font.size = Pt(11)
        for name in ("Title", "Subtitle", "TOC Heading", "Heading 1", "Heading 2", "Heading 3"):
            # The template's pale blues are below 4.5:1 on white: the text colour instead.
            self.document.styles[name].font.color.rgb = TEXT_COLOUR

        self.cover()
        self.contents()
        self.summary()
        for theme in pack.themes:
            heading = self.heading(theme.heading, 1, anchor=_bookmark_name(theme.anchor))
            heading.paragraph_format.page_break_before = True
            for recommendation in theme.recommendations:
                self.recommendation(recommendation)
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    def cover(self):
        pack = self.pack
        self.paragraph(pack.council, style="Subtitle")
        self.paragraph(TITLE, style="Title")
        self.paragraph(pack.challenge, style="Subtitle")
        self.paragraph(f"Progress to date and plans for the future, as at {pack.as_of:{DATE}}.")
        self.paragraph(
            f"The peer team was on site from {pack.on_site_from:{DATE}} to {pack.on_site_to:{DATE}}. "
            "For each recommendation: the council's response, progress to date, plans for the future, "
            "the evidence and the indicators."
        )
        self.paragraph(
            "Published information only: the progress updates the council has published, public evidence "
            "files and public indicators, so the pack can be published alongside the progress review's report."
        )
        self.page_break()

    def contents(self):
        """A table of contents field whose shown result is the list of headings, each a link: Word
        shows it as it is and can update it (adding page numbers); other programs show the list."""
        self.paragraph("Contents", style="TOC Heading")
        entries = [("Summary", _bookmark_name("summary"), 0)]
        for theme in self.pack.themes:
            entries.append((theme.heading, _bookmark_name(theme.anchor), 0))
            entries += [(r.heading, _bookmark_name(r.anchor), 1) for r in theme.recommendations]
        paragraphs = []
        for text, anchor, indent in entries:
            paragraph = self.document.add_paragraph()
            paragraph.paragraph_format.left_indent = Pt(18 * indent)
            paragraph.paragraph_format.space_after = Pt(2)
            self.internal_link(paragraph, text, anchor)
            paragraphs.append(paragraph)
        first, last = paragraphs[0]._p, paragraphs[-1]._p
        position = 1 if first.pPr is not None else 0
        for offset, element in enumerate(
            [_field_char("begin"), _instruction(r'TOC \o "1-2" \h \z \u'), _field_char("separate")]
        ):
            run = OxmlElement("w:r")
            run.append(element)
            first.insert(position + offset, run)
        end = OxmlElement("w:r")
        end.append(_field_char("end"))
        last.append(end)
        self.page_break()

    def summary(self):
        pack = self.pack
        self.heading("Summary", 1, anchor=_bookmark_name("summary"))
        recommendations = pack.recommendations
        actions = [action for r in recommendations for action in r.actions]
        self.paragraph(
            f"{len(recommendations)} recommendation{'s' if len(recommendations) != 1 else ''} and "
            f"{len(actions)} action{'s' if len(actions) != 1 else ''}, by their published status on "
            f"{pack.as_of:{DATE}}."
        )
        if pack.status_counts:
            self.table(
                "Recommendations and actions by status",
                "How many recommendations and actions are in each status",
                ["Status", "Recommendations", "Actions"],
                [[status.label, str(recs), str(acts)] for status, recs, acts in pack.status_counts],
            )

    def recommendation(self, recommendation):
        self.heading(recommendation.heading, 2, anchor=_bookmark_name(recommendation.anchor))
        self.paragraph(recommendation.status.label, bold_lead="Status: ")
        self.heading("What the peer team recommended", 3)
        for part in _paragraphs(recommendation.text):
            self.paragraph(part)
        self.response(recommendation)
        self.progress(recommendation)
        self.plans(recommendation)
        self.evidence(recommendation)
        self.indicators(recommendation)

    def response(self, recommendation):
        self.heading("The council's response", 3)
        self.paragraph(recommendation.response.label, bold_lead="Response: ")
        if recommendation.response_reason:
            self.paragraph("", bold_lead="The council's reasons")
            for part in _paragraphs(recommendation.response_reason):
                self.paragraph(part)
        agreed = _agreed(recommendation)
        if agreed:
            self.paragraph(agreed)

    def progress(self, recommendation):
        self.heading("Progress to date", 3)
        if not recommendation.actions:
            self.paragraph("No actions have been added to the plan for this recommendation yet.")
        for action in recommendation.actions:
            self.paragraph(action.description, bold_lead=f"Action {action.reference}: ")
            status = f"{action.status.label}"
            if action.update_date:
                status += f" (update of {action.update_date:{DATE}})"
            self.paragraph(status, bold_lead="Status: ")
            if action.progress:
                for part in _paragraphs(action.progress):
                    self.paragraph(part)
            else:
                self.paragraph("No progress update has been published yet.")
            if action.closure_reason:
                self.paragraph(action.closure_reason, bold_lead="Why it is closing: ")
            if action.superseded_by:
                self.paragraph(f"Superseded by action {action.superseded_by}.")
            if action.completion_evidence:
                self.paragraph(action.completion_evidence, bold_lead="Evidence of completion: ")
            if action.difference_made:
                self.paragraph(action.difference_made, bold_lead="What difference it has made: ")
        if recommendation.also_answered_by:
            self.paragraph("", bold_lead="Actions of other recommendations that also answer this one")
            self.bullets(
                f"Action {action.reference}: {action.description} ({action.status.label})"
                for action in recommendation.also_answered_by
            )

    def plans(self, recommendation):
        self.heading("Plans for the future", 3)
        plans = recommendation.plans
        if not plans:
            self.paragraph("Every action of this recommendation is complete or closed.")
            return
        self.table(
            f"Plans for the future: recommendation {recommendation.number}",
            "Each open action with its next steps, timescale, lead and status",
            ["Action", "Next steps", "Timescale", "Lead", "Status"],
            [
                [
                    f"{action.reference}: {action.description}",
                    action.next_steps or "Not stated in the latest published update",
                    action.when + (f" ({action.slippage})" if action.slippage else ""),
                    action.lead,
                    action.status.label + (" (overdue)" if action.overdue else ""),
                ]
                for action in plans
            ],
            widths=[28, 30, 16, 14, 12],
        )

    def evidence(self, recommendation):
        self.heading("Evidence", 3)
        if not recommendation.evidence:
            self.paragraph("No public evidence has been published for this recommendation yet.")
            return
        for item in recommendation.evidence:
            paragraph = self.document.add_paragraph(style="List Bullet")
            self.external_link(paragraph, item.name, item.url)
            paragraph.add_run(f" ({item.kind}, action {item.reference}, {item.date:{DATE}})")

    def indicators(self, recommendation):
        self.heading("Indicators", 3)
        if not recommendation.indicators:
            self.paragraph("No public indicators are linked to this recommendation.")
            return
        self.table(
            f"Indicators: recommendation {recommendation.number}",
            "Each public indicator with its latest figure, direction of travel and how it stands",
            ["Indicator", "Latest figure", "Direction of travel", "Against target and comparator"],
            [
                [
                    indicator.name,
                    indicator.latest or "No figures yet",
                    indicator.direction or "Not enough figures to say",
                    "; ".join(indicator.standing) or "No target or comparator",
                ]
                for indicator in recommendation.indicators
            ],
        )
        sources = [indicator for indicator in recommendation.indicators if indicator.source_url]
        for indicator in sources:
            paragraph = self.document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{indicator.name}: source ")
            self.external_link(paragraph, indicator.source or indicator.source_url, indicator.source_url)


def _bookmark_name(anchor):
    """Word bookmark names: letters, digits and underscores, 40 at most; a leading underscore hides
    them from the bookmark list, as Word's own contents' are."""
    return "_pack_" + anchor.replace("-", "_")[:34]


def _field_char(kind):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def _instruction(text):
    element = OxmlElement("w:instrText")
    element.set(qn("xml:space"), "preserve")
    element.text = f" {text} "
    return element


def _paragraphs(text):
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()] or [""]


def _agreed(recommendation):
    if not (recommendation.response_agreed_by or recommendation.response_agreed_on):
        return ""
    words = "Agreed"
    if recommendation.response_agreed_by:
        words += f" by {recommendation.response_agreed_by}"
    if recommendation.response_agreed_on:
        words += f" on {recommendation.response_agreed_on:{DATE}}"
    return words + "."


# Characters XML 1.0 cannot hold (control characters other than tab and line breaks): text pasted
# from elsewhere may carry them (a vertical tab for a manual line break), and python-docx refuses them.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value):
    """`value` (the Pack, its parts, their text) with characters XML cannot hold replaced by spaces."""
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return NOT_IN_XML.sub(" ", value)
    if isinstance(value, list):
        return [_xml_safe(item) for item in value]
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(
            value, **{f.name: _xml_safe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        )
    return value


def pack_docx(pack):
    """The pack (a reports.pack.Pack) as the bytes of a .docx file."""
    return _Writer(_xml_safe(pack)).write()
