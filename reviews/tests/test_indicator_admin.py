"""Indicators in Django admin: the rule every other way in keeps holds there too. An indicator
shows progress on its own challenge's recommendations and themes only, so another council's
recommendation page never lists it."""

import pytest
from django.urls import reverse

from recommendations.tests.factories import (
    CouncilFactory,
    PeerChallengeFactory,
    RecommendationFactory,
    ThemeFactory,
)

from .factories import IndicatorFactory
from .test_admin import admin_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere():
    return PeerChallengeFactory(council=CouncilFactory(name="Elsewhere Borough Council"))


def test_an_indicator_linked_to_another_challenges_recommendation_is_refused(client, superuser, elsewhere):
    indicator = IndicatorFactory(public=True)
    theirs = RecommendationFactory(theme__challenge=elsewhere)
    client.force_login(superuser)
    url = reverse("admin:reviews_indicator_change", args=[indicator.pk])
    data = admin_post_data(client.get(url)) | {"recommendations": [str(theirs.pk)]}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Choose recommendations of this indicator&#x27;s peer challenge" in response.content.decode()
    assert not indicator.recommendations.exists()


def test_an_indicator_linked_to_another_challenges_theme_is_refused(client, superuser, elsewhere):
    indicator = IndicatorFactory(public=True)
    theirs = ThemeFactory(challenge=elsewhere)
    client.force_login(superuser)
    url = reverse("admin:reviews_indicator_change", args=[indicator.pk])
    data = admin_post_data(client.get(url)) | {"themes": [str(theirs.pk)]}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Choose themes of this indicator&#x27;s peer challenge" in response.content.decode()
    assert not indicator.themes.exists()


def test_an_administrator_links_an_indicator_to_its_own_challenges_recommendation(client, superuser):
    indicator = IndicatorFactory(public=True)
    ours = RecommendationFactory(theme__challenge=indicator.challenge)
    client.force_login(superuser)
    url = reverse("admin:reviews_indicator_change", args=[indicator.pk])
    data = admin_post_data(client.get(url)) | {"recommendations": [str(ours.pk)]}

    response = client.post(url, data)

    assert response.status_code == 302
    assert list(indicator.recommendations.all()) == [ours]


def test_a_figure_needs_a_value_or_the_comparison_in_words_whatever_saves_it():
    from django.core.exceptions import ValidationError

    from reviews.tests.factories import IndicatorFactory, IndicatorValueFactory

    value = IndicatorValueFactory.build(indicator=IndicatorFactory(), value=None, comparator="", period="2022/23")

    with pytest.raises(ValidationError) as refused:
        value.full_clean()
    assert refused.value.message_dict["value"] == ["Enter the figure, or the comparison in words if there is no figure"]

    value.comparator = "The best performing Metropolitan Council nationally"
    value.full_clean()
