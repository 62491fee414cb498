"""Indicators on any page, by the rules in reviews.indicators:

    {% load indicator_tags %}
    {% linked_indicators recommendation as indicators %}   the readable indicators linked to a
                                                           recommendation or theme, summarised
    {% indicator_chart indicator values standing %}        an indicator's figures over time
    {% quoted_figures_chart quoted council=name %}         a review's quoted figures against comparators

The plan's own pages (recommendations) include reviews/includes/indicator_summary.html, which asks
`linked_indicators`: recommendations imports nothing from reviews.
"""

from django import template

from cpc_tracker import charts

from .. import indicators as rules

register = template.Library()


def _user(context):
    request = context.get("request")
    return request.user if request is not None else context.get("user")


@register.simple_tag(takes_context=True)
def linked_indicators(context, obj):
    """The indicators linked to `obj` (a recommendation or a theme) that the reader may read, each
    with its `standing`: two queries, however many indicators and figures."""
    readable = rules.readable_indicators(_user(context), obj.indicators.all())
    return rules.summarise(readable.order_by("order", "name"))


@register.inclusion_tag(charts.CHART_TEMPLATE, takes_context=True)
def indicator_chart(context, indicator, values, standing=None, show_table=False):
    """An indicator's figures (its IndicatorValues, oldest first) as a line over time, with its
    target and comparator where it has them; the direction of travel ends the description."""
    direction = standing.direction if standing else None
    comparator_labels = {value.comparator_label for value in values if value.comparator_value is not None}
    chart = charts.indicator_line(
        [(value.period, value.value, value.target, value.comparator_value) for value in values],
        title=f"{indicator.name}: figures over time",
        figure=indicator.format,
        comparator_label=comparator_labels.pop() if len(comparator_labels) == 1 else "Comparator",
        summary=direction.sentence if direction else "",
        chart_id=charts.next_chart_id(context),
    )
    return charts.chart_context(
        chart, show_table=show_table, empty_text="There are no figures with a number to chart yet."
    )


@register.inclusion_tag(charts.CHART_TEMPLATE, takes_context=True)
def quoted_figures_chart(context, values, council, show_table=False):
    """The figures a progress review quoted (IndicatorValues, see reviews.indicators.quoted_values)
    against their comparators, a pair of bars each."""
    rows = [
        {
            "name": value.indicator.name,
            "value": value.value,
            "unit": value.indicator.unit,
            "comparator_value": value.comparator_value,
            "comparator_label": value.comparator_label,
        }
        for value in values
    ]
    chart = charts.indicator_bars(rows, council=council, chart_id=charts.next_chart_id(context))
    return charts.chart_context(
        chart, show_table=show_table, empty_text="No indicator has both a figure and a numeric comparator to chart."
    )
