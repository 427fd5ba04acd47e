from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recipients.models import Position

pytestmark = pytest.mark.django_db


def test_admin_import_uses_the_same_checks_and_writes_nothing_on_a_bad_row(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:recipients_position_import")
    assert client.get(url).status_code == 200
    csv = (
        "title,institution,country,address_lines,locality,region,postal_code\n"
        "Secretary of State,Department of State,US,2201 C Street NW,Washington,DC,20520\n"
        "Chancellor,Federal Chancellery,DE,Willy-Brandt-Str. 1,Berlin,,\n"
    )
    response = client.post(
        url,
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("p.csv", csv.encode(), "text/csv"),
        },
    )
    assert response.status_code == 200
    assert "Addresses in Germany need a postal code." in response.content.decode()
    assert not Position.objects.exists()


def test_admin_export_is_offered(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:recipients_position_export")).status_code == 200
