"""The LGA's progress review of a peer challenge (its peer team, findings and considerations for
the future), and the performance indicators a council follows its peer challenge with: the LG
Inform figures the review quoted are the first values of its indicators."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from recommendations.models import PeerChallenge, Recommendation, Theme, is_eligible_lead, raise_version


class ProgressReviewQuerySet(models.QuerySet):
    def get_by_natural_key(self, challenge_slug, on_site):
        return self.get(challenge__slug=challenge_slug, on_site=on_site)


class ProgressReview(models.Model):
    challenge = models.ForeignKey(PeerChallenge, on_delete=models.CASCADE, related_name="progress_reviews")
    on_site = models.DateField(help_text="The day the peer team revisited the council")
    letter_date = models.DateField(help_text="The date of the progress review letter")
    summary = models.TextField(blank=True, help_text="The letter's executive summary")
    scope = models.TextField(blank=True)
    contact = models.TextField(blank=True, help_text="Who at the LGA to contact about the review")

    objects = ProgressReviewQuerySet.as_manager()

    class Meta:
        ordering = ["challenge", "-on_site"]
        constraints = [models.UniqueConstraint(fields=["challenge", "on_site"], name="unique_review_per_day")]

    def __str__(self):
        return f"Progress review of {self.challenge.council}, {self.on_site:%-d %B %Y}"

    def natural_key(self):
        return (self.challenge.slug, self.on_site.isoformat())

    natural_key.dependencies = ["recommendations.peerchallenge"]

    def get_absolute_url(self):
        return reverse("reviews:review-detail", args=[self.pk])


class ReviewPartManager(models.Manager):
    """Natural keys for the parts of a review: the review's key and an order within it."""

    def get_by_natural_key(self, challenge_slug, on_site, order):
        return self.get(review__challenge__slug=challenge_slug, review__on_site=on_site, order=order)


class ReviewPart(models.Model):
    order = models.PositiveSmallIntegerField()

    objects = ReviewPartManager()

    class Meta:
        abstract = True
        ordering = ["review", "order"]

    def natural_key(self):
        return (*self.review.natural_key(), self.order)

    natural_key.dependencies = ["reviews.progressreview"]


class PeerTeamMember(ReviewPart):
    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="peer_team")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200)

    class Meta(ReviewPart.Meta):
        constraints = [models.UniqueConstraint(fields=["review", "order"], name="unique_peer_order")]

    def __str__(self):
        return self.name


class Finding(ReviewPart):
    """What the peer team found, under a theme and optionally about one recommendation."""

    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="findings")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="findings")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    text = models.TextField()

    class Meta(ReviewPart.Meta):
        constraints = [models.UniqueConstraint(fields=["review", "order"], name="unique_finding_order")]

    def __str__(self):
        return f"Finding {self.order} ({self.theme})"


class Consideration(ReviewPart):
    """Something the peer team asked the council to consider as it goes forward."""

    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="considerations")
    title = models.CharField(max_length=200)
    text = models.TextField()

    class Meta(ReviewPart.Meta):
        constraints = [models.UniqueConstraint(fields=["review", "order"], name="unique_consideration_order")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reviews:consideration-detail", args=[self.pk])


class Polarity(models.TextChoices):
    """Which way is better for an indicator: its direction of travel is read by it."""

    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    NOT_STATED = "not_stated", "Not stated"


class Frequency(models.TextChoices):
    """How often an indicator's figures are reported."""

    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


def format_figure(value, unit):
    """A number as people write it, with its unit: 97.6%, 72 per 10,000, 1,250 tonnes (no trailing
    zeros, thousands separated). Empty for no number."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).normalize()
    if number == 0:
        number = Decimal(0)  # not "-0"
    unit = (unit or "").strip()
    text = f"{number:,f}"
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


class IndicatorQuerySet(models.QuerySet):
    def get_by_natural_key(self, challenge_slug, name):
        return self.get(challenge__slug=challenge_slug, name=name)


class Indicator(models.Model):
    """A measure of how the council is doing that its peer challenge is followed by: what it
    measures, which way is better, where the figures come from, who keeps them up to date, and
    whether the public sees it. Its figures over time are its `values`.

    Internal by default: the progress review asked the council to keep public reporting of
    progress apart from internal management information. Who may read or edit one, direction of
    travel and the latest value against target are in reviews.indicators."""

    challenge = models.ForeignKey(PeerChallenge, on_delete=models.CASCADE, related_name="indicators")
    review = models.ForeignKey(
        ProgressReview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="Quoted in the progress review",
        help_text="The progress review that quoted this indicator, if one did",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Where it comes in lists (lowest first)")
    name = models.CharField(max_length=200)
    description = models.TextField("What it measures", blank=True)
    unit = models.CharField(max_length=50, blank=True, help_text='e.g. "%" or "per 10,000 children"')
    polarity = models.CharField(
        "Which way is better", max_length=20, choices=Polarity.choices, default=Polarity.NOT_STATED
    )
    source = models.CharField(max_length=200, blank=True, help_text='Where the figures come from, e.g. "LG Inform"')
    source_id = models.CharField("LG Inform metric id", max_length=50, blank=True)
    source_url = models.URLField("Link to the source", max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_indicators",
        help_text="An officer or coordinator of the council who keeps its figures up to date",
    )
    frequency = models.CharField(
        "Reporting frequency", max_length=20, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    public = models.BooleanField(
        "Shown to the public",
        default=False,
        help_text="Public indicators are on public pages, reports and open data; "
        "internal ones only for the council's own members",
    )
    recommendations = models.ManyToManyField(Recommendation, blank=True, related_name="indicators")
    themes = models.ManyToManyField(Theme, blank=True, related_name="indicators")
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised on every change; guards against lost edits"
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["challenge", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "name"],
                name="unique_indicator_name",
                violation_error_message="This peer challenge already has an indicator with this name: use another",
            )
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loaded_owner_id = self.owner_id

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.challenge.slug, self.name)

    natural_key.dependencies = ["recommendations.peerchallenge", "reviews.progressreview"]

    def get_absolute_url(self):
        return reverse("reviews:indicator-detail", args=[self.pk])

    def clean(self):
        """The rules every way in obeys: a new owner may keep this council's figures (one who has
        since left the role does not block other changes), and a review that quotes it is a review
        of the same challenge."""
        errors = {}
        self.name = (self.name or "").strip()
        if self.owner_id and (self._state.adding or self.owner_id != self._loaded_owner_id):
            council_id = self.challenge.council_id if self.challenge_id else None
            if not is_eligible_lead(self.owner_id, council_id):
                errors["owner"] = "The owner must be an active officer or coordinator of this council"
        if self.review_id and self.challenge_id and self.review.challenge_id != self.challenge_id:
            errors["review"] = "Choose a progress review of this indicator's peer challenge"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """Every change raises the version by one, whoever makes it, so a stale form is refused."""
        super().save(*args, **raise_version(self, kwargs))
        self._loaded_owner_id = self.owner_id

    def format(self, value):
        """A number of this indicator with its unit: 97.6%, 72 per 10,000."""
        return format_figure(value, self.unit)


class IndicatorValueQuerySet(models.QuerySet):
    def get_by_natural_key(self, challenge_slug, name, period_start):
        return self.get(indicator__challenge__slug=challenge_slug, indicator__name=name, period_start=period_start)


class IndicatorValue(models.Model):
    """One period's figure of an indicator, with its target and what it is compared with."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(
        "First day of the period", help_text="The first day of the month, quarter or year the figure is for"
    )
    period = models.CharField(
        max_length=50, help_text='The period as people write it, e.g. "2022/23", "Q2 2023/24" or "September 2023"'
    )
    value = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    comparator_value = models.DecimalField(
        "Comparator's figure",
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The comparator as a number, if it is one",
    )
    comparator_label = models.CharField(
        "Comparator", max_length=100, blank=True, help_text='What it is compared with, e.g. "National average"'
    )
    comparator = models.TextField(
        "Comparison in words", blank=True, help_text='e.g. "the third best rate for a Metropolitan Council"'
    )
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start"],
                name="one_value_per_indicator_period",
                violation_error_message="This indicator already has a figure for a period starting that day",
            )
        ]

    def clean(self):
        """Every way in (form, import, admin) records a figure, or the comparison in words where
        there is none (the letter gives no figure for household waste), for a named period."""
        errors = {}
        self.period = (self.period or "").strip()
        if not self.period:
            errors["period"] = "Enter the period the figure is for"
        if self.value is None and not (self.comparator or "").strip():
            errors["value"] = "Enter the figure, or the comparison in words if there is no figure"
        if errors:
            raise ValidationError(errors)

    def __str__(self):
        return f"{self.indicator}, {self.period}"

    def natural_key(self):
        return (*self.indicator.natural_key(), self.period_start.isoformat())

    natural_key.dependencies = ["reviews.indicator"]

    @property
    def figure(self):
        """The figure with its unit, as the letter prints it: 97.6%, 72 per 10,000 (empty for none)."""
        return format_figure(self.value, self.indicator.unit)

    @property
    def target_figure(self):
        return format_figure(self.target, self.indicator.unit)

    @property
    def comparator_figure(self):
        return format_figure(self.comparator_value, self.indicator.unit)


class PeerRating(models.TextChoices):
    """The peer team's view of a recommendation's progress at the review."""

    GOOD = "good", "Good progress"
    SOME = "some", "Some progress"
    LIMITED = "limited", "Limited progress"
    NONE = "none", "No progress"


class PeerAssessment(models.Model):
    """What the peer team made of one recommendation at a progress review, in their words,
    shown beside the council's own status at the review date."""

    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="assessments")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="peer_assessments")
    rating = models.CharField(max_length=20, choices=PeerRating.choices)
    text = models.TextField("The peer team's words", blank=True)

    class Meta:
        ordering = ["review", "recommendation__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "recommendation"],
                name="one_assessment_per_recommendation",
                violation_error_message="The review already has an assessment of this recommendation",
            )
        ]

    def __str__(self):
        return f"{self.get_rating_display()}: {self.recommendation}"

    def compared_with(self, status):
        """The rating beside the council's own status at the review date (reviews.assessment: the
        one rule for when they differ). Here so the plan's pages can ask it without importing reviews."""
        from .assessment import compare  # reviews.assessment imports this module

        return compare(self.rating, status)

    def clean(self):
        if self.review_id and self.recommendation_id:
            if self.recommendation.challenge_id != self.review.challenge_id:
                raise ValidationError({"recommendation": "Choose a recommendation of the reviewed peer challenge"})
