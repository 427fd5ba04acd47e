"""
The rendering engine: WeasyPrint with one font configuration and stylesheet
per process, within the time, page and nesting limits, on one core or many.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import weasyprint
from django.conf import settings
from weasyprint.text.fonts import FontConfiguration

from letters.printing import limits, tagging
from letters.printing.fetcher import ASSET_ORIGIN, AssetFetcher
from letters.printing.limits import PdfError

logger = logging.getLogger(__name__)

PRINT_CSS = Path(settings.BASE_DIR) / "templates" / "letters" / "printing" / "print.css"
ARCHIVAL_VARIANT = "pdf/a-3b"

# --- Fonts and stylesheet (one per process) ----------------------------------------

_font_config: FontConfiguration | None = None
_stylesheet: weasyprint.CSS | None = None
_lock = threading.RLock()


def font_config() -> FontConfiguration:
    """One FontConfiguration per process: faster renders and flat memory (bench/pdf.py)."""
    global _font_config
    if _font_config is None:
        with _lock:
            if _font_config is None:
                _font_config = FontConfiguration()
    return _font_config


def stylesheet() -> weasyprint.CSS:
    global _stylesheet
    if _stylesheet is None:
        with _lock:
            if _stylesheet is None:
                _stylesheet = weasyprint.CSS(
                    string=PRINT_CSS.read_text(encoding="utf-8"),
                    font_config=font_config(),
                    url_fetcher=AssetFetcher(),
                    base_url=ASSET_ORIGIN,
                )
    return _stylesheet


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "hr", "img", "input", "link", "meta", "source", "wbr"}


def html_depth(html: str) -> int:
    """How deeply elements nest; Markdown nests a list per '- ' even on one line."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if name.lower() in _VOID or self_closing:
            continue
        if closing:
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


# --- Rendering ----------------------------------------------------------------------------


class _Timeout(BaseException):
    """Raised from SIGALRM; a BaseException so WeasyPrint's handlers do not swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Abort a render after `seconds` (main thread only: workers and gunicorn)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def on_alarm(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Timeout:
        raise PdfError(
            "Printing this letter took too long and was stopped. Shorten it or try again."
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def layout(html: str, *, seconds: float | None = None) -> weasyprint.Document:
    """
    Lay out one document, within the page, time and recursion limits. `seconds`
    defaults to the web request's limit; background tasks pass their own.
    """
    if html_depth(html) > limits.MAX_DEPTH:
        raise PdfError(
            "The letter has lists or quotes nested too deeply to print; flatten them first."
        )
    try:
        with time_limit(seconds or limits.MAX_SECONDS):
            document = weasyprint.HTML(
                string=html, base_url=ASSET_ORIGIN, url_fetcher=AssetFetcher()
            ).render(
                stylesheets=[stylesheet()],
                font_config=font_config(),
                # For <ol start>: numbering continues across sections.
                presentational_hints=True,
            )
    except RecursionError:
        raise PdfError("The letter is nested too deeply to print; simplify its lists.") from None
    if len(document.pages) > limits.MAX_PAGES:
        raise PdfError(
            f"The letter would print on {len(document.pages)} pages; "
            f"the limit is {limits.MAX_PAGES}."
        )
    return document


def _render_in_worker(html: str, archival: bool, seconds: float | None) -> bytes:
    return html_to_pdf(html, archival=archival, seconds=seconds)


def render_many(
    documents: list[tuple[str, bool]], *, workers: int | None = None, seconds: float | None = None
) -> Iterator[tuple[int, bytes]]:
    """
    Render many documents, each (html, archival), on every core, yielding
    (index, bytes) as each finishes. Layout is CPU-bound Python, so processes,
    not threads. The pool is forked from a warmed-up parent, so workers inherit
    its fonts and stylesheet.
    """
    workers = workers or os.cpu_count() or 1
    stylesheet()
    with _frozen_heap():
        if workers <= 1 or len(documents) <= 1:
            for index, (html, archival) in enumerate(documents):
                yield index, html_to_pdf(html, archival=archival, seconds=seconds)
            return
        yield from _render_in_pool(documents, workers=workers, seconds=seconds)


def _render_in_pool(
    documents: list[tuple[str, bool]], *, workers: int, seconds: float | None
) -> Iterator[tuple[int, bytes]]:
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(documents)), mp_context=context) as pool:
        futures = {
            pool.submit(_render_in_worker, html, archival, seconds): index
            for index, (html, archival) in enumerate(documents)
        }
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()


@contextlib.contextmanager
def _frozen_heap():
    """
    Keep the garbage collector off what the process holds already (Django, fonts,
    the stylesheet: long-lived, some 170,000 objects) while many documents render:
    each render's full collections walked all of it, about 15% of its CPU time
    (bench/pdf.py). Forked workers inherit the frozen heap, and leave its pages
    shared instead of copying them. What the renders leave is collected as usual.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def write(document: weasyprint.Document, *, archival: bool, seconds: float | None = None) -> bytes:
    # No custom Info keys: every Info entry has its XMP twin (tagging.py).
    options: dict[str, bool | str] = {"pdf_tags": True}
    if archival:
        options["pdf_variant"] = ARCHIVAL_VARIANT
        document.metadata = tagging.UniversalAccessMetadata.of(document.metadata)
    with time_limit(seconds or limits.MAX_SECONDS):
        return document.write_pdf(finisher=tagging.mark_pagination_artifacts, **options)


def html_to_pdf(html: str, *, archival: bool = False, seconds: float | None = None) -> bytes:
    """The bare engine call (plus our limits): what the bench calls the floor."""
    return write(layout(html, seconds=seconds), archival=archival, seconds=seconds)


def warm_up() -> None:
    """Load fonts and compile the stylesheet before the first real request."""
    start = time.perf_counter()
    html_to_pdf("<html lang='en'><p>Warm-up 日本語</p></html>")
    logger.info("WeasyPrint warmed up in %.0f ms", (time.perf_counter() - start) * 1000)
