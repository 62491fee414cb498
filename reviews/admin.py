from django.contrib import admin

from .models import Consideration, Finding, Indicator, PeerTeamMember, ProgressReview


class PeerTeamMemberInline(admin.TabularInline):
    model = PeerTeamMember
    extra = 0


class ConsiderationInline(admin.StackedInline):
    model = Consideration
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


@admin.register(ProgressReview)
class ProgressReviewAdmin(admin.ModelAdmin):
    list_display = ["challenge", "on_site", "letter_date"]
    list_filter = ["challenge__council"]
    list_select_related = ["challenge__council"]
    search_fields = ["challenge__council__name", "summary"]
    inlines = [PeerTeamMemberInline, ConsiderationInline, IndicatorInline]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["order", "theme", "recommendation", "review"]
    list_filter = ["review", "theme"]
    search_fields = ["text"]
    list_select_related = ["theme", "recommendation", "review__challenge__council"]


@admin.register(PeerTeamMember)
class PeerTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organisation", "review"]
    search_fields = ["name", "organisation"]
    list_select_related = ["review__challenge__council"]


@admin.register(Consideration)
class ConsiderationAdmin(admin.ModelAdmin):
    list_display = ["title", "review"]
    search_fields = ["title", "text"]
    list_select_related = ["review__challenge__council"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "value", "unit", "comparator_value", "review"]
    search_fields = ["name"]
    list_select_related = ["review__challenge__council"]
