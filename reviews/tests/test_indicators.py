"""The indicator rules (reviews.indicators): who reads and edits, direction of travel, and the
newest figure against its target and comparator; and the model's own rules."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from recommendations.models import Role
from recommendations.tests.factories import CouncilFactory, MembershipFactory, PeerChallengeFactory, UserFactory
from reviews import indicators as rules_
from reviews.models import Indicator, IndicatorValue, Polarity, format_figure

from .factories import IndicatorFactory, IndicatorValueFactory, ProgressReviewFactory, add_values

pytestmark = pytest.mark.django_db


def direction(polarity, *numbers, unit="%"):
    indicator = IndicatorFactory(polarity=polarity, unit=unit)
    add_values(indicator, numbers)
    return rules_.direction_of_travel(Indicator.objects.get(pk=indicator.pk))


class TestDirectionOfTravel:
    @pytest.mark.parametrize(
        "polarity, numbers, words, symbol",
        [
            (Polarity.HIGHER, [94, 97.6], "Improving", "▲"),
            (Polarity.HIGHER, [97.6, 94], "Worsening", "▼"),
            (Polarity.LOWER, [3.1, 2.8], "Improving", "▼"),
            (Polarity.LOWER, [2.8, 3.1], "Worsening", "▲"),
            (Polarity.HIGHER, [5, 5], "No change", "■"),
            (Polarity.LOWER, [5, 5], "No change", "■"),
            (Polarity.NOT_STATED, [1, 2], "Changed", "▲"),
            (Polarity.NOT_STATED, [2, 1], "Changed", "▼"),
            (Polarity.NOT_STATED, [2, 2], "No change", "■"),
        ],
    )
    def test_words_and_symbol_by_polarity(self, polarity, numbers, words, symbol):
        travel = direction(polarity, *numbers)

        assert (travel.words, travel.symbol) == (words, symbol)

    def test_the_sentence_says_which_way_from_what_to_what_and_which_way_is_better(self):
        travel = direction(Polarity.LOWER, 3.1, 2.8)

        assert travel.sentence == ("Improving: down from 3.1% (January 2022) to 2.8% (February 2022); lower is better")
        assert direction(Polarity.HIGHER, 5, 5).sentence == (
            "No change: 5% (January 2022 and February 2022); higher is better"
        )
        assert direction(Polarity.NOT_STATED, 1, 2, unit="tonnes").sentence == (
            "Changed: up from 1 tonnes (January 2022) to 2 tonnes (February 2022)"
        )

    def test_only_the_latest_two_figures_with_a_number_count_in_period_order(self):
        indicator = IndicatorFactory(polarity=Polarity.HIGHER)
        add_values(indicator, [50, 10, None, 20, None])  # Jan 50, Feb 10, Apr 20: up from 10 to 20
        IndicatorValueFactory(indicator=indicator, period_start=datetime.date(2021, 1, 1), value=Decimal(99))

        travel = rules_.direction_of_travel(indicator)

        assert (travel.words, travel.previous.value, travel.latest.value) == ("Improving", 10, 20)

    @pytest.mark.parametrize("numbers", [[], [None], [12], [None, 12, None]])
    def test_no_direction_with_fewer_than_two_numbers(self, numbers):
        assert direction(Polarity.HIGHER, *numbers) is None

    def test_negative_and_zero_figures_compare_as_numbers(self):
        assert direction(Polarity.HIGHER, -5, 0).words == "Improving"
        assert direction(Polarity.LOWER, 0, -0.5).words == "Improving"


class TestStanding:
    def standing(self, polarity=Polarity.HIGHER, **figures):
        indicator = IndicatorFactory(polarity=polarity, unit="%")
        IndicatorValueFactory(indicator=indicator, **figures)
        return rules_.standing(indicator)

    @pytest.mark.parametrize(
        "polarity, value, target, words, good",
        [
            (Polarity.HIGHER, 97.6, 95, "Target met: better than the target of 95%", True),
            (Polarity.HIGHER, 90, 95, "Target not met: worse than the target of 95%", False),
            (Polarity.LOWER, 2.8, 3, "Target met: better than the target of 3%", True),
            (Polarity.LOWER, 3.2, 3, "Target not met: worse than the target of 3%", False),
            (Polarity.HIGHER, 95, 95, "On target (95%)", True),
            (Polarity.NOT_STATED, 4, 3, "Above the target of 3%", None),
            (Polarity.NOT_STATED, 2, 3, "Below the target of 3%", None),
        ],
    )
    def test_against_target(self, polarity, value, target, words, good):
        standing = self.standing(polarity, value=Decimal(str(value)), target=Decimal(str(target)))

        assert (standing.target.words, standing.target.good) == (words, good)

    @pytest.mark.parametrize(
        "polarity, value, words, good",
        [
            (Polarity.HIGHER, 97.6, "Better than the comparator (National average, 94%)", True),
            (Polarity.HIGHER, 90, "Worse than the comparator (National average, 94%)", False),
            (Polarity.LOWER, 90, "Better than the comparator (National average, 94%)", True),
            (Polarity.NOT_STATED, 97.6, "Above the comparator (National average, 94%)", None),
            (Polarity.HIGHER, 94, "The same as the comparator (National average, 94%)", None),
        ],
    )
    def test_against_comparator(self, polarity, value, words, good):
        standing = self.standing(
            polarity, value=Decimal(str(value)), comparator_value=Decimal(94), comparator_label="National average"
        )

        assert (standing.comparator.words, standing.comparator.good) == (words, good)

    def test_nothing_to_compare_without_numbers(self):
        standing = self.standing(value=None, target=Decimal(3), comparator="the best performing council")

        assert standing.latest.comparator == "the best performing council"
        assert standing.target is None and standing.comparator is None and standing.direction is None

    def test_no_figures_at_all(self):
        standing = rules_.standing(IndicatorFactory())

        assert standing == rules_.Standing(latest=None, direction=None, target=None, comparator=None)

    def test_the_newest_figure_stands_even_without_a_number(self):
        indicator = IndicatorFactory()
        add_values(indicator, [10, 20, None])

        standing = rules_.standing(indicator)

        assert standing.latest.period == "March 2022" and standing.latest.figure == ""
        assert standing.direction.words == "Improving"

    def test_summarise_reads_every_indicators_values_in_two_queries(self, django_assert_num_queries):
        challenge = PeerChallengeFactory()
        for _ in range(3):
            add_values(IndicatorFactory(challenge=challenge), [1, 2, 3])

        with django_assert_num_queries(2):
            summaries = rules_.summarise(Indicator.objects.filter(challenge=challenge))
            assert [s.standing.direction.words for s in summaries] == ["Improving"] * 3
            assert [s.standing.latest.figure for s in summaries] == ["3%"] * 3
        with django_assert_num_queries(2):
            assert rules_.summarise(Indicator.objects.filter(challenge=PeerChallengeFactory.build(pk=0))) == []


class TestReading:
    @pytest.fixture
    def internal(self):
        return IndicatorFactory(public=False)

    @pytest.fixture
    def public(self):
        return IndicatorFactory(public=True)

    def test_everyone_reads_public_indicators(self, public, other_officer, other_council):
        MembershipFactory(user=other_officer, council=other_council, role=Role.OFFICER)
        for user in [AnonymousUser(), other_officer]:
            assert rules_.may_read(user, public)
            assert list(rules_.readable_indicators(user)) == [public]

    @pytest.mark.parametrize("who", ["officer", "coordinator", "scrutiny_member", "superuser"])
    def test_members_of_the_council_and_administrators_read_internal_ones(self, request, who, internal, public):
        user = request.getfixturevalue(who)

        assert user.has_perm("reviews.read_indicator", internal)
        assert set(rules_.readable_indicators(user)) == {internal, public}

    def test_the_public_and_other_councils_do_not_read_internal_ones(self, internal, other_council):
        elsewhere = UserFactory(roles=[(other_council, Role.COORDINATOR)])
        inactive = UserFactory(roles=[Role.COORDINATOR], is_active=False)
        for user in [AnonymousUser(), elsewhere, inactive]:
            assert not user.has_perm("reviews.read_indicator", internal)
            assert not rules_.readable_indicators(user).exists()

    def test_public_outputs_show_public_indicators_whoever_asks(self, internal, public):
        assert list(rules_.public_indicators()) == [public]

    def test_the_owner_is_named_to_members_only(self, officer, internal):
        internal.owner = officer
        internal.save()

        assert rules_.owner_label(officer, internal) == "Olivia Officer"
        assert rules_.owner_label(AnonymousUser(), internal) is None
        assert rules_.owner_label(officer, IndicatorFactory()) == "Not yet assigned"


class TestEditing:
    def test_owner_coordinator_and_administrator_edit(self, officer, coordinator, superuser, other_officer):
        indicator = IndicatorFactory(owner=officer)
        IndicatorFactory(owner=None)

        for user in [officer, coordinator, superuser]:
            assert user.has_perm("reviews.edit_indicator", indicator), user
        assert not other_officer.has_perm("reviews.edit_indicator", indicator)
        assert list(rules_.editable_indicators(officer)) == [indicator]
        assert rules_.editable_indicators(coordinator).count() == 2
        assert not rules_.editable_indicators(other_officer).exists()

    def test_scrutiny_the_public_and_other_councils_do_not_edit(self, scrutiny_member, other_council):
        indicator = IndicatorFactory(public=True)
        elsewhere = UserFactory(roles=[(other_council, Role.COORDINATOR)])
        for user in [scrutiny_member, elsewhere, AnonymousUser()]:
            assert not rules_.may_edit(user, indicator)
            assert not rules_.editable_indicators(user).exists()

    def test_an_owner_who_is_no_longer_an_officer_of_the_council_cannot_edit(self, officer):
        indicator = IndicatorFactory(owner=officer)
        officer.memberships.update(role=Role.SCRUTINY_MEMBER)
        officer = type(officer).objects.get(pk=officer.pk)  # roles are read once per request

        assert not rules_.may_edit(officer, indicator)
        assert not rules_.editable_indicators(officer).exists()


class TestModel:
    def test_the_owner_must_be_an_officer_or_coordinator_of_the_council(self, scrutiny_member, officer):
        indicator = IndicatorFactory.build(challenge=PeerChallengeFactory(), name="Rate", owner=scrutiny_member)
        with pytest.raises(ValidationError) as error:
            indicator.full_clean()
        assert error.value.message_dict["owner"] == [
            "The owner must be an active officer or coordinator of this council"
        ]

        elsewhere = PeerChallengeFactory(council=CouncilFactory(name="Elsewhere Council"))
        indicator = IndicatorFactory.build(challenge=elsewhere, name="Rate", owner=officer)
        with pytest.raises(ValidationError):
            indicator.full_clean()

        IndicatorFactory.build(challenge=PeerChallengeFactory(), name="Rate", owner=officer).full_clean()

    def test_a_quoting_review_is_of_the_same_challenge(self):
        indicator = IndicatorFactory.build(challenge=PeerChallengeFactory(), review=ProgressReviewFactory())
        with pytest.raises(ValidationError) as error:
            indicator.full_clean()
        assert "review" in error.value.message_dict

    def test_names_are_unique_within_a_challenge(self):
        first = IndicatorFactory(name="Council Tax collection rate")
        second = IndicatorFactory.build(challenge=first.challenge, name="Council Tax collection rate")
        with pytest.raises(ValidationError) as error:
            second.full_clean()
        assert "already has an indicator with this name" in str(error.value)
        IndicatorFactory(name="Council Tax collection rate")  # another challenge's

    def test_every_save_raises_the_version(self):
        indicator = IndicatorFactory()
        assert indicator.version == 1
        indicator.name = "Renamed"
        indicator.save(update_fields=["name"])
        assert Indicator.objects.get(pk=indicator.pk).version == 2

    def test_one_figure_per_period_start(self):
        value = IndicatorValueFactory()
        duplicate = IndicatorValue(indicator=value.indicator, period_start=value.period_start, period="Again")
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert "already has a figure for a period starting that day" in str(error.value)

    def test_natural_keys_name_the_challenge(self):
        value = IndicatorValueFactory(indicator__name="Rate", period_start=datetime.date(2023, 4, 1))
        slug = value.indicator.challenge.slug

        assert value.natural_key() == (slug, "Rate", "2023-04-01")
        assert IndicatorValue.objects.get_by_natural_key(slug, "Rate", "2023-04-01") == value
        assert Indicator.objects.get_by_natural_key(slug, "Rate") == value.indicator


@pytest.mark.parametrize(
    "value, unit, figure",
    [
        (Decimal("97.600"), "%", "97.6%"),
        (Decimal("72.000"), "per 10,000", "72 per 10,000"),
        (Decimal("1250"), "tonnes", "1,250 tonnes"),
        (Decimal("-0.000"), "", "0"),
        (Decimal("-3.5"), "%", "-3.5%"),
        (Decimal("100"), "", "100"),
        (None, "%", ""),
    ],
)
def test_figures_are_written_as_people_write_them(value, unit, figure):
    assert format_figure(value, unit) == figure
