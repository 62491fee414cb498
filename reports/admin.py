from django.contrib import admin

from .models import CommitteeReport


@admin.register(CommitteeReport)
class CommitteeReportAdmin(admin.ModelAdmin):
    """Reports are made and issued in the app; admin shows them, and never edits an issued one."""

    list_display = ["committee", "meeting_date", "cut_off", "challenge", "issued_at"]
    list_filter = ["challenge", "issued_at"]
    list_select_related = ["challenge__council"]
    readonly_fields = ["created_by", "created_at", "issued_at", "issued_by", "previous", "snapshot"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return ["challenge", "committee", "meeting_date", "cut_off", *self.readonly_fields]
        return self.readonly_fields
