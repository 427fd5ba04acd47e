"""The printing card on the letter page, without adding queries to the shared view."""

from __future__ import annotations

from django import template

from letters import pdf
from letters.views.documents import BATCH_PERMISSION

register = template.Library()


@register.inclusion_tag("letters/detail/_print_card.html", takes_context=True)
def printing_panel(context, letter):
    user = context["request"].user
    # The letter page has loaded its recipients already; reuse them.
    recipients = list(context.get("recipients") or letter.recipients.select_related("position"))
    recipients = [r for r in recipients if r.role == "to"] + [
        r for r in recipients if r.role == "cc"
    ]
    return {
        "letter": letter,
        "recipients": recipients,
        "batch": letter.print_batches.first(),
        "can_batch": user.has_perm(BATCH_PERMISSION),
        "archival": pdf.is_archival(letter),
        "watermark": pdf.watermark(letter),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
