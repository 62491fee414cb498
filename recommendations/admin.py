from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Action,
    Council,
    Invitation,
    Membership,
    Notification,
    NotificationPreference,
    PeerChallenge,
    ProgressUpdate,
    Recommendation,
    RoundReminder,
    Theme,
    UpdateRound,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who has which role at which council: every permission is scoped by these."""

    list_display = ["user", "council", "role"]
    list_filter = ["role", "council"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "council__name"]
    list_select_related = ["user", "council"]
    autocomplete_fields = ["user", "council"]


@admin.register(PeerChallenge)
class PeerChallengeAdmin(admin.ModelAdmin):
    list_display = ["council", "title", "on_site_from", "on_site_to", "updates_need_approval", "publish_lead_names"]
    list_filter = ["updates_need_approval", "publish_lead_names", "council"]
    search_fields = ["council__name", "title", "slug"]
    list_select_related = ["council"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "challenge"]
    list_filter = ["challenge"]
    search_fields = ["title"]
    list_select_related = ["challenge__council"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "theme", "challenge"]
    list_filter = ["challenge", "theme"]
    search_fields = ["title", "text"]
    list_select_related = ["theme", "challenge__council"]


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    fk_name = "action"
    extra = 0
    fields = ["date", "status", "text", "published", "author"]
    raw_id_fields = ["author"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "description",
        "recommendation",
        "lead_officer",
        "lead_role",
        "due_date",
        "status",
        "public_status",
    ]
    list_filter = ["status", "recommendation__challenge", "recommendation__theme"]
    search_fields = ["reference", "description", "lead_role", "lead_officer__username", "lead_officer__last_name"]
    list_select_related = ["recommendation__challenge__council", "lead_officer"]
    # Searchable choices, checked by Action.clean(): the lead must be an officer or coordinator of the council.
    autocomplete_fields = ["lead_officer", "recommendation"]
    raw_id_fields = ["consideration"]
    readonly_fields = ["status", "public_status", "version"]
    inlines = [ProgressUpdateInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["action", "date", "status", "published", "author"]
    list_filter = ["status", "published", "action__recommendation__challenge"]
    search_fields = ["text", "action__description", "author__username"]
    list_select_related = ["action__recommendation__challenge", "author"]
    raw_id_fields = ["action", "author"]
    date_hierarchy = "date"


@admin.register(UpdateRound)
class UpdateRoundAdmin(admin.ModelAdmin):
    """Rounds are opened and closed from their pages, which ask their leads; the admin only reads them."""

    list_display = ["title", "challenge", "deadline", "grace_days", "opened_at", "closed_at"]
    list_filter = ["challenge"]
    search_fields = ["title"]
    list_select_related = ["challenge__council"]
    raw_id_fields = ["actions", "opened_by", "closed_by"]

    def has_add_permission(self, request):
        return False


@admin.register(RoundReminder)
class RoundReminderAdmin(admin.ModelAdmin):
    list_display = ["round", "lead", "sent_on", "action_count", "sent_by"]
    list_select_related = ["round", "lead", "sent_by"]
    raw_id_fields = ["round", "lead", "sent_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """To see what was sent to whom and retry failures (`manage.py send_notifications`)."""

    list_display = ["subject", "recipient", "kind", "created_at", "read_at", "email", "email_attempts"]
    list_filter = ["kind", "email"]
    search_fields = ["subject", "recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "council"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made from the invitations page, which e-mails the link (only its hash is stored):
    the admin reads them and can withdraw one by setting "withdrawn at"."""

    list_display = ["email", "council", "role", "invited_by", "created_at", "expires_at", "accepted_at", "withdrawn_at"]
    list_filter = ["role", "council"]
    search_fields = ["email", "council__name"]
    list_select_related = ["council", "invited_by"]
    raw_id_fields = ["invited_by", "accepted_by", "withdrawn_by"]
    readonly_fields = ["token_hash", "created_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return False
