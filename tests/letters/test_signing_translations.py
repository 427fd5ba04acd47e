"""Each translation's text is approved on its own, on the original's sign-on page."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from letters import drafting, sending
from letters.models import LetterStatus, SignatoryRole, TranslationApproval
from tests.factories import make_signing_letter
from tests.letters.test_signing_views import approve_all, circulate, partner, sign_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pair():
    """A circulating English letter and its Japanese translation, one recommendation translated."""
    letter = circulate(make_signing_letter(language="en"))
    translation = drafting.create_translation(
        letter=letter, language="ja", reference=f"{letter.reference}-JA"
    )
    rec = translation.recommendations.order_by("number").first()
    rec.text = "強制送還をやめること。"
    drafting.save_recommendation(letter=translation, recommendation=rec, section=None)
    translation.refresh_from_db()
    return letter, translation


def approve_translation(client, signatory, translation, content_hash=None):
    return client.post(
        sign_url(client, signatory),
        {
            "action": "approve_translation",
            "translation": translation.pk,
            "content_hash": content_hash or translation.content_hash,
        },
    )


def test_the_sign_on_page_shows_each_translation_to_approve_on_its_own(client, pair):
    letter, translation = pair
    url = sign_url(client, partner(letter))
    html = client.get(url).content.decode()
    assert "The same letter in other languages" in html
    assert '<span lang="ja">日本語</span>' in html and "強制送還をやめること。" in html
    assert "Not approved yet" in html
    response = approve_translation(client, partner(letter), translation)
    assert response.status_code == 302
    approval = TranslationApproval.objects.get()
    assert (
        approval.signatory == partner(letter) and approval.content_hash == translation.content_hash
    )
    # Approving the translation says nothing about the original, and the reverse.
    assert partner(letter).approved_at is None
    assert "Approved by your organisation" in client.get(url).content.decode()


def test_a_translation_changed_while_the_partner_read_it_is_not_approved(client, pair):
    letter, translation = pair
    response = approve_translation(client, partner(letter), translation, content_hash="0" * 64)
    assert response.status_code == 302
    assert not TranslationApproval.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "The translation changed while you were reading it" in page


def test_a_translation_is_finalised_after_its_original_with_its_own_approvals(
    client, coordinator, pair
):
    letter, translation = pair
    for n in range(2):
        approve_translation(client, partner(letter, n), translation)
    client.force_login(coordinator)
    finalise = reverse("letters:sending_finalise", args=[translation.pk])
    html = client.post(finalise).content.decode()
    assert f"Finalise the original, {letter.reference}, first" in html

    approve_all(client, letter, coordinator)
    assert sending.finalise(letter=letter, by=coordinator) == []
    frozen = {r.pk: r.snapshot_taken_at for r in letter.recipients.all()}
    html = client.post(finalise).content.decode()
    # Both partners approved the Japanese text; the lead has not yet.
    assert html.count("has not approved the current text") == 1
    assert "Lead Org has not approved the current text (this translation)" in html

    response = client.post(
        reverse("letters:signing_approve_translation_for_lead", args=[translation.pk])
    )
    assert response.status_code == 302
    assert client.post(finalise).status_code == 302
    translation.refresh_from_db()
    assert translation.status == LetterStatus.FINAL
    # The shared recipients kept the snapshot taken with the original.
    assert {r.pk: r.snapshot_taken_at for r in letter.recipients.all()} == frozen


def test_an_edit_of_the_translation_reopens_its_approvals_only(client, coordinator, pair):
    letter, translation = pair
    for n in range(2):
        approve_translation(client, partner(letter, n), translation)
    approve_all(client, letter, coordinator)
    sending.finalise(letter=letter, by=coordinator)
    rec = translation.recommendations.order_by("number").last()
    rec.text = "庇護手続を開くこと。"
    drafting.save_recommendation(letter=translation, recommendation=rec, section=None)
    problems = sending.finalise_problems(letter=translation)
    assert sum("has not approved the current text" in p for p in problems) == 3
    letter.refresh_from_db()
    assert letter.status == LetterStatus.FINAL


def test_the_translations_letter_page_lists_who_approved_its_text(client, coordinator, pair):
    letter, translation = pair
    approve_translation(client, partner(letter), translation)
    client.force_login(coordinator)
    html = client.get(translation.get_absolute_url()).content.decode()
    assert html.count('data-approved="yes"') == 1 and html.count('data-approved="no"') == 2
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    assert f"Approve this text for {lead.organization.label}" in html


def test_only_the_original_circulates(pair):
    letter, translation = pair
    assert letter.allows("sign") and not translation.allows("circulate")
    assert "circulates with its original" in translation.refusal("circulate")


def test_a_final_translation_is_sent_to_the_same_recipients_with_its_own_copies(
    client, coordinator, pair
):
    import datetime as dt

    from letters.models import SentCopy

    letter, translation = pair
    # Partners approve both languages while the original circulates.
    for n in range(2):
        approve_translation(client, partner(letter, n), translation)
    approve_all(client, letter, coordinator)
    client.post(reverse("letters:signing_approve_translation_for_lead", args=[translation.pk]))
    sending.finalise(letter=letter, by=coordinator)
    recipient = letter.recipients.get()
    sending.record_sending(
        letter=letter, by=coordinator, entries=[(recipient, dt.date(2024, 9, 1), "post")]
    )
    assert sending.finalise(letter=translation, by=coordinator) == []
    translation.refresh_from_db()
    send = reverse("letters:sending_send", args=[translation.pk])
    page = client.get(send).content.decode()
    assert recipient.position.title in page
    sending.record_sending(
        letter=translation, by=coordinator, entries=[(recipient, dt.date(2024, 9, 2), "email")]
    )
    copies = SentCopy.objects.filter(recipient=recipient).order_by("letter__reference")
    assert [c.letter for c in copies] == [letter, translation]
    recipient.refresh_from_db()
    # The date and channel recorded first stay the recipient's.
    assert (recipient.sent_on, recipient.send_channel) == (dt.date(2024, 9, 1), "post")
    translation.refresh_from_db()
    assert translation.status == LetterStatus.SENT
    # Published, its archived copies are public only if every organisation of the
    # original agreed to be named, as the original's are.
    sending.publish(letter=translation, by=coordinator)
    copy = copies.get(letter=translation)
    url = reverse("public:copy", args=[translation.reference, copy.pk])
    client.logout()
    assert client.get(url).status_code == 200
    html = client.get(reverse("public:detail", args=[translation.reference])).content.decode()
    assert "Partner 1" in html
    # The public page names only the versions that are public themselves.
    assert "Also in:" not in html
    sending.publish(letter=letter, by=coordinator)
    html = client.get(reverse("public:detail", args=[translation.reference])).content.decode()
    original_url = reverse("public:detail", args=[letter.reference])
    assert f'href="{original_url}" lang="en" hreflang="en">English</a>' in html
    letter.signatories.filter(role=SignatoryRole.COSIGNER).update(consent_to_publish=False)
    assert client.get(url).status_code == 404
    html = client.get(reverse("public:detail", args=[translation.reference])).content.decode()
    assert "Partner 1" not in html
