# The content hash is now the hash of `letters.text.approvable_text()`, which
# reads the text differently from the old `compute_content_hash()`. A letter
# still being drafted simply gets the new hash at its next edit (approvals of
# it are asked again: nothing here can tell whether they were of its current
# text). A frozen letter cannot change, so its stored hash and its approvals
# move to the new hash together: otherwise a final letter could no longer be
# sent ("the text changed after it was finalised") and signed copies would lose
# their signatures. A copy of the approvable text as it reads for a frozen
# letter, kept here as it is today.

import hashlib
import json

from django.db import migrations

FROZEN = ("final", "sent", "published", "withdrawn")
REC_FIELDS = ("reference", "text", "government", "third_state")


def _text(letter, Section, LetterRecipient, Signatory):
    recipients = list(
        LetterRecipient.objects.filter(letter=letter)
        .select_related("position")
        .order_by("-role", "order", "pk")
    )
    if not recipients or any(r.snapshot_taken_at is None for r in recipients):
        return None  # withdrawn while a draft: nothing was frozen
    sections = []
    rows = (
        Section.objects.filter(letter=letter)
        .order_by("order", "pk", "recommendations__order", "recommendations__pk")
        .values_list(
            "pk", "heading", "body", "lead_in", *(f"recommendations__{f}" for f in REC_FIELDS)
        )
    )
    for pk, heading, body, lead_in, *rec in rows:
        if not sections or sections[-1]["id"] != pk:
            sections.append(
                {
                    "id": pk,
                    "heading": heading,
                    "body": body,
                    "lead_in": lead_in,
                    "recommendations": [],
                }
            )
        if rec[0] is not None:
            sections[-1]["recommendations"].append(dict(zip(REC_FIELDS, rec, strict=True)))
    to = [r for r in recipients if r.role == "to"]
    return {
        "subject": letter.subject,
        "date": letter.date.isoformat() if letter.date else "",
        "language": letter.language,
        "recipients": [
            {
                "position": r.position_id,
                "role": r.role,
                "name": r.snapshot_name,
                "title": r.snapshot_title,
                "institution": r.position.institution,
                "salutation": r.snapshot_salutation,
            }
            for r in recipients
        ],
        "greeting": to[0].snapshot_salutation if to else "",
        "opening": letter.opening,
        "sections": sections,
        "closing": letter.closing,
        "signatories": [
            {"organization": s.organization.name, "role": s.role}
            for s in Signatory.objects.filter(letter=letter)
            .select_related("organization")
            .order_by("order", "pk")
        ],
    }


def rehash_frozen_letters(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    Section = apps.get_model("letters", "Section")
    LetterRecipient = apps.get_model("letters", "LetterRecipient")
    Signatory = apps.get_model("letters", "Signatory")
    for letter in Letter.objects.filter(status__in=FROZEN).iterator():
        text = _text(letter, Section, LetterRecipient, Signatory)
        if text is None:
            continue
        encoded = json.dumps(text, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        new = hashlib.sha256(encoded.encode()).hexdigest()
        old = letter.content_hash
        if new == old:
            continue
        # Plain UPDATEs: history records edits, and this is none.
        approvals = Signatory.objects.filter(letter=letter, approved_at__isnull=False)
        approvals.filter(approved_hash=old).update(approved_hash=new)
        Letter.objects.filter(pk=letter.pk).update(content_hash=new)


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0006_tracker_text_search"),
    ]

    operations = [
        migrations.RunPython(rehash_frozen_letters, migrations.RunPython.noop, elidable=True),
    ]
