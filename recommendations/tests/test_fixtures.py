"""The Stockport CPC fixture: the action plan as the LGA progress review letter of 16 October 2023 reports it."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from recommendations.models import Action, Council, PeerChallenge, ProgressUpdate, Status, Theme

pytestmark = pytest.mark.django_db

RECOMMENDATION_TITLES = [
    "Consider the council’s transformation programme to ensure full alignment to the One Stockport Borough Plan",
    "Maximise the benefits of neighbourhood / area working in the borough",
    "Develop a wider use of dynamic modelling to support increased dialogue on the financial context of the "
    "council post 2025",
    "Develop a comprehensive member development programme for May 2023",
    "Review the council’s constitution and working practice to bring in-line with sector norms",
    "Continue to develop the contribution of organisational development towards the council’s transformation "
    "objectives",
    "Further develop the council’s approach to becoming an ‘employer of choice’ in the sub-region",
    "Explore future opportunities to work with local partners and build on existing relationships",
    "Introduce a monthly statutory officers meeting",
    "Review the length and structure of reports to councillors",
    "Communicate the council’s work and progress more widely",
]

THEMES = {
    1: ("Transformation and New Ways of Working", [1, 2, 8]),
    2: ("Governance", [4, 5, 10]),
    3: ("Internal Processes", [3, 6, 7, 9, 11]),
}


@pytest.fixture
def stockport():
    call_command("loaddata", "stockport_cpc", verbosity=0)
    return PeerChallenge.objects.get(slug="stockport-cpc-2022")


def model_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_challenge_is_stockports_peer_challenge_of_november_2022(stockport):
    assert stockport.council == Council.objects.get(slug="stockport")
    assert stockport.council.name == "Stockport Metropolitan Borough Council"
    assert stockport.title == "Corporate Peer Challenge"
    assert stockport.on_site_from == datetime.date(2022, 11, 1)
    assert stockport.on_site_to == datetime.date(2022, 11, 4)
    assert stockport.action_plan_published == "February 2023"
    assert stockport.updates_need_approval is False
    assert stockport.summary.startswith(
        "The LGA completed a Corporate Peer Challenge (CPC) of Stockport Metropolitan Borough Council (SMBC) "
        "between 1 and 4 November 2022."
    )


def test_there_are_eleven_recommendations_numbered_1_to_11(stockport):
    assert list(stockport.recommendations.values_list("number", flat=True)) == list(range(1, 12))


def test_recommendation_titles_are_the_letters_own(stockport):
    assert list(stockport.recommendations.order_by("number").values_list("title", flat=True)) == (RECOMMENDATION_TITLES)


def test_recommendation_text_is_the_appendix_paragraph(stockport):
    first = stockport.recommendations.get(number=1)
    assert first.text.startswith("The council has a strong track-record of delivering service improvement")
    fifth = stockport.recommendations.get(number=5)
    assert fifth.text == (
        "The council should consider the practice, procedures and processes which are attached to the Council’s "
        "constitution to make sure that they reflect standard practice across the sector. This could include "
        "ensuring clarity of terms, ease of navigation, and appropriate approaches on member and public questions."
    )
    assert not stockport.recommendations.filter(title__startswith="Recommendation").exists()
    assert not stockport.recommendations.filter(title__endswith=":").exists()


def test_themes_have_their_titles_and_recommendations(stockport):
    themes = Theme.objects.filter(challenge=stockport).order_by("number")
    assert [theme.number for theme in themes] == [1, 2, 3]
    for theme in themes:
        title, numbers = THEMES[theme.number]
        assert theme.title == title
        assert list(theme.recommendations.order_by("number").values_list("number", flat=True)) == numbers
    assert themes[0].description.startswith("This includes the recommendations regarding alignment")


def test_every_recommendation_has_at_least_one_action(stockport):
    for recommendation in stockport.recommendations.all():
        assert recommendation.actions.exists(), recommendation


def test_action_references_start_with_their_recommendations_number(stockport):
    for action in Action.objects.filter(recommendation__challenge=stockport).select_related("recommendation"):
        assert action.reference.startswith(f"{action.recommendation.number}."), action
        assert action.version == 1
        assert action.consideration is None


def test_each_actions_latest_update_is_published_with_the_actions_status(stockport):
    actions = Action.objects.filter(recommendation__challenge=stockport)
    assert actions.count() > 0
    for action in actions:
        latest = action.progress_updates.latest()
        assert latest.published is True
        assert latest.status == action.status


def test_progress_updates_quote_the_letter_and_no_one_wrote_them(stockport):
    updates = ProgressUpdate.objects.filter(action__recommendation__challenge=stockport)
    assert updates.count() == Action.objects.filter(recommendation__challenge=stockport).count()
    for update in updates:
        assert update.author is None
        assert update.source == "LGA progress review letter, 16 October 2023"
        assert update.date == datetime.date(2023, 10, 16)
        assert update.created_at == datetime.datetime(2023, 10, 16, 12, 0, tzinfo=datetime.UTC)
        assert update.percent_complete is None
        assert update.evidence_url == ""
    steering_group = Action.objects.get(
        recommendation__number=1, description="Establish a Transformation Steering Group"
    )
    assert "Transformation Steering Group (established in March 2023)" in steering_group.progress_updates.get().text


def test_statuses_are_only_those_the_letter_supports(stockport):
    statuses = set(Action.objects.filter(recommendation__challenge=stockport).values_list("status", flat=True))
    assert statuses <= {Status.COMPLETE, Status.ON_TRACK}


def test_no_action_has_a_lead_officer(stockport):
    assert not Action.objects.filter(lead_officer__isnull=False).exists()


def test_lead_roles_are_only_roles_the_letter_names(stockport):
    roles = set(Action.objects.exclude(lead_role="").values_list("lead_role", flat=True))
    assert roles == {
        "Statutory officers (chief executive, Section 151 officer, and monitoring officer)",
        "Monitoring Officer",
        "Assistant Director of Communications",
    }


def test_actions_dated_by_month_span_that_month(stockport):
    months = {
        "March 2023": (datetime.date(2023, 3, 1), datetime.date(2023, 3, 31)),
        "January 2023": (datetime.date(2023, 1, 1), datetime.date(2023, 1, 31)),
        "May 2023": (datetime.date(2023, 5, 1), datetime.date(2023, 5, 31)),
        "July 2023": (datetime.date(2023, 7, 1), datetime.date(2023, 7, 31)),
        "November 2023": (datetime.date(2023, 11, 1), datetime.date(2023, 11, 30)),
    }
    for action in Action.objects.filter(recommendation__challenge=stockport):
        assert (action.starts_on, action.due_date) == months.get(action.timescale, (None, None)), action
    assert set(Action.objects.values_list("timescale", flat=True)) == {"", "Next municipal year", *months}


def test_constitution_review_is_due_next_municipal_year(stockport):
    review = Action.objects.get(recommendation__number=5, timescale="Next municipal year")
    assert review.status == Status.ON_TRACK
    assert review.due_date is None


def test_loading_creates_no_users(stockport):
    assert get_user_model().objects.count() == 0


def test_loading_twice_changes_no_counts(stockport):
    before = model_counts()
    call_command("load_challenge", "stockport_cpc", verbosity=0)
    assert model_counts() == before
    assert before["recommendations.Recommendation"] == 11
