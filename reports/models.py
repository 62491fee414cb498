"""Committee reports: the action plan as it stood at a cut-off date, for a scrutiny committee meeting.

What "as of the cut-off date" means (the same rule drafts and issued reports use):

- Only **published** progress updates count. Committee papers are public once issued, so a report
  never shows an update the public page does not, whoever reads it.
- An action's **status at the cut-off** is the status of its newest published progress update
  dated on or before the cut-off (ties on the date broken by when the update was written, then by
  id). An action with no such update counts as **Not started**.
- Its **latest update** is that same update (date and text).
- A recommendation's status is derived from its actions' statuses at the cut-off, by the rule the
  live pages use (``recommendations.models.derived_status_expression``).
- An action is **overdue** at the cut-off when its due date is before the cut-off and its status
  at the cut-off is not Complete.
- Every action now in the plan is counted (actions carry no creation date), with its current
  wording, lead role, timescale and due date. Lead officers' names are not shown, only the role.
- The **progress review** reported is the newest one whose peer team was on site on or before the
  cut-off; its considerations are listed with the actions of this challenge that carry them forward.

A draft report is rebuilt from the plan each time it is read. Issuing it stores that content as a
snapshot (a plain JSON dict) with what changed since the previous issued report, and from then on
it is read from the snapshot only, so later updates never change the committee's papers.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from recommendations.models import PeerChallenge, UpdateRound


class CommitteeReportQuerySet(models.QuerySet):
    def issued(self):
        return self.filter(issued_at__isnull=False)

    def drafts(self):
        return self.filter(issued_at__isnull=True)

    def for_challenge(self, challenge):
        return self.filter(challenge=challenge)

    def newest_first(self):
        return self.order_by("-meeting_date", "-cut_off", "-created_at")


class CommitteeReport(models.Model):
    """A progress report on one challenge's action plan for one committee meeting."""

    challenge = models.ForeignKey(PeerChallenge, on_delete=models.CASCADE, related_name="committee_reports")
    committee = models.CharField(max_length=200, help_text="The committee the report goes to")
    meeting_date = models.DateField()
    cut_off = models.DateField("Cut-off date", help_text="The report shows the plan as it was on this day")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True, help_text="Empty while the report is a draft")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The issued report it was compared with, fixed when it was issued",
    )
    update_round = models.ForeignKey(
        UpdateRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_reports",
        help_text="The closed update round the report was made from, if any",
    )
    snapshot = models.JSONField(null=True, blank=True, editable=False, help_text="The report's content, once issued")
    pdf = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="The issued report's PDF, made in the background when it is issued",
    )

    objects = CommitteeReportQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_date", "-cut_off", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cut_off__lte=models.F("meeting_date")), name="report_cut_off_not_after_meeting"
            ),
            models.CheckConstraint(
                condition=Q(issued_at__isnull=True, snapshot__isnull=True)
                | Q(issued_at__isnull=False, snapshot__isnull=False),
                name="issued_reports_have_a_snapshot",
            ),
        ]

    def __str__(self):
        return f"{self.committee}, {self.meeting_date:%-d %B %Y}"

    def clean(self):
        """A report shows the plan after the peer team's visit: its cut-off is no earlier than that."""
        if self.cut_off and self.challenge_id and self.cut_off < self.challenge.on_site_from:
            raise ValidationError(
                {
                    "cut_off": f"The cut-off date must be on or after {self.challenge.on_site_from:%-d %B %Y}, "
                    "when the peer challenge began"
                }
            )

    def get_absolute_url(self):
        return reverse("reports:report-detail", args=[self.pk])

    @property
    def is_issued(self):
        return self.issued_at is not None

    @property
    def title(self):
        return f"{self.challenge.title}: progress report"

    @property
    def document_title(self):
        """The title of the PDF: what it is, for which council, committee and meeting."""
        return f"{self.title} – {self.challenge.council.name}, {self}"

    @property
    def filename(self):
        return f"{self.challenge.slug}-committee-report-{self.meeting_date:%Y-%m-%d}.pdf"

    def find_previous(self):
        """The latest issued report of the same challenge with an earlier cut-off date, or None."""
        return (
            CommitteeReport.objects.issued()
            .filter(challenge_id=self.challenge_id, cut_off__lt=self.cut_off)
            .exclude(pk=self.pk)
            .order_by("-cut_off", "-issued_at")
            .first()
        )

    def content(self):
        """What the report says, ready for its template: the snapshot once issued, else built now."""
        from .snapshot import build_report_snapshot, readable

        if self.is_issued:
            return readable(self.snapshot, slug=self.challenge.slug)
        snapshot = build_report_snapshot(challenge=self.challenge, cut_off=self.cut_off, previous=self.find_previous())
        return readable(snapshot)


class PdfKind(models.TextChoices):
    REPORT = "report", "Committee report"
    PACK = "pack", "Progress review pack"


class PdfStatus(models.TextChoices):
    PREPARING = "preparing", "Being prepared"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be made"


class PreparedPdf(models.Model):
    """A PDF made in the background (reports.tasks): WeasyPrint takes seconds, so no request makes one.

    `key` names what the PDF shows: an issued report (its bytes are then kept on the report itself,
    `CommitteeReport.pdf`, with the frozen snapshot), a draft as its content stands (a digest of it, so
    a changed draft gets a new PDF), or a challenge's progress review pack on one day."""

    kind = models.CharField(max_length=10, choices=PdfKind.choices)
    key = models.CharField(max_length=200)
    challenge = models.ForeignKey(PeerChallenge, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(CommitteeReport, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=PdfStatus.choices, default=PdfStatus.PREPARING)
    pdf = models.BinaryField(null=True, blank=True, editable=False, help_text="The PDF, once ready (drafts, packs)")
    error = models.TextField(blank=True, help_text="Why the PDF could not be made")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "prepared PDF"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_prepared_pdf_per_key")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}: {self.get_status_display()}"

    @property
    def is_ready(self):
        return self.status == PdfStatus.READY

    @property
    def has_failed(self):
        return self.status == PdfStatus.FAILED
