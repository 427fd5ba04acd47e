"""
Absolute addresses for links that leave the page: in e-mails, on the sign-on
board, in digests. One rule everywhere, so the link a coordinator copies and
the one an organisation is e-mailed point at the same site: the address the
person is using when there is a request, `SITE_ROOT` when there is none (a
management command, a background task).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` (from `reverse()` or `get_absolute_url()`) as a full URL."""
    if not path.startswith("/"):
        raise ValueError(f"{path!r} is not a path on this site.")
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_ROOT.rstrip("/") + path
