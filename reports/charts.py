"""The charts in reports and on the home page, from reports' data: a committee report's readable
snapshot, and published updates month by month.

The drawing is `cpc_tracker.charts` (it knows no app); status bars and their rows are the plan's
(`recommendations.charts`). They are named here too, so reports draw every chart through this module.
"""

from cpc_tracker.charts import Chart, Table, cumulative_updates, indicator_bars  # noqa: F401
from recommendations.charts import recommendation_rows, status_bars, theme_rows  # noqa: F401


def theme_rows_from_summary(summary):
    """Rows for `status_bars` from a StatusSummary (live) or a readable snapshot's summary (a report)."""
    if isinstance(summary, dict):
        return [
            (
                f"Theme {theme['number']}: {theme['title']}",
                [(row["status"], row["count"]) for row in theme["actions"]["counts"]],
            )
            for theme in summary["themes"]
        ]
    return theme_rows(summary)
