"""
Reading the documents a letter is imported from: a .docx, a text-based .pdf
or a saved web page, as plain text for `letters.importing.parse_letter`.
Every upload is checked before a parser sees it: its size, its type by its
first bytes (never by its name), and for a .docx (a zip) the size its parts
would unpack to, so a zip bomb is refused without being opened.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import nh3
from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 30 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 500
MAX_PDF_PAGES = 60
MAX_TEXT_CHARS = 200_000

DOCX, PDF, HTML, TEXT = "docx", "pdf", "html", "txt"
LABELS = {DOCX: "Word document", PDF: "PDF", HTML: "web page", TEXT: "text"}


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def sniff(head: bytes) -> str:
    """The kind of document by its first bytes, or "" for one we do not read."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    sample = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sample.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<!--")):
        return HTML
    try:
        head[:2048].decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head[:2048]) - 4:
            return ""
    return TEXT if b"\x00" not in head else ""


def read_upload(upload) -> tuple[str, str]:
    """(text, kind) of an uploaded document, or ValidationError saying what is wrong."""
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise _refuse(
            f"The file is too large ({size / 1024 / 1024:.1f} MB); the limit is "
            f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB.",
            "too_large",
        )
    if size == 0:
        raise _refuse("The file is empty.", "empty")
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    kind = sniff(data[:4096])
    if not kind:
        raise _refuse(
            "This file is not a Word document (.docx), a PDF, a web page (.html) or text.",
            "bad_format",
        )
    reader = {DOCX: read_docx, PDF: read_pdf, HTML: read_html, TEXT: read_text}[kind]
    text = reader(data)
    if not text.strip():
        raise _refuse(f"This {LABELS[kind]} contains no text to import.", "no_text")
    return text[:MAX_TEXT_CHARS], kind


def read_text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def check_zip(data: bytes) -> zipfile.ZipFile:
    """The archive, once its directory shows it unpacks to a sane size (no zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _refuse("This Word document is damaged and cannot be read.", "bad_zip") from exc
    members = archive.infolist()
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if (
        len(members) > MAX_ZIP_MEMBERS
        or unpacked > MAX_UNPACKED_BYTES
        or unpacked / packed > MAX_ZIP_RATIO
    ):
        raise _refuse(
            "This Word document would unpack to far more than it weighs "
            f"({unpacked / 1024 / 1024:.0f} MB); it is refused as unsafe.",
            "zip_bomb",
        )
    if "word/document.xml" not in archive.namelist():
        raise _refuse("This file is a zip archive, not a Word document (.docx).", "bad_format")
    return archive


def read_docx(data: bytes) -> str:
    """Paragraphs and table cells, with list items marked as bullets."""
    import docx  # python-docx; imported here, only imports need it

    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a broken file
        raise _refuse("This Word document could not be read.", "unreadable") from exc
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if text and "List" in style:
            text = f"• {text}"
        lines.extend([text, ""] if text else [""])
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend([cell.text.strip(), ""])
    return "\n".join(lines)


def read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _refuse("This PDF is password-protected; save it without a password.", "locked")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise _refuse(
                f"This PDF has {len(reader.pages)} pages; a letter has at most {MAX_PDF_PAGES}.",
                "too_many_pages",
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise _refuse("This PDF is damaged and cannot be read.", "unreadable") from exc
    text = "\n\n".join(pages)
    if not re.search(r"\w{2,}", text):
        raise _refuse(
            "This PDF has no text, only images (a scan?). Import a PDF made from a document, "
            "or paste the letter's text.",
            "scanned",
        )
    return text


# The parts of a page around the letter; their content goes with them.
DROPPED = {
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "noscript",
    "select",
    "iframe",
    "svg",
    "template",
    "title",
}
BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article"}
BLOCKS |= {"main", "blockquote", "ul", "ol", "table", "dd", "dt", "address"}
KEPT = (BLOCKS | {"td", "th", "span", "strong", "em", "b", "i", "a"}) - {"a"}
FURNITURE_CLASS = re.compile(r"cookie|consent|banner|donat|newsletter|breadcrumb|share|menu|region")


VOID = {"br", "img", "hr", "wbr", "input", "meta", "link", "source", "col", "area"}


class _Text(HTMLParser):
    """
    Cleaned HTML to text: a blank line after each block, "• " before list items,
    and nothing from an element whose class or id says cookie banner, donation
    appeal, menu... (nh3's output is well formed, so counting tags finds its end).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in VOID and self.skipping:
            return
        if self.skipping:
            self.skipping += 1
            return
        marks = " ".join(value or "" for name, value in attrs if name in ("class", "id"))
        if tag not in VOID and FURNITURE_CLASS.search(marks.lower()):
            self.skipping = 1
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
        elif tag in BLOCKS and tag != "br":
            self.parts.append("\n\n" if tag != "li" else "\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*?(/?)>")
MAX_HTML_DEPTH = 400
MAX_HTML_TAGS = 60_000


def check_html(html: str) -> None:
    """
    Refuse markup no web page needs and that makes HTML parsers slow: tens of
    thousands of tags, or elements nested hundreds deep (unclosed ones too).
    """
    depth = tags = 0
    for match in TAG.finditer(html):
        tags += 1
        closing, name, self_closing = match.groups()
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name.lower() not in VOID:
            depth += 1
        if depth > MAX_HTML_DEPTH or tags > MAX_HTML_TAGS:
            raise _refuse(
                "This web page's markup is too deeply nested or too large to read; "
                "copy the letter's text from the page and paste it instead.",
                "html_too_complex",
            )


def read_html(data: bytes) -> str:
    html = data.decode("utf-8", errors="replace")[: MAX_TEXT_CHARS * 5]
    check_html(html)
    cleaned = nh3.clean(
        html,
        tags=KEPT,
        clean_content_tags=DROPPED,
        attributes={"*": {"class", "id"}},
        strip_comments=True,
    )
    parser = _Text()
    parser.feed(cleaned)
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
