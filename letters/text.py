"""
What a letter says. `letter_context()` is what its templates render: the
preview page, the PDF, the sign-on page and the public page all show
`templates/letters/_letter_text.html` from it, so they cannot drift apart.
`text_snapshot()` is the text a partner approves, as plain data, and
`diff_snapshots()` a readable account of what changed between two of them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from letters.models import Letter, RecipientRole, Recommendation, Section


def letter_context(letter: Letter, *, copy_for=None) -> dict:
    """
    Everything `_letter_text.html` needs, in a fixed number of queries.

    `copy_for` is the LetterRecipient whose copy this is: its address block
    goes at the top. Without it, the first `to` recipient's block is used.
    """
    sections = list(
        Section.objects.filter(letter=letter).prefetch_related(
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.order_by("order", "pk").prefetch_related("themes"),
            )
        )
    )
    number = 0
    for section in sections:
        section.numbered = []
        for rec in section.recommendations.all():
            number += 1
            section.numbered.append((number, rec))

    recipients = list(
        letter.recipients.select_related("position", "official").prefetch_related(
            "position__terms__official"
        )
    )
    for recipient in recipients:
        recipient.shown = recipient.addressee()
    to = [r for r in recipients if r.role == RecipientRole.TO]
    cc = [r for r in recipients if r.role == RecipientRole.CC]
    addressee = copy_for if copy_for is not None else (to[0] if to else None)
    if addressee is not None and not hasattr(addressee, "shown"):
        addressee.shown = addressee.addressee()
    # The greeting names the main addressee, on every copy.
    salutation = to[0].shown["salutation"] if to else ""

    # Organisations that declined or withdrew do not sign: they are left out of the
    # preview exactly as they are left out of the PDF.
    signatories = list(
        letter.signatories.filter(declined_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("organization")
        .order_by("order", "pk")
    )
    for signatory in signatories:
        # A signature image may only accompany the exact text its signer approved.
        signatory.signed = signatory.has_approved(letter.content_hash)
    return {
        "letter": letter,
        "sections": sections,
        "recommendation_count": number,
        "to_recipients": to,
        "cc_recipients": cc,
        "addressee": addressee,
        "salutation": salutation,
        "signatories": signatories,
        "numbered": letter.recommendation_style == "numbered",
    }


def text_snapshot(letter: Letter) -> dict:
    """The approvable text of a letter, keyed by stable ids so a diff can pair parts up."""
    sections = []
    for section in letter.sections.prefetch_related("recommendations"):
        sections.append(
            {
                "id": section.pk,
                "heading": section.heading,
                "body": section.body,
                "lead_in": section.lead_in,
                "recommendations": [
                    {
                        "reference": rec.reference,
                        "text": rec.text,
                        "government": str(rec.government.name),
                        "third_state": str(rec.third_state.name) if rec.third_state else "",
                    }
                    for rec in section.recommendations.all()
                ],
            }
        )
    return {
        "subject": letter.subject,
        "date": letter.date.isoformat() if letter.date else "",
        "opening": letter.opening,
        "closing": letter.closing,
        "sections": sections,
        "recipients": [
            f"{r.get_role_display()}: {r.position.title}"
            + (f", {r.position.institution}" if r.position.institution else "")
            for r in letter.recipients.select_related("position").order_by("-role", "order", "pk")
        ],
        "signatories": [
            s.organization.name
            for s in letter.signatories.select_related("organization").order_by("order", "pk")
        ],
    }


@dataclass
class Change:
    kind: str  # "added", "removed" or "changed"
    label: str
    html: SafeString


_TOKEN = re.compile(r"\s+|[^\s]+")


def inline_diff(old: str, new: str) -> SafeString:
    """Words removed in <del>, words added in <ins>, everything escaped."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


def _whole(kind: str, text: str) -> SafeString:
    tag = "ins" if kind == "added" else "del"
    return mark_safe(f"<{tag}>{escape(text)}</{tag}>")  # noqa: S308


def _compare(changes: list[Change], label: str, old: str, new: str) -> None:
    if (old or "") != (new or ""):
        changes.append(Change("changed", label, inline_diff(old, new)))


def _rec_text(rec: dict) -> str:
    text = f"{rec['text']} (to {rec['government']}"
    if rec.get("third_state"):
        text += f", about {rec['third_state']}"
    return text + ")"


def diff_snapshots(old: dict, new: dict) -> list[Change]:
    """Changes from `old` to `new`, in reading order."""
    changes: list[Change] = []
    _compare(changes, "Subject", old.get("subject", ""), new.get("subject", ""))
    _compare(changes, "Date", old.get("date", ""), new.get("date", ""))
    _compare(changes, "Opening", old.get("opening", ""), new.get("opening", ""))

    old_sections = {s["id"]: s for s in old.get("sections", [])}
    new_ids = {s["id"] for s in new.get("sections", [])}
    old_recs = {r["reference"]: r for s in old.get("sections", []) for r in s["recommendations"]}
    new_recs = {r["reference"] for s in new.get("sections", []) for r in s["recommendations"]}
    for section in new.get("sections", []):
        before = old_sections.get(section["id"])
        name = f"Section “{section['heading']}”"
        if before is None:
            body = "\n".join([section["heading"], section["body"], section["lead_in"]])
            changes.append(Change("added", name, _whole("added", body.strip())))
        else:
            _compare(changes, f"{name}: heading", before["heading"], section["heading"])
            _compare(changes, f"{name}: text", before["body"], section["body"])
            _compare(changes, f"{name}: lead-in", before["lead_in"], section["lead_in"])
        for rec in section["recommendations"]:
            label = f"Recommendation {rec['reference']}"
            was = old_recs.get(rec["reference"])
            if was is None:
                changes.append(Change("added", label, _whole("added", _rec_text(rec))))
            else:
                _compare(changes, label, _rec_text(was), _rec_text(rec))
    for reference, rec in old_recs.items():
        if reference not in new_recs:
            label = f"Recommendation {reference}"
            changes.append(Change("removed", label, _whole("removed", _rec_text(rec))))
    for section in old.get("sections", []):
        if section["id"] not in new_ids:
            name = f"Section “{section['heading']}”"
            changes.append(Change("removed", name, _whole("removed", section["heading"])))

    _compare(changes, "Closing", old.get("closing", ""), new.get("closing", ""))
    _compare(
        changes,
        "Recipients",
        "\n".join(old.get("recipients", [])),
        "\n".join(new.get("recipients", [])),
    )
    _compare(
        changes,
        "Signing organisations",
        "\n".join(old.get("signatories", [])),
        "\n".join(new.get("signatories", [])),
    )
    return changes
