"""
HTML cached once for every reader of a page: the forms in it are rendered with
a placeholder for the CSRF token, and each reader gets its own token put back.
Cache keys name the code that drew the HTML (`code_version`), so a deploy with
changed templates or views never serves what the old ones drew.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "csrf-token-placeholder"


def placeholder_token() -> dict[str, str]:
    """Context for render_to_string(): {% csrf_token %} writes the placeholder."""
    return {"csrf_token": CSRF_PLACEHOLDER}


def with_csrf_token(html: str, request: HttpRequest) -> str:
    """The request's own token in place of the placeholder."""
    return put_token(html, get_token(request))


def put_token(html: str, token: str) -> str:
    """
    `token` in place of the placeholder. Only {% csrf_token %} writes it inside
    quotes: text from the database has its quotes escaped.
    """
    return html.replace(f'value="{CSRF_PLACEHOLDER}"', f'value="{token}"')


@functools.cache
def code_version() -> str:
    """
    A digest of the project's Python files and templates, read once per process
    (about 2 MB): the same on every machine that runs the same code.
    """
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder in ("advocacy", "letters", "recipients", "templates"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
