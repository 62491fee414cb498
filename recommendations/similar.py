"""How other councils answered similar recommendations: for one recommendation, up to five
recommendations of *other* councils' peer challenges that are most alike, each with its council,
challenge, public status and actions.

What is shown is what the public may read of those councils, whoever is reading: a recommendation's
status is its published roll-up (`Recommendation.objects.with_progress()`, the one rule stated as
ROLL_UP_RULE, counting each action's `public_status`, which recommendations.publication keeps), and
of each action only its reference, description and public status. No progress update is read, so
no unpublished text or status can appear.

**How alike is measured.** "Alike" is how much of this recommendation's vocabulary the other one
uses: the significant words of its title and text (stop words removed), and the share of them the
other recommendation contains.

- On PostgreSQL, full-text ranking: `ts_rank` of the other recommendation's English vector (title and
  text, stemmed) against an OR query of this recommendation's words. With one query word found once,
  ts_rank gives about 0.06 (weight 0.1 / 1.645, its limit of 1/n² for repeats), divided by the number
  of distinct query words: the score is about 0.06 times the share of this recommendation's
  stemmed words the other contains, a little more where they recur. MIN_RANK = 0.015 is about a
  quarter of them.
- Elsewhere (SQLite, the default of `make run`), the same measure in Python: the share of this
  recommendation's significant words, crudely stemmed (`stem`), that the other one contains;
  MIN_SHARE = 0.2, a fifth (its crude stems match fewer words than PostgreSQL's).

Why full-text and not trigrams (pg_trgm): measured on sixteen made-up recommendations of three
councils (members' development three times; the medium-term financial strategy three times;
scrutiny, net zero, the workforce and committee reports twice; partners and communications once)
mixed with the 551 recommendations of the benchmark data set. Full-text ranking put the other
council's recommendation on the same subject first for all 14 that have one, and every such match
scored above every unrelated recommendation (the closest on the same subject at least 0.021, the
best unrelated at most 0.017). Trigram similarity of title and text together also put the right one
first but did not separate them (same subject as low as 0.25, unrelated as high as 0.31), so no
threshold could keep unrelated recommendations out; trigram similarity of title and text apart, and
word similarity, put a wrong one first. Trigrams compare spellings, so the words every
recommendation uses weigh as much as its subject; stemmed words without stop words carry the
subject. Full-text also needs no extension, so no migration, and measures what the fallback does.

Cost: no index helps to rank every row against a long OR query, so PostgreSQL builds every other
council's vector on each request; it grows with the number of recommendations (and their length),
not with actions or updates. EXPLAIN ANALYZE on the benchmark data set (51 challenges, 551
recommendations of about 90 characters, 5,501 actions), with the machine busy: 17 ms median, 29 ms
at most, for its own recommendations; 19 ms median and 23 ms at most for Stockport's eleven (250 to
650 characters) as the recommendation read. At 320 councils with recommendations of Stockport's
length (3,520 of about 400 characters) building the vectors alone takes about 0.5 s; a stored
tsvector column would bring that to about 30 ms (measured), a schema change for later.

Queries: one on PostgreSQL, whatever is found: ranking, the recommendations' public status,
council and challenge, and their actions (aggregated as rows of PUBLIC_ACTION_FIELDS). The fallback
reads the other councils' recommendations' words first, then the chosen ones and their actions
(three when something is alike), so it suits small data sets.
"""

import re

from django.db import connection
from django.db.models import Q
from django.db.models.functions import JSONObject

from .models import Action, Recommendation

LIMIT = 5
MIN_RANK = 0.015
MIN_SHARE = 0.2

# Common English stop words, nearly all of those PostgreSQL's "english" text-search configuration
# leaves out (Snowball's list), so that both ways of ranking count much the same words.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can did do does doing don down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most
    my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such t than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    you your yours yourself yourselves s
    """.split()
)
WORD = re.compile(r"[^\W\d_]+")


def significant_words(text):
    """The distinct words of `text`, lower-cased, without stop words or single letters."""
    return {word for word in WORD.findall(text.lower()) if len(word) > 1 and word not in STOP_WORDS}


def stem(word):
    """A crude English stem, enough to match "councillors" with "councillor" and "developing" with
    "development": plural, then -ment, -ing, -ed, then a final e."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix, shortest in (("ment", 7), ("ing", 6), ("ed", 5)):
        if word.endswith(suffix) and len(word) >= shortest:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def words_of(recommendation):
    return significant_words(f"{recommendation.title} {recommendation.text}")


def other_councils(recommendation):
    """Every recommendation of other councils' challenges: never the recommendation's own council."""
    return Recommendation.objects.exclude(challenge__council_id=recommendation.challenge.council_id)


def with_public_status(recommendations):
    """Their public status (with_progress: the published roll-up), council and challenge."""
    return recommendations.with_progress().select_related("challenge__council")


# What the section reads of another council's actions: what the public reads, nothing more.
PUBLIC_ACTION_FIELDS = ("id", "reference", "description", "public_status")


def public_actions_of(recommendation, rows):
    """Actions as the section shows them (with a link and a public status), from rows of
    PUBLIC_ACTION_FIELDS: no other field of them is read."""
    return [Action(recommendation=recommendation, **row) for row in rows or ()]


def rank_on_postgresql(recommendation, limit=LIMIT):
    """The most alike by full-text rank (see the module's docstring), closest first. One query,
    whatever is found: each recommendation's actions come with it, aggregated."""
    from django.contrib.postgres.aggregates import JSONBAgg
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    words = sorted(words_of(recommendation))
    if not words:
        return []
    # Letters only (WORD), so joining them with | is a well-formed tsquery: one parameter, cheap to compile.
    query = SearchQuery(" | ".join(words), search_type="raw", config="english")
    rank = SearchRank(SearchVector("title", "text", config="english"), query)
    # The threshold is applied to the few closest, so each candidate is ranked once, not twice.
    closest = (
        other_councils(recommendation).annotate(similarity=rank).order_by("-similarity", "pk").values("pk")[:limit]
    )
    action_rows = JSONBAgg(
        JSONObject(**{name: f"actions__{name}" for name in PUBLIC_ACTION_FIELDS}),
        filter=Q(actions__isnull=False),
        order_by="actions__reference",
    )
    found = list(
        with_public_status(Recommendation.objects.filter(pk__in=closest))
        .annotate(similarity=rank, action_rows=action_rows)
        .filter(similarity__gte=MIN_RANK)
        .order_by("-similarity", "pk")
    )
    for other in found:
        other.public_actions = public_actions_of(other, other.action_rows)
    return found


def rank_by_shared_words(recommendation, limit=LIMIT):
    """The most alike by the share of this recommendation's significant words (stemmed) the other
    one contains, closest first: the fallback where there is no full-text search. Reads every other
    council's recommendation's title and text (one query), then the chosen ones (two more)."""
    mine = {stem(word) for word in words_of(recommendation)}
    if not mine:
        return []
    scores = []
    for pk, title, text in other_councils(recommendation).values_list("pk", "title", "text"):
        theirs = {stem(word) for word in significant_words(f"{title} {text}")}
        share = len(mine & theirs) / len(mine)
        if share >= MIN_SHARE:
            scores.append((-share, pk))
    closest = sorted(scores)[:limit]
    if not closest:
        return []
    chosen = [pk for _, pk in closest]
    found = {other.pk: other for other in with_public_status(Recommendation.objects.filter(pk__in=chosen))}
    rows = {pk: [] for pk in chosen}
    actions = Action.objects.filter(recommendation_id__in=chosen).order_by("reference")
    for row in actions.values("recommendation_id", *PUBLIC_ACTION_FIELDS):
        rows[row.pop("recommendation_id")].append(row)
    for share, pk in closest:
        found[pk].similarity = -share
        found[pk].public_actions = public_actions_of(found[pk], rows[pk])
    return [found[pk] for _, pk in closest]


def ranking_for(vendor):
    """The way of ranking a database offers: full-text on PostgreSQL, shared words elsewhere."""
    return rank_on_postgresql if vendor == "postgresql" else rank_by_shared_words


def similar_recommendations(recommendation, limit=LIMIT):
    """Up to `limit` recommendations of other councils most like `recommendation`, closest first,
    none below the threshold; each with `similarity`, the roll-up annotations of with_progress
    (`status`), `challenge.council` and `public_actions`."""
    return ranking_for(connection.vendor)(recommendation, limit)
