"""Template helpers for the drafting pages and the letter page's drafting actions."""

from __future__ import annotations

from django import template

from letters import drafting

register = template.Library()


@register.filter
def concat(value, arg) -> str:
    """Join two values as text (Django's `add` gives "" for a string and a number)."""
    return f"{value}{arg}"


@register.filter
def can_draft(user) -> bool:
    return drafting.can_draft(user)


@register.simple_tag
def can_edit_letter(user, letter) -> bool:
    return letter.allows("edit") and drafting.can_draft(user)
