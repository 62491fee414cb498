"""Writes to committee reports. Each is one transaction."""

from django.db import transaction
from django.utils import timezone

from .models import CommitteeReport
from .prepared import queue_issued_report_pdf
from .snapshot import build_report_snapshot


class ReportAlreadyIssued(Exception):
    """An issued report is frozen: it cannot be issued again or changed."""


@transaction.atomic
def create_report(*, challenge, created_by, committee, meeting_date, cut_off, update_round=None):
    """A draft report: it shows the plan as of `cut_off` until it is issued; `update_round` is the
    closed round it was made from, if any."""
    report = CommitteeReport(
        challenge=challenge,
        created_by=created_by,
        committee=committee,
        meeting_date=meeting_date,
        cut_off=cut_off,
        update_round=update_round,
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def issue_report(*, report, issued_by, base_url=None):
    """Freeze a draft: store its content, and what changed since the previous issued report, as its
    snapshot. From then on the report is read from the snapshot only. Its PDF is made in the
    background once this commits (reports.prepared); `base_url` makes its links absolute."""
    locked = (
        CommitteeReport.objects.select_for_update(of=("self",)).select_related("challenge__council").get(pk=report.pk)
    )
    if locked.is_issued:
        raise ReportAlreadyIssued(f"Report {locked.pk} was issued at {locked.issued_at:%Y-%m-%d %H:%M}")
    previous = locked.find_previous()
    locked.snapshot = build_report_snapshot(challenge=locked.challenge, cut_off=locked.cut_off, previous=previous)
    locked.previous = previous
    locked.issued_at = timezone.now()
    locked.issued_by = issued_by
    locked.save(update_fields=["snapshot", "previous", "issued_at", "issued_by"])
    queue_issued_report_pdf(locked, base_url=base_url)
    return locked
