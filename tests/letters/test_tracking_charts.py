from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from letters import tracking_charts
from letters.models import Recommendation
from tests.factories import make_follow_up, make_letter, make_theme, make_tracked_recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def recs():
    theme = make_theme(name="Refugees")
    first = make_letter(reference="CH-1", status="sent")
    second = make_letter(reference="CH-2", status="sent")
    return [
        make_tracked_recommendation(first, themes=[theme], response="accepted"),
        make_tracked_recommendation(first, themes=[theme], response="accepted"),
        make_tracked_recommendation(first, response="rejected", government="KR"),
        make_tracked_recommendation(second),
    ]


def test_breakdown_per_letter_counts_each_status(recs):
    chart = tracking_charts.status_breakdown(
        Recommendation.objects.all(), kind="response", by="letter"
    )
    rows = {row.label: {s.status: s.count for s in row.segments} for row in chart.rows}
    assert rows == {"CH-1": {"accepted": 2, "rejected": 1}, "CH-2": {"none": 1}}
    assert chart.rows[0].label == "CH-1"  # biggest first
    assert [label for _, label in chart.legend] == ["Accepted", "Rejected", "No response yet"]
    assert chart.description == (
        "4 recommendations by government response: 2 accepted, 1 rejected, 1 no response yet."
    )


def test_bars_are_scaled_to_the_biggest_group(recs):
    chart = tracking_charts.status_breakdown(
        Recommendation.objects.all(), kind="response", by="letter"
    )
    full = sum(s.width for s in chart.rows[0].segments)
    assert full == pytest.approx(
        tracking_charts.WIDTH - tracking_charts.LABEL_WIDTH - tracking_charts.TOTAL_WIDTH
    )
    assert chart.rows[1].segments[0].width == pytest.approx(full / 3, abs=0.01)
    assert chart.rows[0].segments[1].x == pytest.approx(
        chart.rows[0].segments[0].x + chart.rows[0].segments[0].width, abs=0.01
    )


def test_breakdown_per_government_uses_country_names_and_per_theme_counts_no_theme(recs):
    by_gov = tracking_charts.status_breakdown(Recommendation.objects.all(), by="government")
    assert {row.label: row.total for row in by_gov.rows} == {"Japan": 3, "South Korea": 1}
    by_theme = tracking_charts.status_breakdown(Recommendation.objects.all(), by="theme")
    assert {row.label: row.total for row in by_theme.rows} == {"Refugees": 2, "No theme": 2}


def test_follow_ups_over_time_counts_per_month_then_per_year(recs):
    chart = tracking_charts.follow_ups_over_time(Recommendation.objects.all())
    assert [(c.label, c.count) for c in chart.columns] == [("Jan 2010", 3)]
    for year in range(2010, 2014):
        for month in range(1, 13):
            make_follow_up(recs[3], date=dt.date(year, month, 5))
    chart = tracking_charts.follow_ups_over_time(Recommendation.objects.all())
    assert chart.title == "Follow-ups per year"
    assert [(c.label, c.count) for c in chart.columns][:2] == [("2010", 15), ("2011", 12)]


def test_the_svg_is_an_image_with_title_description_and_a_table(recs):
    chart = tracking_charts.status_breakdown(Recommendation.objects.all(), by="letter")
    html = render_to_string(
        "letters/tracking/_chart_bars.html", {"chart": chart, "open_table": True}
    )
    assert 'role="img"' in html
    assert f'aria-labelledby="{chart.uid}-t"' in html
    assert f'<desc id="{chart.uid}-d">4 recommendations' in html
    assert '<details class="chart-table" open>' in html
    assert '<th scope="row">CH-1</th><td class="text-end">2</td>' in html
    assert "style=" not in html and "<script" not in html


def test_the_charts_page_follows_the_tracker_filters(client, drafter, recs):
    client.force_login(drafter)
    response = client.get(reverse("letters:tracking_charts") + "?letter=CH-2&kind=implementation")
    assert response.status_code == 200
    assert response.context["overall"].rows[0].total == 1
    assert response.context["overall"].kind == "implementation"
    assert b"Charts: implementation" in response.content


def test_large_figures_are_grouped_and_never_clipped():
    """At 100,000 recommendations the totals and the axis once lost their first digits."""
    bars = tracking_charts._bar_chart(
        {"CH-1": {"accepted": 36_500, "": 63_500}, "CH-2": {"accepted": 9_999}},
        kind="response",
        by="letter",
    )
    assert [row.total_text for row in bars.rows] == ["100,000", "9,999"]
    widest = tracking_charts.text_width("100,000")
    assert bars.total_x + widest <= bars.width
    assert max(s.x + s.width for s in bars.rows[0].segments) <= bars.total_x - 6 + 0.02
    assert bars.description.startswith("109,999 recommendations by government response: 46,499")
    html = render_to_string("letters/tracking/_chart_bars.html", {"chart": bars})
    assert 'class="chart-total">100,000</text>' in html
    assert '<td class="text-end">63,500</td>' in html

    months = [tracking_charts.Column(f"M{i}", n) for i, n in enumerate([36_500, 6_600, 0])]
    columns = tracking_charts._layout_columns(
        tracking_charts.ColumnChart(title="t", description="d", columns=months)
    )
    # The axis is scaled to the data: round steps, the top one above the busiest month.
    assert [tick.text for tick in columns.ticks] == ["0", "10,000", "20,000", "30,000", "40,000"]
    assert columns.ticks[-1].y <= months[0].y  # the top tick is above the tallest column
    assert months[1].height == pytest.approx(months[0].height * 6_600 / 36_500, abs=0.02)
    # Every axis label fits left of the axis, every printed count over its column.
    assert columns.axis_x - 6 - tracking_charts.text_width("40,000") >= 0
    assert all(c.x >= columns.axis_x for c in months)
    if columns.show_counts:
        slot = (columns.width - columns.axis_x) / len(months)
        assert tracking_charts.text_width("36,500") <= slot
    html = render_to_string("letters/tracking/_chart_columns.html", {"chart": columns})
    assert ">40,000</text>" in html and "<title>M0: 36,500</title>" in html


def test_many_narrow_columns_of_large_counts_print_no_overlapping_counts():
    months = [tracking_charts.Column(f"M{i}", 36_500 + i) for i in range(40)]
    chart = tracking_charts._layout_columns(
        tracking_charts.ColumnChart(title="t", description="d", columns=months)
    )
    assert chart.slanted and not chart.show_counts
    html = render_to_string("letters/tracking/_chart_columns.html", {"chart": chart})
    assert 'class="chart-label">36,500</text>' not in html
