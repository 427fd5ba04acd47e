"""
The client's address, for login throttling (django-axes) and rate limits
(django-ratelimit).

A header such as X-Forwarded-For is whatever the client wants it to be,
except for the entries appended by proxies we run. So the address comes from
REMOTE_ADDR unless settings.TRUSTED_PROXY_COUNT says how many proxies stand
in front of the app; then it is the entry that many places from the right of
settings.PROXY_IP_HEADER, the one our outermost proxy wrote. Anything the
client put to the left of it is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def meta_key(header: str) -> str:
    """The request.META key of an HTTP header name: X-Forwarded-For -> HTTP_X_FORWARDED_FOR."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count < 1:
        return remote
    header = request.META.get(meta_key(settings.PROXY_IP_HEADER), "")
    entries = [entry.strip() for entry in header.split(",")]
    if len(entries) < count:
        # Not what our proxies send: a request that reached the app some other way.
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
