"""bench/pages.py's reading of wrk and its verdict against issue 15's targets."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "bench_pages", Path(__file__).resolve().parent.parent / "bench" / "pages.py"
)
assert _spec and _spec.loader
pages = importlib.util.module_from_spec(_spec)
sys.modules["bench_pages"] = pages  # dataclasses look their module up
_spec.loader.exec_module(pages)

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8105/letters/tracker/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.31ms    3.02ms  41.20ms   81.00%
    Req/Sec   325.10     20.44   360.00     70.00%
  3251 requests in 10.01s, 98.12MB read
Requests/sec:    324.78
Transfer/sec:      9.80MB
BENCH {"requests": 3251, "duration_us": 10010000, "p50_us": 11840, "p90_us": 15230, \
"p99_us": 27400, "max_us": 41200, "non_2xx": 0, "socket_errors": 0}
"""


def figures(p50: float, p99: float, **overrides) -> pages.Figures:
    values = dict(requests=100, seconds=10.0, p50=p50, p90=p50, p99=p99, non_2xx=0, socket_errors=0)
    return pages.Figures(**{**values, **overrides})


def test_it_reads_the_figures_the_lua_hook_printed():
    found = pages.parse_wrk(WRK_OUTPUT)
    assert found.requests == 3251
    assert found.seconds == pytest.approx(10.01)
    assert (found.p50, found.p90, found.p99) == (11.84, 15.23, 27.4)
    assert found.per_second == pytest.approx(324.78, abs=0.01)
    assert (found.non_2xx, found.socket_errors) == (0, 0)
    assert found.slowest == 41.2


def test_it_fails_loudly_when_wrk_printed_no_figures():
    with pytest.raises(pages.BenchError, match="wrk printed no figures:\nunable to connect"):
        pages.parse_wrk("unable to connect to 127.0.0.1:8105 Connection refused\n")


def test_a_page_within_both_targets_is_ok():
    assert pages.verdict(figures(p50=30, p99=100), floor_p50=4) == "ok"


def test_a_page_misses_each_target_by_its_own_measure():
    assert pages.verdict(figures(p50=30, p99=101), floor_p50=4) == "p99 > 100 ms"
    assert pages.verdict(figures(p50=33, p99=90), floor_p50=4) == "p50 > 8x login"
    both = pages.verdict(figures(p50=400, p99=900), floor_p50=4)
    assert both == "p99 > 100 ms, p50 > 8x login"


def test_errors_are_never_ok_however_fast():
    assert pages.verdict(figures(p50=1, p99=2, non_2xx=3), floor_p50=4).startswith("ERRORS")
    assert pages.verdict(figures(p50=1, p99=2, requests=0), floor_p50=4) == "NO REQUESTS"


def test_the_row_gives_p50_as_a_multiple_of_the_login_page():
    row = pages.table_row("tracker", figures(p50=40, p99=90), floor_p50=4)
    assert row.split() == [
        "tracker",
        "40.0",
        "40.0",
        "90.0",
        "10.0",
        "10.0x",
        "p50",
        ">",
        "8x",
        "login",
    ]


def test_the_lua_script_refuses_text_that_could_break_out_of_its_strings():
    with pytest.raises(ValueError, match="unexpected characters"):
        pages.lua_script([('/x" .. os.execute("id") .. "', "")], "127.0.0.1:8105")


class _Counting(BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self):
        self.paths.append(self.path)
        status = 404 if self.path == "/missing/" else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.mark.skipif(not shutil.which("wrk"), reason="needs Debian's wrk (apt-get install wrk)")
def test_real_wrk_runs_the_script_over_every_target_and_counts_errors(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        targets = [("/a/?x=1&y=2", "sessionid=abc"), ("/missing/", "")]
        found = pages.run_wrk(base, targets, seconds=1, connections=2, work=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    assert found.requests > 10
    assert {"/a/?x=1&y=2", "/missing/"} <= set(_Counting.paths)
    # Every second request went to the 404, and wrk counted those as errors.
    assert found.non_2xx == pytest.approx(found.requests / 2, abs=2)
    assert 0 < found.p50 <= found.p90 <= found.p99


def test_a_page_slower_than_the_run_says_so_rather_than_zero():
    row = pages.table_row("charts", figures(p50=0, p99=0, requests=0), floor_p50=4)
    assert row.split() == ["charts", ">", "10", "s", "NO", "REQUESTS"]


def test_the_next_page_waits_while_slow_requests_may_still_hold_the_workers():
    assert pages.drain_seconds(figures(p50=10, p99=20, slowest=50), connections=4) == 0
    assert pages.drain_seconds(figures(p50=900, p99=1500, slowest=2000), connections=4) == 4
    assert pages.drain_seconds(figures(p50=9000, p99=9500, slowest=20000), connections=4) == 30
    assert pages.drain_seconds(figures(p50=0, p99=0, requests=0), connections=4) == 30


def test_growth_compares_pages_in_login_floors_with_the_run_at_100_000():
    reference = {"floor_p50": 4.0, "pages": {"tracker": {"p50": 20.0, "p99": 40.0}}}
    # Twice as slow on a machine twice as busy (login 8 ms): no growth.
    assert pages.growth("tracker", figures(p50=40, p99=90), 8.0, reference) == 1.0
    grown = pages.growth("tracker", figures(p50=40, p99=90), 4.0, reference)
    assert grown == 2.0
    assert pages.verdict(figures(p50=40, p99=90), 8.0, grown) == "p50 grew 2.0x > 1.5x"
    assert pages.growth("charts", figures(p50=40, p99=90), 4.0, reference) is None
    row = pages.table_row("tracker", figures(p50=40, p99=90), 8.0, 1.0)
    assert row.split()[-2:] == ["1.00x", "ok"]
