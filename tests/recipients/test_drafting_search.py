"""PositionQuerySet.search: how the recipient picker finds offices."""

from __future__ import annotations

import datetime as dt

import pytest

from recipients.models import Position
from tests.factories import make_official, make_position, make_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(db):
    pm = make_position(title="Prime Minister", institution="Cabinet Secretariat", country="JP")
    make_term(pm, make_official(given_name="Yukio", family_name="Hatoyama"))
    make_term(
        pm,
        make_official(given_name="Taro", family_name="Aso"),
        start=dt.date(2008, 9, 24),
        end=dt.date(2009, 9, 15),
    )
    fm = make_position(title="Minister for Foreign Affairs", institution="MOFA", country="JP")
    kr = make_position(title="Minister of Unification", institution="MOU", country="KR")
    return pm, fm, kr


def found(q: str) -> set[str]:
    return set(Position.objects.search(q).values_list("title", flat=True))


def test_it_finds_by_office_and_institution(offices):
    assert found("prime") == {"Prime Minister"}
    assert found("mofa") == {"Minister for Foreign Affairs"}


def test_it_finds_by_current_holder_only(offices):
    assert found("hatoyama") == {"Prime Minister"}
    assert found("aso") == set()  # held the office before


def test_it_finds_by_country_name_or_code(offices):
    assert found("korea") == {"Minister of Unification"}
    assert found("KR") == {"Minister of Unification"}


def test_every_word_must_match(offices):
    assert found("minister japan foreign") == {"Minister for Foreign Affairs"}
    assert found("minister korea hatoyama") == set()


def test_it_returns_each_position_once(offices):
    assert Position.objects.search("minister").count() == 3
