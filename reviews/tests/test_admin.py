"""The peer team's assessments in Django admin: administrators enter them on the progress review's
page (or on their own list), for the reviewed challenge's recommendations only."""

import pytest
from django import forms
from django.urls import reverse

from recommendations.tests.factories import CouncilFactory, PeerChallengeFactory, RecommendationFactory
from reviews.models import PeerAssessment, PeerRating

from .factories import ProgressReviewFactory

pytestmark = pytest.mark.django_db


def admin_post_data(response):
    """The admin change form's POST data, as the browser would send it unchanged."""
    data = {"_save": "Save"}
    bound_fields = [*response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        bound_fields += [*inline.formset.management_form] + [field for form in inline.formset.forms for field in form]
    for bound in bound_fields:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(bound.field, forms.ModelMultipleChoiceField):
            data[bound.html_name] = [str(item) for item in value or []]
        elif isinstance(bound.field.widget, forms.MultiWidget):
            for i, part in enumerate(bound.field.widget.decompress(value)):
                data[f"{bound.html_name}_{i}"] = "" if part is None else str(part)
        else:
            data[bound.html_name] = "" if value is None else str(value)
    return data


@pytest.fixture
def review():
    return ProgressReviewFactory()


def review_url(review):
    return reverse("admin:reviews_progressreview_change", args=[review.pk])


def test_the_reviews_page_offers_its_own_challenges_recommendations_for_assessment(client, superuser, review):
    own = RecommendationFactory(theme__challenge=review.challenge)
    elsewhere = RecommendationFactory(
        theme__challenge=PeerChallengeFactory(council=CouncilFactory(name="Elsewhere Borough Council"))
    )
    client.force_login(superuser)

    response = client.get(review_url(review))

    formset = next(
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.model is PeerAssessment
    )
    offered = set(formset.form.base_fields["recommendation"].queryset)
    assert own in offered and elsewhere not in offered


def test_an_administrator_enters_the_peer_teams_assessment_on_the_reviews_page(client, superuser, review):
    recommendation = RecommendationFactory(theme__challenge=review.challenge)
    client.force_login(superuser)
    url = review_url(review)
    data = admin_post_data(client.get(url))
    prefix = "assessments"

    response = client.post(
        url,
        data
        | {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-recommendation": str(recommendation.pk),
            f"{prefix}-0-rating": PeerRating.SOME,
            f"{prefix}-0-text": "Good early progress on the forward plan.",
        },
    )

    assert response.status_code == 302
    assessment = review.assessments.get()
    assert (assessment.recommendation, assessment.rating) == (recommendation, PeerRating.SOME)


def test_an_assessment_of_another_challenges_recommendation_is_refused(client, superuser, review):
    elsewhere = RecommendationFactory(
        theme__challenge=PeerChallengeFactory(council=CouncilFactory(name="Elsewhere Borough Council"))
    )
    client.force_login(superuser)
    url = reverse("admin:reviews_peerassessment_add")

    response = client.post(url, {"review": str(review.pk), "recommendation": str(elsewhere.pk), "rating": "good"})

    assert response.status_code == 200
    assert "Choose a recommendation of the reviewed peer challenge" in response.content.decode()
    assert not PeerAssessment.objects.exists()


def test_the_assessments_list_stays_within_query_budget(client, superuser, review, django_assert_max_num_queries):
    for _ in range(5):
        recommendation = RecommendationFactory(theme__challenge=review.challenge)
        PeerAssessment.objects.create(review=review, recommendation=recommendation, rating=PeerRating.GOOD)
    client.force_login(superuser)
    url = reverse("admin:reviews_peerassessment_changelist")

    with django_assert_max_num_queries(20) as few:
        client.get(url)
    other = ProgressReviewFactory()
    for _ in range(5):
        recommendation = RecommendationFactory(theme__challenge=other.challenge)
        PeerAssessment.objects.create(review=other, recommendation=recommendation, rating=PeerRating.LIMITED)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)

    assert response.status_code == 200
