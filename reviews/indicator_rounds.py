"""Figures due are part of update rounds (recommendations.rounds), from this side: the plan's app
knows nothing of indicators, so this module listens and adds to what it shows.

- A figure is **due** for an indicator when it has no figure for the latest period of its reporting
  frequency that has ended (reviews.periods.latest_finished: last month, the last whole quarter,
  or the last whole financial or calendar year): no value whose period starts on or after that
  period's first day. Internal and public indicators alike: owners keep both up to date.
- Its **owner is asked** when an update round of its challenge opens: one notification (kind
  "An update round asks for my updates", so the owner's e-mail choice for rounds applies) listing
  each of their indicators with a figure due and the period it is due for, while they are an active
  officer or coordinator of the council (the people who may enter its figures). The signal
  `post_save` of UpdateRound does it, in the transaction that opens the round: a round that fails
  to open asks nobody.
- The **round's page** links to the **figures due** page (reviews:figures-due), which lists them by
  owner, with the indicators that have no owner apart, for the council's members. (The plan's
  templates may not load this app's template tags: tests/test_app_boundaries.py.)
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from recommendations.models import LEAD_ROLES, Membership, NotificationKind, UpdateRound, display_name
from recommendations.notifications import notify

from .models import Frequency, Indicator, IndicatorValue
from .periods import latest_finished

NO_OWNER = "No owner"


def due_condition(today):
    """A Q matching indicators with no figure for the latest finished period of their frequency."""
    condition = Q(pk__in=[])
    for frequency in Frequency:
        start, _ = latest_finished(frequency.value, today)
        recorded = IndicatorValue.objects.filter(indicator=OuterRef("pk"), period_start__gte=start)
        condition |= Q(frequency=frequency.value) & ~Q(Exists(recorded))
    return condition


def with_figures_due(indicators, today=None):
    """`indicators` that have a figure due (see the module's docstring), each annotated with
    `owner_may_enter` (its owner is an active officer or coordinator of the council)."""
    today = today or timezone.localdate()
    may_enter = Membership.objects.filter(
        user=OuterRef("owner"), council=OuterRef("challenge__council"), role__in=LEAD_ROLES, user__is_active=True
    )
    return indicators.filter(due_condition(today)).annotate(owner_may_enter=Exists(may_enter))


@dataclass
class DueItem:
    indicator: Indicator
    period: str  # the period a figure is due for, in words

    @property
    def url(self):
        return reverse("reviews:indicator-value-add", args=[self.indicator.pk])


@dataclass
class OwnerDue:
    """The figures due from one owner (`owner` None: the indicators nobody may be asked for)."""

    owner: object
    items: list = field(default_factory=list)

    @property
    def label(self):
        return display_name(self.owner) if self.owner else NO_OWNER


def figures_due(challenge, today=None):
    """[OwnerDue] for a challenge: each owner who may enter figures, by name, then the indicators
    without one (or whose owner may no longer enter them) last. One query."""
    today = today or timezone.localdate()
    indicators = (
        with_figures_due(Indicator.objects.filter(challenge=challenge), today)
        .select_related("owner")
        .order_by("order", "name")
    )
    owners = {}
    for indicator in indicators:
        owner = indicator.owner if indicator.owner_may_enter else None
        key = owner.pk if owner else None
        owners.setdefault(key, OwnerDue(owner))
        _, label = latest_finished(indicator.frequency, today)
        owners[key].items.append(DueItem(indicator, label))
    return sorted(owners.values(), key=lambda due: (due.owner is None, due.label.lower()))


def ask_owners(update_round, today=None):
    """Tell each owner with figures due, once per round, which figures the round asks of them."""
    notified = []
    when = f"{update_round.deadline:%-d %B %Y}"
    for due in figures_due(update_round.challenge, today):
        if due.owner is None:
            continue
        count = len(due.items)
        body = render_to_string(
            "reviews/indicators/email/figures_due.txt",
            {"round": update_round, "items": due.items, "deadline": when},
        )
        url = due.items[0].indicator.get_absolute_url() if count == 1 else indicator_list_url(update_round.challenge)
        notification = notify(
            recipient=due.owner,
            kind=NotificationKind.ROUND_OPENED,
            key=f"round-opened-indicators:{update_round.pk}:{due.owner.pk}",
            subject=f"{update_round.title}: please add the figure{'' if count == 1 else 's'} due for "
            f"{count} indicator{'' if count == 1 else 's'} by {when}",
            body=body,
            url=url,
            council=update_round.challenge.council_id,
        )
        if notification is not None:
            notified.append(notification)
    return notified


def indicator_list_url(challenge):
    return reverse("reviews:indicator-list", args=[challenge.slug])


@receiver(post_save, sender=UpdateRound, dispatch_uid="reviews.ask_indicator_owners")
def ask_owners_when_a_round_opens(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.is_open:
        ask_owners(instance)
