from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_draft

pytestmark = pytest.mark.django_db


def test_smoke(client, drafter):
    letter = make_draft()
    client.force_login(drafter)
    for url in [
        reverse("letters:edit", args=[letter.pk]),
        reverse("letters:preview", args=[letter.pk]),
        reverse("letters:list"),
        reverse("letters:create"),
        reverse("letters:duplicate", args=[letter.pk]),
        letter.get_absolute_url(),
        reverse("dashboard"),
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
    s = letter.sections.first()
    r = client.get(reverse("letters:section_edit", args=[letter.pk, s.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    r = client.get(
        reverse("letters:recommendation_edit", args=[letter.pk, s.recommendations.first().pk]),
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    r = client.get(
        reverse("letters:recipient_search", args=[letter.pk]) + "?q=prime", HTTP_HX_REQUEST="true"
    )
    assert b"Hatoyama" in r.content
