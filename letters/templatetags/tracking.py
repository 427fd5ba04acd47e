"""The follow-up tracker's charts, drawn as server-side SVG on any page."""

from __future__ import annotations

from django import template

from letters import tracking_charts

register = template.Library()


@register.inclusion_tag("letters/tracking/_chart_bars.html")
def bar_chart(chart: tracking_charts.BarChart, open_table: bool = False) -> dict:
    return {"chart": chart, "open_table": open_table}


@register.inclusion_tag("letters/tracking/_chart_columns.html")
def column_chart(chart: tracking_charts.ColumnChart, open_table: bool = False) -> dict:
    return {"chart": chart, "open_table": open_table}
