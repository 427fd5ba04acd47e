"""Collective offices, offices reached without post, and mailing lists in the address book."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recipients.models import Delivery, MailingList, Position, PositionKind
from tests.factories import make_position

pytestmark = pytest.mark.django_db

HRC = {
    "title": "Member and Observer States of the UN Human Rights Council",
    "institution": "Human Rights Council",
    "department": "",
    "country": "UN",
    "kind": PositionKind.COLLECTIVE,
    "delivery": Delivery.EMAIL,
    "address_lines": "",
    "locality": "",
    "region": "",
    "postal_code": "",
    "address_country": "",
    "email": "hrc@example.org",
    "fax": "",
    "phone": "",
    "salutation_pattern": "Dear {office} {family_name},",
}


def test_admin_adds_a_collective_body_of_the_un_reached_by_e_mail(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("recipients:position_add"), HRC)
    assert response.status_code == 302
    position = Position.objects.get(country="UN")
    assert position.is_collective and position.delivery == Delivery.EMAIL
    assert position.address_lines_list() == ["Human Rights Council"]
    page = client.get(position.get_absolute_url()).content.decode()
    assert "A body of several members" in page
    assert "Excellencies," in page
    assert "Vacant" not in page


def test_an_office_reached_by_post_still_needs_an_address(client, admin_user):
    client.force_login(admin_user)
    data = {**HRC, "country": "CH", "delivery": "post"}
    response = client.post(reverse("recipients:position_add"), data)
    assert response.status_code == 200
    assert "Addresses in Switzerland need a" in response.context["form"].errors["address_lines"][0]
    assert HRC["title"] in response.content.decode()  # what was typed is kept
    assert not Position.objects.exists()


def test_post_to_an_organisation_needs_the_country_of_its_address(client, admin_user):
    client.force_login(admin_user)
    data = {**HRC, "title": "President of the European Commission", "country": "EU",
            "kind": "person", "delivery": "post", "address_lines": "Rue de la Loi 200",
            "locality": "Brussels", "postal_code": "1049"}  # fmt: skip
    response = client.post(reverse("recipients:position_add"), data)
    assert "Post goes to a country" in response.content.decode()
    response = client.post(reverse("recipients:position_add"), {**data, "address_country": "BE"})
    assert response.status_code == 302
    assert Position.objects.get().address_lines_list()[-1] == "BELGIUM"


def test_admin_creates_a_mailing_list_of_offices(client, admin_user):
    missions = [
        make_position(title=f"Permanent Representative {c}", country=c) for c in "FR DE".split()
    ]
    client.force_login(admin_user)
    response = client.post(
        reverse("recipients:mailing_list_add"),
        {"name": "Permanent missions in Geneva", "description": "All of them",
         "positions": [p.pk for p in missions]},
    )  # fmt: skip
    the_list = MailingList.objects.get()
    assert response.status_code == 302 and response.url == the_list.get_absolute_url()
    assert set(the_list.positions.all()) == set(missions)
    assert the_list.history.first().history_user == admin_user
    page = client.get(the_list.get_absolute_url()).content.decode()
    assert "Permanent Representative FR" in page
    index = client.get(reverse("recipients:mailing_lists")).content.decode()
    assert "Permanent missions in Geneva" in index and "2 offices" in index


def test_a_too_long_name_is_a_form_error_that_keeps_the_text(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("recipients:mailing_list_add"), {"name": "x" * 201})
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert not MailingList.objects.exists()


@pytest.mark.parametrize("persona", ["drafter", "coordinator"])
def test_only_admins_change_mailing_lists_but_every_role_reads_them(client, request, persona):
    the_list = MailingList.objects.create(name="EU institutions")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("recipients:mailing_list_add")).status_code == 403
    edit = reverse("recipients:mailing_list_edit", args=[the_list.pk])
    assert client.post(edit, {"name": "Renamed"}).status_code == 403
    assert client.get(the_list.get_absolute_url()).status_code == 200
    assert "EU institutions" in client.get(reverse("recipients:mailing_lists")).content.decode()


def test_someone_without_a_role_sees_no_mailing_list(client, outsider):
    MailingList.objects.create(name="EU institutions")
    client.force_login(outsider)
    assert client.get(reverse("recipients:mailing_lists")).status_code == 403


def test_collective_offices_reached_by_e_mail_import_and_export(client, admin_user):
    client.force_login(admin_user)
    csv = (
        "title,institution,country,kind,delivery,email,address_lines,locality,postal_code\n"
        "Members of the World Trade Organization,WTO,QW,collective,Email,wto@example.org,,,\n"
        "Ministre,Ministère de l'Europe,FR,,,,37 quai d'Orsay,Paris,75007\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("positions.csv", csv.encode(), "text/csv")
    response = client.post(reverse("recipients:import"), {"file": upload})
    assert response.context["outcome"].ok, response.context["outcome"].rows
    client.post(reverse("recipients:import"), {"token": response.context["token"]})
    wto = Position.objects.get(country="QW")
    assert (wto.kind, wto.delivery) == (PositionKind.COLLECTIVE, Delivery.EMAIL)
    ministre = Position.objects.get(country="FR")
    assert (ministre.kind, ministre.delivery) == (PositionKind.PERSON, Delivery.POST)
    exported = b"".join(client.get(reverse("recipients:export") + "?format=csv")).decode()
    assert "kind,delivery" in exported.splitlines()[0].replace('"', "").replace(" ", "")
    assert "collective" in exported
