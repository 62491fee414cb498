"""The LGA's progress review of a peer challenge: its peer team, findings,
considerations for the future and the LG Inform indicators it quoted."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from recommendations.models import PeerChallenge, Recommendation, Theme


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


class Indicator(ReviewPart):
    """An LG Inform figure the review quoted, with the comparison it gave."""

    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200, help_text="What it measures")
    value = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    unit = models.CharField(max_length=50, blank=True, help_text='e.g. "%" or "per 10,000 children"')
    comparator = models.TextField(blank=True, help_text="The comparison the review gives")
    comparator_value = models.DecimalField(
        max_digits=10, decimal_places=1, null=True, blank=True, help_text="The comparator as a number, if it is one"
    )
    comparator_label = models.CharField(max_length=100, blank=True, help_text='e.g. "National average"')

    class Meta(ReviewPart.Meta):
        constraints = [models.UniqueConstraint(fields=["review", "order"], name="unique_indicator_order")]

    def __str__(self):
        return self.name

    @property
    def figure(self):
        """The figure as the letter prints it: 97.6%, 72 per 10,000."""
        if self.value is None:
            return ""
        number = f"{self.value.normalize():f}"
        return f"{number}%" if self.unit == "%" else f"{number} {self.unit}".strip()


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

    def clean(self):
        if self.review_id and self.recommendation_id:
            if self.recommendation.challenge_id != self.review.challenge_id:
                raise ValidationError({"recommendation": "Choose a recommendation of the reviewed peer challenge"})
