"""
Log lines: one per event, each with its request's id, and no secrets.

A request's id comes from the proxy's header when REQUEST_ID_HEADER names one
(so one id follows a request from the load balancer to the app), or is made up
here; it is sent back in X-Request-ID and `RequestIdFilter` puts it on every
record logged while the request runs ("-" outside requests: workers, commands).

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
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

REDACTED = "[redacted]"
NO_REQUEST = "-"

# What a proxy may send as an id: anything else is replaced, so a client cannot
# forge log lines (newlines) or stuff them.
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
_request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


def request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = settings.REQUEST_ID_HEADER
        given = request.headers.get(header, "") if header else ""
        rid = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        # Kept until the request is finished (see `forget_request_id`): Django logs
        # "Not Found" and the like after the middleware has returned.
        _request_id.set(rid)
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


@receiver(request_finished)
def forget_request_id(**kwargs) -> None:
    _request_id.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on a record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class OneLineFormatter(logging.Formatter):
    """One record, one line: newlines in messages and tracebacks are escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


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
