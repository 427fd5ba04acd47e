"""The tracker and charts pages: drafts left out, filters folded away, figures that add up."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import reset_queries
from django.urls import reverse

from letters import tracking_charts
from letters.models import Recommendation
from tests.factories import (
    make_follow_up,
    make_letter,
    make_section,
    make_theme,
    make_tracked_recommendation,
)

pytestmark = pytest.mark.django_db

TRACKER = reverse("letters:tracking")
CHARTS = reverse("letters:tracking_charts")


@pytest.fixture
def sent_and_draft():
    sent = make_letter(reference="SENT-1", status="sent")
    draft = make_letter(reference="DRAFT-1", status="draft")
    circulating = make_letter(reference="CIRC-1", status="circulating")
    make_tracked_recommendation(sent, text="Sent ask", response="accepted")
    make_tracked_recommendation(draft, text="Draft ask")
    make_tracked_recommendation(circulating, text="Circulating ask")
    return sent, draft, circulating


def references(response) -> set[str]:
    return {rec.letter.reference for rec in response.context["page"].object_list}


def test_the_tracker_leaves_drafts_out_unless_asked(client, drafter, sent_and_draft):
    client.force_login(drafter)
    response = client.get(TRACKER)
    assert references(response) == {"SENT-1"}
    assert "drafts left out" in response.content.decode()
    response = client.get(TRACKER + "?include_drafts=on")
    assert references(response) == {"SENT-1", "DRAFT-1", "CIRC-1"}
    assert "drafts left out" not in response.content.decode()


def test_a_letter_asked_for_by_reference_is_shown_even_in_draft(client, drafter, sent_and_draft):
    client.force_login(drafter)
    assert references(client.get(TRACKER + "?letter=DRAFT-1")) == {"DRAFT-1"}


def test_the_charts_and_the_export_leave_drafts_out_too(client, drafter, sent_and_draft):
    client.force_login(drafter)
    response = client.get(CHARTS)
    assert response.context["overall"].rows[0].total == 1
    assert response.context["overall"].description.startswith("1 recommendation ")
    response = client.get(CHARTS + "?include_drafts=on")
    assert response.context["overall"].rows[0].total == 3
    exported = b"".join(client.get(reverse("letters:tracking_export", args=["csv"]))).decode()
    assert "Sent ask" in exported and "Draft ask" not in exported


def test_filters_are_folded_until_one_is_used(client, drafter, sent_and_draft):
    client.force_login(drafter)
    for url in (TRACKER, CHARTS):
        html = client.get(url).content.decode()
        assert '<details class="card mb-4 tracking-filters">' in html
        html = client.get(url + "?response=accepted&sort=reference").content.decode()
        assert '<details class="card mb-4 tracking-filters" open>' in html
        assert "1 active" in html
    # The results come before anything else on the page but the folded filters.
    html = client.get(TRACKER).content.decode()
    assert html.index("tracking-filters") < html.index('id="results-heading"')
    assert html.index("</details>") < html.index('id="results-heading"')


def test_the_per_theme_chart_says_what_it_counts():
    letter = make_letter(status="sent")
    themes = [make_theme(name=f"T{n}") for n in range(3)]
    # 19 recommendations: 5 with two themes, 1 with three, 10 with one, 3 with none: 26 rows.
    for n in range(19):
        if n < 5:
            tags = themes[:2]
        elif n == 5:
            tags = themes
        elif n < 16:
            tags = themes[:1]
        else:
            tags = []
        make_tracked_recommendation(letter, themes=tags, response="accepted" if n % 2 else "")
    chart = tracking_charts.status_breakdown(Recommendation.objects.all(), by="theme")
    assert sum(row.total for row in chart.rows) == 5 * 2 + 3 + 10 + 3
    assert chart.description.startswith(
        "19 recommendations, counted once per theme (26 in all: 23 theme tags, "
        "the rest without a theme), by government response: "
    )
    per_letter = tracking_charts.status_breakdown(Recommendation.objects.all(), by="letter")
    assert per_letter.description.startswith("19 recommendations by government response")


def test_a_chart_cut_to_its_biggest_groups_still_describes_them_all():
    for n in range(5):
        make_tracked_recommendation(make_letter(reference=f"L-{n}", status="sent"))
    chart = tracking_charts.status_breakdown(Recommendation.objects.all(), by="letter", limit=3)
    assert len(chart.rows) == 3
    assert chart.description.startswith("5 recommendations by government response")
    assert chart.description.endswith("2 smaller groups not drawn: see the table.")


def test_every_month_gets_a_column_and_a_label_empty_ones_as_zero():
    rec = make_tracked_recommendation(response="accepted", date=dt.date(2010, 1, 10))
    make_follow_up(rec, date=dt.date(2010, 4, 2))
    make_follow_up(rec, date=dt.date(2010, 4, 20))
    chart = tracking_charts.follow_ups_over_time(Recommendation.objects.all())
    assert [(c.label, c.count) for c in chart.columns] == [
        ("Jan 2010", 1),
        ("Feb 2010", 0),
        ("Mar 2010", 0),
        ("Apr 2010", 2),
    ]
    assert chart.description == (
        "3 follow-up entries from Jan 2010 to Apr 2010; the busiest month was Apr 2010 "
        "with 2; 2 months without any."
    )
    from django.template.loader import render_to_string

    html = render_to_string("letters/tracking/_chart_columns.html", {"chart": chart})
    svg = html.split("<svg")[1].split("</svg>")[0]
    for label in ("Jan 2010", "Feb 2010", "Mar 2010", "Apr 2010"):
        assert re.search(rf'class="chart-label">{label}</text>', svg), label


def test_many_months_get_slanted_labels_that_stay_inside_the_drawing():
    rec = make_tracked_recommendation(response="accepted", date=dt.date(2010, 1, 10))
    make_follow_up(rec, date=dt.date(2012, 6, 1))
    chart = tracking_charts.follow_ups_over_time(Recommendation.objects.all())
    assert len(chart.columns) == 30 and chart.title == "Follow-ups per month"
    assert chart.slanted
    assert chart.columns[-1].x + chart.bar_width <= chart.width
    assert chart.height >= chart.plot_height + 60  # room for the slanted labels


def test_long_group_labels_are_shortened_on_the_bar_and_whole_in_the_table():
    long = "A very long theme name that would not fit beside its bar"
    make_tracked_recommendation(themes=[make_theme(name=long)])
    chart = tracking_charts.status_breakdown(Recommendation.objects.all(), by="theme")
    from django.template.loader import render_to_string

    html = render_to_string("letters/tracking/_chart_bars.html", {"chart": chart})
    assert f"<title>{long}</title>" in html and f'<th scope="row">{long}</th>' in html
    assert len(chart.rows[0].short_label) == tracking_charts.LABEL_CHARS


@pytest.mark.parametrize("url", [TRACKER, CHARTS, TRACKER + "?include_drafts=on"])
def test_tracker_and_charts_query_counts_do_not_grow(
    client, drafter, url, django_assert_max_num_queries
):
    theme = make_theme(name="Refugees")
    make_tracked_recommendation(make_letter(status="sent"), themes=[theme], response="accepted")
    make_tracked_recommendation(make_letter(status="draft"), themes=[theme])
    client.force_login(drafter)
    reset_queries()
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    count = len(small)
    for n in range(6):
        letter = make_letter(status="sent" if n % 2 else "draft")
        section = make_section(letter)
        for m in range(4):
            rec = make_tracked_recommendation(
                letter, section=section, themes=[theme, make_theme()], response="noted"
            )
            make_follow_up(rec, date=dt.date(2010 + m, 1 + n, 3))
    reset_queries()
    with django_assert_max_num_queries(count):
        client.get(url)
