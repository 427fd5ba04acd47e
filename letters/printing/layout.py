"""
What a letter prints and where: paper, the envelope window, the address
block, signatories, and the HTML of each copy and of the label sheet.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import pgettext

from letters.models import (
    EnvelopeWindow,
    Language,
    Letter,
    LetterRecipient,
    LetterStatus,
    PaperSize,
)
from letters.organisations import without_legal_form
from letters.printing import limits
from letters.printing.fetcher import check_image
from letters.printing.limits import PdfError
from letters.text import greeting, letter_context

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "letters"
# Every file that shapes the printed bytes: their contents are part of the cache key.
PRINTED_FILES = [
    TEMPLATES / "printing" / "letter.html",
    TEMPLATES / "printing" / "_sheet.html",
    TEMPLATES / "printing" / "labels.html",
    TEMPLATES / "printing" / "print.css",
    TEMPLATES / "_letter_text.html",
    *sorted((Path(settings.BASE_DIR) / "locale").glob("*/LC_MESSAGES/django.mo")),
    Path(__file__),
    Path(__file__).with_name("engine.py"),
    Path(__file__).with_name("tagging.py"),
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
MARGIN_BOTTOM = 22

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


def watermark_word(letter: Letter) -> str:
    """The mark as the letter's language writes it ("DRAFT", 「草案」)."""
    key = watermark(letter)
    if not key:
        return ""
    with translation.override(letter.language):
        words = {
            "DRAFT": pgettext("watermark", "DRAFT"),
            "WITHDRAWN": pgettext("watermark", "WITHDRAWN"),
        }
    return words[key]


def translated_marks() -> list[tuple[str, str, str]]:
    """(language, key, image) for each mark a language writes in its own words."""
    marks = []
    for language in Language.values:
        with translation.override(language):
            for key in ("DRAFT", "WITHDRAWN"):
                word = pgettext("watermark", key)
                if word != key:
                    marks.append((language, key.lower(), watermark_image(word)))
    return marks


WATERMARK_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600">'
    '<text x="300" y="300" transform="rotate(-35 300 300)" text-anchor="middle"'
    ' dominant-baseline="middle"'
    ' font-family="Liberation Sans, DejaVu Sans, Noto Sans CJK JP, sans-serif"'
    ' font-weight="bold" font-size="{size}" letter-spacing="12" fill="#b42318"'
    ' fill-opacity="0.13">{word}</text></svg>'
)


def watermark_image(word: str) -> str:
    """
    The DRAFT (or WITHDRAWN) mark as a data: URL for the page background: PDF
    readers and validators treat backgrounds as artifacts, not as the letter's text.
    """
    if not word:
        return ""
    size = 128 if len(word) <= 5 else 80
    return "data:image/svg+xml," + quote(WATERMARK_SVG.format(size=size, word=word), safe="")


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
    context = sheet_context(letter, copy_for=copy_for, archival=archival)
    check_printable(letter, context)
    return context


def sheet_context(letter: Letter, *, copy_for=None, archival: bool = False) -> dict:
    """What `_sheet.html` renders: the PDF's page, and the preview's."""
    context = letter_context(letter, copy_for=copy_for)
    signatories = printed_signatories(letter, context["signatories"])
    paper_name = PAPER.get(letter.paper_size, PAPER[PaperSize.A4])[0]
    window = WINDOWS.get(letter.envelope_window, WINDOWS[EnvelopeWindow.DL_LEFT])
    organizations = [s.organization for s in signatories]
    window_key = letter.envelope_window if letter.envelope_window in WINDOWS else "dl_left"
    context.update(
        signatories=signatories,
        organizations=organizations,
        letterhead=letterhead(organizations, letter.letterhead, beside=window_key in BESIDE),
        show_signatures=letter.is_signed,
        for_print=True,
        watermark=watermark(letter),
        watermark_image=watermark_image(watermark_word(letter)),
        authors="; ".join(s.organization.name for s in signatories),
        archival=archival,
        variant=("PDF/A-3b, PDF/UA-1" if archival else "PDF 1.7, tagged"),
        paper=paper_name,
        window=window,
        g=geometry(window, context["addressee"], letter.language),
        copy_label=copy_label(copy_for),
        template_version=template_version(),
    )
    return context


def copy_label(recipient) -> str:
    """The footer of a copy says whose copy it is."""
    if recipient is None:
        return ""
    title = recipient.office_title
    if recipient.role == "cc":
        return pgettext("copy footer", "Copy for {office}").format(office=title)
    return pgettext("copy footer", "To {office}").format(office=title)


PT_PER_MM = 72 / 25.4


# The address block's line height (print.css): taller in CJK letters, whose
# fonts' glyph boxes would otherwise overlap from one line to the next.
ADDRESS_LINE_HEIGHT = {"ja": 1.45, "zh": 1.45, "ko": 1.45}


def geometry(window: Window, addressee=None, language: str = "") -> dict:
    """Page-area coordinates (mm) for the address window; print.css sets the margins."""
    top = window.top - MARGIN_TOP_FIRST
    # The whole address must show through the window: shrink the type (down to
    # 7 pt) when an address has more lines than the window holds at 10 pt.
    lines = 2 + len(addressee.shown["address_lines"]) if addressee is not None else 1
    line_height = ADDRESS_LINE_HEIGHT.get(language, 1.25)
    fits = (window.height - 6) / (lines * line_height) * PT_PER_MM
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
        # The letterhead's band: above the window, or beside it down to the window's foot.
        "band_height": top + window.height if window.top < 40 else top - 3,
    }


# --- The letterhead -------------------------------------------------------------------

# Windows near the top of the sheet: the letterhead stands beside them, one organisation a line.
BESIDE = {key for key, window in WINDOWS.items() if window.top < 40}
# The most boxes the band holds: one row up to six, two rows up to sixteen; beyond,
# fifteen and a box saying how many more sign. Beside a window, four lines and "more".
ROW_MAX = 6
BAND_MAX = 16
BESIDE_MAX = 4
_SMALL_WORDS = {"the", "of", "to", "for", "and", "in", "on", "a", "an", "de", "la", "le", "et"}


def monogram(org) -> str:
    """The short name, or initials for a name without one: a box never holds a whole name."""
    if org.short_name:
        return org.short_name
    words = [w for w in re.split(r"[\s\-/&,.()]+", org.name) if w]
    if words and all(w.isascii() for w in words):
        initials = "".join(w[0] for w in words if w.lower() not in _SMALL_WORDS)
        return initials.upper()[:6] or org.name[:4]
    # 難民支援, not 特定非営 (特定非営利活動法人 難民支援ネットワーク東京).
    return without_legal_form(org.name).replace(" ", "").replace("\u3000", "")[:4]


def letterhead(organizations: list, style: str, *, beside: bool = False) -> dict:
    """
    What the letterhead shows within its band (print.css sizes the boxes by
    `rows` and `columns`): every organisation, the lead only, or nothing.
    """
    orgs = [] if style == "plain" else organizations[:1] if style == "lead" else organizations
    cap = BESIDE_MAX if beside else BAND_MAX
    shown = orgs if len(orgs) <= cap else orgs[: cap - 1]
    for org in shown:
        org.monogram = monogram(org)
    more = len(orgs) - len(shown)
    boxes = len(shown) + (1 if more else 0)
    rows = 1 if boxes <= ROW_MAX else 2
    return {
        "style": style,
        "orgs": shown,
        "more": more,
        "rows": rows,
        "columns": max(1, -(-boxes // rows)),
        "lead": organizations[0] if organizations and style != "plain" else None,
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
            check_stored_image(s.signature, label=f"signature of {s.organization.name}")
    for org in context["organizations"]:
        if org.logo:
            check_stored_image(org.logo, label=f"logo of {org.name}")


def check_stored_image(field, *, label: str) -> None:
    """`check_image` on a file read through the storage API (disk or S3)."""
    try:
        fh = field.storage.open(field.name, "rb")
    except Exception:  # FileNotFoundError on disk, a ClientError from S3
        raise PdfError(f"The {label} file is missing; upload it again.") from None
    with fh:
        check_image(fh, label=label)


def letter_html(letter: Letter, *, copy_for=None, archival: bool = False) -> str:
    # The letter prints in its own language: labels, date, page numbers (locale/).
    with translation.override(letter.language):
        return render_to_string(
            "letters/printing/letter.html",
            pdf_context(letter, copy_for=copy_for, archival=archival),
        )


def copies_html(
    letter: Letter, *, archival: bool, only: slice | None = None
) -> list[tuple[LetterRecipient, str]]:
    """
    The HTML of every copy (addressees first, then cc's), or of the `only` slice
    of them, from one set of queries: the same HTML
    `letter_html(letter, copy_for=recipient)` gives, so the same bytes.
    """
    with translation.override(letter.language):
        return _copies_html(letter, archival=archival, only=only)


def _copies_html(
    letter: Letter, *, archival: bool, only: slice | None
) -> list[tuple[LetterRecipient, str]]:
    context = pdf_context(letter, archival=archival)
    out: list[tuple[LetterRecipient, str]] = []
    everyone = context["to_recipients"] + context["cc_recipients"]
    for recipient in everyone[only or slice(None)]:
        context.update(
            addressee=recipient,
            salutation=greeting(letter, everyone, copy_for=recipient),
            copy_label=copy_label(recipient),
            g=geometry(context["window"], recipient, letter.language),
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
        letter.original.recipients.select_related("position", "official").prefetch_related(
            "position__terms__official"
        )
    )
    recipients = [r for r in recipients if r.role == "to"] + [
        r for r in recipients if r.role == "cc"
    ]
    for r in recipients:
        # Not a field: the template reads it, as it does the one letter_context() sets.
        r.shown = r.addressee(language=letter.language)
    sheet = LABEL_SHEETS.get(letter.paper_size, LABEL_SHEETS[PaperSize.A4])
    paper_name = PAPER.get(letter.paper_size, PAPER[PaperSize.A4])[0]
    per_sheet = int(sheet["columns"] * sheet["rows"])
    sheets = [recipients[i : i + per_sheet] for i in range(0, len(recipients), per_sheet)]
    with translation.override(letter.language):
        return render_to_string(
            "letters/printing/labels.html",
            {"letter": letter, "sheets": sheets, "sheet": sheet, "paper": paper_name},
        )


# --- The preview: the printed page on screen ------------------------------------------

PRINT_CSS = TEMPLATES / "printing" / "print.css"
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_HTML = re.compile(r"\bhtml\b")


def address_size_class(points: float) -> str:
    return f"address-pt-{round(points * 10)}"


@cache
def preview_stylesheet(version: str) -> str:
    """
    print.css nested under `.printed-letter` (its `html` rules apply to that
    element; its @page rules are dropped by browsers), then the page sizes and
    envelope windows as classes, from the numbers the PDF uses.
    """
    print_css = _HTML.sub("&", _COMMENT.sub("", PRINT_CSS.read_text(encoding="utf-8")))
    papers = [
        {"name": name.lower(), "width": width, "height": height, "mark_top": height / 2 - 90}
        for name, width, height in PAPER.values()
    ]
    windows = [{"key": key, "g": geometry(window)} for key, window in WINDOWS.items()]
    return render_to_string(
        "letters/printing/preview.css",
        {
            "version": version,
            "print_css": print_css,
            "papers": papers,
            "windows": windows,
            "margin": {"top": MARGIN_TOP_FIRST, "side": MARGIN_LEFT, "bottom": MARGIN_BOTTOM},
            "marks": {word: watermark_image(word) for word in ["DRAFT", "WITHDRAWN"]},
            "translated_marks": translated_marks(),
            "address_sizes": [(address_size_class(pt / 10), pt / 10) for pt in range(70, 101)],
        },
    )


def preview_classes(letter: Letter, context: dict) -> str:
    """The classes of the preview's sheet: paper, envelope window, address size, mark."""
    window = letter.envelope_window if letter.envelope_window in WINDOWS else EnvelopeWindow.DL_LEFT
    classes = [
        f"paper-{context['paper'].lower()}",
        f"window-{window}",
        address_size_class(context["g"]["address_pt"]),
    ]
    if context["watermark"]:
        classes.append(f"mark-{context['watermark'].lower()}")
    return " ".join(classes)
