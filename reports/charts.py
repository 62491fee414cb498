"""Charts drawn on the server as SVG, each with a table of the same figures.

No JavaScript: the SVG is written into the page (and the PDF) as it is. Every chart has a title
and a description for assistive technology (``role="img"``, ``<title>``, ``<desc>``), labels its
figures in text on the chart itself so colour is never the only cue (status segments also carry
patterns), and comes with a `Table` of exactly the figures it draws.

- `status_bars`: a 100% stacked bar per row (theme or recommendation) of actions by status.
- `cumulative_updates`: a line of the running total of published progress updates, month by month.
- `indicator_bars`: LG Inform indicators against their comparators, a pair of bars each.

`chart_id` prefixes the ids inside the SVG; give each chart on a page its own (the template tags do).
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

from recommendations.models import Status

WIDTH = 640
TEXT = "#0b0c0c"
SECONDARY_TEXT = "#505a5f"
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"

# GOV.UK colours matching each status's tag; at risk and off track also get a pattern.
STATUS_FILLS = {
    Status.NOT_STARTED: "#b1b4b6",
    Status.ON_TRACK: "#00703c",
    Status.AT_RISK: "#ffdd00",
    Status.OFF_TRACK: "#d4351c",
    Status.COMPLETE: "#1d70b8",
}
PATTERNED = {
    # status: (stroke colour, angle): diagonal stripes on the status colour
    Status.AT_RISK: (TEXT, 45),
    Status.OFF_TRACK: ("#ffffff", -45),
}


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
        f'{_el("title", title, id=title_id)}{_el("desc", description, id=desc_id)}'
        f'{f"<defs>{defs}</defs>" if defs else ""}{body}</svg>'
    )


def _status_defs(chart_id):
    defs = []
    for status, (stroke, angle) in PATTERNED.items():
        defs.append(
            f'<pattern id="{chart_id}-{status.value}" width="8" height="8" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate({angle})">'
            f'{_el("rect", width=8, height=8, fill=STATUS_FILLS[status])}'
            f'{_el("line", x1=0, y1=0, x2=0, y2=8, stroke=stroke, stroke_width=3)}</pattern>'
        )
    return "".join(defs)


def _status_fill(chart_id, status):
    return f"url(#{chart_id}-{status.value})" if status in PATTERNED else STATUS_FILLS[status]


def _breakdown(counts):
    parts = [f"{count} {status.label.lower()}" for status, count in counts if count]
    return ", ".join(parts) if parts else "none"


def status_bars(rows, *, title, row_heading="Theme", noun="actions", chart_id="chart"):
    """A stacked bar of counts by status for each row. `rows`: [(label, [(Status, count), ...])]."""
    rows = [(label, [(Status(status), count) for status, count in counts]) for label, counts in rows]
    body = []
    x = 0
    for status in Status:
        body.append(_el("rect", x=x, y=2, width=14, height=14, fill=_status_fill(chart_id, status),
                        stroke=TEXT, stroke_width=1))
        body.append(_el("text", status.label, x=x + 20, y=14, font_size=13))
        x += 20 + len(status.label) * 7.5 + 18
    top, row_height, bar_height = 34, 74, 22
    for index, (label, counts) in enumerate(rows):
        y = top + index * row_height
        total = sum(count for _, count in counts)
        body.append(_el("text", _truncate(f"{label} ({total} {noun})", 78), x=0, y=y + 14, font_weight="bold"))
        bar_y = y + 22
        body.append(_el("rect", x=0, y=bar_y, width=WIDTH, height=bar_height, fill="#ffffff", stroke=SECONDARY_TEXT,
                        stroke_width=1))
        left = 0.0
        for status, count in counts:
            if not count:
                continue
            width = WIDTH * count / total
            body.append(_el("rect", x=round(left, 2), y=bar_y, width=round(width, 2), height=bar_height,
                            fill=_status_fill(chart_id, status), stroke="#ffffff", stroke_width=1))
            left += width
        body.append(_el("text", _breakdown(counts) if total else f"No {noun}", x=0, y=bar_y + bar_height + 17,
                        font_size=13, fill=SECONDARY_TEXT))
    height = top + len(rows) * row_height
    description = "; ".join(f"{label}: {_breakdown(counts)}" for label, counts in rows) + "."
    table_rows = [[label, *(count for _, count in counts), sum(c for _, c in counts)] for label, counts in rows]
    if len(rows) > 1:
        totals = [sum(row[i] for row in table_rows) for i in range(1, len(Status) + 2)]
        table_rows.append([f"All {row_heading.lower()}s", *totals])
    table = Table(caption=title, head=[row_heading, *(status.label for status in Status), "Total"], rows=table_rows)
    svg = _svg(chart_id, title, description, height, "".join(body), _status_defs(chart_id))
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
            body.append(_el("text", month.strftime("%b %Y"), x=px(i), y=bottom + 22, text_anchor="middle",
                            font_size=13))
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{px(i):.1f},{py(value):.1f}" for i, (_, value) in enumerate(points)
    )
    body.append(_el("path", d=path, fill="none", stroke="#1d70b8", stroke_width=3))
    for i, (month, value) in enumerate(points):
        if month in per_month:
            body.append(_el("circle", cx=f"{px(i):.1f}", cy=f"{py(value):.1f}", r=4, fill="#1d70b8"))
    body.append(_el("text", f"{total:,} update{'s' if total != 1 else ''}", x=px(span) + 8, y=py(total) + 5,
                    font_weight="bold", font_size=13))
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
    return Chart(title=title, description=description, svg=svg, table=table,
                 notes=["Months with no published updates are left out of the table; the total stays the same."])


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
        pairs.append({
            "name": _get(indicator, "name"),
            "value": float(value),
            "comparator": float(comparator),
            "figure": _figure(value, unit),
            "comparator_figure": _figure(comparator, unit),
            "comparator_label": _get(indicator, "comparator_label") or "Comparator",
        })
    if not pairs:
        return None
    body, row_height = [], 118
    for index, pair in enumerate(pairs):
        y = index * row_height
        scale = max(pair["value"], pair["comparator"]) or 1
        body.append(_el("text", _truncate(pair["name"], 80), x=0, y=y + 16, font_weight="bold"))
        for offset, (label, value, figure, fill) in enumerate([
            (council, pair["value"], pair["figure"], "#1d70b8"),
            (pair["comparator_label"], pair["comparator"], pair["comparator_figure"], "#505a5f"),
        ]):
            line_y = y + 38 + offset * 40
            body.append(_el("text", _truncate(f"{label}: {figure}", 84), x=0, y=line_y, font_size=13))
            body.append(_el("rect", x=0, y=line_y + 6, width=round(WIDTH * value / scale, 2), height=16, fill=fill))
    height = len(pairs) * row_height
    description = "; ".join(
        f"{p['name']}: {council} {p['figure']}, {p['comparator_label'].lower()} {p['comparator_figure']}" for p in pairs
    ) + "."
    table = Table(
        caption=title,
        head=["Indicator", council, "Comparator", "Comparator’s figure"],
        rows=[[p["name"], p["figure"], p["comparator_label"], p["comparator_figure"]] for p in pairs],
        numeric_from=4,
    )
    svg = _svg(chart_id, title, description, height, "".join(body))
    return Chart(title=title, description=description, svg=svg, table=table,
                 notes=["Each pair of bars has its own scale, starting at zero. Indicators without a numeric "
                        "comparator are not drawn."])


# Adapting the app's objects to chart rows.

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
        }
        known[Status.ON_TRACK] = recommendation.action_count - sum(known.values())
        rows.append((f"Recommendation {recommendation.number}: {recommendation.title}",
                     [(status, known[status]) for status in Status]))
    return rows
