"""The LGA overview (recommendations.overview): every council's peer challenges, filtered by type,
region and year, with published progress only, the CPC clock, the themes compared, and a query
count that does not grow with the number of councils."""

import datetime
import re

import pytest
from django.urls import reverse

from recommendations.models import Approval, CouncilKind, Region, Status
from recommendations.overview import CHALLENGES_PER_PAGE, months_between, normalised_title
from recommendations.roles import COORDINATOR
from recommendations.services import approve_update

from .factories import (
    ActionFactory,
    CouncilFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from .queries import SIGNED_IN_QUERIES, count_queries

pytestmark = pytest.mark.django_db

URL = reverse("recommendations:overview")


def challenge_of(name, *, kind="", region="", on_site=datetime.date(2022, 11, 1), theme="Governance", **fields):
    """A council with one challenge, one theme, one recommendation and no actions yet."""
    council = CouncilFactory(name=name, kind=kind, region=region)
    challenge = PeerChallengeFactory(
        council=council, on_site_from=on_site, on_site_to=on_site + datetime.timedelta(days=3), **fields
    )
    ThemeFactory(challenge=challenge, number=1, title=theme)
    return challenge


def recommendation_of(challenge):
    theme = challenge.themes.first()
    return RecommendationFactory(challenge=challenge, theme=theme, number=theme.recommendations.count() + 1)


def page_text(response):
    assert response.status_code == 200
    return response.content.decode()


def rows(response):
    """The councils listed, in order."""
    return [row.council.name for row in response.context["rows"]]


def main_text(response):
    html = page_text(response)
    main = html[html.index('<main class="govuk-main-wrapper"') : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


# The challenges and the filters -------------------------------------------------------------------


@pytest.fixture
def three_councils(db):
    return [
        challenge_of(
            "Northtown Metropolitan Borough Council",
            kind=CouncilKind.METROPOLITAN,
            region=Region.NORTH_WEST,
            on_site=datetime.date(2022, 11, 1),
        ),
        challenge_of(
            "Southshire County Council",
            kind=CouncilKind.COUNTY,
            region=Region.SOUTH_EAST,
            on_site=datetime.date(2023, 3, 6),
        ),
        challenge_of("Unrecorded District Council", on_site=datetime.date(2023, 9, 11)),
    ]


def test_lists_every_councils_challenge_with_its_type_region_and_dates(client, three_councils):
    response = client.get(URL)

    assert rows(response) == [
        "Northtown Metropolitan Borough Council",
        "Southshire County Council",
        "Unrecorded District Council",
    ]
    text = main_text(response)
    assert "3 peer challenges" in text
    assert "Metropolitan borough (metropolitan district)" in text
    assert "North West" in text
    assert "County council" in text
    assert "Not recorded" in text  # the third council's type and region
    assert "6 March 2023 to 9 March 2023" in text


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"kind": "county"}, ["Southshire County Council"]),
        ({"kind": "not_recorded"}, ["Unrecorded District Council"]),
        ({"region": "north_west"}, ["Northtown Metropolitan Borough Council"]),
        ({"region": "not_recorded"}, ["Unrecorded District Council"]),
        ({"year": "2023"}, ["Southshire County Council", "Unrecorded District Council"]),
        ({"year": "2023", "kind": "county", "region": "south_east"}, ["Southshire County Council"]),
        ({"year": "2022", "kind": "county"}, []),
    ],
)
def test_filters_by_type_region_and_year_of_the_challenge(client, three_councils, query, expected):
    response = client.get(URL, query)

    assert rows(response) == expected
    text = main_text(response)
    count = len(expected)
    assert f"{count} peer challenge{'s' if count != 1 else ''} matching the filters" in text
    if not expected:
        assert "No peer challenges match these filters." in text


def test_the_year_filter_offers_only_years_with_a_challenge(client, three_councils):
    response = client.get(URL)

    years = [value for value, _label in response.context["filter"].form.fields["year"].choices]
    assert years == ["", "2023", "2022"]
    html = page_text(response)
    for name, label in [("kind", "Type of council"), ("region", "Region"), ("year", "Year of the challenge")]:
        assert re.search(rf'<label for="id_{name}" class="govuk-label">\s*{label}\s*</label>', html), name


def test_a_year_not_offered_is_an_error_that_says_what_to_do(client, three_councils):
    response = client.get(URL, {"year": "1999"})

    text = main_text(response)
    assert "There is a problem" in text
    assert "Choose a year from the list" in text
    assert rows(response) == []
    assert "Correct the filters to see the peer challenges." in text
    assert "Themes compared" not in text
    assert page_text(response).count("<title>Error: ") == 1


def test_a_long_list_is_paginated(client):
    for n in range(CHALLENGES_PER_PAGE + 1):
        PeerChallengeFactory(council=CouncilFactory(name=f"Council {n:03d}"))

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(rows(first)) == CHALLENGES_PER_PAGE
    assert rows(second) == [f"Council {CHALLENGES_PER_PAGE:03d}"]
    assert f"{CHALLENGES_PER_PAGE + 1} peer challenges" in main_text(first)
    assert 'aria-label="Pagination"' in page_text(first)


def test_the_page_is_linked_from_the_home_page_and_the_service_navigation(client):
    html = page_text(client.get(reverse("home")))

    assert html.count(f'href="{URL}"') == 2  # the navigation and the introduction
    overview = page_text(client.get(URL))
    assert f'href="{URL}" aria-current="page"' in overview


# Published progress only ------------------------------------------------------------------------


def test_share_of_actions_complete_leaves_out_dropped_actions(client):
    challenge = challenge_of("Anytown Council")
    recommendation = recommendation_of(challenge)
    ActionFactory(recommendation=recommendation, status=Status.COMPLETE)
    ActionFactory(recommendation=recommendation, status=Status.ON_TRACK)
    ActionFactory(recommendation=recommendation, status=Status.ON_TRACK)
    ActionFactory(recommendation=recommendation, status=Status.ON_TRACK)
    dropped = ActionFactory(recommendation=recommendation)
    ProgressUpdateFactory(action=dropped, status=Status.NOT_TAKEN_FORWARD, closure_reason="Cabinet decided")

    response = client.get(URL)

    row = response.context["rows"][0]
    assert (row.complete, row.live_actions, row.percent_complete) == (1, 4, 25)
    assert "25% 1 of 4" in main_text(response)


def test_recommendations_by_their_published_roll_up(client):
    challenge = challenge_of("Anytown Council")
    ActionFactory(recommendation=recommendation_of(challenge), status=Status.COMPLETE)
    ActionFactory(recommendation=recommendation_of(challenge), status=Status.OFF_TRACK)
    ActionFactory(recommendation=recommendation_of(challenge), status=Status.OFF_TRACK)

    response = client.get(URL)

    assert response.context["rows"][0].recommendations_by_status == [(Status.OFF_TRACK, 2), (Status.COMPLETE, 1)]
    html = page_text(response)
    assert '<li>2 <strong class="govuk-tag govuk-tag--red">Off track</strong></li>' in html
    assert '<li>1 <strong class="govuk-tag govuk-tag--blue">Complete</strong></li>' in html


@pytest.fixture
def plan(db):
    """A challenge needing approval, with one action on track (published) led by an officer."""
    challenge = challenge_of("Anytown Council", theme="Financial planning", updates_need_approval=True)
    action = ActionFactory(recommendation=recommendation_of(challenge), status=Status.ON_TRACK)
    return action


def complete_update(action, **fields):
    return ProgressUpdateFactory(action=action, status=Status.COMPLETE, date=datetime.date(2024, 1, 1), **fields)


def test_unpublished_and_awaiting_updates_change_nothing_the_overview_shows(client, plan):
    before = page_text(client.get(URL))

    complete_update(plan, published=False)
    complete_update(plan, published=False, approval=Approval.AWAITING)
    complete_update(plan, published=False, approval=Approval.RETURNED)

    plan.refresh_from_db()
    assert plan.status == Status.COMPLETE  # staff see it complete ...
    assert page_text(client.get(URL)) == before  # ... the overview does not


def test_publishing_an_update_changes_the_overview(client, plan, council):
    awaiting = complete_update(plan, published=False, approval=Approval.AWAITING)
    before = client.get(URL)
    assert before.context["rows"][0].percent_complete == 0

    approve_update(update=awaiting, coordinator=UserFactory(roles=[(council, COORDINATOR)]))

    after = client.get(URL)
    row = after.context["rows"][0]
    assert row.percent_complete == 100
    assert row.recommendations_by_status == [(Status.COMPLETE, 1)]
    assert after.context["themes"][0].percent_complete == 100
    assert page_text(after) != page_text(before)


def test_signed_in_members_see_the_same_published_figures(client, plan, officer):
    complete_update(plan, published=False)
    anonymous = client.get(URL).context["rows"][0].percent_complete

    client.force_login(officer)  # a member of the council, who reads its drafts elsewhere

    assert client.get(URL).context["rows"][0].percent_complete == anonymous == 0


# The CPC clock ----------------------------------------------------------------------------------


def test_each_row_gives_the_clock_in_words_and_each_milestones_state(client):
    challenge_of(
        "Anytown Council",
        on_site=datetime.date(2022, 11, 1),
        report_published_on=datetime.date(2023, 1, 20),  # due 4 February 2023: met
        plan_published_on=datetime.date(2023, 5, 1),  # due 4 April 2023: missed
    )

    response = client.get(URL)

    text = main_text(response)
    assert "1 of 4 met; 1 missed; 2 not recorded" in text
    html = page_text(response)
    assert 'Feedback report published: <strong class="govuk-tag govuk-tag--green">Met</strong>' in html
    assert 'Action plan published: <strong class="govuk-tag govuk-tag--red">Missed</strong>' in html
    assert 'Progress review on site: <strong class="govuk-tag govuk-tag--orange">Not recorded</strong>' in html


def test_months_since_the_challenge():
    on_site_to = datetime.date(2022, 11, 4)

    assert months_between(on_site_to, datetime.date(2022, 12, 3)) == 0
    assert months_between(on_site_to, datetime.date(2022, 12, 4)) == 1
    assert months_between(on_site_to, datetime.date(2024, 11, 4)) == 24
    assert months_between(on_site_to, datetime.date(2022, 10, 1)) == 0


def test_a_challenge_still_to_come_has_no_months_since(client):
    soon = datetime.date.today() + datetime.timedelta(days=30)
    challenge_of("Anytown Council", on_site=soon)

    text = main_text(client.get(URL))

    assert "Months since: Not yet" not in text
    assert " Not yet " in text


# Themes compared --------------------------------------------------------------------------------


def test_themes_with_the_same_title_are_counted_together_whatever_their_capitals_and_spaces(client):
    first = challenge_of("Anytown Council", theme="Financial planning")
    second = challenge_of("Elsewhere Borough Council", theme="  financial   PLANNING ")
    third = challenge_of("Thirdtown Council", theme="Governance")
    ActionFactory(recommendation=recommendation_of(first), status=Status.COMPLETE)
    ActionFactory(recommendation=recommendation_of(first), status=Status.ON_TRACK)
    recommendation = recommendation_of(second)
    ActionFactory(recommendation=recommendation, status=Status.COMPLETE)
    ActionFactory(recommendation=recommendation, status=Status.AT_RISK)
    recommendation_of(second)  # no actions yet
    ActionFactory(recommendation=recommendation_of(third), status=Status.OFF_TRACK)

    response = client.get(URL)

    themes = {theme.title: theme for theme in response.context["themes"]}
    assert set(themes) == {"Financial planning", "Governance"}  # the first spelling, its spaces tidied
    finance = themes["Financial planning"]
    assert (finance.councils, finance.recommendations, finance.actions, finance.complete) == (2, 4, 4, 2)
    assert finance.percent_complete == 50
    governance = themes["Governance"]
    assert (governance.councils, governance.recommendations, governance.actions, governance.complete) == (1, 1, 1, 0)
    assert [theme.councils for theme in response.context["themes"]] == [2, 1]  # most councils first
    assert "50% (2 of 4)" in main_text(response)


def test_themes_compared_follow_the_filters(client):
    challenge_of("Northtown Council", kind=CouncilKind.METROPOLITAN, theme="Place leadership")
    challenge_of("Southshire County Council", kind=CouncilKind.COUNTY, theme="Place Leadership")

    every = client.get(URL).context["themes"]
    counties = client.get(URL, {"kind": "county"}).context["themes"]

    assert [(theme.councils, theme.recommendations) for theme in every] == [(2, 0)]
    assert [(theme.title, theme.councils) for theme in counties] == [("Place Leadership", 1)]


def test_the_themes_found_at_the_most_councils_are_listed_first_and_the_rest_counted(client, monkeypatch):
    monkeypatch.setattr("recommendations.overview_views.THEME_ROWS", 2)
    challenge_of("Anytown Council", theme="Governance")
    challenge_of("Elsewhere Borough Council", theme="Governance")
    challenge_of("Thirdtown Council", theme="Place leadership")
    challenge_of("Fourthtown Council", theme="Climate")

    response = client.get(URL)

    assert [(theme.title, theme.councils) for theme in response.context["themes"]] == [
        ("Governance", 2),
        ("Climate", 1),
    ]
    assert "The 2 theme titles found at the most councils, of 3." in main_text(response)


def test_titles_are_compared_without_case_or_extra_spaces():
    assert normalised_title("  Financial   PLANNING ") == "financial planning"
    assert normalised_title("Financial\tplanning\n") == "financial planning"
    assert normalised_title("Governance") == "governance"


# Queries ----------------------------------------------------------------------------------------


def councils_with_plans(n, start=0):
    for i in range(start, start + n):
        challenge = challenge_of(
            f"Council {i:02d}",
            kind=CouncilKind.UNITARY,
            region=Region.LONDON,
            theme=["Governance", "Financial planning"][i % 2],
            on_site=datetime.date(2021 + i % 3, 5, 10),
        )
        for _ in range(2):
            recommendation = recommendation_of(challenge)
            ActionFactory(recommendation=recommendation, status=Status.ON_TRACK)
            ActionFactory(recommendation=recommendation, status=Status.COMPLETE)


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("query", [{}, {"kind": "unitary", "region": "london", "year": "2022"}])
def test_the_overview_asks_the_same_queries_for_2_councils_as_for_8(client, signed_in, query):
    extra = 0
    if signed_in:
        client.force_login(UserFactory())
        extra = SIGNED_IN_QUERIES
    url = f"{URL}?{'&'.join(f'{k}={v}' for k, v in query.items())}"
    councils_with_plans(2)
    few = count_queries(client, url)
    councils_with_plans(6, start=2)
    many = count_queries(client, url)

    assert many == few, f"{many} queries for 8 councils, {few} for 2"
    # The year choices, the count, a page of challenges, their recommendations and actions by status,
    # the themes compared (2).
    assert many <= 6 + extra, f"{many} queries, budget {6 + extra}"
