"""Similar recommendations at other councils (recommendations.similar) and the recommendation page's
"How other councils answered similar recommendations": the closest first, never the same council,
nothing unrelated, and only what the public reads of the other councils."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recommendations.models import Approval, Response, Status
from recommendations.similar import (
    rank_by_shared_words,
    rank_on_postgresql,
    ranking_for,
    significant_words,
    similar_recommendations,
    stem,
)

from .factories import (
    ActionFactory,
    CouncilFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    UserFactory,
)
from .queries import SIGNED_IN_QUERIES, count_queries

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
# Both ways of ranking run on PostgreSQL (the fallback is plain ORM and Python); on SQLite only the fallback.
RANKINGS = [
    pytest.param(rank_on_postgresql, marks=pytest.mark.skipif(not ON_POSTGRESQL, reason="full-text is PostgreSQL's")),
    rank_by_shared_words,
]
# The section's queries: one on PostgreSQL; the fallback reads words, then the chosen ones and their actions.
SIMILAR_QUERIES = 1 if ON_POSTGRESQL else 3
SECTION = "How other councils answered similar recommendations"
NOTHING_CLOSE = "No other council's recommendation is close enough to this one to show."

# Made-up recommendations of three councils: Anytown's is the one whose page is read.
MEMBERS = (
    "Develop a member development programme for the new intake of councillors",
    "With all-out elections next May the council should develop a member induction and development programme "
    "so that new and returning councillors have the skills and knowledge for their roles, including scrutiny "
    "and finance training.",
)
CLOSEST = (
    "Put in place a councillor induction and training programme",
    "Many councillors will be newly elected. The council needs a structured induction programme and continuing "
    "training for members, covering their roles, the constitution, finance and scrutiny.",
)
FURTHER = (
    "Invest in councillors' skills",
    "Elected members told the peer team they want more learning and development. Offer every councillor a "
    "personal development plan and mentoring from experienced members.",
)
FINANCE = (
    "Close the budget gap with a robust medium-term financial plan",
    "The medium-term financial plan shows a growing gap. Develop financial modelling of demand, inflation and "
    "cost of living pressures and set out savings and income proposals to balance the budget.",
)
CLIMATE = (
    "Turn the climate emergency declaration into action",
    "Develop a climate action plan with clear targets to reduce carbon emissions, funded projects, and a way "
    "of reporting progress on net zero to residents.",
)
WORKFORCE = (
    "Develop a workforce strategy to tackle recruitment and retention",
    "Staff turnover is high. A workforce strategy should address recruitment, retention, career pathways, "
    "apprenticeships and the staff survey's findings on wellbeing.",
)


def challenge_of(council, **fields):
    return PeerChallengeFactory(
        council=council, on_site_from=datetime.date(2023, 3, 6), on_site_to=datetime.date(2023, 3, 9), **fields
    )


def recommendation(challenge, words, number):
    title, text = words
    return RecommendationFactory(challenge=challenge, theme__challenge=challenge, number=number, title=title, text=text)


@pytest.fixture
def councils(db):
    return (
        CouncilFactory(),  # Anytown Council
        CouncilFactory(name="Othertown Borough Council"),
        CouncilFactory(name="Thirdshire County Council"),
    )


@pytest.fixture
def three_councils(councils):
    """Anytown's recommendation on members' development; Othertown's and Thirdshire's on that and on
    other subjects."""
    anytown, othertown, thirdshire = councils
    mine = recommendation(challenge_of(anytown), MEMBERS, 1)
    othertowns, thirdshires = challenge_of(othertown, title="Othertown CPC"), challenge_of(thirdshire)
    return {
        "mine": mine,
        "closest": recommendation(othertowns, CLOSEST, 1),
        "finance": recommendation(othertowns, FINANCE, 2),
        "further": recommendation(thirdshires, FURTHER, 1),
        "climate": recommendation(thirdshires, CLIMATE, 2),
        "workforce": recommendation(thirdshires, WORKFORCE, 3),
    }


def section_of(response):
    """The text of the page's section on other councils, tags removed, spaces collapsed."""
    html = response.content.decode()
    assert 'id="similar-elsewhere">' in html
    section = html.split('id="similar-elsewhere">', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


# What is alike ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rank", RANKINGS, ids=["rank_on_postgresql", "rank_by_shared_words"])
def test_the_closest_recommendation_at_another_council_comes_first(three_councils, rank):
    found = rank(three_councils["mine"])

    assert [other.pk for other in found[:2]] == [three_councils["closest"].pk, three_councils["further"].pk]
    assert found[0].similarity > found[1].similarity


@pytest.mark.parametrize("rank", RANKINGS, ids=["rank_on_postgresql", "rank_by_shared_words"])
def test_recommendations_on_other_subjects_are_not_shown(three_councils, rank):
    found = {other.pk for other in rank(three_councils["mine"])}

    assert not found & {three_councils[name].pk for name in ("finance", "climate", "workforce")}


@pytest.mark.parametrize("rank", RANKINGS, ids=["rank_on_postgresql", "rank_by_shared_words"])
def test_each_subject_finds_its_match_at_another_council(three_councils, rank):
    for name, match in (("finance", None), ("climate", None), ("closest", "mine"), ("further", "mine")):
        found = [other.pk for other in rank(three_councils[name])]
        assert found[:1] == ([three_councils[match].pk] if match else []), name


@pytest.mark.parametrize("rank", RANKINGS, ids=["rank_on_postgresql", "rank_by_shared_words"])
def test_never_the_same_council_even_word_for_word(three_councils, councils, rank):
    anytown = councils[0]
    mine = three_councils["mine"]
    copy = recommendation(challenge_of(anytown), MEMBERS, 1)  # Anytown's next challenge, the same words

    found = [other.pk for other in rank(mine)]

    assert copy.pk not in found and mine.pk not in found
    assert found[0] == three_councils["closest"].pk


@pytest.mark.parametrize("rank", RANKINGS, ids=["rank_on_postgresql", "rank_by_shared_words"])
def test_at_most_five_are_shown_closest_first(councils, rank):
    anytown, othertown, _ = councils
    mine = recommendation(challenge_of(anytown), MEMBERS, 1)
    challenge = challenge_of(othertown)
    for number in range(1, 8):
        recommendation(challenge, (CLOSEST[0], CLOSEST[1] + " The plan runs for four years." * (number % 2)), number)

    found = rank(mine)

    assert len(found) == 5
    assert [other.similarity for other in found] == sorted((other.similarity for other in found), reverse=True)
    assert len(rank(mine, limit=2)) == 2


@pytest.mark.parametrize("rank", RANKINGS, ids=["rank_on_postgresql", "rank_by_shared_words"])
def test_a_recommendation_of_stop_words_only_finds_nothing(councils, three_councils, rank):
    empty = recommendation(challenge_of(councils[0]), ("To be", "It is"), 2)

    assert rank(empty) == []


@pytest.mark.parametrize("rank", RANKINGS, ids=["rank_on_postgresql", "rank_by_shared_words"])
def test_punctuation_in_a_recommendation_never_breaks_the_ranking(councils, three_councils, rank):
    title = "Councillors' induction & training | 'member' development: (programme) <-> !scrutiny"
    odd = recommendation(challenge_of(councils[0]), (title, "Café-style drop-ins; e-mail: a&b@example.org"), 2)

    assert three_councils["closest"].pk in [other.pk for other in rank(odd)]


def test_the_database_decides_the_way_of_ranking():
    assert ranking_for("postgresql") is rank_on_postgresql
    assert ranking_for("sqlite") is rank_by_shared_words
    assert ranking_for("mysql") is rank_by_shared_words


def test_similar_recommendations_ranks_the_way_this_database_offers(three_councils):
    expected = ranking_for(connection.vendor)(three_councils["mine"])

    assert [other.pk for other in similar_recommendations(three_councils["mine"])] == [other.pk for other in expected]


def test_the_fallback_reads_significant_words_and_stems_them_alike():
    assert significant_words("The Council's member-development programme, 2023") == {
        "council",
        "member",
        "development",
        "programme",
    }
    assert stem("councillors") == stem("councillor")
    assert stem("developing") == stem("development") == stem("develop")
    assert stem("strategies") == stem("strategy")
    assert stem("reduced") == stem("reducing") == stem("reduce")


# What the public reads of them ----------------------------------------------------------------------------


@pytest.mark.parametrize("rank", RANKINGS, ids=["rank_on_postgresql", "rank_by_shared_words"])
def test_status_and_actions_are_the_published_ones(three_councils, rank):
    closest = three_councils["closest"]
    ActionFactory(recommendation=closest, reference="2.1", status=Status.COMPLETE)
    late = ActionFactory(recommendation=closest, reference="1.1", status=Status.ON_TRACK)
    ProgressUpdateFactory(action=late, status=Status.OFF_TRACK, published=False, date=datetime.date(2024, 1, 1))

    other = rank(three_councils["mine"])[0]

    assert other.status == Status.ON_TRACK  # from the published statuses: complete and on track
    assert [(action.reference, action.public_status) for action in other.public_actions] == [
        ("1.1", Status.ON_TRACK),
        ("2.1", Status.COMPLETE),
    ]
    assert other.challenge.council.name == "Othertown Borough Council"


@pytest.mark.parametrize("reader", ["anonymous", "member of that council", "member of this council", "superuser"])
def test_the_page_shows_only_what_the_public_reads_of_another_council(client, three_councils, councils, reader):
    _, othertown, _ = councils
    closest = three_councils["closest"]
    action = ActionFactory(
        recommendation=closest, reference="1.1", description="Run an induction week", status=Status.ON_TRACK
    )
    ProgressUpdateFactory(
        action=action,
        status=Status.OFF_TRACK,
        text="Draft: the induction week is cancelled",
        published=False,
        approval=Approval.AWAITING,
        date=datetime.date(2024, 1, 1),
    )
    users = {
        "member of that council": lambda: UserFactory(roles=[(othertown, "coordinator")]),
        "member of this council": lambda: UserFactory(roles=[(councils[0], "coordinator")]),
        "superuser": lambda: UserFactory(is_superuser=True, is_staff=True),
    }
    if reader in users:
        client.force_login(users[reader]())

    section = section_of(client.get(three_councils["mine"].get_absolute_url()))

    assert (
        "Othertown Borough Council — recommendation 1 Put in place a councillor induction and training programme"
        in (section)
    )
    assert "Peer challenge Othertown CPC , on site March 2023" in section
    assert "Status On track 0 of 1 action complete" in section
    assert "Action 1.1 of Othertown Borough Council : Run an induction week On track" in section
    assert "Off track" not in section
    assert "cancelled" not in section and "Not yet published" not in section


def test_the_page_links_to_the_other_recommendation_its_challenge_and_its_actions(client, three_councils):
    closest = three_councils["closest"]
    action = ActionFactory(recommendation=closest, reference="1.1")
    closest.response = Response.ACCEPTED
    closest.save()

    html = client.get(three_councils["mine"].get_absolute_url()).content.decode()
    section = html.split('id="similar-elsewhere"', 1)[1]

    for url in (closest.get_absolute_url(), closest.challenge.get_absolute_url(), action.get_absolute_url()):
        assert f'href="{url}"' in section
    assert "The council's response Accepted" in section_of(client.get(three_councils["mine"].get_absolute_url()))


def test_the_page_says_so_when_no_other_council_has_anything_alike(client, councils):
    anytown, othertown, _ = councils
    mine = recommendation(challenge_of(anytown), MEMBERS, 1)
    recommendation(challenge_of(othertown), FINANCE, 1)

    response = client.get(mine.get_absolute_url())

    assert SECTION in response.content.decode()
    assert section_of(response) == f"{SECTION} {NOTHING_CLOSE}"


# Queries ----------------------------------------------------------------------------------------------------


def another_council_alike(n, actions=3):
    council = CouncilFactory(name=f"Similar Borough Council {n}")
    other = recommendation(challenge_of(council), CLOSEST, 1)
    for a in range(actions):
        ActionFactory(recommendation=other, reference=f"1.{a + 1}", status=Status.AT_RISK)
    recommendation(other.challenge, FINANCE, 2)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="full-text is PostgreSQL's")
def test_ranking_is_one_query_whether_none_one_or_many_councils_are_alike(councils):
    mine = recommendation(challenge_of(councils[0]), MEMBERS, 1)

    def found_and_queries():
        with CaptureQueriesContext(connection) as queries:
            found = rank_on_postgresql(mine)
        return len(found), len(queries)

    nothing_alike = found_and_queries()
    another_council_alike(1, actions=0)
    one_without_actions = found_and_queries()
    for n in range(2, 10):
        another_council_alike(n, actions=6)
    many = found_and_queries()

    assert (nothing_alike, one_without_actions, many) == ((0, 1), (1, 1), (5, 1))


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_recommendation_page_costs_the_same_however_many_councils_are_alike(client, councils, signed_in):
    mine = recommendation(challenge_of(councils[0]), MEMBERS, 1)
    ActionFactory(recommendation=mine, status=Status.ON_TRACK)
    if signed_in:
        client.force_login(UserFactory(roles=[(councils[0], "officer")]))
    another_council_alike(1, actions=1)
    few = count_queries(client, mine.get_absolute_url())
    for n in range(2, 12):
        another_council_alike(n, actions=8)
    many = count_queries(client, mine.get_absolute_url())

    # The page's budget in recommendations/tests/test_views.py, which has this section's one query
    # (on PostgreSQL).
    assert many == few <= 10 + SIMILAR_QUERIES + (SIGNED_IN_QUERIES if signed_in else 0)
