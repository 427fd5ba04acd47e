"""The sign-on board and the sent copies on a letter's page."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone

from letters import signing
from letters.models import Letter, LetterStatus, SignatoryRole

register = template.Library()


@register.inclusion_tag("letters/signing/_board.html", takes_context=True)
def signon_board(context, letter: Letter) -> dict:
    request = context["request"]
    user = request.user
    now = timezone.now()
    rows = []
    for signatory in letter.signatories.select_related("organization").order_by("order", "pk"):
        signatory.letter = letter
        state = signing.sign_on_state(signatory, letter, now=now)
        is_lead = signatory.role == SignatoryRole.LEAD
        label = signing.State.LABELS[state]
        if is_lead and state == signing.State.NOT_INVITED:
            label = "Not approved yet"  # the lead approves here, not through a link
        rows.append(
            {
                "signatory": signatory,
                "state": state,
                "state_label": label,
                "is_lead": is_lead,
                # The address the coordinator is using, which is what they will share.
                "link": request.build_absolute_uri(reverse("public:sign", args=[signatory.token]))
                if signing.link_is_live(signatory, now=now)
                else "",
            }
        )
    approved = sum(1 for row in rows if row["state"] == signing.State.APPROVED)
    copies = list(letter.sent_copies.select_related("recipient__position"))
    return {
        "letter": letter,
        "rows": rows,
        "approved": approved,
        "circulating": letter.status == LetterStatus.CIRCULATING,
        "open": letter.is_editable,
        "can_circulate": user.has_perm("letters.circulate_letter"),
        "copies": copies,
        "csrf_token": context.get("csrf_token"),
    }
