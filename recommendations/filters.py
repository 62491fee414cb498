"""The action plan table: filters and sorting (django-filter). Every member of a council reads its
plan; the choices offered come only from the challenges the reader may read."""

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django_filters.fields import ModelChoiceField

from .models import Action, PeerChallenge, Status, Theme
from .permissions import readable_draft_challenges
from .rounds import UNASSIGNED, not_updated_in_last_round, stale

STALE_AFTER_DAYS = 90
NOT_COMPLETE = "open"


class Select(forms.Select):
    """A select that renders its options in one template rather than one template per option:
    the filters list every theme and lead, and per-option templates made the page slow."""

    template_name = "recommendations/widgets/select.html"


class ThemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, theme):
        return f"{theme.challenge.council.name}: theme {theme.number}, {theme.title}"


class ThemeFilter(django_filters.ModelChoiceFilter):
    field_class = ThemeChoiceField


class LeadChoiceField(ModelChoiceField):
    """The plan's lead officers, and "No lead officer" (`?lead=null`) for the unassigned."""

    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class LeadFilter(django_filters.ModelChoiceFilter):
    field_class = LeadChoiceField


class ActionPlanFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # django-filter wraps the sort widget in a CSV widget, which crispy-forms-gds does not style.
        self.fields["sort"].widget.attrs["class"] = "govuk-select"
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
            Field.select("updated"),
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
        label="Recommendation number",
        field_name="recommendation__number",
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),  # GOV.UK: not type=number
    )
    lead = LeadFilter(
        widget=Select,
        label="Lead officer",
        field_name="lead_officer",
        queryset=get_user_model()
        .objects.filter(Exists(Action.objects.filter(lead_officer=OuterRef("pk"))))
        .order_by("first_name", "last_name"),
        empty_label="Anyone",
        null_label=UNASSIGNED,
    )
    status = django_filters.ChoiceFilter(
        widget=Select,
        label="Status",
        choices=[(NOT_COMPLETE, "Still open: not complete, not taken forward or superseded"), *Status.choices],
        method="filter_status",
        empty_label="Any status",
    )
    due = django_filters.ChoiceFilter(
        widget=Select,
        label="Due",
        choices=[("overdue", "Overdue"), ("within_30_days", "Due within 30 days")],
        method="filter_due",
        empty_label="Any time",
    )
    updated = django_filters.ChoiceFilter(
        widget=Select,
        label="Last update",
        choices=[
            ("90_days", f"No update in the last {STALE_AFTER_DAYS} days"),
            ("last_round", "No update in the last update round"),
        ],
        method="filter_updated",
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
        """Choices only from the challenges `user` reads: another council's themes and staff never show."""
        super().__init__(*args, **kwargs)
        self.challenges = challenges = readable_draft_challenges(user)
        self.filters["challenge"].queryset = challenges.select_related("council").order_by("council__name")
        self.filters["theme"].queryset = (
            Theme.objects.filter(challenge__in=challenges)
            .select_related("challenge__council")
            .order_by("challenge__council__name", "number")
        )
        # The leads of the readable actions, found once (a distinct list) rather than searched for each
        # user: per user, PostgreSQL scanned the recommendations again (users x recommendations rows).
        leads = (
            Action.objects.filter(recommendation__challenge__in=challenges, lead_officer__isnull=False)
            .order_by()
            .values("lead_officer")
            .distinct()
        )
        self.filters["lead"].queryset = (
            get_user_model().objects.filter(pk__in=leads).order_by("first_name", "last_name")
        )

    @property
    def qs(self):
        """The filtered actions in the chosen order, ties broken by id: so an action is on exactly one
        page when many share a status or a due date, and the CSV lists them as the pages do."""
        if not hasattr(self, "_ordered_qs"):
            actions = super().qs
            self._ordered_qs = actions.order_by(*actions.query.order_by, "pk")
        return self._ordered_qs

    def filter_status(self, queryset, name, value):
        """A status (every status, the closing ones too), or still open (ActionQuerySet.open)."""
        if value == NOT_COMPLETE:
            return queryset.open()
        return queryset.filter(status=value)

    def filter_updated(self, queryset, name, value):
        """Not complete and no update for 90 days (recommendations.rounds.stale); or in the newest
        update round of its challenge and not updated for it."""
        if value == "90_days":
            return stale(queryset, days=STALE_AFTER_DAYS)
        if value == "last_round":
            return not_updated_in_last_round(queryset, self.challenges.values("pk"))
        return queryset

    def filter_due(self, queryset, name, value):
        """Overdue and due soon count open actions only: a dropped or complete action is neither."""
        if value == "overdue":
            return queryset.overdue()
        if value == "within_30_days":
            return queryset.due_within(30)
        return queryset
