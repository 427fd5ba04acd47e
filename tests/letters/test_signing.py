"""The sign-on workflow in letters/signing.py, without the web layer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from letters import sending, signing
from letters.models import ApprovedText, LetterStatus, SignatoryRole
from letters.text import approvable_text, diff_snapshots
from tests.factories import (
    make_position,
    make_recipient,
    make_recommendation,
    make_signing_letter,
)

pytestmark = pytest.mark.django_db


def soon() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=7)


def circulated(**kwargs):
    letter = make_signing_letter(**kwargs)
    signing.circulate(letter=letter, by=None, deadline=soon())
    letter.refresh_from_db()
    return letter


def cosigners(letter):
    return list(letter.signatories.filter(role=SignatoryRole.COSIGNER).order_by("order"))


def approve(signatory, letter, **extra):
    return signing.approve(
        token=signatory.token,
        content_hash=letter.content_hash,
        signer_name=extra.get("name", "Sam Signer"),
        signer_title="Director",
        consent_to_publish=True,
    )


def test_circulating_gives_each_cosigner_a_fresh_live_link():
    letter = make_signing_letter()
    old_tokens = {s.pk: s.token for s in cosigners(letter)}
    pending = signing.circulate(letter=letter, by=None, deadline=soon())
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CIRCULATING
    assert len(pending) == 2
    for signatory in cosigners(letter):
        assert signatory.token != old_tokens[signatory.pk]
        assert signatory.invited_at is not None
        assert signing.signatory_for_token(signatory.token) == signatory

    mailing = signing.mail_links(pending, letter=letter, message="Dear partners", reminder=False)
    assert len(mailing.sent) == 2
    assert len(mail.outbox) == 2
    assert "Dear partners" in mail.outbox[0].body
    assert f"/sign/{pending[0].token}/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["partner1@example.org"]


def test_a_mail_server_that_refuses_is_reported_not_raised(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard: nothing listens, the connection is refused
    settings.EMAIL_TIMEOUT = 2
    letter = make_signing_letter()
    pending = signing.circulate(letter=letter, by=None, deadline=soon())
    mailing = signing.mail_links(pending, letter=letter, message="Hi", reminder=True)
    assert mailing.sent == [] and len(mailing.failed) == 2
    assert all(s.reminders_sent == 0 for s in cosigners(letter))


def test_circulating_again_moves_the_deadline_and_keeps_approvals():
    letter = circulated()
    first = cosigners(letter)[0]
    token = first.token
    approve(first, letter)
    later = soon() + dt.timedelta(days=7)
    pending = signing.circulate(letter=letter, by=None, deadline=later)
    first.refresh_from_db()
    assert first.token == token and first.token_expires_at == later
    assert first.has_approved(letter.content_hash)
    assert [s.organization.name for s in pending] == ["Partner 2"]


def test_the_lead_gets_no_link():
    letter = circulated()
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    assert lead.invited_at is None
    assert signing.signatory_for_token(lead.token) is None


def test_a_deadline_in_the_past_is_refused():
    letter = make_signing_letter()
    with pytest.raises(signing.SigningError, match="future"):
        signing.circulate(
            letter=letter,
            by=None,
            deadline=timezone.now() - dt.timedelta(minutes=1),
        )
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT


def test_approval_is_bound_to_the_text_and_goes_stale_after_an_edit():
    letter = circulated()
    first = cosigners(letter)[0]
    approve(first, letter)
    first.refresh_from_db()
    assert first.has_approved(letter.content_hash)
    assert ApprovedText.objects.filter(letter=letter, content_hash=letter.content_hash).exists()

    rec = letter.recommendations.first()
    rec.text = "Stop all forced returns at once."
    rec.save()
    letter.touch()
    first.refresh_from_db()
    assert not first.has_approved(letter.content_hash)
    assert signing.sign_on_state(first, letter) == signing.State.APPROVED_OLDER


def test_approving_a_text_that_changed_meanwhile_is_refused():
    letter = circulated()
    first = cosigners(letter)[0]
    seen = letter.content_hash
    letter.subject = "A new subject"
    letter.save()
    letter.touch()
    with pytest.raises(signing.TextChanged):
        signing.approve(
            token=first.token,
            content_hash=seen,
            signer_name="Sam",
            signer_title="Director",
            consent_to_publish=True,
        )
    first.refresh_from_db()
    assert first.approved_at is None


def test_approving_twice_is_harmless():
    letter = circulated()
    first = cosigners(letter)[0]
    approve(first, letter)
    first.refresh_from_db()
    when = first.approved_at
    approve(first, letter, name="Sam Signer")
    first.refresh_from_db()
    assert first.approved_at == when
    assert ApprovedText.objects.filter(letter=letter).count() == 1


def test_decline_then_approve_clears_the_decline():
    letter = circulated()
    first = cosigners(letter)[0]
    signing.decline(token=first.token, reason="Not our field")
    first.refresh_from_db()
    assert signing.sign_on_state(first, letter) == signing.State.DECLINED
    assert first.decline_reason == "Not our field"
    approve(first, letter)
    first.refresh_from_db()
    assert first.declined_at is None
    assert signing.sign_on_state(first, letter) == signing.State.APPROVED


def test_withdrawing_takes_the_approval_back():
    letter = circulated()
    first = cosigners(letter)[0]
    with pytest.raises(signing.SigningError):
        signing.withdraw(token=first.token)
    approve(first, letter)
    signing.withdraw(token=first.token)
    first.refresh_from_db()
    assert not first.has_approved(letter.content_hash)
    assert signing.sign_on_state(first, letter) == signing.State.WITHDRAWN


def test_revoked_reissued_and_expired_links_stop_working():
    letter = circulated()
    first, second = cosigners(letter)
    old = first.token
    signing.reissue_link(signatory=first, by=None)
    first.refresh_from_db()
    assert signing.signatory_for_token(old) is None
    assert signing.signatory_for_token(first.token) == first

    signing.revoke_link(signatory=first, by=None)
    first.refresh_from_db()
    assert signing.signatory_for_token(first.token) is None
    assert signing.sign_on_state(first, letter) == signing.State.REVOKED

    second.token_expires_at = timezone.now() - dt.timedelta(seconds=1)
    second.save()
    assert signing.signatory_for_token(second.token) is None
    assert signing.sign_on_state(second, letter) == signing.State.EXPIRED


def test_reminders_go_only_to_those_who_have_not_approved_the_current_text():
    letter = circulated()
    first, second = cosigners(letter)
    approve(first, letter)
    pending = signing.pending_reminders(letter=letter)
    assert [s.pk for s in pending] == [second.pk]
    result = signing.mail_links(pending, letter=letter, message="Reminder", reminder=True)
    assert [s.pk for s in result.sent] == [second.pk]
    assert [m.to for m in mail.outbox] == [["partner2@example.org"]]
    assert mail.outbox[0].subject.startswith("Reminder:")
    second.refresh_from_db()
    assert second.reminders_sent == 1 and second.last_reminded_at is not None


def test_finalise_lists_what_is_missing_and_changes_nothing():
    letter = circulated()
    problems = sending.finalise(letter=letter, by=None)
    assert any("Partner 1 has not approved" in p for p in problems)
    assert any("Lead Org has not approved" in p for p in problems)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CIRCULATING


def approve_everyone(letter):
    for signatory in cosigners(letter):
        approve(signatory, letter)
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    signing.approve_for_lead(signatory=lead, by=None, signer_name="Lee Lead", signer_title="Head")


def test_finalise_freezes_the_letter_when_everyone_approved_the_current_text():
    letter = circulated()
    approve_everyone(letter)
    assert sending.finalise(letter=letter, by=None) == []
    letter.refresh_from_db()
    assert letter.status == LetterStatus.FINAL
    assert not letter.is_editable
    recipient = letter.recipients.get()
    assert recipient.is_frozen and recipient.snapshot_title == "Prime Minister"
    # The address book changes later; the finalised letter does not.
    position = recipient.position
    position.title = "Prime Minister of Japan"
    position.save()
    recipient.refresh_from_db()
    assert recipient.addressee()["title"] == "Prime Minister"
    # Links stop working once the letter is final.
    assert signing.signatory_for_token(cosigners(letter)[0].token) is None


def test_finalise_refuses_a_vacant_recipient_and_names_it():
    letter = circulated()
    make_recipient(letter, make_position(title="Minister of Justice"), role="cc")
    letter.touch()
    approve_everyone(letter)
    problems = sending.finalise(letter=letter, by=None)
    assert len(problems) == 1
    assert "Minister of Justice" in problems[0] and "no current holder" in problems[0]


def test_finalise_needs_an_addressee():
    letter = circulated()
    letter.recipients.all().delete()
    letter.touch()
    approve_everyone(letter)
    problems = sending.finalise(letter=letter, by=None)
    assert problems == ["The letter needs at least one addressee (a “to” recipient)."]


def test_an_edit_that_skipped_touch_still_makes_approvals_stale():
    letter = circulated()
    approve_everyone(letter)
    rec = letter.recommendations.first()
    rec.text = "Changed without touch()"
    rec.save()
    problems = sending.finalise(letter=letter, by=None)
    assert len(problems) == 3
    letter.refresh_from_db()
    assert letter.content_hash == letter.compute_content_hash()


def test_withdraw_and_supersede_a_final_letter():
    letter = circulated()
    approve_everyone(letter)
    sending.finalise(letter=letter, by=None)
    letter.refresh_from_db()
    draft = sending.supersede(letter=letter, by=None, reference="NEW-1")
    assert draft.status == LetterStatus.DRAFT and draft.repeats_letter == letter
    sending.withdraw_letter(letter=letter, by=None)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.WITHDRAWN
    with pytest.raises(sending.SendingError):
        sending.supersede(letter=letter, by=None, reference="NEW-1")


def test_the_diff_names_changed_added_and_removed_recommendations():
    letter = make_signing_letter()
    before = approvable_text(letter)
    first, second = letter.recommendations.order_by("number")
    first.text = "Stop all forced returns <now>."
    first.save()
    make_recommendation(first.section, text="Fund legal aid.")
    second.delete()
    changes = diff_snapshots(before, approvable_text(letter))
    labels = {(c.kind, c.label) for c in changes}
    assert ("changed", f"Recommendation {first.reference}") in labels
    assert ("removed", f"Recommendation {second.reference}") in labels
    assert any(kind == "added" for kind, _ in labels)
    changed = next(c for c in changes if c.label == f"Recommendation {first.reference}")
    assert "<ins> all</ins>" in changed.html
    assert "&lt;now&gt;" in changed.html
