"""A challenge's public indicators and their figures, for committee reports and open data.

Only **public** indicators, whoever asks (reviews.indicators.public_indicators): internal ones are
management information, kept apart from public reporting, and never appear in a report or a file.
`indicator_entries` gives each as a plain, JSON-ready dict (a committee report's snapshot keeps
them as they were at its cut-off: the figures for periods that began on or before it); the open
data files have one row per figure (`COLUMNS`).

The direction of travel, and the latest figure against its target and comparator, are worked out
by reviews.indicators, from the figures included.
"""

import csv
import io
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from recommendations.spreadsheets import escape_formula
from reviews import indicators as rules
from reviews.models import Indicator, IndicatorValue

from .open_data import LICENCE, LICENCE_URL, Column


def _plain(value):
    """A Decimal without trailing zeros that prints as people write it: 97.6, 100 (not 1E+2)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def _number(value):
    """A figure for a snapshot: text, so that it survives JSON unchanged."""
    return None if value is None else str(_plain(value))


def _comparison(comparison):
    return None if comparison is None else {"words": comparison.words, "good": comparison.good}


def _direction(direction):
    if direction is None:
        return None
    return {
        "key": direction.key,
        "words": direction.words,
        "symbol": direction.symbol,
        "movement": direction.movement,
        "sentence": direction.sentence,
    }


def _value_entry(value):
    return {
        "period": value.period,
        "period_start": value.period_start.isoformat(),
        "value": _number(value.value),
        "figure": value.figure,
        "target": _number(value.target),
        "target_figure": value.target_figure,
        "comparator_value": _number(value.comparator_value),
        "comparator_figure": value.comparator_figure,
        "comparator_label": value.comparator_label,
        "comparator": value.comparator,
        "note": value.note,
        "entered_on": timezone.localdate(value.entered_at).isoformat(),
    }


def linked_numbers(indicators):
    """({indicator id: [recommendation numbers]}, {indicator id: [theme numbers]}), sorted. One query."""
    recommendations, themes = {}, {}
    rows = Indicator.objects.filter(pk__in=[indicator.pk for indicator in indicators]).values_list(
        "pk", "recommendations__number", "themes__number"
    )
    for indicator_id, recommendation, theme in rows.order_by():
        for found, number in ((recommendations, recommendation), (themes, theme)):
            if number is not None and number not in found.setdefault(indicator_id, []):
                found[indicator_id].append(number)
    for found in (recommendations, themes):
        for numbers in found.values():
            numbers.sort()
    return recommendations, themes


def public_indicators_of(challenge, cut_off=None):
    """The challenge's public indicators, each with its figures (those for periods that began on or
    before `cut_off`, if given) read into `figures`, oldest first. Two queries."""
    values = IndicatorValue.objects.order_by("period_start")
    if cut_off is not None:
        values = values.filter(period_start__lte=cut_off)
    indicators = list(
        rules.public_indicators(Indicator.objects.filter(challenge=challenge))
        .order_by("order", "name")
        .prefetch_related(Prefetch("values", queryset=values, to_attr="figures"))
    )
    for indicator in indicators:
        for value in indicator.figures:
            value.indicator = indicator  # a figure's unit is its indicator's: no query
    return indicators


def indicator_entries(challenge, cut_off=None):
    """Each public indicator of the challenge as a JSON-ready dict (see the module's docstring):
    its details, the numbers of the recommendations and themes it is linked to, its figures up to
    `cut_off` and where it stands on them. Three queries, however many indicators and figures."""
    indicators = public_indicators_of(challenge, cut_off)
    recommendations, themes = linked_numbers(indicators)
    entries = []
    for indicator in indicators:
        standing = rules.standing(indicator, indicator.figures)
        entries.append(
            {
                "id": indicator.pk,
                "name": indicator.name,
                "description": indicator.description,
                "unit": indicator.unit,
                "polarity": indicator.polarity,
                "polarity_label": indicator.get_polarity_display(),
                "frequency": indicator.frequency,
                "source": indicator.source,
                "source_id": indicator.source_id,
                "source_url": indicator.source_url,
                "recommendations": recommendations.get(indicator.pk, []),
                "themes": themes.get(indicator.pk, []),
                "values": [_value_entry(value) for value in indicator.figures],
                "direction": _direction(standing.direction),
                "against_target": _comparison(standing.target),
                "against_comparator": _comparison(standing.comparator),
            }
        )
    return entries


# Open data: one row per figure of a public indicator ------------------------------------------------

COLUMNS = [
    Column("council", "The council's name"),
    Column("challenge", "The title of the Corporate Peer Challenge"),
    Column("indicator", "The indicator's name"),
    Column("what_it_measures", "What the indicator measures (empty if not described)"),
    Column("unit", 'What its figures count, for example "%" or "per 10,000 children" (empty if none)'),
    Column("which_way_is_better", "Higher is better, Lower is better, or Not stated"),
    Column("reporting_frequency", "How often its figures are reported: Monthly, Quarterly or Annual"),
    Column("source", 'Where the figures come from, for example "LG Inform" (empty if not recorded)'),
    Column("lg_inform_metric_id", "The LG Inform metric id of the indicator (empty if none)"),
    Column("source_url", "A link to the source (empty if none)"),
    Column("recommendations", "The numbers of the recommendations it shows progress on, separated by '; '"),
    Column("themes", "The numbers of the themes it shows progress on, separated by '; '"),
    Column("period", 'The period of the figure, as the council writes it, for example "2022/23" or "Q2 2023/24"'),
    Column(
        "period_start",
        "The first day of that period, as YYYY-MM-DD (for a figure quoted by a progress review without a "
        "period, the day of the review)",
        "date",
    ),
    Column("value", "The figure, as a number (empty if there is none, as for a comparison in words)", "number"),
    Column("target", "The target for the period, as a number (empty if none)", "number"),
    Column("comparator", 'What the figure is compared with, for example "National average" (empty if none)'),
    Column("comparator_value", "The comparator's figure, as a number (empty if none)", "number"),
    Column("comparison_in_words", "The comparison in words, when it is not a number (empty if none)"),
    Column(
        "direction_of_travel",
        "The figure against the previous figure with a number, by which way is better: Improving, Worsening "
        "or No change (Changed, up or down, when it is not stated which way is better); empty for the first",
    ),
    Column("note", "Anything a reader should know about the figure (empty if nothing)"),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def _direction_words(direction):
    if direction is None:
        return ""
    if direction.key == "changed":
        return f"Changed ({direction.movement})"
    return direction.words


def indicator_rows(challenge):
    """One dict per figure of each public indicator, keyed by COLUMN_NAMES: indicators in order,
    each one's figures oldest first. Three queries."""
    indicators = public_indicators_of(challenge)
    recommendations, themes = linked_numbers(indicators)
    rows = []
    for indicator in indicators:
        shared = {
            "council": challenge.council.name,
            "challenge": challenge.title,
            "indicator": indicator.name,
            "what_it_measures": indicator.description,
            "unit": indicator.unit,
            "which_way_is_better": indicator.get_polarity_display(),
            "reporting_frequency": indicator.get_frequency_display(),
            "source": indicator.source,
            "lg_inform_metric_id": indicator.source_id,
            "source_url": indicator.source_url,
            "recommendations": "; ".join(str(n) for n in recommendations.get(indicator.pk, [])),
            "themes": "; ".join(str(n) for n in themes.get(indicator.pk, [])),
        }
        figures = indicator.figures
        for index, value in enumerate(figures):
            direction = rules.direction_of_travel(indicator, figures[: index + 1]) if value.value is not None else None
            if direction is not None and direction.latest is not value:
                direction = None
            rows.append(
                shared
                | {
                    "period": value.period,
                    "period_start": value.period_start.isoformat(),
                    "value": _plain(value.value),
                    "target": _plain(value.target),
                    "comparator": value.comparator_label,
                    "comparator_value": _plain(value.comparator_value),
                    "comparison_in_words": value.comparator,
                    "direction_of_travel": _direction_words(direction),
                    "note": value.note,
                }
            )
    return rows


def public_indicator_count(challenge):
    return rules.public_indicators(Indicator.objects.filter(challenge=challenge)).count()


def data_date(challenge):
    """The date of the data: the day the newest figure of a public indicator was entered, or today."""
    newest = (
        IndicatorValue.objects.filter(
            indicator__in=rules.public_indicators(Indicator.objects.filter(challenge=challenge))
        )
        .order_by("-entered_at")
        .values_list("entered_at", flat=True)
        .first()
    )
    return timezone.localdate(newest or timezone.now()).isoformat()


def as_json(challenge, rows, date):
    return {
        "council": challenge.council.name,
        "challenge": challenge.title,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "data_date": date,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "columns": [{"name": c.name, "description": c.description, "type": c.type} for c in COLUMNS],
        "rows": [{name: _json_number(value) for name, value in row.items()} for row in rows],
    }


def _json_number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def as_csv(rows):
    """CSV text with a header row of COLUMN_NAMES; empty cells for missing values; formula-like text
    starts with an apostrophe (recommendations.spreadsheets), as in the status file."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: "" if value is None else escape_formula(value) for name, value in row.items()})
    return out.getvalue()
