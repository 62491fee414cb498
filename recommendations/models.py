"""The action plan: councils, their peer challenges, themes, recommendations,
actions and the progress updates officers write against them."""

import calendar
import datetime
import pathlib
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    """One status vocabulary across the app; RAG colours map from it."""

    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    NOT_TAKEN_FORWARD = "not_taken_forward", "Will not be taken forward"
    SUPERSEDED = "superseded", "Superseded"

    @property
    def tag_colour(self):
        return STATUS_TAG_COLOURS[self]

    @property
    def hint(self):
        return STATUS_HINTS[self]


# GOV.UK tag modifiers: the tag always carries the status name, so colour is never alone.
STATUS_TAG_COLOURS = {
    Status.NOT_STARTED: "grey",
    Status.ON_TRACK: "green",
    Status.AT_RISK: "yellow",
    Status.OFF_TRACK: "red",
    Status.COMPLETE: "blue",
    Status.NOT_TAKEN_FORWARD: "pink",
    Status.SUPERSEDED: "purple",
}

STATUS_HINTS = {
    Status.NOT_STARTED: "Work on this action has not begun yet.",
    Status.ON_TRACK: "Work is under way and expected to finish by its timescale.",
    Status.AT_RISK: "Work is under way but may miss its timescale without attention.",
    Status.OFF_TRACK: "Work has stalled or will miss its timescale; it needs intervention.",
    Status.COMPLETE: "The action is done and there is evidence of completion.",
    Status.NOT_TAKEN_FORWARD: "The council has decided not to carry this action out, and says why.",
    Status.SUPERSEDED: "Another action of the plan has taken this one's place, and the update says which and why.",
}

# Closing states other than Complete: the action was dropped or replaced, never done. Each needs a
# reason; a dropped action is never overdue and is counted apart from the rest.
DROPPED_STATUSES = (Status.NOT_TAKEN_FORWARD, Status.SUPERSEDED)
# An action in one of these states is finished with: nothing more is expected of it.
CLOSED_STATUSES = (Status.COMPLETE, *DROPPED_STATUSES)


def derived_status_expression(prefix=""):
    """A database expression for a recommendation's status from its own actions' counts: the rule
    of rolled_up_status, for lists that count in the database.

    Actions that will not be taken forward or are superseded leave the roll-up: complete when every
    other action is complete; otherwise the worst of off track, at risk; not started when nothing
    has begun; on track in between. Only actions whose own recommendation it is count: an action
    that also answers other recommendations is listed there but does not change their status.
    """
    total = F(f"{prefix}action_count")
    live = total - F(f"{prefix}dropped_count")
    return Case(
        When(**{f"{prefix}action_count": 0}, then=Value(Status.NOT_STARTED)),
        When(**{f"{prefix}dropped_count": total}, then=Value(Status.NOT_TAKEN_FORWARD)),
        When(**{f"{prefix}complete_count": live}, then=Value(Status.COMPLETE)),
        When(**{f"{prefix}off_track_count__gt": 0}, then=Value(Status.OFF_TRACK)),
        When(**{f"{prefix}at_risk_count__gt": 0}, then=Value(Status.AT_RISK)),
        When(**{f"{prefix}not_started_count": live}, then=Value(Status.NOT_STARTED)),
        default=Value(Status.ON_TRACK),
        output_field=models.CharField(),
    )


ROLL_UP_RULE = (
    "A recommendation's status comes from its own actions: Complete when every action is complete; "
    "otherwise Off track if any action is off track, then At risk if any is at risk, Not started if none "
    "has begun, and On track in between. Actions that will not be taken forward or are superseded are "
    "left out (if every action is, the recommendation will not be taken forward). An action that also "
    "answers other recommendations is listed with them but counts only towards its own."
)


def rolled_up_status(statuses):
    """A recommendation's status from its own actions' statuses (ROLL_UP_RULE), in Python."""
    statuses = [Status(status) for status in statuses]
    if not statuses:
        return Status.NOT_STARTED
    live = [status for status in statuses if status not in DROPPED_STATUSES]
    if not live:
        return Status.NOT_TAKEN_FORWARD
    if all(status == Status.COMPLETE for status in live):
        return Status.COMPLETE
    if Status.OFF_TRACK in live:
        return Status.OFF_TRACK
    if Status.AT_RISK in live:
        return Status.AT_RISK
    if all(status == Status.NOT_STARTED for status in live):
        return Status.NOT_STARTED
    return Status.ON_TRACK


QUARTER_PATTERN = re.compile(r"^\s*Q([1-4])\s+(\d{4})\s*/\s*(\d{2})\s*$", re.IGNORECASE)


def quarter_dates(timescale):
    """The first and last day of a financial-year quarter written like "Q2 2024/25", or None.

    Council financial years run April to March: Q1 is April to June, Q4 January to March.
    """
    match = QUARTER_PATTERN.match(timescale or "")
    if not match:
        return None
    quarter, start_year, end_year = int(match[1]), int(match[2]), int(match[3])
    if (start_year + 1) % 100 != end_year:
        return None
    first_month = {1: 4, 2: 7, 3: 10, 4: 1}[quarter]
    year = start_year + 1 if quarter == 4 else start_year
    first_day = datetime.date(year, first_month, 1)
    last_day = datetime.date(year, first_month + 2, calendar.monthrange(year, first_month + 2)[1])
    return first_day, last_day


class CouncilManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class CouncilKind(models.TextChoices):
    """The type of English council, as the LGA groups councils to compare them."""

    METROPOLITAN = "metropolitan", "Metropolitan borough (metropolitan district)"
    COUNTY = "county", "County council"
    UNITARY = "unitary", "Unitary authority"
    SHIRE_DISTRICT = "shire_district", "Shire district"
    LONDON_BOROUGH = "london_borough", "London borough"


class Region(models.TextChoices):
    """England's nine regions."""

    NORTH_EAST = "north_east", "North East"
    NORTH_WEST = "north_west", "North West"
    YORKSHIRE = "yorkshire", "Yorkshire and the Humber"
    EAST_MIDLANDS = "east_midlands", "East Midlands"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"


class Council(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    website = models.URLField(blank=True)
    kind = models.CharField(
        "Type of council",
        max_length=20,
        choices=CouncilKind.choices,
        blank=True,
        db_default="",
        help_text="Blank if not recorded",
    )
    region = models.CharField(
        max_length=20, choices=Region.choices, blank=True, db_default="", help_text="Blank if not recorded"
    )

    objects = CouncilManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Role(models.TextChoices):
    """What a person does for one council. The rules for each are in recommendations.permissions."""

    OFFICER = "officer", "Officer"
    COORDINATOR = "coordinator", "Coordinator"
    SCRUTINY_MEMBER = "scrutiny", "Scrutiny committee member"


# Who may be chosen to lead an action: the people who write its progress updates.
LEAD_ROLES = (Role.OFFICER, Role.COORDINATOR)


class Membership(models.Model):
    """A person's role at one council. Every rule about who may do what is scoped by it;
    superusers (the LGA or the site's administrators) need none."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["council", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "council"],
                name="one_role_per_council",
                violation_error_message="This person already has a role at this council: change that one instead",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.council}"


class PeerChallengeQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def status_summaries(self):
        """For each challenge in this queryset, its StatusSummary (by theme) of *published* statuses
        (see recommendations.publication). Three queries in all."""
        challenge_ids = list(self.values_list("pk", flat=True))
        summaries = {pk: StatusSummary() for pk in challenge_ids}
        themes = Theme.objects.filter(challenge__in=challenge_ids).select_related("challenge").order_by("number")
        for theme in themes:
            summaries[theme.challenge_id].add_theme(theme)
        recommendations = (
            Recommendation.objects.filter(challenge__in=challenge_ids)
            .with_progress()
            .values_list("challenge_id", "theme_id", "derived_status")
        )
        for challenge_id, theme_id, status in recommendations:
            summaries[challenge_id].count_recommendation(theme_id, status)
        actions = (
            Action.objects.filter(recommendation__challenge__in=challenge_ids)
            .values_list("recommendation__challenge_id", "recommendation__theme_id", "public_status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for challenge_id, theme_id, status, n in actions:
            summaries[challenge_id].count_actions(theme_id, status, n)
        return summaries


class StatusCounts:
    """How many recommendations or actions are at each status."""

    def __init__(self):
        self.counts = {status: 0 for status in Status}

    def add(self, status, n=1):
        self.counts[Status(status)] += n

    @property
    def total(self):
        return sum(self.counts.values())

    def __iter__(self):
        return iter(self.counts.items())

    def __getitem__(self, status):
        return self.counts[Status(status)]


class ThemeSummary:
    def __init__(self, theme):
        self.theme = theme
        self.recommendations = StatusCounts()
        self.actions = StatusCounts()


class StatusSummary:
    """Counts by status of a challenge's recommendations and actions, per theme and in all."""

    def __init__(self):
        self.by_theme = {}
        self.recommendations = StatusCounts()
        self.actions = StatusCounts()

    def add_theme(self, theme):
        self.by_theme[theme.pk] = ThemeSummary(theme)

    def count_recommendation(self, theme_id, status):
        self.recommendations.add(status)
        if theme_id in self.by_theme:
            self.by_theme[theme_id].recommendations.add(status)

    def count_actions(self, theme_id, status, n):
        self.actions.add(status, n)
        if theme_id in self.by_theme:
            self.by_theme[theme_id].actions.add(status, n)

    @property
    def themes(self):
        return list(self.by_theme.values())

    @property
    def tables(self):
        """(what is counted, [(theme, counts)], totals) for recommendations, then actions."""
        return [
            ("Recommendations", [(row.theme, row.recommendations) for row in self.themes], self.recommendations),
            ("Actions", [(row.theme, row.actions) for row in self.themes], self.actions),
        ]


class DatePrecision(models.TextChoices):
    """How much of a date the source gives: "February 2023" is a month, not the 1st of February."""

    DAY = "day", "Day"
    MONTH = "month", "Month only"


def milestone_fields(label, help_text):
    """A milestone's date and how precise it is (the CPC clock, recommendations.clock, reads them)."""
    return (
        models.DateField(label, null=True, blank=True, help_text=help_text),
        models.CharField(
            f"{label}: precision",
            max_length=5,
            choices=DatePrecision.choices,
            default=DatePrecision.DAY,
            db_default=DatePrecision.DAY,
        ),
    )


class PeerChallenge(models.Model):
    """One LGA Corporate Peer Challenge of one council; a council may have several."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="peer_challenges")
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    on_site_from = models.DateField()
    on_site_to = models.DateField()
    summary = models.TextField(blank=True)
    action_plan_published = models.CharField(
        max_length=100, blank=True, help_text="When the report and action plan were published, as the source says it"
    )
    updates_need_approval = models.BooleanField(
        default=False, help_text="Officers' progress updates wait for a coordinator before they are published"
    )
    publish_lead_names = models.BooleanField(
        "Publish lead officers' names",
        default=False,
        help_text="Show lead officers' and authors' names on public pages and in open data; "
        "otherwise the public sees the lead role only",
    )
    # The LGA's milestones after a challenge, the days they happened (see recommendations.clock).
    report_published_on, report_published_precision = milestone_fields(
        "Feedback report published", "The day the council published the peer team's feedback report"
    )
    plan_published_on, plan_published_precision = milestone_fields(
        "Action plan published", "The day the council published its action plan"
    )
    progress_review_on, progress_review_precision = milestone_fields(
        "Progress review on site",
        "The day the peer team came back; a progress review's own record, once loaded, is used instead",
    )
    review_report_published_on, review_report_published_precision = milestone_fields(
        "Progress review report published", "The day the council published the progress review's report"
    )

    objects = PeerChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-on_site_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_site_to__gte=F("on_site_from")), name="challenge_on_site_dates_in_order"
            )
        ]
        # The action plan in plan order: newest challenge first, read in order so a page stops early.
        indexes = [models.Index(fields=["-on_site_from", "id"], name="challenge_plan_order_idx")]

    def __str__(self):
        return f"{self.council} — {self.title}"

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("recommendations:challenge-detail", args=[self.slug])

    def clean(self):
        """A milestone of the CPC clock (recommendations.clock) happened after the challenge began and
        not in the future; a date known only to the month is kept as the 1st of its month. Whole months
        are compared for a month: a report published "November 2022" may follow a challenge of 14 to 17
        November 2022."""
        from .clock import RULES  # the clock reads this model: its rules name the milestones

        errors = {}
        today = timezone.localdate()
        for rule in RULES:
            day = getattr(self, f"{rule.key}_on")
            if day is None:
                continue
            field = f"{rule.key}_on"
            if getattr(self, f"{rule.key}_precision") == DatePrecision.MONTH:
                if day.day != 1:
                    errors[field] = f"{rule.name}: a date known only to the month must be the 1st of that month"
                elif self.on_site_from and day < self.on_site_from.replace(day=1):
                    errors[field] = (
                        f"{rule.name} must be in or after {self.on_site_from:%B %Y}, the month of the challenge"
                    )
                elif day > today:
                    errors[field] = f"{rule.name} must be this month or earlier"
            elif self.on_site_from and day < self.on_site_from:
                errors[field] = f"{rule.name} must be on or after {self.on_site_from:%-d %B %Y}, the first day on site"
            elif day > today:
                errors[field] = f"{rule.name} must be today or in the past"
        if errors:
            raise ValidationError(errors)


class ThemeManager(models.Manager):
    def get_by_natural_key(self, challenge_slug, number):
        return self.get(challenge__slug=challenge_slug, number=number)


class Theme(models.Model):
    """A cluster of recommendations, as the progress review grouped them."""

    challenge = models.ForeignKey(PeerChallenge, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    objects = ThemeManager()

    class Meta:
        ordering = ["challenge", "number"]
        constraints = [models.UniqueConstraint(fields=["challenge", "number"], name="unique_theme_number")]

    def __str__(self):
        return f"Theme {self.number}: {self.title}"

    def natural_key(self):
        return (self.challenge.slug, self.number)

    natural_key.dependencies = ["recommendations.peerchallenge"]

    def get_absolute_url(self):
        return reverse("recommendations:theme-detail", args=[self.challenge.slug, self.number])


class RecommendationQuerySet(models.QuerySet):
    def get_by_natural_key(self, challenge_slug, number):
        return self.get(challenge__slug=challenge_slug, number=number)

    def with_progress(self):
        """Annotate action counts by *published* status and the derived status of each recommendation."""
        field = "actions__public_status"
        counts = {
            "action_count": Count("actions", distinct=True),
            "complete_count": Count("actions", filter=Q(**{field: Status.COMPLETE}), distinct=True),
            "off_track_count": Count("actions", filter=Q(**{field: Status.OFF_TRACK}), distinct=True),
            "at_risk_count": Count("actions", filter=Q(**{field: Status.AT_RISK}), distinct=True),
            "not_started_count": Count("actions", filter=Q(**{field: Status.NOT_STARTED}), distinct=True),
            "not_taken_forward_count": Count("actions", filter=Q(**{field: Status.NOT_TAKEN_FORWARD}), distinct=True),
            "superseded_count": Count("actions", filter=Q(**{field: Status.SUPERSEDED}), distinct=True),
            "dropped_count": Count("actions", filter=Q(**{f"{field}__in": DROPPED_STATUSES}), distinct=True),
        }
        return self.annotate(**counts).annotate(derived_status=derived_status_expression())


class Response(models.TextChoices):
    """The council's answer to a recommendation: a council need not accept one, but says why."""

    NOT_RECORDED = "not_recorded", "Not yet recorded"
    ACCEPTED = "accepted", "Accepted"
    PARTLY_ACCEPTED = "partly_accepted", "Partly accepted"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


RESPONSE_REASON_MAX_CHARACTERS = 3000


class Recommendation(models.Model):
    challenge = models.ForeignKey(PeerChallenge, on_delete=models.CASCADE, related_name="recommendations")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="recommendations", null=True, blank=True)
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    text = models.TextField(help_text="The recommendation in full, as the peer team wrote it")
    response = models.CharField(
        "The council's response",
        max_length=20,
        choices=Response.choices,
        default=Response.NOT_RECORDED,
    )
    response_reason = models.TextField(
        "Reasons for the response",
        blank=True,
        validators=[MaxLengthValidator(RESPONSE_REASON_MAX_CHARACTERS)],
        help_text="Needed when the recommendation is only partly accepted or not accepted",
    )
    response_agreed_by = models.CharField(
        "Agreed by", max_length=200, blank=True, help_text='The body that agreed the response, e.g. "Cabinet"'
    )
    response_agreed_on = models.DateField("Agreed on", null=True, blank=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["challenge", "number"]
        constraints = [models.UniqueConstraint(fields=["challenge", "number"], name="unique_recommendation_number")]
        # The action plan sorted by recommendation number.
        indexes = [models.Index(fields=["number", "id"], name="recommendation_number_idx")]

    def __str__(self):
        return f"Recommendation {self.number}: {self.title}"

    def natural_key(self):
        return (self.challenge.slug, self.number)

    natural_key.dependencies = ["recommendations.peerchallenge", "recommendations.theme"]

    def get_absolute_url(self):
        return reverse("recommendations:recommendation-detail", args=[self.challenge.slug, self.number])

    def clean(self):
        """A council that only partly accepts a recommendation, or does not accept it, says why;
        a response is agreed on a real day, not in the future."""
        errors = {}
        needs_reason = self.response in (Response.PARTLY_ACCEPTED, Response.NOT_ACCEPTED)
        if needs_reason and not (self.response_reason or "").strip():
            errors["response_reason"] = "Enter the reasons the council gave for its response"
        if self.response_agreed_on and self.response_agreed_on > timezone.localdate():
            errors["response_agreed_on"] = "The date the response was agreed must be today or in the past"
        if self.response == Response.NOT_RECORDED and (self.response_agreed_by or self.response_agreed_on):
            errors["response"] = "Choose the council's response, or remove who agreed it and when"
        if errors:
            raise ValidationError(errors)

    @property
    def status(self):
        """The derived status; annotated by with_progress() where lists need it."""
        if hasattr(self, "derived_status"):
            return Status(self.derived_status)
        annotated = Recommendation.objects.with_progress().get(pk=self.pk)
        return Status(annotated.derived_status)


def raise_version(instance, save_kwargs):
    """Raise a stored row's `version` by one for the save about to happen (optimistic locking: a form
    opened before it is refused as stale), and add it to the save's update_fields if it names them.
    Returns the save's keyword arguments. Actions and indicators save through it."""
    if not instance._state.adding:
        instance.version += 1
        if save_kwargs.get("update_fields") is not None:
            save_kwargs = {**save_kwargs, "update_fields": {*save_kwargs["update_fields"], "version"}}
    return save_kwargs


class ActionQuerySet(models.QuerySet):
    def get_by_natural_key(self, challenge_slug, recommendation_number, reference):
        return self.get(
            recommendation__challenge__slug=challenge_slug,
            recommendation__number=recommendation_number,
            reference=reference,
        )

    def open(self):
        """Not finished with: neither complete, nor dropped (not taken forward or superseded)."""
        return self.exclude(status__in=CLOSED_STATUSES)

    def overdue(self, today=None):
        """Past its due date and still open (a dropped action is never overdue)."""
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)

    def due_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))

    def led_by(self, user):
        return self.filter(lead_officer=user)

    def in_plan_order(self):
        return self.order_by("recommendation__challenge", "recommendation__number", "reference")

    def overdue_first(self, today=None):
        """Overdue actions first, then by due date (undated last)."""
        today = today or timezone.localdate()
        return self.annotate(
            is_overdue_rank=Case(
                When(Q(due_date__lt=today) & ~Q(status__in=CLOSED_STATUSES), then=Value(0)),
                default=Value(1),
            )
        ).order_by("is_overdue_rank", F("due_date").asc(nulls_last=True), "reference")


DESCRIPTION_MAX_CHARACTERS = 2000
EVIDENCE_MAX_CHARACTERS = 2000
UPDATE_TEXT_MAX_CHARACTERS = 3000
QUARTER_LIKE = re.compile(r"^\s*Q\s*\d", re.IGNORECASE)


class Action(models.Model):
    """An action-plan item: what will be done, who leads it, by when, and how it is going.

    Its statuses are never set by hand: `status` (the working status staff see) and `public_status`
    (what the public sees) follow its progress-update records, by the one rule in
    recommendations.publication, whenever an update is saved or deleted.
    """

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(max_length=20, help_text="The action's number in the plan, e.g. 1.2")
    description = models.TextField(
        help_text="What will be done", validators=[MaxLengthValidator(DESCRIPTION_MAX_CHARACTERS)]
    )
    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
        help_text="An officer or coordinator of the council who keeps this action up to date",
    )
    lead_role = models.CharField(max_length=200, blank=True, help_text="The post that leads the action")
    timescale = models.CharField(max_length=100, blank=True, help_text="The timescale as the plan states it")
    starts_on = models.DateField("Planned start date", null=True, blank=True)
    due_date = models.DateField("Due date", null=True, blank=True, help_text="The planned completion date")
    actual_start = models.DateField("Actual start date", null=True, blank=True)
    actual_completion = models.DateField("Actual completion date", null=True, blank=True)
    also_answers = models.ManyToManyField(
        Recommendation,
        blank=True,
        related_name="also_answered_by",
        help_text="Other recommendations of the same challenge this action also answers. "
        "Its status counts only towards its own recommendation's status.",
    )
    depends_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="needed_by",
        help_text="Actions of the same challenge that must finish before this one can",
    )
    status = models.CharField(
        "Working status",
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        editable=False,
        help_text="The newest progress update's status, published or not (what staff see)",
    )
    public_status = models.CharField(
        "Published status",
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        editable=False,
        help_text="The newest published progress update's status (what the public sees)",
    )
    working_update = models.ForeignKey(
        "ProgressUpdate", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    public_update = models.ForeignKey(
        "ProgressUpdate", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    consideration = models.ForeignKey(
        "reviews.Consideration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The progress-review consideration this action carries forward, if any",
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised on every change; guards against lost edits"
    )
    history = HistoricalRecords(excluded_fields=["working_update", "public_update"])

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "reference"],
                name="unique_action_reference",
                violation_error_message="This recommendation already has an action with this number: use another",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(due_date__isnull=True) | Q(due_date__gte=F("starts_on")),
                name="action_dates_in_order",
                violation_error_message="The due date must be the same as or after the start date",
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_completion__isnull=True)
                | Q(actual_completion__gte=F("actual_start")),
                name="action_actual_dates_in_order",
                violation_error_message="The actual completion date must be the same as or after the actual start date",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_officer", "due_date"], name="action_lead_due_idx"),
            # The action plan sorted by due date or status (docs/performance.md, "The action plan at scale").
            models.Index(fields=["due_date", "id"], name="action_due_idx"),
            models.Index(fields=["status", "id"], name="action_status_idx"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_lead_id = self.lead_officer_id

    def __str__(self):
        return f"Action {self.reference}: {self.description[:60]}"

    def natural_key(self):
        return (*self.recommendation.natural_key(), self.reference)

    natural_key.dependencies = ["recommendations.recommendation"]

    def get_absolute_url(self):
        return reverse("recommendations:action-detail", args=[self.pk])

    def clean(self):
        """The rules every way in (forms, import, admin, commands) obeys: a quarter sets the dates,
        the dates are in order, and the lead is someone who may write this action's updates."""
        errors = {}
        self.reference = (self.reference or "").strip()
        quarter = quarter_dates(self.timescale)
        if quarter:
            first_day, last_day = quarter
            if self.starts_on is None or not first_day <= self.starts_on <= last_day:
                self.starts_on = first_day
            if self.due_date is None:
                self.due_date = last_day
            elif not first_day <= self.due_date <= last_day:
                errors["due_date"] = f"The due date must fall within {self.timescale.strip()}, or leave it blank"
        elif QUARTER_LIKE.match(self.timescale or ""):
            errors["timescale"] = (
                f"Timescale '{self.timescale.strip()}' is not a financial-year quarter: "
                "write it like Q3 2025/26 (Q1 to Q4, then the years it spans)"
            )
        if self.starts_on and self.due_date and self.due_date < self.starts_on and "due_date" not in errors:
            errors["due_date"] = "The due date must be the same as or after the start date"
        today = timezone.localdate()
        if self.actual_start and self.actual_start > today:
            errors["actual_start"] = "The actual start date must be today or in the past"
        if self.actual_completion and self.actual_completion > today:
            errors["actual_completion"] = "The actual completion date must be today or in the past"
        elif self.actual_start and self.actual_completion and self.actual_completion < self.actual_start:
            errors["actual_completion"] = (
                "The actual completion date must be the same as or after the actual start date"
            )
        if self.lead_officer_id and self.lead_officer_id != self._loaded_lead_id:
            council_id = self.recommendation.challenge.council_id if self.recommendation_id else None
            if not is_eligible_lead(self.lead_officer_id, council_id):
                errors["lead_officer"] = "The lead officer must be an active officer or coordinator of this council"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Every change raises the version by one, whoever makes it, so a stale form is refused."""
        super().save(*args, **raise_version(self, kwargs))
        self._loaded_lead_id = self.lead_officer_id

    @property
    def status_choice(self):
        return Status(self.status)

    @property
    def public_status_choice(self):
        return Status(self.public_status)

    @property
    def is_unpublished_change(self):
        """Staff see a working status the public does not see yet."""
        return self.status != self.public_status

    def _overdue_by(self, status):
        return self.due_date is not None and self.due_date < timezone.localdate() and status not in CLOSED_STATUSES

    @property
    def is_overdue(self):
        """Past its due date and not complete, by the working status (staff pages)."""
        return self._overdue_by(self.status)

    @property
    def is_publicly_overdue(self):
        """Past its due date and not complete, by the published status (public pages and reports)."""
        return self._overdue_by(self.public_status)

    @property
    def lead(self):
        """Who leads it, name and role, as the council's own staff read it. Public pages use
        recommendations.publication.lead_label, which leaves names out unless they are published."""
        name = (self.lead_officer.get_full_name() or self.lead_officer.get_username()) if self.lead_officer else ""
        if name and self.lead_role:
            return f"{name} ({self.lead_role})"
        return name or self.lead_role or "Not yet assigned"


def also_answers_errors(action, recommendations):
    """Why `action` may not also answer `recommendations`, as messages (empty when it may)."""
    errors = []
    challenge_id = action.recommendation.challenge_id
    for recommendation in recommendations:
        if recommendation.pk == action.recommendation_id:
            errors.append(f"Recommendation {recommendation.number} is this action's own recommendation")
        elif recommendation.challenge_id != challenge_id:
            errors.append(f"{recommendation} is not a recommendation of this peer challenge")
    return errors


def dependency_errors(action, dependencies):
    """Why `action` may not depend on `dependencies` (actions), as messages (empty when it may):
    each must be another action of the same challenge, and no chain of dependencies may lead back
    to `action` (a cycle would leave every action in it waiting for ever)."""
    errors = []
    challenge_id = action.recommendation.challenge_id
    edges = {}
    for from_id, to_id in Action.depends_on.through.objects.filter(
        from_action__recommendation__challenge=challenge_id
    ).values_list("from_action_id", "to_action_id"):
        edges.setdefault(from_id, set()).add(to_id)
    for dependency in dependencies:
        if dependency.pk == action.pk:
            errors.append(f"Action {action.reference} cannot depend on itself")
        elif dependency.recommendation.challenge_id != challenge_id:
            errors.append(f"Action {dependency.reference} belongs to another peer challenge")
        elif _reaches(edges, dependency.pk, action.pk):
            errors.append(
                f"Action {dependency.reference} already depends on action {action.reference}, directly or "
                "through other actions: depending on it would make a loop"
            )
    return errors


def _reaches(edges, start, goal):
    seen, frontier = set(), [start]
    while frontier:
        current = frontier.pop()
        if current == goal:
            return True
        if current not in seen:
            seen.add(current)
            frontier.extend(edges.get(current, ()))
    return False


@receiver(models.signals.m2m_changed, sender=Action.depends_on.through)
def check_dependencies(sender, instance, action, reverse, model, pk_set, **kwargs):
    """The dependency rule holds whatever adds a dependency: form, import, admin or shell."""
    if action != "pre_add" or not pk_set:
        return
    others = Action.objects.select_related("recommendation").filter(pk__in=pk_set)
    if reverse:  # instance is needed by each of `others`
        errors = [message for other in others for message in dependency_errors(other, [instance])]
    else:
        errors = dependency_errors(instance, others)
    if errors:
        raise ValidationError({"depends_on": errors})


@receiver(models.signals.m2m_changed, sender=Action.also_answers.through)
def check_also_answers(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Only other recommendations of the action's own challenge, whatever adds them."""
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # instance is a recommendation; pk_set are actions
        actions = Action.objects.select_related("recommendation").filter(pk__in=pk_set)
        errors = [message for other in actions for message in also_answers_errors(other, [instance])]
    else:
        errors = also_answers_errors(instance, Recommendation.objects.filter(pk__in=pk_set))
    if errors:
        raise ValidationError({"also_answers": errors})


def display_name(user):
    """How a person is named on pages, in e-mails and in history: their full name, else their username."""
    return user.get_full_name() or user.get_username()


def is_eligible_lead(user_id, council_id):
    """May this user lead an action of this council? An active officer or coordinator of it."""
    return Membership.objects.filter(
        user_id=user_id, council_id=council_id, role__in=LEAD_ROLES, user__is_active=True
    ).exists()


def eligible_leads(council_id):
    """The users who may lead an action of this council: the queryset twin of is_eligible_lead."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__council_id=council_id, memberships__role__in=LEAD_ROLES)
        .order_by("first_name", "last_name", "username")
    )


class Approval(models.TextChoices):
    """Where an update stands on its way to the public page."""

    NOT_FOR_PUBLICATION = "not_for_publication", "Not for publication"
    NOT_NEEDED = "not_needed", "Published"
    AWAITING = "awaiting", "Awaiting approval"
    APPROVED = "approved", "Approved and published"
    RETURNED = "returned", "Returned"


class ProgressUpdateQuerySet(models.QuerySet):
    def get_by_natural_key(self, uid):
        return self.get(uid=uid)

    def awaiting_approval(self):
        return self.filter(approval=Approval.AWAITING)

    def returned_to(self, user):
        return self.filter(approval=Approval.RETURNED, author=user)

    def latest_per_action(self):
        """Only each action's newest update (a window function, so one query for any number of actions)."""
        return self.annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("action_id")],
                order_by=[F("date").desc(), F("created_at").desc(), F("pk").desc()],
            )
        ).filter(recency=1)

    def newest_first(self):
        return self.order_by("-date", "-created_at", "-pk")


class ProgressUpdate(models.Model):
    """A record of progress on one action at one date. Never overwritten."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress_updates")
    date = models.DateField(default=timezone.localdate)
    text = models.TextField(
        "Progress to date",
        validators=[MaxLengthValidator(UPDATE_TEXT_MAX_CHARACTERS)],
        help_text="What has been done so far",
    )
    next_steps = models.TextField(
        "Next steps",
        blank=True,
        validators=[MaxLengthValidator(UPDATE_TEXT_MAX_CHARACTERS)],
        help_text="What will be done next, and by when",
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    closure_reason = models.TextField(
        "Why the action is closing",
        blank=True,
        validators=[MaxLengthValidator(EVIDENCE_MAX_CHARACTERS)],
        help_text="Needed when the action will not be taken forward or is superseded",
    )
    superseded_by = models.ForeignKey(
        Action,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes_updates",
        help_text="The action of the same challenge that takes this one's place",
    )
    percent_complete = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    evidence_url = models.URLField("Link to evidence", blank=True, max_length=500)
    completion_evidence = models.TextField(
        "Evidence of completion",
        blank=True,
        validators=[MaxLengthValidator(EVIDENCE_MAX_CHARACTERS)],
        help_text="What shows the action is done, e.g. a report or decision; shown once the update is published",
    )
    difference_made = models.TextField(
        "What difference it has made",
        blank=True,
        validators=[MaxLengthValidator(EVIDENCE_MAX_CHARACTERS)],
        help_text="Shown on the public page once this update is published",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="progress_updates"
    )
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the update comes from when no user wrote it in the app"
    )
    published = models.BooleanField("Published on the public page", default=False)
    approval = models.CharField(max_length=20, choices=Approval.choices, default=Approval.NOT_FOR_PUBLICATION)
    return_reason = models.TextField("Why it was returned", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviewed_updates"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        get_latest_by = ["date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
                name="percent_complete_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(published=False) | Q(approval__in=[Approval.NOT_NEEDED, Approval.APPROVED]),
                name="only_approved_updates_are_published",
            ),
        ]
        indexes = [
            # The coordinators' queue of updates awaiting approval, without scanning every update.
            models.Index(fields=["created_at"], condition=Q(approval="awaiting"), name="progressupdate_awaiting_idx"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_approval = self.approval

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._loaded_approval = self.approval

    def __str__(self):
        return f"Update on {self.action.reference} ({self.date:%d %B %Y})"

    def natural_key(self):
        return (str(self.uid),)

    natural_key.dependencies = ["recommendations.action"]

    def clean(self):
        """An update is dated between the challenge's first day on site and today, and one that
        says the action is complete says how we know and what difference it made."""
        errors = {}
        if self.date and self.action_id:
            challenge = self.action.recommendation.challenge
            if self.date > timezone.localdate():
                errors["date"] = "The date of the update must be today or in the past"
            elif self.date < challenge.on_site_from:
                errors["date"] = (
                    f"The date of the update must be on or after {challenge.on_site_from:%-d %B %Y}, "
                    "when the peer challenge began"
                )
        if self.status in DROPPED_STATUSES and not (self.closure_reason or "").strip():
            errors["closure_reason"] = "Enter why the action is closing"
        if self.status == Status.SUPERSEDED:
            if self.superseded_by_id is None:
                errors["superseded_by"] = "Choose the action that supersedes this one"
            elif self.superseded_by_id == self.action_id:
                errors["superseded_by"] = "An action cannot supersede itself: choose another action"
            elif self.action_id and (
                not Action.objects.filter(
                    pk=self.superseded_by_id, recommendation__challenge=self.action.recommendation.challenge_id
                ).exists()
            ):
                errors["superseded_by"] = "Choose an action of the same peer challenge"
        elif self.superseded_by_id is not None:
            errors["superseded_by"] = "Only an update that says the action is superseded names what supersedes it"
        if self.status == Status.COMPLETE and not self.source:
            if not (self.completion_evidence or "").strip():
                errors["completion_evidence"] = "Enter the evidence that the action is complete"
            if not (self.difference_made or "").strip():
                errors["difference_made"] = "Enter what difference the action has made"
        if errors:
            raise ValidationError(errors)

    @property
    def status_choice(self):
        return Status(self.status)

    @property
    def written_by(self):
        if self.author:
            return self.author.get_full_name() or self.author.get_username()
        return self.source


def evidence_file_path(instance, filename):
    """Where an evidence file is stored: a random name under the challenge's folder, never the
    name the user sent (which is kept in `name` for display only)."""
    suffix = pathlib.PurePath(filename).suffix.lower()[:10]
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class EvidenceFile(models.Model):
    """A document attached to a progress update. A public one is served to anyone once its update
    is published; a private one only to signed-in members of the update's council. Files are
    stored through Django's storage API and only ever added by recommendations.evidence."""

    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence_files")
    file = models.FileField(upload_to=evidence_file_path, max_length=255)
    name = models.CharField("File name", max_length=255, help_text="The name it was uploaded with, made safe")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(help_text="In bytes")
    public = models.BooleanField(
        "Public", default=False, help_text="Shown on the public page once the update is published"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["update", "uploaded_at", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:evidence-file", args=[self.pk])


ONE_OPEN_ROUND = "This peer challenge already has an open update round: close it before opening another"


class UpdateRound(models.Model):
    """A coordinator's request to every lead for a progress update by a deadline, e.g. before a
    scrutiny committee. An update written on one of its actions while it is open counts for it
    (see recommendations.rounds)."""

    challenge = models.ForeignKey(PeerChallenge, on_delete=models.CASCADE, related_name="update_rounds")
    title = models.CharField(max_length=200, help_text="For example, Quarter 3 2024/25 – for scrutiny on 14 March 2025")
    deadline = models.DateField(help_text="Leads are asked to update their actions by this day")
    grace_days = models.PositiveSmallIntegerField(
        "Grace period in days",
        default=0,
        validators=[MaxValueValidator(60)],
        help_text="Updates this many days after the deadline still count as on time",
    )
    actions = models.ManyToManyField(Action, related_name="update_rounds")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge"],
                condition=Q(closed_at__isnull=True),
                name="one_open_round_per_challenge",
                violation_error_message=ONE_OPEN_ROUND,
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("recommendations:round-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def last_day(self):
        """The last day an update counts as on time: the deadline plus the grace period."""
        return self.deadline + datetime.timedelta(days=self.grace_days)

    def clean(self):
        self.title = (self.title or "").strip()
        if self._state.adding and self.deadline and self.deadline < timezone.localdate(self.opened_at):
            raise ValidationError({"deadline": "The deadline must be today or in the future"})


class RoundReminder(models.Model):
    """A reminder sent to a lead who had not yet updated all their actions in a round. One a day at most."""

    round = models.ForeignKey(UpdateRound, on_delete=models.CASCADE, related_name="reminders")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(default=timezone.localdate)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "lead", "sent_on"], name="one_round_reminder_a_day"),
        ]

    def __str__(self):
        return f"Reminder to {self.lead} on {self.sent_on:%d %B %Y}"


class NotificationKind(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "An update is waiting for my approval"
    UPDATE_APPROVED = "update_approved", "A coordinator approved my update"
    UPDATE_RETURNED = "update_returned", "A coordinator returned my update"
    ACTION_ASSIGNED = "action_assigned", "An action is given to me or taken from me"
    ROUND_OPENED = "round_opened", "An update round asks for my updates"
    ROUND_REMINDER = "round_reminder", "A reminder that my updates for a round are due"
    UPDATES_DUE = "updates_due", "My actions are due and have had no update for a while"


class EmailState(models.TextChoices):
    NOT_WANTED = "not_wanted", "Not wanted"
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """Something a person should know, shown in the app and e-mailed if they want it.
    Its key makes it happen once: the same event never notifies the same person twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True, help_text="The page it is about, as a path on this site")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=20, choices=EmailState.choices, default=EmailState.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.TextField(blank=True)
    email_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
            models.Index(
                fields=["created_at"],
                condition=Q(email__in=["pending", "sending", "failed"]),
                name="notification_outbox_idx",
            ),
        ]

    def __str__(self):
        return self.subject


class NotificationPreference(models.Model):
    """Whether a person wants e-mail for one kind of notification. No row means yes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user}: {self.kind} by e-mail {'on' if self.email else 'off'}"


@receiver(post_save, sender=ProgressUpdate, dispatch_uid="progress_update_saved")
def update_saved(sender, instance, raw=False, **kwargs):
    """Whoever saves an update (a service, the admin, a factory), its action's statuses follow.
    Fixture loads (raw) are refreshed in bulk by the loader."""
    if not raw:
        from .publication import refresh_action

        refresh_action(instance.action_id, by=getattr(instance, "_history_user", None) or instance.author)


@receiver(post_delete, sender=ProgressUpdate, dispatch_uid="progress_update_deleted")
def update_deleted(sender, instance, origin=None, **kwargs):
    """A deleted update no longer counts, unless its action is being deleted with it."""
    if isinstance(origin, Action) or getattr(origin, "model", None) is Action:
        return
    from .publication import refresh_action

    refresh_action(instance.action_id, by=getattr(instance, "_history_user", None))


class InvitationQuerySet(models.QuerySet):
    def pending(self, now=None):
        """Neither accepted, withdrawn nor expired: the link still works."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """A person asked by e-mail to take a role at a council. Only a hash of the link's token is
    kept; the link works once, until it expires (recommendations.invitations)."""

    email = models.EmailField(
        "Email address",
        max_length=150,  # it becomes the new account's username
        error_messages={"max_length": "Enter an email address of 150 characters or fewer"},
    )
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["council", "-created_at"], name="invitation_council_idx")]

    def __str__(self):
        return f"{self.email} — {self.get_role_display()}, {self.council}"

    @property
    def is_pending(self):
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()

    def clean(self):
        self.email = (self.email or "").strip().lower()
        if self.email and self.council_id:
            members = Membership.objects.filter(council_id=self.council_id).filter(
                Q(user__email__iexact=self.email) | Q(user__username__iexact=self.email)
            )
            if members.exists():
                raise ValidationError(
                    {"email": f"{self.email} already has a role at {self.council}: an administrator can change it"}
                )
