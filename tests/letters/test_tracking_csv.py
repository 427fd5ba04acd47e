from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from letters import tracking_csv
from letters.models import FollowUp
from tests.factories import make_letter, make_theme, make_tracked_recommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def recs():
    theme = make_theme(name="Refugees", slug="refugees")
    letter = make_letter(reference="CSV-2009", status="sent")
    return [
        make_tracked_recommendation(
            letter,
            themes=[theme],
            response="accepted",
            implementation="in_progress",
            review=dt.date(2010, 6, 1),
        ),
        make_tracked_recommendation(letter, response="rejected"),
        make_tracked_recommendation(letter),
    ]


def export(client, query: str = "") -> bytes:
    response = client.get(reverse("letters:tracking_export", args=["csv"]) + query)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="tracker-')
    return b"".join(response.streaming_content)


def upload(client, data: bytes, name: str = "statuses.csv"):
    return client.post(
        reverse("letters:tracking_import"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def confirm(client, preview):
    payload = re.search(rb'name="payload" value="([^"]+)"', preview.content).group(1)
    return client.post(reverse("letters:tracking_import"), {"payload": payload.decode()})


def test_export_has_one_row_per_recommendation_in_the_current_view(client, drafter, recs):
    client.force_login(drafter)
    data = export(client, "?response=accepted")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row["reference"] for row in rows] == [recs[0].reference]
    assert rows[0]["response_status"] == "accepted"
    assert rows[0]["implementation_status"] == "in_progress"
    assert rows[0]["themes"] == "Refugees"
    assert rows[0]["next_review"] == "2010-06-01"


def test_xlsx_export_has_the_same_rows(client, drafter, recs):
    client.force_login(drafter)
    response = client.get(reverse("letters:tracking_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "reference"
    assert {row[0] for row in rows[1:]} == {rec.reference for rec in recs}


def test_unknown_export_format_is_404(client, drafter):
    client.force_login(drafter)
    assert client.get(reverse("letters:tracking_export", args=["pdf"])).status_code == 404


def test_export_then_import_changes_nothing(client, coordinator, recs):
    client.force_login(coordinator)
    before = FollowUp.objects.count()
    preview = upload(client, export(client))
    assert preview.status_code == 200
    assert b"3 unchanged" in preview.content
    assert b"there is nothing to import" in preview.content
    assert FollowUp.objects.count() == before


def test_import_previews_the_changes_then_writes_them_on_confirmation(client, coordinator, recs):
    client.force_login(coordinator)
    data = (
        "reference,response_status,implementation_status,date,kind,note,evidence_url\n"
        f"{recs[1].reference},Accepted,,2010-02-03,reply,Changed its mind,https://example.org/r\n"
        f"{recs[2].reference},noted,not_started,2010-02-03,,,\n"
        f"{recs[0].reference},accepted,in_progress,,,,\n"
    ).encode()
    preview = upload(client, data)
    html = preview.content.decode()
    assert "2 recommendations will change, 1 unchanged" in html
    assert "Rejected" in html and "Accepted" in html
    assert not FollowUp.objects.filter(date=dt.date(2010, 2, 3)).exists()

    done = confirm(client, preview)
    assert done.status_code == 302
    recs[1].refresh_from_db()
    recs[2].refresh_from_db()
    assert recs[1].current_response == "accepted"
    assert (recs[2].current_response, recs[2].current_implementation) == ("noted", "not_started")
    entry = recs[1].follow_ups.get(date=dt.date(2010, 2, 3))
    assert (entry.kind, entry.recorded_by, entry.evidence_url) == (
        "reply",
        coordinator,
        "https://example.org/r",
    )
    assert recs[2].follow_ups.get(date=dt.date(2010, 2, 3)).kind == "other"


def test_one_bad_row_means_nothing_is_written(client, coordinator, recs):
    client.force_login(coordinator)
    data = (
        "reference,response_status,implementation_status,date,evidence_url\n"
        f"{recs[1].reference},accepted,,2010-02-03,\n"
        "NOPE-R01,accepted,,2010-02-03,\n"
        f"{recs[2].reference},maybe,,2010-02-03,\n"
        f"{recs[0].reference},,implemented,03/02/2010,\n"
        f"{recs[0].reference},,implemented,2999-01-01,javascript:alert(1)\n"
    ).encode()
    before = FollowUp.objects.count()
    response = upload(client, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Line 3: unknown reference &#x27;NOPE-R01&#x27;" in html
    assert "Line 4: unknown response status &#x27;maybe&#x27;" in html
    assert "Line 5: date &#x27;03/02/2010&#x27; is not a date like 2010-02-03" in html
    assert "Line 6:" in html and "appears twice" in html
    assert "is in the future" in html and "is not an http(s) link" in html
    assert 'name="payload"' not in html
    assert FollowUp.objects.count() == before


def test_confirming_rechecks_the_file_and_writes_nothing_if_it_no_longer_holds(
    client, coordinator, recs
):
    client.force_login(coordinator)
    data = f"reference,response_status,implementation_status\n{recs[2].reference},noted,\n"
    preview = upload(client, data.encode())
    recs[2].delete()  # gone before the confirmation
    response = confirm(client, preview)
    assert response.status_code == 400
    assert b"unknown reference" in response.content
    assert not FollowUp.objects.filter(response_status="noted").exists()


def test_a_tampered_preview_is_refused(client, coordinator, recs):
    client.force_login(coordinator)
    response = client.post(reverse("letters:tracking_import"), {"payload": "forged"})
    assert response.status_code == 302
    assert not FollowUp.objects.filter(response_status="noted").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"reference,response\nX,accepted\n",
            "lacks the columns response_status, implementation_status",
        ),
        (
            "reference;response_status;implementation_status\n".encode("utf-16"),
            "The file is UTF-16",
        ),
        (
            "reference,response_status,implementation_status\nÉ,,\n".encode("cp1252"),
            "not UTF-8 text",
        ),
        (
            "reference,response_status,implementation_status\nX,,\n".encode("shift_jis")
            + "東京".encode("shift_jis"),
            "not UTF-8 text",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a CSV file"),
        (b"PK\x03\x04rest-of-a-zip", "This is a spreadsheet (XLSX)"),
        (b"", "The submitted file is empty."),
        (b"   \n", "The file is empty."),
    ],
)
def test_files_that_are_not_usable_csv_are_refused_with_a_message(
    client, coordinator, recs, data, message
):
    client.force_login(coordinator)
    response = upload(client, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert FollowUp.objects.count() == 2


def test_utf8_with_and_without_bom_and_semicolons_are_accepted(client, coordinator, recs):
    client.force_login(coordinator)
    text = f"reference;response_status;implementation_status\n{recs[2].reference};Noted;\n"
    for data in [text.encode(), b"\xef\xbb\xbf" + text.encode()]:
        response = upload(client, data)
        assert response.status_code == 200
        assert b"1 recommendation will change" in response.content


def test_huge_files_and_too_many_rows_are_refused(client, coordinator, recs, monkeypatch):
    client.force_login(coordinator)
    big = b"reference,response_status,implementation_status\n" + b"x" * (1024 * 1024 + 1)
    response = upload(client, big)
    assert response.status_code == 400
    assert b"the limit is 1024 KB" in response.content

    monkeypatch.setattr(tracking_csv, "MAX_IMPORT_ROWS", 2)
    rows = "".join(f"{rec.reference},,\n" for rec in recs)
    response = upload(client, f"reference,response_status,implementation_status\n{rows}".encode())
    assert response.status_code == 400
    assert b"The file has more than 2 rows; the limit is 2" in response.content


@pytest.mark.parametrize("persona", ["admin_user", "outsider"])
def test_only_recorders_import(client, request, persona, recs):
    client.force_login(request.getfixturevalue(persona))
    data = f"reference,response_status,implementation_status\n{recs[2].reference},noted,\n"
    assert client.get(reverse("letters:tracking_import")).status_code == 403
    assert upload(client, data.encode()).status_code == 403
    assert FollowUp.objects.count() == 2


def test_admins_may_export(client, admin_user, recs):
    client.force_login(admin_user)
    assert len(export(client).splitlines()) == 4


def test_user_text_that_looks_like_a_formula_is_exported_as_text(client, drafter):
    letter = make_letter(status="sent")
    rec = make_tracked_recommendation(letter, text='=HYPERLINK("http://evil.example","x")')
    client.force_login(drafter)
    rows = list(csv.DictReader(io.StringIO(export(client).decode("utf-8-sig"))))
    row = next(r for r in rows if r["reference"] == rec.reference)
    assert row["recommendation"] == '\'=HYPERLINK("http://evil.example","x")'


def test_import_query_count_does_not_grow_with_rows(client, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    letter = make_letter(status="sent")
    recs = [make_tracked_recommendation(letter) for _ in range(40)]
    client.force_login(coordinator)

    def import_queries(batch) -> int:
        rows = "".join(f"{rec.reference},noted,in_progress,2010-02-03\n" for rec in batch)
        preview = upload(
            client, f"reference,response_status,implementation_status,date\n{rows}".encode()
        )
        with CaptureQueriesContext(connection) as queries:
            assert confirm(client, preview).status_code == 302
        return len(queries)

    assert import_queries(recs[:3]) == import_queries(recs[3:])
    assert FollowUp.objects.filter(response_status="noted").count() == 40
    assert all(rec.followers.filter(pk=coordinator.pk).exists() for rec in recs)
    recs[-1].refresh_from_db()
    assert (recs[-1].current_response, recs[-1].last_update) == ("noted", dt.date(2010, 2, 3))
    assert recs[-1].follow_ups.get().history.get().history_user == coordinator


def test_every_problem_of_a_line_is_listed_in_the_order_of_its_columns(recs):
    data = (
        "reference,response_status,implementation_status,kind,date,next_review,evidence_url,note\n"
        f",maybe,soon,gossip,2999-01-01,someday,ftp://example.org/x,{'n' * 5001}\n"
    ).encode()
    report = tracking_csv.read_import(data)
    assert report.rows == 1 and not report.updates and not report.changes
    [error] = report.errors
    fragments = [
        "Line 2: no reference",
        "unknown response status 'maybe'",
        "unknown implementation status 'soon'",
        "unknown kind 'gossip'",
        "date 2999-01-01 is in the future",
        "next review 'someday' is not a date",
        "evidence link 'ftp://example.org/x' is not an http(s) link",
        "the note is longer than 5000 characters.",
    ]
    positions = [error.index(fragment) for fragment in fragments]
    assert positions == sorted(positions)


def test_columns_the_file_lacks_and_cells_a_short_row_lacks_read_as_empty(recs):
    data = (
        f"reference,response_status,implementation_status\n{recs[2].reference},noted\n"
    ).encode()
    report = tracking_csv.read_import(data)
    assert report.errors == []
    [update] = report.updates
    assert update.recommendation == recs[2]
    assert (update.response_status, update.implementation_status) == ("noted", "")
    assert update.date == timezone.localdate()
    assert update.kind == "other" and update.next_review is None
    assert (update.note, update.evidence_url) == ("", "")
    assert [(c.what, c.after) for c in report.changes] == [("Response", "Noted")]
