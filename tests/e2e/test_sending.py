"""Published letters in a real browser: what the public sees, and what it cannot reach."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.factories import make_draft, make_organization, make_signatory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "darkgreen").save(out, format="PNG")
    return out.getvalue()


def test_a_published_letter_shows_its_named_organisations_logos(page, live_server):
    letter = make_draft(status="published", published_at=timezone.now())
    named = make_organization(name="Refugee Support Network")
    named.logo.save("rsn.png", ContentFile(png(120, 40)), save=True)
    make_signatory(letter, named, order=1, consent_to_publish=True)
    private = make_organization(name="Quiet Partner")
    private.logo.save("quiet.png", ContentFile(png(90, 30)), save=True)
    make_signatory(letter, private, order=2)

    page.goto(f"{live_server.url}{reverse('public:detail', args=[letter.reference])}")
    logo = page.get_by_role("img", name="Refugee Support Network logo")
    # Loaded through the public view: the browser decoded the real pixels.
    expect(logo).to_have_js_property("naturalWidth", 120)
    expect(page.get_by_role("img", name="Quiet Partner logo")).to_have_count(0)
    assert_accessible(page)

    # The private logo stays private. (Not /media/ here: Django's live test server
    # serves MEDIA_ROOT itself; the app's URLconf does not, see test_uploads_served.)
    response = page.request.get(f"{live_server.url}{private.get_logo_url()}")
    assert response.url.startswith(f"{live_server.url}/login/")
