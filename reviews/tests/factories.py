import datetime
from decimal import Decimal

import factory

from recommendations.tests.factories import PeerChallengeFactory, ThemeFactory
from reviews.models import Consideration, Finding, Indicator, PeerTeamMember, ProgressReview


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


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    review = factory.SubFactory(ProgressReviewFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    value = Decimal("12.5")
    unit = "%"
    comparator = "above the national average"


def build_review(challenge, *, members=7, findings_per_theme=3, considerations=3, indicators=4):
    review = ProgressReviewFactory(challenge=challenge)
    PeerTeamMemberFactory.create_batch(members, review=review)
    for theme in challenge.themes.all():
        for recommendation in theme.recommendations.all()[:findings_per_theme]:
            FindingFactory(review=review, theme=theme, recommendation=recommendation)
    ConsiderationFactory.create_batch(considerations, review=review)
    IndicatorFactory.create_batch(indicators, review=review)
    return review
