"""
Following up recommendations after a letter went out: record what happened,
correct an entry (keeping its history), import many status updates at once
(all or nothing), and start a follow-up letter with the asks still open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from letters import drafting
from letters.models import (
    FollowUp,
    FollowUpKind,
    FollowUpSource,
    Letter,
    Recommendation,
)


class StaleEdit(Exception):
    """Someone else corrected the entry since this form was loaded."""


@transaction.atomic
def record_follow_up(*, entry: FollowUp, recommendation: Recommendation, by) -> FollowUp:
    """
    Save a new entry (validated by its form) on the recommendation; whoever
    records it starts following the recommendation, so overdue reviews reach them.
    """
    entry.recommendation = recommendation
    entry.recorded_by = by
    entry.recorded_at = timezone.now()
    entry.full_clean()
    entry.save()
    recommendation.followers.add(by)
    return entry


MAX_BULK = 200


@transaction.atomic
def record_follow_ups(
    *, entry: FollowUp, recommendations: Iterable[Recommendation], by
) -> list[FollowUp]:
    """
    The same event (one ministry reply answering several asks) recorded on each
    recommendation as its own entry, all or none. An evidence file is stored once
    and shared by the entries.
    """
    entries = []
    for rec in recommendations:
        copy = FollowUp(
            date=entry.date,
            kind=entry.kind,
            response_status=entry.response_status,
            implementation_status=entry.implementation_status,
            note=entry.note,
            evidence_url=entry.evidence_url,
            evidence_file=entry.evidence_file,
            next_review=entry.next_review,
        )
        entries.append(record_follow_up(entry=copy, recommendation=rec, by=by))
        # After the first save the file is stored; the others point at it.
        entry.evidence_file = entries[0].evidence_file.name or ""
    return entries


@transaction.atomic
def correct_follow_up(*, entry: FollowUp, by, loaded_revision: int, reason: str) -> FollowUp:
    """
    Save a correction of an entry. Refused if the entry changed since the form
    was loaded; the history keeps every earlier version with who and why.
    """
    current = FollowUp.objects.select_for_update().values_list("revision", flat=True)
    if current.get(pk=entry.pk) != loaded_revision:
        raise StaleEdit
    entry.revision = loaded_revision + 1
    entry._change_reason = reason
    # Who first recorded it stays as it was (entries from imports may have none).
    entry.full_clean(exclude=["recorded_by"])
    entry.save()
    return entry


@dataclass
class StatusUpdate:
    """One imported row that changes something, checked and ready to write."""

    line: int
    recommendation: Recommendation
    date: dt.date
    kind: str
    response_status: str
    implementation_status: str
    next_review: dt.date | None
    note: str
    evidence_url: str


@transaction.atomic
def import_status_updates(*, updates: Iterable[StatusUpdate], by) -> list[FollowUp]:
    """
    Write every update as one follow-up entry, or none of them: a failure on
    any row rolls the whole import back. Written in bulk (entries with their
    history, statuses, followers) so that 5,000 rows take a few queries, not 35,000.
    """
    updates = list(updates)
    now = timezone.now()
    entries = []
    for update in updates:
        entry = FollowUp(
            recommendation=update.recommendation,
            kind=update.kind,
            date=update.date,
            response_status=update.response_status,
            implementation_status=update.implementation_status,
            next_review=update.next_review,
            note=update.note,
            evidence_url=update.evidence_url,
            recorded_by=by,
            recorded_at=now,
            source=FollowUpSource.CSV,
        )
        try:
            # The recommendation and the user were just loaded: no need to look them up.
            entry.full_clean(exclude=["recommendation", "recorded_by"])
        except ValidationError as exc:
            raise ValidationError(f"Line {update.line}: {'; '.join(exc.messages)}") from exc
        entries.append(entry)
    created = bulk_create_with_history(entries, FollowUp, batch_size=500, default_user=by)
    rec_ids = {update.recommendation.pk for update in updates}
    Recommendation.objects.filter(pk__in=rec_ids).refresh_status()
    Recommendation.followers.through.objects.bulk_create(
        [Recommendation.followers.through(recommendation_id=pk, user_id=by.pk) for pk in rec_ids],
        ignore_conflicts=True,
    )
    return created


def next_follow_up_reference(letter: Letter) -> str:
    """JP-2009-12-F1, -F2, ...: the first free one."""
    n = 1
    while Letter.objects.filter(reference=f"{letter.reference}-F{n}").exists():
        n += 1
    return f"{letter.reference}-F{n}"


@transaction.atomic
def start_follow_up_letter(
    *, letter: Letter, by, recommendations: Iterable[Recommendation] | None = None
) -> Letter:
    """
    A new draft carrying forward the recommendations of `letter` not yet
    implemented (or those of `recommendations` that are still open), each
    linked to the one it repeats, in their sections.
    """
    if refusal := letter.refusal("start_follow_up"):
        raise ValidationError(refusal)
    open_recs = letter.recommendations.still_open()
    if recommendations is not None:
        open_recs = open_recs.filter(pk__in=[r.pk for r in recommendations])
    carried = list(open_recs)
    if not carried:
        raise ValidationError("Every recommendation here is implemented: nothing to carry forward.")
    return drafting.copy_letter(
        letter,
        reference=next_follow_up_reference(letter),
        subject=f"Follow-up: {letter.subject}"[:300],
        by=by,
        recommendations=carried,
    )


DEFAULT_IMPORT_KIND = FollowUpKind.OTHER
