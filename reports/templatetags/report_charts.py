"""Charts for templates: each tag renders an SVG chart with a table of its figures.

    {% load report_charts %}
    {% status_by_theme_chart summary %}                  a StatusSummary or a report's summary
    {% recommendation_status_chart theme.recommendations.all theme=theme %}
    {% published_updates_by_month challenge_summaries as monthly %}   one query for a page of challenges
    {% updates_over_time_chart monthly challenge %}
    {% report_updates_chart content %}                   a committee report's, to its cut-off
    {% indicators_chart review.indicators.all council=review.challenge.council.name %}

`show_table=True` shows the table under the chart; otherwise it sits in a GOV.UK details element.
"""

from django import template
from django.utils import timezone

from reports import charts
from reports.selectors import published_updates_by_month as monthly_counts

register = template.Library()

CHART_TEMPLATE = "reports/includes/chart.html"


def _next_id(context):
    """chart-1, chart-2, ...: a fresh id for each chart in one page render, the same every time."""
    number = context.render_context.get("report_charts_count", 0) + 1
    context.render_context["report_charts_count"] = number
    return f"chart-{number}"


def _context(chart, *, show_table, empty_text, label):
    return {"chart": chart, "show_table": show_table, "empty_text": empty_text, "label": label}


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def status_by_theme_chart(context, summary, title="Actions by status in each theme", show_table=False, label=""):
    rows = charts.theme_rows_from_summary(summary)
    chart = charts.status_bars(rows, title=title, row_heading="Theme", chart_id=_next_id(context)) if rows else None
    return _context(chart, show_table=show_table, empty_text="There are no themes to chart yet.", label=label)


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def recommendation_status_chart(context, recommendations, theme=None, show_table=False):
    rows = charts.recommendation_rows(recommendations)
    title = f"Actions by status for each recommendation in theme {theme.number}" if theme else \
        "Actions by status for each recommendation"
    chart = charts.status_bars(rows, title=title, row_heading="Recommendation", chart_id=_next_id(context)) \
        if rows else None
    return _context(chart, show_table=show_table, empty_text="There are no recommendations to chart yet.", label="")


@register.simple_tag
def published_updates_by_month(challenges):
    """{challenge id: [(month, count)]} for a list of challenges, or of (challenge, summary) pairs."""
    ids = [item[0].pk if isinstance(item, (tuple, list)) else item.pk for item in challenges]
    return monthly_counts(ids) if ids else {}


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def updates_over_time_chart(context, monthly, challenge, show_table=False, label=""):
    chart = charts.cumulative_updates(
        monthly.get(challenge.pk, []), title="Published progress updates over time", until=timezone.localdate(),
        chart_id=_next_id(context),
    )
    return _context(chart, show_table=show_table, empty_text="No progress updates have been published yet.",
                    label=label)


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def report_updates_chart(context, content, show_table=True):
    months = [(row["month"], row["count"]) for row in content["updates_by_month"]]
    chart = charts.cumulative_updates(
        months, title="Published progress updates over time, to the cut-off date", until=content["cut_off"],
        chart_id=_next_id(context),
    )
    return _context(chart, show_table=show_table,
                    empty_text="No progress updates had been published by the cut-off date.", label="")


@register.inclusion_tag(CHART_TEMPLATE, takes_context=True)
def indicators_chart(context, indicators, council, show_table=False):
    chart = charts.indicator_bars(list(indicators), council=council, chart_id=_next_id(context))
    return _context(chart, show_table=show_table,
                    empty_text="No indicator has both a figure and a numeric comparator to chart.", label="")
