from __future__ import annotations

from django import template

from letters import markdown, text
from letters.models import ImplementationStatus, LetterRecipient, ResponseStatus

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    return markdown.render(text)


RESPONSE_LABELS = dict(ResponseStatus.choices)
IMPLEMENTATION_LABELS = dict(ImplementationStatus.choices)


@register.inclusion_tag("letters/_status_badge.html")
def status_badge(kind: str, value: str | None, labelled: bool = False):
    """
    A coloured badge for a response or implementation status. `labelled` says
    which of the two it is ("Response: accepted"), for places that show both
    side by side without a column heading.
    """
    labels = RESPONSE_LABELS if kind == "response" else IMPLEMENTATION_LABELS
    if not value:
        label = "No response yet" if kind == "response" else "Not assessed"
    else:
        label = labels.get(value, value)
    if labelled:
        label = f"{kind.capitalize()}: {label[:1].lower()}{label[1:]}"
    return {"kind": kind, "value": value or "none", "label": label}


FINGERPRINT_LENGTH = 6


@register.inclusion_tag("letters/_fingerprint.html")
def fingerprint(content_hash: str):
    """
    A version of the text as people can compare it: the first characters of
    its hash (a new fingerprint means the text changed), never the whole hash.
    """
    return {"short": (content_hash or "")[:FINGERPRINT_LENGTH]}


def _uses(**filters) -> list[LetterRecipient]:
    uses = LetterRecipient.objects.filter(**filters).select_related("letter")
    return list(uses.order_by("letter__reference"))


@register.inclusion_tag("letters/_letters_addressed_to.html")
def letters_addressed_to(position):
    """
    The address book's office page: the letters that go to the office and, once
    it is archived, those still being drafted to it (they need another recipient).
    """
    uses = _uses(position=position)
    drafts = sorted({u.letter.reference for u in uses if not u.is_frozen})
    return {"uses": uses, "drafts": drafts if position.archived_at else []}


@register.inclusion_tag("letters/_letters_sent_to.html")
def letters_sent_to(official):
    """The address book's person page: the letters frozen with them as the addressee."""
    return {"uses": _uses(official=official)}


@register.simple_tag
def signatory_list(signatories: list, grouping: str) -> text.SignatoryList:
    """The numbered, grouped list a letter prints instead of signature blocks."""
    return text.signatory_list(signatories, grouping)
