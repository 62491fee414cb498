"""Search across every council's record: recommendations, actions, progress updates, the progress
reviews' findings and considerations, and indicators. The one rule for what each reader may find.

**What each reader finds** is what the pages they may read show them, by the rules those pages ask:

- Recommendations, actions, findings and considerations are on public pages: everyone finds them.
- Progress updates: the published ones, and the drafts of the councils the reader belongs to
  (recommendations.publication.visible_updates, the rule of the action page). Another council's
  drafts are never found; a site administrator finds every update.
- Indicators: the public ones, and the internal ones of the reader's councils
  (reviews.indicators.readable_indicators, the rule of the indicator pages).

**How** depends on the database (`search_backend`):

- PostgreSQL: full-text search in stemmed English (`websearch` syntax: "quoted phrases", `or`,
  `-word`), ranked by `ts_rank` with a record's title weighted A and its text B, so a title match
  comes before a match in the text.
- Any other database (the SQLite file of `make run`): every word must appear somewhere in the
  record (case-insensitive); records with more of the words in their title come first, then those
  with more of them in their text.

Each kind of record gives its best `RESULT_CAP + 1` matches (one query each); they are merged,
title matches first, and at most `RESULT_CAP` are listed. Ranking reads each match's whole text, so
of a kind with more than `SCAN_CAP` matches (a common word in every progress update) only the first
`SCAN_CAP` found are ranked: the page then says there are more than it lists, and asks for more words.
On PostgreSQL, GIN expression indexes on the searched text of each kind of record
(reports/migrations/0004) find the matches without reading every record.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import add, and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection as default_connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from recommendations.models import Action, Council, ProgressUpdate, Recommendation
from recommendations.publication import visible_updates
from reviews.indicators import readable_indicators
from reviews.models import Consideration, Finding, Indicator

MAX_QUERY_LENGTH = 200
RESULT_CAP = 200
SCAN_CAP = 500  # records of one kind ranked at most: ranking reads each one's whole text
MAX_TERMS = 10  # words the fallback looks for; more would make every record's WHERE clause long
EXCERPT_CHARACTERS = 240
CONFIG = "english"
WORD = re.compile(r"\w+")


@dataclass
class Hit:
    """One record found: what it is, where it is shown (`url_name`, `url_args`, `anchor`), and the
    text the excerpt is cut from. Its link, marked title and excerpt are made when it is shown, so
    only the page's twenty are."""

    kind: str
    title: str
    url_name: str
    url_args: tuple
    council: str
    challenge: str
    body: list  # the record's searched texts other than its title, in order
    rank: float
    title_hit: bool
    marker: object
    unpublished: bool = False
    order: int = 0  # the kind's place in SOURCES: ties go to recommendations first, indicators last
    anchor: str = ""

    @property
    def url(self):
        return reverse(self.url_name, args=self.url_args) + (f"#{self.anchor}" if self.anchor else "")

    @property
    def title_html(self):
        return self.marker.mark(self.title)

    @property
    def excerpt(self):
        return self.marker.excerpt(self.body)


@dataclass(frozen=True)
class Source:
    """A kind of record the search looks in: its fields (title ones weigh most), the way from it to
    its challenge, the records a reader may find (`readable(user)`, from the pages' own rules), the
    values a hit shows (`columns`, read with the match: no model instances) and how (`describe(row)`
    -> title, URL name, URL arguments, anchor, unpublished)."""

    kind: str
    model: type
    title_fields: tuple
    body_fields: tuple
    challenge_path: str
    readable: object
    columns: tuple
    describe: object

    @property
    def fields(self):
        return self.title_fields + self.body_fields

    @property
    def council_path(self):
        return f"{self.challenge_path}__council"

    @property
    def values(self):
        """Every column a hit needs, with its challenge's, by name."""
        challenge = ("title", "on_site_from", "council__name")
        return (*self.fields, *self.columns, *(f"{self.challenge_path}__{name}" for name in challenge))


def _recommendation(row):
    return (
        f"Recommendation {row['number']}: {row['title']}",
        "recommendations:recommendation-detail",
        (row["challenge__slug"], row["number"]),
        "",
        False,
    )


def _action(row):
    return f"Action {row['reference']}", "recommendations:action-detail", (row["pk"],), "", False


def _update(row):
    return (
        f"Progress update on action {row['action__reference']}, {row['date']:%-d %B %Y}",
        "recommendations:action-detail",
        (row["action_id"],),
        "",
        not row["published"],
    )


def _finding(row):
    return (
        f"Finding of the progress review, {row['review__on_site']:%B %Y}: {row['theme__title']}",
        "reviews:review-detail",
        (row["review_id"],),
        "findings",
        False,
    )


def _consideration(row):
    return row["title"], "reviews:consideration-detail", (row["pk"],), "", False


def _indicator(row):
    return row["name"], "reviews:indicator-detail", (row["pk"],), "", False


SOURCES = (
    Source(
        "Recommendation",
        Recommendation,
        ("title",),
        ("text",),
        "challenge",
        lambda user: Recommendation.objects.all(),
        ("number", "challenge__slug"),
        _recommendation,
    ),
    Source(
        "Action",
        Action,
        ("reference",),
        ("description",),
        "recommendation__challenge",
        lambda user: Action.objects.all(),
        ("pk",),
        _action,
    ),
    Source(
        "Progress update",
        ProgressUpdate,
        (),
        ("text", "next_steps"),
        "action__recommendation__challenge",
        lambda user: visible_updates(user),
        ("date", "published", "action_id", "action__reference"),
        _update,
    ),
    Source(
        "Finding",
        Finding,
        (),
        ("text",),
        "review__challenge",
        lambda user: Finding.objects.all(),
        ("review_id", "review__on_site", "theme__title"),
        _finding,
    ),
    Source(
        "Consideration",
        Consideration,
        ("title",),
        ("text",),
        "review__challenge",
        lambda user: Consideration.objects.all(),
        ("pk",),
        _consideration,
    ),
    Source(
        "Indicator",
        Indicator,
        ("name",),
        ("description",),
        "challenge",
        lambda user: readable_indicators(user),
        ("pk",),
        _indicator,
    ),
)
KINDS = tuple(source.kind for source in SOURCES)


def searchable(user, source, council=None):
    """The records of `source` that `user` may find (of `council` only, if given)."""
    records = source.readable(user)
    if council is not None:
        records = records.filter(**{source.council_path: council})
    return records


def councils_to_search():
    """The councils the search can be narrowed to: those with a peer challenge."""
    return Council.objects.filter(peer_challenges__isnull=False).distinct().order_by("name")


# The two ways of searching -------------------------------------------------------------------------


def words_of(text):
    """The words of a search, lower case, each once, in order: at most MAX_TERMS."""
    words = []
    for word in WORD.findall(text.lower()):
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]


class FullTextSearch:
    """PostgreSQL: stemmed English full text, ranked with titles weighted A and texts B."""

    name = "PostgreSQL full-text search"
    hint = (
        "For example, governance. Every word must appear, in any form (“review” also finds “reviewed”). "
        "Put words in quotes to find them together, write OR between words to find any of them, "
        "and put a minus sign before a word to leave out what has it."
    )

    def __init__(self, connection):
        self.connection = connection

    @staticmethod
    def _query(text):
        return SearchQuery(text, search_type="websearch", config=CONFIG)

    @staticmethod
    def document(source):
        """The record's text as PostgreSQL searches it: title fields weighted A, the rest B. The
        expression indexes of reports' migration 0004 are on this same expression."""
        return reduce(
            add,
            [SearchVector(name, weight="A", config=CONFIG) for name in source.title_fields]
            + [SearchVector(name, weight="B", config=CONFIG) for name in source.body_fields],
        )

    def matching(self, records, source, text):
        """`records` (of `source`) that match `text`."""
        return records.alias(document=self.document(source)).filter(document=self._query(text))

    def ranked(self, records, source, text):
        """`records` best first, each with `rank`."""
        return records.annotate(rank=SearchRank(self.document(source), self._query(text))).order_by("-rank", "pk")

    def stems(self, text):
        """What to mark in the text found: the stems PostgreSQL searched for ("govern"), and the
        words typed that it searched for (a stem is not always the start of its word: "happi"),
        leaving out words it ignores ("the", "or") and those to leave out ("-word"). One query."""
        typed = words_of(re.sub(r"(?:^|\s)-\S+", " ", text))
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT querytree(websearch_to_tsquery(%s::regconfig, %s)), "
                "ARRAY(SELECT word FROM unnest(%s::text[]) AS word WHERE to_tsvector(%s::regconfig, word) <> ''::tsvector)",
                [CONFIG, text, typed, CONFIG],
            )
            tree, searched_words = cursor.fetchone()
        # Lexemes the search excludes (!'word') are not what was found.
        stems = re.findall(r"(?<!!)'((?:[^']|'')+)'", tree or "")
        return [stem.replace("''", "'") for stem in stems] + list(searched_words)

    def marker(self, text):
        return Marker(self.stems(text), whole_words=True)


class WordSearch:
    """Any database (SQLite for `make run`): every word somewhere in the record, case-insensitive;
    most words in the title first, then most in the text. Plain ORM, so it runs anywhere."""

    name = "word search"
    hint = "For example, governance. Every word must appear, in any order."

    def __init__(self, connection=None):
        self.connection = connection

    @staticmethod
    def _found_in(names, word):
        return reduce(or_, [Q(**{f"{name}__icontains": word}) for name in names])

    def matching(self, records, source, text):
        """`records` (of `source`) in which every word of `text` appears."""
        words = words_of(text)
        if not words:
            return records.none()
        return records.filter(reduce(and_, [self._found_in(source.fields, word) for word in words]))

    def ranked(self, records, source, text):
        """`records` with most words in the title first, then most in the text, each with `rank`."""
        words = words_of(text)
        if not words:
            return records.annotate(rank=Value(0)).none()

        def hits(names):
            if not names:
                return Value(0, output_field=IntegerField())
            return reduce(
                add, [Case(When(self._found_in(names, word), then=Value(1)), default=Value(0)) for word in words]
            )

        return (
            records.annotate(title_hits=hits(source.title_fields), body_hits=hits(source.body_fields))
            .annotate(rank=F("title_hits") * (len(words) + 1) + F("body_hits"))
            .order_by("-title_hits", "-body_hits", "pk")
        )

    def marker(self, text):
        return Marker(words_of(text), whole_words=False)


def search_backend(connection=None):
    """Full-text search on PostgreSQL, word search on any other database."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        return FullTextSearch(connection)
    return WordSearch(connection)


# Marking what was found ------------------------------------------------------------------------------


class Marker:
    """Finds the searched words in a text: on PostgreSQL any word starting with a searched stem
    ("govern" marks "governance"); in the word search any place a searched word occurs."""

    def __init__(self, stems, *, whole_words):
        stems = sorted({stem for stem in stems if stem}, key=len, reverse=True)
        if not stems:
            self.pattern = None
            return
        alternatives = "|".join(re.escape(stem) for stem in stems)
        self.pattern = re.compile(rf"\b(?:{alternatives})\w*" if whole_words else alternatives, re.IGNORECASE)

    def finds(self, text):
        return bool(self.pattern and self.pattern.search(text or ""))

    def mark(self, text):
        """`text`, escaped, with what was found in <mark>."""
        text = text or ""
        if self.pattern is None:
            return escape(text)
        parts, last = [], 0
        for match in self.pattern.finditer(text):
            parts.append(escape(text[last : match.start()]))
            parts.append(format_html("<mark>{}</mark>", match.group()))
            last = match.end()
        parts.append(escape(text[last:]))
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above

    def excerpt(self, texts, length=EXCERPT_CHARACTERS):
        """About `length` characters around the first place something was found in `texts` (else
        their beginning), marked, with "…" where it was cut."""
        texts = [" ".join((text or "").split()) for text in texts]
        texts = [text for text in texts if text]
        if not texts:
            return ""
        text = next((text for text in texts if self.finds(text)), texts[0])
        match = self.pattern.search(text) if self.pattern else None
        start = 0
        if match and match.start() > length // 3:
            start = text.rfind(" ", 0, match.start() - length // 3) + 1
        end = start + length
        if end < len(text):
            end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
        cut = text[start:end]
        before = "… " if start > 0 else ""
        after = " …" if end < len(text) else ""
        return format_html("{}{}{}", before, self.mark(cut), after)


# The search -----------------------------------------------------------------------------------------


@dataclass
class Results:
    query: str
    hits: list = field(default_factory=list)
    more: bool = False  # there were more than RESULT_CAP matches: only the best are listed

    @property
    def count(self):
        return len(self.hits)


def search(user, text, council=None, backend=None):
    """What `user` finds for `text` (of `council` only, if given): Results, at most RESULT_CAP hits,
    title matches first, then by rank. One query for each kind of record (and one for PostgreSQL's
    stems), whatever the number of records."""
    backend = backend or search_backend()
    text = text.strip()
    results = Results(query=text)
    if not text:
        return results
    marker = backend.marker(text)
    hits = []
    for order, source in enumerate(SOURCES):
        readable = searchable(user, source, council)
        # Unordered, so the database stops at SCAN_CAP matches instead of sorting them all.
        candidates = backend.matching(readable, source, text).order_by().values("pk")[:SCAN_CAP]
        records = backend.ranked(readable.filter(pk__in=candidates), source, text)
        for row in records.values(*source.values, "rank")[: RESULT_CAP + 1]:
            title, url_name, url_args, anchor, unpublished = source.describe(row)
            prefix = source.challenge_path
            hits.append(
                Hit(
                    kind=source.kind,
                    title=title,
                    url_name=url_name,
                    url_args=url_args,
                    anchor=anchor,
                    council=row[f"{prefix}__council__name"],
                    challenge=f"{row[f'{prefix}__title']}, {row[f'{prefix}__on_site_from']:%B %Y}",
                    body=[row[name] for name in source.body_fields],
                    rank=float(row["rank"]),
                    title_hit=any(marker.finds(row[name]) for name in source.title_fields),
                    marker=marker,
                    unpublished=unpublished,
                    order=order,
                )
            )
    hits.sort(key=lambda hit: (not hit.title_hit, -hit.rank, hit.order))
    results.more = len(hits) > RESULT_CAP
    results.hits = hits[:RESULT_CAP]
    return results
