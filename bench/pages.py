"""
How fast the main pages answer, under gunicorn with production settings, measured with wrk.

    .venv/bin/python bench/pages.py                  # PostgreSQL, 100,000 recommendations
    .venv/bin/python bench/pages.py --scale          # PostgreSQL, 1,000,000 / 5,000,000 follow-ups
    .venv/bin/python bench/pages.py --sqlite         # SQLite (the embedded default), 10,000
    .venv/bin/python bench/pages.py --duration 3 --only tracker   # quicker, fewer pages

Fills the bench database once (PostgreSQL: bench/tracker.py's set-based fill,
created if missing; later runs reuse it), adds what the other pages need (the
demo, published letters, a directory of 1,000 offices, a large draft, letters
out for sign-on), starts gunicorn on 127.0.0.1 with DEBUG off and 2 sync workers,
logs in as a Coordinator, checks that every page answers 200, then runs Debian's
wrk (`apt-get install wrk`) with 4 connections for 10 s against each page.

It prints per page p50, p90 and p99 latency, requests per second and p50 as a
multiple of the login page's p50 (a page with no queries of ours: the floor),
and whether the page meets the targets of issue 15: p99 <= 100 ms and
p50 <= 8x login. Each run keeps its figures in figures.json in its folder under
the temporary folder; `--scale` compares each page with the last run at 100,000
(`growth`: the page's p50 over the login page's, at 1,000,000, divided by the
same at 100,000, so a machine busier in one run than in the other is not counted
as growth) and holds it to at most 1.5x. Exit status: 0 when every page meets
them, 1 when some page does not, 2 when the bench itself could not run (no wrk,
a page not 200).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only: the bench's server is never reachable from outside
P99_LIMIT_MS = 100.0
P50_LIMIT_RATIO = 8.0
GROWTH_LIMIT = 1.5  # at 1,000,000 recommendations, against the same page at 100,000
GUNICORN_TIMEOUT = 30.0  # gunicorn's default: a worker silent this long is restarted
SIGN_LETTERS, COSIGNERS = 8, 50  # 400 links: the per-link rate limit (30/min) is never hit
BENCH_PASSWORD = "bench-pages-" + secrets.token_hex(8)


class BenchError(Exception):
    """The bench cannot measure (not a slow page): exits 2."""


# -- wrk: the Lua script and its output ----------------------------------------------

LUA = """
local targets = {%(targets)s}
local host = "%(host)s"
local i = 0

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%%x+)") or "0", 16))
  i = math.random(#targets) - 1
end

request = function()
  i = i %% #targets + 1
  local t = targets[i]
  -- As a TLS-terminating proxy would send it; a random client address keeps the
  -- sign-on page's per-address rate limit (which still runs) from answering 429.
  local headers = {
    ["Host"] = host,
    ["X-Forwarded-Proto"] = "https",
    ["X-Forwarded-For"] = string.format("10.%%d.%%d.%%d",
      math.random(0, 255), math.random(0, 255), math.random(1, 254)),
  }
  if t[2] ~= "" then headers["Cookie"] = t[2] end
  return wrk.format("GET", t[1], headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "non_2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def lua_script(targets: list[tuple[str, str]], host: str) -> str:
    """wrk's script: GET each (path, cookie) in turn, and print the figures as JSON when done."""

    def quoted(text: str) -> str:
        if not re.fullmatch(r"[\w/?=&%.:;=+-]*", text):
            raise ValueError(f"unexpected characters in {text!r}")
        return f'"{text}"'

    rows = ", ".join(f"{{{quoted(path)}, {quoted(cookie)}}}" for path, cookie in targets)
    return LUA % {"targets": rows, "host": host}


@dataclass
class Figures:
    requests: int
    seconds: float
    p50: float  # milliseconds
    p90: float
    p99: float
    non_2xx: int
    socket_errors: int
    slowest: float = 0.0  # milliseconds

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_wrk(output: str) -> Figures:
    """The figures from the line our Lua `done` hook printed (latencies in microseconds)."""
    match = re.search(r"^BENCH (\{.*\})\s*$", output, re.MULTILINE)
    if not match:
        raise BenchError(f"wrk printed no figures:\n{output.strip()}")
    data = json.loads(match.group(1))
    return Figures(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50=data["p50_us"] / 1000,
        p90=data["p90_us"] / 1000,
        p99=data["p99_us"] / 1000,
        non_2xx=data["non_2xx"],
        socket_errors=data["socket_errors"],
        slowest=data.get("max_us", 0) / 1000,
    )


def verdict(figures: Figures, floor_p50: float, growth: float | None = None) -> str:
    """'ok', or what is wrong: errors first, then each target missed."""
    if figures.non_2xx or figures.socket_errors:
        return f"ERRORS ({figures.non_2xx} non-2xx, {figures.socket_errors} socket)"
    if figures.requests == 0:
        return "NO REQUESTS"
    missed = []
    if figures.p99 > P99_LIMIT_MS:
        missed.append(f"p99 > {P99_LIMIT_MS:.0f} ms")
    if floor_p50 and figures.p50 > P50_LIMIT_RATIO * floor_p50:
        missed.append(f"p50 > {P50_LIMIT_RATIO:.0f}x login")
    if growth is not None and growth > GROWTH_LIMIT:
        missed.append(f"p50 grew {growth:.1f}x > {GROWTH_LIMIT}x")
    return ", ".join(missed) or "ok"


def table_row(name: str, figures: Figures, floor_p50: float, growth: float | None = None) -> str:
    if figures.requests == 0:  # every request took longer than wrk ran
        slower = f"> {figures.seconds:.0f} s"
        return f"{name:<34} {slower:>8}  {verdict(figures, 0)}"
    ratio = figures.p50 / floor_p50 if floor_p50 else float("nan")
    grown = f" {growth:>7.2f}x" if growth is not None else ""
    return (
        f"{name:<34} {figures.p50:>8.1f} {figures.p90:>8.1f} {figures.p99:>8.1f} "
        f"{figures.per_second:>8.1f} {ratio:>7.1f}x{grown}  "
        f"{verdict(figures, floor_p50, growth)}"
    )


def growth(name: str, figures: Figures, floor_p50: float, reference: dict) -> float | None:
    """The page's p50 in login floors, here over the same at 100,000 (None: not measured there)."""
    before = reference.get("pages", {}).get(name)
    if not before or not floor_p50 or not figures.requests:
        return None
    return (figures.p50 / floor_p50) / (before["p50"] / reference["floor_p50"])


TABLE_HEAD = (
    f"{'page':<34} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'req/s':>8} {'/login':>8}  target"
)


def drain_seconds(figures: Figures, connections: int) -> float:
    """
    How long the requests wrk left behind may still keep gunicorn's 2 workers busy,
    so the next page is not measured behind them: up to connections / 2 of the
    slowest request, capped by gunicorn's 30 s worker timeout.
    """
    if figures.requests == 0:
        return GUNICORN_TIMEOUT
    slowest = figures.slowest / 1000
    return 0.0 if slowest < 0.2 else min(GUNICORN_TIMEOUT, slowest * max(1, connections / 2))


def run_wrk(
    base: str, targets: list[tuple[str, str]], *, seconds: float, connections: int, work: Path
) -> Figures:
    script = work / "bench.lua"
    script.write_text(lua_script(targets, urlsplit(base).netloc))
    result = subprocess.run(
        [
            "wrk",
            "--threads", "1",
            "--connections", str(connections),
            "--duration", f"{max(1, round(seconds))}s",
            "--timeout", "60s",  # a slow page's latency, not a socket error
            "--script", str(script),
            base + targets[0][0],
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BenchError(f"wrk failed ({result.returncode}): {result.stderr.strip()}")
    return parse_wrk(result.stdout)


# -- the database -------------------------------------------------------------------


@dataclass
class Options:
    sqlite: Path | None
    scale: bool
    database_url: str
    recommendations: int
    port: int
    seconds: float
    connections: int
    only: list[str] = field(default_factory=list)
    fill_only: bool = False

    def wants(self, page: str) -> bool:
        return not self.only or any(word in page for word in self.only)


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--sqlite",
        nargs="?",
        const=Path(tempfile.gettempdir()) / "advocacy-bench-pages.sqlite3",
        type=Path,
        metavar="FILE",
        help="SQLite (the embedded default) with 10,000 recommendations, in FILE "
        "(default: advocacy-bench-pages.sqlite3 in the temporary folder)",
    )
    where.add_argument(
        "--scale",
        action="store_true",
        help="1,000,000 recommendations and 5,000,000 follow-ups (PostgreSQL)",
    )
    parser.add_argument(
        "--database-url",
        help="the PostgreSQL bench database, created if missing (default: "
        "postgres://postgres@127.0.0.1:5432/advocacy_bench, or advocacy_bench_1m with --scale)",
    )
    parser.add_argument("--port", type=int, default=8105, help="gunicorn's port on 127.0.0.1")
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--only", action="append", default=[], help="only pages whose name contains this"
    )
    parser.add_argument(
        "--fill-only", action="store_true", help="fill the database and stop (no server, no wrk)"
    )
    args = parser.parse_args(argv)
    if args.sqlite:
        url, recs = f"sqlite:///{args.sqlite.resolve()}", 10_000
    else:
        name = "advocacy_bench_1m" if args.scale else "advocacy_bench"
        url = args.database_url or f"postgres://postgres@127.0.0.1:5432/{name}"
        recs = 1_000_000 if args.scale else 100_000
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("the bench database must be on this machine (127.0.0.1)")
    return Options(
        sqlite=args.sqlite,
        scale=args.scale,
        database_url=url,
        recommendations=recs,
        port=args.port,
        seconds=args.duration,
        connections=args.connections,
        only=args.only,
        fill_only=args.fill_only,
    )


def production_env(options: Options, work: Path) -> dict[str, str]:
    """The environment of a production deployment (README, Deploying) on one machine."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "advocacy.settings",
        "DATABASE_URL": options.database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{options.port}",
        # Behind one TLS-terminating proxy, as the README deploys it: wrk plays the proxy.
        "TRUSTED_PROXY_COUNT": "1",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        # The bench sends no mail (load_demo and circulating would).
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def create_pg_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    conn.close()


def prepare_database(options: Options) -> dict:
    """Migrate, fill once, add the pages' own objects; what the pages need to name."""
    from django.core.management import call_command
    from django.db import connection

    from letters.models import Recommendation

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not Recommendation.objects.filter(reference__startswith="B-").exists():
        start = time.perf_counter()
        print(f"filling {options.recommendations:,} recommendations (once)...", flush=True)
        if connection.vendor == "postgresql":
            sys.path.insert(0, str(ROOT / "bench"))
            import tracker  # bench/tracker.py: set-based SQL

            tracker.fill(options.recommendations)
        else:
            fill_portable(options.recommendations)
        print(f"filled in {time.perf_counter() - start:.0f} s", flush=True)
    objects = bench_objects(options.recommendations)
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum keeps them: the fill's bulk updates (one letter
        # in ten published) left the planner thinking few were, and it chose badly.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return objects


def fill_portable(n_recs: int) -> None:
    """bench/tracker.py's data through the ORM, for SQLite: same letters, statuses and dates."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from letters.models import FollowUp, Letter, Recommendation, Section, Theme

    sys.path.insert(0, str(ROOT / "bench"))
    import tracker as t

    n_letters = n_recs // t.RECS_PER_LETTER
    now = timezone.now()
    with transaction.atomic():
        letters = Letter.objects.bulk_create(
            Letter(
                reference=f"B-{i:05d}",
                subject=f"Bench letter {i}",
                date=dt.date(2009, 1, 1) + dt.timedelta(days=i % 5000),
                status="sent",
            )
            for i in range(1, n_letters + 1)
        )
        sections = Section.objects.bulk_create(
            Section(letter=letter, order=0, heading="Section") for letter in letters
        )
        recs = Recommendation.objects.bulk_create(
            Recommendation(
                letter_id=s.letter_id,
                section=s,
                order=n,
                number=n,
                reference=f"{s.letter.reference}-R{n:02d}",
                text=f"Recommendation {n} of {s.letter.reference} about food aid and refugees",
                government=t.GOVERNMENTS[(s.pk + n) % len(t.GOVERNMENTS)],
                third_state=t.THIRD_STATES[(s.pk * 7 + n) % len(t.THIRD_STATES)],
            )
            for s in sections
            for n in range(1, t.RECS_PER_LETTER + 1)
        )
        themes = {
            i: Theme.objects.get_or_create(
                name=name, defaults={"slug": name.lower().replace(" ", "-")}
            )[0]
            for i, name in enumerate(t.THEMES, 1)
        }
        Recommendation.themes.through.objects.bulk_create(
            Recommendation.themes.through(
                recommendation_id=r.pk, theme_id=themes[1 + r.pk % len(t.THEMES)].pk
            )
            for r in recs
        )
        FollowUp.objects.bulk_create(
            (_follow_up(t, r.pk, k, now) for r in recs for k in range(1, t.FOLLOW_UPS_PER_REC + 1)),
            batch_size=5000,
        )
        # The model's own derivation, in a constant number of queries.
        Recommendation.objects.filter(reference__startswith="B-").refresh_status()


def _follow_up(t, rec_pk: int, k: int, now: dt.datetime):
    from letters.models import FollowUp

    start = dt.date(2010, 1, 1)
    review = start + dt.timedelta(days=(rec_pk * 17 + k * 31) % 6000)
    return FollowUp(
        recommendation_id=rec_pk,
        date=start + dt.timedelta(days=(rec_pk * 13 + k * 97) % 5000),
        kind="reply",
        response_status=t.RESPONSES[(rec_pk + k) % len(t.RESPONSES)],
        implementation_status=t.IMPLEMENTATIONS[(rec_pk * 3 + k) % len(t.IMPLEMENTATIONS)],
        note=f"Entry {k}",
        next_review=review if (rec_pk + k) % 4 == 0 else None,
        recorded_at=now - dt.timedelta(minutes=k),
        revision=1,
    )


def bench_objects(n_recs: int) -> dict:
    """The objects the pages show, made once: found by reference on later runs."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import transaction

    from letters.models import Letter, Recommendation, Signatory
    from letters.permissions import COORDINATOR
    from recipients.models import Position

    if not Letter.objects.filter(reference="BENCH-DRAFT").exists():
        print("adding the demo, a directory, a large draft and letters out for sign-on (once)...")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        call_command("load_demo", allow_production=True, stdout=io.StringIO())
        with transaction.atomic():
            _add_bench_objects()

    user, _ = User.objects.get_or_create(username="bench", defaults={"first_name": "Bench"})
    user.set_password(BENCH_PASSWORD)  # this run's: a run before it may have been stopped
    user.save()
    user.groups.add(Group.objects.get(name=COORDINATOR))
    # Logins of earlier runs that another run's password made fail would lock it out.
    AccessAttempt.objects.filter(username="bench").delete()
    n_letters = n_recs // 50
    month = dt.date(2009, 1, 1) + dt.timedelta(days=n_letters // 2 % 5000)  # as tracker.py
    letter = Letter.objects.get(reference=f"B-{n_letters // 4 + 1:05d}")  # sent, not published
    return {
        "letter": letter.pk,
        "letter_ref": f"B-{n_letters // 2:05d}",
        # A month of letters: dated a day apart from 2009-01-02, every 5,000 days again.
        "letter_dates": f"sent_after={month}&sent_before={month + dt.timedelta(30)}",
        "recommendation": Recommendation.objects.filter(letter=letter).order_by("pk")[7].pk,
        "draft": Letter.objects.get(reference="BENCH-DRAFT").pk,
        "office": Position.objects.filter(title="Prime Minister", country="JP").first().pk,
        "sign_tokens": list(
            Signatory.objects.filter(letter__reference__startswith="BENCH-SIGN-", role="cosigner")
            .order_by("pk")
            .values_list("token", flat=True)
        ),
    }


def _add_bench_objects() -> None:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from letters import sending, signing
    from letters.models import Letter, Organization
    from recipients.models import Official, Position, Term
    from tests import factories

    coordinator = User.objects.get(username="coordinator")
    sending.publish(letter=Letter.objects.get(reference="JP-2009-12"), by=coordinator)
    # One sent letter in ten is published too (their pages, the index and the feed grow with them).
    Letter.objects.filter(reference__startswith="B-", reference__endswith="0").update(
        status="published", published_at=timezone.now()
    )
    positions = Position.objects.bulk_create(
        Position(
            title=f"Minister {n}",
            institution=f"Ministry {n}",
            country=["JP", "KR", "US", "GB", "FR"][n % 5],
            address_lines=f"{n} Government Street",
            locality="Capital",
            postal_code=f"{10000 + n}",
        )
        for n in range(1, 1001)
    )
    officials = Official.objects.bulk_create(
        Official(given_name=f"Given{n}", family_name=f"Family{n}") for n in range(1, 1001)
    )
    Term.objects.bulk_create(
        Term(position=p, official=o, start=dt.date(2020, 1, 1))
        for p, o in zip(positions, officials, strict=True)
    )
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Bench organisation {n}", short_name=f"BO{n}", email=f"o{n}@example.org")
        for n in range(1, 401)
    )
    _large_draft(factories, positions, orgs)
    for n in range(1, SIGN_LETTERS + 1):
        letter = factories.make_letter(reference=f"BENCH-SIGN-{n}", subject=f"Sign-on {n}")
        section = factories.make_section(letter, heading="Refugees", body="People are sent back.")
        for i in range(20):
            factories.make_recommendation(section, text=f"Ask number {i + 1}.")
        factories.make_recipient(letter, positions[n])
        factories.make_signatory(letter, orgs[0], role="lead", order=0, signer_name="Lee Lead")
        for i in range(COSIGNERS):
            factories.make_signatory(letter, orgs[1 + (n * COSIGNERS + i) % 399], order=i + 1)
        letter.touch()
        deadline = timezone.now() + dt.timedelta(days=3650)
        signing.circulate(letter=letter, by=coordinator, deadline=deadline)


def _large_draft(factories, positions, orgs) -> None:
    """The editor's heavy case: 10 sections of 10 recommendations, 20 addressees, 40 signatories."""
    letter = factories.make_letter(reference="BENCH-DRAFT", subject="A large draft")
    for s in range(10):
        section = factories.make_section(letter, heading=f"Section {s + 1}", body="Why we write.")
        for r in range(10):
            factories.make_recommendation(
                section, text=f"Ask {r + 1} of section {s + 1}: stop forced returns."
            )
    for i in range(20):
        factories.make_recipient(letter, positions[100 + i], role="to" if i < 2 else "cc")
    factories.make_signatory(letter, orgs[0], role="lead", order=0)
    for i in range(39):
        factories.make_signatory(letter, orgs[1 + i], order=i + 1)
    letter.touch()


# -- the server and the pages -------------------------------------------------------


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    if _answers(port):
        raise BenchError(f"something already listens on {HOST}:{port}; pick another --port")
    command = [sys.executable, "-m", "gunicorn", "advocacy.wsgi"]
    command += ["--bind", f"{HOST}:{port}", "--workers", "2", "--worker-class", "sync"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped at start; see {log}")
        if _answers(port):
            return server
        time.sleep(0.5)
    server.terminate()
    raise BenchError(f"gunicorn did not answer within 90 s; see {log}")


def _answers(port: int) -> bool:
    try:
        get(port, "/health/")
    except OSError:
        return False
    return True


def get(port: int, path: str, cookie: str = "", **kwargs) -> http.client.HTTPResponse:
    """One request as the proxy would pass it on (HTTPS terminated, client address added)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=600)  # a page may be very slow
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.255.0.1", **kwargs}
    if cookie:
        headers["Cookie"] = cookie
    body = headers.pop("body", None)
    conn.request("POST" if body else "GET", path, body=body, headers=headers)
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        found[name.strip()] = value.strip()
    return found


def log_in(port: int) -> str:
    """Log in through the login form; the session cookie."""
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", "/login/", headers={"X-Forwarded-Proto": "https"})
    page = conn.getresponse()
    html = page.read().decode()
    conn.close()
    csrf = cookies(page).get("csrftoken", "")
    field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if page.status != 200 or not csrf or not field:
        raise BenchError(f"the login page answered {page.status} without a CSRF token")
    body = urlencode(
        {"username": "bench", "password": BENCH_PASSWORD, "csrfmiddlewaretoken": field.group(1)}
    )
    origin = f"https://{HOST}:{port}"
    response = get(
        port,
        "/login/",
        f"csrftoken={csrf}",
        body=body,
        **{"Content-Type": "application/x-www-form-urlencoded", "Origin": origin},
        Referer=origin + "/login/",
    )
    session = cookies(response).get("sessionid")
    if response.status != 302 or not session:
        raise BenchError(f"logging in failed: {response.status} {response.reason}")
    return f"sessionid={session}"


def sign_on_targets(port: int, tokens: list[str]) -> list[tuple[str, str]]:
    """Each partner's sign-on page with the session its private link gave it."""
    targets = []
    for n, token in enumerate(tokens):
        address = f"10.254.{n // 250}.{n % 250 + 1}"  # under the per-address limit
        response = get(port, f"/sign/{token}/", **{"X-Forwarded-For": address})
        session = cookies(response).get("sessionid")
        location = response.headers.get("Location", "")
        if response.status != 302 or not session:
            raise BenchError(f"a sign-on link answered {response.status}, not a redirect")
        targets.append((location, f"sessionid={session}"))
    return targets


def pages(objects: dict, session: str, signers: list[tuple[str, str]]) -> list[tuple[str, list]]:
    """(name, [(path, cookie), ...]): the login page first, the floor of the ratios."""
    tracker = "/letters/tracker/"
    staff = [
        ("dashboard", "/"),
        ("letters list", "/letters/"),
        ("letter page (50 recommendations)", f"/letters/{objects['letter']}/"),
        ("editor, large draft", f"/letters/{objects['draft']}/edit/"),
        ("tracker", tracker),
        ("tracker, letter", f"{tracker}?letter={objects['letter_ref']}"),
        ("tracker, government", f"{tracker}?government=KR"),
        ("tracker, third state", f"{tracker}?third_state=KP"),
        ("tracker, theme", f"{tracker}?theme=theme-3"),
        ("tracker, response", f"{tracker}?response=rejected"),
        ("tracker, implementation", f"{tracker}?implementation=implemented"),
        ("tracker, overdue", f"{tracker}?overdue=on"),
        ("tracker, include drafts", f"{tracker}?include_drafts=on"),
        ("tracker, updated range", f"{tracker}?updated_after=2015-01-01&updated_before=2015-03-31"),
        ("tracker, letter date range", f"{tracker}?{objects['letter_dates']}"),
        ("tracker, search words", f"{tracker}?q=refugees"),
        ("tracker, search reference", f"{tracker}?q={objects['letter_ref']}-R07"),
        *(
            (f"tracker, sort {sort}", f"{tracker}?sort={sort}")
            for sort in (
                "reference",
                "letter_date",
                "government",
                "response",
                "implementation",
                "review",
                "updated",
            )
        ),
        ("tracker, page 1000", f"{tracker}?page=1000"),
        ("charts", f"{tracker}charts/"),
        ("recommendation page", f"/letters/recommendations/{objects['recommendation']}/"),
        ("directory", "/directory/"),
        ("office page", f"/directory/positions/{objects['office']}/"),
    ]
    public = [
        ("public index", "/published/"),
        ("public letter", "/published/JP-2009-12/"),
        ("Atom feed", "/published/feed/"),
    ]
    return [
        ("login page (floor)", [("/login/", "")]),
        *((name, [(path, session)]) for name, path in staff),
        *((name, [(path, "")]) for name, path in public),
        *([("sign-on page", signers)] if signers else []),
    ]


# Text each page must show: a 200 can still be the wrong page ("open your link again").
EXPECTED = {
    "login page (floor)": "password",
    "dashboard": "Bench letter",
    "letters list": "Bench letter",
    "letter page (50 recommendations)": "about food aid and refugees",
    "editor, large draft": "Ask 10 of section 10",
    "tracker": "/letters/recommendations/",  # at least one row
    "charts": "<svg",
    "recommendation page": "about food aid and refugees",
    "directory": "Ministry",
    "office page": "Prime Minister",
    "public index": "Bench letter",
    "public letter": "North Korea",
    "Atom feed": "<feed",
    "sign-on page": "Ask number 20.",
}


def check_pages(port: int, cases: list[tuple[str, list]]) -> dict[str, float]:
    """
    One request to each page: anything but 200 means the bench would measure the
    wrong thing. How long each page's first request took, in ms.
    """
    first: dict[str, float] = {}
    for name, targets in cases:
        for path, cookie in targets[:3]:
            start = time.perf_counter()
            response = get(port, path, cookie)
            first.setdefault(name, (time.perf_counter() - start) * 1000)
            expected = EXPECTED.get(name) or EXPECTED[name.split(",")[0]]
            if response.status == 200:
                if expected.encode() not in response.body:  # type: ignore[attr-defined]
                    raise BenchError(f"{name}: {path} does not show {expected!r}")
                continue
            location = response.headers.get("Location", "")
            if response.status in (301, 302) and "/login/" in location:
                raise BenchError(f"{name}: {path} redirects to the login page: broken cookie")
            raise BenchError(f"{name}: {path} answered {response.status} {location}".strip())
    return first


def print_first_requests(options: Options, first: dict[str, float]) -> None:
    """What a reader waits for after a write, before the pages' cached parts are drawn again."""
    print("first request of each page after a write (cache token renewed), one at a time:")
    for name, ms in first.items():
        if options.wants(name):
            print(f"  {name:<34} {ms:>8.1f} ms")


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def describe(options: Options) -> str:
    from django.db import connection

    from letters.models import FollowUp, Recommendation

    vendor = connection.vendor
    if vendor == "postgresql":
        vendor = f"PostgreSQL {connection.pg_version // 10000}"
    recs, follow_ups = Recommendation.objects.count(), FollowUp.objects.count()
    return (
        f"{vendor}: {recs:,} recommendations, {follow_ups:,} follow-ups; commit {commit()}; "
        f"gunicorn 2 sync workers, DEBUG off; wrk {options.connections} connections x "
        f"{options.seconds:g} s per page; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


def reference_figures(options: Options) -> dict:
    """With --scale: the last run at 100,000 recommendations (its figures.json), or {}."""
    if not options.scale:
        return {}
    path = Path(tempfile.gettempdir()) / "bench-pages-advocacy_bench" / "figures.json"
    if not path.exists():
        print(f"no run at 100,000 to compare with ({path}): run bench/pages.py first")
        return {}
    reference = json.loads(path.read_text())
    print(
        f"growth: against the run at 100,000 of commit {reference['commit']}, "
        f"{reference['time']} (login p50 {reference['floor_p50']:.1f} ms)"
    )
    return reference


def measure(options: Options, cases: list[tuple[str, list]], work: Path) -> int:
    """Run wrk on each page and print the table; the number of pages off target."""
    base = f"http://{HOST}:{options.port}"
    reference = reference_figures(options)
    print(TABLE_HEAD + ("   growth" if reference else ""))
    floor_p50, missed = 0.0, 0
    kept: dict[str, dict] = {}
    for n, (name, targets) in enumerate(cases):
        if n and not options.wants(name):
            continue
        figures = run_wrk(
            base, targets, seconds=options.seconds, connections=options.connections, work=work
        )
        if n == 0:
            floor_p50 = figures.p50
        grown = growth(name, figures, floor_p50, reference) if n else None
        print(table_row(name, figures, floor_p50, grown), flush=True)
        kept[name] = {"p50": figures.p50, "p99": figures.p99}
        time.sleep(drain_seconds(figures, options.connections))
        missed += verdict(figures, floor_p50, grown) != "ok"
    record = {"commit": commit(), "time": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"}
    (work / "figures.json").write_text(
        json.dumps({**record, "floor_p50": floor_p50, "pages": kept}, indent=1)
    )
    # The floor once more: when it moved, so did the machine's load during the run.
    again = run_wrk(
        base, cases[0][1], seconds=options.seconds, connections=options.connections, work=work
    )
    print(table_row("login page (again, at the end)", again, floor_p50), flush=True)
    return missed


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if not shutil.which("wrk"):
        print("bench/pages.py needs Debian's wrk: apt-get install wrk", file=sys.stderr)
        return 2
    label = options.sqlite.stem if options.sqlite else urlsplit(options.database_url).path[1:]
    work = Path(tempfile.gettempdir()) / f"bench-pages-{label}"
    work.mkdir(exist_ok=True)
    env = production_env(options, work)
    os.environ.update(env)
    if not options.sqlite:
        create_pg_database(options.database_url)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from letters import tracking_cache

    objects = prepare_database(options)
    if options.fill_only:
        print(describe(options))
        return 0
    call_command("collectstatic", interactive=False, verbosity=0)
    print(describe(options), flush=True)
    server = start_gunicorn(env, options.port, work / "gunicorn.log")
    try:
        session = log_in(options.port)
        # 400 links to open: only when the sign-on page is measured.
        tokens = objects["sign_tokens"] if options.wants("sign-on page") else []
        cases = pages(objects, session, sign_on_targets(options.port, tokens))
        # As if someone had just written: each page's first request draws its cached parts.
        tracking_cache.changed()
        first = check_pages(options.port, cases)
        missed = measure(options, cases, work)
        print_first_requests(options, first)
    finally:
        server.terminate()
        server.wait(timeout=30)
    measured = len(cases) - 1 if not options.only else "the chosen"
    print(
        f"{'every page meets' if not missed else f'{missed} page(s) miss'} the targets "
        f"(p99 <= {P99_LIMIT_MS:.0f} ms, p50 <= {P50_LIMIT_RATIO:.0f}x login) "
        f"of {measured} pages measured"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/pages.py: {exc}", file=sys.stderr)
        sys.exit(2)
