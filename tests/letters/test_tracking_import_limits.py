"""The tracker's status import stops reading at the row limit."""

from __future__ import annotations

import tracemalloc

import pytest

from letters import tracking_csv

pytestmark = pytest.mark.django_db


def test_a_file_of_170000_lines_is_refused_at_the_row_limit_in_little_memory():
    data = b"reference,response_status,implementation_status\n" + b"A-1,,\n" * 170_000
    assert len(data) <= tracking_csv.MAX_IMPORT_BYTES
    tracemalloc.start()
    try:
        report = tracking_csv.read_import(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    limit = tracking_csv.MAX_IMPORT_ROWS
    assert report.errors == [
        f"The file has more than {limit} rows; the limit is {limit}. Split it."
    ]
    assert peak < 50 * 1024 * 1024
