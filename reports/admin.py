from django.contrib import admin

from recommendations.admin_rows import ChallengeListFilter

from .models import CommitteeReport, PreparedPdf


@admin.register(CommitteeReport)
class CommitteeReportAdmin(admin.ModelAdmin):
    """Reports are made and issued in the app; admin shows them, and never edits an issued one."""

    list_display = ["committee", "meeting_date", "cut_off", "challenge", "issued_at"]
    list_filter = [("challenge", ChallengeListFilter), "issued_at"]
    list_select_related = ["challenge__council"]
    autocomplete_fields = ["challenge"]
    raw_id_fields = ["update_round"]
    readonly_fields = ["created_by", "created_at", "issued_at", "issued_by", "previous", "snapshot"]

    def get_queryset(self, request):
        # A report's frozen snapshot is large: the list does not load it (its form does, to show it).
        return super().get_queryset(request).defer("snapshot")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return ["challenge", "committee", "meeting_date", "cut_off", *self.readonly_fields]
        return self.readonly_fields


@admin.register(PreparedPdf)
class PreparedPdfAdmin(admin.ModelAdmin):
    """PDFs the worker made or is making (reports.prepared): to see why one could not be made. They are
    asked for from their pages, which queue them: the admin adds none and changes none."""

    list_display = ["kind", "key", "challenge", "status", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["challenge__council"]
    search_fields = ["key", "challenge__council__name", "error"]
    readonly_fields = ["kind", "key", "challenge", "report", "status", "error", "created_at", "finished_at"]
    exclude = ["pdf"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf")  # the PDF itself is not shown

    def has_add_permission(self, request):
        return False
