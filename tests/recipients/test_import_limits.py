"""Hostile spreadsheets are refused cheaply: before parsing, or at the row limit."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from recipients import resources
from recipients.models import Position

pytestmark = pytest.mark.django_db

PEAK_LIMIT = 50 * 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


def xlsx_with_rows(rows: int, *, numbered: bool = True) -> bytes:
    """
    A real workbook (written by openpyxl) whose sheet holds `rows` rows below
    the header. Unnumbered identical rows compress like a zip bomb; numbered
    ones compress like an honest file.
    """
    book = Workbook(write_only=True)
    book.create_sheet().append(["title", "country"])
    honest = io.BytesIO()
    book.save(honest)
    source = zipfile.ZipFile(honest)
    sheet = source.read(SHEET).decode()
    if numbered:
        body = "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Minister</t></is></c>'
            f'<c r="B{n}" t="inlineStr"><is><t>JP</t></is></c></row>'
            for n in range(2, rows + 2)
        )
    else:
        body = (
            '<row><c t="inlineStr"><is><t>Minister</t></is></c>'
            '<c t="inlineStr"><is><t>JP</t></is></c></row>'
        ) * rows
    sheet = sheet.replace("</sheetData>", body + "</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as hostile:
        for member in source.infolist():
            data = sheet.encode() if member.filename == SHEET else source.read(member)
            hostile.writestr(member.filename, data)
    return out.getvalue()


def refusal_and_peak(name: str, data: bytes) -> tuple[str, int]:
    tracemalloc.start()
    try:
        resources.read_upload(name, data)
    except ValidationError as error:
        message = " ".join(error.messages)
    else:
        message = ""
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return message, peak


def test_a_zip_bomb_of_300000_rows_is_refused_before_it_is_parsed(monkeypatch):
    data = xlsx_with_rows(300_000, numbered=False)
    assert len(data) < 200 * 1024

    def no_parsing(*args, **kwargs):
        raise AssertionError("openpyxl was given a zip bomb")

    monkeypatch.setattr("openpyxl.load_workbook", no_parsing)
    message, peak = refusal_and_peak("bomb.xlsx", data)
    assert "the limit is 8 MB" in message
    assert peak < PEAK_LIMIT


def test_a_highly_compressed_part_is_refused_even_when_small_unpacked():
    data = xlsx_with_rows(40_000, numbered=False)
    message, peak = refusal_and_peak("bomb.xlsx", data)
    assert "compressed more than 100 to 1" in message
    assert peak < PEAK_LIMIT


def test_an_honestly_compressed_file_of_60000_rows_stops_at_the_row_limit():
    data = xlsx_with_rows(60_000)
    assert len(data) < resources.MAX_BYTES
    message, peak = refusal_and_peak("many.xlsx", data)
    assert "more than 2000 rows; at most 2000 at a time" in message
    assert peak < PEAK_LIMIT


def test_a_csv_of_a_million_lines_stops_at_the_row_limit():
    data = b"title,country\n" + b"x,JP\n" * 200_000
    message, peak = refusal_and_peak("many.csv", data)
    assert "more than 2000 rows" in message
    assert peak < PEAK_LIMIT


def test_a_file_at_the_row_limit_is_read():
    dataset = resources.read_upload("ok.xlsx", xlsx_with_rows(resources.MAX_ROWS))
    assert len(dataset) == resources.MAX_ROWS
    assert dataset[0] == ("Minister", "JP")


def test_the_directory_import_page_names_the_limit(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("recipients:import"),
        {"file": SimpleUploadedFile("bomb.xlsx", xlsx_with_rows(300_000, numbered=False))},
    )
    assert response.status_code == 200
    assert "the limit is 8 MB" in response.context["form"].errors["file"][0]


def test_the_admin_import_reads_through_the_same_limits(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:recipients_position_import"),
        {
            "format": "1",
            "resource": "0",
            "import_file": SimpleUploadedFile("many.xlsx", xlsx_with_rows(60_000)),
        },
    )
    assert response.status_code == 200
    assert "at most 2000 at a time" in response.content.decode()
    assert not Position.objects.exists()
