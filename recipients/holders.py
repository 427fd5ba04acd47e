"""
Change who holds an office: end the current term, start the next, and announce
the change (`recipients.signals.holder_changed`) to the apps that write to the
office. Letters handles it: its drafts follow and their drafters are told.

A new holder from day D ends the current term on D - 1, because
`Term.covering(day)` treats both ends as inclusive: on D exactly one term
covers the office. Draft letters read the current holder, so they follow by
themselves; finalised and sent letters print their snapshot and never change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from recipients.models import Official, Position, Term
from recipients.signals import holder_changed


@dataclass
class HolderChange:
    position: Position
    start: dt.date
    ended: Term | None
    started: Term | None
    # Gathered from the receivers of `holder_changed`: what followed the change
    # (unfrozen letters addressed to the office) and who was told about it.
    letters: list = field(default_factory=list)
    told: list = field(default_factory=list)

    @property
    def holder(self) -> Official | None:
        """Who holds the office from `start`; None if it is vacant."""
        return self.started.official if self.started else None


def _as_history_user(obj, by) -> None:
    # Outside a request the history middleware knows no user; say who it was.
    if by is not None and getattr(by, "pk", None):
        obj._history_user = by


@transaction.atomic
def change_holder(
    *,
    position: Position,
    official: Official | None,
    start: dt.date,
    by=None,
    note: str = "",
) -> HolderChange:
    """
    From `start`, `official` holds `position` (or nobody, if None): the current
    term ends the day before and the new one begins, in one transaction.
    """
    # Serialise concurrent changes of the same office.
    position = Position.objects.select_for_update().get(pk=position.pk)
    later = position.terms.filter(start__gte=start).select_related("official").first()
    if later is not None:
        raise ValidationError(
            f"{later.official} already holds this office from "
            f"{date_format(later.start)}. Correct that term first."
        )
    current = position.terms.covering(start).select_related("official").first()
    if current is None and official is None:
        raise ValidationError("Nobody holds this office on that day: it is already vacant.")
    if current is not None and official is not None and current.official_id == official.pk:
        raise ValidationError(f"{official} already holds this office on that day.")

    if current is not None:
        current.end = start - dt.timedelta(days=1)
        current.full_clean()
        _as_history_user(current, by)
        current.save()

    started = None
    if official is not None:
        started = Term(position=position, official=official, start=start, note=note)
        started.full_clean()
        _as_history_user(started, by)
        started.save()

    change = HolderChange(position=position, start=start, ended=current, started=started)
    return announce_holder_change(change, by=by)


def announce_holder_change(change: HolderChange, *, by=None) -> HolderChange:
    """
    Tell the apps that care that who holds `change.position` changed. Every path
    that changes a holder ends here, in its own transaction, so that a receiver
    that fails undoes the change. Returns `change` with what the receivers did.
    """
    # The stubs say a receiver returns str | None; ours return what followed, or None.
    responses: list[tuple[Callable, Any]] = holder_changed.send(
        sender=Position, change=change, by=by
    )
    for _receiver, response in responses:
        if response is not None:
            change.letters.extend(response.letters)
            change.told.extend(response.told)
    return change


def _holder_today(position_pk: int) -> Term | None:
    # Read fresh: the caller's position may carry prefetched terms from before the edit.
    today = timezone.localdate()
    terms = Term.objects.filter(position_id=position_pk).covering(today)
    return terms.select_related("official").order_by("-start").first()


def _since(position_pk: int, term: Term | None) -> dt.date:
    """The day today's holder (or today's vacancy) began."""
    if term is not None:
        return term.start
    last = (
        Term.objects.filter(position_id=position_pk, end__lt=timezone.localdate())
        .order_by("-end")
        .first()
    )
    # (`end__lt` leaves out open-ended terms: `last.end` is a date.)
    return last.end + dt.timedelta(days=1) if last and last.end else timezone.localdate()


@contextmanager
def watching_holders(positions: Iterable[Position], *, by=None) -> Iterator[list[HolderChange]]:
    """
    For edits of terms other than `change_holder` (a correction, a removal, the
    admin): note who holds each office today, let the caller edit, then announce
    each office whose holder today is no longer the same. Use it inside the
    edit's transaction; nothing is announced if the edit raises.
    """
    positions = list(positions)
    before = {p.pk: _holder_today(p.pk) for p in positions}
    changes: list[HolderChange] = []
    yield changes
    for position in positions:
        was, now = before[position.pk], _holder_today(position.pk)
        if (was and was.official_id) == (now and now.official_id):
            continue
        change = HolderChange(
            position=position, start=_since(position.pk, now), ended=was, started=now
        )
        changes.append(announce_holder_change(change, by=by))
