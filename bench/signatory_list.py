"""
How long a letter signed by many organisations takes to print, as a list.

    .venv/bin/python bench/signatory_list.py [--runs 3] [--counts 40,150,400] [--out DIR]

Builds draft letters (the factories' miniature of the real case) signed by 40,
150 and 400 organisations from up to 89 countries, Latin and Japanese names, and
prints each with the signatory list alphabetical and by country: median wall
and CPU milliseconds of the whole render (layout and PDF, as the endpoint does
it) and the page count. The limit for a copy printed while the user waits is
letters/printing/limits.py:MAX_SECONDS. With --out, the PDFs are written there
(to look at them: pdftoppm -png -r 60 DIR/x.pdf DIR/x).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="bench-signatory-list-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django_countries import countries  # noqa: E402

from letters.models import Organization, Signatory  # noqa: E402
from letters.printing import engine, layout, limits  # noqa: E402
from tests import factories  # noqa: E402

COUNTRIES = [code for code, _ in list(countries)[:89]]
KINDS = ("latin", "japanese")
GROUPINGS = ("alphabetical", "country")


def org_name(kind: str, n: int) -> str:
    if kind == "japanese":
        return f"北朝鮮帰国者の生命と人権を守る会第{n}支部"
    # Names of real lengths: short ones, and some of 60 characters.
    if n % 7 == 0:
        return f"International Coalition for Human Rights and Refugees {n:05d}"
    return f"Refugee Rights Network {n}"


def directory(count: int, kind: str) -> list[Organization]:
    return Organization.objects.bulk_create(
        Organization(name=org_name(kind, n), country=COUNTRIES[n % len(COUNTRIES)])
        for n in range(1, count)
    )


def coalition(orgs: list[Organization], kind: str):
    """A draft signed by the lead and `orgs`."""
    letter = factories.make_draft(
        language="ja" if kind == "japanese" else "en", signatory_layout="list"
    )
    Signatory.objects.bulk_create(
        Signatory(letter=letter, organization=org, order=n) for n, org in enumerate(orgs, 1)
    )
    return letter


def render(letter) -> tuple[bytes, int]:
    html = layout.letter_html(letter)
    document = engine.layout(html)
    return engine.write(document, archival=False), len(document.pages)


def measure(letter, runs: int) -> tuple[float, float, int, bytes]:
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        pdf, pages = render(letter)
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), pages, pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--counts", default="40,150,400")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    setup_test_environment()
    # Measure what a render costs, even past the limit a request would stop it at.
    limit, limits.MAX_SECONDS = limits.MAX_SECONDS, 600.0
    call_command("migrate", verbosity=0)
    engine.warm_up()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    print(f"Load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"median of {args.runs}; limit for one copy: {limit * 1000:.0f} ms")
    counts = [int(c) for c in args.counts.split(",")]
    orgs = {kind: directory(max(counts), kind) for kind in KINDS}
    for count in counts:
        for kind in KINDS:
            # The lead, and count - 1 others.
            letter = coalition(orgs[kind][: count - 1], kind)
            for grouping in GROUPINGS:
                letter.signatory_grouping = grouping
                letter.save(update_fields=["signatory_grouping"])
                wall, cpu, pages, pdf = measure(letter, args.runs)
                label = f"{count} {kind}, {grouping}"
                over = "  over the limit" if wall > limit * 1000 else ""
                print(f"{label:<28} {wall:>8.0f} ms  CPU {cpu:>8.0f} ms  {pages:>2} pages{over}")
                if args.out:
                    (args.out / f"{count}-{kind}-{grouping}.pdf").write_bytes(pdf)
    print(f"Load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
