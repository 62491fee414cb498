"""Entering an indicator's figures (its owner and the council's coordinators) and changing its
settings (coordinators): the forms, their messages, optimistic locking, and who may use them."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from recommendations.roles import COORDINATOR, OFFICER
from recommendations.tests.factories import (
    CouncilFactory,
    PeerChallengeFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from recommendations.tests.queries import count_queries
from reviews.models import Frequency, Indicator, Polarity

from .factories import IndicatorFactory, IndicatorValueFactory, ProgressReviewFactory, add_values

pytestmark = pytest.mark.django_db


def page(response):
    return response.content.decode()


@pytest.fixture
def indicator(officer):
    """A public indicator of Anytown's challenge, owned by Olivia (an officer)."""
    return IndicatorFactory(
        name="Council Tax collection rate", unit="%", owner=officer, polarity=Polarity.HIGHER, public=True
    )


def add_url(indicator):
    return reverse("reviews:indicator-value-add", args=[indicator.pk])


def edit_url(value):
    return reverse("reviews:indicator-value-edit", args=[value.indicator_id, value.pk])


def figure_data(indicator, **changes):
    return {
        "period": "2022/23",
        "value": "97.6",
        "target": "97",
        "comparator_label": "National average",
        "comparator_value": "94",
        "comparator": "",
        "note": "",
        "version": Indicator.objects.get(pk=indicator.pk).version,
        **changes,
    }


# Adding and correcting a figure ---------------------------------------------------------------------------


def test_the_owner_adds_a_figure_for_a_period_as_they_write_it(client, officer, indicator):
    client.force_login(officer)
    response = client.post(add_url(indicator), figure_data(indicator, period="Q2 2023/24", value="97.6%"))

    assert response.status_code == 302 and response["Location"] == indicator.get_absolute_url()
    value = indicator.values.get()
    assert (value.period, value.period_start, value.value) == ("Q2 2023/24", datetime.date(2023, 7, 1), Decimal("97.6"))
    assert (value.target, value.comparator_value, value.comparator_label) == (
        Decimal(97),
        Decimal(94),
        "National average",
    )
    assert value.entered_by == officer
    assert "Figure for Q2 2023/24 added" in page(client.get(response["Location"]))


def test_a_coordinator_corrects_a_figure_and_its_period(client, coordinator, indicator):
    value = IndicatorValueFactory(indicator=indicator, period="2022/23", period_start=datetime.date(2022, 4, 1))
    client.force_login(coordinator)
    form = client.get(edit_url(value))
    assert 'value="2022/23"' in page(form)

    client.post(edit_url(value), figure_data(indicator, period="2023/24", value="98.1"))

    value.refresh_from_db()
    assert (value.period, value.period_start, value.value) == ("2023/24", datetime.date(2023, 4, 1), Decimal("98.1"))
    assert value.entered_by == coordinator


def test_a_figure_whose_period_no_rule_reads_can_still_be_corrected(client, coordinator):
    review = ProgressReviewFactory()
    indicator = IndicatorFactory(review=review, name="Looked After Children", unit="per 10,000", value="72")
    value = indicator.values.get()
    client.force_login(coordinator)

    client.post(edit_url(value), figure_data(indicator, period=value.period, value="71"))

    value.refresh_from_db()
    assert (value.period, value.period_start, value.value) == (
        "At the progress review, October 2023",
        review.on_site,
        Decimal("71"),
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"period": "sometime"}, "&#x27;sometime&#x27; is not a period we can read"),
        ({"period": ""}, "Enter the period, like 2022/23 (a financial year)"),
        ({"period": "Q5 2023/24"}, "has no quarter 5: quarters are Q1 to Q4"),
        ({"value": "n/a"}, "The figure must be a number, like 97.6"),
        ({"value": "1.23456"}, "The figure can have up to 3 decimal places"),
        ({"target": "lots"}, "The target must be a number, like 97.6"),
        ({"value": "", "comparator": ""}, "Enter the figure, or the comparison in words if there is no figure"),
        ({"comparator_label": "x" * 101}, "What it is compared with must be 100 characters or fewer"),
    ],
)
def test_a_wrong_figure_is_refused_with_what_to_do_and_the_typing_kept(client, officer, indicator, changes, message):
    client.force_login(officer)
    response = client.post(add_url(indicator), figure_data(indicator, note="Typed note", **changes))

    assert response.status_code == 200
    text = page(response)
    assert "govuk-error-summary" in text and message in text
    assert "Typed note" in text
    assert not indicator.values.exists()


def test_a_figure_without_a_number_needs_the_comparison_in_words(client, officer, indicator):
    client.force_login(officer)
    client.post(
        add_url(indicator),
        figure_data(indicator, value="", comparator_value="", comparator="The best metropolitan council"),
    )
    value = indicator.values.get()
    assert value.value is None and value.comparator == "The best metropolitan council"


def test_a_second_figure_for_the_same_period_is_refused(client, officer, indicator):
    IndicatorValueFactory(indicator=indicator, period="Apr 2022 - Mar 2023", period_start=datetime.date(2022, 4, 1))
    client.force_login(officer)
    response = client.post(add_url(indicator), figure_data(indicator, period="2022/23"))

    assert "There is already a figure for Apr 2022 - Mar 2023, the same period as 2022/23" in page(response)
    assert indicator.values.count() == 1


def test_a_stale_form_is_refused_showing_what_changed_and_keeping_the_typing(client, officer, coordinator, indicator):
    client.force_login(officer)
    opened = figure_data(indicator, value="97.6", note="My careful note")
    # Meanwhile a coordinator adds another period's figure.
    client.force_login(coordinator)
    client.post(add_url(indicator), figure_data(indicator, period="2021/22", value="96.9"))
    client.force_login(officer)

    response = client.post(add_url(indicator), opened)

    text = page(response)
    assert response.status_code == 200
    assert "Someone else changed this indicator or its figures after you opened this page" in text
    assert "2021/22: <strong>96.9%</strong>" in text  # what changed
    assert "My careful note" in text
    assert list(indicator.values.values_list("period", flat=True)) == ["2021/22"]
    # The form now carries the new version: saving again works.
    assert f'name="version" value="{Indicator.objects.get(pk=indicator.pk).version}"' in text
    client.post(add_url(indicator), {**opened, "version": Indicator.objects.get(pk=indicator.pk).version})
    assert indicator.values.count() == 2


def test_every_figure_raises_the_indicators_version(client, officer, indicator):
    before = indicator.version
    client.force_login(officer)
    client.post(add_url(indicator), figure_data(indicator))
    assert Indicator.objects.get(pk=indicator.pk).version == before + 1


def test_a_figure_of_another_indicator_is_not_found(client, coordinator, indicator):
    other = IndicatorValueFactory()
    client.force_login(coordinator)
    response = client.get(reverse("reviews:indicator-value-edit", args=[indicator.pk, other.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "who, status",
    [("anonymous", 302), ("owner", 200), ("other officer", 403), ("coordinator", 200), ("scrutiny", 403)],
)
def test_who_may_enter_figures(client, officer, other_officer, coordinator, scrutiny_member, indicator, who, status):
    user = {"owner": officer, "other officer": other_officer, "coordinator": coordinator, "scrutiny": scrutiny_member}
    if who != "anonymous":
        client.force_login(user[who])
    assert client.get(add_url(indicator)).status_code == status
    saved = client.post(add_url(indicator), figure_data(indicator))
    assert saved.status_code == (302 if status == 200 else status)  # saved: back to the indicator's page
    assert indicator.values.exists() == (status == 200)


def test_an_internal_indicator_is_not_found_by_those_who_may_not_read_it(client, coordinator, scrutiny_member):
    internal = IndicatorFactory(public=False)
    elsewhere = CouncilFactory(name="Elsewhere Borough Council")
    urls = [
        add_url(internal),
        reverse("reviews:indicator-edit", args=[internal.pk]),
        reverse("reviews:indicator-import", args=[internal.pk]),
    ]
    for user, status in [
        (None, 404),
        (UserFactory(roles=[(elsewhere, COORDINATOR)]), 404),
        (scrutiny_member, 403),  # a member reads it, but may not change it
        (coordinator, 200),
    ]:
        client.logout()
        if user:
            client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [status] * 3, user


def test_an_owner_who_left_the_council_may_no_longer_enter_figures(client, officer, indicator):
    officer.memberships.all().delete()
    client.force_login(officer)
    assert client.get(add_url(indicator)).status_code == 403


def test_the_coordinator_of_another_council_may_not(client, indicator):
    elsewhere = CouncilFactory(name="Elsewhere Borough Council")
    client.force_login(UserFactory(roles=[(elsewhere, COORDINATOR)]))
    assert client.get(add_url(indicator)).status_code == 403


def test_the_figure_form_stays_within_its_query_budget(client, officer, indicator):
    client.force_login(officer)
    few = count_queries(client, add_url(indicator))
    add_values(indicator, list(range(20)))
    assert count_queries(client, add_url(indicator)) == few
    value = indicator.values.first()
    assert count_queries(client, edit_url(value)) <= few + 1


# An indicator's settings ------------------------------------------------------------------------------


def settings_data(**changes):
    return {
        "name": "Young people not in education, employment or training",
        "description": "16 and 17 year olds",
        "unit": "%",
        "polarity": Polarity.LOWER,
        "frequency": Frequency.ANNUAL,
        "owner": "",
        "public": "yes",
        "source": "LG Inform",
        "source_id": "9613",
        "source_url": "https://lginform.local.gov.uk/",
        "order": "2",
        **changes,
    }


def test_a_coordinator_adds_an_indicator(client, coordinator, officer):
    challenge = PeerChallengeFactory()
    theme = ThemeFactory(challenge=challenge)
    recommendation = RecommendationFactory(challenge=challenge, theme=theme)
    client.force_login(coordinator)
    create = reverse("reviews:indicator-create", args=[challenge.slug])
    form = page(client.get(create))
    assert "Is it shown to the public?" in form

    response = client.post(
        create, settings_data(owner=officer.pk, recommendations=[recommendation.pk], themes=[theme.pk])
    )

    indicator = Indicator.objects.get()
    assert response["Location"] == indicator.get_absolute_url()
    assert (indicator.challenge, indicator.owner, indicator.public, indicator.polarity) == (
        challenge,
        officer,
        True,
        Polarity.LOWER,
    )
    assert list(indicator.recommendations.all()) == [recommendation] and list(indicator.themes.all()) == [theme]


def test_an_indicator_is_internal_unless_the_coordinator_says_otherwise(client, coordinator):
    challenge = PeerChallengeFactory()
    client.force_login(coordinator)
    form = page(client.get(reverse("reviews:indicator-create", args=[challenge.slug])))
    assert re.search(r'value="no"\s+checked', form) and not re.search(r'value="yes"\s+checked', form)


def test_the_owner_must_be_an_officer_or_coordinator_of_the_council(client, coordinator, scrutiny_member):
    challenge = PeerChallengeFactory()
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:indicator-create", args=[challenge.slug]), settings_data(owner=scrutiny_member.pk)
    )
    assert "Choose an owner from the list" in page(response)
    assert not Indicator.objects.exists()


def test_names_are_unique_in_a_challenge(client, coordinator, indicator):
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:indicator-create", args=[indicator.challenge.slug]), settings_data(name=indicator.name)
    )
    assert "already has an indicator with this name" in page(response)


def test_a_recommendation_of_another_challenge_cannot_be_chosen(client, coordinator, indicator):
    elsewhere = RecommendationFactory()
    client.force_login(coordinator)
    response = client.post(
        reverse("reviews:indicator-edit", args=[indicator.pk]),
        settings_data(recommendations=[elsewhere.pk], version=indicator.version),
    )
    assert "Choose recommendations from the list" in page(response)


def test_a_coordinator_changes_an_indicator_unless_someone_changed_it_meanwhile(client, coordinator, indicator):
    client.force_login(coordinator)
    url = reverse("reviews:indicator-edit", args=[indicator.pk])
    assert f'value="{indicator.name}"' in page(client.get(url))
    opened = settings_data(name="Renamed", version=indicator.version, description="My new words")
    IndicatorValueFactory(indicator=indicator)  # a figure entered since...
    Indicator.objects.get(pk=indicator.pk).save()  # ...raises the version, as the services do

    refused = client.post(url, opened)
    assert "Someone else changed this indicator or its figures" in page(refused)
    assert "My new words" in page(refused)
    assert Indicator.objects.get(pk=indicator.pk).name == "Council Tax collection rate"

    client.post(url, {**opened, "version": Indicator.objects.get(pk=indicator.pk).version})
    assert Indicator.objects.get(pk=indicator.pk).name == "Renamed"


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("owner", 403), ("coordinator", 200), ("scrutiny", 403)])
def test_only_coordinators_change_settings(client, officer, coordinator, scrutiny_member, indicator, who, status):
    user = {"owner": officer, "coordinator": coordinator, "scrutiny": scrutiny_member}
    if who != "anonymous":
        client.force_login(user[who])
    assert client.get(reverse("reviews:indicator-edit", args=[indicator.pk])).status_code == status
    assert client.get(reverse("reviews:indicator-create", args=[indicator.challenge.slug])).status_code == status


def test_settings_forms_stay_within_their_query_budget(client, coordinator, indicator):
    client.force_login(coordinator)
    url = reverse("reviews:indicator-edit", args=[indicator.pk])
    challenge = indicator.challenge
    RecommendationFactory(challenge=challenge, theme=ThemeFactory(challenge=challenge))
    few = count_queries(client, url)
    for _ in range(5):
        theme = ThemeFactory(challenge=challenge)
        RecommendationFactory.create_batch(2, challenge=challenge, theme=theme)
        UserFactory(roles=[OFFICER])
    add_values(indicator, list(range(10)))
    assert count_queries(client, url) == few


def test_the_owner_is_offered_figures_and_a_coordinator_also_the_settings(client, indicator, officer, coordinator):
    detail = reverse("reviews:indicator-detail", args=[indicator.pk])

    client.force_login(officer)
    owner_page = page(client.get(detail))
    client.force_login(coordinator)
    coordinator_page = page(client.get(detail))

    assert "Add a figure" in owner_page and "Add a figure" in coordinator_page
    assert "Change the indicator's details" not in owner_page, "the owner would only be refused"
    assert "Change the indicator's details" in coordinator_page
