from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from recipients.addresses import address_errors, format_address
from tests.factories import make_position

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "parts", "expected"),
    [
        (
            "JP",
            {"address_lines": "1-6-1 Nagata-cho\nChiyoda-ku", "locality": "Tokyo",
             "postal_code": "100-8914"},
            ["1-6-1 Nagata-cho", "Chiyoda-ku", "Tokyo 100-8914", "JAPAN"],
        ),
        (
            "US",
            {"address_lines": "1600 Pennsylvania Avenue NW", "locality": "Washington",
             "region": "DC", "postal_code": "20500"},
            ["1600 Pennsylvania Avenue NW", "WASHINGTON, DC 20500", "UNITED STATES"],
        ),
        (
            "GB",
            {"address_lines": "10 Downing Street", "locality": "London",
             "postal_code": "SW1A 2AA"},
            ["10 Downing Street", "LONDON", "SW1A 2AA", "UNITED KINGDOM"],
        ),
        (
            "FR",
            {"address_lines": "37 quai d'Orsay", "locality": "Paris", "postal_code": "75007"},
            ["37 quai d'Orsay", "75007 PARIS", "FRANCE"],
        ),
        (
            "DE",
            {"address_lines": "Werderscher Markt 1", "locality": "Berlin",
             "postal_code": "10117"},
            ["Werderscher Markt 1", "10117 Berlin", "GERMANY"],
        ),
        (
            "CN",
            {"address_lines": "2 Chaoyangmen Nandajie\nChaoyang District",
             "locality": "Beijing", "postal_code": "100701"},
            ["2 Chaoyangmen Nandajie", "Chaoyang District", "Beijing 100701", "CHINA"],
        ),
        (
            "KR",
            {"address_lines": "60 Sajik-ro 8-gil\nJongno-gu", "locality": "Seoul",
             "postal_code": "03172"},
            ["60 Sajik-ro 8-gil", "Jongno-gu", "Seoul 03172", "REPUBLIC OF KOREA"],
        ),
        (
            "NO",
            {"address_lines": "Akersgata 42", "locality": "Oslo", "postal_code": "0180"},
            ["Akersgata 42", "Oslo 0180", "NORWAY"],
        ),
    ],
)  # fmt: skip
def test_each_country_prints_its_own_address_format(country, parts, expected):
    assert format_address(country=country, **parts) == expected
    assert address_errors(country=country, **parts) == {}


def test_missing_parts_are_named_for_the_country():
    errors = address_errors(address_lines="1600 Pennsylvania Avenue NW", country="US")
    assert set(errors) == {"locality", "region", "postal_code"}
    assert errors["region"] == "Addresses in United States need a region or state."


def test_malformed_postal_code_is_refused_with_an_example():
    errors = address_errors(
        address_lines="1-6-1 Nagata-cho", locality="Tokyo", postal_code="ABC", country="JP"
    )
    assert "for example 100-8914" in errors["postal_code"]


def test_position_validation_uses_the_postal_country_not_the_government():
    # A Japanese office with an address abroad follows the other country's rules.
    position = make_position(country="JP", address_country="US", region="")
    with pytest.raises(ValidationError) as info:
        position.full_clean()
    assert "region" in info.value.message_dict


def test_address_block_starts_with_department_and_institution():
    position = make_position(
        country="JP", department="Cabinet Public Relations Office",
        institution="Cabinet Secretariat", address_lines="1-6-1 Nagata-cho\nChiyoda-ku",
        locality="Tokyo", postal_code="100-8914",
    )  # fmt: skip
    assert position.address_lines_list() == [
        "Cabinet Public Relations Office",
        "Cabinet Secretariat",
        "1-6-1 Nagata-cho",
        "Chiyoda-ku",
        "Tokyo 100-8914",
        "JAPAN",
    ]


def test_unknown_salutation_placeholder_is_a_form_error():
    position = make_position(salutation_pattern="Dear {surname},")
    with pytest.raises(ValidationError) as info:
        position.full_clean()
    assert "salutation_pattern" in info.value.message_dict


def test_needed_parts_are_spelled_out_for_the_preview():
    from recipients.addresses import needed_parts

    assert needed_parts("US") == (
        "Addresses in United States need: street address, city or town, state, ZIP code "
        "(e.g. 20500)."
    )
    assert needed_parts("GB").startswith(
        "Addresses in United Kingdom need: street address, post town"
    )
