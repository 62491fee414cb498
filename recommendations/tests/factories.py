"""Factories for the action plan. Tests build their own data; fixtures are for the app."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from recommendations.models import (
    Action,
    Approval,
    Council,
    Membership,
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
    def roles(self, create, extracted, **kwargs):
        """roles=[OFFICER] makes the user an officer of the default council (Anytown Council);
        roles=[(council, COORDINATOR), ...] names the council."""
        if create and extracted:
            for role in extracted:
                council, role = role if isinstance(role, tuple) else (CouncilFactory(), role)
                Membership.objects.update_or_create(user=self, council=council, defaults={"role": role})


class CouncilFactory(factory.django.DjangoModelFactory):
    """Every factory's challenge belongs to Anytown Council unless a test names another council, so
    the role fixtures (members of Anytown Council) work on the data tests build."""

    class Meta:
        model = Council
        django_get_or_create = ["slug"]

    name = "Anytown Council"
    slug = factory.LazyAttribute(lambda council: slugify(council.name))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory("recommendations.tests.factories.UserFactory")
    council = factory.SubFactory(CouncilFactory)
    role = "officer"


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
        skip_postgeneration_save = True

    recommendation = factory.SubFactory(RecommendationFactory)
    reference = factory.Sequence(lambda n: f"A{n}")
    description = factory.Faker("sentence")
    lead_role = "Chief Executive"
    timescale = "March 2024"
    due_date = datetime.date(2030, 3, 31)
    status = Status.NOT_STARTED

    class Params:
        overdue = factory.Trait(due_date=datetime.date(2020, 1, 31), status=Status.AT_RISK)

    @classmethod
    def _create(cls, model_class, *args, status=Status.NOT_STARTED, **kwargs):
        """ActionFactory(status=...) records a published progress update with that status, dated
        1 January 2023 (statuses follow updates). The default, Not started, records none."""
        action = super()._create(model_class, *args, **kwargs)
        status = Status(status)
        if status != Status.NOT_STARTED:
            complete = status == Status.COMPLETE
            ProgressUpdate.objects.create(
                action=action,
                date=datetime.date(2023, 1, 1),
                text=f"Status set to {status.label} by a test",
                status=status,
                published=True,
                approval=Approval.NOT_NEEDED,
                completion_evidence="Cabinet report, 1 January 2023" if complete else "",
                difference_made="Residents see the difference" if complete else "",
            )
            action.refresh_from_db()
        return action


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate
        skip_postgeneration_save = True

    action = factory.SubFactory(ActionFactory)
    date = datetime.date(2023, 10, 16)
    text = factory.Faker("paragraph")
    status = Status.ON_TRACK
    published = True
    approval = factory.LazyAttribute(lambda u: Approval.NOT_NEEDED if u.published else Approval.NOT_FOR_PUBLICATION)
    completion_evidence = factory.LazyAttribute(lambda u: "Decision of Cabinet" if u.status == Status.COMPLETE else "")
    difference_made = factory.LazyAttribute(lambda u: "A clearer plan" if u.status == Status.COMPLETE else "")

    @factory.post_generation
    def refresh_action(self, create, extracted, **kwargs):
        """The action's statuses follow (the save signal did it); keep the Python object in step."""
        if create:
            self.action.refresh_from_db()


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
