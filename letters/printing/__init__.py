"""
Printable letters: one PDF per recipient, all copies merged, address labels.

Rendering is a pure function of the letter's printed inputs, so PDFs are cached
on disk by a hash of those inputs (`cache`). WeasyPrint only ever sees our own
template and print CSS (`layout`), user text that is escaped or sanitised
Markdown, and files our URL fetcher agrees to serve (`fetcher`), within the
limits of `limits`; `engine` runs it, `tasks` prints many copies in the background.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch
from django.utils.text import slugify

from letters.models import Letter, LetterRecipient, Recommendation
from letters.printing import cache, engine, layout
from letters.printing.layout import is_archival, watermark
from letters.printing.limits import PdfError

# Printing every copy for sending is the coordinators' job.
BATCH_PERMISSION = "letters.send_letter"

# What one printed page holds, roughly: the demo letter's text prints on 4 pages.
CHARS_PER_PAGE = 2500
# A mailing of more pages than this (copies x pages) is printed in the background
# only, all copies in one PDF and the labels included: in a request it would run
# into the time limit (41 copies of a 16-page letter took 80 s).
LARGE_MAILING_PAGES = 80

__all__ = [
    "BATCH_PERMISSION",
    "PdfError",
    "copies",
    "document",
    "estimated_pages",
    "is_large_mailing",
    "is_archival",
    "pdf_filename",
    "render_letter_pdf",
    "watermark",
]


def _produce_letter(letter: Letter, copy_for, archival: bool) -> bytes:
    return engine.html_to_pdf(
        layout.letter_html(letter, copy_for=copy_for, archival=archival), archival=archival
    )


def _produce_all(letter: Letter, copy_for, archival: bool) -> bytes:
    htmls = [html for _, html in layout.copies_html(letter, archival=archival)]
    documents = [
        engine.layout(html) for html in htmls or [layout.letter_html(letter, archival=archival)]
    ]
    pages = [page for document in documents for page in document.pages]
    return engine.write(documents[0].copy(pages), archival=archival)


def _produce_labels(letter: Letter, copy_for, archival: bool) -> bytes:
    return engine.html_to_pdf(layout.labels_html(letter), archival=False)


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
    key = cache.pdf_cache_key(letter, copy_for=copy_for, kind=kind, archival=archival)
    produce = PRODUCERS[kind]
    return key, lambda: cache.through_cache(key, lambda: produce(letter, copy_for, archival))


def render_letter_pdf(
    letter: Letter, *, copy_for: LetterRecipient | None = None, archival: bool | None = None
) -> bytes:
    """
    The letter as PDF bytes; `copy_for` puts that recipient's address in the window.
    `archival` None means PDF/A-3b (tagged) once the letter is final, sent or
    published, and plain tagged PDF for drafts. Raises PdfError with a message.
    """
    return document(letter, copy_for=copy_for, archival=archival)[1]()


def copies(letter: Letter) -> list[LetterRecipient]:
    """Every copy that goes out: the addressees first, then the cc's."""
    recipients = list(letter.original.recipients.select_related("position"))
    return [r for r in recipients if r.role == "to"] + [r for r in recipients if r.role == "cc"]


def estimated_pages(letter: Letter, sections=None) -> int:
    """
    How many pages one copy prints on, from the length of its text: enough to tell
    a large mailing from a small one without rendering it. Pass the letter's
    sections with their recommendations prefetched, where a page has them.
    """
    if sections is None:
        # Unordered: the default orderings start with the letter (a join to every letter).
        sections = letter.sections.order_by().prefetch_related(
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.order_by().only("section", "text"),
            )
        )
    chars = len(letter.subject) + len(letter.opening) + len(letter.closing)
    for section in sections:
        chars += sum(len(t or "") for t in (section.heading, section.body, section.lead_in))
        chars += len(section.closing or "")
        chars += sum(len(r.text) for r in section.recommendations.all())
    return 1 + chars // CHARS_PER_PAGE


def is_large_mailing(letter: Letter, *, copies: int, sections=None) -> bool:
    """Too many pages in all to print in a request: the background batch prints them."""
    return copies * estimated_pages(letter, sections) > LARGE_MAILING_PAGES


def pdf_filename(
    letter: Letter, copy_for: LetterRecipient | None = None, kind: str = "letter"
) -> str:
    """e.g. JP-2009-12_2009-12-10_cc_commandant-japan-coast-guard.pdf"""
    parts = [slugify(letter.reference).upper() or f"letter-{letter.pk}"]
    if letter.date:
        parts.append(letter.date.isoformat())
    if copy_for is not None:
        office = f"{copy_for.office_title} {copy_for.office_institution}"
        name = slugify(office)[:60].strip("-")
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
