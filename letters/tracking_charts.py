"""
Server-rendered SVG charts of recommendation statuses: geometry is computed
here, templates in templates/letters/charts/ draw it. No JavaScript, so they
print and pass a strict CSP; each chart has a title, a description and a table
with the same figures for people who cannot see it.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django_countries import countries

from letters import tracking_cache
from letters.models import FollowUp, ImplementationStatus, Recommendation, ResponseStatus


def _new_uid() -> str:
    """
    An id for the SVG's title and description, unique across processes: charts
    are cached (one computed by each worker may share a page).
    """
    return f"chart{uuid.uuid4().hex[:12]}"


# Order in which statuses stack, best outcome first; "" means no status yet.
RESPONSE_ORDER = [
    (ResponseStatus.ACCEPTED, "Accepted"),
    (ResponseStatus.PARTIALLY_ACCEPTED, "Partially accepted"),
    (ResponseStatus.NOTED, "Noted"),
    (ResponseStatus.AWAITING, "Awaiting response"),
    (ResponseStatus.NO_REPLY, "No reply"),
    (ResponseStatus.REJECTED, "Rejected"),
    ("", "No response yet"),
]
IMPLEMENTATION_ORDER = [
    (ImplementationStatus.IMPLEMENTED, "Implemented"),
    (ImplementationStatus.PARTIALLY_IMPLEMENTED, "Partially implemented"),
    (ImplementationStatus.IN_PROGRESS, "In progress"),
    (ImplementationStatus.NOT_STARTED, "Not started"),
    (ImplementationStatus.REGRESSED, "Regressed"),
    ("", "Not assessed"),
]
KINDS = {
    "response": ("current_response", RESPONSE_ORDER, "government response"),
    "implementation": ("current_implementation", IMPLEMENTATION_ORDER, "implementation"),
}
DIMENSIONS = {
    "letter": ("letter__reference", "letter"),
    "government": ("government", "addressed government"),
    "theme": ("themes__name", "theme"),
}

WIDTH = 640
LABEL_WIDTH = 220
# Group labels longer than this are shortened on the bar (whole in the table and tooltip).
LABEL_CHARS = 30
OVERALL_WIDTH = 300
# The narrowest column for the totals at the end of the bars; wider when a total needs it.
TOTAL_WIDTH = 44
BAR_HEIGHT = 22
GAP = 8
# Advance of one character of a 13 px label, a little over DejaVu Sans Bold's
# digits (9 px): text is measured with it so that no figure is clipped.
CHAR_WIDTH = 9


def figure(n: int) -> str:
    """A count as the charts print it: with thousands separators (36,500)."""
    return f"{n:,}"


def text_width(text: str) -> int:
    return len(text) * CHAR_WIDTH


@dataclass
class Segment:
    status: str
    label: str
    count: int
    x: float = 0
    width: float = 0

    @property
    def count_text(self) -> str:
        return figure(self.count)


@dataclass
class Row:
    label: str
    total: int
    segments: list[Segment]
    cells: list[int] = field(default_factory=list)
    y: float = 0
    text_y: float = 0

    @property
    def total_text(self) -> str:
        return figure(self.total)

    @property
    def cell_texts(self) -> list[str]:
        return [figure(n) for n in self.cells]

    @property
    def short_label(self) -> str:
        if len(self.label) <= LABEL_CHARS:
            return self.label
        return self.label[: LABEL_CHARS - 1].rstrip() + "…"


@dataclass
class BarChart:
    """Horizontal stacked bars: one row per group, one segment per status."""

    group_name: str
    title: str
    description: str
    kind: str
    legend: list[tuple[str, str]]
    rows: list[Row]
    more: int = 0
    uid: str = field(default_factory=_new_uid)
    width: int = WIDTH
    height: float = 0
    label_width: int = LABEL_WIDTH
    total_width: int = TOTAL_WIDTH
    total_x: float = WIDTH - TOTAL_WIDTH + 6

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _layout(chart: BarChart) -> BarChart:
    biggest = max((row.total for row in chart.rows), default=1) or 1
    # The totals' column is as wide as the longest total ("100,000" needs 63 px).
    chart.total_width = max(TOTAL_WIDTH, text_width(figure(biggest)) + 8)
    span = chart.width - chart.label_width - chart.total_width
    chart.total_x = chart.width - chart.total_width + 6
    for index, row in enumerate(chart.rows):
        row.y = index * (BAR_HEIGHT + GAP)
        row.text_y = row.y + BAR_HEIGHT / 2 + 4
        x = float(chart.label_width)
        for segment in row.segments:
            segment.x = round(x, 2)
            segment.width = round(span * segment.count / biggest, 2)
            x += segment.width
    chart.height = max(len(chart.rows) * (BAR_HEIGHT + GAP) - GAP, BAR_HEIGHT)
    return chart


def _plural(n: int, word: str) -> str:
    return f"{figure(n)} {word}{'' if n == 1 else 's'}"


def _describe(rows: list[Row], order, what: str, *, recommendations: int | None = None) -> str:
    """
    The figures in words, over every group (those cut from the drawing too).
    Per theme a recommendation counts once for each of its themes, so the
    counts add up to more than there are recommendations: say so.
    """
    totals = {status: 0 for status, _ in order}
    for row in rows:
        for (status, _), n in zip(order, row.cells, strict=True):
            totals[status] += n
    count = sum(totals.values())
    parts = ", ".join(
        f"{figure(totals[status])} {label.lower()}" for status, label in order if totals[status]
    )
    if recommendations is None:
        return f"{_plural(count, 'recommendation')} by {what}: {parts}."
    return (
        f"{_plural(recommendations, 'recommendation')}, counted once per theme "
        f"({figure(count)} in all: {_plural(count - _untagged(rows), 'theme tag')}"
        f"{', the rest without a theme' if _untagged(rows) else ''}), by {what}: {parts}."
    )


def _untagged(rows: list[Row]) -> int:
    return sum(row.total for row in rows if row.label == NO_THEME)


NO_THEME = "No theme"


def status_breakdown(
    recommendations: QuerySet[Recommendation],
    *,
    kind: str = "response",
    by: str | None = None,
    limit: int = 12,
) -> BarChart:
    """
    Count recommendations per status (one query), overall or per letter,
    government or theme; groups beyond `limit` (the smallest) are left out and counted.
    Cached until the next write (letters.tracking_cache).
    """
    return tracking_cache.cached(
        f"breakdown:{kind}:{by}:{limit}",
        recommendations,
        lambda: _status_breakdown(recommendations, kind=kind, by=by, limit=limit),
    )


def _status_breakdown(
    recommendations: QuerySet[Recommendation], *, kind: str, by: str | None, limit: int
) -> BarChart:
    column = KINDS[kind][0]
    if by is None:
        values = recommendations.order_by().values(column)
        group = None
    else:
        group = DIMENSIONS[by][0]
        values = recommendations.order_by().values(group, column)
    grouped: dict[str, dict[str, int]] = {}
    # No DISTINCT needed per theme: a recommendation has each theme at most once.
    for item in values.annotate(n=Count("pk")):
        key = item[group] if group else "All"
        grouped.setdefault(key, {})[item[column]] = item["n"]
    # Per theme the groups overlap: the text alternative needs the real count too.
    distinct = recommendations.order_by().count() if by == "theme" and grouped else None
    return _bar_chart(grouped, kind=kind, by=by, limit=limit, recommendations=distinct)


@dataclass
class StatusSummary:
    response: BarChart
    implementation: BarChart
    total: int
    overdue: int


def status_summary(recommendations: QuerySet[Recommendation]) -> StatusSummary:
    """
    Both overall charts, the count and the overdue count, from one query,
    cached until the next write (letters.tracking_cache).
    """
    return tracking_cache.cached(
        "summary", recommendations, lambda: _status_summary(recommendations)
    )


def _status_summary(recommendations: QuerySet[Recommendation]) -> StatusSummary:
    today = timezone.localdate()
    counts = (
        recommendations.order_by()
        .values("current_response", "current_implementation")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(review_due__lt=today)))
    )
    response: dict[str, int] = {}
    implementation: dict[str, int] = {}
    total = overdue = 0
    for item in counts:
        response[item["current_response"]] = response.get(item["current_response"], 0) + item["n"]
        key = item["current_implementation"]
        implementation[key] = implementation.get(key, 0) + item["n"]
        total += item["n"]
        overdue += item["late"]
    return StatusSummary(
        response=_bar_chart({"All": response} if total else {}, kind="response"),
        implementation=_bar_chart({"All": implementation} if total else {}, kind="implementation"),
        total=total,
        overdue=overdue,
    )


def _bar_chart(
    grouped: dict[str, dict[str, int]],
    *,
    kind: str,
    by: str | None = None,
    limit: int = 12,
    recommendations: int | None = None,
) -> BarChart:
    _, order, what = KINDS[kind]
    group_name = DIMENSIONS[by][1] if by else ""
    # Only the statuses that occur: the legend and the table stay short.
    present = {status for by_status in grouped.values() for status, n in by_status.items() if n}
    order = [(status, label) for status, label in order if status in present]
    labels = dict(order)
    rows = []
    for key, by_status in grouped.items():
        if by == "government":
            label = countries.name(key) or key
        elif by == "theme" and key is None:
            label = NO_THEME
        else:
            label = str(key)
        segments = [
            Segment(status or "none", labels[status], by_status.get(status, 0))
            for status, _ in order
            if by_status.get(status)
        ]
        cells = [by_status.get(status, 0) for status, _ in order]
        rows.append(Row(label, sum(s.count for s in segments), segments, cells))
    rows.sort(key=lambda row: (-row.total, row.label))
    description = (
        _describe(rows, order, what, recommendations=recommendations)
        if rows
        else "No recommendations."
    )
    more = max(len(rows) - limit, 0)
    if more:
        description += f" {_plural(more, 'smaller group')} not drawn: see the table."
    rows = rows[:limit]

    title = f"Recommendations by {what}" + (f", per {group_name}" if group_name else "")
    chart = BarChart(
        group_name=group_name.capitalize() or "Recommendations",
        title=title,
        description=description,
        kind=kind,
        legend=[(status or "none", label) for status, label in order],
        rows=rows,
        more=more,
        # One overall bar needs no label column, and is drawn narrower so it
        # stays legible in a side panel.
        label_width=LABEL_WIDTH if by else 0,
        width=WIDTH if by else OVERALL_WIDTH,
    )
    return _layout(chart)


@dataclass
class Column:
    label: str
    count: int
    x: float = 0
    y: float = 0
    height: float = 0
    center: float = 0

    @property
    def count_text(self) -> str:
        return figure(self.count)


@dataclass
class Tick:
    """A line across the plot at a round figure, labelled on the axis."""

    value: int
    y: float

    @property
    def text(self) -> str:
        return figure(self.value)


@dataclass
class ColumnChart:
    title: str
    description: str
    columns: list[Column]
    uid: str = field(default_factory=_new_uid)
    width: float = WIDTH
    height: int = 200
    plot_height: int = 170
    biggest: int = 0
    bar_width: float = 0
    # Narrow columns get their labels slanted, so that every one is readable.
    slanted: bool = False
    show_counts: bool = False
    label_y: float = 0
    axis_x: float = 0
    ticks: list[Tick] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.columns


AXIS_X = 40  # at least; wider when the top tick's figure needs it
MIN_SLOT = 20  # wide enough for one slanted 12 px label per column
SLANT_BELOW = 64  # a slot narrower than this cannot hold "Sep 2010" level
PLOT_HEIGHT = 170


def _periods(first: dt.date, last: dt.date, *, by_year: bool) -> list[dt.date]:
    """Every month (or year) from first to last, those without entries too."""
    periods = []
    current = first.replace(month=1, day=1) if by_year else first.replace(day=1)
    while current <= last:
        periods.append(current)
        if by_year:
            current = current.replace(year=current.year + 1)
        else:
            current = (current + dt.timedelta(days=32)).replace(day=1)
    return periods


def follow_ups_over_time(recommendations: QuerySet[Recommendation]) -> ColumnChart:
    """
    Entries recorded per month (per year when the record spans more than three
    years), with a column for every period between the first and the last, so
    an empty month reads as zero rather than disappearing. Cached until the next
    write (letters.tracking_cache).
    """
    return tracking_cache.cached(
        "over_time", recommendations, lambda: _follow_ups_over_time(recommendations)
    )


def _follow_ups_over_time(recommendations: QuerySet[Recommendation]) -> ColumnChart:
    entries = FollowUp.objects.all()
    if recommendations.query.where:
        entries = entries.filter(recommendation__in=recommendations.order_by().values("pk"))
    counted = {
        _as_date(item["period"]): item["n"]
        for item in entries.annotate(period=TruncMonth("date"))
        .values("period")
        .annotate(n=Count("pk"))
        .order_by("period")
    }
    columns: list[Column] = []
    by_year = False
    if counted:
        first, last = min(counted), max(counted)
        by_year = (last.year - first.year) * 12 + last.month - first.month >= 36
        per_period: dict[dt.date, int] = dict.fromkeys(_periods(first, last, by_year=by_year), 0)
        for month, n in counted.items():
            per_period[month.replace(month=1) if by_year else month] += n
        fmt = "%Y" if by_year else "%b %Y"
        columns = [Column(period.strftime(fmt), n) for period, n in per_period.items()]
    unit = "year" if by_year else "month"
    chart = ColumnChart(
        title=f"Follow-ups per {unit}",
        description=_describe_periods(columns, unit),
        columns=columns,
    )
    return _layout_columns(chart)


def _as_date(value) -> dt.date:
    # TruncMonth gives a date for a DateField; be as plain on every database.
    return value.date() if isinstance(value, dt.datetime) else value


def _describe_periods(columns: list[Column], unit: str) -> str:
    if not columns:
        return "No follow-up recorded yet."
    total = sum(c.count for c in columns)
    busiest = max(columns, key=lambda c: c.count)
    empty = sum(1 for c in columns if not c.count)
    text = (
        f"{figure(total)} follow-up entr{'ies' if total != 1 else 'y'} from {columns[0].label} "
        f"to {columns[-1].label}; the busiest {unit} was {busiest.label} "
        f"with {figure(busiest.count)}"
    )
    if empty:
        text += f"; {_plural(empty, unit)} without any"
    return text + "."


def _nice_step(biggest: int, ticks: int = 4) -> int:
    """A round step (1, 2, 2.5 or 5 times a power of ten): about `ticks` lines up to `biggest`."""
    raw = max(biggest / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw and (factor * power) % 1 == 0:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - 10 always fits


def _layout_columns(chart: ColumnChart) -> ColumnChart:
    columns = chart.columns
    chart.biggest = max((c.count for c in columns), default=0)
    if not columns:
        return chart
    # The axis runs to the round figure above the busiest period, with a line at each step.
    step = _nice_step(chart.biggest)
    top_value = step * max(math.ceil(chart.biggest / step), 1)
    chart.axis_x = max(AXIS_X, text_width(figure(top_value)) + 10)
    slot = max((WIDTH - chart.axis_x) / len(columns), MIN_SLOT)
    chart.width = round(chart.axis_x + slot * len(columns), 2)
    chart.slanted = slot < SLANT_BELOW
    # A count is printed above its column only when the widest one fits the slot.
    chart.show_counts = slot >= text_width(figure(chart.biggest)) + 4
    chart.plot_height = PLOT_HEIGHT
    chart.label_y = PLOT_HEIGHT + 18
    # Slanted labels need room below the axis; the counts above the columns need a line.
    chart.height = PLOT_HEIGHT + (70 if chart.slanted else 30)
    chart.bar_width = round(max(slot * 0.7, 1), 2)
    top = 16  # room for the count above the tallest column
    scale = (PLOT_HEIGHT - top) / top_value
    chart.ticks = [
        Tick(value, round(PLOT_HEIGHT - value * scale, 2))
        for value in range(0, top_value + 1, step)
    ]
    for index, column in enumerate(columns):
        column.height = round(column.count * scale, 2)
        column.x = round(chart.axis_x + index * slot + (slot - chart.bar_width) / 2, 2)
        column.y = round(PLOT_HEIGHT - column.height, 2)
        column.center = round(column.x + chart.bar_width / 2, 2)
    return chart
