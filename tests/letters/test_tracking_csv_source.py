"""Follow-ups imported from a CSV file say so on the timeline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from letters.models import FollowUpSource
from tests.factories import make_follow_up, make_letter, make_tracked_recommendation

pytestmark = pytest.mark.django_db


def test_an_imported_entry_says_it_came_from_a_csv_file(client, coordinator):
    rec = make_tracked_recommendation(make_letter(reference="SRC-1", status="sent"))
    make_follow_up(rec, date=dt.date(2010, 1, 5), note="Typed on the page", recorded_by=coordinator)
    client.force_login(coordinator)
    data = (
        "reference,response_status,implementation_status,date,note\n"
        f"{rec.reference},noted,,2010-02-03,From MoFA\n"
    )
    url = reverse("letters:tracking_import")
    preview = client.post(url, {"file": SimpleUploadedFile("s.csv", data.encode(), "text/csv")})
    payload = re.search(rb'name="payload" value="([^"]+)"', preview.content).group(1)
    assert client.post(url, {"payload": payload.decode()}).status_code == 302

    imported = rec.follow_ups.get(date=dt.date(2010, 2, 3))
    typed = rec.follow_ups.get(date=dt.date(2010, 1, 5))
    assert imported.source == FollowUpSource.CSV
    assert typed.source == FollowUpSource.PAGE
    html = client.get(rec.get_absolute_url()).content.decode()
    entries = {
        m.group(1): m.group(2) for m in re.finditer(r'id="entry-(\d+)">(.*?)</li>', html, re.S)
    }
    assert "Imported from a CSV file" in entries[str(imported.pk)]
    assert "Imported from a CSV file" not in entries[str(typed.pk)]
    assert "Recorded by" in entries[str(typed.pk)]
