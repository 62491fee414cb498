import datetime
from decimal import Decimal

import factory

from recommendations.tests.factories import PeerChallengeFactory, ThemeFactory
from reviews.models import (
    Consideration,
    Finding,
    Indicator,
    IndicatorValue,
    PeerTeamMember,
    Polarity,
    ProgressReview,
)


class ProgressReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReview

    challenge = factory.SubFactory(PeerChallengeFactory)
    on_site = datetime.date(2023, 10, 16)
    letter_date = datetime.date(2023, 10, 16)
    summary = factory.Faker("paragraph")


class PeerTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerTeamMember

    review = factory.SubFactory(ProgressReviewFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Faker("name", locale="en_GB")
    role = "Member Peer"
    organisation = "Somewhere Council"


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    review = factory.SubFactory(ProgressReviewFactory)
    theme = factory.SubFactory(ThemeFactory, challenge=factory.SelfAttribute("..review.challenge"))
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("paragraph")


class ConsiderationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consideration

    review = factory.SubFactory(ProgressReviewFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Consideration {n}")
    text = factory.Faker("paragraph")


# The figure fields of an indicator's value that IndicatorFactory also takes, for one quoted by a review.
FIGURE_FIELDS = ("value", "target", "comparator", "comparator_value", "comparator_label", "note")


def review_period(review):
    """How a figure quoted by a progress review names its period (the letter gives no data year)."""
    return f"At the progress review, {review.on_site:%B %Y}"


class IndicatorFactory(factory.django.DjangoModelFactory):
    """An indicator of a challenge. Quoted by a review (`review=`), it belongs to the review's
    challenge and is public, as the letter is; otherwise it is internal, as the model's default.
    Given any of FIGURE_FIELDS (value="97.6", comparator_value=..., ...) with a review, it also gets
    that value for the review's period, as the migration made of the figures reviews quoted."""

    class Meta:
        model = Indicator

    review = None
    challenge = factory.LazyAttribute(lambda o: o.review.challenge if o.review else PeerChallengeFactory())
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "%"
    polarity = Polarity.HIGHER
    source = "LG Inform"
    public = factory.LazyAttribute(lambda o: o.review is not None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        figures = {name: kwargs.pop(name) for name in FIGURE_FIELDS if name in kwargs}
        indicator = super()._create(model_class, *args, **kwargs)
        if figures:
            if indicator.review is None:
                raise ValueError(
                    "Figures for IndicatorFactory need the review that quoted them: use IndicatorValueFactory"
                )
            IndicatorValueFactory(
                indicator=indicator,
                period_start=indicator.review.on_site,
                period=review_period(indicator.review),
                **figures,
            )
        return indicator


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    """A monthly figure: the first is for January 2022, then each factory call the next month."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    period_start = factory.Sequence(lambda n: datetime.date(2022 + n // 12, n % 12 + 1, 1))
    period = factory.LazyAttribute(lambda o: f"{o.period_start:%B %Y}")
    value = Decimal("12.5")


def add_values(indicator, values, *, start=datetime.date(2022, 1, 1), **fields):
    """Monthly values for `indicator` from `start`, one per number in `values` (None: no figure)."""
    created = []
    for i, value in enumerate(values):
        month = start.month - 1 + i
        period_start = datetime.date(start.year + month // 12, month % 12 + 1, 1)
        created.append(
            IndicatorValueFactory(
                indicator=indicator,
                period_start=period_start,
                period=f"{period_start:%B %Y}",
                value=None if value is None else Decimal(str(value)),
                **fields,
            )
        )
    return created


def build_review(challenge, *, members=7, findings_per_theme=3, considerations=3, indicators=4):
    review = ProgressReviewFactory(challenge=challenge)
    PeerTeamMemberFactory.create_batch(members, review=review)
    for theme in challenge.themes.all():
        for recommendation in theme.recommendations.all()[:findings_per_theme]:
            FindingFactory(review=review, theme=theme, recommendation=recommendation)
    ConsiderationFactory.create_batch(considerations, review=review)
    IndicatorFactory.create_batch(
        indicators, review=review, value=Decimal("12.5"), comparator="above the national average"
    )
    return review
