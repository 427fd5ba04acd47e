"""
HTML cached once for every reader of a page: the forms in it are rendered with
a placeholder for the CSRF token, and each reader gets its own token put back.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "csrf-token-placeholder"


def placeholder_token() -> dict[str, str]:
    """Context for render_to_string(): {% csrf_token %} writes the placeholder."""
    return {"csrf_token": CSRF_PLACEHOLDER}


def with_csrf_token(html: str, request: HttpRequest) -> str:
    """
    The request's own token in place of the placeholder. Only {% csrf_token %}
    writes it inside quotes: text from the database has its quotes escaped.
    """
    return html.replace(f'value="{CSRF_PLACEHOLDER}"', f'value="{get_token(request)}"')
