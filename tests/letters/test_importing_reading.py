"""
Reading the documents a letter is imported from (letters/importing_reading.py):
a .docx built with python-docx, a PDF rendered by WeasyPrint, and every kind of
bad file refused with a message, quickly, before a parser opens it.
"""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from letters import importing
from letters.importing_reading import read_upload

LETTER = [
    "Mr. Yukio Hatoyama",
    "Prime Minister of Japan",
    "1-6-1 Nagata-cho, Chiyoda-ku",
    "Tokyo 100-8968",
]


def upload(data: bytes, name: str = "letter.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("\n".join(LETTER))
    document.add_paragraph("Dear Prime Minister Hatoyama,")
    document.add_paragraph("We write about refugees from North Korea.")
    document.add_paragraph("We recommend that the Government of Japan:")
    document.add_paragraph("Press China to stop forced returns.", style="List Bullet")
    document.add_paragraph("Grant protection to those who reach Japan.", style="List Bullet")
    document.add_paragraph("Sincerely,")
    document.add_paragraph("Aiko Tanaka\nDirector\nRights Now Japan")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_gives_its_paragraphs_and_list_items():
    text, kind = read_upload(upload(docx_bytes(), "letter.docx"))

    assert kind == "docx"
    proposal = importing.parse_letter(text)
    asks = [b for b in proposal["blocks"] if b["kind"] == "recommendation"]
    assert [(b["text"], b["government"], b["third_state"]) for b in asks] == [
        ("Press China to stop forced returns.", "JP", "CN"),
        ("Grant protection to those who reach Japan.", "JP", ""),
    ]
    assert proposal["addressees"][0]["title"] == "Prime Minister of Japan"
    assert proposal["signatories"][0]["organization"] == "Rights Now Japan"


def test_a_pdf_made_from_a_document_gives_its_text():
    from weasyprint import HTML

    html = (
        "<p>" + "<br>".join(LETTER) + "</p><p>Dear Prime Minister Hatoyama,</p>"
        "<p>We recommend that the Government of Japan:</p>"
        "<ul><li>Press China to stop forced returns.</li></ul>"
        "<p>Sincerely,</p><p>Aiko Tanaka<br>Director<br>Rights Now Japan</p>"
    )
    data = HTML(string=html).write_pdf()

    text, kind = read_upload(upload(data, "letter.pdf"))

    assert kind == "pdf"
    proposal = importing.parse_letter(text)
    assert proposal["greeting"] == "Dear Prime Minister Hatoyama,"
    asks = [b for b in proposal["blocks"] if b["kind"] == "recommendation"]
    assert [(b["government"], b["third_state"]) for b in asks] == [("JP", "CN")]


def refusal(data: bytes, name: str) -> tuple[str, float]:
    started = time.perf_counter()
    with pytest.raises(ValidationError) as error:
        read_upload(upload(data, name))
    return error.value.messages[0], time.perf_counter() - started


def test_a_scanned_pdf_without_text_is_refused_with_a_clear_message():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)

    message, seconds = refusal(out.getvalue(), "scan.pdf")

    assert "no text" in message and "scan" in message
    assert seconds < 1


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (200 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 1024 * 1024

    message, seconds = refusal(data, "bomb.docx")

    assert "unsafe" in message
    assert seconds < 1


def test_a_20_mb_file_is_refused_by_its_size():
    message, seconds = refusal(b"a" * (20 * 1024 * 1024), "big.txt")

    assert message == "The file is too large (20.0 MB); the limit is 5 MB."
    assert seconds < 1


def test_a_file_of_another_kind_is_refused_whatever_its_name():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    message, _ = refusal(png, "letter.docx")

    assert "not a Word document" in message


def test_a_zip_that_is_not_a_word_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")

    message, _ = refusal(out.getvalue(), "letter.docx")

    assert message == "This file is a zip archive, not a Word document (.docx)."


def test_a_saved_web_page_is_read_without_its_scripts():
    page = b"<!DOCTYPE html><html><script>alert(1)</script><body><p>Dear Sir,</p></body></html>"

    text, kind = read_upload(upload(page, "page.html"))

    assert kind == "html"
    assert text == "Dear Sir,"


@pytest.mark.parametrize(
    "page",
    [
        b"<html>" + b'<div class="menu">x' * 50_000,
        b"<html>" + b"<div>" * 100_000 + b"Dear Sir," + b"</div>" * 100_000,
    ],
    ids=["unclosed", "nested"],
)
def test_a_page_whose_markup_would_stall_the_parser_is_refused_at_once(page):
    message, seconds = refusal(page, "page.html")

    assert "too deeply nested or too large" in message
    assert seconds < 1


def test_elements_marked_as_banners_or_menus_are_left_out_of_a_page():
    page = (
        b'<!DOCTYPE html><div class="cookie-consent"><p>Accept our terms</p><div>more</div>'
        b'</div><p>Dear Sir,</p><div id="main-menu"><ul><li>Reports</li></ul></div>'
    )

    text, _ = read_upload(upload(page, "page.html"))

    assert text == "Dear Sir,"
