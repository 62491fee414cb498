from django import forms
from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from simple_history.admin import SimpleHistoryAdmin

from .admin_rows import ChallengeListFilter, PreloadingInlineMixin, themes_of_the_chosen_challenge
from .models import (
    Action,
    Council,
    EvidenceFile,
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
    also_answers_errors,
    dependency_errors,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "region", "website"]
    list_filter = ["kind", "region"]
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
    autocomplete_fields = ["council"]
    fieldsets = [
        (None, {"fields": ["council", "slug", "title", "on_site_from", "on_site_to", "summary"]}),
        ("Publishing", {"fields": ["action_plan_published", "updates_need_approval", "publish_lead_names"]}),
        (
            "The CPC clock",
            {
                "description": "When the LGA's milestones after the challenge happened (recommendations.clock). "
                "For a date the source gives only as a month, enter the 1st of the month and choose "
                "'Month only'. A progress review on record is used instead of the progress review's date here.",
                "fields": [
                    ("report_published_on", "report_published_precision"),
                    ("plan_published_on", "plan_published_precision"),
                    ("progress_review_on", "progress_review_precision"),
                    ("review_report_published_on", "review_report_published_precision"),
                ],
            },
        ),
    ]

    def get_queryset(self, request):
        # Each challenge is named with its council's name, here and in other admins' searchable choices.
        return super().get_queryset(request).select_related("council")


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "challenge"]
    list_filter = [("challenge", ChallengeListFilter)]
    search_fields = ["title", "challenge__council__name"]
    list_select_related = ["challenge__council"]
    autocomplete_fields = ["challenge"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    """Recommendations and the council's response to each (its rules are Recommendation.clean()'s)."""

    list_display = ["number", "title", "theme", "challenge", "response"]
    list_filter = [
        ("challenge", ChallengeListFilter),
        "response",
        ("theme", themes_of_the_chosen_challenge("challenge__id__exact")),
    ]
    search_fields = ["title", "text", "challenge__council__name"]
    list_select_related = ["theme", "challenge__council"]
    autocomplete_fields = ["challenge", "theme"]
    fieldsets = [
        (None, {"fields": ["challenge", "theme", "number", "title", "text"]}),
        (
            "The council's response",
            {"fields": ["response", "response_reason", "response_agreed_by", "response_agreed_on"]},
        ),
    ]


INLINE_UPDATE_FIELDS = [
    "date",
    "status",
    "text",
    "next_steps",
    "completion_evidence",
    "difference_made",
    "closure_reason",
    "superseded_by",
    "published",
    "author",
]


class ProgressUpdateInlineForm(forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = INLINE_UPDATE_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 2, "cols": 30})
            for name in ("text", "next_steps", "closure_reason", "completion_evidence", "difference_made")
        }


class ProgressUpdateInline(PreloadingInlineMixin, admin.TabularInline):
    """An action's updates. Every field ProgressUpdate.clean() may ask about is here (evidence for
    Complete, a reason and the superseding action for the closing statuses), so its rules answer on
    the form."""

    model = ProgressUpdate
    form = ProgressUpdateInlineForm
    fk_name = "action"
    extra = 0
    fields = INLINE_UPDATE_FIELDS
    raw_id_fields = ["author", "superseded_by"]
    show_change_link = True

    def get_queryset(self, request):
        # Each row is named after its action ("Update on 1.2 ..."): the action comes with it.
        return super().get_queryset(request).select_related("action")


class ActionAdminForm(forms.ModelForm):
    """The action's links are offered from its own challenge (the other recommendations it may also
    answer, the other actions it may depend on) and checked by the models' rules on the form, so a
    loop of dependencies or another challenge's recommendation is refused with its message."""

    class Meta:
        model = Action
        fields = [
            "recommendation",
            "reference",
            "description",
            "lead_officer",
            "lead_role",
            "timescale",
            "starts_on",
            "due_date",
            "actual_start",
            "actual_completion",
            "also_answers",
            "depends_on",
            "consideration",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        action = self.instance
        if action.recommendation_id:
            challenge_id = action.recommendation.challenge_id
            if "also_answers" in self.fields:
                self.fields["also_answers"].queryset = (
                    Recommendation.objects.filter(challenge=challenge_id)
                    .exclude(pk=action.recommendation_id)
                    .order_by("number")
                )
            if "depends_on" in self.fields:
                self.fields["depends_on"].queryset = (
                    Action.objects.filter(recommendation__challenge=challenge_id)
                    .exclude(pk=action.pk)
                    .select_related("recommendation")
                    .in_plan_order()
                )

    def _post_clean(self):
        super()._post_clean()
        if not self.instance.recommendation_id:
            return
        for name, rule in (("also_answers", also_answers_errors), ("depends_on", dependency_errors)):
            chosen = self.cleaned_data.get(name)
            if chosen:
                errors = rule(
                    self.instance, chosen.select_related("recommendation") if name == "depends_on" else chosen
                )
                if errors:
                    self.add_error(name, errors)


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
    list_filter = [
        "status",
        ("recommendation__challenge", ChallengeListFilter),
        ("recommendation__theme", themes_of_the_chosen_challenge("recommendation__challenge__id__exact")),
    ]
    search_fields = [
        "reference",
        "description",
        "lead_role",
        "lead_officer__username",
        "lead_officer__last_name",
        "recommendation__challenge__council__name",
    ]
    list_select_related = ["recommendation__challenge__council", "lead_officer"]
    # Each recommendation's actions by number, read from the (recommendation, reference) unique index
    # instead of sorting every action by its challenge and recommendation on each page.
    ordering = ["recommendation_id", "reference"]
    form = ActionAdminForm
    # Searchable choices (typing a council's name finds its actions), so the form never lists every
    # user, recommendation or action. Checked on the form: the lead must be an officer or coordinator
    # of the council (Action.clean()); the links must be to the action's own challenge (ActionAdminForm
    # accepts only those, and the models' rules refuse a loop of dependencies).
    autocomplete_fields = ["lead_officer", "recommendation", "also_answers", "depends_on"]
    raw_id_fields = ["consideration"]
    readonly_fields = ["status", "public_status", "version"]
    inlines = [ProgressUpdateInline]


class EvidenceFileInline(admin.TabularInline):
    """An update's evidence files, to read: files are only added (type and size checked, safely named)
    through the progress update page."""

    model = EvidenceFile
    extra = 0
    fields = ["name", "content_type", "file_size", "public", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description="Size")
    def file_size(self, evidence):
        return filesizeformat(evidence.size)

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["action", "date", "status", "published", "author"]
    search_fields = ["text", "next_steps", "closure_reason", "action__description", "author__username"]
    list_select_related = ["action", "author"]
    raw_id_fields = ["action", "superseded_by"]
    autocomplete_fields = ["author", "reviewed_by"]
    # The newest entered first, by the primary key's index: ordering every update by date (the model's
    # order, still a click on the Date heading away) sorted the whole table on each page, and a date
    # hierarchy scanned it twice more. Dates are filtered by the usual periods instead.
    ordering = ["-pk"]
    list_filter = [
        "status",
        "published",
        ("date", admin.DateFieldListFilter),
        ("action__recommendation__challenge", ChallengeListFilter),
    ]
    show_full_result_count = False
    inlines = [EvidenceFileInline]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(admin.ModelAdmin):
    """Evidence files, to find and read: they are only added through the progress update page, which
    checks their type and size and names them safely; whether each is public can be changed here."""

    list_display = ["name", "update", "content_type", "size", "public", "uploaded_at"]
    list_filter = ["public", ("update__action__recommendation__challenge", ChallengeListFilter)]
    search_fields = ["name", "update__action__reference"]
    list_select_related = ["update__action"]
    fields = ["update", "name", "content_type", "size", "public", "uploaded_by", "uploaded_at"]
    readonly_fields = ["update", "name", "content_type", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request):
        return False


@admin.register(UpdateRound)
class UpdateRoundAdmin(admin.ModelAdmin):
    """Rounds are opened and closed from their pages, which ask their leads; the admin only reads them."""

    list_display = ["title", "challenge", "deadline", "grace_days", "opened_at", "closed_at"]
    list_filter = [("challenge", ChallengeListFilter)]
    search_fields = ["title"]
    list_select_related = ["challenge__council"]
    raw_id_fields = ["actions", "opened_by", "closed_by"]
    autocomplete_fields = ["challenge"]

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
    autocomplete_fields = ["council"]
    readonly_fields = ["token_hash", "created_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        return False
