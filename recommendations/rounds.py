"""Update rounds: how a council collects progress before a committee. The rules, in one place.

- A coordinator **opens** a round for a challenge with a title, a deadline, an optional grace period
  and the actions it covers (by default every action that is not complete). A challenge has at
  most one open round.
- Each **lead** of an action in the round (its lead officer, while they may write its updates) is
  sent **one** notification listing all their actions in the round, with a link to the page where
  they update them. Actions without a lead officer are shown to the coordinator as unassigned.
- An action is **updated for the round** when a progress update on it was written while the round
  was open (from its opening until it closed, or until now) and was not returned to its author.
  An update awaiting approval counts: the lead has replied. It is **late** when it was written
  after the round's last day (the deadline plus the grace period).
- A coordinator may **remind** the leads who still have actions outstanding, while the round is
  open: one reminder a day per lead at most (the database refuses a second), each logged.
- **Closing** a round fixes its figures: updates written later do not count. A committee report
  can be made from a closed round, its cut-off the day the round closed.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, DateTimeField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import (
    LEAD_ROLES,
    ONE_OPEN_ROUND,
    Action,
    Approval,
    Membership,
    NotificationKind,
    ProgressUpdate,
    RoundReminder,
    UpdateRound,
    display_name,
)
from .notifications import notify
from .services import StaleActionError, record_progress_update

UNASSIGNED = "No lead officer"


def counting_updates(update_round, *, now=None):
    """The progress updates that count for a round (any of its actions)."""
    end = update_round.closed_at or now or timezone.now()
    return ProgressUpdate.objects.filter(created_at__gte=update_round.opened_at, created_at__lte=end).exclude(
        approval=Approval.RETURNED
    )


def with_round_update(actions, update_round, *, now=None):
    """Annotate `actions` with `updated_for_round` (a bool) for `update_round`."""
    return actions.annotate(
        updated_for_round=Exists(counting_updates(update_round, now=now).filter(action=OuterRef("pk")))
    )


def round_leads(actions, council_id):
    """Actions whose lead officer is active and may write their updates: the ones we ask."""
    may_lead = Membership.objects.filter(user=OuterRef("lead_officer"), council_id=council_id, role__in=LEAD_ROLES)
    return actions.filter(lead_officer__is_active=True).filter(Exists(may_lead))


def default_actions(challenge):
    return Action.objects.filter(recommendation__challenge=challenge).open()


def my_round_url(update_round):
    return reverse("recommendations:round-my-updates", args=[update_round.pk])


def _ask(update_round, lead, actions, *, kind, key, subject, intro):
    items = [
        {
            "reference": action.reference,
            "description": action.description,
            "updated": getattr(action, "updated_for_round", False),
        }
        for action in actions
    ]
    body = render_to_string(
        "recommendations/email/round_request.txt",
        {"round": update_round, "intro": intro, "items": items},
    )
    return notify(
        recipient=lead,
        kind=kind,
        key=key,
        subject=subject,
        body=body,
        url=my_round_url(update_round),
        council=update_round.challenge.council_id,
    )


def _by_lead(actions):
    leads = {}
    for action in actions:
        leads.setdefault(action.lead_officer_id, (action.lead_officer, []))[1].append(action)
    return leads.values()


@transaction.atomic
def open_round(*, challenge, by, title, deadline, grace_days=0, actions=None):
    """Open a round and ask each lead, once, for updates on their actions in it."""
    update_round = UpdateRound(
        challenge=challenge, title=title, deadline=deadline, grace_days=grace_days or 0, opened_by=by
    )
    update_round.full_clean()
    try:
        with transaction.atomic():
            update_round.save()
    except IntegrityError:
        raise ValidationError(ONE_OPEN_ROUND) from None  # opened by someone else a moment ago
    if actions is None:
        actions = default_actions(challenge)
    else:
        actions = Action.objects.filter(pk__in=[getattr(a, "pk", a) for a in actions])
        if actions.exclude(recommendation__challenge=challenge).exists():
            raise ValidationError("A round can only cover actions of its own peer challenge")
    action_ids = list(actions.values_list("pk", flat=True))
    if not action_ids:
        raise ValidationError("Choose at least one action for the round: every action is complete")
    update_round.actions.set(action_ids)
    asked = round_leads(update_round.actions.all(), challenge.council_id).select_related("lead_officer").in_plan_order()
    when = f"{update_round.deadline:%-d %B %Y}"
    for lead, lead_actions in _by_lead(asked):
        _ask(
            update_round,
            lead,
            lead_actions,
            kind=NotificationKind.ROUND_OPENED,
            key=f"round-opened:{update_round.pk}:{lead.pk}",
            subject=f"{update_round.title}: please update your actions by {when}",
            intro=f"{display_name(by) if by else 'A coordinator'} has opened the update round "
            f"“{update_round.title}”. Please add a progress update to each of these actions by {when}.",
        )
    return update_round


@dataclass
class Tally:
    """Actions in a round and how many of them were updated, for a lead, a theme or the whole round."""

    label: str
    total: int = 0
    updated: int = 0
    outstanding: list = field(default_factory=list)
    lead: object = None
    reminded_today: bool = False

    def add(self, action):
        self.total += 1
        if action.updated_for_round:
            self.updated += 1
        else:
            self.outstanding.append(action)

    @property
    def percent(self):
        return percent(self.updated, self.total)


@dataclass
class RoundProgress:
    round: UpdateRound
    overall: Tally
    by_lead: list
    by_theme: list

    @property
    def outstanding_leads(self):
        return [tally for tally in self.by_lead if tally.lead is not None and tally.outstanding]


def round_actions(update_round, *, now=None):
    return (
        with_round_update(update_round.actions.all(), update_round, now=now)
        .select_related("lead_officer", "recommendation__theme")
        .in_plan_order()
    )


def round_progress(update_round, *, now=None, today=None):
    """The round's figures: overall, by lead (the unassigned apart, last) and by theme. Two queries."""
    today = today or timezone.localdate()
    overall = Tally("All actions in the round")
    leads, themes, theme_numbers = {}, {}, {}
    askable = set(
        round_leads(update_round.actions.all(), update_round.challenge.council_id).values_list("pk", flat=True)
    )
    for action in round_actions(update_round, now=now):
        overall.add(action)
        lead = action.lead_officer if action.pk in askable else None
        key = lead.pk if lead else None
        if key not in leads:
            leads[key] = Tally(display_name(lead) if lead else UNASSIGNED, lead=lead)
        leads[key].add(action)
        theme = action.recommendation.theme
        theme_key = theme.pk if theme else None
        if theme_key not in themes:
            themes[theme_key] = Tally(f"Theme {theme.number}: {theme.title}" if theme else "No theme")
            theme_numbers[theme_key] = theme.number if theme else None
        themes[theme_key].add(action)
    reminded = set(RoundReminder.objects.filter(round=update_round, sent_on=today).values_list("lead_id", flat=True))
    for tally in leads.values():
        tally.reminded_today = tally.lead is not None and tally.lead.pk in reminded
    by_lead = sorted(leads.values(), key=lambda t: (t.lead is None, t.label.lower()))
    by_theme = [themes[key] for key in sorted(themes, key=lambda key: (key is None, theme_numbers.get(key)))]
    return RoundProgress(update_round, overall, by_lead, by_theme)


@dataclass
class ReminderResult:
    sent: list
    skipped: list  # (lead, reason)


@transaction.atomic
def send_round_reminders(*, update_round, by, today=None):
    """Remind every lead with actions outstanding in the open round, once a day at most each."""
    if not update_round.is_open:
        raise ValidationError("This round is closed: reminders can only be sent while a round is open")
    today = today or timezone.localdate()
    progress = round_progress(update_round, today=today)
    result = ReminderResult(sent=[], skipped=[])
    when = f"{update_round.deadline:%-d %B %Y}"
    for tally in progress.outstanding_leads:
        lead = tally.lead
        try:
            with transaction.atomic():
                reminder = RoundReminder.objects.create(
                    round=update_round, lead=lead, sent_on=today, sent_by=by, action_count=len(tally.outstanding)
                )
        except IntegrityError:
            result.skipped.append((lead, "already reminded today"))
            continue
        _ask(
            update_round,
            lead,
            tally.outstanding,
            kind=NotificationKind.ROUND_REMINDER,
            key=f"round-reminder:{reminder.pk}",
            subject=f"Reminder – {update_round.title}: {len(tally.outstanding)} "
            f"action{'' if len(tally.outstanding) == 1 else 's'} still to update",
            intro=f"A reminder from {display_name(by) if by else 'the policy team'}: the update round "
            f"“{update_round.title}” asks for an update on each of these actions by {when}, "
            "and they have none yet.",
        )
        result.sent.append(lead)
    return result


@transaction.atomic
def close_round(*, update_round, by):
    locked = UpdateRound.objects.select_for_update().get(pk=update_round.pk)
    if not locked.is_open:
        raise ValidationError("This round is already closed")
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.save(update_fields=["closed_at", "closed_by"])
    return locked


def last_round_of(challenge_ids):
    """{challenge id: its newest round} for these challenges (open or closed). One query."""
    rounds = {}
    for update_round in UpdateRound.objects.filter(challenge_id__in=challenge_ids).order_by(
        "challenge_id", "-opened_at"
    ):
        rounds.setdefault(update_round.challenge_id, update_round)
    return rounds


def not_updated_in_last_round(actions, challenge_ids, *, now=None):
    """Filter `actions` to those in their challenge's newest round that had no counting update in it
    (counting_updates' rule, with each round's own dates). One condition however many challenges:
    one per round made PostgreSQL test every action against every round (seconds at 50 councils)."""
    newest = [update_round.pk for update_round in last_round_of(challenge_ids).values()]
    end = Coalesce(OuterRef("updateround__closed_at"), Value(now or timezone.now(), output_field=DateTimeField()))
    counting = ProgressUpdate.objects.filter(
        action=OuterRef("action_id"), created_at__gte=OuterRef("updateround__opened_at"), created_at__lte=end
    ).exclude(approval=Approval.RETURNED)
    not_updated = UpdateRound.actions.through.objects.filter(updateround_id__in=newest, action=OuterRef("pk")).filter(
        ~Exists(counting)
    )
    return actions.filter(Exists(not_updated))


def stale(actions, days=90, today=None):
    """Actions not complete whose newest counting update is older than `days`, or that have none."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=days)
    return actions.open().filter(Q(working_update__isnull=True) | Q(working_update__date__lt=since))


def with_figures(update_rounds, *, now=None):
    """Annotate each round with `action_count` and `updated_count` (by the counting rule above), in
    the query that lists them: the same figures round_progress gives one round."""
    through = UpdateRound.actions.through
    in_round = through.objects.filter(updateround=OuterRef("pk")).order_by().values("updateround")
    end = Coalesce(OuterRef(OuterRef("closed_at")), Value(now or timezone.now(), output_field=DateTimeField()))
    counting = ProgressUpdate.objects.filter(
        action=OuterRef("action_id"), created_at__gte=OuterRef(OuterRef("opened_at")), created_at__lte=end
    ).exclude(approval=Approval.RETURNED)

    def count(rows):
        return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)

    return update_rounds.annotate(action_count=count(in_round), updated_count=count(in_round.filter(Exists(counting))))


def percent(updated, total):
    """The share updated, as a whole percentage (0 when there is nothing to update), as Tally.percent."""
    return round(100 * updated / total) if total else 0


class RoundUpdatesRefused(Exception):
    """Some of the updates written on a round's page could not be saved, so none was.
    `errors` is {action pk: the StaleActionError or ValidationError that refused it}."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} update(s) refused")


@transaction.atomic
def record_round_updates(*, author, updates):
    """Save several progress updates written on a round's page, all or none: `updates` is a list of
    (action, the keyword arguments of services.record_progress_update). If any is refused (invalid,
    or its action changed since the page was opened), nothing is saved and RoundUpdatesRefused says
    which and why, for every one refused; no notification of the saved ones is sent either."""
    saved, errors = [], {}
    for action, fields in updates:
        try:
            saved.append(record_progress_update(action=action, author=author, **fields))
        except (StaleActionError, ValidationError) as error:
            errors[action.pk] = error
    if errors:
        raise RoundUpdatesRefused(errors)  # leaving the atomic block by an exception rolls every update back
    return saved
