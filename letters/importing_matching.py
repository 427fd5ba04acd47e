"""
Matching what an imported letter names against what the app knows: each
addressee against the address book (office title, holder's name, address;
tolerant of spelling and honorifics), each signing organisation against the
organisations directory. Fuzzy scores come from rapidfuzz; a match below the
threshold is left for the drafter, who may add the entry from the text.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process, utils

from letters.importing import HONORIFIC
from letters.models import Organization
from recipients.models import Official, Position

POSITION_THRESHOLD = 75
ORGANIZATION_THRESHOLD = 90
CANDIDATES = 4


def bare_name(name: str) -> str:
    """The name without honorifics ("H.E. Mr. Taro Aso" -> "Taro Aso")."""
    previous = None
    while previous != name:
        previous, name = name, HONORIFIC.sub("", name).strip()
    return re.sub(r"\s*(殿|様)$", "", name)


def _office_words(title: str) -> str:
    # "Prime Minister of Japan" and "Prime Minister" are the same office.
    return re.sub(r"\b(of|for|the)\b", " ", title)


def _position_rows() -> list[tuple[Position, str, str, str]]:
    """(position, office text, holder's names, address text) for every active office."""
    positions = list(Position.objects.active().with_current_holder())
    holders = Official.objects.in_bulk(
        {p.current_official_id for p in positions if p.current_official_id}
    )
    rows = []
    for position in positions:
        holder = holders.get(position.current_official_id)
        names = f"{holder.given_name} {holder.family_name}\n{holder.native_name}" if holder else ""
        office = _office_words(f"{position.title} {position.institution} {position.department}")
        address = f"{position.address_lines} {position.locality} {position.postal_code}"
        rows.append((position, office, names, address))
    return rows


def _score_position(addressee: dict, office: str, names: str, address: str) -> float:
    title = _office_words(addressee["title"])
    score = fuzz.token_set_ratio(title, office, processor=utils.default_process) if title else 0
    name = bare_name(addressee["name"])
    if name and names:
        # Either name order ("Hatoyama Yukio" or "Yukio Hatoyama"), or the native script.
        latin, _, native = names.partition("\n")
        name_score = max(
            fuzz.token_sort_ratio(name, latin, processor=utils.default_process),
            fuzz.ratio(name.replace(" ", ""), native.replace(" ", "")) if native else 0,
        )
        score = max(score, (score + name_score) / 2) if score else name_score * 0.9
    lines = " ".join(addressee["lines"])
    if lines and address.strip():
        address_score = fuzz.token_set_ratio(lines, address, processor=utils.default_process)
        score = max(score, (2 * score + address_score) / 3)
    return score


def match_addressees(addressees: list[dict], *, country: str) -> None:
    """Add "candidates" (best first) and the chosen "position" (or None) to each addressee."""
    rows = _position_rows()
    taken: set[int] = set()
    for addressee in addressees:
        wanted = addressee.get("country") or country
        scored = []
        for position, office, names, address in rows:
            score = _score_position(addressee, office, names, address)
            if wanted and position.country != wanted:
                score -= 40  # another government's office is another office
            scored.append((score, position))
        scored.sort(key=lambda pair: -pair[0])
        addressee["candidates"] = [
            {"id": position.pk, "label": str(position), "score": round(score)}
            for score, position in scored[:CANDIDATES]
            if score > 40
        ]
        # A letter goes to each office once: an office already chosen for an
        # earlier block ("Prime Minister") is not "Minister of Justice" too,
        # however alike their words and Kasumigaseki addresses are.
        best = next(((s, p) for s, p in scored if p.pk not in taken), None)
        addressee["position"] = best[1].pk if best and best[0] >= POSITION_THRESHOLD else None
        if addressee["position"] is not None:
            taken.add(addressee["position"])


def match_signatories(signatories: list[dict]) -> None:
    """Add "candidates" and the chosen "organization" (or None) to each signature block."""
    organizations = list(Organization.objects.only("pk", "name", "short_name"))
    choices = {org.pk: f"{org.name}" for org in organizations}
    short = {org.pk: org.short_name for org in organizations if org.short_name}
    for signatory in signatories:
        name = signatory["organization"]
        found = process.extract(
            name, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=CANDIDATES
        )
        exact_short = next((pk for pk, s in short.items() if s.lower() == name.lower()), None)
        signatory["candidates"] = [
            {"id": pk, "label": label, "score": round(score)}
            for label, score, pk in found
            if score > 50
        ]
        # The choice itself asks for the same words, allowing for spelling: WRatio
        # finds candidates, but would take "Rights Now Japan" for "… Network Japan".
        close = [
            (fuzz.ratio(name, label, processor=utils.default_process), pk) for label, _, pk in found
        ]
        best = max(close, default=None)
        if exact_short is not None:
            signatory["organization_id"] = exact_short
        elif best and best[0] >= ORGANIZATION_THRESHOLD:
            signatory["organization_id"] = best[1]
        else:
            signatory["organization_id"] = None


def known_organization_names() -> list[str]:
    """Names the structure rules may take as organisation lines in signature blocks."""
    return [
        name
        for pair in Organization.objects.values_list("name", "short_name")
        for name in pair
        if name
    ]
