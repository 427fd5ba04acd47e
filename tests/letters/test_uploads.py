from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from letters.uploads import clean_document, clean_image


def png_bytes(width=40, height=20, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "white").save(out, format="PNG")
    return out.getvalue()


def bomb_png(width=12000, height=12000) -> bytes:
    """A valid PNG header claiming huge dimensions, with almost no data."""
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 4)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def upload(data: bytes, name="signature.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_it_reencodes_a_png_as_png():
    cleaned = clean_image(upload(png_bytes()))
    assert cleaned.name == "signature.png"
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.format == "PNG" and image.size == (40, 20)


def test_it_reencodes_a_jpeg_with_a_safe_name():
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "black").save(out, format="JPEG")
    cleaned = clean_image(upload(out.getvalue(), name="../../etc/x y.jpg"))
    assert cleaned.name == "x_y.png"


def test_it_refuses_a_file_that_is_not_an_image():
    with pytest.raises(ValidationError, match="not a PNG or JPEG"):
        clean_image(upload(b"<svg onload=alert(1)>", name="x.png"))


def test_it_refuses_other_image_formats():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ValidationError, match="PNG or JPEG"):
        clean_image(upload(out.getvalue(), name="x.gif"))


def test_it_refuses_a_decompression_bomb_before_decoding_it():
    with pytest.raises(ValidationError, match="12000×12000 pixels"):
        clean_image(upload(bomb_png()))


def test_it_refuses_a_file_over_the_size_limit():
    with pytest.raises(ValidationError, match="too large"):
        clean_image(upload(png_bytes()), max_bytes=10)


def test_evidence_accepts_a_pdf_and_refuses_html():
    cleaned = clean_document(upload(b"%PDF-1.7\n...", name="reply.pdf"))
    assert cleaned.name == "reply.pdf"
    with pytest.raises(ValidationError, match="PDF, PNG or JPEG"):
        clean_document(upload(b"<html><script>", name="reply.pdf"))
