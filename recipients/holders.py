"""
Change who holds an office: end the current term, start the next, and tell
the people drafting letters to that office.

A new holder from day D ends the current term on D - 1, because
`Term.covering(day)` treats both ends as inclusive: on D exactly one term
covers the office. Draft letters read the current holder, so they follow by
themselves; finalised and sent letters print their snapshot and never change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.formats import date_format

from recipients.models import Official, Position, Term


@dataclass
class HolderChange:
    position: Position
    start: dt.date
    ended: Term | None
    started: Term | None
    # Unfrozen letters addressed to the office, and the drafters told about it.
    letters: list = field(default_factory=list)
    told: list = field(default_factory=list)


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
    change.letters, change.told = _tell_drafters(change, by=by)
    for letter in change.letters:
        # Their greeting may read differently now: a new version, so that forms
        # opened before the change are refused and sign-on approvals are asked again.
        letter.touch()
    return change


def _tell_drafters(change: HolderChange, *, by) -> tuple[list, list]:
    """E-mail each drafter whose unfrozen letters go to this office, once the change commits."""
    from letters.models import Letter, LetterStatus

    letters = list(
        Letter.objects.filter(
            status__in=LetterStatus.editable(),
            recipients__position=change.position,
            recipients__snapshot_taken_at__isnull=True,
        )
        .select_related("created_by")
        .distinct()
        .order_by("reference")
    )
    by_drafter: dict = {}
    for letter in letters:
        drafter = letter.created_by
        if drafter is None or not drafter.email or drafter == by:
            continue
        by_drafter.setdefault(drafter, []).append(letter)

    position = change.position
    new = change.started.official if change.started else None
    day = date_format(change.start)
    if new is not None:
        subject = f"{position.title}: {new.full_name} holds the office from {day}"
    else:
        subject = f"{position.title} is vacant from {day}"
    site = settings.SITE_ROOT.rstrip("/")
    messages = []
    for drafter, theirs in by_drafter.items():
        listing = "\n".join(
            f"- {letter.reference}: {letter.subject}\n  {site}{letter.get_absolute_url()}"
            for letter in theirs
        )
        greeting = position.salutation(new)
        body = (
            f"The address book now says: {subject}.\n\n"
            f"Your draft letters to this office follow the change. They now greet "
            f'the addressee with "{greeting}". Please reread them:\n\n{listing}\n'
        )
        messages.append((subject, body, drafter.email))

    def send() -> None:
        for subject, body, to in messages:
            send_mail(subject, body, None, [to])

    transaction.on_commit(send)
    return letters, list(by_drafter)
