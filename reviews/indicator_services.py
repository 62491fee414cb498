"""Writes to indicators and their values. Each is one transaction: all of it is saved, or none.

Every entry point (the owner's value form, the coordinators' settings form, the CSV import) goes
through these functions, and each runs the models' own validation (`full_clean`), so one rule holds
however a change arrives. Optimistic locking as for actions: a form carries the indicator's version
as it was opened; a change made since (to the indicator or any of its values) raises the version,
and the form is refused as stale (`StaleIndicatorError`) rather than overwrite what someone else
saved. Adding or correcting a value raises the indicator's version too.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Indicator, IndicatorValue

# How many of the values entered most recently a refused form shows, to say what changed.
RECENT_VALUES_SHOWN = 5


class StaleIndicatorError(Exception):
    """The indicator changed after the form was opened; saving would overwrite someone else's work."""

    def __init__(self, indicator):
        self.indicator = indicator
        self.recent = list(
            indicator.values.select_related("entered_by").order_by("-entered_at", "-pk")[:RECENT_VALUES_SHOWN]
        )
        super().__init__(f"Indicator {indicator.pk} changed since the version you saw")


class ImportChanged(Exception):
    """The values changed between the preview and the confirm: the file would now do something else."""


def _lock(indicator, seen_version=None):
    locked = Indicator.objects.select_for_update(of=("self",)).select_related("challenge__council").get(pk=indicator.pk)
    if seen_version is not None and locked.version != seen_version:
        raise StaleIndicatorError(locked)
    return locked


def _touch(indicator):
    """A value added or changed is a change to the indicator: raise its version."""
    indicator.save(update_fields=[])


DUPLICATE_PERIOD = "This indicator already has a figure for this period: change that one instead"

VALUE_FIELDS = ["value", "target", "comparator_value", "comparator_label", "comparator", "note"]
TEXT_FIELDS = {"comparator_label", "comparator", "note"}


@transaction.atomic
def save_value(*, indicator, by, seen_version, period, existing=None, **fields):
    """Add a value for `period` (a reviews.periods.Period), or correct `existing` (an IndicatorValue of
    the indicator), unless someone changed the indicator after the form was opened. A correction that
    keeps the period's label keeps its first day (the form passes the period as recorded), so that a
    figure whose period no rule reads ("At the progress review, October 2023") can still be corrected."""
    locked = _lock(indicator, seen_version)
    if existing is not None:
        record = IndicatorValue.objects.select_for_update().get(pk=existing.pk, indicator=locked)
    else:
        record = IndicatorValue(indicator=locked)
    record.period, record.period_start = period.label, period.start
    for name in VALUE_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(record, name, "" if value is None and name in TEXT_FIELDS else value)
    record.entered_by = by
    record.entered_at = timezone.now()
    _save_value(record)
    _touch(locked)
    return record


def _save_value(record):
    record.full_clean()
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Someone added the same period a moment ago: say so, as the check would have.
        raise ValidationError({"period": DUPLICATE_PERIOD}) from None
    return record


INDICATOR_FIELDS = [
    "name",
    "description",
    "unit",
    "polarity",
    "source",
    "source_id",
    "source_url",
    "owner",
    "frequency",
    "public",
    "order",
]


def _save_indicator(indicator, *, recommendations, themes):
    indicator.full_clean()
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError:
        raise ValidationError(
            {"name": "This peer challenge already has an indicator with this name: use another"}
        ) from None
    challenge_id = indicator.challenge_id
    if recommendations is not None:
        if any(r.challenge_id != challenge_id for r in recommendations):
            raise ValidationError({"recommendations": "Choose recommendations of this indicator's peer challenge"})
        indicator.recommendations.set(recommendations)
    if themes is not None:
        if any(t.challenge_id != challenge_id for t in themes):
            raise ValidationError({"themes": "Choose themes of this indicator's peer challenge"})
        indicator.themes.set(themes)
    return indicator


@transaction.atomic
def create_indicator(*, challenge, recommendations=(), themes=(), **fields):
    """A coordinator adds an indicator to a challenge (internal unless they say it is public)."""
    indicator = Indicator(challenge=challenge, **{name: fields[name] for name in INDICATOR_FIELDS if name in fields})
    return _save_indicator(indicator, recommendations=list(recommendations), themes=list(themes))


@transaction.atomic
def change_indicator(*, indicator, seen_version, recommendations=None, themes=None, **fields):
    """Save a coordinator's changes to an indicator's settings, unless someone changed it meanwhile."""
    locked = _lock(indicator, seen_version)
    for name in INDICATOR_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    return _save_indicator(
        locked,
        recommendations=None if recommendations is None else list(recommendations),
        themes=None if themes is None else list(themes),
    )


def existing_values(indicator):
    """{period start: (value, label)} of an indicator's values, for an import's preview."""
    return {
        start: (value, label)
        for start, value, label in IndicatorValue.objects.filter(indicator=indicator).values_list(
            "period_start", "value", "period"
        )
    }


@transaction.atomic
def import_values(*, indicator, by, check, expected):
    """Write an import's values, if it would still do what its preview showed. `check(existing)`
    makes the preview from the values as they are now (reviews.indicator_import.check_rows);
    `expected` is the preview's fingerprint. ImportChanged if it differs (nothing is written), with
    the new preview as its argument; ValidationError if a value breaks a model rule."""
    locked = _lock(indicator)
    preview = check(existing_values(locked))
    if not preview.is_clean or preview.fingerprint != expected:
        raise ImportChanged(preview)
    now = timezone.now()
    records = {
        record.period_start: record
        for record in IndicatorValue.objects.select_for_update().filter(
            indicator=locked, period_start__in=[change.start for change in preview.changed]
        )
    }
    for change in preview.changed:
        record = records[change.start]
        record.value, record.entered_by, record.entered_at = change.value, by, now
        _save_value(record)
    for change in preview.added:
        _save_value(
            IndicatorValue(
                indicator=locked,
                period=change.period,
                period_start=change.start,
                value=change.value,
                entered_by=by,
                entered_at=now,
            )
        )
    if preview.has_changes:
        _touch(locked)
    return preview
