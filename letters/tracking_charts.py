"""
Server-rendered SVG charts of recommendation statuses: geometry is computed
here, templates in templates/letters/charts/ draw it. No JavaScript, so they
print and pass a strict CSP; each chart has a title, a description and a table
with the same figures for people who cannot see it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django_countries import countries

from letters.models import FollowUp, ImplementationStatus, Recommendation, ResponseStatus

_ids = itertools.count(1)

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
LABEL_WIDTH = 150
OVERALL_WIDTH = 360
TOTAL_WIDTH = 44
BAR_HEIGHT = 22
GAP = 8


@dataclass
class Segment:
    status: str
    label: str
    count: int
    x: float = 0
    width: float = 0


@dataclass
class Row:
    label: str
    total: int
    segments: list[Segment]
    cells: list[int] = field(default_factory=list)
    y: float = 0
    text_y: float = 0


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
    uid: str = field(default_factory=lambda: f"chart{next(_ids)}")
    width: int = WIDTH
    height: float = 0
    label_width: int = LABEL_WIDTH
    total_x: float = WIDTH - TOTAL_WIDTH + 6

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _layout(chart: BarChart) -> BarChart:
    biggest = max((row.total for row in chart.rows), default=1) or 1
    span = chart.width - chart.label_width - TOTAL_WIDTH
    chart.total_x = chart.width - TOTAL_WIDTH + 6
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


def _describe(rows: list[Row], order, what: str) -> str:
    totals = {status: 0 for status, _ in order}
    for row in rows:
        for (status, _), n in zip(order, row.cells, strict=True):
            totals[status] += n
    count = sum(totals.values())
    parts = [f"{totals[status]} {label.lower()}" for status, label in order if totals[status]]
    return f"{count} recommendation{'s' if count != 1 else ''} by {what}: " + ", ".join(parts) + "."


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
    """
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
    return _bar_chart(grouped, kind=kind, by=by, limit=limit)


@dataclass
class StatusSummary:
    response: BarChart
    implementation: BarChart
    total: int
    overdue: int


def status_summary(recommendations: QuerySet[Recommendation]) -> StatusSummary:
    """Both overall charts, the count and the overdue count, from one query."""
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
    grouped: dict[str, dict[str, int]], *, kind: str, by: str | None = None, limit: int = 12
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
            label = "No theme"
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
    more = max(len(rows) - limit, 0)
    rows = rows[:limit]

    title = f"Recommendations by {what}" + (f", per {group_name}" if group_name else "")
    chart = BarChart(
        group_name=group_name.capitalize() or "Recommendations",
        title=title,
        description=_describe(rows, order, what) if rows else "No recommendations.",
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


@dataclass
class ColumnChart:
    title: str
    description: str
    columns: list[Column]
    uid: str = field(default_factory=lambda: f"chart{next(_ids)}")
    width: int = WIDTH
    height: int = 200
    plot_height: int = 170
    biggest: int = 0
    bar_width: float = 0

    @property
    def is_empty(self) -> bool:
        return not self.columns


def follow_ups_over_time(recommendations: QuerySet[Recommendation]) -> ColumnChart:
    """Entries recorded per month (per year when the record spans more than three years)."""
    entries = FollowUp.objects.all()
    if recommendations.query.where:
        entries = entries.filter(recommendation__in=recommendations.order_by().values("pk"))
    months = [
        (item["period"], item["n"])
        for item in entries.annotate(period=TruncMonth("date"))
        .values("period")
        .annotate(n=Count("pk"))
        .order_by("period")
    ]
    by_year = len(months) > 36
    if by_year:
        years: dict = {}
        for period, n in months:
            key = period.replace(month=1)
            years[key] = years.get(key, 0) + n
        months = list(years.items())
    fmt = "%Y" if by_year else "%b %Y"
    columns = [Column(period.strftime(fmt), n) for period, n in months]
    total = sum(c.count for c in columns)
    if columns:
        description = (
            f"{total} follow-up entr{'ies' if total != 1 else 'y'} from {columns[0].label} "
            f"to {columns[-1].label}; the busiest {'year' if by_year else 'month'} was "
            f"{max(columns, key=lambda c: c.count).label} "
            f"with {max(c.count for c in columns)}."
        )
    else:
        description = "No follow-up recorded yet."
    chart = ColumnChart(
        title=f"Follow-ups per {'year' if by_year else 'month'}",
        description=description,
        columns=columns,
    )
    chart.biggest = max((c.count for c in columns), default=0)
    if columns:
        slot = (WIDTH - 40) / len(columns)
        chart.bar_width = round(max(slot * 0.7, 1), 2)
        for index, column in enumerate(columns):
            column.height = round(chart.plot_height * column.count / chart.biggest, 2)
            column.x = round(40 + index * slot + (slot - chart.bar_width) / 2, 2)
            column.y = round(chart.plot_height - column.height, 2)
    return chart
