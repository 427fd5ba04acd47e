"""
Hostile spreadsheets against the importers: time (a plain run) and peak
memory (a second run under tracemalloc, which slows it) until each file is
refused. No database is needed.

    .venv/bin/python bench/imports.py
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

import django

django.setup()

from django.core.exceptions import ValidationError  # noqa: E402

from letters import tracking_csv  # noqa: E402
from recipients import resources  # noqa: E402
from tests.recipients.test_import_limits import xlsx_with_rows  # noqa: E402


def measure(label: str, read, data: bytes) -> None:
    started = time.perf_counter()
    outcome = refusal(read, data)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    refusal(read, data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label:<44} {len(data) // 1024:>5} KB {seconds:6.2f} s "
        f"peak {peak / 2**20:6.1f} MB  {outcome}"
    )


def refusal(read, data: bytes) -> str:
    try:
        result = read(data)
    except ValidationError as error:
        return " ".join(error.messages)[:70]
    errors = getattr(result, "errors", None)
    return " ".join(errors)[:70] if errors else "accepted"


def main() -> None:
    cases = [
        ("xlsx: 300,000 identical rows (zip bomb)", xlsx_with_rows(300_000, numbered=False)),
        ("xlsx: 40,000 identical rows (ratio > 100)", xlsx_with_rows(40_000, numbered=False)),
        ("xlsx: 60,000 numbered rows, no <dimension>", xlsx_with_rows(60_000)),
        ("xlsx: 2,000 rows (at the limit)", xlsx_with_rows(resources.MAX_ROWS)),
    ]
    for label, data in cases:
        measure(label, lambda data: resources.read_upload("x.xlsx", data), data)
    lines = b"title,country\n" + b"x,JP\n" * 200_000
    measure("csv: 200,000 lines (directory)", lambda d: resources.read_upload("x.csv", d), lines)
    tracker = b"reference,response_status,implementation_status\n" + b"A-1,,\n" * 170_000
    measure("csv: 170,000 lines (tracker)", tracking_csv.read_import, tracker)


if __name__ == "__main__":
    main()
