"""
How a postal address prints, country by country.

Letters go abroad in Latin script, so each format follows what that country's
post asks of mail written in English (Japan Post's romanised order, USPS, Royal
Mail, La Poste, Deutsche Post, China Post, Korea Post): which parts are
required, where the postal code goes, and the country name in capitals on the
last line. Countries not listed here get a sensible generic format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django_countries import countries


@dataclass(frozen=True)
class AddressFormat:
    # The line after the street lines; placeholders {locality}, {region}, {postal_code}.
    place: str = "{locality} {region} {postal_code}"
    # Some posts want a part on a line of its own (the UK postcode).
    own_line: tuple[str, ...] = ()
    required: tuple[str, ...] = ("address_lines", "locality")
    postal_code_pattern: str = ""
    postal_code_example: str = ""
    upper_locality: bool = False
    country_name: str = ""
    labels: dict[str, str] = field(default_factory=dict)


FORMATS: dict[str, AddressFormat] = {
    "JP": AddressFormat(
        place="{locality} {postal_code}",
        required=("address_lines", "locality", "postal_code"),
        postal_code_pattern=r"\d{3}-?\d{4}",
        postal_code_example="100-8914",
        country_name="JAPAN",
        labels={"locality": "City or prefecture (e.g. Tokyo)"},
    ),
    "US": AddressFormat(
        place="{locality}, {region} {postal_code}",
        required=("address_lines", "locality", "region", "postal_code"),
        postal_code_pattern=r"\d{5}(-\d{4})?",
        postal_code_example="20500",
        upper_locality=True,
        country_name="UNITED STATES",
        labels={"region": "State (e.g. DC)", "postal_code": "ZIP code"},
    ),
    "GB": AddressFormat(
        place="{locality}",
        own_line=("postal_code",),
        required=("address_lines", "locality", "postal_code"),
        postal_code_pattern=r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
        postal_code_example="SW1A 2AA",
        upper_locality=True,
        country_name="UNITED KINGDOM",
        labels={"locality": "Post town", "postal_code": "Postcode"},
    ),
    "FR": AddressFormat(
        place="{postal_code} {locality}",
        required=("address_lines", "locality", "postal_code"),
        postal_code_pattern=r"\d{5}",
        postal_code_example="75007",
        upper_locality=True,
        country_name="FRANCE",
    ),
    "DE": AddressFormat(
        place="{postal_code} {locality}",
        required=("address_lines", "locality", "postal_code"),
        postal_code_pattern=r"\d{5}",
        postal_code_example="11011",
        country_name="GERMANY",
    ),
    "CN": AddressFormat(
        place="{locality}, {region} {postal_code}",
        required=("address_lines", "locality", "postal_code"),
        postal_code_pattern=r"\d{6}",
        postal_code_example="100701",
        country_name="CHINA",
        labels={"region": "Province, if any"},
    ),
    "KR": AddressFormat(
        place="{locality} {postal_code}",
        required=("address_lines", "locality", "postal_code"),
        postal_code_pattern=r"\d{5}",
        postal_code_example="03171",
        country_name="REPUBLIC OF KOREA",
    ),
    "KP": AddressFormat(country_name="DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"),
}

GENERIC = AddressFormat()

PART_NAMES = {
    "address_lines": "street address",
    "locality": "city or town",
    "region": "region or state",
    "postal_code": "postal code",
}


def format_for(country: str) -> AddressFormat:
    return FORMATS.get(str(country or "").upper(), GENERIC)


def country_line(country: str) -> str:
    code = str(country or "").upper()
    if not code:
        return ""
    fmt = format_for(code)
    return fmt.country_name or str(countries.name(code)).upper()


def _tidy(text: str) -> str:
    """Collapse the gaps and stray commas left where an optional part was empty."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+,", ",", text)
    return text.strip(" ,")


def format_address(
    *,
    address_lines: str,
    locality: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
) -> list[str]:
    """The postal lines for one address, in the order the country's post reads them."""
    fmt = format_for(country)
    parts = {
        "locality": locality.strip().upper() if fmt.upper_locality else locality.strip(),
        "region": region.strip(),
        "postal_code": postal_code.strip(),
    }
    lines = [line.strip() for line in address_lines.splitlines() if line.strip()]
    inline = {k: ("" if k in fmt.own_line else v) for k, v in parts.items()}
    template = fmt.place
    for key, value in inline.items():
        if not value:
            # "{locality}, {region}" with no region must not leave a comma behind.
            template = template.replace(f", {{{key}}}", "").replace(f"{{{key}}},", "")
    place = _tidy(template.format(**inline))
    if place:
        lines.append(place)
    lines += [parts[k] for k in fmt.own_line if parts[k]]
    name = country_line(country)
    if name:
        lines.append(name)
    return lines


def address_errors(
    *,
    address_lines: str,
    locality: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
) -> dict[str, str]:
    """Field name -> message for each part the country's format needs and lacks or gets wrong."""
    fmt = format_for(country)
    values = {
        "address_lines": address_lines.strip(),
        "locality": locality.strip(),
        "region": region.strip(),
        "postal_code": postal_code.strip(),
    }
    label = country_line(country).title() if country else "this country"
    errors = {}
    for part in fmt.required:
        if not values[part]:
            errors[part] = f"Addresses in {label} need a {PART_NAMES[part]}."
    code = values["postal_code"]
    if code and fmt.postal_code_pattern:
        if not re.fullmatch(fmt.postal_code_pattern, code.upper()):
            errors["postal_code"] = (
                f"This does not look like a postal code for {label} "
                f"(for example {fmt.postal_code_example})."
            )
    return errors


def _in_sentence(label: str) -> str:
    """'State' -> 'state' in mid-sentence, but 'ZIP code' keeps its capitals."""
    first, _, rest = label.partition(" ")
    if not first.isupper():
        first = first.lower()
    return f"{first} {rest}".strip()


def needed_parts(country: str) -> str:
    """What an address in `country` must have, in words, for the form's preview."""
    fmt = format_for(country)
    names = [
        _in_sentence(fmt.labels.get(part, PART_NAMES[part]).split(" (")[0]) for part in fmt.required
    ]
    where = country_line(country).title() if country else "this country"
    example = f" (e.g. {fmt.postal_code_example})" if fmt.postal_code_example else ""
    return f"Addresses in {where} need: {', '.join(names)}{example}."
