"""
Finalising, sending and publishing a letter: freeze it once every signatory
approved its text (or withdraw or supersede it), record how and when each recipient
got it, archive the exact PDF each one received (with its SHA-256) so the
same bytes are served forever after, publish and unpublish, and start a
press release from the letter.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from letters import drafting, signing
from letters.models import (
    Letter,
    LetterRecipient,
    PressRelease,
    SentCopy,
    SignatoryLayout,
)


class SendingError(Exception):
    """A step that cannot be taken, with a message for the person who tried."""


def _lock(letter: Letter) -> Letter:
    return Letter.objects.select_for_update().get(pk=letter.pk)


def _problems(letter: Letter, content_hash: str, signatories: list, recipients: list) -> list[str]:
    problems = []
    if letter.is_translation and not letter.original.is_signed:
        problems.append(
            f"Finalise the original, {letter.original.reference}, first: its translations "
            "go to the recipients frozen with it."
        )
    if not any(r.role == "to" for r in recipients):
        problems.append("The letter needs at least one addressee (a “to” recipient).")
    for recipient in recipients:
        # A collective body (the member states of a council) has no holder to name;
        # a translation's recipients were frozen with its original; an imported
        # letter's recipient may be only its snapshot, with no office.
        position = recipient.position
        if recipient.is_frozen or position is None or position.is_collective:
            continue
        if position.current_holder() is None:
            problems.append(
                f"{recipient.position} ({recipient.get_role_display()}) has no current holder; "
                "update the address book or remove the recipient."
            )
    if not signatories:
        problems.append("No organisation signs the letter.")
    return problems + _signatory_problems(letter, content_hash, signatories)


def _signatory_problems(letter: Letter, content_hash: str, signatories: list) -> list[str]:
    problems = []
    # A translation's own approvals: each language's text is approved on its own.
    approvals = signing.translation_approvals(letter)
    for signatory in signatories:
        if letter.is_translation:
            approved = signing.approves(signatory, letter, approvals, content_hash)
            state = "" if approved else "this translation"
        else:
            signatory.letter = letter
            approved = signatory.has_approved(content_hash)
            state = "" if approved else signing.sign_on_state(signatory, letter)
            state = state and signing.state_label(signatory, state).lower()
        if not approved:
            problems.append(
                f"{signatory.organization.name} has not approved the current text ({state})."
            )
        elif not signatory.signer_name and letter.signatory_layout == SignatoryLayout.BLOCKS:
            # A list of signatories names organisations; only signature blocks need a person.
            problems.append(f"{signatory.organization.name} has no signer name.")
    return problems


def finalise_problems(*, letter: Letter) -> list[str]:
    """What stands in the way of finalising, read without locking or writing anything."""
    if refusal := letter.refusal("finalise"):
        return [refusal]
    # A translation is signed by its original's signatories, to its recipients.
    shared = letter.original
    signatories = list(shared.signatories.select_related("organization").order_by("order"))
    recipients = list(shared.recipients.select_related("position").order_by("-role", "order"))
    return _problems(letter, letter.compute_content_hash(), signatories, recipients)


@transaction.atomic
def finalise(*, letter: Letter, by) -> list[str]:
    """
    Freeze the letter if it may be frozen; otherwise return what stands in the
    way (and change nothing but a stale stored hash).
    """
    letter = _lock(letter)
    if refusal := letter.refusal("finalise"):
        return [refusal]
    signing.refresh_hash(letter)
    shared = letter.original
    signatories = list(
        shared.signatories.select_for_update().select_related("organization").order_by("order")
    )
    recipients = list(shared.recipients.select_related("position").order_by("-role", "order"))
    problems = _problems(letter, letter.content_hash, signatories, recipients)
    if problems:
        return problems

    # A translation's recipients were frozen with its original.
    for recipient in recipients if not letter.is_translation else []:
        recipient.take_snapshot()
        recipient.save()
    letter.move("finalise", by=by)
    return []


@transaction.atomic
def withdraw_letter(*, letter: Letter, by) -> Letter:
    letter = _lock(letter)
    if refusal := letter.refusal("withdraw"):
        raise SendingError(refusal)
    letter.move("withdraw", by=by)
    return letter


@transaction.atomic
def supersede(*, letter: Letter, by, reference: str) -> Letter:
    """A new draft copied from a letter that can no longer change."""
    if refusal := letter.refusal("supersede"):
        raise SendingError(refusal)
    if Letter.objects.filter(reference=reference).exists():
        raise SendingError(f"The reference {reference} is already taken.")
    try:
        return drafting.copy_letter(letter, reference=reference, by=by)
    except drafting.ReferenceTaken as exc:
        raise SendingError(str(exc)) from None


def archive_copy(*, letter: Letter, recipient: LetterRecipient, by) -> SentCopy:
    """Render the archival PDF of one recipient's copy and keep its bytes."""
    from letters import printing  # imported here: WeasyPrint is heavy and only sending needs it

    try:
        data = printing.render_letter_pdf(letter, copy_for=recipient, archival=True)
    except printing.PdfError as exc:
        title = recipient.office_title
        raise SendingError(f"The copy for {title} could not be printed: {exc}") from exc
    filename = printing.pdf_filename(letter, recipient)
    copy = SentCopy(
        letter=letter,
        recipient=recipient,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_hash=letter.content_hash,
        created_by=by,
    )
    copy.file.save(filename, ContentFile(data), save=False)
    copy.save()
    return copy


@transaction.atomic
def record_sending(
    *, letter: Letter, by, entries: list[tuple[LetterRecipient, dt.date, str]]
) -> list[SentCopy]:
    """
    Record the date and channel for every recipient of a final letter and
    archive the PDFs that went out. Happens once: after it, nothing about
    the letter changes.
    """
    letter = _lock(letter)
    if refusal := letter.refusal("send"):
        raise SendingError(refusal)
    if letter.content_hash != letter.compute_content_hash():
        raise SendingError("The letter's text changed after it was finalised; it cannot be sent.")
    # A translation goes to its original's recipients: each gets every language.
    shared = letter.original.recipients.select_for_update(of=("self",)).select_related("position")
    recipients = {r.pk: r for r in shared}
    given = {recipient.pk for recipient, _, _ in entries}
    if given != set(recipients):
        raise SendingError("Record the date and channel for every recipient.")
    copies = []
    for recipient, sent_on, channel in entries:
        stored = recipients[recipient.pk]
        # The recipient keeps the date and channel recorded first (for the
        # original, or whichever language went first); each version archives
        # its own copies.
        if not (letter.is_translation and stored.sent_on):
            stored.sent_on = sent_on
            stored.send_channel = channel
            stored.save()
        copies.append(archive_copy(letter=letter, recipient=stored, by=by))
    letter.move("send", by=by)
    return copies


@transaction.atomic
def publish(*, letter: Letter, by) -> Letter:
    letter = _lock(letter)
    if refusal := letter.refusal("publish"):
        raise SendingError(refusal)
    letter.move("publish", by=by)
    return letter


@transaction.atomic
def unpublish(*, letter: Letter, by) -> Letter:
    letter = _lock(letter)
    if refusal := letter.refusal("unpublish"):
        raise SendingError(refusal)
    letter.move("unpublish", by=by)
    return letter


def _recipient_line(letter: Letter) -> str:
    to = letter.to_recipients()
    if not to:
        return ""
    shown = to[0].addressee()
    return f"{shown['name']}, {shown['title']}" if shown["name"] else shown["title"]


@transaction.atomic
def start_press_release(*, letter: Letter, by) -> PressRelease:
    """A first draft of the release: who wrote to whom, about what, and the first asks."""
    signatories = list(
        letter.original.signatories.select_related("organization").order_by("order", "pk")
    )
    names = [s.organization.name for s in signatories]
    if len(names) > 1:
        who = ", ".join(names[:-1]) + f" and {names[-1]}"
    else:
        who = names[0] if names else "We"
    count = len(names)
    recs = list(letter.recommendations.order_by("section__order", "order", "pk")[:4])
    lines = [
        f"{who} today {'sent a joint letter' if count > 1 else 'wrote'} to "
        f"{_recipient_line(letter) or 'the government'} about “{letter.subject.rstrip('.')}”, "
        f"with {letter.recommendations.count()} recommendations.",
        "",
        "Among other things, the letter asks:",
        "",
        *[f"- {rec.text}" for rec in recs],
    ]
    release = PressRelease(
        letter=letter,
        headline=letter.subject,
        date=timezone.localdate(),
        body="\n".join(lines),
    )
    release._history_user = by
    release.save()
    return release
