"""The benchmark data set: many councils' peer challenges, each with a full action plan and review.

Sizes per big challenge: 3 themes, 11 recommendations, 10 actions per recommendation, 20 progress
updates per action, and a progress review with 7 peer team members, findings, 3 considerations
(2 actions carry each forward), and 8 indicators (half of them internal, 4 quoted by the review,
each linked to a recommendation and a theme) with 20 quarters of figures each. With 50 challenges
that is 5,500 actions, 110,000 progress updates (plus their django-simple-history rows), 400
indicators and 8,000 indicator values.

For the LGA overview and the CPC clock: each big council has a type and a region (in turn), each
challenge its milestones' dates (some met, some missed, some known only to the month, some not
recorded), and theme titles are shared between councils (THEME_TITLES), some spelt differently.

One small challenge (`bench-small`: 1 theme, 1 recommendation, 1 action, 1 update, a review with one
of each part, a public and an internal indicator with one figure each) sits beside them, so that benchmarks.pages can check a page runs the same number of
queries for a tiny object as for a big one.

Users: one officer per challenge leading all its actions (`officer-<challenge slug>`), a coordinator
(`bench-coordinator`) and a scrutiny committee member (`bench-scrutiny`). None can sign in with a
password (unusable passwords): the benchmark signs them in with `Client.force_login`.

Rows are made by the test factories' build()/build_batch() and saved with bulk_create in batches
(history rows too, with simple_history's bulk_create_with_history): saving 220,000 rows one INSERT
at a time would take many minutes; this takes about a minute.
"""

import datetime
import json
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from benchmarks import MARKER_TABLE
from recommendations.models import (
    DROPPED_STATUSES,
    Action,
    Approval,
    Council,
    CouncilKind,
    DatePrecision,
    EmailState,
    Membership,
    Notification,
    NotificationKind,
    PeerChallenge,
    ProgressUpdate,
    Recommendation,
    Region,
    Response,
    Status,
    Theme,
    UpdateRound,
)
from recommendations.publication import refresh_actions
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
from reviews.models import (
    Consideration,
    Finding,
    Indicator,
    IndicatorValue,
    PeerTeamMember,
    Polarity,
    ProgressReview,
)
from reviews.tests.factories import (
    ConsiderationFactory,
    FindingFactory,
    IndicatorFactory,
    PeerTeamMemberFactory,
    ProgressReviewFactory,
    review_period,
)

# Raise when the shape of the data set changes, so `--reuse` rebuilds an old one.
DATASET_VERSION = 12
DEFAULT_CHALLENGES = 50
BATCH_SIZE = 2000
CHUNK = 5  # challenges built and saved together, to keep memory small
SEED = 2026

BIG_SLUG = "bench-{:03d}"
SMALL_SLUG = "bench-small"
COORDINATOR_USERNAME = "bench-coordinator"
SCRUTINY_USERNAME = "bench-scrutiny"


def officer_username(challenge_slug):
    return f"officer-{challenge_slug}"


@dataclass
class Shape:
    """How big one challenge's action plan and review are."""

    themes: int = 3
    recommendations: int = 11
    actions: int = 10
    updates: int = 20
    members: int = 7
    findings_per_theme: int = 3
    considerations: int = 3
    linked_actions_per_consideration: int = 2
    indicators: int = 8
    indicator_periods: int = 20  # quarters of figures per indicator
    quoted_indicators: int = 4  # of them, quoted by the progress review (a figure at its date)


BIG = Shape()
SMALL = Shape(
    themes=1,
    recommendations=1,
    actions=1,
    updates=1,
    members=1,
    findings_per_theme=1,
    considerations=1,
    linked_actions_per_consideration=1,
    indicators=2,  # a public one, quoted by the review, and an internal one
    indicator_periods=1,
    quoted_indicators=1,
)

# Action statuses, weighted roughly as a real plan two years in.
STATUS_MIX = (
    [Status.ON_TRACK] * 8
    + [Status.COMPLETE] * 4
    + [Status.AT_RISK] * 3
    + [Status.OFF_TRACK] * 2
    + [Status.NOT_STARTED] * 3
    + [Status.NOT_TAKEN_FORWARD, Status.SUPERSEDED]
)
OPEN_STATUSES = [Status.ON_TRACK, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK]

# Theme titles, shared between councils so the LGA overview has themes to compare (each challenge takes
# three, in turn); every seventh council writes them in lower case with extra spaces, as free text may.
THEME_TITLES = [
    "Local priorities and outcomes",
    "Organisational and place leadership",
    "Governance and culture",
    "Financial planning and management",
    "Capacity for improvement",
]
KINDS = [kind for kind, _label in CouncilKind.choices]
REGIONS = [region for region, _label in Region.choices]


def params(challenges):
    """What --reuse compares with the stored data set."""
    return {"version": DATASET_VERSION, "challenges": challenges, "big": BIG.__dict__, "small": SMALL.__dict__}


@dataclass
class Spec:
    slug: str
    council: str
    shape: Shape
    officer: object
    index: int


def _at(date, hour=10):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


def _quarter(challenge, n):
    """The first day of the indicators' quarter `n` (0: the quarter the challenge's month starts)."""
    month = challenge.on_site_from.month - 1 + 3 * n
    return datetime.date(challenge.on_site_from.year + month // 12, month % 12 + 1, 1)


def _quoted_period(shape):
    return min(4, shape.indicator_periods - 1)


def _indicators(specs, challenges, themes, recommendations, reviews, rng):
    """Each challenge's indicators, half public and half internal, each linked to one recommendation
    and one theme and owned by the challenge's officer, with a figure (and target and comparator) for
    every quarter; the first `quoted_indicators` are quoted by the review, their figure at its date
    named as the review's."""
    indicators, links = [], []
    for spec, challenge in zip(specs, challenges):
        shape, review = spec.shape, reviews[spec.slug]
        for n in range(shape.indicators):
            indicator = IndicatorFactory.build(
                challenge=challenge,
                review=review if n < shape.quoted_indicators else None,
                order=n + 1,
                name=f"Indicator {n + 1} of {challenge.council.name}",
                polarity=[Polarity.HIGHER, Polarity.LOWER, Polarity.NOT_STATED][n % 3],
                public=n % 2 == 0,
                owner=spec.officer,
            )
            indicators.append(indicator)
            links.append(
                (
                    indicator,
                    recommendations[spec.slug][n % len(recommendations[spec.slug])],
                    themes[spec.slug][n % len(themes[spec.slug])],
                )
            )
    Indicator.objects.bulk_create(indicators, batch_size=BATCH_SIZE)
    Indicator.recommendations.through.objects.bulk_create(
        [Indicator.recommendations.through(indicator=i, recommendation=r) for i, r, _ in links], batch_size=BATCH_SIZE
    )
    Indicator.themes.through.objects.bulk_create(
        [Indicator.themes.through(indicator=i, theme=t) for i, _, t in links], batch_size=BATCH_SIZE
    )
    values = []
    by_challenge = {challenge.pk: spec.shape for spec, challenge in zip(specs, challenges)}
    for indicator in indicators:
        shape = by_challenge[indicator.challenge_id]
        level = rng.uniform(20, 90)
        for q in range(shape.indicator_periods):
            start = _quarter(indicator.challenge, q)
            quoted = indicator.review is not None and start == indicator.review.on_site
            level += rng.uniform(-3, 3)
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    period_start=start,
                    period=review_period(indicator.review) if quoted else f"Quarter from {start:%B %Y}",
                    value=None if rng.random() < 0.05 else Decimal(f"{level:.1f}"),
                    target=Decimal(f"{level + rng.uniform(-5, 5):.1f}"),
                    comparator_value=Decimal(f"{rng.uniform(20, 90):.1f}") if q % 2 == 0 else None,
                    comparator_label="National average" if q % 2 == 0 else "",
                    comparator="Above the average of similar councils" if quoted else "",
                    note="Provisional" if rng.random() < 0.1 else "",
                )
            )
    IndicatorValue.objects.bulk_create(values, batch_size=BATCH_SIZE)


def theme_title(spec, n):
    """The title of theme `n` (from 1) of the challenge of `spec`."""
    title = THEME_TITLES[(spec.index + n - 1) % len(THEME_TITLES)]
    return f"  {title.lower().replace(' and ', '  and ')} " if spec.index % 7 == 6 else title


def _milestones(spec, challenge, rng):
    """The dates of the LGA's milestones (recommendations.clock) as a coordinator would enter them:
    the feedback report and the action plan published 2 to 4 months after the challenge (every
    fourth council's known only to the month), the progress review's report 1 to 3 months after the
    review (set in _build_chunk) for two councils in three; the rest not recorded."""
    report = challenge.on_site_to + datetime.timedelta(days=rng.randint(60, 120))
    plan = report + datetime.timedelta(days=rng.choice([0, 0, 30, 75]))
    month_only = spec.index % 4 == 2
    for key, day in (("report_published", report), ("plan_published", plan)):
        setattr(challenge, f"{key}_on", day.replace(day=1) if month_only else day)
        setattr(challenge, f"{key}_precision", DatePrecision.MONTH if month_only else DatePrecision.DAY)


def _users(challenge_slugs):
    """The coordinator, the scrutiny member and one officer per challenge, by username."""
    User = get_user_model()
    # password=None: an unusable password, and no slow hashing for each user.
    users = [
        UserFactory.build(username=COORDINATOR_USERNAME, first_name="Cora", last_name="Coordinator", password=None),
        UserFactory.build(username=SCRUTINY_USERNAME, first_name="Sam", last_name="Scrutiny", password=None),
    ]
    users += [UserFactory.build(username=officer_username(slug), password=None) for slug in challenge_slugs]
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    return {user.username: user for user in users}


def _memberships(specs, councils, users):
    """Each challenge's officer is an officer of its council; the coordinator and the scrutiny member
    hold their role at every council (a county-wide policy team, say), so they see every page."""
    memberships = []
    for spec, council in zip(specs, councils):
        memberships += [
            Membership(user=spec.officer, council=council, role=OFFICER),
            Membership(user=users[COORDINATOR_USERNAME], council=council, role=COORDINATOR),
            Membership(user=users[SCRUTINY_USERNAME], council=council, role=SCRUTINY_MEMBER),
        ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)


def _build_chunk(specs, rng, today, users):
    """Build and save the challenges in `specs`, parent rows before children, one bulk_create per model."""
    coordinator = users[COORDINATOR_USERNAME]
    # Each big council of a type and a region, in turn; the small one has neither recorded.
    councils = [
        CouncilFactory.build(
            name=spec.council,
            slug=spec.slug.replace("bench", "bench-council", 1),
            kind=KINDS[spec.index % len(KINDS)] if spec.shape is BIG else "",
            region=REGIONS[spec.index % len(REGIONS)] if spec.shape is BIG else "",
        )
        for spec in specs
    ]
    Council.objects.bulk_create(councils, batch_size=BATCH_SIZE)
    _memberships(specs, councils, users)

    challenges = []
    for spec, council in zip(specs, councils):
        on_site_from = datetime.date(2021, 1, 11) + datetime.timedelta(days=rng.randint(0, 3 * 365))
        challenge = PeerChallengeFactory.build(
            council=council,
            slug=spec.slug,
            title="Corporate Peer Challenge",
            on_site_from=on_site_from,
            on_site_to=on_site_from + datetime.timedelta(days=3),
            summary=f"The peer team spent four days at {council.name}.",
            action_plan_published=f"{on_site_from + datetime.timedelta(days=90):%B %Y}",
            updates_need_approval=spec.index % 3 == 1,
        )
        _milestones(spec, challenge, rng)
        challenges.append(challenge)
    PeerChallenge.objects.bulk_create(challenges, batch_size=BATCH_SIZE)

    themes = {}  # challenge slug -> [theme]
    for spec, challenge in zip(specs, challenges):
        themes[spec.slug] = [
            ThemeFactory.build(challenge=challenge, number=n, title=theme_title(spec, n))
            for n in range(1, spec.shape.themes + 1)
        ]
    Theme.objects.bulk_create([t for ts in themes.values() for t in ts], batch_size=BATCH_SIZE)

    recommendations = {}  # challenge slug -> [recommendation]
    for spec, challenge in zip(specs, challenges):
        shape = spec.shape
        recommendations[spec.slug] = [
            RecommendationFactory.build(
                challenge=challenge,
                theme=themes[spec.slug][(n - 1) * shape.themes // shape.recommendations],
                number=n,
                # The council's response: most accepted by Cabinet, one in four only in part.
                response=Response.PARTLY_ACCEPTED if n % 4 == 0 else Response.ACCEPTED,
                response_reason="Part of this is already covered by another programme" if n % 4 == 0 else "",
                response_agreed_by="Cabinet",
                response_agreed_on=challenge.on_site_to + datetime.timedelta(days=100),
            )
            for n in range(1, shape.recommendations + 1)
        ]
    Recommendation.objects.bulk_create([r for rs in recommendations.values() for r in rs], batch_size=BATCH_SIZE)

    reviews = {}
    for spec, challenge in zip(specs, challenges):
        # The review falls on the first day of one of the indicators' quarters, about a year in,
        # so the figures it quoted are that quarter's (see _indicators).
        on_site = _quarter(challenge, _quoted_period(spec.shape))
        reviews[spec.slug] = ProgressReviewFactory.build(
            challenge=challenge,
            on_site=on_site,
            letter_date=on_site + datetime.timedelta(days=30),
            scope="The peer team revisited the council to see what progress it has made.",
            contact="The LGA's principal adviser for the region.",
        )
    ProgressReview.objects.bulk_create(list(reviews.values()), batch_size=BATCH_SIZE)
    # The progress review's report, for two councils in three (the clock's last milestone).
    published = []
    for spec, challenge in zip(specs, challenges):
        if spec.index % 3 != 0:
            challenge.review_report_published_on = reviews[spec.slug].on_site + datetime.timedelta(
                days=rng.randint(30, 90)
            )
            published.append(challenge)
    PeerChallenge.objects.bulk_update(published, ["review_report_published_on"], batch_size=BATCH_SIZE)

    members, findings, considerations = [], [], {}
    for spec in specs:
        review, shape = reviews[spec.slug], spec.shape
        for order, member in enumerate(PeerTeamMemberFactory.build_batch(shape.members, review=review), start=1):
            member.order = order
            members.append(member)
        order = 0
        for theme in themes[spec.slug]:
            in_theme = [r for r in recommendations[spec.slug] if r.theme is theme]
            for recommendation in in_theme[: shape.findings_per_theme]:
                order += 1
                findings.append(
                    FindingFactory.build(review=review, theme=theme, recommendation=recommendation, order=order)
                )
        considerations[spec.slug] = ConsiderationFactory.build_batch(shape.considerations, review=review)
        for order, consideration in enumerate(considerations[spec.slug], start=1):
            consideration.order = order
            consideration.title = f"Consideration {order} for {review.challenge.council.name}"
    PeerTeamMember.objects.bulk_create(members, batch_size=BATCH_SIZE)
    Finding.objects.bulk_create(findings, batch_size=BATCH_SIZE)
    Consideration.objects.bulk_create([c for cs in considerations.values() for c in cs], batch_size=BATCH_SIZE)
    _indicators(specs, challenges, themes, recommendations, reviews, rng)

    actions = []
    for spec, challenge in zip(specs, challenges):
        shape = spec.shape
        # Consideration j is carried forward by the first actions of recommendations j+1, j+2, ...
        linked = {}
        for j, consideration in enumerate(considerations[spec.slug]):
            for k in range(shape.linked_actions_per_consideration):
                linked[(j + 1 + k, 1)] = consideration
        for recommendation in recommendations[spec.slug]:
            for a in range(1, shape.actions + 1):
                status = rng.choice(STATUS_MIX)
                # Due dates from ~14 months ago to ~2 years ahead: open ones in the past are overdue.
                due = today + datetime.timedelta(days=rng.randint(-420, 730))
                action = ActionFactory.build(
                    recommendation=recommendation,
                    reference=f"{recommendation.number}.{a}",
                    lead_officer=spec.officer,
                    lead_role=rng.choice(["Chief Executive", "Director of Resources", "Head of Policy", ""]),
                    timescale=f"{due:%B %Y}",
                    starts_on=min(challenge.on_site_to + datetime.timedelta(days=rng.randint(30, 200)), due),
                    due_date=due,
                    status=status,
                    consideration=linked.get((recommendation.number, a)),
                    # Every progress update raises the version (services.record_progress_update).
                    version=shape.updates + 1,
                )
                actions.append(action)
    # The actions' history is written below, one record per change, as the app would have.
    Action.objects.bulk_create(actions, batch_size=BATCH_SIZE)
    _links(actions)

    updates = []
    by_pk = {challenge.pk: (spec.shape, challenge) for spec, challenge in zip(specs, challenges)}
    for n, action in enumerate(actions):
        shape, challenge = by_pk[action.recommendation.challenge_id]
        batch = ProgressUpdateFactory.build_batch(shape.updates, action=action)
        first = today - datetime.timedelta(days=30 * shape.updates)
        for i, update in enumerate(batch):
            last = i == len(batch) - 1
            update.date = first + datetime.timedelta(days=30 * i + rng.randint(0, 20))
            update.status = action.status if last else rng.choice(OPEN_STATUSES)
            update.percent_complete = 100 if update.status == Status.COMPLETE else min(99, 5 * (i + 1))
            update.next_steps = "Report progress to the next scrutiny committee and agree the next milestone"
            if update.status == Status.COMPLETE:
                update.completion_evidence = "Report to Cabinet on the completed action"
                update.difference_made = "Residents can see the change in the council's published plan"
            if update.status in DROPPED_STATUSES:
                update.closure_reason = "Cabinet agreed the work is better done through another action"
            if update.status == Status.SUPERSEDED:
                update.superseded_by = action.replacement
            # Some unpublished: now and then, and the newest of every fourth action. Where the
            # challenge needs a coordinator's approval, those newest ones await it (some were returned).
            # (The small challenge's one update is published, so its pages show what big ones do.)
            update.published = shape is SMALL or not ((last and n % 4 == 3) or rng.random() < 0.08)
            if update.published:
                update.approval = Approval.APPROVED if challenge.updates_need_approval else Approval.NOT_NEEDED
            elif last and challenge.updates_need_approval:
                update.approval = Approval.RETURNED if n % 40 == 3 else Approval.AWAITING
            else:
                update.approval = Approval.NOT_FOR_PUBLICATION
            if rng.random() < 0.75:
                update.author = action.lead_officer
                update._history_user = action.lead_officer
            else:
                update.source = "Quarterly action plan report to Cabinet"
            if rng.random() < 0.3:
                update.evidence_url = f"https://democracy.example.org/report/{action.pk}-{i}"
            if update.approval == Approval.RETURNED:
                update.return_reason = "Please add a link to the Cabinet report."
            if update.approval in (Approval.APPROVED, Approval.RETURNED):
                update.reviewed_by = coordinator
                update.reviewed_at = _at(update.date, hour=16)
            update._history_date = _at(update.date)
            updates.append(update)
    bulk_create_with_history(updates, ProgressUpdate, batch_size=BATCH_SIZE)
    # bulk_create sends no signals: set each action's working and published statuses by the app's rule.
    refresh_actions(actions)
    _action_history(actions, updates, by_pk)
    return len(updates)


def _links(actions):
    """Each action after the first of its recommendation depends on the one before it; the first
    also answers the next recommendation; a superseded action is replaced by a sibling."""
    by_recommendation = {}
    for action in actions:
        by_recommendation.setdefault(action.recommendation_id, []).append(action)
    recommendations = {action.recommendation_id: action.recommendation for action in actions}
    next_recommendation = {}
    for recommendation in recommendations.values():
        next_recommendation[(recommendation.challenge_id, recommendation.number)] = recommendation
    depends, answers = [], []
    for siblings in by_recommendation.values():
        for before, after in zip(siblings, siblings[1:]):
            depends.append(Action.depends_on.through(from_action_id=after.pk, to_action_id=before.pk))
        first = siblings[0]
        nxt = next_recommendation.get((first.recommendation.challenge_id, first.recommendation.number + 1))
        if nxt is not None:
            answers.append(Action.also_answers.through(action_id=first.pk, recommendation_id=nxt.pk))
        for index, action in enumerate(siblings):
            action.replacement = siblings[(index + 1) % len(siblings)] if len(siblings) > 1 else None
            if action.status == Status.SUPERSEDED and action.replacement is None:
                action.status = Status.NOT_TAKEN_FORWARD
    Action.depends_on.through.objects.bulk_create(depends, batch_size=BATCH_SIZE)
    Action.also_answers.through.objects.bulk_create(answers, batch_size=BATCH_SIZE)


def _action_history(actions, updates, by_pk):
    """The history the app would have written: the action added (version 1, not started), then one
    change per progress update (services.record_progress_update saves the action's status and a new
    version each time). Every tenth action was added with no lead officer and assigned with its
    first update, so officers' pages have reassignments to show."""
    History = Action.history.model
    fields = [f.attname for f in History.tracked_fields]
    by_action = {}
    for update in updates:
        by_action.setdefault(update.action_id, []).append(update)

    def record(action, **changes):
        return SimpleNamespace(**{name: getattr(action, name) for name in fields} | changes)

    added, changed = [], []
    for n, action in enumerate(actions):
        challenge = by_pk[action.recommendation.challenge_id][1]
        assigned_later = n % 10 == 0
        added.append(
            record(
                action,
                status=Status.NOT_STARTED,
                version=1,
                lead_officer_id=None if assigned_later else action.lead_officer_id,
                _history_date=_at(challenge.on_site_to + datetime.timedelta(days=60)),
                _history_user=None,
            )
        )
        for i, update in enumerate(by_action.get(action.pk, []), start=2):
            changed.append(
                record(
                    action,
                    status=update.status,
                    version=i,
                    _history_date=_at(update.date, hour=11),
                    _history_user=getattr(update, "_history_user", None),
                )
            )
    Action.history.bulk_history_create(added, batch_size=BATCH_SIZE)
    Action.history.bulk_history_create(changed, batch_size=BATCH_SIZE, update=True)


def build(challenges=DEFAULT_CHALLENGES, log=print):
    """Fill an empty, migrated database with the data set; ANALYZE it; record its parameters."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    today = timezone.localdate()
    slugs = [BIG_SLUG.format(i) for i in range(1, challenges + 1)]
    with transaction.atomic():
        users = _users([*slugs, SMALL_SLUG])
        specs = [
            Spec(slug, f"Bench Borough Council {i:03d}", BIG, users[officer_username(slug)], i)
            for i, slug in enumerate(slugs, start=1)
        ]
        specs.append(Spec(SMALL_SLUG, "Small Test Council", SMALL, users[officer_username(SMALL_SLUG)], 0))
        done = 0
        for start in range(0, len(specs), CHUNK):
            chunk = specs[start : start + CHUNK]
            done += _build_chunk(chunk, rng, today, users)
            log(
                f"  {start + len(chunk)}/{len(specs)} challenges, {done:,} progress updates "
                f"({time.perf_counter() - started:.0f} s)"
            )
        rounds, notifications = _update_rounds(users[COORDINATOR_USERNAME], today)
        log(f"  {rounds} update rounds, {notifications} notifications ({time.perf_counter() - started:.0f} s)")
        if apps.is_installed("reports"):
            reports = _committee_reports(users[COORDINATOR_USERNAME], today)
            log(f"  {reports} committee reports ({time.perf_counter() - started:.0f} s)")
        _write_marker(params(challenges))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"Data set built and analysed in {time.perf_counter() - started:.0f} s")


def _update_rounds(coordinator, today):
    """Per challenge, a closed round (opened 120 days ago, closed 90 days ago) and an open one (opened
    20 days ago, due in 10 days) covering every open action; and a page of notifications for each
    officer and for the coordinator (who has one per challenge's update awaiting approval)."""
    now = timezone.now()
    rounds, notifications = 0, []
    Through = UpdateRound.actions.through
    for challenge in PeerChallenge.objects.filter(slug__startswith="bench-").order_by("pk"):
        open_actions = list(
            Action.objects.filter(recommendation__challenge=challenge).open().values_list("pk", flat=True)
        )
        for opened_days_ago, closed_days_ago, title in ((120, 90, "Quarter 1"), (20, None, "Quarter 2")):
            update_round = UpdateRound.objects.create(
                challenge=challenge,
                title=f"{title} – for scrutiny",
                deadline=today - datetime.timedelta(days=opened_days_ago - 30),
                opened_at=now - datetime.timedelta(days=opened_days_ago),
                opened_by=coordinator,
                closed_at=now - datetime.timedelta(days=closed_days_ago) if closed_days_ago else None,
                closed_by=coordinator if closed_days_ago else None,
            )
            Through.objects.bulk_create(
                [Through(updateround_id=update_round.pk, action_id=pk) for pk in open_actions], batch_size=BATCH_SIZE
            )
            rounds += 1
    officers = get_user_model().objects.filter(username__startswith="officer-bench-")
    for recipient in [coordinator, *officers]:
        for n in range(30):
            notifications.append(
                Notification(
                    recipient=recipient,
                    kind=NotificationKind.ROUND_OPENED,
                    key=f"bench:{recipient.pk}:{n}",
                    subject=f"Benchmark notification {n}",
                    body="Please update your actions.",
                    url="/my-actions/",
                    created_at=now - datetime.timedelta(hours=n),
                    read_at=None if n < 5 else now,
                    email=EmailState.SENT,
                )
            )
    Notification.objects.bulk_create(notifications, batch_size=BATCH_SIZE)
    return rounds, len(notifications)


def _committee_reports(coordinator, today):
    """Per challenge, two issued committee reports (quarterly, the second compared with the first)
    and a draft for the next meeting, made by the app's own services so the snapshots are real."""
    from reports.services import create_report, issue_report

    made = 0
    for challenge in PeerChallenge.objects.filter(slug__startswith="bench-").select_related("council").order_by("pk"):
        for days_ago, issue in ((190, True), (100, True), (10, False)):
            cut_off = today - datetime.timedelta(days=days_ago)
            report = create_report(
                challenge=challenge,
                created_by=coordinator,
                committee="Corporate Scrutiny Committee",
                meeting_date=cut_off + datetime.timedelta(days=21),
                cut_off=cut_off,
            )
            if issue:
                issue_report(report=report, issued_by=coordinator)
            made += 1
    return made


def _write_marker(values):
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (params jsonb NOT NULL, built_at timestamptz NOT NULL DEFAULT now())"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} (params) VALUES (%s)", [json.dumps(values)])


def stored_params():
    """The parameters of the data set in this database, or None if it holds none (or an unfinished one)."""
    if MARKER_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT params FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    if row is None:
        return None
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


@dataclass
class DataSet:
    """The built data set, as the benchmark needs it: objects to request pages for, and who asks."""

    challenges: list  # the big challenges, in slug order
    small: PeerChallenge
    coordinator: object
    scrutiny: object
    officers: dict = field(default_factory=dict)  # challenge pk -> its officer

    def spread(self, k):
        """k big challenges spread across the set, so samples don't all hit one corner of the tables."""
        k = min(k, len(self.challenges))
        step = len(self.challenges) / k
        return [self.challenges[int(i * step)] for i in range(k)]


def load():
    User = get_user_model()
    challenges = list(PeerChallenge.objects.filter(slug__startswith="bench-").exclude(slug=SMALL_SLUG).order_by("slug"))
    small = PeerChallenge.objects.get(slug=SMALL_SLUG)
    users = {
        user.username: user for user in User.objects.filter(username__in=[COORDINATOR_USERNAME, SCRUTINY_USERNAME])
    }
    officers = {user.username: user for user in User.objects.filter(username__startswith="officer-bench-")}
    return DataSet(
        challenges=challenges,
        small=small,
        coordinator=users[COORDINATOR_USERNAME],
        scrutiny=users[SCRUTINY_USERNAME],
        officers={c.pk: officers[officer_username(c.slug)] for c in [*challenges, small]},
    )


def row_counts():
    """(what, how many) for the report."""
    User = get_user_model()
    counts = [
        ("Councils", Council.objects.count()),
        ("Peer challenges", PeerChallenge.objects.count()),
        ("Themes", Theme.objects.count()),
        ("Recommendations", Recommendation.objects.count()),
        ("Actions", Action.objects.count()),
        ("Overdue actions", Action.objects.overdue().count()),
        ("Progress updates", ProgressUpdate.objects.count()),
        ("of which unpublished", ProgressUpdate.objects.filter(published=False).count()),
        ("of which awaiting approval", ProgressUpdate.objects.filter(approval=Approval.AWAITING).count()),
        ("Action history rows", Action.history.count()),
        ("Progress update history rows", ProgressUpdate.history.count()),
        ("Progress reviews", ProgressReview.objects.count()),
        ("Peer team members", PeerTeamMember.objects.count()),
        ("Findings", Finding.objects.count()),
        ("Considerations", Consideration.objects.count()),
        ("Actions carrying a consideration forward", Action.objects.filter(consideration__isnull=False).count()),
        ("Indicators", Indicator.objects.count()),
        ("Indicator values", IndicatorValue.objects.count()),
        ("Users", User.objects.count()),
    ]
    if apps.is_installed("reports"):
        from reports.models import CommitteeReport

        counts.append(("Committee reports (issued)", CommitteeReport.objects.issued().count()))
        counts.append(("Committee reports (draft)", CommitteeReport.objects.drafts().count()))
    return counts
