"""PDFs made in the background: committee reports (issued and draft) and progress review packs.

WeasyPrint takes a second or more a PDF, so no request makes one (issue 15). A request asks for the
PDF it wants (`report_pdf`, `pack_pdf`): one that is ready is served from the database; otherwise a
`PreparedPdf` row records that it is being prepared, a task (`reports.tasks.make_pdf`) is queued
after the request's transaction commits, and the page says so, with a link to try again.

- **Issued reports** are frozen: their PDF is queued when the report is issued (`services.issue_report`)
  and kept on the report (`CommitteeReport.pdf`), as before.
- **Drafts** change with the plan: a draft's PDF is keyed by a digest of what it says (its snapshot
  as built now, with its title, committee and dates), so a changed draft gets a new PDF and the
  old one is dropped.
- **Packs:** keyed by the day (the pack says "as at" the day) and a digest of what it says, so a
  pack asked for after an update is published is made again; older ones are dropped.
- **Failures** are logged with their traceback (by the task and by django-tasks) and recorded on the
  row: the page says the PDF could not be made, and trying again queues it again.
"""

import dataclasses
import datetime
import hashlib
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import CommitteeReport, PdfKind, PdfStatus, PreparedPdf
from .pdf import html_to_pdf, stylesheet
from .snapshot import build_report_snapshot

logger = logging.getLogger(__name__)

PACK_STYLESHEET = "reports/pack-pdf.css"


def site_base_url():
    return settings.SITE_URL.rstrip("/") + "/"


# What a PDF is of: its key.


def issued_key(report):
    return f"issued:{report.pk}"


def draft_key(report):
    """A digest of everything the draft's PDF shows, so that any change to it makes a new key."""
    snapshot = build_report_snapshot(
        challenge=report.challenge, cut_off=report.cut_off, previous=report.find_previous()
    )
    content = json.dumps(
        [report.document_title, str(report.cut_off), snapshot], sort_keys=True, default=str, ensure_ascii=False
    )
    return f"draft:{report.pk}:{hashlib.sha256(content.encode()).hexdigest()}"


def pack_key(challenge, day):
    """The day, and a digest of everything the pack says (as the Word file would say it now), so
    that an update published during the day makes a new PDF, as it makes a new Word file."""
    from .pack import pack_data

    content = json.dumps(dataclasses.asdict(pack_data(challenge, as_of=day)), sort_keys=True, default=str)
    return f"pack:{challenge.pk}:{day:%Y-%m-%d}:{hashlib.sha256(content.encode()).hexdigest()}"


def pack_day(key):
    return datetime.date.fromisoformat(key.split(":")[2])


# Asking for a PDF.


def _queue(prepared, base_url):
    from .tasks import make_pdf

    transaction.on_commit(lambda: make_pdf.enqueue(prepared.pk, base_url=base_url), robust=True)


def request_pdf(*, kind, key, challenge, report=None, base_url=None, retry=False):
    """The PreparedPdf for `key`, queued to be made if it is new (or failed and `retry`)."""
    base_url = base_url or site_base_url()
    prepared = PreparedPdf.objects.filter(kind=kind, key=key).first()
    if prepared is None:
        try:
            with transaction.atomic():
                prepared = PreparedPdf.objects.create(
                    kind=kind, key=key, challenge=challenge, report=report, created_at=timezone.now()
                )
        except IntegrityError:  # another request asked for it at the same moment
            return PreparedPdf.objects.get(kind=kind, key=key)
        _queue(prepared, base_url)
        _drop_superseded(prepared)
    elif retry and prepared.has_failed:
        if PreparedPdf.objects.filter(pk=prepared.pk, status=PdfStatus.FAILED).update(
            status=PdfStatus.PREPARING, error="", finished_at=None
        ):
            prepared.status, prepared.error = PdfStatus.PREPARING, ""
            _queue(prepared, base_url)
    return prepared


def _drop_superseded(prepared):
    """A draft's earlier versions, and a challenge's earlier packs, are not asked for again."""
    if prepared.kind == PdfKind.REPORT and prepared.key.startswith("draft:"):
        PreparedPdf.objects.filter(kind=PdfKind.REPORT, report_id=prepared.report_id, key__startswith="draft:").exclude(
            pk=prepared.pk
        ).delete()
    elif prepared.kind == PdfKind.PACK:
        PreparedPdf.objects.filter(kind=PdfKind.PACK, challenge_id=prepared.challenge_id).exclude(
            pk=prepared.pk
        ).delete()


def report_pdf(report, *, base_url=None, retry=False):
    """(pdf bytes, None) when the report's PDF is ready, else (None, its PreparedPdf)."""
    if report.is_issued:
        if report.pdf:
            return bytes(report.pdf), None
        prepared = request_pdf(
            kind=PdfKind.REPORT,
            key=issued_key(report),
            challenge=report.challenge,
            report=report,
            base_url=base_url,
            retry=retry,
        )
        if prepared.is_ready:  # made since the report was read
            pdf = CommitteeReport.objects.filter(pk=report.pk).values_list("pdf", flat=True).first()
            if pdf:
                return bytes(pdf), None
        return None, prepared
    prepared = request_pdf(
        kind=PdfKind.REPORT,
        key=draft_key(report),
        challenge=report.challenge,
        report=report,
        base_url=base_url,
        retry=retry,
    )
    return (bytes(prepared.pdf), None) if prepared.is_ready else (None, prepared)


def queue_issued_report_pdf(report, *, base_url=None):
    """Called in the transaction that issues the report: its PDF is made once that commits."""
    PreparedPdf.objects.filter(kind=PdfKind.REPORT, report=report).exclude(key=issued_key(report)).delete()
    return request_pdf(
        kind=PdfKind.REPORT, key=issued_key(report), challenge=report.challenge, report=report, base_url=base_url
    )


def pack_pdf(challenge, *, day=None, base_url=None, retry=False):
    """(pdf bytes, None) when today's pack PDF is ready, else (None, its PreparedPdf)."""
    day = day or timezone.localdate()
    prepared = request_pdf(
        kind=PdfKind.PACK, key=pack_key(challenge, day), challenge=challenge, base_url=base_url, retry=retry
    )
    return (bytes(prepared.pdf), None) if prepared.is_ready else (None, prepared)


# Making a PDF (in the worker).


def render_report_pdf(report, base_url):
    html = render_to_string(
        "reports/committeereport_pdf.html",
        {"report": report, "content": report.content(), "challenge": report.challenge, "css": stylesheet()},
    )
    return html_to_pdf(html, base_url=base_url)


def render_pack_pdf(challenge, day, base_url):
    from .pack import pack_data

    pack = pack_data(challenge, as_of=day, site_url=base_url)
    html = render_to_string("reports/pack_pdf.html", {"pack": pack})
    return html_to_pdf(html, base_url=base_url, css=[stylesheet(), stylesheet(PACK_STYLESHEET)])


def make(prepared_pk, base_url=None):
    """Make one PreparedPdf's PDF and store it. Returns whether it was made (False: no longer wanted).
    A failure is logged, recorded on the row for the page to say, and raised for the task's record."""
    base_url = base_url or site_base_url()
    prepared = (
        PreparedPdf.objects.select_related("challenge__council", "report__challenge__council")
        .filter(pk=prepared_pk)
        .first()
    )
    if prepared is None or prepared.is_ready:
        return False
    try:
        if prepared.kind == PdfKind.PACK:
            day = pack_day(prepared.key)
            pdf = render_pack_pdf(prepared.challenge, day, base_url)
        else:
            pdf = render_report_pdf(prepared.report, base_url)
    except Exception as error:
        logger.exception("Could not make the PDF %s (%s)", prepared.pk, prepared.key)
        PreparedPdf.objects.filter(pk=prepared.pk).update(
            status=PdfStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        if prepared.report_id and prepared.key == issued_key(prepared.report):
            CommitteeReport.objects.filter(pk=prepared.report_id, pdf__isnull=True).update(pdf=pdf)
            pdf = None  # kept on the issued report
        PreparedPdf.objects.filter(pk=prepared.pk).update(
            status=PdfStatus.READY, pdf=pdf, error="", finished_at=timezone.now()
        )
    return True
