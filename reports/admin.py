from django.contrib import admin

from recommendations.admin_rows import ChallengeListFilter

from .models import CommitteeReport


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
