"""reviews 0003: the figures a review quoted become public indicators of its challenge, each with one
value for the review's period, and nothing is lost; going back restores the figures."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reviews", "0002_richer_record")]
AFTER = [("reviews", "0003_indicators_over_time")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def test_figures_become_values_of_public_indicators_and_come_back():
    old = migrate(BEFORE)
    council = old.get_model("recommendations", "Council").objects.create(name="Anytown Council", slug="anytown")
    challenge = old.get_model("recommendations", "PeerChallenge").objects.create(
        council=council,
        slug="anytown-cpc",
        title="Corporate Peer Challenge",
        on_site_from=datetime.date(2022, 11, 1),
        on_site_to=datetime.date(2022, 11, 4),
    )
    Review = old.get_model("reviews", "ProgressReview")
    first = Review.objects.create(
        challenge=challenge, on_site=datetime.date(2023, 10, 16), letter_date=datetime.date(2023, 10, 16)
    )
    second = Review.objects.create(
        challenge=challenge, on_site=datetime.date(2024, 10, 7), letter_date=datetime.date(2024, 10, 20)
    )
    OldIndicator = old.get_model("reviews", "Indicator")
    OldIndicator.objects.create(
        review=first,
        order=1,
        name="Council Tax collection rate",
        value=Decimal("97.6"),
        unit="%",
        comparator="above the national average of 94%",
        comparator_value=Decimal("94.0"),
        comparator_label="National average",
    )
    OldIndicator.objects.create(review=first, order=2, name="Household waste", comparator="the best")
    OldIndicator.objects.create(
        review=second, order=1, name="Council Tax collection rate", value=Decimal("98.1"), unit="%"
    )

    new = migrate(AFTER)

    Indicator, Value = new.get_model("reviews", "Indicator"), new.get_model("reviews", "IndicatorValue")
    indicators = {i.name: i for i in Indicator.objects.all()}
    assert sorted(indicators) == ["Council Tax collection rate", "Household waste"]
    assert all(i.challenge_id == challenge.pk and i.public for i in indicators.values())
    tax = indicators["Council Tax collection rate"]
    assert list(
        Value.objects.filter(indicator=tax)
        .order_by("period_start")
        .values_list("period", "period_start", "value", "comparator_value", "comparator_label", "comparator")
    ) == [
        (
            "At the progress review, October 2023",
            datetime.date(2023, 10, 16),
            Decimal("97.6"),
            Decimal("94.0"),
            "National average",
            "above the national average of 94%",
        ),
        ("At the progress review, October 2024", datetime.date(2024, 10, 7), Decimal("98.1"), None, "", ""),
    ]
    waste = Value.objects.get(indicator=indicators["Household waste"])
    assert (waste.value, waste.comparator) == (None, "the best")

    back = migrate(BEFORE)

    restored = back.get_model("reviews", "Indicator").objects.order_by("review__on_site", "order")
    assert [(i.review_id, i.order, i.name, i.value, i.comparator_value, i.comparator) for i in restored] == [
        (
            first.pk,
            1,
            "Council Tax collection rate",
            Decimal("97.6"),
            Decimal("94.0"),
            "above the national average of 94%",
        ),
        (first.pk, 2, "Household waste", None, None, "the best"),
        (second.pk, 1, "Council Tax collection rate", Decimal("98.1"), None, ""),
    ]

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
