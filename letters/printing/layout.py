"""
What a letter prints and where: paper, the envelope window, the address
block, signatories, and the HTML of each copy and of the label sheet.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from letters.models import (
    EnvelopeWindow,
    Letter,
    LetterRecipient,
    LetterStatus,
    PaperSize,
)
from letters.printing import limits
from letters.printing.fetcher import check_image
from letters.printing.limits import PdfError
from letters.text import greeting, letter_context

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "letters"
# Every file that shapes the printed bytes: their contents are part of the cache key.
PRINTED_FILES = [
    TEMPLATES / "printing" / "letter.html",
    TEMPLATES / "printing" / "labels.html",
    TEMPLATES / "printing" / "print.css",
    TEMPLATES / "_letter_text.html",
    Path(__file__),
    Path(__file__).with_name("engine.py"),
]

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
WINDOWS: dict[str, Window] = {
    EnvelopeWindow.DL_LEFT: Window(left=20, top=45, width=85, height=45),
    EnvelopeWindow.DL_RIGHT: Window(left=105, top=45, width=85, height=45),
    EnvelopeWindow.US10: Window(left=22, top=50, width=102, height=38),
    EnvelopeWindow.NAGA3: Window(left=23, top=18, width=90, height=45),
}

# Must match the first page's margins in print.css.
MARGIN_TOP_FIRST = 12
MARGIN_LEFT = 20

PAPER: dict[str, tuple[str, float, float]] = {
    PaperSize.A4: ("A4", 210, 297),
    PaperSize.LETTER: ("letter", 215.9, 279.4),
}


@cache
def template_version() -> str:
    """Changes whenever a file that shapes the printed page changes."""
    digest = hashlib.sha256()
    for path in PRINTED_FILES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- What a letter prints ---------------------------------------------------------------


def is_archival(letter: Letter) -> bool:
    return letter.is_signed


def watermark(letter: Letter) -> str:
    if letter.is_editable:
        return "DRAFT"
    if letter.status == LetterStatus.WITHDRAWN:
        return "WITHDRAWN"
    return ""


def printed_signatories(letter: Letter, signatories: list) -> list:
    """Signing order, without organisations that declined or withdrew."""
    signed = letter.is_signed
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
        show_signatures=letter.is_signed,
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
        parts += [section.heading, section.body, section.lead_in, section.closing]
        parts += [rec.text for _, rec in section.numbered]
    total = sum(len(p or "") for p in parts)
    if total > limits.MAX_TEXT_CHARS:
        raise PdfError(
            f"The letter is too long to print ({total:,} characters; the limit is "
            f"{limits.MAX_TEXT_CHARS:,}). Shorten it or split it into several letters."
        )
    for s in context["signatories"]:
        if s.signed and s.signature:
            check_image(s.signature.path, label=f"signature of {s.organization.name}")
    for org in context["organizations"]:
        if org.logo:
            check_image(org.logo.path, label=f"logo of {org.name}")


def letter_html(letter: Letter, *, copy_for=None, archival: bool = False) -> str:
    return render_to_string(
        "letters/printing/letter.html", pdf_context(letter, copy_for=copy_for, archival=archival)
    )


def copies_html(letter: Letter, *, archival: bool) -> list[tuple[LetterRecipient, str]]:
    """
    The HTML of every copy (addressees first, then cc's) from one set of queries:
    the same HTML `letter_html(letter, copy_for=recipient)` gives, so the same bytes.
    """
    context = pdf_context(letter, archival=archival)
    out: list[tuple[LetterRecipient, str]] = []
    everyone = context["to_recipients"] + context["cc_recipients"]
    for recipient in everyone:
        context.update(
            addressee=recipient,
            salutation=greeting(letter, everyone, copy_for=recipient),
            copy_label=copy_label(recipient),
            g=geometry(context["window"], recipient),
        )
        out.append((recipient, render_to_string("letters/printing/letter.html", context)))
    return out


LABEL_SHEETS: dict[str, dict[str, float]] = {
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
        # Not a field: the template reads it, as it does the one letter_context() sets.
        r.shown = r.addressee()
    sheet = LABEL_SHEETS.get(letter.paper_size, LABEL_SHEETS[PaperSize.A4])
    paper_name = PAPER.get(letter.paper_size, PAPER[PaperSize.A4])[0]
    return render_to_string(
        "letters/printing/labels.html",
        {"letter": letter, "recipients": recipients, "sheet": sheet, "paper": paper_name},
    )
