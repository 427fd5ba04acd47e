"""
How long the structure rules take on large and hostile pastes (the view's input
limit is 200,000 characters). Prints seconds per case.

    .venv/bin/python bench/importing_parse.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")

import django

django.setup()

from letters import importing  # noqa: E402

SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "tests/letters/importing_samples/japan_headings_bullets.txt"
).read_text()
LIMIT = 200_000
CASES = {
    "real letter": SAMPLE,
    "real letter x25": (SAMPLE * 25)[:LIMIT],
    "one long line of donate": ("donate " * 30_000)[:LIMIT],
    "one long line, no spaces": "a" * LIMIT,
    "short lines": ("Press China to act.\n" * 10_000)[:LIMIT],
    "bullets": ("- Press China to stop returns now.\n" * 6_000)[:LIMIT],
    "honorifics": ("Mr. A\nMinister of X\n" * 10_000)[:LIMIT],
    "countries": ("Dear Sir,\n" + "China Japan North Korea " * 8_000)[:LIMIT],
}

for name, text in CASES.items():
    started = time.perf_counter()
    try:
        importing.parse_letter(text)
        outcome = "parsed"
    except importing.NotALetter:
        outcome = "not a letter"
    print(f"{name:28} {time.perf_counter() - started:6.3f} s  {outcome}")
