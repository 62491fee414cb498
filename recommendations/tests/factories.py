"""Factories for the action plan. Tests build their own data; fixtures are for the app."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from recommendations.roles import ensure_role_groups
from recommendations.models import (
    Action,
    Approval,
    Council,
    PeerChallenge,
    ProgressUpdate,
    Recommendation,
    Status,
    Theme,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            groups = ensure_role_groups()
            for name in extracted:
                self.groups.add(groups.get(name) or Group.objects.get_or_create(name=name)[0])


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")


class PeerChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerChallenge

    council = factory.SubFactory(CouncilFactory)
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title = "Corporate Peer Challenge"
    on_site_from = datetime.date(2022, 11, 1)
    on_site_to = datetime.date(2022, 11, 4)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    challenge = factory.SubFactory(PeerChallengeFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Theme title {n}")


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    theme = factory.SubFactory(ThemeFactory)
    challenge = factory.SelfAttribute("theme.challenge")
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Recommendation title {n}")
    text = factory.Faker("paragraph")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    recommendation = factory.SubFactory(RecommendationFactory)
    reference = factory.Sequence(lambda n: f"A{n}")
    description = factory.Faker("sentence")
    lead_role = "Chief Executive"
    timescale = "March 2024"
    due_date = datetime.date(2030, 3, 31)
    status = Status.ON_TRACK

    class Params:
        overdue = factory.Trait(due_date=datetime.date(2020, 1, 31), status=Status.AT_RISK)


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    date = datetime.date(2023, 10, 16)
    text = factory.Faker("paragraph")
    status = Status.ON_TRACK
    published = True
    approval = factory.LazyAttribute(lambda u: Approval.NOT_NEEDED if u.published else Approval.NOT_FOR_PUBLICATION)


def build_challenge(*, themes=3, recommendations_per_theme=2, actions_per_recommendation=2, updates_per_action=2):
    """A whole challenge with themes, recommendations, actions and published updates, for budget tests."""
    challenge = PeerChallengeFactory()
    number = 0
    for theme_number in range(1, themes + 1):
        theme = ThemeFactory(challenge=challenge, number=theme_number)
        for _ in range(recommendations_per_theme):
            number += 1
            recommendation = RecommendationFactory(theme=theme, challenge=challenge, number=number)
            for a in range(actions_per_recommendation):
                action = ActionFactory(recommendation=recommendation, reference=f"{number}.{a + 1}")
                ProgressUpdateFactory.create_batch(updates_per_action, action=action)
    return challenge
