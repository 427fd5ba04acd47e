"""
Intergovernmental organisations beside states.

A letter may go to an office of the UN, an EU institution or the WTO, and a
recommendation may ask the EU (not one of its members) to act. They share the
country columns (`Position.country`, `Recommendation.government` and
`third_state`) with states, under two-letter codes: the ISO 3166-1 codes
exceptionally reserved for the EU and the UN, and codes from ISO's
user-assigned range (QM-QZ) for the others, which no country will ever get.
So every stored country code stays valid, and the tracker filters and charts
them through the same index and the same names (`COUNTRIES_OVERRIDE` in the
settings adds them to django-countries). Their bodies and agencies (the Human
Rights Council, UNHCR, the European Commission) are institutions of one of
these, as ministries are of a state.
"""

from __future__ import annotations

INTERGOVERNMENTAL: dict[str, str] = {
    "EU": "European Union",
    "UN": "United Nations",
    "QM": "Council of Europe",
    "QN": "African Union",
    "QO": "ASEAN (Association of Southeast Asian Nations)",
    "QP": "Organization of American States",
    "QW": "World Trade Organization",
}


def is_intergovernmental(code: object) -> bool:
    return str(code or "") in INTERGOVERNMENTAL
