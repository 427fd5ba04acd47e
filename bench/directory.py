"""
How the address book scales with its size.

    .venv/bin/python bench/directory.py [--sizes 50,500,5000] [--runs 5]

Fills a throwaway SQLite database with N positions (each with a past and a
current holder) and prints, per size, the number of SQL queries and the median
time of: the directory page (first page of 50), a search, the stale filter,
the CSV export of everything, the dashboard, and a change of holder on an
office that has drafts addressed to it. The query counts must not grow with N.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="bench-directory-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from letters.models import Letter, LetterRecipient  # noqa: E402
from recipients.holders import change_holder  # noqa: E402
from recipients.models import Official, Position, Term  # noqa: E402
from tests import factories  # noqa: E402

COUNTRIES = ["JP", "US", "GB", "FR", "DE", "CN", "KR"]


def fill(upto: int) -> None:
    """Bring the address book to `upto` positions (bulk: this is setup, not the thing measured)."""
    have = Position.objects.count()
    positions = [
        Position(
            title=f"Minister {n}",
            institution=f"Ministry {n % 40}",
            country=COUNTRIES[n % len(COUNTRIES)],
            address_lines=f"{n} Main Street",
            locality="Capital",
            postal_code="10000",
            last_verified=dt.date(2020, 1, 1) if n % 3 else None,
        )
        for n in range(have, upto)
    ]
    Position.objects.bulk_create(positions)
    officials = Official.objects.bulk_create(
        Official(given_name=f"Given{n}", family_name=f"Family{n}", native_name="山田")
        for n in range(2 * len(positions))
    )
    created = Position.objects.order_by("-pk")[: len(positions)]
    terms = []
    for i, position in enumerate(created):
        old, new = officials[2 * i], officials[2 * i + 1]
        terms.append(
            Term(
                position=position, official=old, start=dt.date(2005, 1, 1), end=dt.date(2009, 9, 15)
            )
        )
        terms.append(Term(position=position, official=new, start=dt.date(2009, 9, 16)))
    Term.objects.bulk_create(terms)


def measure(client: Client, url: str, runs: int) -> tuple[int, float]:
    # The query log is a bounded deque; a full one would count as zero queries.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return len(queries.captured_queries), statistics.median(times)


def measure_change(admin, size: int) -> tuple[int, float]:
    position = Position.objects.order_by("pk").first()
    for n in range(5):
        letter = Letter.objects.create(reference=f"B-{size}-{n}", subject="Bench", created_by=admin)
        LetterRecipient.objects.create(letter=letter, position=position)
    newcomer = Official.objects.create(given_name="New", family_name=f"Holder{size}")
    start_day = dt.date(2010, 1, 1) + dt.timedelta(days=size)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        change_holder(position=position, official=newcomer, start=start_day, by=admin)
        ms = (time.perf_counter() - start) * 1000
    return len(queries.captured_queries), ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,500,5000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    # As in Django's tests: keep one connection across requests so its query log survives.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    call_command("migrate", verbosity=0)
    admin = factories.make_user("bench-admin", role="Admin", is_staff=True)
    client = Client()
    client.force_login(admin)
    pages = {
        "directory": reverse("recipients:list"),
        "search": reverse("recipients:list") + "?q=family1",
        "stale filter": reverse("recipients:list") + "?show=stale",
        "export csv": reverse("recipients:export") + "?format=csv",
        "dashboard": reverse("dashboard"),
    }
    print(f"{'positions':>9}  {'page':<14} {'queries':>7} {'median ms':>10}")
    for size in [int(s) for s in args.sizes.split(",")]:
        fill(size)
        for label, url in pages.items():
            count, ms = measure(client, url, args.runs)
            print(f"{size:>9}  {label:<14} {count:>7} {ms:>10.1f}")
        count, ms = measure_change(admin, size)
        print(f"{size:>9}  {'change holder':<14} {count:>7} {ms:>10.1f}  (5 drafts told)")


if __name__ == "__main__":
    main()
