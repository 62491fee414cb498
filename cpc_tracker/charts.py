"""Charts drawn on the server as SVG, each with a table of the same figures: the drawing, which knows
no app's models (the apps turn their data into rows and call it).

No JavaScript: the SVG is written into the page (and the PDF) as it is. Every chart has a title
and a description for assistive technology (``role="img"``, ``<title>``, ``<desc>``), labels its
figures in text on the chart itself so colour is never the only cue (categories can also carry
stripes), and comes with a `Table` of exactly the figures it draws.

- `stacked_bars`: a 100% stacked bar per row of counts by category (recommendations' status bars).
- `cumulative_updates`: a line of the running total of published progress updates, month by month.
- `indicator_bars`: LG Inform indicators against their comparators, a pair of bars each.

`chart_id` prefixes the ids inside the SVG; give each chart on a page its own (`next_chart_id` does,
for template tags). Template tags render a chart with `CHART_TEMPLATE` and `chart_context`.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH = 640
TEXT = "#0b0c0c"
SECONDARY_TEXT = "#505a5f"
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"


@dataclass
class Table:
    """The figures of a chart: a caption, column headings, and rows whose first cell heads the row."""

    caption: str
    head: list
    rows: list
    numeric_from: int = 1


@dataclass
class Chart:
    title: str
    description: str
    svg: str
    table: Table
    notes: list = field(default_factory=list)


def _attrs(attrs):
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items() if value is not None
    )


def _el(tag, text=None, /, **attrs):
    if text is None:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{escape(text)}</{tag}>"


def _number(value):
    """1, 2.5, 97.6: no trailing zeros."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _truncate(text, length):
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _svg(chart_id, title, description, height, body, defs=""):
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart__svg" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'font-family="{escape(FONT)}" font-size="14" fill="{TEXT}" focusable="false">'
        f"{_el('title', title, id=title_id)}{_el('desc', description, id=desc_id)}"
        f"{f'<defs>{defs}</defs>' if defs else ''}{body}</svg>"
    )


@dataclass(frozen=True)
class Category:
    """One kind of count in a stacked bar: `key` (names it in the SVG's ids, and in the rows), a label,
    a fill colour, and `stripes` (stroke colour, angle) drawn over the fill so colour is not the only cue."""

    key: str
    label: str
    fill: str
    stripes: tuple | None = None
    optional: bool = False  # shown (legend, table column) only where some row counts it


def _key(value):
    return getattr(value, "value", value)  # a choices member or its value


def _category_defs(chart_id, categories):
    defs = []
    for category in categories:
        if category.stripes:
            stroke, angle = category.stripes
            defs.append(
                f'<pattern id="{chart_id}-{category.key}" width="8" height="8" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate({angle})">'
                f"{_el('rect', width=8, height=8, fill=category.fill)}"
                f"{_el('line', x1=0, y1=0, x2=0, y2=8, stroke=stroke, stroke_width=3)}</pattern>"
            )
    return "".join(defs)


def _category_fill(chart_id, category):
    return f"url(#{chart_id}-{category.key})" if category.stripes else category.fill


def _breakdown(counts):
    parts = [f"{count} {category.label.lower()}" for category, count in counts if count]
    return ", ".join(parts) if parts else "none"


def stacked_bars(rows, *, categories, title, row_heading, noun, chart_id="chart"):
    """A 100% stacked bar of counts by category for each row, under a legend of every category.
    `rows`: [(label, [(category key, count), ...])], counts in the order of `categories`."""
    given = [(label, {_key(key): count for key, count in counts}) for label, counts in rows]
    categories = [
        category
        for category in categories
        if not category.optional or any(counts.get(category.key) for _, counts in given)
    ]
    # Every row counts every category shown, in the categories' order: a row stored before a category
    # existed (an issued report's snapshot) counts none of it.
    rows = [(label, [(category, counts.get(category.key, 0)) for category in categories]) for label, counts in given]
    body = []
    x = 0
    legend_y = 0
    for category in categories:
        label_width = 20 + len(category.label) * 7.5 + 18
        if x and x + label_width - 18 > WIDTH:
            x, legend_y = 0, legend_y + 22
        body.append(
            _el(
                "rect",
                x=x,
                y=2 + legend_y,
                width=14,
                height=14,
                fill=_category_fill(chart_id, category),
                stroke=TEXT,
                stroke_width=1,
            )
        )
        body.append(_el("text", category.label, x=x + 20, y=14 + legend_y, font_size=13))
        x += label_width
    top, row_height, bar_height = 34 + legend_y, 74, 22
    for index, (label, counts) in enumerate(rows):
        y = top + index * row_height
        total = sum(count for _, count in counts)
        body.append(_el("text", _truncate(f"{label} ({total} {noun})", 78), x=0, y=y + 14, font_weight="bold"))
        bar_y = y + 22
        body.append(
            _el(
                "rect",
                x=0,
                y=bar_y,
                width=WIDTH,
                height=bar_height,
                fill="#ffffff",
                stroke=SECONDARY_TEXT,
                stroke_width=1,
            )
        )
        left = 0.0
        for category, count in counts:
            if not count:
                continue
            width = WIDTH * count / total
            body.append(
                _el(
                    "rect",
                    x=round(left, 2),
                    y=bar_y,
                    width=round(width, 2),
                    height=bar_height,
                    fill=_category_fill(chart_id, category),
                    stroke="#ffffff",
                    stroke_width=1,
                )
            )
            left += width
        body.append(
            _el(
                "text",
                _breakdown(counts) if total else f"No {noun}",
                x=0,
                y=bar_y + bar_height + 17,
                font_size=13,
                fill=SECONDARY_TEXT,
            )
        )
    height = top + len(rows) * row_height
    description = "; ".join(f"{label}: {_breakdown(counts)}" for label, counts in rows) + "."
    table_rows = [[label, *(count for _, count in counts), sum(c for _, c in counts)] for label, counts in rows]
    if len(rows) > 1:
        totals = [sum(row[i] for row in table_rows) for i in range(1, len(categories) + 2)]
        table_rows.append([f"All {row_heading.lower()}s", *totals])
    table = Table(
        caption=title, head=[row_heading, *(category.label for category in categories), "Total"], rows=table_rows
    )
    svg = _svg(chart_id, title, description, height, "".join(body), _category_defs(chart_id, categories))
    return Chart(title=title, description=description, svg=svg, table=table)


def _add_months(month, n):
    index = month.year * 12 + month.month - 1 + n
    index = min(max(index, 12), 9999 * 12 + 11)  # datetime's years are 1 to 9999
    return datetime.date(index // 12, index % 12 + 1, 1)


# The line shows at most this many months (ten years); updates dated earlier (a typing slip stored
# before dates were checked, say) count in the running total from its first month.
MAX_MONTHS_SHOWN = 120


def _nice_ceiling(value):
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude) if step * magnitude >= 1 else step * magnitude
    return 10 * magnitude


def cumulative_updates(months, *, title, until, chart_id="chart"):
    """The running total of published progress updates by month, up to the month of `until`.
    `months`: [(first day of month, updates that month)], oldest first. None when there are none."""
    months = [(month, n) for month, n in months if n]
    if not months:
        return None
    end = max(months[-1][0], until.replace(day=1))
    start = max(_add_months(months[0][0], -1), _add_months(end, -MAX_MONTHS_SHOWN))
    span = (end.year - start.year) * 12 + end.month - start.month
    per_month = dict(months)
    earlier = sum(n for month, n in months if month < start)
    points, running = [], earlier
    for i in range(span + 1):
        month = _add_months(start, i)
        running += per_month.get(month, 0)
        points.append((month, running))
    total = running
    y_max = _nice_ceiling(total)
    left, right, top, bottom = 56, WIDTH - 90, 12, 212
    height = bottom + 40

    def px(i):
        return left + (right - left) * (i / span if span else 1)

    def py(value):
        return bottom - (bottom - top) * value / y_max

    body = []
    ticks = {0, y_max} | ({y_max // 2} if y_max % 2 == 0 else set())
    for tick in sorted(ticks):
        y = py(tick)
        body.append(_el("line", x1=left, y1=y, x2=right, y2=y, stroke="#b1b4b6", stroke_width=1))
        body.append(_el("text", _number(tick), x=left - 8, y=y + 5, text_anchor="end", font_size=13))
    body.append(_el("line", x1=left, y1=bottom, x2=right, y2=bottom, stroke=TEXT, stroke_width=2))
    label_every = max(1, math.ceil((span + 1) / 6))
    for i, (month, _) in enumerate(points):
        if i % label_every == 0 or i == span:
            if i != span and span - i < label_every / 2:
                continue
            body.append(_el("line", x1=px(i), y1=bottom, x2=px(i), y2=bottom + 6, stroke=TEXT, stroke_width=1))
            body.append(
                _el("text", month.strftime("%b %Y"), x=px(i), y=bottom + 22, text_anchor="middle", font_size=13)
            )
    path = " ".join(f"{'M' if i == 0 else 'L'}{px(i):.1f},{py(value):.1f}" for i, (_, value) in enumerate(points))
    body.append(_el("path", d=path, fill="none", stroke="#1d70b8", stroke_width=3))
    for i, (month, value) in enumerate(points):
        if month in per_month:
            body.append(_el("circle", cx=f"{px(i):.1f}", cy=f"{py(value):.1f}", r=4, fill="#1d70b8"))
    body.append(
        _el(
            "text",
            f"{total:,} update{'s' if total != 1 else ''}",
            x=px(span) + 8,
            y=py(total) + 5,
            font_weight="bold",
            font_size=13,
        )
    )
    description = (
        f"Line chart of the running total of published progress updates: none before "
        f"{months[0][0]:%B %Y}, {total:,} by {end:%B %Y}."
    )
    rows, running = [], 0
    for month, n in months:
        running += n
        rows.append([month.strftime("%B %Y"), n, running])
    table = Table(caption=title, head=["Month", "Updates published that month", "Total so far"], rows=rows)
    svg = _svg(chart_id, title, description, height, "".join(body))
    return Chart(
        title=title,
        description=description,
        svg=svg,
        table=table,
        notes=["Months with no published updates are left out of the table; the total stays the same."],
    )


def _get(item, name):
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


def _figure(value, unit):
    number = _number(Decimal(str(value)))
    return f"{number}%" if unit == "%" else f"{number} {unit}".strip()


def indicator_bars(indicators, *, council, title="LG Inform indicators against their comparators", chart_id="chart"):
    """A pair of bars for each indicator with both a figure and a numeric comparator: the council's
    and the comparator's, each pair on its own scale from zero. None when no indicator has both."""
    pairs = []
    for indicator in indicators:
        value, comparator = _get(indicator, "value"), _get(indicator, "comparator_value")
        if value is None or comparator is None:
            continue
        unit = _get(indicator, "unit")
        pairs.append(
            {
                "name": _get(indicator, "name"),
                "value": float(value),
                "comparator": float(comparator),
                "figure": _figure(value, unit),
                "comparator_figure": _figure(comparator, unit),
                "comparator_label": _get(indicator, "comparator_label") or "Comparator",
            }
        )
    if not pairs:
        return None
    body, row_height = [], 118
    for index, pair in enumerate(pairs):
        y = index * row_height
        scale = max(pair["value"], pair["comparator"]) or 1
        body.append(_el("text", _truncate(pair["name"], 80), x=0, y=y + 16, font_weight="bold"))
        for offset, (label, value, figure, fill) in enumerate(
            [
                (council, pair["value"], pair["figure"], "#1d70b8"),
                (pair["comparator_label"], pair["comparator"], pair["comparator_figure"], "#505a5f"),
            ]
        ):
            line_y = y + 38 + offset * 40
            body.append(_el("text", _truncate(f"{label}: {figure}", 84), x=0, y=line_y, font_size=13))
            body.append(_el("rect", x=0, y=line_y + 6, width=round(WIDTH * value / scale, 2), height=16, fill=fill))
    height = len(pairs) * row_height
    description = (
        "; ".join(
            f"{p['name']}: {council} {p['figure']}, {p['comparator_label'].lower()} {p['comparator_figure']}"
            for p in pairs
        )
        + "."
    )
    table = Table(
        caption=title,
        head=["Indicator", council, "Comparator", "Comparator’s figure"],
        rows=[[p["name"], p["figure"], p["comparator_label"], p["comparator_figure"]] for p in pairs],
        numeric_from=4,
    )
    svg = _svg(chart_id, title, description, height, "".join(body))
    return Chart(
        title=title,
        description=description,
        svg=svg,
        table=table,
        notes=[
            "Each pair of bars has its own scale, starting at zero. Indicators without a numeric "
            "comparator are not drawn."
        ],
    )


# For template tags (any app's): one partial shows a chart, or a sentence when there is none.

CHART_TEMPLATE = "includes/chart.html"


def next_chart_id(context):
    """chart-1, chart-2, ...: a fresh id for each chart in one page render, whichever library drew it."""
    number = context.render_context.get("cpc_charts_count", 0) + 1
    context.render_context["cpc_charts_count"] = number
    return f"chart-{number}"


def chart_context(chart, *, show_table, empty_text, label=""):
    """The context for `CHART_TEMPLATE`: `chart` (a Chart, or None for `empty_text`), shown with its table
    open (`show_table`) or folded in a details element; `label` tells apart several of the same chart."""
    return {"chart": chart, "show_table": show_table, "empty_text": empty_text, "label": label}
