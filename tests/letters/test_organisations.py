"""The organisations directory: list, search, add, edit; duplicates found on name and website."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from letters.models import Organization
from letters.organisations import normalised_name, website_domain
from tests.factories import make_draft, make_organization, make_signatory

pytestmark = pytest.mark.django_db

LIST = reverse("letters:organisations_list")
NEW = reverse("letters:organisations_create")


def form_data(**overrides) -> dict:
    data = {
        "name": "Human Rights Now",
        "short_name": "HRN",
        "country": "JP",
        "kind": "national",
        "website": "https://hrn.or.jp/",
        "contact_name": "Kazuko Ito",
        "email": "info@hrn.or.jp",
        "consent_to_publish": "on",
    }
    return {**data, **overrides}


def png(width: int = 60, height: int = 20) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, format="PNG")
    return SimpleUploadedFile("logo.png", out.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Society to Help Returnees", "society to help returnees"),
        ("Amnesty International, Inc.", "amnesty international"),
        ("Médecins du Monde", "MEDECINS DU MONDE"),
        ("Rights & Freedom e.V.", "Rights and Freedom"),
        ("NPO Life Funds for North Korean Refugees", "Life Funds for North Korean Refugees Ltd"),
        # A Japanese legal form, written out, abbreviated or in full-width letters.
        ("特定非営利活動法人 難民支援ネットワーク東京", "難民支援ネットワーク東京"),
        ("ＮＰＯ法人難民支援ネットワーク東京", "（特活）難民支援ネットワーク東京"),
        ("公益社団法人 人権フォーラム", "人権フォーラム"),
    ],
)
def test_names_written_differently_share_one_key(a, b):
    assert normalised_name(a) == normalised_name(b)


def test_different_names_keep_different_keys():
    assert normalised_name("Human Rights Now") != normalised_name("Human Rights Watch")


def test_website_domain_ignores_scheme_www_and_path():
    assert website_domain("https://www.HRW.org/asia?x=1") == "hrw.org"
    assert website_domain("hrw.org") == "hrw.org"
    assert website_domain("") == ""


def test_drafter_adds_an_organisation_with_every_field_and_a_logo(client, drafter):
    client.force_login(drafter)
    response = client.post(NEW, {**form_data(), "logo": png()})
    assert response.status_code == 302
    org = Organization.objects.get(name="Human Rights Now")
    assert (org.country.code, org.kind, org.contact_name) == ("JP", "national", "Kazuko Ito")
    assert org.consent_to_publish is True
    assert org.logo.name.endswith(".png")
    assert org.history.first().history_user == drafter


def test_a_logo_that_is_not_an_image_is_refused_and_the_rest_is_kept(client, drafter):
    client.force_login(drafter)
    fake = SimpleUploadedFile("logo.png", b"<svg></svg>", content_type="image/png")
    response = client.post(NEW, {**form_data(), "logo": fake})
    assert response.status_code == 200
    assert "not a PNG or JPEG image" in response.content.decode()
    assert 'value="Human Rights Now"' in response.content.decode()
    assert not Organization.objects.exists()


def test_a_name_longer_than_the_limit_says_so(client, coordinator):
    client.force_login(coordinator)
    response = client.post(NEW, form_data(name="N" * 201))
    assert "at most 200 characters" in response.content.decode()


def test_a_duplicate_by_name_is_refused_until_confirmed(client, coordinator):
    existing = make_organization(name="The Human Rights Now")
    client.force_login(coordinator)
    response = client.post(NEW, form_data(name="human rights now!", website=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert "is already in the directory with the same name" in body
    assert reverse("letters:organisations_edit", args=[existing.pk]) in body
    assert Organization.objects.count() == 1
    response = client.post(NEW, form_data(name="human rights now!", not_a_duplicate="on"))
    assert response.status_code == 302
    assert Organization.objects.count() == 2


def test_a_duplicate_by_website_domain_is_refused(client, coordinator):
    make_organization(name="HRN Japan", website="http://www.hrn.or.jp")
    client.force_login(coordinator)
    response = client.post(NEW, form_data())
    assert "with the same website" in response.content.decode()


def test_editing_an_entry_does_not_call_it_its_own_duplicate(client, drafter):
    org = make_organization(name="Human Rights Now", website="https://hrn.or.jp")
    client.force_login(drafter)
    url = reverse("letters:organisations_edit", args=[org.pk])
    response = client.post(url, form_data(short_name="HRNow"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.short_name == "HRNow"


def test_list_searches_and_filters_by_country_and_type(client, drafter):
    make_organization(name="Human Rights Now", country="JP", kind="national")
    make_organization(name="Human Rights Watch", country="US", kind="international")
    make_organization(name="Local Friends", country="JP", kind="local")
    client.force_login(drafter)
    body = client.get(LIST, {"q": "rights"}).content.decode()
    assert "Human Rights Now" in body and "Human Rights Watch" in body
    assert "Local Friends" not in body
    body = client.get(LIST, {"country": "JP", "kind": "local"}).content.decode()
    assert "Local Friends" in body and "Human Rights Now" not in body


def test_an_unknown_filter_lists_nothing_rather_than_failing(client, drafter):
    make_organization(name="Human Rights Now")
    client.force_login(drafter)
    response = client.get(LIST, {"kind": "nonsense"})
    assert response.status_code == 200
    assert "Human Rights Now" not in response.content.decode()


def test_list_costs_the_same_queries_for_many_organisations(
    client, drafter, django_assert_max_num_queries
):
    letter = make_draft()
    for n in range(60):
        make_signatory(letter, make_organization(name=f"Group {n:02d}"), order=n + 2)
    client.force_login(drafter)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.content.decode().count('class="btn btn-sm btn-outline-secondary"') == 50


def test_only_admins_see_merge(client, drafter, admin_user):
    make_organization(name="Human Rights Now")
    client.force_login(drafter)
    assert "Merge" not in client.get(LIST).content.decode()
    client.force_login(admin_user)
    assert "Merge<span" in client.get(LIST).content.decode()
