"""
Sign-on pages under load: queries and time for the sign-on page, the letter page
with its board, finalising and the public page, with few and with many
signing organisations. Runs against a throwaway test database.

    .venv/bin/python bench/signing.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/advocacy_bench .venv/bin/python bench/signing.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.client import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = 20


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def measure(label: str, fn) -> None:
    fn()  # warm
    counter = Counter()
    with connection.execute_wrapper(counter):
        fn()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<48} {counter.n:>4} queries  median {statistics.median(times):7.1f} ms")


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.RATELIMIT_ENABLE = False  # the bench is one client asking many times
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from letters import drafting, sending, signing
        from letters.models import Letter, SignatoryRole
        from letters.permissions import sync_groups
        from tests.factories import make_organization, make_signatory, make_user

        sync_groups()
        call_command("load_demo", allow_production=True, stdout=io.StringIO())
        demo = Letter.objects.get(reference="JP-2009-12")
        coordinator = make_user("bench-coordinator", role="Coordinator")
        client = Client()
        client.force_login(coordinator)

        for extra in (0, 100):
            letter = drafting.copy_letter(demo, reference=f"BENCH-{extra}")
            for n in range(extra):
                make_signatory(
                    letter, make_organization(name=f"Bench org {extra}-{n}"), order=10 + n
                )
            letter.touch()
            signing.circulate(
                letter=letter,
                by=coordinator,
                deadline=timezone.now() + dt.timedelta(days=3),
            )
            letter.refresh_from_db()
            total = letter.signatories.count()
            cosigner = letter.signatories.filter(role=SignatoryRole.COSIGNER).first()
            # The link trades its token for the session; the page is what is measured.
            sign_url = client.get(f"/sign/{cosigner.token}/")["Location"]
            print(f"-- {total} signing organisations, 14 recommendations, 4 recipients")
            measure("sign-on page (GET, no login)", lambda u=sign_url: client.get(u))
            measure(
                "letter page with the sign-on board",
                lambda lt=letter: client.get(lt.get_absolute_url()),
            )
            measure(
                "finalise refused (everyone pending)",
                lambda lt=letter: sending.finalise(letter=lt, by=coordinator),
            )
        measure("public index", lambda: client.get("/published/"))
        measure("Atom feed", lambda: client.get("/published/feed/"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
