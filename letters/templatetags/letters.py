from __future__ import annotations

from django import template

from letters import markdown
from letters.models import ImplementationStatus, ResponseStatus

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    return markdown.render(text)


RESPONSE_LABELS = dict(ResponseStatus.choices)
IMPLEMENTATION_LABELS = dict(ImplementationStatus.choices)


@register.inclusion_tag("letters/_status_badge.html")
def status_badge(kind: str, value: str | None):
    """A coloured badge for a response or implementation status."""
    labels = RESPONSE_LABELS if kind == "response" else IMPLEMENTATION_LABELS
    if not value:
        label = "No response yet" if kind == "response" else "Not assessed"
    else:
        label = labels.get(value, value)
    return {"kind": kind, "value": value or "none", "label": label}
