"""
Pages of the address book cached as HTML until the next change to it.

The key holds the newest history id of offices, people and terms: every save
or delete of one (through the ORM, as every change here is) writes a history
row with a larger id in the same transaction, so a committed change gives a
new key at once and on every web process, with no signal to send and nothing
to clear. A rolled-back change leaves the ids as they were, and sequences never
hand an id out twice, so a page cached inside a transaction that then rolls
back is under a key nobody asks for again. The page is read after the key, so
it is never older than its key says. Today's date is in the key too (who holds an office,
which offices need checking).

A cached page may hold forms: it is stored with a placeholder for the CSRF
token, and each reader gets its own token put back (advocacy/fragments.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from advocacy.fragments import code_version, placeholder_token, with_csrf_token
from recipients.models import Official, Position, Term

TIMEOUT = 10 * 60


def address_book_version() -> str:
    """The newest history id of each model: one query, each an index lookup."""
    tables = [m.history.model._meta.db_table for m in (Position, Official, Term)]
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT MAX(history_id) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return "-".join(str(value or 0) for value in row)


def cached_page(request: HttpRequest, name: str, key: str, render: Callable[[dict], str]) -> str:
    """
    render(placeholder_token()) for `name` and `key`, or what it gave
    under the address book's current version and today's date, with this
    request's CSRF token in place of the placeholder.
    """
    raw = f"{name}\n{key}\n{timezone.localdate()}\n{address_book_version()}"
    cache_key = f"recipients:{code_version()}:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"
    html = cache.get(cache_key)
    if html is None:
        html = render(placeholder_token())
        cache.set(cache_key, html, TIMEOUT)
    return with_csrf_token(html, request)
