"""The LGA overview: every council's peer challenges side by side, for the public.

What it shows is public, whoever reads it (recommendations.publication): actions by their published
status (`Action.public_status`), recommendations by the published roll-up
(`Recommendation.objects.with_progress()`, ROLL_UP_RULE), and the CPC clock (recommendations.clock).
A draft, an update awaiting approval or a returned one changes nothing here. Every challenge is
listed, as on the home page: what a council has not published is progress, never a challenge.

- **Challenges**: filtered by the council's type and region and the year the peer team was on site
  (`OverviewFilter`), in council order, a page at a time. Each row (`ChallengeRow`) gives the share of
  actions complete: complete ones out of those still in the plan, as the roll-up counts them
  (actions that will not be taken forward or are superseded are left out).
- **Themes compared** (`theme_comparison`): themes are free text per challenge, so the same theme is
  found at several councils by its title, compared without case and extra spaces
  (`normalised_title`). Per title, across the filtered challenges: how many councils, recommendations
  and actions, and the share complete.

Everything is counted by the database. The themes compared are counted per theme (each theme's
recommendations, and its actions by published status), then the few hundred themes are added up by
title: grouping by a normalised title in SQL would compute it for every joined action row, which
measured far slower than counting per theme (115 ms against 7 ms for 60 challenges).

The page asks a fixed number of queries whatever the number of councils: the year choices, the
count, one page of challenges (with what the clock needs), their recommendations and actions by
status (one), and the themes compared (two).
"""

from dataclasses import dataclass
from functools import cached_property

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Layout, Submit
from django import forms
from django.db.models import Count, Q
from django.utils import timezone

from . import clock
from .filters import Select
from .models import (
    DROPPED_STATUSES,
    Action,
    CouncilKind,
    PeerChallenge,
    Recommendation,
    Region,
    Status,
    StatusCounts,
    Theme,
)

NOT_RECORDED = "not_recorded"
NOT_RECORDED_LABEL = "Not recorded"
# A page of the councils' table: 25 rows keep the page quick to build and, where each row is a block
# (a phone), not too long to scroll.
CHALLENGES_PER_PAGE = 25
THEME_ROWS = 50  # theme titles listed, those found at the most councils first


def percent(part, whole):
    """A whole percentage, or None when there is nothing to count."""
    return round(100 * part / whole) if whole else None


def normalised_title(title):
    """A theme title as it is compared across councils: without case, and each run of spaces, tabs or
    line breaks as one space, none at either end."""
    return " ".join(title.split()).casefold()


def tidy_title(title):
    """A title with its spaces tidied as normalised_title does, its capitals kept."""
    return " ".join(title.split())


# The filters -------------------------------------------------------------------------------------


class OverviewFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Div(
                Div(Field.select("kind"), css_class="govuk-grid-column-one-third-from-desktop"),
                Div(Field.select("region"), css_class="govuk-grid-column-one-third-from-desktop"),
                Div(Field.select("year"), css_class="govuk-grid-column-one-third-from-desktop"),
                css_class="govuk-grid-row",
            ),
            Submit("filter", "Apply filters", css_class="govuk-button--secondary"),
        )


def _with_not_recorded(choices):
    return [*choices, (NOT_RECORDED, NOT_RECORDED_LABEL)]


class OverviewFilter(django_filters.FilterSet):
    """Filters by the council's type and region (or "not recorded") and the year the peer team was
    on site, offered only where a challenge was."""

    kind = django_filters.ChoiceFilter(
        widget=Select,
        label="Type of council",
        field_name="council__kind",
        choices=_with_not_recorded(CouncilKind.choices),
        method="filter_recorded",
        empty_label="All types",
        error_messages={"invalid_choice": "Choose a type of council from the list"},
    )
    region = django_filters.ChoiceFilter(
        widget=Select,
        label="Region",
        field_name="council__region",
        choices=_with_not_recorded(Region.choices),
        method="filter_recorded",
        empty_label="All regions",
        error_messages={"invalid_choice": "Choose a region from the list"},
    )
    year = django_filters.ChoiceFilter(
        widget=Select,
        label="Year of the challenge",
        field_name="on_site_from",
        lookup_expr="year",
        choices=[],
        empty_label="Any year",
        error_messages={"invalid_choice": "Choose a year from the list"},
    )

    class Meta:
        model = PeerChallenge
        fields = []
        form = OverviewFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = PeerChallenge.objects.dates("on_site_from", "year", order="DESC")
        self.filters["year"].extra["choices"] = [(str(day.year), str(day.year)) for day in years]

    def filter_recorded(self, queryset, name, value):
        """A type or region, or none recorded (blank)."""
        return queryset.filter(**{name: "" if value == NOT_RECORDED else value})


# The challenges ----------------------------------------------------------------------------------


def overview_challenges():
    """Every challenge, with its council and what the clock needs, in council order."""
    return clock.with_clock(PeerChallenge.objects.select_related("council")).order_by(
        "council__name", "-on_site_from", "pk"
    )


def months_between(earlier, later):
    """Whole calendar months from `earlier` to `later` (0 if `later` is not after it): from 4 November,
    a month on 4 December, not before."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
    return max(months, 0)


def day_words(day):
    return f"{day:%-d %B %Y}"


@dataclass
class ChallengeRow:
    """One challenge as the overview shows it, with its recommendations and actions counted by their
    published status (StatusCounts)."""

    challenge: PeerChallenge
    recommendation_counts: StatusCounts
    action_counts: StatusCounts
    today: object

    @property
    def council(self):
        return self.challenge.council

    @property
    def kind(self):
        return self.council.get_kind_display() or NOT_RECORDED_LABEL

    @property
    def region(self):
        return self.council.get_region_display() or NOT_RECORDED_LABEL

    @property
    def on_site(self):
        """When the peer team was on site, in words."""
        return f"{day_words(self.challenge.on_site_from)} to {day_words(self.challenge.on_site_to)}"

    @property
    def months_since(self):
        """Whole months since the peer team's last day on site."""
        return months_between(self.challenge.on_site_to, self.today)

    @property
    def has_happened(self):
        return self.challenge.on_site_to < self.today

    @property
    def actions(self):
        return self.action_counts.total

    @property
    def dropped(self):
        return sum(self.action_counts[status] for status in DROPPED_STATUSES)

    @property
    def live_actions(self):
        """The actions still in the plan: every action but those not taken forward or superseded."""
        return self.actions - self.dropped

    @property
    def complete(self):
        return self.action_counts[Status.COMPLETE]

    @property
    def percent_complete(self):
        return percent(self.complete, self.live_actions)

    @property
    def recommendations(self):
        return self.recommendation_counts.total

    @property
    def recommendations_by_status(self):
        """[(Status, how many recommendations)], the statuses with any, in the vocabulary's order."""
        return [(status, n) for status, n in self.recommendation_counts if n]

    @cached_property
    def milestones(self):
        return clock.milestones(self.challenge, today=self.today)

    @cached_property
    def clock_summary(self):
        return clock.summary(self.milestones)

    @property
    def milestone_states(self):
        """[(milestone's name, its state's GOV.UK tag class, the state)], in the order they fall due."""
        return [(milestone.name, milestone.tag_class, milestone.state.label) for milestone in self.milestones]

    @property
    def recommendation_tags(self):
        """[(how many, the status's tag colour, the status)] for the statuses with any recommendation."""
        return [(n, status.tag_colour, status.label) for status, n in self.recommendations_by_status]


# What with_progress() counts of each recommendation's actions, by published status; the rest are on track.
COUNTED_STATUSES = {
    Status.COMPLETE: "complete_count",
    Status.OFF_TRACK: "off_track_count",
    Status.AT_RISK: "at_risk_count",
    Status.NOT_STARTED: "not_started_count",
    Status.NOT_TAKEN_FORWARD: "not_taken_forward_count",
    Status.SUPERSEDED: "superseded_count",
}


def published_counts(challenge_ids):
    """{challenge id: (its recommendations by status, its actions by status)}, by published progress:
    recommendations by the roll-up of their own actions' published statuses (with_progress), and the
    actions by published status, added up from the same counts. One query, whatever the number of
    challenges."""
    counts = {pk: (StatusCounts(), StatusCounts()) for pk in challenge_ids}
    rows = (
        Recommendation.objects.filter(challenge__in=challenge_ids)
        .order_by()
        .with_progress()
        .values_list("challenge_id", "derived_status", "action_count", *COUNTED_STATUSES.values())
    )
    for challenge_id, status, total, *counted in rows:
        recommendations, actions = counts[challenge_id]
        recommendations.add(status)
        for counted_status, n in zip(COUNTED_STATUSES, counted):
            actions.add(counted_status, n)
        actions.add(Status.ON_TRACK, total - sum(counted))
    return counts


def challenge_rows(challenges, today=None):
    """The overview's rows for `challenges` (a page of overview_challenges())."""
    today = today or timezone.localdate()
    challenges = list(challenges)
    counts = published_counts([challenge.pk for challenge in challenges])
    return [ChallengeRow(challenge, *counts[challenge.pk], today) for challenge in challenges]


# Themes compared ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeRow:
    """One theme title across councils: `title` is one of its spellings, its spaces tidied (the first
    in sort order, so capitals before lower case)."""

    title: str
    councils: int
    recommendations: int
    actions: int
    complete: int
    dropped: int

    @property
    def live_actions(self):
        return self.actions - self.dropped

    @property
    def percent_complete(self):
        return percent(self.complete, self.live_actions)


def theme_comparison(challenges):
    """Per theme title (compared by normalised_title) across `challenges` (a queryset): how many
    councils have it, its recommendations and actions, and how many actions are complete and dropped
    by their published status; most councils first. Two queries: each theme with its council and
    number of recommendations, and its actions counted by published status."""
    challenge_ids = challenges.order_by().values("pk")
    themes = (
        Theme.objects.filter(challenge__in=challenge_ids)
        .order_by()
        .annotate(recommendation_count=Count("recommendations"))
        .values_list("pk", "title", "challenge__council_id", "recommendation_count")
    )
    actions = (
        Action.objects.filter(recommendation__challenge__in=challenge_ids, recommendation__theme__isnull=False)
        .order_by()
        .values("recommendation__theme")
        .annotate(
            n=Count("pk"),
            complete=Count("pk", filter=Q(public_status=Status.COMPLETE)),
            dropped=Count("pk", filter=Q(public_status__in=DROPPED_STATUSES)),
        )
        .values_list("recommendation__theme", "n", "complete", "dropped")
    )
    action_counts = {theme_id: counts for theme_id, *counts in actions}
    groups = {}
    for theme_id, title, council_id, recommendations in themes:
        group = groups.setdefault(
            normalised_title(title),
            {"titles": set(), "councils": set(), "recommendations": 0, "actions": 0, "complete": 0, "dropped": 0},
        )
        group["titles"].add(tidy_title(title))
        group["councils"].add(council_id)
        group["recommendations"] += recommendations
        n, complete, dropped = action_counts.get(theme_id, (0, 0, 0))
        group["actions"] += n
        group["complete"] += complete
        group["dropped"] += dropped
    rows = [
        (
            key,
            ThemeRow(
                title=min(group["titles"]),
                councils=len(group["councils"]),
                recommendations=group["recommendations"],
                actions=group["actions"],
                complete=group["complete"],
                dropped=group["dropped"],
            ),
        )
        for key, group in groups.items()
    ]
    return [row for _key, row in sorted(rows, key=lambda item: (-item[1].councils, item[0]))]
