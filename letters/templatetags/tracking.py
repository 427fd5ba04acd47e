"""The follow-up tracker's charts, drawn as server-side SVG on any page."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from letters import tracking_cache, tracking_charts

register = template.Library()


@register.inclusion_tag("letters/tracking/_chart_bars.html")
def bar_chart(chart: tracking_charts.BarChart, open_table: bool = False) -> dict:
    return {"chart": chart, "open_table": open_table}


@register.inclusion_tag("letters/tracking/_chart_columns.html")
def column_chart(chart: tracking_charts.ColumnChart, open_table: bool = False) -> dict:
    return {"chart": chart, "open_table": open_table}


@register.simple_tag
def tracking_filters(filterset, action: str, keep_kind: str = "") -> SafeString:
    """
    The tracker's filter form. Its fourteen fields cost more to draw than the
    page's rows, and they change only with the query string or a write (the
    countries and themes in use, the latest letters): cached until the next one.
    """
    data = filterset.data if filterset.is_bound else {}
    lists = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    query = sorted((k, str(v)) for k, values in lists for v in values if k != "page")
    html = tracking_cache.cached_by_key(
        "filters",
        repr((action, keep_kind, query)),
        lambda: render_to_string(
            "letters/tracking/_filters.html",
            {"filter": filterset, "action": action, "keep_kind": keep_kind},
        ),
    )
    return mark_safe(html)  # rendered by the template above, which escapes
