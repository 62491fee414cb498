from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect

from recommendations.admin_rows import (
    ChallengeListFilter,
    PreloadingInlineFormSet,
    PreloadingInlineMixin,
    themes_of_the_chosen_challenge,
)
from recommendations.models import Recommendation

from .models import (
    Consideration,
    Finding,
    Indicator,
    IndicatorValue,
    PeerAssessment,
    PeerTeamMember,
    ProgressReview,
)


class PeerTeamMemberInline(admin.TabularInline):
    model = PeerTeamMember
    extra = 0


class ConsiderationInline(admin.StackedInline):
    model = Consideration
    extra = 0


class IndicatorInline(admin.TabularInline):
    """The indicators a review quoted; they belong to the challenge and are edited on their own page."""

    model = Indicator
    extra = 0
    fields = ["name", "public"]
    readonly_fields = ["name", "public"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class IndicatorValueInline(PreloadingInlineMixin, admin.TabularInline):
    model = IndicatorValue
    extra = 0
    fields = [
        "period_start",
        "period",
        "value",
        "target",
        "comparator_value",
        "comparator_label",
        "comparator",
        "note",
        "entered_by",
        "entered_at",
    ]
    raw_id_fields = ["entered_by"]

    def get_queryset(self, request):
        # Each row is named after its indicator: it comes with the rows.
        return super().get_queryset(request).select_related("indicator")


class SharedRecommendationChoices(PreloadingInlineFormSet):
    shared_choice_fields = ["recommendation"]


class PeerAssessmentInline(admin.TabularInline):
    """The peer team's assessment of each recommendation at the review (entered by administrators, who
    load a council's challenge). A saved review offers its own challenge's recommendations only, as a
    select filled once for all the rows; a new review's are searched for."""

    model = PeerAssessment
    formset = SharedRecommendationChoices
    extra = 0
    fields = ["recommendation", "rating", "text"]

    def get_formset(self, request, obj=None, **kwargs):
        if obj is None:
            # A review being added would list every challenge's recommendations: search them instead.
            field = PeerAssessment._meta.get_field("recommendation")
            kwargs["widgets"] = {"recommendation": AutocompleteSelect(field, self.admin_site)}
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            field = formset.form.base_fields["recommendation"]
            field.queryset = Recommendation.objects.filter(challenge=obj.challenge_id).order_by("number")
        return formset

    def get_queryset(self, request):
        # Each row is named after its recommendation: it comes with the rows.
        return super().get_queryset(request).select_related("recommendation")


@admin.register(ProgressReview)
class ProgressReviewAdmin(admin.ModelAdmin):
    list_display = ["challenge", "on_site", "letter_date"]
    list_filter = ["challenge__council"]
    list_select_related = ["challenge__council"]
    search_fields = ["challenge__council__name", "summary"]
    autocomplete_fields = ["challenge"]
    inlines = [PeerTeamMemberInline, ConsiderationInline, IndicatorInline, PeerAssessmentInline]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["order", "theme", "recommendation", "review"]
    list_filter = [
        ("review__challenge", ChallengeListFilter),
        ("theme", themes_of_the_chosen_challenge("review__challenge__id__exact")),
    ]
    search_fields = ["text"]
    list_select_related = ["theme", "recommendation", "review__challenge__council"]
    autocomplete_fields = ["theme", "recommendation"]
    raw_id_fields = ["review"]


@admin.register(PeerTeamMember)
class PeerTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organisation", "review"]
    search_fields = ["name", "organisation"]
    list_select_related = ["review__challenge__council"]
    raw_id_fields = ["review"]


@admin.register(Consideration)
class ConsiderationAdmin(admin.ModelAdmin):
    list_display = ["title", "review"]
    search_fields = ["title", "text"]
    list_select_related = ["review__challenge__council"]
    raw_id_fields = ["review"]


class IndicatorAdminForm(forms.ModelForm):
    """An indicator shows progress on its own challenge's recommendations and themes only, as
    reviews.indicator_services holds for every other way in."""

    class Meta:
        model = Indicator
        fields = [
            "challenge",
            "review",
            "order",
            "name",
            "description",
            "unit",
            "polarity",
            "source",
            "source_id",
            "source_url",
            "owner",
            "frequency",
            "public",
            "recommendations",
            "themes",
        ]

    def _post_clean(self):
        super()._post_clean()
        challenge = self.cleaned_data.get("challenge")
        if challenge is None:
            return
        for name, noun in (("recommendations", "recommendations"), ("themes", "themes")):
            chosen = self.cleaned_data.get(name)
            if chosen and any(item.challenge_id != challenge.pk for item in chosen):
                self.add_error(name, f"Choose {noun} of this indicator's peer challenge")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorAdminForm
    list_display = ["name", "challenge", "public", "polarity", "frequency", "owner"]
    list_filter = ["public", "polarity", "frequency", "challenge__council"]
    search_fields = ["name", "description", "source_id", "challenge__council__name"]
    list_select_related = ["challenge__council", "owner"]
    autocomplete_fields = ["challenge", "owner", "recommendations", "themes"]
    raw_id_fields = ["review"]
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "value", "target", "comparator_value", "entered_at"]
    list_filter = ["indicator__challenge__council"]
    search_fields = ["indicator__name", "period", "note", "indicator__challenge__council__name"]
    list_select_related = ["indicator"]
    raw_id_fields = ["indicator", "entered_by"]


@admin.register(PeerAssessment)
class PeerAssessmentAdmin(admin.ModelAdmin):
    """The peer team's assessments, one per recommendation and review; PeerAssessment.clean() refuses a
    recommendation of another challenge than the review's."""

    list_display = ["recommendation", "rating", "review"]
    list_filter = ["rating", "review__challenge__council"]
    search_fields = ["text", "recommendation__title", "review__challenge__council__name"]
    list_select_related = ["recommendation", "review__challenge__council"]
    autocomplete_fields = ["recommendation"]
    raw_id_fields = ["review"]
