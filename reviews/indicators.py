"""The rules for indicators, in one place: who may read one and who may edit it (each a per-object
check with its queryset twin), which way it is going, and how its latest figure stands against its
target and comparator. Every page, report, feed and file asks these.

- **Reading.** A public indicator is read by everyone. An internal one (management information,
  kept apart from public reporting as the progress review advised) only by members of its council,
  in any role, and by site administrators: the same people who read the council's drafts
  (recommendations.permissions.sees_drafts_of). Public outputs (open data, feeds, issued reports)
  use `public_indicators`, whoever asks.
- **Editing** (its details and its figures). Its owner, while an officer or coordinator of the
  council; any coordinator of the council; site administrators.
- **Direction of travel** compares the latest two figures that have a number, by the indicator's
  polarity: "Improving", "Worsening" or "No change", each with a symbol that shows which way the
  number moved (▲ up, ▼ down, ■ level). Words and symbol together: colour never says it alone.
  Without a stated polarity a move is only "Changed".
- **Standing.** The newest figure against its target (met or not, by polarity) and against its
  comparator (better or worse, by polarity; above or below without one).
"""

from collections import defaultdict
from dataclasses import dataclass

import rules
from django.db.models import Prefetch, Q

from recommendations.models import LEAD_ROLES, display_name
from recommendations.permissions import is_admin, managed_council_ids, manages_council, roles_of, sees_drafts_of

from .models import Indicator, IndicatorValue, Polarity

# Reading


def may_read(user, indicator):
    """May `user` read this indicator and its figures?"""
    return indicator.public or sees_drafts_of(user, indicator.challenge.council_id)


def readable_indicators(user, indicators=None):
    """The indicators `user` may read: the queryset twin of `may_read`."""
    indicators = Indicator.objects.all() if indicators is None else indicators
    if is_admin(user):
        return indicators
    return indicators.filter(Q(public=True) | Q(challenge__council_id__in=set(roles_of(user))))


def public_indicators(indicators=None):
    """The indicators every public output shows, whoever asks: the public ones."""
    return (Indicator.objects.all() if indicators is None else indicators).filter(public=True)


def owner_label(user, indicator):
    """Who keeps the figures up to date, named for members of the council only: the public are
    told no names (None: leave the owner out)."""
    if not sees_drafts_of(user, indicator.challenge.council_id):
        return None
    return display_name(indicator.owner) if indicator.owner else "Not yet assigned"


# Editing


def may_edit(user, indicator):
    """May `user` change this indicator and enter its figures? Its owner (an officer or coordinator
    of the council), a coordinator of the council, or an administrator."""
    if not (user.is_authenticated and user.is_active):
        return False
    council_id = indicator.challenge.council_id
    if manages_council(user, council_id):
        return True
    return indicator.owner_id == user.pk and roles_of(user).get(council_id) in LEAD_ROLES


def editable_indicators(user, indicators=None):
    """The indicators `user` may edit: the queryset twin of `may_edit`."""
    indicators = Indicator.objects.all() if indicators is None else indicators
    if not (user.is_authenticated and user.is_active):
        return indicators.none()
    if is_admin(user):
        return indicators
    leading = [council for council, role in roles_of(user).items() if role in LEAD_ROLES]
    return indicators.filter(
        Q(challenge__council_id__in=managed_council_ids(user)) | Q(owner=user, challenge__council_id__in=leading)
    )


@rules.predicate
def _reads(user, indicator):
    return indicator is not None and may_read(user, indicator)


@rules.predicate
def _edits(user, indicator):
    return indicator is not None and may_edit(user, indicator)


rules.add_perm("reviews.read_indicator", _reads)
rules.add_perm("reviews.edit_indicator", _edits)


# Direction of travel

UP, DOWN, LEVEL = "▲", "▼", "■"


@dataclass(frozen=True)
class Direction:
    """Which way an indicator is going between two figures: `words` ("Improving"), `symbol` (which
    way the number moved) and `movement` ("up", "down", "no change"), said in full by `sentence`."""

    key: str  # improving, worsening, no_change, changed
    words: str
    symbol: str
    movement: str
    previous: IndicatorValue
    latest: IndicatorValue

    @property
    def sentence(self):
        """e.g. "Improving: down from 3.1% (2022/23) to 2.8% (2023/24); lower is better"."""
        indicator = self.latest.indicator
        moved = (
            f"{self.latest.figure} ({self.previous.period} and {self.latest.period})"
            if self.movement == "no change"
            else f"{self.movement} from {self.previous.figure} ({self.previous.period}) to "
            f"{self.latest.figure} ({self.latest.period})"
        )
        polarity = Polarity(indicator.polarity)
        said = "" if polarity == Polarity.NOT_STATED else f"; {polarity.label.lower()}"
        return f"{self.words}: {moved}{said}"


def numbered(values):
    """The figures that have a number, oldest first."""
    return [value for value in sorted(values, key=lambda v: v.period_start) if value.value is not None]


def direction_of_travel(indicator, values=None):
    """The Direction between the latest two figures with a number (None with fewer than two).
    `values`: the indicator's values, if they are at hand (prefetched); else they are read."""
    values = numbered(indicator.values.all() if values is None else values)
    if len(values) < 2:
        return None
    previous, latest = values[-2], values[-1]
    for value in (previous, latest):
        value.indicator = indicator  # their figures need its unit: no query
    if latest.value == previous.value:
        return Direction("no_change", "No change", LEVEL, "no change", previous, latest)
    went_up = latest.value > previous.value
    symbol, movement = (UP, "up") if went_up else (DOWN, "down")
    polarity = Polarity(indicator.polarity)
    if polarity == Polarity.NOT_STATED:
        return Direction("changed", "Changed", symbol, movement, previous, latest)
    better = went_up == (polarity == Polarity.HIGHER)
    if better:
        return Direction("improving", "Improving", symbol, movement, previous, latest)
    return Direction("worsening", "Worsening", symbol, movement, previous, latest)


# Latest figure against target and comparator


@dataclass(frozen=True)
class Comparison:
    """How a figure stands against another, in words; `good` is True, False or None (no polarity
    or nothing to compare)."""

    words: str
    good: bool | None = None


def _better(polarity, value, other):
    """True when `value` is on the better side of `other`, False on the worse, None when equal or unstated."""
    if value == other or polarity == Polarity.NOT_STATED:
        return None
    return (value > other) == (polarity == Polarity.HIGHER)


def against_target(indicator, value):
    """The figure `value` (an IndicatorValue) against its own target: None without both numbers."""
    if value is None or value.value is None or value.target is None:
        return None
    polarity = Polarity(indicator.polarity)
    target = indicator.format(value.target)
    if value.value == value.target:
        return Comparison(f"On target ({target})", True)
    if polarity == Polarity.NOT_STATED:
        side = "Above" if value.value > value.target else "Below"
        return Comparison(f"{side} the target of {target}")
    if _better(polarity, value.value, value.target):
        return Comparison(f"Target met: better than the target of {target}", True)
    return Comparison(f"Target not met: worse than the target of {target}", False)


def against_comparator(indicator, value):
    """The figure `value` against its numeric comparator: None without both numbers (the comparison
    in words, `value.comparator`, is shown as given)."""
    if value is None or value.value is None or value.comparator_value is None:
        return None
    compared = f"({value.comparator_label}, {indicator.format(value.comparator_value)})".replace("(, ", "(")
    better = _better(Polarity(indicator.polarity), value.value, value.comparator_value)
    if value.value == value.comparator_value:
        return Comparison(f"The same as the comparator {compared}")
    if better is None:
        side = "Above" if value.value > value.comparator_value else "Below"
        return Comparison(f"{side} the comparator {compared}")
    return Comparison(f"{'Better' if better else 'Worse'} than the comparator {compared}", better)


@dataclass
class Standing:
    """What a page shows of an indicator at a glance: its newest figure (with or without a number),
    the direction of travel, and the newest figure against its target and comparator."""

    latest: IndicatorValue | None
    direction: Direction | None
    target: Comparison | None
    comparator: Comparison | None


def standing(indicator, values=None):
    """The Standing of `indicator` from `values` (its values, if at hand; else they are read)."""
    values = sorted(indicator.values.all() if values is None else values, key=lambda v: v.period_start)
    for value in values:
        value.indicator = indicator
    latest = values[-1] if values else None
    return Standing(
        latest=latest,
        direction=direction_of_travel(indicator, values),
        target=against_target(indicator, latest),
        comparator=against_comparator(indicator, latest),
    )


def with_values(indicators):
    """`indicators` with their values read in one more query, oldest first."""
    return indicators.prefetch_related(Prefetch("values", queryset=IndicatorValue.objects.order_by("period_start")))


def summarise(indicators):
    """The indicators of the queryset `indicators`, as a list, each with its `standing` set. Two
    queries, whatever the number of indicators and figures, none included (a page's query count
    does not change with what it lists)."""
    listed = list(indicators)
    values = defaultdict(list)
    for value in IndicatorValue.objects.filter(indicator__in=indicators.values("pk")).order_by("period_start"):
        values[value.indicator_id].append(value)
    for indicator in listed:
        indicator.standing = standing(indicator, values[indicator.pk])
    return listed


# The figures a progress review quoted


def quoted_values(review, indicators):
    """The figures `review` quoted: the values for the review's period (starting the day the peer
    team was on site) of those of `indicators` it quoted (pass `readable_indicators(user)` for a
    page, `public_indicators()` for a public output), in the indicators' order."""
    return list(
        IndicatorValue.objects.filter(indicator__in=indicators.filter(review=review), period_start=review.on_site)
        .select_related("indicator")
        .order_by("indicator__order", "indicator__name")
    )
