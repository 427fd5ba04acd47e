"""
Printable letters: one PDF per recipient, all copies merged, address labels.

Rendering is a pure function of the letter's printed inputs, so PDFs are cached on
disk under MEDIA_ROOT by a hash of those inputs (shared by every web process and
worker). WeasyPrint only ever sees our own template and print CSS, user text that
is escaped or sanitised Markdown, and files our URL fetcher agrees to serve: real
paths under the static and media roots, and small data: URLs.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import mimetypes
import multiprocessing
import os
import re
import signal
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils.text import slugify
from PIL import Image, UnidentifiedImageError
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from letters.models import (
    EDITABLE_STATUSES,
    EnvelopeWindow,
    Letter,
    LetterRecipient,
    LetterStatus,
    PaperSize,
)
from letters.rendering import letter_context

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "letters" / "pdf"
PRINT_CSS = TEMPLATE_DIR / "print.css"

# Resources are requested from this made-up origin (the .invalid TLD never
# resolves): the fetcher maps it onto MEDIA_ROOT and the static files, so
# `{{ file.url }}` works in the template and nothing is ever fetched over a network.
ASSET_ORIGIN = "https://pdf-assets.invalid/"

SIGNED_STATUSES = (LetterStatus.FINAL, LetterStatus.SENT, LetterStatus.PUBLISHED)
ARCHIVAL_VARIANT = "pdf/a-3b"

# Limits that keep one hostile letter from taking a worker down (see NOTES.md:
# a 12000x12000 PNG takes >1 GB, ~200 nested blocks overflow the stack).
MAX_TEXT_CHARS = 200_000
# Elements nested in the whole page: our template uses ~10, each list level 2.
MAX_DEPTH = 60
MAX_PAGES = 60
MAX_SECONDS = 20.0  # below gunicorn's 30 s worker timeout, so the user gets a message
MAX_DATA_URL = 64 * 1024
MAX_ASSET_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 16_000_000
MAX_IMAGE_SIDE = 6000


class PdfError(Exception):
    """A letter that cannot be printed, with a message for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Envelope windows -------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Where the address block sits on the first page, in mm from the sheet's top left."""

    left: float
    top: float
    width: float
    height: float


# Positions of the window on the folded sheet. ISO DL/C5 follows DIN 5008 form B
# (address field 20 mm from the left, 45 mm from the top, 85 x 45 mm); the right
# window is its mirror on A4; US #10 is the common 4 1/2 x 1 1/8 in window 7/8 in
# from the left, which lands ~2 in from the top of a Letter sheet folded in three;
# 長形3号 window envelopes put a 90 x 45 mm window 23 mm from the left and 13 mm
# from the top, and the sheet sits ~5 mm below the envelope's top edge.
WINDOWS = {
    EnvelopeWindow.DL_LEFT: Window(left=20, top=45, width=85, height=45),
    EnvelopeWindow.DL_RIGHT: Window(left=105, top=45, width=85, height=45),
    EnvelopeWindow.US10: Window(left=22, top=50, width=102, height=38),
    EnvelopeWindow.NAGA3: Window(left=23, top=18, width=90, height=45),
}

# Must match the first page's margins in print.css.
MARGIN_TOP_FIRST = 12
MARGIN_LEFT = 20

PAPER = {PaperSize.A4: ("A4", 210, 297), PaperSize.LETTER: ("letter", 215.9, 279.4)}


# --- Fonts and stylesheet (one per process) ----------------------------------------

_font_config: FontConfiguration | None = None
_stylesheet: weasyprint.CSS | None = None
_lock = threading.RLock()


def font_config() -> FontConfiguration:
    """One FontConfiguration per process: faster renders and flat memory (NOTES.md)."""
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


@cache
def template_version() -> str:
    """Changes whenever a file that shapes the printed page changes."""
    digest = hashlib.sha256()
    files = sorted(TEMPLATE_DIR.iterdir()) + [
        Path(settings.BASE_DIR) / "templates" / "letters" / "_letter_text.html",
        Path(__file__),
    ]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- URL fetcher ----------------------------------------------------------------------


def allowed_roots() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)]
    for entry in settings.STATICFILES_DIRS:
        roots.append(Path(entry[1] if isinstance(entry, tuple | list) else entry))
    return [Path(os.path.realpath(root)) for root in roots]


class AssetFetcher(URLFetcher):
    """
    Serve only files under the media and static roots (after resolving symlinks)
    and small data: URLs. Everything else (other file: paths, http(s), ftp, and so
    redirects too) is refused and logged; WeasyPrint then leaves the resource out.
    """

    def __init__(self) -> None:
        super().__init__(
            timeout=1, allowed_protocols={"data", "file", "https"}, allow_redirects=False
        )

    def refuse(self, url: str, reason: str):
        logger.warning("PDF renderer refused %s: %s", url[:200], reason)
        return ValueError(f"Refused {url[:80]}: {reason}")

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            if len(url) > MAX_DATA_URL:
                raise self.refuse(url, "data: URL larger than the limit")
            return super().fetch(url, headers)
        if url.startswith(ASSET_ORIGIN):
            path = self.asset_path(unquote(urlsplit(url).path))
        elif url.startswith("file:"):
            path = Path(url2pathname(unquote(urlsplit(url).path)))
        else:
            raise self.refuse(url, "only our own static and media files are served")
        if path is None:
            raise self.refuse(url, "not a static or media URL")
        real = Path(os.path.realpath(path))
        media = Path(os.path.realpath(settings.MEDIA_ROOT))
        if not any(real.is_relative_to(root) for root in allowed_roots()):
            raise self.refuse(url, "outside the static and media roots")
        if not real.is_file():
            raise self.refuse(url, "no such file")
        if real.stat().st_size > MAX_ASSET_BYTES:
            raise self.refuse(url, "file too large")
        mime = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
        if real.is_relative_to(media):
            # Uploaded files: only images, and only as freshly re-encoded pixels.
            try:
                body = reencoded_image(str(real), real.stat().st_mtime_ns)
            except PdfError as exc:
                raise self.refuse(url, exc.message) from None
            mime = "image/png"
        else:
            body = real.read_bytes()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    @staticmethod
    def asset_path(path: str) -> Path | None:
        media_prefix = "/" + settings.MEDIA_URL.strip("/") + "/"
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if path.startswith(media_prefix):
            return Path(settings.MEDIA_ROOT) / path[len(media_prefix) :]
        if path.startswith(static_prefix):
            from django.contrib.staticfiles import finders

            relative = path[len(static_prefix) :]
            try:
                found = finders.find(relative)
            except SuspiciousFileOperation:
                return None
            return Path(found) if found else Path(settings.STATIC_ROOT) / relative
        return None


def check_image(path: str, *, label: str) -> tuple[int, int]:
    """Refuse anything but a PNG or JPEG of sane size, reading only its header."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as probe:
                kind, (width, height) = probe.format, probe.size
    except (FileNotFoundError, IsADirectoryError):
        raise PdfError(f"The {label} file is missing; upload it again.") from None
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PdfError(f"The {label} is not a PNG or JPEG image; upload it again.") from None
    if kind not in {"PNG", "JPEG"}:
        raise PdfError(f"The {label} must be a PNG or JPEG image, not {kind}.")
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise PdfError(
            f"The {label} is {width}×{height} pixels, too large to print; upload one under "
            f"{MAX_IMAGE_SIDE} pixels a side."
        )
    return width, height


@lru_cache(maxsize=64)
def _reencoded(path: str, mtime_ns: int) -> bytes:
    check_image(path, label="image")
    with Image.open(path) as image:
        image.load()
        mode = "RGBA" if image.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
        out = io.BytesIO()
        image.convert(mode).save(out, format="PNG")
    return out.getvalue()


def reencoded_image(path: str, mtime_ns: int) -> bytes:
    """Only pixels reach the renderer; cached per file version for the process."""
    return _reencoded(path, mtime_ns)


# --- What a letter prints ---------------------------------------------------------------


def is_archival(letter: Letter) -> bool:
    return letter.status in SIGNED_STATUSES


def watermark(letter: Letter) -> str:
    if letter.status in EDITABLE_STATUSES:
        return "DRAFT"
    if letter.status == LetterStatus.WITHDRAWN:
        return "WITHDRAWN"
    return ""


def printed_signatories(letter: Letter, signatories: list) -> list:
    """Signing order, without organisations that declined or withdrew."""
    signed = letter.status in SIGNED_STATUSES
    kept = []
    for s in signatories:
        if s.declined_at or s.withdrawn_at:
            continue
        # A signature image appears only on a signed letter, and only for a
        # signatory who approved this exact text.
        s.signed = signed and s.has_approved(letter.content_hash)
        kept.append(s)
    return kept


def pdf_context(letter: Letter, *, copy_for=None, archival: bool = False) -> dict:
    context = letter_context(letter, copy_for=copy_for)
    signatories = printed_signatories(letter, context["signatories"])
    paper_name = PAPER.get(letter.paper_size, PAPER[PaperSize.A4])[0]
    window = WINDOWS.get(letter.envelope_window, WINDOWS[EnvelopeWindow.DL_LEFT])
    context.update(
        signatories=signatories,
        organizations=[s.organization for s in signatories],
        show_signatures=letter.status in SIGNED_STATUSES,
        for_print=True,
        watermark=watermark(letter),
        archival=archival,
        variant=("PDF/A-3b, tagged" if archival else "PDF 1.7, tagged"),
        paper=paper_name,
        window=window,
        g=geometry(window, context["addressee"]),
        copy_label=copy_label(copy_for),
        template_version=template_version(),
    )
    check_printable(letter, context)
    return context


def copy_label(recipient) -> str:
    """The footer of a copy says whose copy it is."""
    if recipient is None:
        return ""
    title = recipient.position.title
    return f"Copy for {title}" if recipient.role == "cc" else f"To {title}"


PT_PER_MM = 72 / 25.4


def geometry(window: Window, addressee=None) -> dict:
    """Page-area coordinates (mm) for the address window; print.css sets the margins."""
    top = window.top - MARGIN_TOP_FIRST
    # The whole address must show through the window: shrink the type (down to
    # 7 pt) when an address has more lines than the window holds at 10 pt.
    lines = 2 + len(addressee.shown["address_lines"]) if addressee is not None else 1
    fits = (window.height - 6) / (lines * 1.25) * PT_PER_MM
    return {
        "address_pt": round(max(7.0, min(10.0, fits)), 1),
        "zone_height": top + window.height + 4,
        "left": window.left - MARGIN_LEFT,
        "width": window.width,
        "return_top": top,
        "address_top": top + 5,
        "address_height": window.height - 5,
        # A window near the top (長形3号) leaves the letterhead the space to its right.
        "letterhead_offset": window.left + window.width - MARGIN_LEFT + 8 if window.top < 40 else 0,
    }


def check_printable(letter: Letter, context: dict) -> None:
    """Refuse, with a message, what would hang or exhaust a worker."""
    parts = [letter.subject, letter.opening, letter.closing]
    for section in context["sections"]:
        parts += [section.heading, section.body, section.lead_in]
        parts += [rec.text for _, rec in section.numbered]
    total = sum(len(p or "") for p in parts)
    if total > MAX_TEXT_CHARS:
        raise PdfError(
            f"The letter is too long to print ({total:,} characters; the limit is "
            f"{MAX_TEXT_CHARS:,}). Shorten it or split it into several letters."
        )
    for s in context["signatories"]:
        if s.signed and s.signature:
            check_image(s.signature.path, label=f"signature of {s.organization.name}")
    for org in context["organizations"]:
        if org.logo:
            check_image(org.logo.path, label=f"logo of {org.name}")


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


def letter_html(letter: Letter, *, copy_for=None, archival: bool = False) -> str:
    return render_to_string(
        "letters/pdf/letter.html", pdf_context(letter, copy_for=copy_for, archival=archival)
    )


def copies_html(letter: Letter, *, archival: bool) -> list[tuple[LetterRecipient, str]]:
    """
    The HTML of every copy (addressees first, then cc's) from one set of queries:
    the same HTML `letter_html(letter, copy_for=recipient)` gives, so the same bytes.
    """
    context = pdf_context(letter, archival=archival)
    out = []
    for recipient in context["to_recipients"] + context["cc_recipients"]:
        context.update(
            addressee=recipient,
            copy_label=copy_label(recipient),
            g=geometry(context["window"], recipient),
        )
        out.append((recipient, render_to_string("letters/pdf/letter.html", context)))
    return out


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


def layout(html: str) -> weasyprint.Document:
    """Lay out one document, within the page, time and recursion limits."""
    if html_depth(html) > MAX_DEPTH:
        raise PdfError(
            "The letter has lists or quotes nested too deeply to print; flatten them first."
        )
    try:
        with time_limit(MAX_SECONDS):
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
    if len(document.pages) > MAX_PAGES:
        raise PdfError(
            f"The letter would print on {len(document.pages)} pages; the limit is {MAX_PAGES}."
        )
    return document


def _render_in_worker(html: str, archival: bool) -> bytes:
    return html_to_pdf(html, archival=archival)


def render_many(
    htmls: list[str], *, archival: bool, workers: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """
    Render many documents on every core, yielding (index, bytes) as each finishes.
    Layout is CPU-bound Python, so processes, not threads. The pool is forked from
    a warmed-up parent, so workers inherit its fonts and stylesheet.
    """
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(htmls) <= 1:
        for index, html in enumerate(htmls):
            yield index, html_to_pdf(html, archival=archival)
        return
    stylesheet()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(htmls)), mp_context=context) as pool:
        futures = {
            pool.submit(_render_in_worker, html, archival): index
            for index, html in enumerate(htmls)
        }
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()


def write(document: weasyprint.Document, *, archival: bool) -> bytes:
    options = {"pdf_tags": True, "custom_metadata": True}
    if archival:
        options["pdf_variant"] = ARCHIVAL_VARIANT
    with time_limit(MAX_SECONDS):
        return document.write_pdf(**options)


def html_to_pdf(html: str, *, archival: bool = False) -> bytes:
    """The bare engine call (plus our limits): what the bench calls the floor."""
    return write(layout(html), archival=archival)


# --- Cache ----------------------------------------------------------------------------------


def _file_stamp(field) -> str:
    if not field:
        return ""
    try:
        stat = os.stat(field.path)
    except OSError:
        return f"{field.name}:missing"
    return f"{field.name}:{stat.st_size}:{stat.st_mtime_ns}"


def key_inputs(letter: Letter) -> list:
    """
    Everything that shapes a letter's printed bytes, in three small queries: the
    text (content hash), the print settings, each recipient as it prints (frozen
    snapshot, or the live office and its holders for a draft), the signatories
    with their approvals and files, the template, WeasyPrint.
    """
    from recipients.models import Term

    recipients = list(
        letter.recipients.order_by("pk").values_list(
            "pk",
            "role",
            "order",
            "position_id",
            "position__updated_at",
            "official_id",
            "snapshot_name",
            "snapshot_title",
            "snapshot_address",
            "snapshot_salutation",
            "snapshot_taken_at",
        )
    )
    live = [r[3] for r in recipients if r[10] is None]
    terms = (
        list(
            Term.objects.filter(position_id__in=live)
            .order_by("pk")
            .values_list("pk", "position_id", "official_id", "start", "end", "official__updated_at")
        )
        if live
        else []
    )
    signatories = []
    for s in letter.signatories.select_related("organization").order_by("order", "pk"):
        org = s.organization
        signatories.append(
            [
                s.pk,
                s.role,
                s.signer_name,
                s.signer_title,
                s.has_approved(letter.content_hash),
                bool(s.declined_at or s.withdrawn_at),
                _file_stamp(s.signature),
                org.name,
                org.short_name,
                org.address,
                org.website,
                _file_stamp(org.logo),
            ]
        )
    return [
        letter.pk,
        letter.reference,
        letter.content_hash,
        letter.version,
        # What the status changes on paper, not the status: a final letter and the
        # same letter once sent print the same bytes (sending archives the former).
        watermark(letter),
        letter.status in SIGNED_STATUSES,
        letter.paper_size,
        letter.envelope_window,
        letter.recommendation_style,
        letter.updated_at,
        recipients,
        terms,
        signatories,
        template_version(),
        weasyprint.__version__,
    ]


def pdf_cache_key(
    letter: Letter,
    *,
    copy_for=None,
    kind: str = "letter",
    archival: bool | None = None,
    inputs: list | None = None,
) -> str:
    """
    The cache key (and ETag) of one printed document: a hash of `key_inputs` plus
    which document and which variant. Any change gives a new key, so entries never
    need invalidating. Pass `inputs` to key many copies with the same queries.
    """
    archival = is_archival(letter) if archival is None else archival
    payload = [
        kind,
        copy_for.pk if copy_for is not None else None,
        ARCHIVAL_VARIANT if archival else "plain",
        key_inputs(letter) if inputs is None else inputs,
    ]
    encoded = json.dumps(payload, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def cache_root() -> Path:
    """PDF_CACHE_ROOT if set, else MEDIA_ROOT/pdf-cache: shared by every process."""
    root = getattr(settings, "PDF_CACHE_ROOT", None)
    return Path(root) if root else Path(settings.MEDIA_ROOT) / "pdf-cache"


def cache_path(key: str) -> Path:
    return cache_root() / key[:2] / f"{key}.pdf"


def cached_pdf(key: str) -> bytes | None:
    try:
        return cache_path(key).read_bytes()
    except FileNotFoundError:
        return None


def store_pdf(key: str, data: bytes) -> None:
    """Write atomically, so a concurrent reader sees the whole file or none."""
    path = cache_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _through_cache(key: str, produce) -> bytes:
    data = cached_pdf(key)
    if data is None:
        data = produce()
        store_pdf(key, data)
    return data


# --- Public interface ------------------------------------------------------------------------


def _produce_letter(letter: Letter, copy_for, archival: bool) -> bytes:
    return html_to_pdf(letter_html(letter, copy_for=copy_for, archival=archival), archival=archival)


def _produce_all(letter: Letter, copy_for, archival: bool) -> bytes:
    htmls = [html for _, html in copies_html(letter, archival=archival)]
    documents = [layout(html) for html in htmls or [letter_html(letter, archival=archival)]]
    pages = [page for document in documents for page in document.pages]
    return write(documents[0].copy(pages), archival=archival)


def _produce_labels(letter: Letter, copy_for, archival: bool) -> bytes:
    return html_to_pdf(labels_html(letter), archival=False)


PRODUCERS = {"letter": _produce_letter, "all": _produce_all, "labels": _produce_labels}


def document(
    letter: Letter,
    *,
    kind: str = "letter",
    copy_for: LetterRecipient | None = None,
    archival: bool | None = None,
) -> tuple[str, Callable[[], bytes]]:
    """
    (cache key, a function that returns the bytes from the cache or renders them).
    Views use the key as ETag and answer 304 without rendering anything.
    """
    archival = is_archival(letter) if archival is None else archival
    if kind == "labels":
        archival = False
    key = pdf_cache_key(letter, copy_for=copy_for, kind=kind, archival=archival)
    produce = PRODUCERS[kind]
    return key, lambda: _through_cache(key, lambda: produce(letter, copy_for, archival))


def render_letter_pdf(
    letter: Letter, *, copy_for: LetterRecipient | None = None, archival: bool | None = None
) -> bytes:
    """
    The letter as PDF bytes; `copy_for` puts that recipient's address in the window.
    `archival` None means PDF/A-3b (tagged) once the letter is final, sent or
    published, and plain tagged PDF for drafts. Raises PdfError with a message.
    """
    return document(letter, copy_for=copy_for, archival=archival)[1]()


def render_all_copies_pdf(letter: Letter, *, archival: bool | None = None) -> bytes:
    """One PDF with every copy (addressees, then cc's), each numbered from its own page 1."""
    return document(letter, kind="all", archival=archival)[1]()


def render_labels_pdf(letter: Letter) -> bytes:
    """A sheet of address labels (3 x 8 on A4, 3 x 10 on US Letter) for every recipient."""
    return document(letter, kind="labels")[1]()


def copies(letter: Letter) -> list[LetterRecipient]:
    """Every copy that goes out: the addressees first, then the cc's."""
    recipients = list(letter.recipients.select_related("position"))
    return [r for r in recipients if r.role == "to"] + [r for r in recipients if r.role == "cc"]


LABEL_SHEETS = {
    # columns, rows, label width and height (mm), page margins top/left (mm), gaps (mm)
    PaperSize.A4: {"columns": 3, "rows": 8, "width": 70, "height": 37, "top": 0, "left": 0},
    PaperSize.LETTER: {
        "columns": 3,
        "rows": 10,
        "width": 66.7,
        "height": 25.4,
        "top": 12.7,
        "left": 4.8,
    },
}


def labels_html(letter: Letter) -> str:
    recipients = list(
        letter.recipients.select_related("position", "official").prefetch_related(
            "position__terms__official"
        )
    )
    recipients = [r for r in recipients if r.role == "to"] + [
        r for r in recipients if r.role == "cc"
    ]
    for r in recipients:
        r.shown = r.addressee()
    sheet = LABEL_SHEETS.get(letter.paper_size, LABEL_SHEETS[PaperSize.A4])
    paper_name = PAPER.get(letter.paper_size, PAPER[PaperSize.A4])[0]
    return render_to_string(
        "letters/pdf/labels.html",
        {"letter": letter, "recipients": recipients, "sheet": sheet, "paper": paper_name},
    )


def pdf_filename(
    letter: Letter, copy_for: LetterRecipient | None = None, kind: str = "letter"
) -> str:
    """e.g. JP-2009-12_2009-12-10_cc_commandant-japan-coast-guard.pdf"""
    parts = [slugify(letter.reference).upper() or f"letter-{letter.pk}"]
    if letter.date:
        parts.append(letter.date.isoformat())
    if copy_for is not None:
        position = copy_for.position
        name = slugify(f"{position.title} {position.institution}")[:60].strip("-")
        parts += [copy_for.role, name or f"recipient-{copy_for.pk}"]
    elif kind == "all":
        parts.append("all-copies")
    elif kind == "labels":
        parts.append("labels")
    elif kind == "batch":
        return "_".join([*parts, "copies"]) + ".zip"
    if watermark(letter):
        parts.append(watermark(letter).lower())
    return "_".join(parts) + ".pdf"


def warm_up() -> None:
    """Load fonts and compile the stylesheet before the first real request."""
    start = time.perf_counter()
    html_to_pdf("<html lang='en'><p>Warm-up 日本語</p></html>")
    logger.info("WeasyPrint warmed up in %.0f ms", (time.perf_counter() - start) * 1000)
