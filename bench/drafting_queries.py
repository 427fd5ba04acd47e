"""
Queries and time for the drafting pages as data grows: the letter list with
100 to 5,000 letters, and the editor and preview with 2 to 60 sections.

    .venv/bin/python bench/drafting_queries.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/advocacy_issue3 \
        .venv/bin/python bench/drafting_queries.py

Runs in a throwaway test database (created and dropped here).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

REPEATS = 5


def measure(client: Client, url: str) -> tuple[int, float]:
    client.get(url)  # warm
    best = float("inf")
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            best = min(best, time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries), best * 1000


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from letters.models import Letter, Organization
        from tests.factories import (
            make_draft,
            make_position,
            make_recipient,
            make_recommendation,
            make_section,
            make_signatory,
        )

        user = User.objects.create_user("bench", password="x")
        user.groups.add(Group.objects.get(name="Drafter"))
        client = Client()
        client.force_login(user)
        orgs = [Organization.objects.create(name=f"Org {i}") for i in range(20)]

        print("Letter list (page of 25, filters and counts)")
        print(f"{'letters':>8} {'queries':>8} {'ms':>8} {'filtered q':>11} {'ms':>8}")
        made = 0
        for total in [100, 1000, 5000]:
            Letter.objects.bulk_create(
                Letter(
                    reference=f"B-{i:05d}",
                    subject=f"Bulk letter {i}",
                    date=dt.date(2000 + i % 25, 1 + i % 12, 1),
                    lead_organization=orgs[i % 20],
                    status=["draft", "sent", "published"][i % 3],
                )
                for i in range(made, total)
            )
            made = total
            n, ms = measure(client, reverse("letters:list"))
            fn, fms = measure(
                client, reverse("letters:list") + "?q=bulk&status=sent&year=2005&page=2"
            )
            print(f"{total:>8} {n:>8} {ms:>8.1f} {fn:>11} {fms:>8.1f}")

        print("\nEditor and preview of one letter")
        print(f"{'sections':>8} {'recs':>6} {'editor q':>9} {'ms':>8} {'preview q':>10} {'ms':>8}")
        letter = make_draft(reference="BENCH-1")
        sections = 2
        for target in [2, 20, 60]:
            while sections < target:
                section = make_section(letter)
                for _ in range(3):
                    make_recommendation(section)
                make_recipient(letter, make_position(), role="cc")
                make_signatory(letter)
                sections += 1
            en, ems = measure(client, reverse("letters:drafting_edit", args=[letter.pk]))
            pn, pms = measure(client, reverse("letters:drafting_preview", args=[letter.pk]))
            recs = letter.recommendations.count()
            print(f"{target:>8} {recs:>6} {en:>9} {ems:>8.1f} {pn:>10} {pms:>8.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
