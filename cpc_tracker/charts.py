"""Charts drawn on the server as SVG, each with a table of the same figures: the drawing, which knows
no app's models (the apps turn their data into rows and call it).

No JavaScript: the SVG is written into the page (and the PDF) as it is. Every chart has a title
and a description for assistive technology (``role="img"``, ``<title>``, ``<desc>``), labels its
figures in text on the chart itself so colour is never the only cue (categories can also carry
stripes), and comes with a `Table` of exactly the figures it draws.

- `stacked_bars`: a 100% stacked bar per row of counts by category (recommendations' status bars).
- `cumulative_updates`: a line of the running total of published progress updates, month by month.
- `indicator_bars`: LG Inform indicators against their comparators, a pair of bars each.
- `indicator_line`: one indicator's figures period by period, with its target and comparator.

`chart_id` prefixes the ids inside the SVG; give each chart on a page its own (`next_chart_id` does,
for template tags). Template tags render a chart with `CHART_TEMPLATE` and `chart_context`.
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

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


# A line over time: an indicator's figures by period, with its targets and comparators.

SERIES_STYLES = {
    # key: (stroke colour, dash pattern, marker shape). Each line differs by its dashes and marker
    # shape as well as its colour, and the legend names them in words.
    "value": ("#1d70b8", None, "circle"),
    "target": ("#0b0c0c", "9 5", "square"),
    "comparator": ("#4c2c92", "2 4", "diamond"),
}


def _nice_step(span, count=4):
    """A round step (1, 2, 2.5 or 5 times a power of ten) that splits `span` into about `count`."""
    raw = span / count
    exponent = math.floor(math.log10(raw))
    step = next(step for step in (1, 2, 2.5, 5, 10) if raw <= step * 10**exponent)
    return Decimal(str(step)).scaleb(exponent)


def _axis(numbers):
    """Ticks from a round number at or below the lowest to one at or above the highest."""
    low, high = min(numbers), max(numbers)
    if low == high:
        pad = abs(low) / 10 or Decimal(1)
        low, high = low - pad, high + pad
    step = _nice_step(float(high - low))
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    ticks, tick = [], first
    while tick <= last:
        ticks.append(tick.normalize() if tick else Decimal(0))
        tick += step
    return ticks


def _marker(shape, x, y, colour):
    if shape == "circle":
        return _el("circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r=5, fill=colour)
    if shape == "square":
        return _el("rect", x=f"{x - 4.5:.1f}", y=f"{y - 4.5:.1f}", width=9, height=9, fill=colour)
    points = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
    return _el("polygon", points=points, fill=colour)


def _line_path(points):
    """A path through (x, y) points; None breaks the line (a period with no figure)."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        x, y = point
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return " ".join(parts)


def indicator_line(periods, *, title, figure=None, unit="", comparator_label="", summary="", chart_id="chart"):
    """An indicator's figures over time as a line, with its target and comparator as lines of their
    own where there are any. `periods`: [(period label, value, target, comparator value)], oldest
    first, numbers or None. `figure` writes a number with its unit (default: `unit` after it);
    `summary` (the direction of travel, say) ends the description. None when no period has a figure.
    Periods are spaced evenly in order: the labels and the table name each one."""
    figure = figure or (lambda value: _figure(value, unit))
    rows = [(label, *(None if n is None else Decimal(str(n)) for n in numbers)) for label, *numbers in periods]
    if not any(row[1] is not None for row in rows):
        return None
    comparator_label = comparator_label or "Comparator"
    series = [
        (key, name, index)
        for key, name, index in [("value", "Figure", 1), ("target", "Target", 2), ("comparator", comparator_label, 3)]
        if any(row[index] is not None for row in rows)
    ]
    numbers = [row[index] for row in rows for _, _, index in series if row[index] is not None]
    ticks = _axis(numbers)
    low, high = ticks[0], ticks[-1]
    tick_labels = [figure(tick) for tick in ticks]
    left = max(48, 12 + 7.5 * max(len(text) for text in tick_labels))
    right, top, bottom = WIDTH - 24, 44, 244
    height = bottom + 48
    count = len(rows)

    def px(i):
        return left + (right - left) * ((i + 0.5) / count)

    def py(value):
        return bottom - (bottom - top) * float((value - low) / (high - low))

    body = []
    x = 0
    for key, name, _ in series:  # the legend: a sample of each line with its marker, and its name
        colour, dashes, shape = SERIES_STYLES[key]
        body.append(_el("line", x1=x, y1=14, x2=x + 30, y2=14, stroke=colour, stroke_width=3, stroke_dasharray=dashes))
        body.append(_marker(shape, x + 15, 14, colour))
        label = _truncate(name, 40)
        body.append(_el("text", label, x=x + 38, y=19, font_size=13))
        x += 38 + len(label) * 7.5 + 20
    for tick, text in zip(ticks, tick_labels, strict=True):
        y = py(tick)
        body.append(_el("line", x1=left, y1=y, x2=right, y2=y, stroke=TEXT if tick == 0 else "#b1b4b6", stroke_width=1))
        body.append(_el("text", text, x=left - 8, y=y + 5, text_anchor="end", font_size=13))
    body.append(_el("line", x1=left, y1=bottom, x2=right, y2=bottom, stroke=TEXT, stroke_width=2))
    label_length = max(12, min(60, int((right - left) / min(count, 6) / 7.2)))  # characters a period's label may take
    label_every = max(1, math.ceil(count * (label_length * 7 + 12) / (right - left)))
    for i, (label, *_) in enumerate(rows):
        if i % label_every == 0 or i == count - 1:
            if i != count - 1 and count - 1 - i < label_every:
                continue
            body.append(_el("line", x1=px(i), y1=bottom, x2=px(i), y2=bottom + 6, stroke=TEXT, stroke_width=1))
            body.append(
                _el(
                    "text",
                    _truncate(label, label_length),
                    x=px(i),
                    y=bottom + 22,
                    text_anchor="middle",
                    font_size=13,
                )
            )
    for key, _, index in reversed(series):  # the figure's own line on top
        colour, dashes, shape = SERIES_STYLES[key]
        points = [None if row[index] is None else (px(i), py(row[index])) for i, row in enumerate(rows)]
        body.append(
            _el("path", d=_line_path(points), fill="none", stroke=colour, stroke_width=3, stroke_dasharray=dashes)
        )
        body.extend(_marker(shape, point_x, point_y, colour) for point_x, point_y in filter(None, points))
    latest_index, latest = next((i, row) for i, row in reversed(list(enumerate(rows))) if row[1] is not None)
    text_x = px(latest_index)
    anchor = "end" if text_x > WIDTH - 80 else "start"
    body.append(
        _el(
            "text",
            figure(latest[1]),
            x=text_x + (-10 if anchor == "end" else 10),
            y=max(py(latest[1]) - 10, 14),
            text_anchor=anchor,
            font_weight="bold",
            font_size=13,
        )
    )
    with_value = [row for row in rows if row[1] is not None]
    first, last = with_value[0], with_value[-1]
    lowest = min(with_value, key=lambda row: row[1])
    highest = max(with_value, key=lambda row: row[1])
    sentences = [
        f"Line chart of {len(with_value)} figure{'s' if len(with_value) != 1 else ''}"
        + (
            f" from {first[0]} ({figure(first[1])}) to {last[0]} ({figure(last[1])})"
            if len(with_value) > 1
            else f": {figure(first[1])} for {first[0]}"
        )
    ]
    if len(with_value) > 2:
        sentences.append(f"Lowest {figure(lowest[1])} ({lowest[0]}), highest {figure(highest[1])} ({highest[0]})")
    for _, name, index in series[1:]:
        latest_other = next(row for row in reversed(rows) if row[index] is not None)
        sentences.append(f"{name} {figure(latest_other[index])} for {latest_other[0]}")
    if summary:
        sentences.append(summary)
    description = ". ".join(sentence.rstrip(".") for sentence in sentences) + "."
    table = Table(
        caption=title,
        head=["Period", *(name for _, name, _ in series)],
        rows=[
            [row[0], *("No figure" if row[index] is None else figure(row[index]) for _, _, index in series)]
            for row in rows
        ],
    )
    svg = _svg(chart_id, title, description, height, "".join(body))
    notes = ["Periods are spaced evenly, in order, whatever their length."]
    if any(row[1] is None for row in rows):
        notes.append("The line breaks where a period has no figure.")
    return Chart(title=title, description=description, svg=svg, table=table, notes=notes)


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
