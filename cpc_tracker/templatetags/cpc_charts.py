"""Chart tags that know no app's models, for any template:

    {% load cpc_charts %}
    {% indicators_chart review.indicators.all council=review.challenge.council.name %}

`indicators` are LG Inform indicators: models or a report snapshot's dicts with name, value, unit,
comparator_value and comparator_label. `show_table=True` shows the table under the chart; otherwise it
sits in a GOV.UK details element. The apps' own chart tags are `recommendation_charts` and `report_charts`.
"""

from django import template

from cpc_tracker import charts

register = template.Library()


@register.inclusion_tag(charts.CHART_TEMPLATE, takes_context=True)
def indicators_chart(context, indicators, council, show_table=False):
    chart = charts.indicator_bars(list(indicators), council=council, chart_id=charts.next_chart_id(context))
    return charts.chart_context(
        chart, show_table=show_table, empty_text="No indicator has both a figure and a numeric comparator to chart."
    )
