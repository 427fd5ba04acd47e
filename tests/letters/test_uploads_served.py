"""
Uploaded files reach people only through views that check who asks: no URL
serves MEDIA_ROOT, and every link to a logo, signature or evidence file (in
the app, the admin and the published pages) points at such a view.
"""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import FileField
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from PIL import Image

from letters import printing
from letters.uploads import CheckedFieldFile
from tests.factories import (
    make_draft,
    make_follow_up,
    make_organization,
    make_signatory,
    make_tracked_recommendation,
)

pytestmark = pytest.mark.django_db


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 10), "navy").save(out, format="PNG")
    return out.getvalue()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def signed(db):
    """A draft whose lead organisation has a logo and whose signer has a signature on file."""
    letter = make_draft()
    lead = letter.signatories.get(role="lead")
    lead.organization.logo.save("lead.png", ContentFile(png()), save=True)
    lead.signature.save("sig.png", ContentFile(png()), save=True)
    return lead


@pytest.mark.parametrize("settings_debug", [True, False])
def test_no_url_serves_the_media_folder(client, coordinator, signed, settings, settings_debug):
    settings.DEBUG = settings_debug
    client.force_login(coordinator)
    for name in (signed.signature.name, signed.organization.logo.name):
        assert default_storage.exists(name)
        path = f"/{settings.MEDIA_URL.strip('/')}/{name}"
        with pytest.raises(Resolver404):
            resolve(path)
        assert client.get(path).status_code == 404


def test_readers_get_a_signature_image_and_outsiders_do_not(
    client, drafter, admin_user, outsider, signed
):
    url = reverse("letters:signing_signature", args=[signed.letter_id, signed.pk])
    assert signed.get_signature_url() == url
    for reader in (drafter, admin_user):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, max-age=300"
        assert body(response) == signed.signature.open("rb").read()
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_a_signature_is_found_only_under_its_own_letter(client, coordinator, signed):
    other = make_draft()
    client.force_login(coordinator)
    url = reverse("letters:signing_signature", args=[other.pk, signed.pk])
    assert client.get(url).status_code == 404
    # A signatory without an image on file: nothing to serve.
    bare = other.signatories.get()
    assert client.get(bare.get_signature_url()).status_code == 404


def test_readers_get_a_logo_and_outsiders_do_not(client, admin_user, outsider, signed):
    org = signed.organization
    client.force_login(admin_user)
    response = client.get(org.get_logo_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert body(response) == org.logo.open("rb").read()
    client.force_login(outsider)
    assert client.get(org.get_logo_url()).status_code == 403
    assert client.get(reverse("letters:organisation_logo", args=[999999])).status_code == 403


def test_a_stored_file_that_is_not_an_image_is_only_ever_a_download(client, drafter):
    org = make_organization()
    org.logo.save("page.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    client.force_login(drafter)
    response = client.get(org.get_logo_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def publish(signatory) -> None:
    letter = signatory.letter
    letter.status = "published"
    letter.published_at = timezone.now()
    letter.save()


def test_a_published_letter_shows_the_logos_of_the_organisations_it_names(client, signed):
    publish(signed)
    signed.consent_to_publish = True
    signed.save()
    silent = make_organization()
    silent.logo.save("silent.png", ContentFile(png()), save=True)
    make_signatory(signed.letter, silent, order=1)
    reference = signed.letter.reference

    page = client.get(reverse("public:detail", args=[reference])).content.decode()
    logo = reverse("public:logo", args=[reference, signed.organization_id])
    assert f'src="{logo}"' in page
    assert "/media/" not in page
    response = client.get(logo)
    assert response.status_code == 200
    assert body(response) == signed.organization.logo.open("rb").read()
    # An organisation that did not agree to be named keeps its logo private.
    assert silent.name not in page
    assert client.get(reverse("public:logo", args=[reference, silent.pk])).status_code == 404


def test_the_published_page_costs_the_same_queries_for_any_number_of_logos(
    client, signed, django_assert_num_queries
):
    publish(signed)
    url = reverse("public:detail", args=[signed.letter.reference])

    def add_named(n: int) -> None:
        for _ in range(n):
            org = make_organization()
            org.logo.save("logo.png", ContentFile(png()), save=True)
            order = signed.letter.signatories.count()
            make_signatory(signed.letter, org, order=order, consent_to_publish=True)

    add_named(1)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert page.count('class="public-logo"') == 1
    add_named(6)
    with django_assert_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert page.count('class="public-logo"') == 7


def test_no_logo_is_public_before_the_letter_is_published(client, signed):
    signed.consent_to_publish = True
    signed.save()
    url = reverse("public:logo", args=[signed.letter.reference, signed.organization_id])
    assert client.get(url).status_code == 404
    publish(signed)
    assert client.get(url).status_code == 200
    # Another published letter does not lend it its logos.
    other = make_draft(status="published", published_at=timezone.now())
    url = reverse("public:logo", args=[other.reference, signed.organization_id])
    assert client.get(url).status_code == 404


def test_every_uploaded_file_links_through_a_checking_view():
    """A new file field must come with its view: `.url` anywhere is that view."""
    fields = [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_label in {"letters", "recipients"}
        and not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    ]
    # Every file field the app has (a renamed or lost one shows up here too).
    assert {f"{model.__name__}.{field.name}" for model, field in fields} == {
        "FollowUp.evidence_file",
        "ImportSession.source_file",
        "Organization.logo",
        "PrintBatch.file",
        "PrintBatch.labels",
        "PrintBatch.merged",
        "PrintChunk.file",
        "SentCopy.file",
        "Signatory.signature",
    }
    for model, field in fields:
        assert issubclass(field.attr_class, CheckedFieldFile), (model, field.name)
        assert callable(getattr(model, f"get_{field.name}_url", None)), (model, field.name)


def links_to_media(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/media/[^"]*)"', html)


def test_the_editor_links_a_signature_through_its_checking_view(client, coordinator, signed):
    client.force_login(coordinator)
    url = reverse("letters:drafting_signatory_edit", args=[signed.letter_id, signed.pk])
    page = client.get(url).content.decode()
    assert f'href="{signed.get_signature_url()}"' in page
    assert links_to_media(page) == []


def test_the_admin_links_logos_signatures_and_evidence_through_checking_views(
    client, admin_user, signed
):
    entry = make_follow_up(
        make_tracked_recommendation(), evidence_file=ContentFile(b"%PDF-1.4 x", name="reply.pdf")
    )
    client.force_login(admin_user)
    for obj, link in [
        (signed.organization, signed.organization.get_logo_url()),
        (signed, signed.get_signature_url()),
        (entry, entry.get_evidence_file_url()),
    ]:
        opts = obj._meta
        admin_url = f"admin:{opts.app_label}_{opts.model_name}_change"
        page = client.get(reverse(admin_url, args=[obj.pk]))
        assert page.status_code == 200, opts.model_name
        html = page.content.decode()
        assert f'href="{link}"' in html, opts.model_name
        assert links_to_media(html) == [], opts.model_name
        # The link it shows works for the one who sees it.
        assert client.get(link).status_code == 200, link


def test_logos_and_signatures_still_print_from_storage(signed):
    """The PDF renderer reads files itself, through its fetcher, not over HTTP."""
    letter = signed.letter
    letter.status = "final"
    signed.approved_at = timezone.now()
    signed.approved_hash = letter.content_hash
    signed.save()
    letter.save()
    from pypdf import PdfReader

    data = printing.render_letter_pdf(letter)
    images = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            if ref.get_object()["/Subtype"] == "/Image":
                images.add(ref.idnum)
    assert len(images) == 2  # the lead's logo and its signature


def test_the_preview_loads_logos_through_the_checking_view(client, drafter, signed):
    # The preview shows the PDF's own sheet; the PDF reads files from storage,
    # the browser only through the views that check who asks.
    client.force_login(drafter)
    html = client.get(reverse("letters:drafting_preview", args=[signed.letter_id])).content.decode()
    assert f'src="{signed.organization.get_logo_url()}"' in html
    assert signed.organization.logo.storage_url not in html
