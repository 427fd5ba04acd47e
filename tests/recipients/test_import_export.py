from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recipients.models import Position
from tests.factories import make_official, make_position, make_term

pytestmark = pytest.mark.django_db

HEADER = "title,institution,country,address_lines,locality,region,postal_code\n"
GOOD = (
    HEADER
    + 'Secretary of State,Department of State,US,"2201 C Street NW",Washington,DC,20520\n'
    + "Ministre,Ministère de l'Europe,FR,37 quai d'Orsay,Paris,,75007\n"
)


def upload(client, text: str | bytes, name: str = "positions.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("recipients:import"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_dry_run_previews_and_writes_nothing_until_confirmed(admin_client, admin_user):
    response = upload(admin_client, GOOD)
    outcome = response.context["outcome"]
    assert outcome.ok and outcome.dry_run
    assert outcome.counts["new"] == 2
    assert not Position.objects.exists()
    assert "Import 2 rows" in response.content.decode()

    confirmed = admin_client.post(
        reverse("recipients:import"), {"token": response.context["token"]}
    )
    assert confirmed.status_code == 302
    assert Position.objects.count() == 2
    ministre = Position.objects.get(title="Ministre")
    assert ministre.address_lines_list()[-2:] == ["75007 PARIS", "FRANCE"]
    assert ministre.history.first().history_user == admin_user


def test_one_bad_row_imports_nothing_and_names_the_row(admin_client):
    bad = GOOD + "Chancellor,Federal Chancellery,DE,Willy-Brandt-Str. 1,Berlin,,ABC\n"
    response = upload(admin_client, bad)
    outcome = response.context["outcome"]
    assert not outcome.ok
    assert response.context["token"] is None
    refused = [r for r in outcome.rows if r.messages]
    assert [r.number for r in refused] == [3]
    assert "postal code for Germany" in refused[0].messages[0]
    assert "Nothing was imported" in response.content.decode()
    assert not Position.objects.exists()


@pytest.mark.parametrize("pattern", ["Dear {office.x},", "Dear {office:>100000000},"])
def test_a_hostile_salutation_pattern_is_a_row_error(admin_client, pattern):
    rows = HEADER.strip() + ",salutation_pattern\n"
    rows += 'Secretary of State,Department of State,US,2201 C Street NW,Washington,DC,20520,"'
    rows += pattern + '"\n'
    response = upload(admin_client, rows)
    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert not outcome.ok
    refused = [r for r in outcome.rows if r.messages]
    assert [r.number for r in refused] == [1]
    assert "Use only these, in braces: {office}" in " ".join(refused[0].messages)
    assert not Position.objects.exists()


def test_duplicates_in_the_file_and_in_the_directory_are_refused(admin_client):
    make_position(
        title="Ministre",
        institution="Ministère de l'Europe",
        country="FR",
        address_lines="37 quai d'Orsay",
        locality="Paris",
        postal_code="75007",
    )
    twice = GOOD + GOOD.splitlines(keepends=True)[1]
    outcome = upload(admin_client, twice).context["outcome"]
    assert not outcome.ok
    messages = {r.number: " ".join(r.messages) for r in outcome.rows if r.messages}
    assert set(messages) == {2, 3}
    assert "already exists for this country" in messages[2]
    assert "already exists for this country" in messages[3]
    assert Position.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        GOOD.encode("cp1252"),
        GOOD.encode("utf-16"),
        (HEADER + "大臣,外務省,JP,2-2-1 Kasumigaseki,Tokyo,,100-8919\n").encode("shift_jis"),
    ],
    ids=["windows-1252", "utf-16", "shift_jis"],
)
def test_other_encodings_are_refused_with_a_message(admin_client, data):
    response = upload(admin_client, data)
    errors = response.context["form"].errors["file"]
    assert "not UTF-8" in errors[0]
    assert response.context["outcome"] is None
    assert not Position.objects.exists()


def test_utf8_with_a_byte_order_mark_is_accepted(admin_client):
    outcome = upload(admin_client, "\ufeff" + GOOD).context["outcome"]
    assert outcome.ok


def test_size_and_row_caps(admin_client):
    huge = HEADER + "x,y,JP,a,b,,100-0001\n" * 2001
    response = upload(admin_client, huge)
    assert "at most 2000 at a time" in response.context["form"].errors["file"][0]
    response = upload(admin_client, "a" * (1024 * 1024 + 1))
    assert "larger than 1 MB" in response.context["form"].errors["file"][0]


def test_missing_columns_and_other_file_types_are_explained(admin_client):
    response = upload(admin_client, "name,place\nA,B\n")
    assert "missing: title, country" in response.context["form"].errors["file"][0]
    response = upload(admin_client, GOOD, name="positions.txt")
    assert "Upload a .csv or .xlsx file." in response.context["form"].errors["file"]


def test_broken_excel_files_and_files_without_rows_are_explained(admin_client):
    response = upload(admin_client, GOOD, name="positions.xlsx")
    assert response.context["form"].errors["file"] == ["This is not an Excel .xlsx file."]
    response = upload(admin_client, b"PK\x03\x04 but not a workbook", name="positions.xlsx")
    assert response.context["form"].errors["file"] == ["This Excel file could not be read."]
    response = upload(admin_client, HEADER)
    assert response.context["form"].errors["file"] == [
        "The file has no rows below the column names."
    ]
    assert not Position.objects.exists()


def test_tampered_confirmation_is_refused(admin_client):
    response = admin_client.post(reverse("recipients:import"), {"token": "forged"})
    assert "upload the file again" in response.context["problem"]
    assert not Position.objects.exists()


def test_export_then_import_updates_by_id(admin_client, client):
    position = make_position(title="Prime Minister")
    make_term(position, make_official(given_name="Yukio", family_name="Hatoyama"))
    csv_text = admin_client.get(reverse("recipients:export"), {"format": "csv"}).content.decode()
    assert csv_text.startswith("\ufeffid,title")
    assert "Yukio Hatoyama" in csv_text
    edited = csv_text.replace("1-1-1 Kasumigaseki", "1-6-1 Nagata-cho")
    response = upload(admin_client, edited)
    outcome = response.context["outcome"]
    assert outcome.counts == {"new": 0, "update": 1, "skip": 0, "invalid": 0, "error": 0}
    assert outcome.rows[0].changes == [
        ("Address lines", "1-1-1 Kasumigaseki\nChiyoda-ku", "1-6-1 Nagata-cho\nChiyoda-ku")
    ]
    admin_client.post(reverse("recipients:import"), {"token": response.context["token"]})
    position.refresh_from_db()
    assert position.address_lines.startswith("1-6-1 Nagata-cho")
    assert Position.objects.count() == 1


def test_unknown_id_is_a_row_error(admin_client):
    text = "id," + HEADER.replace("\n", "") + "\n999,Ministre,Q,FR,37 quai,Paris,,75007\n"
    outcome = upload(admin_client, text).context["outcome"]
    assert not outcome.ok
    assert "no position with id 999" in outcome.rows[0].messages[0]


def test_excel_files_import_too(admin_client):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["title", "institution", "country", "address_lines", "locality", "region", "postal_code"]
    )
    sheet.append(["President", "Office", "KR", "1 Cheongwadae-ro", "Jongno-gu", "Seoul", "03048"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(admin_client, buffer.getvalue(), name="positions.xlsx")
    assert response.context["outcome"].ok
    admin_client.post(reverse("recipients:import"), {"token": response.context["token"]})
    assert Position.objects.get().address_lines_list()[-1] == "REPUBLIC OF KOREA"


def test_excel_export_opens(admin_client):
    make_position(title="Prime Minister")
    response = admin_client.get(reverse("recipients:export"), {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.values)
    assert rows[0][:2] == ("id", "title")
    assert rows[1][1] == "Prime Minister"


def test_export_quotes_would_be_formulas_and_the_import_takes_the_quote_off(admin_client):
    position = make_position(title='=HYPERLINK("http://evil.example")', phone="+81 3 3581 0101")
    csv_text = admin_client.get(reverse("recipients:export"), {"format": "csv"}).content.decode()
    assert "'=HYPERLINK" in csv_text
    assert "'+81 3 3581 0101" in csv_text
    outcome = upload(admin_client, csv_text).context["outcome"]
    assert outcome.ok
    assert outcome.counts["skip"] == 1  # nothing changed on the round trip
    position.refresh_from_db()
    assert position.phone == "+81 3 3581 0101"
