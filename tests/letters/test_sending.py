"""Sending (archived PDFs with SHA-256), publishing, public pages, feed and press release."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.db import reset_queries
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from letters import sending, signing
from letters.models import LetterStatus, PressRelease, SentCopy, SignatoryRole
from tests.factories import (
    make_position,
    make_recipient,
    make_recommendation,
    make_signing_letter,
    make_term,
)

pytestmark = pytest.mark.django_db


def final_letter(**kwargs):
    letter = make_signing_letter(**kwargs)
    cc = make_position(title="Minister for Foreign Affairs")
    make_term(cc)
    make_recipient(letter, cc, role="cc", order=1)
    letter.touch()
    signing.circulate(
        letter=letter,
        by=None,
        deadline=timezone.now() + dt.timedelta(days=3),
    )
    letter.refresh_from_db()
    for s in letter.signatories.filter(role=SignatoryRole.COSIGNER):
        signing.approve(
            token=s.token,
            content_hash=letter.content_hash,
            signer_name=f"Signer of {s.organization.name}",
            signer_title="Director",
            consent_to_publish=True,
        )
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    signing.approve_for_lead(signatory=lead, by=None, signer_name="Lee Lead", signer_title="Head")
    assert sending.finalise(letter=letter, by=None) == []
    letter.refresh_from_db()
    return letter


def send_data(letter, **override):
    recipients = list(letter.recipients.order_by("-role", "order", "pk"))
    data = {
        "form-TOTAL_FORMS": str(len(recipients)),
        "form-INITIAL_FORMS": str(len(recipients)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, r in enumerate(recipients):
        data[f"form-{i}-id"] = str(r.pk)
        data[f"form-{i}-sent_on"] = "2026-01-05"
        data[f"form-{i}-send_channel"] = "post" if r.role == "to" else "email"
    data.update(override)
    return data


@pytest.fixture
def final():
    return final_letter()


@pytest.mark.parametrize("persona", ["coordinator", "drafter", "outsider"])
def test_only_a_coordinator_records_sending(client, request, persona, final):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("letters:sending_send", args=[final.pk]), send_data(final))
    assert response.status_code == {"coordinator": 302, "drafter": 403, "outsider": 403}[persona]
    final.refresh_from_db()
    sent = persona == "coordinator"
    assert (final.status == LetterStatus.SENT) == sent
    assert SentCopy.objects.filter(letter=final).count() == (2 if sent else 0)


def test_sending_archives_each_copy_with_its_sha256_and_serves_those_bytes(
    client, coordinator, final
):
    client.force_login(coordinator)
    client.post(reverse("letters:sending_send", args=[final.pk]), send_data(final))
    copies = list(SentCopy.objects.filter(letter=final).select_related("recipient__position"))
    assert {c.recipient.role for c in copies} == {"to", "cc"}
    for copy in copies:
        stored = copy.file.read()
        copy.file.close()
        assert hashlib.sha256(stored).hexdigest() == copy.sha256
        assert stored.startswith(b"%PDF-")
        served = b"".join(
            client.get(
                reverse("letters:sending_sent_copy", args=[final.pk, copy.pk])
            ).streaming_content
        )
        assert served == stored
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(served)).pages)
        assert copy.recipient.position.title in text
        assert "Signer of Partner 1" in text
    page = client.get(final.get_absolute_url()).content.decode()
    for copy in copies:
        assert copy.sha256 in page
    recipient = final.recipients.get(role="to")
    assert recipient.sent_on == dt.date(2026, 1, 5) and recipient.send_channel == "post"


def test_archived_bytes_stay_the_same_after_the_address_book_changes(client, coordinator, final):
    client.force_login(coordinator)
    client.post(reverse("letters:sending_send", args=[final.pk]), send_data(final))
    copy = SentCopy.objects.filter(letter=final).first()
    before = b"".join(
        client.get(reverse("letters:sending_sent_copy", args=[final.pk, copy.pk])).streaming_content
    )
    position = copy.recipient.position
    position.title = "Renamed office"
    position.save()
    after = b"".join(
        client.get(reverse("letters:sending_sent_copy", args=[final.pk, copy.pk])).streaming_content
    )
    assert after == before


def test_sending_needs_a_date_and_channel_for_every_recipient(client, coordinator, final):
    client.force_login(coordinator)
    data = send_data(final, **{"form-1-send_channel": "", "form-0-sent_on": "2999-01-01"})
    response = client.post(reverse("letters:sending_send", args=[final.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "cannot have been sent in the future" in html
    final.refresh_from_db()
    assert final.status == LetterStatus.FINAL and not SentCopy.objects.exists()


def test_a_sent_letter_cannot_be_sent_again_withdrawn_or_finalised(client, coordinator, final):
    client.force_login(coordinator)
    client.post(reverse("letters:sending_send", args=[final.pk]), send_data(final))
    with pytest.raises(sending.SendingError):
        sending.record_sending(letter=final, by=None, entries=[])
    with pytest.raises(sending.SendingError):
        sending.withdraw_letter(letter=final, by=None)
    assert sending.finalise(letter=final, by=None)
    assert client.get(reverse("letters:sending_send", args=[final.pk])).status_code == 302


def publish(client, coordinator, letter):
    client.force_login(coordinator)
    client.post(reverse("letters:sending_send", args=[letter.pk]), send_data(letter))
    response = client.post(reverse("letters:sending_publish", args=[letter.pk]))
    assert response.status_code == 302
    client.logout()


def test_nothing_unpublished_is_public(client, coordinator, final):
    url = reverse("public:detail", args=[final.reference])
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    client.post(reverse("letters:sending_send", args=[final.pk]), send_data(final))
    client.logout()
    assert client.get(url).status_code == 404
    copy = SentCopy.objects.filter(letter=final).first()
    assert client.get(reverse("public:copy", args=[final.reference, copy.pk])).status_code == 404
    sent_copy = client.get(reverse("letters:sending_sent_copy", args=[final.pk, copy.pk]))
    assert sent_copy.status_code == 302  # to login
    assert final.subject.encode() not in client.get(reverse("public:index")).content
    assert final.subject.encode() not in client.get(reverse("public:feed")).content


@pytest.mark.parametrize("persona", ["coordinator", "drafter", "outsider"])
def test_only_a_coordinator_publishes(client, request, persona, coordinator, final):
    client.force_login(coordinator)
    client.post(reverse("letters:sending_send", args=[final.pk]), send_data(final))
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("letters:sending_publish", args=[final.pk]))
    assert response.status_code == {"coordinator": 302, "drafter": 403, "outsider": 403}[persona]
    final.refresh_from_db()
    assert (final.status == LetterStatus.PUBLISHED) == (persona == "coordinator")


def test_the_public_page_shows_text_signatories_status_pdf_and_press_release(
    client, coordinator, final
):
    release = sending.start_press_release(letter=final, by=coordinator)
    release.published = True
    release.save()
    publish(client, coordinator, final)
    response = client.get(reverse("public:detail", args=[final.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop forced returns." in html
    assert "Signer of Partner 1" in html and "Lee Lead" in html
    assert "Response: no response yet" in html
    assert release.headline in html and "Among other things" in html
    copy = SentCopy.objects.filter(letter=final).first()
    assert copy.sha256 in html
    pdf = client.get(reverse("public:copy", args=[final.reference, copy.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    index = client.get(reverse("public:index")).content.decode()
    assert final.subject in index
    feed = client.get(reverse("public:feed"))
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert final.reference.encode() in feed.content


def test_organisations_that_did_not_consent_are_not_named_and_the_pdf_is_withheld(
    client, coordinator, final
):
    partner = final.signatories.filter(role=SignatoryRole.COSIGNER).first()
    partner.consent_to_publish = False
    partner.save()
    publish(client, coordinator, final)
    html = client.get(reverse("public:detail", args=[final.reference])).content.decode()
    assert partner.organization.name not in html
    assert "asked not to be named" in html
    copy = SentCopy.objects.filter(letter=final).first()
    assert copy.sha256 not in html
    assert client.get(reverse("public:copy", args=[final.reference, copy.pk])).status_code == 404


def test_unpublishing_takes_the_page_down(client, coordinator, final):
    publish(client, coordinator, final)
    client.force_login(coordinator)
    client.post(reverse("letters:sending_unpublish", args=[final.pk]))
    client.logout()
    assert client.get(reverse("public:detail", args=[final.reference])).status_code == 404


def test_public_pages_use_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    letter = final_letter()
    publish(client, coordinator, letter)
    url = reverse("public:detail", args=[letter.reference])
    # The connection keeps only the last 9,000 queries; start each count afresh.
    reset_queries()
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    detail_count = len(small)
    reset_queries()
    with django_assert_max_num_queries(10) as index_small:
        client.get(reverse("public:index"))
    index_count = len(index_small)
    for _ in range(5):
        other = final_letter()
        publish(client, coordinator, other)
    section = letter.sections.first()
    for n in range(20):
        make_recommendation(section, text=f"More {n}")
    reset_queries()
    with django_assert_max_num_queries(detail_count):
        client.get(url)
    reset_queries()
    with django_assert_max_num_queries(index_count):
        client.get(reverse("public:index"))


@pytest.mark.parametrize("persona", ["coordinator", "drafter", "outsider"])
def test_only_a_coordinator_edits_press_releases(client, request, persona, final):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("letters:sending_press_release_from_letter", args=[final.pk]))
    assert response.status_code == {"coordinator": 302, "drafter": 403, "outsider": 403}[persona]
    assert PressRelease.objects.filter(letter=final).exists() == (persona == "coordinator")


def test_press_release_editor_saves_quotes_and_keeps_bad_input(client, coordinator, final):
    client.force_login(coordinator)
    url = reverse("letters:sending_press_release_new", args=[final.pk])
    data = {
        "headline": "",
        "dateline": "TOKYO",
        "date": "2026-01-05",
        "body": "Four groups wrote.",
        "quotes-TOTAL_FORMS": "1",
        "quotes-INITIAL_FORMS": "0",
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "1000",
        "quotes-0-text": "Rights first.",
        "quotes-0-speaker_name": "Aiko Morita",
        "quotes-0-speaker_title": "Tokyo Director",
        "quotes-0-organization": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html and "Rights first." in html
    data["headline"] = "Groups urge rights first"
    response = client.post(url, data)
    assert response.status_code == 302
    release = PressRelease.objects.get(letter=final)
    assert release.quotes.get().speaker_name == "Aiko Morita"
    assert client.get(response.url).status_code == 200


def test_starting_a_press_release_from_the_letter_names_signatories_and_asks(final):
    release = sending.start_press_release(letter=final, by=None)
    assert release.headline == final.subject
    assert "Lead Org, Partner 1 and Partner 2" in release.body
    assert "- Stop forced returns." in release.body
    holder = final.recipients.get(role="to").snapshot_name
    assert (
        f"sent a joint letter to {holder}, Prime Minister about “{final.subject}”" in release.body
    )


def test_a_final_letter_hashed_the_old_way_can_still_be_sent_after_the_migration(final, demo):
    import importlib

    from django.apps import apps

    from letters.models import Letter, Signatory

    migration = importlib.import_module("letters.migrations.0007_rehash_frozen_letters")
    # As the old compute_content_hash() left them.
    for letter in (final, demo):
        Letter.objects.filter(pk=letter.pk).update(content_hash=f"old-{letter.pk}")
        Signatory.objects.filter(letter=letter).update(approved_hash=f"old-{letter.pk}")
    draft = make_signing_letter()
    Letter.objects.filter(pk=draft.pk).update(content_hash="old-draft")

    migration.rehash_frozen_letters(apps, None)

    for letter in (final, demo):
        letter.refresh_from_db()
        assert letter.content_hash == letter.compute_content_hash()
        assert all(s.has_approved(letter.content_hash) for s in letter.signatories.all())
    # A draft gets its new hash at its next edit; its approvals are asked again.
    assert Letter.objects.get(pk=draft.pk).content_hash == "old-draft"
    entries = [(r, dt.date(2026, 1, 5), "post") for r in final.recipients.all()]
    assert len(sending.record_sending(letter=final, by=None, entries=entries)) == 2
