"""The progress-review pack: what a council sends its peer team before the progress review, and
publishes alongside the review's report. Per recommendation: the council's response, progress to
date, plans for the future, the evidence and the indicators, "divided to show progress to-date
alongside their plans for the future" as the Stockport progress review put it.

`pack_data` gathers it once; the Word document (reports.pack_docx) and the PDF (the template
reports/pack_pdf.html) are both made from it, so they never disagree.

It is for publishing, so it holds **public content only**, whoever asks for it:

- statuses, progress to date, next steps and closing reasons from each action's newest *published*
  update (recommendations.publication), as things stand or as they stood on `as_of`;
- evidence files that are public and on a published update (recommendations.evidence's rule for the
  public, `readable_files` for an anonymous reader), and the evidence links of published updates;
- public indicators only (reviews.indicators.public_indicators), with their figures for periods
  begun by `as_of`;
- leads as committee papers name them (`public_lead_of`: names only where the challenge publishes
  them).

Unpublished updates, updates awaiting approval, private evidence files and internal indicators
never appear. A fixed number of queries, however large the plan.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urljoin

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from recommendations import schedule
from recommendations.evidence import readable_files, type_label
from recommendations.models import (
    CLOSED_STATUSES,
    DROPPED_STATUSES,
    Action,
    ProgressUpdate,
    Recommendation,
    Response,
    Status,
    rolled_up_status,
)
from recommendations.publication import evidence as evidence_of
from recommendations.publication import public_lead_of, public_updates
from reviews import indicators as indicator_rules

from .indicator_data import linked_numbers, public_indicators_of
from .selectors import actions_with_public_status

TITLE = "Progress review pack"


@dataclass
class PackAction:
    """One action of the plan as the public reads it on the pack's date."""

    reference: str
    description: str
    lead: str
    timescale: str
    due_date: datetime.date | None
    status: Status
    update_date: datetime.date | None  # of the published update the status comes from
    progress: str  # that update's progress to date
    next_steps: str
    closure_reason: str
    completion_evidence: str
    difference_made: str
    overdue: bool
    slippage: str  # "12 days late", "On time", or ""
    superseded_by: str  # the reference of the action that took its place, or ""

    @property
    def is_open(self):
        return self.status not in CLOSED_STATUSES

    @property
    def is_dropped(self):
        return self.status in DROPPED_STATUSES

    @property
    def when(self):
        """The timescale as the plan states it, with the due date: what the peers read as 'by when'."""
        parts = [self.timescale] if self.timescale else []
        if self.due_date:
            parts.append(f"due {self.due_date:%-d %B %Y}")
        return ", ".join(parts) or "No timescale set"


@dataclass
class PackEvidence:
    """A public evidence file or an evidence link of a published update."""

    name: str
    url: str
    kind: str  # "PDF", "Word document", ... or "Link"
    reference: str  # of the action whose update it is on
    date: datetime.date


@dataclass
class PackIndicator:
    name: str
    description: str
    latest: str  # "2.8% (2023/24)", or "" with no figure yet
    direction: str  # "Improving: down from ...", or ""
    standing: list  # the latest figure against its target and comparator, in words
    source: str
    source_url: str


@dataclass
class PackRecommendation:
    number: int
    title: str
    text: str
    response: Response
    response_reason: str
    response_agreed_by: str
    response_agreed_on: datetime.date | None
    status: Status
    actions: list = field(default_factory=list)
    also_answered_by: list = field(default_factory=list)  # actions of other recommendations answering it too
    evidence: list = field(default_factory=list)
    indicators: list = field(default_factory=list)

    @property
    def heading(self):
        return f"Recommendation {self.number}: {self.title}"

    @property
    def anchor(self):
        return f"recommendation-{self.number}"

    @property
    def progress(self):
        """The actions with progress to report: those with a published update."""
        return [action for action in self.actions if action.progress or action.update_date]

    @property
    def plans(self):
        """Plans for the future: the open actions (not complete, dropped or superseded)."""
        return [action for action in self.actions if action.is_open]

    @property
    def closed(self):
        return [action for action in self.actions if not action.is_open]


@dataclass
class PackTheme:
    number: int | None
    title: str
    recommendations: list

    @property
    def heading(self):
        return f"Theme {self.number}: {self.title}" if self.number is not None else self.title

    @property
    def anchor(self):
        return f"theme-{self.number}" if self.number is not None else "other-recommendations"


@dataclass
class Pack:
    council: str
    challenge: str
    slug: str
    as_of: datetime.date
    on_site_from: datetime.date
    on_site_to: datetime.date
    themes: list  # PackTheme, the recommendations under no theme last
    status_counts: list  # [(Status, recommendations, actions)]

    @property
    def title(self):
        return f"{self.council}: {self.challenge} – {TITLE}"

    @property
    def recommendations(self):
        return [recommendation for theme in self.themes for recommendation in theme.recommendations]

    def filename(self, extension):
        return f"{self.slug}-progress-review-pack-{self.as_of:%Y-%m-%d}.{extension}"


def _action(action, challenge, by_id, as_of):
    update = action.public_update
    status = action.published_status
    finished = evidence_of(update)
    successor = by_id.get(update.superseded_by_id) if update is not None and update.superseded_by_id else None
    return PackAction(
        reference=action.reference,
        description=action.description,
        lead=public_lead_of(action, challenge),
        timescale=action.timescale,
        due_date=action.due_date,
        status=status,
        update_date=update.date if update else None,
        progress=update.text if update else "",
        next_steps=update.next_steps if update and status not in CLOSED_STATUSES else "",
        closure_reason=update.closure_reason if update and status in DROPPED_STATUSES else "",
        completion_evidence=finished[0] if finished else "",
        difference_made=finished[1] if finished else "",
        overdue=schedule.is_overdue(action, public=True, today=as_of),
        slippage=_slippage(action, status, as_of),
        superseded_by=successor.reference if successor and status == Status.SUPERSEDED else "",
    )


def _slippage(action, status, as_of):
    days = schedule.days_late(action, public=True, today=as_of)
    if days is None or (days == 0 and status != Status.COMPLETE):
        return ""
    return schedule.slippage_words(days)


def _evidence(challenge, as_of, site_url):
    """{recommendation id: [PackEvidence]}: the public files of published updates, and the evidence
    links of published updates, dated by `as_of`, oldest first. Two queries."""
    found = {}
    files = (
        readable_files(AnonymousUser())
        .filter(update__action__recommendation__challenge=challenge, update__date__lte=as_of)
        .select_related("update__action")
        .order_by("update__date", "uploaded_at", "pk")
    )
    for file in files:
        action = file.update.action
        found.setdefault(action.recommendation_id, []).append(
            PackEvidence(
                name=file.name,
                url=urljoin(site_url, file.get_absolute_url()),
                kind=type_label(file.content_type),
                reference=action.reference,
                date=file.update.date,
            )
        )
    links = (
        public_updates(ProgressUpdate.objects.filter(action__recommendation__challenge=challenge, date__lte=as_of))
        .exclude(evidence_url="")
        .select_related("action")
        .order_by("date", "created_at", "pk")
    )
    seen = set()
    for update in links:
        key = (update.action.recommendation_id, update.evidence_url)
        if key in seen:
            continue
        seen.add(key)
        found.setdefault(update.action.recommendation_id, []).append(
            PackEvidence(
                name=update.evidence_url,
                url=update.evidence_url,
                kind="Link",
                reference=update.action.reference,
                date=update.date,
            )
        )
    for items in found.values():
        items.sort(key=lambda item: item.date)
    return found


def _indicators(challenge, as_of):
    """{recommendation number: [PackIndicator]}: the challenge's public indicators linked to each
    recommendation, with figures for periods begun by `as_of`. Three queries."""
    indicators = public_indicators_of(challenge, as_of)
    numbers, _themes = linked_numbers(indicators)
    by_number = {}
    for indicator in indicators:
        standing = indicator_rules.standing(indicator, indicator.figures)
        latest = standing.latest
        words = [comparison.words for comparison in (standing.target, standing.comparator) if comparison]
        if latest is not None and latest.comparator:
            words.append(latest.comparator[:1].upper() + latest.comparator[1:])
        entry = PackIndicator(
            name=indicator.name,
            description=indicator.description,
            latest=f"{latest.figure} ({latest.period})" if latest is not None else "",
            direction=standing.direction.sentence if standing.direction else "",
            standing=words,
            source=indicator.source,
            source_url=indicator.source_url,
        )
        for number in numbers.get(indicator.pk, []):
            by_number.setdefault(number, []).append(entry)
    return by_number


def _also_answered_by(challenge, entries):
    """{recommendation id: [PackAction]}: actions of other recommendations that also answer it. One query."""
    links = Action.also_answers.through.objects.filter(recommendation__challenge=challenge).values_list(
        "recommendation_id", "action_id"
    )
    found = {}
    for recommendation_id, action_id in links:
        if action_id in entries:
            found.setdefault(recommendation_id, []).append(entries[action_id])
    return found


def pack_data(challenge, as_of=None, *, site_url=""):
    """The pack of `challenge` as the plan stands (or stood on `as_of`, a date): a Pack. Public
    content only (see the module's docstring). `site_url` makes the evidence links absolute.
    A fixed number of queries, however many recommendations, actions, files and indicators."""
    as_of = as_of or timezone.localdate()
    actions = actions_with_public_status(challenge, as_of=as_of)
    for action in actions:  # schedule's public rules read the status as it stood on `as_of`
        action.public_status = action.published_status.value
    actions.sort(key=schedule.plan_order)
    by_id = {action.pk: action for action in actions}
    entries = {action.pk: _action(action, challenge, by_id, as_of) for action in actions}
    own = {}
    for action in actions:
        own.setdefault(action.recommendation_id, []).append(entries[action.pk])
    evidence = _evidence(challenge, as_of, site_url)
    indicators = _indicators(challenge, as_of)
    also = _also_answered_by(challenge, entries)

    themes = {theme.pk: PackTheme(theme.number, theme.title, []) for theme in challenge.themes.order_by("number")}
    unthemed = PackTheme(None, "Recommendations not under a theme", [])
    for recommendation in Recommendation.objects.filter(challenge=challenge).order_by("number"):
        its_actions = own.get(recommendation.pk, [])
        entry = PackRecommendation(
            number=recommendation.number,
            title=recommendation.title,
            text=recommendation.text,
            response=Response(recommendation.response),
            response_reason=recommendation.response_reason,
            response_agreed_by=recommendation.response_agreed_by,
            response_agreed_on=recommendation.response_agreed_on,
            status=rolled_up_status(action.status for action in its_actions),
            actions=its_actions,
            also_answered_by=also.get(recommendation.pk, []),
            evidence=evidence.get(recommendation.pk, []),
            indicators=indicators.get(recommendation.number, []),
        )
        themes.get(recommendation.theme_id, unthemed).recommendations.append(entry)
    listed = [theme for theme in themes.values() if theme.recommendations]
    if unthemed.recommendations:
        listed.append(unthemed)

    recommendation_statuses = [r.status for theme in listed for r in theme.recommendations]
    action_statuses = [entry.status for entry in entries.values()]
    counts = [
        (status, recommendation_statuses.count(status), action_statuses.count(status))
        for status in Status
        if status in recommendation_statuses or status in action_statuses
    ]
    return Pack(
        council=challenge.council.name,
        challenge=challenge.title,
        slug=challenge.slug,
        as_of=as_of,
        on_site_from=challenge.on_site_from,
        on_site_to=challenge.on_site_to,
        themes=listed,
        status_counts=counts,
    )
