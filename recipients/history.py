"""
Readable change lists from django-simple-history records: who changed what,
when, from which value to which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.formats import date_format

from recipients.models import Official, Position, Term

IGNORED = {"created_at", "updated_at", "id"}
KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class Change:
    when: dt.datetime
    who: AbstractBaseUser | None
    what: str
    kind: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def _label(model: type[models.Model], name: str) -> str:
    # A history diff names concrete fields only, never a reverse relation.
    verbose = str(cast("models.Field[Any, Any]", model._meta.get_field(name)).verbose_name)
    return verbose[:1].upper() + verbose[1:]


def _show(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, dt.date):
        return date_format(value, "j M Y")
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


# Historical records are simple-history's generated models: untyped here.
def describe(
    records: Iterable[Any],
    model: type[models.Model],
    what: Callable[[Any], str] = lambda record: "",
) -> list[Change]:
    """
    Newest first. `records` are one model's historical rows, newest first,
    possibly of several objects; each is compared with the previous record
    of the same object, all in memory.
    """
    records = list(records)
    older: dict[int, Any] = {}
    for record in reversed(records):
        record._previous = older.get(record.id)
        older[record.id] = record
    changes = []
    for record in records:
        change = Change(
            when=record.history_date,
            who=record.history_user,
            what=what(record),
            kind=KINDS.get(record.history_type, record.history_type),
        )
        if record._previous is not None and record.history_type == "~":
            delta = record.diff_against(record._previous)
            for item in delta.changes:
                if item.field in IGNORED:
                    continue
                change.fields.append((_label(model, item.field), _show(item.old), _show(item.new)))
            if not change.fields:
                continue
        changes.append(change)
    return changes


def position_history(position: Position, limit: int = 50) -> list[Change]:
    own = describe(
        position.history.select_related("history_user")[:limit],
        Position,
        what=lambda r: "Office",
    )
    terms = list(
        Term.history.filter(position_id=position.pk).select_related("history_user")[:limit]
    )
    ids = {r.official_id for r in terms}
    officials = {o.pk: o for o in Official.objects.filter(pk__in=ids)}
    term_changes = describe(
        terms,
        Term,
        what=lambda r: f"Term of {officials.get(r.official_id, '(deleted person)')}",
    )
    return sorted(own + term_changes, key=lambda c: c.when, reverse=True)[:limit]


def official_history(official: Official, limit: int = 50) -> list[Change]:
    own = describe(
        official.history.select_related("history_user")[:limit], Official, what=lambda r: "Person"
    )
    terms = list(
        Term.history.filter(official_id=official.pk).select_related("history_user")[:limit]
    )
    titles = dict(
        Position.objects.filter(pk__in={r.position_id for r in terms}).values_list("pk", "title")
    )
    term_changes = describe(
        terms, Term, what=lambda r: f"Term as {titles.get(r.position_id, '(deleted office)')}"
    )
    return sorted(own + term_changes, key=lambda c: c.when, reverse=True)[:limit]
