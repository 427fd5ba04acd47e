"""
Tracking figures that read the whole table (status counts, the charts, the
dashboard's lists, the tracker's country choices), and the editor's long blocks
and lists (`{% cached_block %}`, `LongSelect`), cached until the next write
that could change them.

The public pages (the index, a published letter, the feed), the text every
partner of a sign-on reads and the other pages' long parts are cached the same
way. Every write they or the figures read (a follow-up, a recommendation, its
themes, a letter, its parts and signatories, a press release, an organisation,
the address book: see letters.apps) puts a new random token in the cache once
its transaction commits; figures are cached under the token current when they
were read. A token is set once and never comes back, so after a write commits
no reader finds figures that miss it: figures stored under an older token, even
computed during the write, are never asked for again. No atomic increment is
needed, so any shared cache works (the database cache in production, on
several machines).

Inside a transaction that has written, figures are computed, not cached: they
would include writes that may still roll back. Writes that bypass save()
(QuerySet.update(), bulk_create) call `changed()` themselves: see
Recommendation.refresh_status().
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from advocacy.fragments import code_version

TOKEN_KEY = "tracking:token"
# A token change lost between a commit and the cache (a crash there) heals by itself.
TIMEOUT = 10 * 60

T = TypeVar("T")


# The token as first read in the current request: one cache read per request,
# not one per figure. None outside a request (scripts, tasks): read each time.
_in_request: ContextVar[dict | None] = ContextVar("tracking_token", default=None)


@receiver(request_started)
def _start_request(**kwargs) -> None:
    _in_request.set({})


@receiver(request_finished)
def _finish_request(**kwargs) -> None:
    _in_request.set(None)


def _new_token() -> None:
    connection.tracking_written = False  # type: ignore[attr-defined]
    cache.set(TOKEN_KEY, uuid.uuid4().hex, None)
    if (memo := _in_request.get()) is not None:
        memo.clear()


def changed(*args, **kwargs) -> None:
    """The figures are out of date once this transaction commits (now, outside one)."""
    if kwargs.get("action", "post").startswith("pre"):
        return  # m2m_changed says it twice: before and after
    if connection.in_atomic_block:
        connection.tracking_written = True  # type: ignore[attr-defined]
        # One new token per commit will do (circulating saves every signatory):
        # a queued one runs unless a savepoint it was queued in rolls back, and
        # this write, made inside every open savepoint, would roll back with it.
        if any(queued[1] is _new_token for queued in connection.run_on_commit):
            return
    transaction.on_commit(_new_token)


def token() -> str:
    memo = _in_request.get()
    if memo and "token" in memo:
        return memo["token"]
    value = cache.get(TOKEN_KEY)
    if value is None:
        # Two readers may race here: add() lets one token win.
        cache.add(TOKEN_KEY, uuid.uuid4().hex, None)
        value = cache.get(TOKEN_KEY) or ""
    if memo is not None:
        memo["token"] = value
    return value


def cached(name: str, queryset: QuerySet | None, compute: Callable[[], T]) -> T:
    """
    compute(), or what it gave for the same queryset (its SQL) and day under
    the current token. A queryset that can match nothing is not worth caching.
    """
    try:
        sql = str(queryset.query) if queryset is not None else ""
    except EmptyResultSet:
        return compute()
    return cached_by_key(name, sql, compute)


def cached_by_key(name: str, key: str, compute: Callable[[], T]) -> T:
    """compute(), or what it gave for the same key and day under the current token."""
    if not connection.in_atomic_block:
        connection.tracking_written = False  # type: ignore[attr-defined]
    elif getattr(connection, "tracking_written", False):
        return compute()
    day = timezone.localdate()
    digest = hashlib.sha256(f"{name}\n{day}\n{code_version()}\n{key}".encode()).hexdigest()
    key = f"tracking:{token()}:{digest[:32]}"
    value = _kept.get(key)
    if value is None:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, TIMEOUT)
        _kept.put(key, value)
    return value


class _Kept:
    """
    The last texts read in this process, in front of the shared cache: a key names
    its token, and what is stored under one never changes, so a copy here is as
    good as the shared one; it saves a database query per block with the database
    cache. Only text, numbers and tuples of them (rendered blocks, counts, option
    lists): a reader cannot change them in place.
    Kept for TIMEOUT from when this process read it, so a lost token change heals
    here too (within two TIMEOUTs of the write).
    """

    def __init__(self, entries: int, largest: int) -> None:
        self.entries, self.largest = entries, largest
        self.values: OrderedDict[str, tuple[float, str | int | tuple]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            kept = self.values.get(key)
            if kept is None or kept[0] < time.monotonic():
                return None
            self.values.move_to_end(key)
            return kept[1]

    def put(self, key: str, value: Any) -> None:
        if not isinstance(value, str | int | tuple) or len(str(value)) > self.largest:
            return
        with self.lock:
            self.values[key] = (time.monotonic() + TIMEOUT, value)
            self.values.move_to_end(key)
            while len(self.values) > self.entries:
                self.values.popitem(last=False)


# At most 200 texts of up to 1 MB each (a 100-recommendation editor block is 270 KB).
_kept = _Kept(entries=200, largest=1_000_000)
