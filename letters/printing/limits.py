"""
What one letter may cost the renderer, and the error that tells the person
who asked why it was refused. Read as `limits.NAME` so tests can lower them.
"""

from __future__ import annotations

# Limits that keep one hostile letter from taking a worker down: measured here, a
# 12000x12000 PNG took over 1 GB to decode, and ~200 nested blocks overflowed the stack.
MAX_TEXT_CHARS = 200_000
# Elements nested in the whole page: our template uses ~10, each list level 2.
MAX_DEPTH = 60
MAX_PAGES = 60
MAX_SECONDS = 20.0  # below gunicorn's 30 s worker timeout, so the user gets a message
# Background tasks answer no request: this only stops a render that would never end
# (on a loaded machine, 200 address labels took 22 s wall clock for 5.6 s of CPU).
MAX_BACKGROUND_SECONDS = 300.0
MAX_DATA_URL = 64 * 1024
MAX_ASSET_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 16_000_000
MAX_IMAGE_SIDE = 6000


class PdfError(Exception):
    """A letter that cannot be printed, with a message for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
