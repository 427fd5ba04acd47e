"""Search boxes take what a query can: no NUL characters (PostgreSQL answered 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_draft, make_official, make_position, make_term

pytestmark = pytest.mark.django_db


def test_a_nul_in_the_officials_search_is_ignored(client, admin_user):
    make_official(given_name="Yukio", family_name="Hatoyama")
    client.force_login(admin_user)
    response = client.get(reverse("recipients:officials"), {"q": "Hato\x00yama"})
    assert response.status_code == 200
    assert "Hatoyama" in response.content.decode()


def test_a_nul_in_the_editors_recipient_search_is_ignored(client, drafter):
    letter = make_draft()
    make_term(make_position(title="Minister of Justice"))
    client.force_login(drafter)
    url = reverse("letters:drafting_recipient_search", args=[letter.pk])
    response = client.get(url, {"q": "Jus\x00tice"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Minister of Justice" in response.content.decode()
    response = client.get(reverse("letters:drafting_edit", args=[letter.pk]), {"q": "a\x00b"})
    assert response.status_code == 200


def test_a_long_search_is_cut_to_100_characters(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("recipients:officials"), {"q": "x" * 10_000})
    assert response.status_code == 200
    assert response.context["q"] == "x" * 100
