"""The coordinators' action plan table: filters and sorting (django-filter)."""

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from .models import Action, PeerChallenge, Status, Theme
from .permissions import managed_challenges


class Select(forms.Select):
    """A select that renders its options in one template rather than one template per option:
    the filters list every theme and lead, and per-option templates made the page slow."""

    template_name = "recommendations/widgets/select.html"


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, theme):
        return f"{theme.challenge.council.name}: theme {theme.number}, {theme.title}"


class ThemeFilter(django_filters.ModelChoiceFilter):
    field_class = ThemeChoiceField


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class LeadFilter(django_filters.ModelChoiceFilter):
    field_class = LeadChoiceField


class ActionPlanFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.select("challenge"),
            Field.select("theme"),
            Field.text("recommendation", field_width=3),
            Field.select("lead"),
            Field.select("status"),
            Field.select("due"),
            Field.select("sort"),
            Submit("filter", "Apply filters", css_class="govuk-button--secondary"),
        )


class ActionPlanFilter(django_filters.FilterSet):
    challenge = django_filters.ModelChoiceFilter(
        widget=Select,
        label="Peer challenge",
        field_name="recommendation__challenge",
        queryset=PeerChallenge.objects.select_related("council").order_by("council__name"),
        empty_label="All peer challenges",
    )
    theme = ThemeFilter(
        widget=Select,
        label="Theme",
        field_name="recommendation__theme",
        queryset=Theme.objects.select_related("challenge__council").order_by("challenge__council__name", "number"),
        empty_label="All themes",
    )
    recommendation = django_filters.NumberFilter(
        label="Recommendation number", field_name="recommendation__number", min_value=1
    )
    lead = LeadFilter(
        widget=Select,
        label="Lead officer",
        field_name="lead_officer",
        queryset=get_user_model().objects.filter(Exists(Action.objects.filter(lead_officer=OuterRef("pk")))).order_by(
            "first_name", "last_name"
        ),
        empty_label="Anyone",
    )
    status = django_filters.ChoiceFilter(widget=Select, label="Status", choices=Status.choices, empty_label="Any status")
    due = django_filters.ChoiceFilter(
        widget=Select,
        label="Due",
        choices=[("overdue", "Overdue"), ("within_30_days", "Due within 30 days")],
        method="filter_due",
        empty_label="Any time",
    )
    sort = django_filters.OrderingFilter(
        widget=Select,
        label="Sort by",
        empty_label="Plan order",
        fields=(
            ("due_date", "due"),
            ("status", "status"),
            ("lead_officer__first_name", "lead"),
            ("recommendation__number", "recommendation"),
        ),
        field_labels={
            "due": "Due date, soonest first",
            "-due": "Due date, latest first",
            "status": "Status",
            "-status": "Status, reversed",
            "lead": "Lead officer",
            "-lead": "Lead officer, reversed",
            "recommendation": "Recommendation number",
            "-recommendation": "Recommendation number, reversed",
        },
    )

    class Meta:
        model = Action
        fields = []
        form = ActionPlanFilterForm

    def __init__(self, *args, user, **kwargs):
        """Choices only from the challenges `user` manages: another council's themes and staff never show."""
        super().__init__(*args, **kwargs)
        challenges = managed_challenges(user)
        self.filters["challenge"].queryset = challenges.select_related("council").order_by("council__name")
        self.filters["theme"].queryset = Theme.objects.filter(challenge__in=challenges).select_related(
            "challenge__council"
        ).order_by("challenge__council__name", "number")
        self.filters["lead"].queryset = get_user_model().objects.filter(
            Exists(Action.objects.filter(lead_officer=OuterRef("pk"), recommendation__challenge__in=challenges))
        ).order_by("first_name", "last_name")

    def filter_due(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue()
        if value == "within_30_days":
            return queryset.due_within(30)
        return queryset
