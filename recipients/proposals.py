"""
Offices proposed from the text of an imported letter. A Drafter may not edit
the address book, but an imported letter names offices it does not have: the
import adds each as a *proposed* office (who, when, from which import), usable
by that letter at once, until an Admin verifies it or merges it into the office
it duplicates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from recipients.holders import _as_history_user
from recipients.models import NameOrder, Official, Position, Term

# Countries whose names are written family name first.
FAMILY_FIRST = {"JP", "KR", "KP", "CN", "TW", "HK", "VN", "HU"}
HONORIFICS = {"h.e.", "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "dr", "dr.", "prof.", "hon."}


@dataclass
class ProposedOffice:
    """What the drafter confirmed on the review page, prefilled from the letter's text."""

    title: str
    country: str
    institution: str = ""
    address_lines: str = ""
    holder: str = ""


def official_from_name(name: str, country: str) -> Official:
    """An unsaved Official from a name as a letter prints it ("H.E. Mr. Taro Aso")."""
    name = name.strip().removesuffix("殿").removesuffix("様").strip()
    words = name.split()
    honorific = []
    while len(words) > 1 and words[0].lower() in HONORIFICS:
        honorific.append(words.pop(0))
    # In its own script ("鳩山 由紀夫") the family name comes first; in Latin
    # letters a letter in English writes the given name first ("Yukio Hatoyama").
    native = not " ".join(words).isascii()
    family_first = native and country in FAMILY_FIRST
    if family_first:
        family, given = words[0], " ".join(words[1:])
    else:
        family, given = words[-1], " ".join(words[:-1])
    return Official(
        honorific=" ".join(honorific)[:40],
        given_name=given[:100],
        family_name=family[:100],
        name_order=NameOrder.FAMILY_FIRST if family_first else NameOrder.GIVEN_FIRST,
        native_name=name[:100] if native else "",
    )


@transaction.atomic
def propose_position(
    *, office: ProposedOffice, by, source: str, on: dt.date | None = None
) -> Position:
    """
    The office the text names, as a proposal: an active office with the same
    title and institution in the same country is used instead (the address book
    allows one). A holder's name adds the person, holding it from `on`.
    """
    existing = Position.objects.filter(
        country=office.country,
        institution=office.institution,
        title=office.title,
        archived_at__isnull=True,
    ).first()
    if existing is not None:
        return existing
    position = Position(
        title=office.title,
        institution=office.institution,
        country=office.country,
        address_lines=office.address_lines,
        proposed=True,
        proposed_by=by,
        proposed_at=timezone.now(),
        proposed_from=source[:300],
    )
    _as_history_user(position, by)
    position.save()
    if office.holder.strip():
        official = official_from_name(office.holder, office.country)
        _as_history_user(official, by)
        official.save()
        term = Term(position=position, official=official, start=on or timezone.localdate())
        _as_history_user(term, by)
        term.save()
    return position


class MergeRefused(Exception):
    """The two offices cannot be merged; the message says why."""


def _links() -> list[models.ForeignKey]:
    """Foreign keys to offices that follow a merge (terms stay with the office they were in)."""
    return [
        rel.field
        for rel in Position._meta.related_objects
        if isinstance(rel.field, models.ForeignKey) and rel.related_model is not Term
    ]


@transaction.atomic
def merge_proposed(*, proposed: Position, into: Position, by) -> int:
    """
    A proposed office that duplicates `into`: every letter and list that uses it
    moves to `into` (saved one by one, so history says who moved them), then it
    is archived, its record and history kept. Returns how many links moved.
    """
    if not proposed.proposed or proposed.is_archived:
        raise MergeRefused("Only an office still proposed can be merged into another.")
    if into.pk == proposed.pk or into.is_archived:
        raise MergeRefused("Choose another office, one that is in use.")
    moved = 0
    try:
        with transaction.atomic():
            for link in _links():
                for row in link.model._default_manager.filter(**{link.name: proposed}):
                    setattr(row, link.name, into)
                    _as_history_user(row, by)
                    row.save(update_fields=[link.name])
                    moved += 1
    except IntegrityError as error:
        raise MergeRefused(
            "A letter is addressed to both offices: remove one of them from it first."
        ) from error
    for mailing_list in proposed.mailing_lists.all():
        mailing_list.positions.add(into)
        mailing_list.positions.remove(proposed)
    proposed.archived_at = timezone.now()
    proposed.proposed = False
    _as_history_user(proposed, by)
    proposed.save(update_fields=["archived_at", "proposed", "updated_at"])
    return moved
