"""The Stockport CPC fixture: the progress review, as the LGA letter of 16 October 2023 records it."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from reviews.models import (
    Consideration,
    Finding,
    Indicator,
    IndicatorValue,
    PeerTeamMember,
    Polarity,
    ProgressReview,
)

pytestmark = pytest.mark.django_db

PEER_TEAM = [
    ("Chris Naylor", "Lead Peer", "Inner Circle, previously Birmingham City Council"),
    ("Cllr Richard Kemp", "Liberal Democrat Member Peer", "Liverpool City Council"),
    ("Cllr Simon Henig", "Labour Member Peer", "Durham Council"),
    ("Shaun Darcy", "Director of Finance, Corporate Landlord & Assurance", "Walsall Council"),
    ("Sonia Halliwell", "Director of Customer and Transformation", "Wigan Council"),
    ("Alison Edwards", "Shadow Peer, Adviser", "LGA"),
    ("Matthew Dodd", "Peer Challenge Manager", "LGA"),
]

# The recommendation each finding is about (None: about the theme in general), in letter order.
FINDING_RECOMMENDATIONS = {
    1: [1, 1, 1, 2, 2, 8],
    2: [4, 10, 5, None],
    3: [None, 3, 7, 7, 6, 9, 11],
}


# The letter gives no year for its LG Inform figures: they are the figures at the review.
PERIOD = "At the progress review, October 2023"


@pytest.fixture
def review():
    call_command("loaddata", "stockport_cpc", verbosity=0)
    return ProgressReview.objects.get(challenge__slug="stockport-cpc-2022")


def test_review_was_on_site_and_dated_16_october_2023(review):
    assert review.on_site == datetime.date(2023, 10, 16)
    assert review.letter_date == datetime.date(2023, 10, 16)
    assert review.challenge.council.slug == "stockport"


def test_review_summary_scope_and_contact_come_from_the_letter(review):
    paragraphs = review.summary.split("\n\n")
    assert paragraphs[0].startswith("The LGA completed a Corporate Peer Challenge (CPC)")
    assert paragraphs[-1].startswith("Inherent to the Peer Challenge process")
    assert "97.6%" not in review.summary  # the LG Inform bullets are indicators, not summary
    assert "The Peer Team spent a full day onsite for this Progress Review." in review.scope
    assert review.contact == (
        "Claire Hogan, the LGA's Principal Advisor for the North West can be contacted by: Claire.Hogan@Local.gov.uk"
    )


def test_peer_team_is_the_seven_members_who_returned(review):
    members = PeerTeamMember.objects.filter(review=review).order_by("order")
    assert [member.order for member in members] == list(range(1, 8))
    assert [(member.name, member.role, member.organisation) for member in members] == PEER_TEAM


def test_considerations_are_the_three_in_the_letter_in_order(review):
    considerations = Consideration.objects.filter(review=review).order_by("order")
    assert [(c.order, c.title) for c in considerations] == [
        (1, "Focus on Equality"),
        (2, "Neighbourhood Working"),
        (3, "Performance Management Framework"),
    ]
    assert considerations[0].text.endswith(
        "Given the breadth the scale, ambition, and breadth of work that the Council is leading, the team reflected "
        "there is a risk that the focus on equality could potentially be diluted."
    )


def test_indicators_are_the_lg_inform_figures_quoted_at_the_review(review):
    indicators = Indicator.objects.filter(review=review).order_by("order")
    assert [(i.order, i.name, i.unit, i.polarity, i.public, i.source) for i in indicators] == [
        (1, "Council Tax collection rate", "%", Polarity.HIGHER, True, "LG Inform"),
        (2, "Children not in education, employment, or training (NEET)", "%", Polarity.LOWER, True, "LG Inform"),
        (3, "Looked After Children", "per 10,000", Polarity.LOWER, True, "LG Inform"),
        (4, "Household waste and recycling", "", Polarity.NOT_STATED, True, "LG Inform"),
    ]
    assert all(i.challenge_id == review.challenge_id and i.owner is None for i in indicators)
    values = IndicatorValue.objects.filter(indicator__review=review).select_related("indicator")
    values = values.order_by("indicator__order")
    assert [(v.period, v.period_start, v.value, v.comparator_value, v.comparator_label, v.target) for v in values] == [
        (PERIOD, review.on_site, Decimal("97.6"), Decimal("94"), "National average", None),
        (PERIOD, review.on_site, Decimal("2.8"), None, "", None),
        (PERIOD, review.on_site, Decimal("72"), Decimal("95"), "National average", None),
        (PERIOD, review.on_site, None, None, "", None),
    ]
    assert values[0].comparator == (
        "the third best rate for a Metropolitan Council in the UK and above the national average of 94%"
    )
    assert values[1].comparator == "the second best performing Metropolitan Council"
    assert values[3].comparator == (
        "The best performing Metropolitan Council nationally for levels of household waste, "
        "and rates of household recycling."
    )
    assert [v.figure for v in values] == ["97.6%", "2.8%", "72 per 10,000", ""]
    assert [v.comparator_figure for v in values] == ["94%", "", "95 per 10,000", ""]


def test_findings_run_in_letter_order_grouped_by_theme(review):
    findings = Finding.objects.filter(review=review).select_related("theme", "recommendation").order_by("order")
    assert [f.order for f in findings] == list(range(1, len(findings) + 1))
    by_theme = {}
    for finding in findings:
        by_theme.setdefault(finding.theme.number, []).append(
            finding.recommendation.number if finding.recommendation else None
        )
    assert list(by_theme) == [1, 2, 3]
    assert by_theme == FINDING_RECOMMENDATIONS


def test_findings_are_about_recommendations_in_their_own_theme(review):
    for finding in Finding.objects.filter(review=review, recommendation__isnull=False):
        assert finding.recommendation.theme_id == finding.theme_id, finding


def test_findings_are_whole_paragraphs_without_markdown(review):
    texts = list(Finding.objects.filter(review=review).values_list("text", flat=True))
    assert not any("*" in text for text in texts)
    assert any("'respectful relationships which exist across the Council'" in text for text in texts)
    induction = Finding.objects.get(review=review, recommendation__number=4)
    assert "linked to specific Committees. This intensive work will act as a strong foundation" in induction.text
