"""Search (reports.search): what each reader finds, ranking, marking, and the search page.

Both ways of searching run here: PostgreSQL's full-text search, and the word search `make run`
uses on SQLite, which is plain ORM and so runs on PostgreSQL too (the `backend` fixture runs a test
with each). `test_sqlite_gets_the_word_search` checks SQLite is given the word search. The module
also runs on SQLite itself, full-text tests skipped:
`DATABASE_URL=sqlite:////tmp/search-test.sqlite3 pytest reports/tests/test_search.py`.

Texts are made-up words found nowhere else (Faker's paragraphs are English words), so a test
finds exactly what it made.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse

from recommendations.models import Approval
from recommendations.roles import COORDINATOR, OFFICER, SCRUTINY_MEMBER
from recommendations.tests.factories import (
    ActionFactory,
    CouncilFactory,
    PeerChallengeFactory,
    ProgressUpdateFactory,
    RecommendationFactory,
    ThemeFactory,
    UserFactory,
)
from recommendations.tests.queries import SIGNED_IN_QUERIES, count_queries
from reports import search
from reviews.tests.factories import ConsiderationFactory, FindingFactory, IndicatorFactory, ProgressReviewFactory

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture(params=["full text", "words"])
def backend(request):
    if request.param == "full text":
        if not ON_POSTGRESQL:
            pytest.skip("full-text search needs PostgreSQL")
        return search.FullTextSearch(connection)
    return search.WordSearch(connection)


def council_record(name, word):
    """A council's challenge with one of everything search looks in, each text holding `word` and
    what kind of text it is, e.g. "quillwort published" in its published update."""
    council = CouncilFactory(name=name)
    challenge = PeerChallengeFactory(council=council, on_site_from=datetime.date(2022, 11, 1))
    theme = ThemeFactory(challenge=challenge, number=1, title="Place leadership")
    recommendation = RecommendationFactory(
        challenge=challenge, theme=theme, number=1, title="Strengthen partnerships", text=f"{word} recommendation"
    )
    action = ActionFactory(recommendation=recommendation, reference="1.1", description=f"{word} action")
    published = ProgressUpdateFactory(
        action=action, text=f"{word} published", next_steps=f"{word} nextsteps", published=True
    )
    draft = ProgressUpdateFactory(action=action, text=f"{word} draftonly", published=False)
    awaiting = ProgressUpdateFactory(
        action=action, text=f"{word} awaitingonly", published=False, approval=Approval.AWAITING
    )
    review = ProgressReviewFactory(challenge=challenge)
    finding = FindingFactory(review=review, theme=theme, text=f"{word} finding")
    consideration = ConsiderationFactory(review=review, title="Keep going", text=f"{word} consideration")
    public_indicator = IndicatorFactory(
        challenge=challenge, name="Households", description=f"{word} public", public=True
    )
    internal_indicator = IndicatorFactory(
        challenge=challenge, name="Sickness", description=f"{word} internalonly", public=False
    )
    return SimpleNamespace(
        council=council,
        challenge=challenge,
        recommendation=recommendation,
        action=action,
        published=published,
        draft=draft,
        awaiting=awaiting,
        finding=finding,
        consideration=consideration,
        public_indicator=public_indicator,
        internal_indicator=internal_indicator,
    )


@pytest.fixture
def ours(council):
    return council_record(council.name, "quillwort")


@pytest.fixture
def theirs(other_council):
    return council_record(other_council.name, "quillwort")


def found(user, text, backend, council=None):
    return search.search(user, text, council, backend=backend).hits


def titles(hits):
    return [hit.title for hit in hits]


def kinds(hits):
    return sorted(hit.kind for hit in hits)


# What each reader finds ----------------------------------------------------------------------------


def test_the_public_finds_every_published_kind_of_record(ours, backend):
    hits = found(AnonymousUser(), "quillwort", backend)
    assert kinds(hits) == sorted(
        ["Recommendation", "Action", "Progress update", "Finding", "Consideration", "Indicator"]
    )
    assert not any(hit.unpublished for hit in hits)


@pytest.mark.parametrize("word", ["draftonly", "awaitingonly", "internalonly"])
def test_the_public_never_finds_unpublished_text(ours, backend, word):
    assert found(AnonymousUser(), word, backend) == []
    assert found(UserFactory(username="no-role"), word, backend) == []


def test_next_steps_of_a_published_update_are_found(ours, backend):
    [hit] = found(AnonymousUser(), "nextsteps", backend)
    assert hit.kind == "Progress update"
    assert hit.url == ours.action.get_absolute_url()


@pytest.mark.parametrize("role", [OFFICER, COORDINATOR, SCRUTINY_MEMBER])
def test_a_member_finds_their_own_councils_drafts(ours, theirs, backend, role):
    member = UserFactory(username=f"member-{role}", roles=[(ours.council, role)])
    for word in ("draftonly", "awaitingonly"):
        [hit] = found(member, word, backend)
        assert hit.council == ours.council.name
        assert hit.unpublished
    [indicator] = found(member, "internalonly", backend)
    assert indicator.url == ours.internal_indicator.get_absolute_url()


def test_another_councils_drafts_are_never_found(ours, theirs, backend):
    member = UserFactory(username="member", roles=[(ours.council, COORDINATOR)])
    for word in ("draftonly", "awaitingonly", "internalonly"):
        hits = found(member, word, backend)
        assert {hit.council for hit in hits} == {ours.council.name}, word


def test_a_site_administrator_finds_every_councils_drafts(ours, theirs, superuser, backend):
    hits = found(superuser, "draftonly", backend)
    assert {hit.council for hit in hits} == {ours.council.name, theirs.council.name}


def test_the_search_can_be_narrowed_to_one_council(ours, theirs, backend):
    hits = found(AnonymousUser(), "quillwort", backend, council=theirs.council)
    assert hits and {hit.council for hit in hits} == {theirs.council.name}


# Ranking and matching ------------------------------------------------------------------------------


def test_a_title_match_ranks_first(council, backend):
    challenge = PeerChallengeFactory(council=council)
    in_text = RecommendationFactory(
        challenge=challenge,
        number=1,
        title="Refresh the plan",
        text="Marshwort marshwort marshwort: the marshwort review, marshwort again.",
    )
    ActionFactory(recommendation=in_text, description="A marshwort action with marshwort twice")
    in_title = RecommendationFactory(challenge=challenge, number=2, title="Marshwort planning", text="Something else")
    hits = found(AnonymousUser(), "marshwort", backend)
    assert len(hits) == 3
    assert hits[0].title == str(in_title)
    assert hits[0].title_hit


def test_every_word_must_appear(council, backend):
    challenge = PeerChallengeFactory(council=council)
    both = RecommendationFactory(challenge=challenge, number=1, title="Sedgebird", text="and fenwick too")
    RecommendationFactory(challenge=challenge, number=2, title="Sedgebird", text="alone")
    assert titles(found(AnonymousUser(), "sedgebird fenwick", backend)) == [str(both)]


def test_more_words_in_the_title_rank_higher_in_the_word_search(council):
    challenge = PeerChallengeFactory(council=council)
    one = RecommendationFactory(challenge=challenge, number=1, title="Sedgebird", text="fenwick")
    two = RecommendationFactory(challenge=challenge, number=2, title="Sedgebird fenwick", text="nothing")
    assert titles(found(AnonymousUser(), "sedgebird fenwick", search.WordSearch())) == [str(two), str(one)]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="stemming is PostgreSQL's")
def test_full_text_search_is_stemmed_english(council):
    challenge = PeerChallengeFactory(council=council)
    recommendation = RecommendationFactory(
        challenge=challenge, number=1, title="Review governance arrangements", text="Text"
    )
    [hit] = found(AnonymousUser(), "governing", search.FullTextSearch(connection))
    assert hit.title == str(recommendation)
    assert "<mark>governance</mark>" in hit.title_html


@pytest.mark.skipif(not ON_POSTGRESQL, reason="websearch syntax is PostgreSQL's")
def test_full_text_search_takes_phrases_or_and_minus(council):
    challenge = PeerChallengeFactory(council=council)
    first = RecommendationFactory(challenge=challenge, number=1, title="Fenwick sedgebird", text="x")
    second = RecommendationFactory(challenge=challenge, number=2, title="Sedgebird fenwick", text="x")
    full_text = search.FullTextSearch(connection)
    assert titles(found(AnonymousUser(), '"fenwick sedgebird"', full_text)) == [str(first)]
    assert titles(found(AnonymousUser(), "sedgebird -fenwick", full_text)) == []
    assert set(titles(found(AnonymousUser(), "fenwick or nothing", full_text))) == {str(first), str(second)}


def test_a_search_of_only_common_words_finds_nothing_and_fails_nothing(ours, backend):
    assert found(AnonymousUser(), "?!", backend) == []


def test_what_was_found_is_marked_and_the_rest_escaped(council, backend):
    challenge = PeerChallengeFactory(council=council)
    RecommendationFactory(
        challenge=challenge, number=1, title="<script>alert(1)</script> Tallowmere", text="<b>bold</b> tallowmere"
    )
    [hit] = found(AnonymousUser(), "tallowmere", backend)
    assert hit.title_html == ("Recommendation 1: &lt;script&gt;alert(1)&lt;/script&gt; <mark>Tallowmere</mark>")
    assert hit.excerpt == "&lt;b&gt;bold&lt;/b&gt; <mark>tallowmere</mark>"


def test_a_long_text_is_cut_around_what_was_found(council, backend):
    challenge = PeerChallengeFactory(council=council)
    text = " ".join(["filler"] * 100 + ["tallowmere"] + ["after"] * 100)
    RecommendationFactory(challenge=challenge, number=1, title="Long", text=text)
    [hit] = found(AnonymousUser(), "tallowmere", backend)
    assert hit.excerpt.startswith("… filler")
    assert hit.excerpt.endswith("after …")
    assert "<mark>tallowmere</mark>" in hit.excerpt
    assert len(hit.excerpt) < search.EXCERPT_CHARACTERS + 40


def test_no_more_than_the_cap_are_listed(council, backend, monkeypatch):
    monkeypatch.setattr(search, "RESULT_CAP", 3)
    challenge = PeerChallengeFactory(council=council)
    for number in range(1, 6):
        RecommendationFactory(challenge=challenge, number=number, title=f"Tallowmere {number}", text="x")
    results = search.search(AnonymousUser(), "tallowmere", backend=backend)
    assert results.count == 3
    assert results.more


# Which way of searching ------------------------------------------------------------------------------


def test_postgresql_gets_full_text_search():
    assert isinstance(search.search_backend(SimpleNamespace(vendor="postgresql")), search.FullTextSearch)


def test_sqlite_gets_the_word_search():
    assert isinstance(search.search_backend(SimpleNamespace(vendor="sqlite")), search.WordSearch)


def test_the_search_uses_the_databases_own_way(ours):
    expected = search.FullTextSearch if ON_POSTGRESQL else search.WordSearch
    assert isinstance(search.search_backend(), expected)


# The page ----------------------------------------------------------------------------------------------


URL = reverse("reports:search")


def test_the_page_offers_a_labelled_search_box(client, ours):
    response = client.get(URL)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'type="search"' in text and 'for="id_q"' in text and 'method="get"' in text
    assert "results" not in response.context
    assert ours.council.name in text  # the council filter


def test_the_page_lists_what_was_found(client, ours):
    response = client.get(URL, {"q": "quillwort"})
    text = response.content.decode()
    assert "6 results" in text
    assert f'href="{ours.recommendation.get_absolute_url()}"' in text
    assert f'href="{ours.action.get_absolute_url()}"' in text
    assert f'href="{ours.consideration.get_absolute_url()}"' in text
    assert "<mark>quillwort</mark>" in text
    assert "draftonly" not in text and "Not published" not in text
    assert "You also find the unpublished" not in text


def test_a_member_sees_their_drafts_marked_as_not_published(client, ours, officer):
    client.force_login(officer)
    text = client.get(URL, {"q": "draftonly"}).content.decode()
    assert "1 result" in text and "Not published" in text
    assert "You also find the unpublished progress updates" in text


def test_nothing_found_says_so(client, ours):
    text = client.get(URL, {"q": "nothingmatchesthis"}).content.decode()
    assert "No results" in text and "check the spelling" in text


def test_the_council_filter_narrows_the_results(client, ours, theirs):
    response = client.get(URL, {"q": "quillwort", "council": theirs.council.slug})
    assert {hit.council for hit in response.context["hits"]} == {theirs.council.name}


def test_a_long_search_is_refused_with_a_clear_error(client, ours):
    typed = "quillwort " * 21
    response = client.get(URL, {"q": typed})
    text = response.content.decode()
    assert "There is a problem" in text
    assert 'href="#id_q">Search for 200 characters or fewer' in text
    assert "govuk-input--error" in text
    assert "quillwort quillwort" in text  # what was typed is kept
    assert "results" not in response.context
    assert response.context["form"].errors


def test_an_empty_search_asks_for_words(client, ours):
    text = client.get(URL, {"q": "  "}).content.decode()
    assert "Enter what you are looking for" in text


def test_an_unknown_council_is_an_error(client, ours):
    text = client.get(URL, {"q": "quillwort", "council": "no-such-council"}).content.decode()
    assert "Choose a council from the list" in text


def test_results_come_twenty_to_a_page(client, council):
    challenge = PeerChallengeFactory(council=council)
    for number in range(1, 26):
        RecommendationFactory(challenge=challenge, number=number, title=f"Tallowmere {number}", text="x")
    first = client.get(URL, {"q": "tallowmere"})
    second = client.get(URL, {"q": "tallowmere", "page": 2})
    assert len(first.context["hits"]) == 20 and len(second.context["hits"]) == 5
    assert "25 results" in first.content.decode()
    assert "?q=tallowmere&amp;page=2" in first.content.decode()


def test_the_page_is_reachable_from_every_page(client):
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()


# Query budget ------------------------------------------------------------------------------------------

# Councils for the filter, PostgreSQL's stems (none on other databases), one query per kind of record.
SEARCH_QUERIES = 1 + (1 if ON_POSTGRESQL else 0) + len(search.SOURCES)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_page_makes_the_same_queries_however_much_is_found(client, council, officer, signed_in):
    if signed_in:
        client.force_login(officer)
    url = f"{URL}?q=quillwort"
    council_record(council.name, "quillwort")
    few = count_queries(client, url)
    for n in range(3):
        council_record(f"Council {n}", "quillwort")
    many = count_queries(client, url)
    assert few == many <= SEARCH_QUERIES + (SIGNED_IN_QUERIES if signed_in else 0)


# Indexes -----------------------------------------------------------------------------------------------


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the GIN indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("kind", "index"),
    [
        ("Progress update", "search_progressupdate_idx"),
        ("Action", "search_action_idx"),
        ("Recommendation", "search_recommendation_idx"),
        ("Finding", "search_finding_idx"),
        ("Consideration", "search_consideration_idx"),
        ("Indicator", "search_indicator_idx"),
    ],
)
def test_full_text_search_finds_matches_through_its_index(ours, kind, index):
    """The expression the search builds is the one indexed (reports/migrations/0004), so PostgreSQL
    can use the index (told here not to read the table through, as it would for a few rows)."""
    source = next(source for source in search.SOURCES if source.kind == kind)
    full_text = search.FullTextSearch(connection)
    matching = full_text.matching(source.model.objects.all(), source, "quillwort").order_by().values("pk")
    sql, params = matching.query.sql_with_params()
    with connection.cursor() as cursor:
        # Neither reading the table through nor walking another index (a primary key, for a join):
        # left only the bitmap scans, the planner shows whether the search's own index fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan
