"""
What a letter reads like, as data for the templates that show it: the
preview page, the PDF and the public page all render
`templates/letters/_letter_text.html` from `letter_context()`, so they
cannot drift apart.
"""

from __future__ import annotations

from django.db.models import Prefetch

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
