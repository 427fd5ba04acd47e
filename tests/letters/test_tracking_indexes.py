"""
Every filter and sort of the tracker is served by an index on a filled table
(PostgreSQL's plans; SQLite's planner is another matter and its tables smaller).
The table is filled as bench/tracker.py fills its database, at a tenth of its size.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.http import QueryDict

from letters.filters import RecommendationFilter
from letters.models import Recommendation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans"),
]

SORTS = [
    "",
    "sort=reference",
    "sort=-reference",
    "sort=letter_date",
    "sort=-letter_date",
    "sort=government",
    "sort=response",
    "sort=-implementation",
    "sort=review",
    "sort=-review",
    "sort=updated",
    "sort=-updated",
]
FILTERS = [
    "letter=B-00042",
    "government=KR",
    "response=rejected",
    "implementation=implemented",
    "overdue=on&sort=review",
    "updated_after=2015-01-01&updated_before=2015-01-31",
    "q=B-00042-R07",
    "q=refugees",
]


@pytest.fixture
def filled(drafter):
    from bench.tracker import fill

    fill(10_000)  # 200 letters, 10,000 recommendations, 50,000 follow-ups; then ANALYZE
    return drafter


def plan(user, query: str, offset: int = 0) -> str:
    filterset = RecommendationFilter(QueryDict(query) or None, queryset=Recommendation.objects)
    filterset.request_user = user
    # The tracker's first query for a page: its ids (letters.views.tracking.PageByIds).
    ids = filterset.qs.values_list("pk", flat=True)[offset : offset + 50]
    return ids.explain(analyze=False)


def full_sorts(text: str) -> list[str]:
    """Sort nodes that read every row first (an incremental sort reads one group)."""
    return re.findall(r"(?<!Incremental )Sort  \(.*", text)


def test_each_tracker_sort_and_filter_reads_an_index(filled):
    # One fill for every query: filling takes seconds, a plan milliseconds.
    unserved = {}
    for query in SORTS + FILTERS:
        text = plan(filled, query)
        # A filter may sort the few rows it finds; a sort must not sort them all.
        if "Seq Scan on letters_recommendation" in text or (query in SORTS and full_sorts(text)):
            unserved[query] = text
    assert not unserved, "\n\n".join(f"{q}:\n{text}" for q, text in unserved.items())
    # A page far in: its ids from an index in the order asked, not a sort of all rows.
    deep = plan(filled, "", offset=4950)  # page 100 of 200
    assert "Seq Scan on letters_recommendation" not in deep and not full_sorts(deep), deep


def test_a_reference_typed_in_any_case_is_found_by_an_index(filled):
    from letters.models import Letter

    letter = Letter.objects.filter(reference__iexact="b-00042").order_by().explain()
    assert "letter_reference_upper_idx" in letter, letter
    rec = Recommendation.objects.filter(reference__iexact="b-00042-r07").order_by().explain()
    assert "rec_reference_upper_idx" in rec, rec
