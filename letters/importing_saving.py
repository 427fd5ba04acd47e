"""
Saving an import as a letter, once the drafter confirms the proposal: as a
draft, or as a letter already sent on a given date (signatories approved, each
recipient's snapshot taken from the imported text) so that follow-ups can be
recorded at once. Letters, sections, recommendations, recipients and
signatories are made through the drafting workflow, like any other letter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from letters import drafting, importing
from letters.models import (
    ApprovedText,
    ImportSession,
    Letter,
    LetterRecipient,
    Organization,
    Recommendation,
    Section,
    Signatory,
    SignatoryRole,
)
from letters.models.letter import MAX_SNAPSHOT_ADDRESS
from letters.text import approvable_text
from recipients import proposals
from recipients.models import Position
from recipients.proposals import ProposedOffice

NEW = "new"


class ImportRefused(Exception):
    """The proposal cannot be saved as it stands; the message says what to fix."""


@dataclass
class Choices:
    """What the drafter picked on the review page: an id, NEW, or "" (leave out)."""

    positions: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    # For each addressee chosen NEW: the office as the drafter confirmed it.
    offices: list[ProposedOffice | None] = field(default_factory=list)


@dataclass
class _SectionDraft:
    heading: str
    body: list[str] = field(default_factory=list)
    lead_in: str = ""
    recommendations: list[dict] = field(default_factory=list)


def sections_of(blocks: list[dict]) -> tuple[list[str], list[_SectionDraft], list[str]]:
    """
    (opening paragraphs, sections, closing paragraphs) of the block list. A
    paragraph after a section's recommendations starts a section without a
    heading (the letter prints it after them); the paragraph just before a list
    that ends with ":" is the list's lead-in.
    """
    opening: list[str] = []
    closing: list[str] = []
    sections: list[_SectionDraft] = []
    for block in blocks:
        kind, text = block["kind"], block["text"].strip()
        if kind == importing.OPENING:
            opening.append(text)
        elif kind == importing.CLOSING:
            closing.append(text)
        elif kind == importing.HEADING:
            sections.append(_SectionDraft(heading=text))
        elif kind == importing.RECOMMENDATION:
            if not sections:
                sections.append(_SectionDraft(heading=""))
            current = sections[-1]
            if not current.recommendations and current.body and current.body[-1].endswith(":"):
                if len(current.body[-1]) <= 500:
                    current.lead_in = current.body.pop()
            current.recommendations.append(block)
        else:
            if not sections or sections[-1].recommendations:
                sections.append(_SectionDraft(heading=""))
            sections[-1].body.append(text)
    return opening, sections, closing


def problems(session: ImportSession, choices: Choices) -> list[str]:
    found = []
    blocks = session.blocks
    if not any(b["kind"] in (importing.RECOMMENDATION, importing.PARAGRAPH) for b in blocks):
        found.append("The letter has no sections: mark at least one paragraph or recommendation.")
    for number, block in enumerate(
        (b for b in blocks if b["kind"] == importing.RECOMMENDATION), start=1
    ):
        if not block.get("government"):
            found.append(
                f"Recommendation {number} (“{block['text'][:60]}”) has no addressed "
                "government: choose one with its Edit button."
            )
    if len(choices.positions) != len(session.proposal["addressees"]):
        found.append("The addressees changed while you were reviewing: reload the page.")
    return found


def _position(
    choice: str, office: ProposedOffice | None, *, by, source: str, on: dt.date | None
) -> Position | None:
    """
    The office picked for one addressee. A new one is added as a proposal, by
    whoever imports (a Drafter too): the text is unchecked, so an Admin checks
    it in the directory's "Proposed offices to check".
    """
    if not choice:
        return None
    if choice != NEW:
        return Position.objects.filter(pk=int(choice)).first()
    if office is None:
        raise ImportRefused("The new office has no title: reload the page and try again.")
    return proposals.propose_position(office=office, by=by, source=source, on=on)


def _organization(block: dict, choice: str, by) -> Organization | None:
    if not choice:
        return None
    if choice != NEW:
        return Organization.objects.filter(pk=int(choice)).first()
    if not by.has_perm("letters.add_organization"):
        raise ImportRefused(
            f"Only coordinators and administrators can add “{block['organization']}” "
            "to the organisations."
        )
    organization, _ = Organization.objects.get_or_create(name=block["organization"][:200])
    return organization


def _add_text(letter: Letter, sections: list[_SectionDraft]) -> None:
    for draft in sections:
        section = drafting.add_section(
            letter=letter,
            section=Section(
                heading=draft.heading[:300],
                body="\n\n".join(draft.body),
                lead_in=draft.lead_in,
            ),
        )
        for block in draft.recommendations:
            drafting.add_recommendation(
                section=section,
                recommendation=Recommendation(
                    text=block["text"],
                    government=block["government"],
                    third_state=block.get("third_state", ""),
                ),
            )


def _add_signatories(letter: Letter, signatories: list[tuple[dict, Organization]]) -> None:
    for order, (block, organization) in enumerate(signatories):
        existing = letter.signatories.filter(organization=organization).first()
        signatory = existing or Signatory(
            organization=organization,
            role=SignatoryRole.LEAD if order == 0 else SignatoryRole.COSIGNER,
        )
        signatory.signer_name = block["name"][:200]
        signatory.signer_title = block["title"][:200]
        if existing:
            drafting.save_signatory(signatory=signatory)
        else:
            drafting.add_signatory(letter=letter, signatory=signatory)


def _sent_at(sent_on: dt.date) -> dt.datetime:
    return dt.datetime.combine(sent_on, dt.time(12), tzinfo=dt.UTC)


def _freeze_as_imported(
    recipient: LetterRecipient, shown: dict, greeting: str, sent_on: dt.date
) -> None:
    """The recipient as the letter that was sent printed it (the imported text)."""
    position = recipient.position
    recipient.official = position.current_holder(on=sent_on) if position else None
    recipient.snapshot_name = shown.get("name", "")[:200]
    title = shown.get("title") or (position.title if position else "")
    recipient.snapshot_title = title[:300]
    recipient.snapshot_address = "\n".join(shown.get("lines", []))[:MAX_SNAPSHOT_ADDRESS]
    recipient.snapshot_salutation = greeting[:300]
    recipient.snapshot_taken_at = _sent_at(sent_on)
    recipient.sent_on = sent_on


def _add_unlinked(letter: Letter, addressee: dict, greeting: str, sent_on: dt.date) -> None:
    """
    An addressee of a sent letter left out of the address book: kept as the
    snapshot of what the letter said, so nothing it was sent to is lost.
    """
    recipient = LetterRecipient(
        letter=letter,
        position=None,
        role=addressee["role"],
        order=drafting.next_order(letter.recipients.filter(role=addressee["role"])),
    )
    _freeze_as_imported(recipient, addressee, greeting, sent_on)
    recipient.save()
    letter.touch()


def _mark_sent(
    letter: Letter, imported: dict[int, dict], greeting: str, sent_on: dt.date, by
) -> None:
    """Signatories approved, recipients frozen as the imported text had them, then sent."""
    sent_at = _sent_at(sent_on)
    letter.refresh_from_db()
    ApprovedText.objects.get_or_create(
        letter=letter,
        content_hash=letter.content_hash,
        defaults={"snapshot": approvable_text(letter), "created_at": sent_at},
    )
    for signatory in letter.signatories.all():
        signatory.approved_at = sent_at
        signatory.approved_hash = letter.content_hash
        signatory._history_user = by
        signatory.save(update_fields=["approved_at", "approved_hash"])
    for recipient in letter.recipients.filter(position__isnull=False).select_related("position"):
        shown = imported.get(recipient.linked_position.pk, {})
        _freeze_as_imported(recipient, shown, greeting, sent_on)
        recipient.save()
    letter.move("finalise", by=by)
    letter.move("send", by=by)
    Letter.objects.filter(pk=letter.pk).update(finalized_at=sent_at, sent_at=sent_at)


def _add_recipients(letter: Letter, positions: list, greeting: str, sent_on) -> None:
    """
    Each addressee and cc once, in the order read: linked to its office, or, on a
    letter already sent, kept as the snapshot the text gives when it has none.
    """
    seen: set[int] = set()
    for addressee, position in positions:
        if position is None and sent_on is not None:
            _add_unlinked(letter, addressee, greeting, sent_on)
        if position is None or position.pk in seen:
            continue
        seen.add(position.pk)
        drafting.add_recipient(letter=letter, position=position, role=addressee["role"])


@transaction.atomic
def save_import(
    *,
    session: ImportSession,
    by,
    reference: str,
    subject: str,
    date: dt.date | None,
    choices: Choices,
    sent_on: dt.date | None = None,
) -> Letter:
    """Make the letter the drafter confirmed; ImportRefused says what stops it."""
    session = ImportSession.objects.select_for_update().get(pk=session.pk)
    if session.letter_id is not None:
        raise ImportRefused("This import was already saved as a letter.")
    if found := problems(session, choices):
        raise ImportRefused(" ".join(found))
    proposal = session.proposal
    offices = choices.offices or [None] * len(choices.positions)
    source = f"the import of “{session.source_name}” for {reference}"
    positions = [
        (addressee, _position(choice, office, by=by, source=source, on=date or sent_on))
        for addressee, choice, office in zip(
            proposal["addressees"], choices.positions, offices, strict=True
        )
    ]
    organizations = [
        (block, _organization(block, choice, by))
        for block, choice in zip(proposal["signatories"], choices.organizations, strict=False)
    ]
    signing = [(block, org) for block, org in organizations if org is not None]
    if sent_on is not None and not any(p for a, p in positions if a["role"] == "to"):
        raise ImportRefused("A sent letter needs at least one addressee from the address book.")
    if sent_on is not None and not signing:
        raise ImportRefused("A sent letter needs at least one signing organisation.")

    opening, sections, closing = sections_of(session.blocks)
    letter = Letter(
        reference=reference,
        subject=subject[:300],
        language=session.proposal.get("language", "en"),
        date=date or sent_on,
        opening="\n\n".join(opening),
        closing="\n\n".join(closing),
        lead_organization=signing[0][1] if signing else None,
    )
    drafting.create_letter(letter=letter, by=by)
    _add_text(letter, sections)
    greeting = session.proposal.get("greeting", "")
    _add_recipients(letter, positions, greeting, sent_on)
    _add_signatories(letter, signing)
    if sent_on is not None:
        imported = {p.pk: a for a, p in reversed(positions) if p is not None}
        _mark_sent(letter, imported, greeting, sent_on, by)
    session.letter = letter
    session.save(update_fields=["letter", "updated_at"])
    letter.refresh_from_db()
    return letter
