"""Importing organisations from CSV or Excel: preview, row errors, all or nothing, duplicates."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from letters.models import Organization
from tests.factories import make_organization

pytestmark = pytest.mark.django_db

URL = reverse("letters:organisations_import")
HEADER = "name,short_name,country,type,website,contact_name,email,consent_to_publish\n"


def csv_file(body: str, header: str = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("orgs.csv", (header + body).encode(), content_type="text/csv")


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_preview_saves_nothing_then_confirm_adds_the_new_rows(client, drafter):
    make_organization(name="Human Rights Watch", website="https://www.hrw.org")
    body = (
        "Human Rights Now,HRN,jp,national,https://hrn.or.jp,Kazuko Ito,info@hrn.or.jp,yes\n"
        "The Human Rights Watch Inc.,,US,International network,,,,\n"
        "HRW Tokyo,,JP,local,http://hrw.org/tokyo,,,no\n"
        "human rights now,,,,,,,\n"
    )
    client.force_login(drafter)

    preview = client.post(URL, {"file": csv_file(body)})

    text = preview.content.decode()
    assert "1 new, 3 already in the directory" in text
    assert "Already in the directory as “Human Rights Watch” (the same name)" in text
    assert "Already in the directory as “Human Rights Watch” (the same website)" in text
    assert "Already in row 2 (the same name)" in text
    assert Organization.objects.count() == 1

    response = client.post(URL, {"token": token_of(preview)})

    assert response.status_code == 302
    added = Organization.objects.get(name="Human Rights Now")
    assert (added.country.code, added.kind, added.consent_to_publish) == ("JP", "national", True)
    assert Organization.objects.count() == 2
    assert added.history.first().history_user == drafter


def test_one_bad_row_refuses_the_whole_file_and_says_which(client, coordinator):
    body = "Good Group,,JP,local,,,,\nBad Group,,XX,galactic,,,not-an-email,\n"
    client.force_login(coordinator)
    response = client.post(URL, {"file": csv_file(body)})
    text = response.content.decode()
    assert "Nothing was imported" in text
    assert "Country:" in text and "Email:" in text and "Kind:" in text
    assert 'name="token"' not in text
    assert not Organization.objects.exists()


def test_a_file_without_a_name_column_is_refused(client, drafter):
    client.force_login(drafter)
    response = client.post(URL, {"file": csv_file("x,JP\n", header="title,country\n")})
    assert "missing: name" in response.content.decode()


def test_an_xlsx_file_is_read(client, drafter):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "country", "website"])
    sheet.append(["Korea Peace Network", "KR", "kpn.example"])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("orgs.xlsx", out.getvalue())
    client.force_login(drafter)
    preview = client.post(URL, {"file": upload})
    assert "1 new" in preview.content.decode()
    client.post(URL, {"token": token_of(preview)})
    assert Organization.objects.get().website == "https://kpn.example"


def test_a_zip_bomb_is_refused_before_it_is_read(client, drafter):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/worksheets/sheet1.xml", b"0" * (9 * 1024 * 1024))
    client.force_login(drafter)
    response = client.post(URL, {"file": SimpleUploadedFile("orgs.xlsx", out.getvalue())})
    assert "unpacks to 9 MB" in response.content.decode()


def test_a_tampered_token_imports_nothing(client, drafter):
    client.force_login(drafter)
    response = client.post(URL, {"token": "forged"})
    assert "The preview expired" in response.content.decode()
    assert not Organization.objects.exists()
