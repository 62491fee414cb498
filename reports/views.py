"""Committee reports (list, create, read, issue, PDF) and a challenge's open data (page, CSV, JSON)."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from cpc_tracker.forms import add_model_errors
from cpc_tracker.mixins import BreadcrumbsMixin
from recommendations.mixins import ChallengeMixin, challenge_crumbs
from recommendations.models import PeerChallenge, UpdateRound

from . import clock_data, indicator_data, open_data
from .forms import CommitteeReportForm, initial_from_round
from .models import CommitteeReport
from .permissions import readable_reports
from .prepared import report_pdf
from .services import ReportAlreadyIssued, create_report, issue_report


def report_crumbs(challenge):
    return [*challenge_crumbs(challenge), ("Committee reports", reverse("reports:report-list", args=[challenge.slug]))]


class ReportListView(BreadcrumbsMixin, ChallengeMixin, ListView):
    """A challenge's committee reports: issued ones for everyone, drafts too for signed-in readers."""

    template_name = "reports/committeereport_list.html"
    context_object_name = "reports"
    paginate_by = 25

    def get_queryset(self):
        return readable_reports(self.request.user).for_challenge(self.get_challenge()).newest_first()

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.get_challenge()), ("Committee reports", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = self.request.user.has_perm("reports.create_report", self.get_challenge())
        context["can_make_pack"] = self.request.user.has_perm("reports.make_pack", self.get_challenge())
        return context


class ReportCreateView(BreadcrumbsMixin, PermissionRequiredMixin, FormView):
    """A coordinator starts a draft report for a committee meeting, from scratch or from a closed
    update round of the challenge (?round=<pk>): its cut-off is then the day the round closed, and
    the report remembers the round. Another challenge's round (or none such) is not found; a round
    still open sends the coordinator to it, to close it first."""

    permission_required = "reports.create_report"
    form_class = CommitteeReportForm
    template_name = "reports/committeereport_form.html"

    def get_permission_object(self):
        self.challenge = get_object_or_404(PeerChallenge.objects.select_related("council"), slug=self.kwargs["slug"])
        return self.challenge

    def get_update_round(self):
        if not hasattr(self, "update_round"):
            pk = self.request.GET.get("round")
            if pk is None:
                self.update_round = None
            elif not pk.isdigit():
                raise Http404("No such update round")
            else:
                self.update_round = get_object_or_404(UpdateRound, pk=pk, challenge=self.challenge)
        return self.update_round

    def round_still_open(self):
        update_round = self.get_update_round()
        if update_round is None or not update_round.is_open:
            return None
        messages.info(
            self.request,
            f"The update round {update_round.title} is still open: close it before you create a committee "
            "report from it",
        )
        return redirect(update_round)

    def get(self, request, *args, **kwargs):
        return self.round_still_open() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.round_still_open() or super().post(request, *args, **kwargs)

    def get_initial(self):
        update_round = self.get_update_round()
        return initial_from_round(update_round) if update_round else super().get_initial()

    def get_breadcrumbs(self):
        return [*report_crumbs(self.challenge), ("New report", None)]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "challenge": self.challenge,
            "update_round": self.get_update_round(),
        }

    def form_valid(self, form):
        update_round = self.get_update_round()
        try:
            report = create_report(
                challenge=self.challenge, created_by=self.request.user, update_round=update_round, **form.cleaned_data
            )
        except ValidationError as invalid:
            add_model_errors(form, invalid)
            return self.form_invalid(form)
        if update_round is not None:
            messages.success(self.request, f"Draft report created from the update round {update_round.title}")
        else:
            messages.success(self.request, "Draft report created")
        return redirect(report)


class ReportMixin(PermissionRequiredMixin):
    """Views of one report: fetched once, with its challenge, for the permission check and the page."""

    permission_required = "reports.view_report"

    def get_report(self):
        if not hasattr(self, "_report"):
            self._report = get_object_or_404(
                CommitteeReport.objects.select_related("challenge__council", "update_round"), pk=self.kwargs["pk"]
            )
        return self._report

    def get_permission_object(self):
        return self.get_report()


class ReportDetailView(BreadcrumbsMixin, ReportMixin, DetailView):
    """The report as a web page: executive summary, charts, themes, considerations. Prints cleanly."""

    template_name = "reports/committeereport_detail.html"
    context_object_name = "report"

    def get_object(self, queryset=None):
        return self.get_report()

    def get_breadcrumbs(self):
        return [*report_crumbs(self.object.challenge), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["content"] = self.object.content()
        context["challenge"] = self.object.challenge
        context["can_issue"] = not self.object.is_issued and self.request.user.has_perm(
            "reports.issue_report", self.object
        )
        context["show_round_link"] = self.request.user.has_perm("recommendations.read_drafts", self.object.challenge)
        return context


def pdf_not_ready(request, prepared, **context):
    """The page for a PDF the worker has not made yet, or could not make (reports.prepared): no
    refresh of its own (WCAG 2.2.1), a link to try again. Never cached."""
    response = render(request, "reports/pdf_preparing.html", {"prepared": prepared, **context})
    response["Cache-Control"] = "private, no-store"
    return response


class ReportPdfView(ReportMixin, View):
    """The same report as a PDF, made from the same HTML by WeasyPrint in the background: an issued
    report's when it is issued, a draft's when it is first asked for as it stands (reports.prepared).
    Until it is ready, a page says it is being prepared."""

    def get(self, request, pk):
        report = self.get_report()
        pdf, prepared = report_pdf(report, base_url=request.build_absolute_uri("/"), retry="retry" in request.GET)
        if pdf is None:
            return pdf_not_ready(
                request,
                prepared,
                what="the report",
                caption=f"{report.challenge.council.name}: {report}",
                pdf_url=reverse("reports:report-pdf", args=[report.pk]),
                back_url=report.get_absolute_url(),
                back_label="Go back to the report",
                crumbs=[*report_crumbs(report.challenge), (str(report), report.get_absolute_url()), ("PDF", None)],
            )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
        return response


class ReportIssueView(BreadcrumbsMixin, ReportMixin, TemplateView):
    """Confirm, then issue: the report's content is frozen as it stands."""

    permission_required = "reports.issue_report"
    template_name = "reports/committeereport_confirm_issue.html"

    def get_breadcrumbs(self):
        report = self.get_report()
        return [*report_crumbs(report.challenge), (str(report), report.get_absolute_url()), ("Issue", None)]

    def already_issued(self):
        messages.info(self.request, "This report has already been issued and cannot change")
        return redirect(self.get_report())

    def get(self, request, *args, **kwargs):
        if self.get_report().is_issued:
            return self.already_issued()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        report = self.get_report()
        return super().get_context_data(**kwargs) | {
            "report": report,
            "challenge": report.challenge,
            "previous": report.find_previous(),
        }

    def post(self, request, *args, **kwargs):
        try:
            report = issue_report(
                report=self.get_report(), issued_by=request.user, base_url=request.build_absolute_uri("/")
            )
        except ReportAlreadyIssued:
            return self.already_issued()
        messages.success(request, "Report issued. Its figures are now fixed as they were at the cut-off date")
        return redirect(report)


class OpenDataView(BreadcrumbsMixin, ChallengeMixin, TemplateView):
    """What a challenge publishes as open data: the files, their columns, the licence and the date."""

    template_name = "reports/open_data.html"

    def get_breadcrumbs(self):
        return [*challenge_crumbs(self.get_challenge()), ("Open data", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = open_data.status_rows(self.get_challenge())
        context.update(
            columns=open_data.COLUMNS,
            reference_note=open_data.REFERENCE_NOTE,
            licence=open_data.LICENCE,
            licence_url=open_data.LICENCE_URL,
            data_date=open_data.data_date(rows),
            row_count=len(rows),
            indicator_columns=indicator_data.COLUMNS,
            indicator_count=indicator_data.public_indicator_count(self.get_challenge()),
            milestone_columns=clock_data.COLUMNS,
        )
        return context


class OpenDataFileMixin(ChallengeMixin):
    def data_headers(self, response, data_date):
        challenge = self.get_challenge()
        response["Link"] = (
            f'<{open_data.LICENCE_URL}>; rel="license", '
            f'<{reverse("reports:open-data", args=[challenge.slug])}>; rel="describedby"'
        )
        response["X-Data-Date"] = data_date
        response["Access-Control-Allow-Origin"] = "*"
        return response


class StatusCsvView(OpenDataFileMixin, View):
    def get(self, request, slug):
        challenge = self.get_challenge()
        rows = open_data.status_rows(challenge)
        response = HttpResponse(open_data.as_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{challenge.slug}-status.csv"'
        return self.data_headers(response, open_data.data_date(rows))


class StatusJsonView(OpenDataFileMixin, View):
    def get(self, request, slug):
        challenge = self.get_challenge()
        rows = open_data.status_rows(challenge)
        document = open_data.as_json(challenge, rows)
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        return self.data_headers(response, document["data_date"])
