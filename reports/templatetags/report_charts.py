"""Charts of reports' data, each tag rendering an SVG chart with a table of its figures.

    {% load report_charts %}
    {% status_by_theme_chart summary %}                  a report's summary (or a StatusSummary)
    {% published_updates_by_month challenge_summaries as monthly %}   one query for a page of challenges
    {% updates_over_time_chart monthly challenge %}
    {% report_updates_chart content %}                   a committee report's, to its cut-off
    {% report_indicator_chart indicator %}               a report's public indicator over time

`show_table=True` shows the table under the chart; otherwise it sits in a GOV.UK details element.
Indicators are charted by `cpc_charts`' indicators_chart; the plan's own pages use `recommendation_charts`.
"""

from django import template
from django.utils import timezone

from cpc_tracker.charts import CHART_TEMPLATE, chart_context, next_chart_id
from cpc_tracker.charts import indicator_line as chart_line
from reports import charts
from reports.selectors import published_updates_by_month as monthly_counts

register = template.Library()


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def status_by_theme_chart(context, summary, title="Actions by status in each theme", show_table=False, label=""):
    rows = charts.theme_rows_from_summary(summary)
    chart = (
        charts.status_bars(rows, title=title, row_heading="Theme", chart_id=next_chart_id(context)) if rows else None
    )
    return chart_context(chart, show_table=show_table, empty_text="There are no themes to chart yet.", label=label)


@register.simple_tag
def published_updates_by_month(challenges):
    """{challenge id: [(month, count)]} for a list of challenges, or of (challenge, summary) pairs."""
    ids = [item[0].pk if isinstance(item, (tuple, list)) else item.pk for item in challenges]
    return monthly_counts(ids) if ids else {}


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def updates_over_time_chart(context, monthly, challenge, show_table=False, label=""):
    chart = charts.cumulative_updates(
        monthly.get(challenge.pk, []),
        title="Published progress updates over time",
        until=timezone.localdate(),
        chart_id=next_chart_id(context),
    )
    return chart_context(
        chart, show_table=show_table, empty_text="No progress updates have been published yet.", label=label
    )


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def report_updates_chart(context, content, show_table=True):
    months = [(row["month"], row["count"]) for row in content["updates_by_month"]]
    chart = charts.cumulative_updates(
        months,
        title="Published progress updates over time, to the cut-off date",
        until=content["cut_off"],
        chart_id=next_chart_id(context),
    )
    return chart_context(
        chart, show_table=show_table, empty_text="No progress updates had been published by the cut-off date."
    )


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def report_indicator_chart(context, indicator, show_table=True):
    """One of a committee report's indicators (reports.indicator_data's dict, made readable) over
    time, to the cut-off: its figures, with its target and comparator where it has them."""
    values = indicator["values"]
    labels = {value["comparator_label"] for value in values if value["comparator_value"] is not None}
    direction = indicator["direction"]
    chart = chart_line(
        [(value["period"], value["value"], value["target"], value["comparator_value"]) for value in values],
        title=f"{indicator['name']}: figures over time, to the cut-off date",
        unit=indicator["unit"],
        comparator_label=labels.pop() if len(labels) == 1 else "Comparator",
        summary=direction["sentence"] if direction else "",
        chart_id=next_chart_id(context),
    )
    return chart_context(chart, show_table=show_table, empty_text="There are no figures with a number to chart.")
