from __future__ import annotations

import pytest

from recipients.models import NameOrder
from tests.factories import make_official, make_position

pytestmark = pytest.mark.django_db


def test_salutation_patterns_with_honorific_and_full_name_follow_name_order():
    position = make_position(title="President", salutation_pattern="Dear {honorific} {full_name},")
    korean = make_official(
        honorific="H.E.", given_name="Myung-bak", family_name="Lee",
        name_order=NameOrder.FAMILY_FIRST,
    )  # fmt: skip
    american = make_official(honorific="Mr", given_name="Barack", family_name="Obama")
    assert position.salutation(korean) == "Dear H.E. Lee Myung-bak,"
    assert position.salutation(american) == "Dear Mr Barack Obama,"
    no_honorific = make_official(given_name="Angela", family_name="Merkel")
    assert position.salutation(no_honorific) == "Dear Angela Merkel,"


def test_display_name_adds_the_native_script_name():
    official = make_official(
        given_name="Yukio", family_name="Hatoyama", native_name="鳩山由紀夫",
        name_order=NameOrder.FAMILY_FIRST,
    )  # fmt: skip
    assert official.display_name == "Hatoyama Yukio (鳩山由紀夫)"


@pytest.mark.parametrize(
    ("title", "greeting"),
    [
        ("President of the European Commission", "Dear President Juncker,"),
        ("Minister for Foreign Affairs", "Dear Minister Juncker,"),
        ("Director-General, Immigration Bureau", "Dear Director-General Juncker,"),
        ("Prime Minister", "Dear Prime Minister Juncker,"),
    ],
)
def test_the_default_greeting_names_the_office_without_its_qualifier(title, greeting):
    position = make_position(title=title)
    holder = make_official(given_name="Jean-Claude", family_name="Juncker")
    assert position.salutation(holder) == greeting
    assert position.salutation(None) == greeting.replace(" Juncker,", ",")


def test_a_greeting_pattern_an_admin_wrote_names_the_office_as_written():
    position = make_position(
        title="President of the European Commission", salutation_pattern="Dear {office},"
    )
    holder = make_official(given_name="Jean-Claude", family_name="Juncker")
    assert position.salutation(holder) == "Dear President of the European Commission,"
