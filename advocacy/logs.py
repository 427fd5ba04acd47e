"""
Keep secrets that travel in URLs out of log lines.

A partner's sign-on link (`/sign/<token>/`), an open call's confirmation
link (`/call/confirm/<token>/`) and Django's password-reset link
(`/reset/<uid>/<token>/`) carry a token on their first request; both views
redirect at once to an address without it, but that first request, or a
mistyped link's 404, is still logged by Django ("Not Found: /sign/...") and
by gunicorn's access log. `redact` replaces those path segments wherever
they appear in a line (request line, path, Referer).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_SECRET_SEGMENTS = re.compile(
    r"""
    (?P<prefix>/sign/)(?!page/\d+/)[^/?\#\s"']+       # /sign/<token>/, not /sign/page/<pk>/
    | (?P<call>/call/confirm/)[^/?\#\s"']+             # an open call's confirmation link
    | (?P<reset>/reset/[^/?\#\s"']+/)(?!set-password/)[^/?\#\s"']+  # /reset/<uid>/<token>/
    """,
    re.VERBOSE,
)


def redact(text: str) -> str:
    return _SECRET_SEGMENTS.sub(
        lambda m: (m.group("prefix") or m.group("call") or m.group("reset")) + REDACTED, text
    )


class RedactTokens(logging.Filter):
    """Rewrites a record's message with every token in it redacted (see `redact`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
