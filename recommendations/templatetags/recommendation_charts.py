"""The plan's charts of actions by status, each an SVG chart with a table of its figures.

    {% load recommendation_charts %}
    {% status_by_theme_chart summary %}                  a StatusSummary
    {% recommendation_status_chart theme.recommendations.all theme=theme %}

`show_table=True` shows the table under the chart; otherwise it sits in a GOV.UK details element.
"""

from django import template

from cpc_tracker.charts import CHART_TEMPLATE, chart_context, next_chart_id

from .. import charts

register = template.Library()


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def status_by_theme_chart(context, summary, title="Actions by status in each theme", show_table=False, label=""):
    rows = charts.theme_rows(summary)
    chart = (
        charts.status_bars(rows, title=title, row_heading="Theme", chart_id=next_chart_id(context)) if rows else None
    )
    return chart_context(chart, show_table=show_table, empty_text="There are no themes to chart yet.", label=label)


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def recommendation_status_chart(context, recommendations, theme=None, show_table=False):
    rows = charts.recommendation_rows(recommendations)
    title = (
        f"Actions by status for each recommendation in theme {theme.number}"
        if theme
        else "Actions by status for each recommendation"
    )
    chart = (
        charts.status_bars(rows, title=title, row_heading="Recommendation", chart_id=next_chart_id(context))
        if rows
        else None
    )
    return chart_context(chart, show_table=show_table, empty_text="There are no recommendations to chart yet.")
