"""Admins merge duplicate organisations: every link moves, history is kept, clashes are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from letters.models import Organization, PressRelease, Quote, Signatory
from tests.factories import make_draft, make_letter, make_organization, make_signatory

pytestmark = pytest.mark.django_db


def merge_url(org: Organization) -> str:
    return reverse("letters:organisations_merge", args=[org.pk])


def test_admin_merges_a_duplicate_and_every_link_moves(client, admin_user):
    keep = make_organization(name="Human Rights Now", short_name="")
    dup = make_organization(name="HRN", short_name="HRN", country="JP", website="https://hrn.or.jp")
    led = make_letter(lead_organization=dup)
    signed = make_draft()
    signature = make_signatory(signed, dup, order=2)
    release = PressRelease.objects.create(letter=led, headline="Joint letter", body="Text")
    quote = Quote.objects.create(
        press_release=release, text="We ask.", speaker_name="A", organization=dup
    )
    client.force_login(admin_user)

    response = client.post(merge_url(dup), {"keep": keep.pk})

    assert response.status_code == 302
    assert not Organization.objects.filter(pk=dup.pk).exists()
    led.refresh_from_db()
    assert led.lead_organization == keep
    assert Signatory.objects.get(pk=signature.pk).organization == keep
    assert Quote.objects.get(pk=quote.pk).organization == keep
    keep.refresh_from_db()
    # Empty fields of the kept entry are filled from the duplicate.
    assert (keep.short_name, keep.country.code, keep.website) == ("HRN", "JP", "https://hrn.or.jp")
    # History: who moved the signature, and the deleted entry's last state.
    moved = Signatory.history.filter(id=signature.pk).first()
    assert moved.organization_id == keep.pk and moved.history_user == admin_user
    deleted = Organization.history.filter(id=dup.pk).first()
    assert deleted.history_type == "-" and deleted.name == "HRN"


def test_merge_is_refused_when_both_sign_the_same_letter(client, admin_user):
    keep = make_organization(name="Human Rights Now")
    dup = make_organization(name="HRN")
    letter = make_draft()
    make_signatory(letter, keep, order=2)
    make_signatory(letter, dup, order=3)
    client.force_login(admin_user)

    response = client.post(merge_url(dup), {"keep": keep.pk})

    assert response.status_code == 200
    assert f"Both organisations sign {letter.reference}" in response.content.decode()
    assert Organization.objects.filter(pk=dup.pk).exists()
    assert letter.signatories.filter(organization=dup).exists()


def test_an_organisation_cannot_be_merged_into_itself(client, admin_user):
    dup = make_organization(name="HRN")
    client.force_login(admin_user)
    response = client.post(merge_url(dup), {"keep": dup.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Organization.objects.filter(pk=dup.pk).exists()


@pytest.mark.parametrize("persona", ["drafter", "coordinator"])
def test_only_admins_may_merge(client, persona, request):
    keep, dup = make_organization(), make_organization()
    client.force_login(request.getfixturevalue(persona))
    response = client.post(merge_url(dup), {"keep": keep.pk})
    assert response.status_code == 403
    assert Organization.objects.filter(pk=dup.pk).exists()
