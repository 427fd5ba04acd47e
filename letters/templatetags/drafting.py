"""Template helpers for the drafting pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def concat(value, arg) -> str:
    """Join two values as text (Django's `add` gives "" for a string and a number)."""
    return f"{value}{arg}"
