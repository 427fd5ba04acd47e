"""
How the follow-up tracker holds up with 100,000 recommendations and 500,000
follow-up entries on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/advocacy_issue6_bench \\
        .venv/bin/python bench/tracker.py [--runs 5] [--recommendations 100000]

Migrates the database named in DATABASE_URL, fills it once (set-based SQL, about
a minute; later runs reuse the data), then prints for each of the tracker's main
views and filters the median time of a GET through the Django test client and
the number of queries it made.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

RECS_PER_LETTER = 50
FOLLOW_UPS_PER_REC = 5
GOVERNMENTS = ["JP", "KR", "US", "CN", "GB", "FR", "DE", "CA", "AU", "IN"]
THIRD_STATES = ["", "", "", "KP", "CN", "MM"]
THEMES = [f"Theme {n}" for n in range(1, 13)]
RESPONSES = ["", "awaiting", "accepted", "partially_accepted", "noted", "rejected", "no_reply"]
IMPLEMENTATIONS = ["", "not_started", "in_progress", "partially_implemented", "implemented"]


def fill(n_recs: int) -> None:
    with transaction.atomic(), connection.cursor() as cur:
        _insert_letters(cur, n_recs // RECS_PER_LETTER)
        _insert_recommendations(cur)
        _insert_follow_ups(cur)
        _derive_statuses(cur)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _rest(model, written: str, *, escape: bool = True) -> tuple[str, str]:
    """
    The model's other NOT NULL columns and their defaults as SQL (", a, b", ", 'x', 1"),
    so the fill keeps working when a field is added: Django sets defaults in Python,
    not in the table.
    """
    from psycopg2.extensions import adapt

    given = {name.strip().strip('"') for name in written.split(",")}
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.null or f.primary_key or f.column in given:
            continue
        default = f.get_default()  # "" for a text field without one
        if default is None:
            raise ValueError(f"{model.__name__}.{f.name} needs a value in bench/tracker.py")
        columns.append(connection.ops.quote_name(f.column))
        literal = adapt(f.get_db_prep_save(default, connection)).getquoted().decode()
        # A query with parameters goes through %-formatting.
        values.append(literal.replace("%", "%%") if escape else literal)
    return "".join(f", {c}" for c in columns), "".join(f", {v}" for v in values)


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _insert_letters(cur, n_letters: int) -> None:
    """Sent letters B-00001 on, one section each."""
    from letters.models import Letter, Section

    columns, values = _rest(Letter, "reference, subject, date, status, created_at, updated_at")
    cur.execute(
        f"""
        INSERT INTO letters_letter (reference, subject, date, status, created_at,
            updated_at{columns})
        SELECT 'B-' || lpad(i::text, 5, '0'), 'Bench letter ' || i,
            date '2009-01-01' + (i %% 5000), 'sent', now(), now(){values}
        FROM generate_series(1, %s) i
        """,
        [n_letters],
    )
    columns, values = _rest(Section, "letter_id, order, heading")
    cur.execute(
        f"""
        INSERT INTO letters_section (letter_id, "order", heading{columns})
        SELECT id, 0, 'Section'{values} FROM letters_letter WHERE reference LIKE 'B-%%'
        """,
        [],
    )


def _insert_recommendations(cur) -> None:
    """RECS_PER_LETTER in every bench letter's section, each with one of the themes."""
    from letters.models import Recommendation

    written = "letter_id, section_id, order, number, reference, text, government, third_state"
    columns, values = _rest(Recommendation, written, escape=False)
    cur.execute(
        f"""
        INSERT INTO letters_recommendation (letter_id, section_id, "order", number,
            reference, text, government, third_state{columns})
        SELECT s.letter_id, s.id, n, n, l.reference || '-R' || lpad(n::text, 2, '0'),
            'Recommendation ' || n || ' of ' || l.reference || ' about food aid and refugees',
            ({_array(GOVERNMENTS)})[1 + (s.id + n) % {len(GOVERNMENTS)}],
            ({_array(THIRD_STATES)})[1 + (s.id * 7 + n) % {len(THIRD_STATES)}]{values}
        FROM letters_section s JOIN letters_letter l ON l.id = s.letter_id
        CROSS JOIN generate_series(1, {RECS_PER_LETTER}) n
        WHERE l.reference LIKE 'B-%%'
        """
    )
    for name in THEMES:
        cur.execute(
            "INSERT INTO letters_theme (name, slug) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [name, name.lower().replace(" ", "-")],
        )
    cur.execute(
        f"""
        INSERT INTO letters_recommendation_themes (recommendation_id, theme_id)
        SELECT r.id, t.id FROM letters_recommendation r
        JOIN letters_theme t ON t.name = 'Theme ' || (1 + r.id % {len(THEMES)})
        WHERE r.reference LIKE 'B-%%'
        """
    )


def _insert_follow_ups(cur) -> None:
    from letters.models import FollowUp

    written = "recommendation_id, date, kind, response_status, implementation_status, note, "
    columns, values = _rest(FollowUp, written + "next_review, recorded_at", escape=False)
    cur.execute(
        f"""
        INSERT INTO letters_followup (recommendation_id, date, kind, response_status,
            implementation_status, note, next_review, recorded_at{columns})
        SELECT r.id, date '2010-01-01' + ((r.id * 13 + k * 97) % 5000)::int, 'reply',
            ({_array(RESPONSES)})[1 + (r.id + k) % {len(RESPONSES)}],
            ({_array(IMPLEMENTATIONS)})[1 + (r.id * 3 + k) % {len(IMPLEMENTATIONS)}],
            'Entry ' || k,
            CASE WHEN (r.id + k) % 4 = 0
                 THEN date '2010-01-01' + ((r.id * 17 + k * 31) % 6000)::int END,
            now() - (k || ' minutes')::interval{values}
        FROM letters_recommendation r CROSS JOIN generate_series(1, {FOLLOW_UPS_PER_REC}) k
        WHERE r.reference LIKE 'B-%%'
        """
    )


def _derive_statuses(cur) -> None:
    """The same derivation as Recommendation.refresh_status(), set-based."""
    cur.execute(
        """
        WITH ordered AS (
            SELECT recommendation_id, date, response_status, implementation_status,
                   next_review,
                   row_number() OVER w AS rn,
                   first_value(date) OVER w AS last_date
            FROM letters_followup WINDOW w AS (
                PARTITION BY recommendation_id ORDER BY date DESC, recorded_at DESC, id DESC)
        ), derived AS (
            SELECT recommendation_id,
                max(last_date) AS last_update,
                (array_agg(response_status ORDER BY rn)
                    FILTER (WHERE response_status <> ''))[1] AS response,
                (array_agg(implementation_status ORDER BY rn)
                    FILTER (WHERE implementation_status <> ''))[1] AS implementation
            FROM ordered GROUP BY recommendation_id
        ), review AS (
            SELECT DISTINCT ON (o.recommendation_id) o.recommendation_id, o.next_review,
                o.rn
            FROM ordered o WHERE o.next_review IS NOT NULL
            ORDER BY o.recommendation_id, o.rn
        )
        UPDATE letters_recommendation r SET
            last_update = d.last_update,
            current_response = coalesce(d.response, ''),
            current_implementation = coalesce(d.implementation, ''),
            -- Entries are ordered newest first, so a later entry dated on or after
            -- the review exists exactly when the newest one is.
            review_due = CASE WHEN rv.rn > 1 AND d.last_update >= rv.next_review
                THEN NULL ELSE rv.next_review END
        FROM derived d LEFT JOIN review rv USING (recommendation_id)
        WHERE d.recommendation_id = r.id
        """
    )


def timed(client: Client, url: str, runs: int) -> tuple[float, float, int, int]:
    """Median wall time and median time inside the database, in ms; queries; status."""
    client.get(url)  # warm
    times, db_times, count, status = [], [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - start) * 1000)
        db_times.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        count, status = len(queries), response.status_code
    return statistics.median(times), statistics.median(db_times), count, status


def cases(rec_pk: int) -> list[tuple[str, str]]:
    """The pages timed: every filter of the tracker alone, one combination, and the rest."""
    tracker = "/letters/tracker/"
    return [
        ("tracker, no filter", tracker),
        ("tracker, page 1000", f"{tracker}?page=1000"),
        ("tracker, letter", f"{tracker}?letter=B-01234"),
        ("tracker, government", f"{tracker}?government=KR"),
        ("tracker, third state", f"{tracker}?third_state=KP"),
        ("tracker, theme", f"{tracker}?theme=theme-3"),
        ("tracker, response", f"{tracker}?response=rejected"),
        ("tracker, implementation", f"{tracker}?implementation=implemented"),
        ("tracker, overdue", f"{tracker}?overdue=on"),
        ("tracker, updated range", f"{tracker}?updated_after=2015-01-01&updated_before=2015-03-31"),
        ("tracker, letter date range", f"{tracker}?sent_after=2012-01-01&sent_before=2012-02-01"),
        ("tracker, text search", f"{tracker}?q=B-00042-R07"),
        ("tracker, sort by next review", f"{tracker}?sort=-review"),
        (
            "tracker, combined",
            f"{tracker}?government=JP&theme=theme-3&response=accepted&overdue=on",
        ),
        ("charts, all", "/letters/tracker/charts/"),
        ("charts, one government", "/letters/tracker/charts/?government=KR"),
        ("dashboard", "/"),
        ("recommendation page", f"/letters/recommendations/{rec_pk}/"),
        ("export CSV, one theme", "/letters/tracker/export.csv?theme=theme-3"),
        ("export CSV, everything", "/letters/tracker/export.csv"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--recommendations", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the module docstring).")
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False

    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group, User

    from letters.models import FollowUp, Recommendation

    if not Recommendation.objects.filter(reference__startswith="B-").exists():
        start = time.perf_counter()
        fill(args.recommendations)
        print(f"filled in {time.perf_counter() - start:.0f} s")
    print(
        f"{Recommendation.objects.count():,} recommendations, "
        f"{FollowUp.objects.count():,} follow-ups, PostgreSQL {connection.pg_version // 10000}"
    )

    user, _ = User.objects.get_or_create(username="bench")
    user.groups.add(Group.objects.get(name="Drafter"))
    client = Client()
    client.force_login(user)
    rec = Recommendation.objects.filter(reference__startswith="B-").order_by("pk")[500]

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'view':<32} {'median ms':>10} {'of it db':>9} {'queries':>8} {'status':>7}")
    for name, url in cases(rec.pk):
        ms, db_ms, queries, status = timed(client, url, args.runs)
        print(f"{name:<32} {ms:>10.1f} {db_ms:>9.1f} {queries:>8} {status:>7}")
    user.groups.add(Group.objects.get(name="Coordinator"))
    for rows in (500, 5000):
        time_import(client, rows)


class _Rollback(Exception):
    pass


def time_import(client: Client, rows: int) -> None:
    """Preview then confirm an import of `rows` status changes, rolled back afterwards."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    from letters.models import Recommendation

    refs = Recommendation.objects.filter(reference__startswith="B-").exclude(
        current_response="noted"
    )
    refs = refs.order_by("pk").values_list("reference", flat=True)[:rows]
    body = "".join(f"{ref},noted,,2020-01-01\n" for ref in refs)
    data = f"reference,response_status,implementation_status,date\n{body}".encode()
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as preview_queries:
                start = time.perf_counter()
                preview = client.post(
                    "/letters/tracker/import/",
                    {"file": SimpleUploadedFile("statuses.csv", data, "text/csv")},
                )
                middle = time.perf_counter()
            payload = re.search(rb'name="payload" value="([^"]+)"', preview.content).group(1)
            with CaptureQueriesContext(connection) as import_queries:
                done = client.post("/letters/tracker/import/", {"payload": payload.decode()})
                end = time.perf_counter()
            print(
                f"{f'import preview, {rows} rows':<32} {(middle - start) * 1000:>10.1f} "
                f"{'':>9} {len(preview_queries):>8} {preview.status_code:>7}"
            )
            print(
                f"{f'import confirm, {rows} rows':<32} {(end - middle) * 1000:>10.1f} "
                f"{'':>9} {len(import_queries):>8} {done.status_code:>7}"
            )
            raise _Rollback
    except _Rollback:
        pass


if __name__ == "__main__":
    main()
