"""Tags the follow-up tracker puts on shared pages: charts, dashboard block, letter panel."""

from __future__ import annotations

from django import template

from letters import charts, tracking
from letters.models import Letter, LetterStatus, Recommendation

register = template.Library()


@register.inclusion_tag("letters/charts/_bars.html")
def bar_chart(chart: charts.BarChart, open_table: bool = False) -> dict:
    return {"chart": chart, "open_table": open_table}


@register.inclusion_tag("letters/charts/_columns.html")
def column_chart(chart: charts.ColumnChart, open_table: bool = False) -> dict:
    return {"chart": chart, "open_table": open_table}


@register.inclusion_tag("letters/tracker/_dashboard.html", takes_context=True)
def tracker_dashboard(context) -> dict:
    """Status of every recommendation of the letters that went out (two queries)."""
    summary = charts.status_summary(
        Recommendation.objects.filter(letter__status__in=tracking.FOLLOWED_STATUSES)
    )
    return {
        "response_chart": summary.response,
        "implementation_chart": summary.implementation,
        "overdue_count": summary.overdue,
        "request": context.get("request"),
    }


@register.inclusion_tag("letters/tracker/_letter_panel.html")
def letter_tracker_panel(letter: Letter) -> dict:
    summary = charts.status_summary(Recommendation.objects.filter(letter=letter))
    return {
        "letter": letter,
        "is_followed": letter.status in tracking.FOLLOWED_STATUSES,
        "response_chart": summary.response,
        "implementation_chart": summary.implementation,
        "overdue_count": summary.overdue,
    }


@register.inclusion_tag("letters/tracker/_letter_actions.html", takes_context=True)
def letter_tracker_actions(context, letter: Letter) -> dict:
    user = context["request"].user
    return {
        "letter": letter,
        "can_start": (
            letter.status in (*tracking.FOLLOWED_STATUSES, LetterStatus.FINAL)
            and tracking.can_record(user)
            and user.has_perm("letters.add_letter")
        ),
        "csrf_token": context.get("csrf_token"),
    }
