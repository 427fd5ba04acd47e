"""
Media goes through Django's storage API only, so that S3 works and several
machines share it: no app code reads a file's `.path` or builds paths from
MEDIA_ROOT (the settings define it; FileSystemStorage reads it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_DIRS = ["advocacy", "letters", "recipients"]
# `os.path`, a request's or a URL's path are not files in storage.
MEDIA_ROOT = re.compile(r"MEDIA_ROOT")
FIELD_PATH = re.compile(r"(?<![\w.])(?!os\b|request\b|self\.request\b|parts\b)([\w.]+)\.path\b")
ALLOWED_MEDIA_ROOT = {"advocacy/settings.py"}


def app_files() -> list[Path]:
    return sorted(
        path
        for folder in APP_DIRS
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


def offences(pattern: re.Pattern, files: list[Path]) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            code = line.split("#", 1)[0]
            if pattern.search(code):
                found.append(f"{path}:{number}: {line.strip()}")
    return found


def test_app_code_never_reads_a_stored_files_path():
    assert offences(FIELD_PATH, app_files()) == []


def test_app_code_never_builds_paths_from_media_root():
    files = [p for p in app_files() if str(p.relative_to(ROOT)) not in ALLOWED_MEDIA_ROOT]
    assert offences(MEDIA_ROOT, files) == []


@pytest.mark.parametrize(
    ("pattern", "line", "caught"),
    [
        (FIELD_PATH, "check_image(org.logo.path, label='x')", True),
        (FIELD_PATH, "stat = os.stat(field.path)", True),
        (FIELD_PATH, "if os.path.exists(name) and request.path:", False),
        (MEDIA_ROOT, "open(settings.MEDIA_ROOT / 'x')", True),
    ],
)
def test_the_checks_catch_what_they_are_for(tmp_path, pattern, line, caught):
    sample = tmp_path / "sample.py"
    sample.write_text(line + "\n")
    assert bool(offences(pattern, [sample])) is caught
