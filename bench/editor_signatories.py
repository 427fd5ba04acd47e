"""
CPU time of the draft editor as the number of signing organisations grows.

    .venv/bin/python bench/editor_signatories.py [--counts 5,400] [--runs 5]

Runs in a throwaway test database (created and dropped here): one draft signed
by 5, then 400 organisations; for each, the best of --runs test-client GETs of
the editor (time.process_time, milliseconds), its query count and page size.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402


def measure(client: Client, url: str, runs: int) -> tuple[int, float, int]:
    client.get(url)  # warm
    best = float("inf")
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.process_time()
            response = client.get(url)
            best = min(best, time.process_time() - start)
        assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries), best * 1000, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="5,400")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from letters.models import Organization, Signatory
        from tests.factories import make_draft

        user = User.objects.create_user("bench", password="x")
        user.groups.add(Group.objects.get(name="Drafter"))
        client = Client()
        client.force_login(user)
        letter = make_draft(reference="BENCH-SIGN")
        url = reverse("letters:drafting_edit", args=[letter.pk])
        print(f"{'signatories':>11} {'queries':>8} {'cpu ms':>8} {'KB':>6}")
        for target in [int(c) for c in args.counts.split(",")]:
            have = letter.signatories.count()
            orgs = Organization.objects.bulk_create(
                Organization(name=f"Bench organisation {i}", country="JP")
                for i in range(have, target)
            )
            Signatory.objects.bulk_create(
                Signatory(letter=letter, organization=org, order=have + i + 1)
                for i, org in enumerate(orgs)
            )
            n, ms, size = measure(client, url, args.runs)
            print(f"{target:>11} {n:>8} {ms:>8.1f} {size // 1024:>6}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
