"""Charts of actions by status: the plan's rows for `cpc_tracker.charts.stacked_bars`, in the colours
of each status's tag, drawn on the challenge and theme pages (and, through reports, in reports)."""

from cpc_tracker.charts import TEXT, Category, stacked_bars

from .models import DROPPED_STATUSES, Status

# GOV.UK colours matching each status's tag; at risk and off track also get stripes.
STATUS_FILLS = {
    Status.NOT_STARTED: "#b1b4b6",
    Status.ON_TRACK: "#00703c",
    Status.AT_RISK: "#ffdd00",
    Status.OFF_TRACK: "#d4351c",
    Status.COMPLETE: "#1d70b8",
    Status.NOT_TAKEN_FORWARD: "#d53880",
    Status.SUPERSEDED: "#4c2c92",
}
PATTERNED = {
    # status: (stroke colour, angle): diagonal stripes on the status colour
    Status.AT_RISK: (TEXT, 45),
    Status.OFF_TRACK: ("#ffffff", -45),
}
STATUS_CATEGORIES = [
    Category(
        key=status.value,
        label=status.label,
        fill=STATUS_FILLS[status],
        stripes=PATTERNED.get(status),
        optional=status in DROPPED_STATUSES,
    )
    for status in Status
]


def status_bars(rows, *, title, row_heading="Theme", noun="actions", chart_id="chart"):
    """A stacked bar of counts by status for each row. `rows`: [(label, [(Status, count), ...])]."""
    return stacked_bars(
        rows, categories=STATUS_CATEGORIES, title=title, row_heading=row_heading, noun=noun, chart_id=chart_id
    )


def theme_rows(summary):
    """Rows for `status_bars` from a StatusSummary: each theme's actions by status."""
    return [(f"Theme {row.theme.number}: {row.theme.title}", list(row.actions)) for row in summary.themes]


def recommendation_rows(recommendations):
    """Rows for `status_bars` from recommendations annotated by RecommendationQuerySet.with_progress()."""
    rows = []
    for recommendation in recommendations:
        known = {
            Status.COMPLETE: recommendation.complete_count,
            Status.OFF_TRACK: recommendation.off_track_count,
            Status.AT_RISK: recommendation.at_risk_count,
            Status.NOT_STARTED: recommendation.not_started_count,
            Status.NOT_TAKEN_FORWARD: recommendation.not_taken_forward_count,
            Status.SUPERSEDED: recommendation.superseded_count,
        }
        known[Status.ON_TRACK] = recommendation.action_count - sum(known.values())
        rows.append(
            (
                f"Recommendation {recommendation.number}: {recommendation.title}",
                [(status, known[status]) for status in Status],
            )
        )
    return rows
