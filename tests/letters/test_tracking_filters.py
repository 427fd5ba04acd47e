from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    make_follow_up,
    make_letter,
    make_theme,
    make_tracked_recommendation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():
    """Five recommendations in two letters, each with a known state."""
    refugees = make_theme(name="Refugees", slug="refugees")
    food = make_theme(name="Food aid", slug="food-aid")
    first = make_letter(reference="AAA-2009", date=dt.date(2009, 12, 10), status="sent")
    second = make_letter(reference="BBB-2011", date=dt.date(2011, 5, 1), status="sent")
    return {
        "r1": make_tracked_recommendation(
            first,
            text="Raise human rights in every meeting.",
            third_state="KP",
            themes=[refugees],
            response="accepted",
            implementation="implemented",
        ),
        "r2": make_tracked_recommendation(
            first,
            text="Press China to stop forced returns.",
            third_state="CN",
            themes=[refugees, food],
            response="rejected",
            implementation="not_started",
            review=dt.date(2010, 6, 1),
        ),
        "r3": make_tracked_recommendation(first, text="Open a resettlement programme."),
        "r4": make_tracked_recommendation(
            second,
            text="Resume monitored food aid.",
            government="KR",
            third_state="KP",
            themes=[food],
            response="noted",
            implementation="in_progress",
            review=dt.date(2099, 1, 1),
            date=dt.date(2011, 6, 1),
        ),
        "r5": make_tracked_recommendation(
            second,
            text="Fund the UN inquiry.",
            government="US",
            response="accepted",
            date=dt.date(2011, 7, 1),
        ),
    }


def refs(page, dataset) -> set[str]:
    by_ref = {rec.reference: name for name, rec in dataset.items()}
    return {by_ref[rec.reference] for rec in page.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"r1", "r2", "r3", "r4", "r5"}),
        ("letter=AAA-2009", {"r1", "r2", "r3"}),
        ("government=KR", {"r4"}),
        ("third_state=KP", {"r1", "r4"}),
        ("third_state=none", {"r3", "r5"}),
        ("theme=refugees", {"r1", "r2"}),
        ("theme=food-aid", {"r2", "r4"}),
        ("response=accepted", {"r1", "r5"}),
        ("response=none", {"r3"}),
        ("implementation=not_started", {"r2"}),
        ("implementation=none", {"r3", "r5"}),
        ("overdue=on", {"r2"}),
        ("updated_after=2011-01-01", {"r4", "r5"}),
        ("updated_before=2010-12-31", {"r1", "r2"}),
        ("sent_after=2011-01-01", {"r4", "r5"}),
        ("sent_before=2010-01-01", {"r1", "r2", "r3"}),
        ("q=food", {"r4"}),
        ("letter=AAA-2009&response=accepted", {"r1"}),
        ("theme=food-aid&overdue=on", {"r2"}),
    ],
)
def test_tracker_filters_select_exactly_the_matching_recommendations(
    client, drafter, dataset, query, expected
):
    client.force_login(drafter)
    response = client.get(f"{reverse('letters:tracking')}?{query}")
    assert response.status_code == 200
    assert refs(response, dataset) == expected


def test_the_filters_stay_in_the_links_to_pages_charts_and_exports(client, drafter, dataset):
    client.force_login(drafter)
    html = client.get(reverse("letters:tracking") + "?theme=refugees&sort=-reference").content
    html = html.decode()
    assert (
        f"{reverse('letters:tracking_export', args=['csv'])}?theme=refugees&amp;sort=-reference"
        in html
    )
    assert f"{reverse('letters:tracking_charts')}?theme=refugees&amp;sort=-reference" in html


def test_sorting_by_reference_both_ways(client, drafter, dataset):
    client.force_login(drafter)
    up = client.get(reverse("letters:tracking") + "?sort=reference").context["page"]
    down = client.get(reverse("letters:tracking") + "?sort=-reference").context["page"]
    assert [r.reference for r in up] == sorted(r.reference for r in dataset.values())
    assert [r.reference for r in down] == sorted(
        (r.reference for r in dataset.values()), reverse=True
    )


def test_an_invalid_filter_shows_a_message_not_an_error(client, drafter, dataset):
    client.force_login(drafter)
    response = client.get(reverse("letters:tracking") + "?response=maybe&updated_after=yesterday")
    assert response.status_code == 200
    assert b"Some filters are not valid" in response.content
    assert response.context["page"].paginator.count == 0


def test_results_are_paginated_and_pages_keep_the_filters(client, drafter):
    letter = make_letter(status="sent", reference="PAGE-1")
    for _ in range(55):
        make_tracked_recommendation(letter)
    client.force_login(drafter)
    response = client.get(reverse("letters:tracking") + "?letter=PAGE-1")
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (55, 50, 2)
    assert b"?letter=PAGE-1&amp;page=2" in response.content
    second = client.get(reverse("letters:tracking") + "?letter=PAGE-1&page=2").context["page"]
    assert len(second.object_list) == 5
    assert not {r.pk for r in page} & {r.pk for r in second}


def grow(n: int) -> None:
    """n more recommendations, each with themes and several entries."""
    theme = make_theme()
    letter = make_letter(status="sent")
    for i in range(n):
        rec = make_tracked_recommendation(
            letter, themes=[theme], response="accepted", review=dt.date(2010, 1, 1)
        )
        make_follow_up(rec, date=dt.date(2010, 2, 1 + i % 20), implementation_status="in_progress")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("letters:tracking"),
        reverse("letters:tracking") + "?theme=refugees&response=accepted&overdue=on",
        reverse("letters:tracking_charts"),
        reverse("dashboard"),
        reverse("letters:tracking_export", args=["csv"]),
    ],
)
def test_query_count_does_not_grow_with_the_data(client, drafter, dataset, url):
    client.force_login(drafter)
    client.get(url)  # warm the session and the user's roles
    small = count_queries(client, url)
    grow(60)
    large = count_queries(client, url)
    assert large == small
    assert large <= 20


def test_recommendation_page_query_count_does_not_grow_with_entries(client, drafter, dataset):
    rec = dataset["r2"]
    client.force_login(drafter)
    url = rec.get_absolute_url()
    client.get(url)
    small = count_queries(client, url)
    for day in range(1, 25):
        entry = make_follow_up(rec, date=dt.date(2010, 3, day), note="again")
        entry.note = "corrected"
        entry.save()
    large = count_queries(client, url)
    assert large == small
    assert large <= 20


def test_search_matches_words_or_the_exact_reference(client, drafter, dataset):
    client.force_login(drafter)
    tracker = reverse("letters:tracking")
    assert refs(client.get(f"{tracker}?q=forced returns"), dataset) == {"r2"}
    assert refs(client.get(f"{tracker}?q={dataset['r3'].reference.lower()}"), dataset) == {"r3"}
    assert refs(client.get(f"{tracker}?q=nothing-like-this"), dataset) == set()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the GIN text index exists on PostgreSQL only"
)
def test_on_postgresql_the_search_uses_the_text_index():
    from letters.filters import RecommendationFilter
    from letters.models import Recommendation

    filterset = RecommendationFilter({"q": "food"}, queryset=Recommendation.objects.all())
    with connection.cursor() as cursor:
        # Leave the planner only bitmap scans, so that the plan shows whether the
        # search can use the text index at all (on a tiny table it would rather
        # walk another index in sort order).
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = filterset.qs.explain()
        cursor.execute("SET enable_seqscan = on")
        cursor.execute("SET enable_indexscan = on")
    assert "rec_text_search_idx" in plan


def test_sorting_by_next_review_puts_empty_dates_last_both_ways(client, drafter, dataset):
    client.force_login(drafter)
    up = client.get(reverse("letters:tracking") + "?sort=review").context["page"]
    down = client.get(reverse("letters:tracking") + "?sort=-review").context["page"]
    by_ref = {rec.reference: name for name, rec in dataset.items()}
    assert [by_ref[r.reference] for r in up][:2] == ["r2", "r4"]
    assert [by_ref[r.reference] for r in down][:2] == ["r4", "r2"]
