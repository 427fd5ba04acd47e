from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from recipients.models import SAMPLE_NAME, NameOrder, Position, Term, fill_salutation
from tests.factories import make_official, make_position, make_term

pytestmark = pytest.mark.django_db


def test_current_holder_follows_terms_over_time():
    position = make_position(title="Prime Minister")
    first = make_official(given_name="Taro", family_name="Aso")
    second = make_official(given_name="Yukio", family_name="Hatoyama")
    make_term(position, first, start=dt.date(2008, 9, 24), end=dt.date(2009, 9, 15))
    make_term(position, second, start=dt.date(2009, 9, 16))

    assert position.current_holder(on=dt.date(2009, 1, 1)) == first
    assert position.current_holder(on=dt.date(2009, 9, 16)) == second
    assert position.current_holder() == second
    assert position.current_holder(on=dt.date(2000, 1, 1)) is None


def test_with_current_holder_annotates_every_position_in_one_query(django_assert_num_queries):
    holders = {}
    for _ in range(5):
        position = make_position()
        holders[position.pk] = make_term(position).official_id
    vacant = make_position()

    with django_assert_num_queries(1):
        annotated = {p.pk: p.current_official_id for p in Position.objects.with_current_holder()}

    assert annotated[vacant.pk] is None
    for pk, official_id in holders.items():
        assert annotated[pk] == official_id
    assert list(Position.objects.vacant()) == [vacant]


def test_term_cannot_end_before_it_starts():
    position = make_position()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_term(position, start=dt.date(2010, 1, 1), end=dt.date(2009, 1, 1))


def test_overlapping_terms_are_refused_by_validation():
    position = make_position()
    make_term(position, start=dt.date(2009, 9, 16))
    clash = Term(position=position, official=make_official(), start=dt.date(2010, 1, 1))
    with pytest.raises(ValidationError, match="overlaps"):
        clash.full_clean()


def test_consecutive_terms_are_fine():
    position = make_position()
    make_term(position, start=dt.date(2008, 1, 1), end=dt.date(2009, 9, 15))
    nxt = Term(position=position, official=make_official(), start=dt.date(2009, 9, 16))
    nxt.full_clean()


def test_family_first_names_print_family_name_first():
    official = make_official(
        honorific="H.E. Mr", given_name="Yukio", family_name="Hatoyama",
        name_order=NameOrder.FAMILY_FIRST,
    )  # fmt: skip
    assert official.full_name == "Hatoyama Yukio"
    assert official.formal_name == "H.E. Mr Hatoyama Yukio"
    official.name_order = NameOrder.GIVEN_FIRST
    assert official.full_name == "Yukio Hatoyama"


def test_salutation_uses_pattern_and_falls_back_when_vacant():
    position = make_position(
        title="Prime Minister", salutation_pattern="Dear {office} {family_name},"
    )
    official = make_official(given_name="Yukio", family_name="Hatoyama")
    assert position.salutation(official) == "Dear Prime Minister Hatoyama,"
    assert position.salutation(None) == "Dear Prime Minister,"
    position.salutation_pattern = "Dear {unknown},"
    assert position.salutation(official) == "Dear Prime Minister Hatoyama,"


HOSTILE_PATTERNS = ["Dear {office.x},", "Dear {office:>100000000},"]


@pytest.mark.parametrize(
    "pattern",
    [
        *HOSTILE_PATTERNS,
        "Dear {office[0]},",
        "Dear {office!r},",
        "Dear {surname},",
        "Dear {},",
        "Dear {0},",
        "Dear {{office}},",
        "Dear {office,",
        "Dear office},",
    ],
)
def test_a_pattern_with_anything_but_known_placeholders_in_braces_is_refused(pattern):
    position = make_position(salutation_pattern=pattern)
    with pytest.raises(ValidationError) as info:
        position.full_clean()
    message = info.value.message_dict["salutation_pattern"][0]
    assert "{office}, {honorific}, {given_name}, {family_name}, {full_name}" in message


def test_the_refusal_names_an_unknown_placeholder():
    with pytest.raises(ValidationError) as info:
        fill_salutation("Dear {surname},", SAMPLE_NAME)
    assert info.value.messages[0].startswith("{surname} is not a placeholder.")


@pytest.mark.parametrize("pattern", HOSTILE_PATTERNS)
def test_a_hostile_pattern_is_refused_before_anything_is_formatted(pattern):
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            fill_salutation(pattern, SAMPLE_NAME)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # str.format would have built a 100 MB string


@pytest.mark.parametrize("pattern", HOSTILE_PATTERNS)
def test_a_hostile_pattern_stored_before_the_check_greets_with_the_default(pattern):
    position = make_position(title="Prime Minister", salutation_pattern=pattern)
    official = make_official(given_name="Yukio", family_name="Hatoyama")
    assert position.salutation(official) == "Dear Prime Minister Hatoyama,"


@pytest.mark.parametrize(
    ("pattern", "greeting"),
    [
        ("Dear {office} {family_name},", "Dear Prime Minister Hatoyama,"),
        ("Dear Prime Minister {family_name},", "Dear Prime Minister Hatoyama,"),
        ("Your Excellency,", "Your Excellency,"),
        ("{honorific} {full_name}: dear {office}!", "H.E. Yukio Hatoyama: dear Prime Minister!"),
        ("Dear {given_name}{family_name} ({office}),", "Dear YukioHatoyama (Prime Minister),"),
    ],
)
def test_literal_text_and_placeholders_render_as_written(pattern, greeting):
    position = make_position(title="Prime Minister", salutation_pattern=pattern)
    position.full_clean()
    official = make_official(
        honorific="H.E.", given_name="Yukio", family_name="Hatoyama",
        name_order=NameOrder.GIVEN_FIRST,
    )  # fmt: skip
    assert position.salutation(official) == greeting


def test_braces_in_a_name_are_kept_as_typed():
    position = make_position(title="Minister", salutation_pattern="Dear {office} {family_name},")
    official = make_official(given_name="A", family_name="{office:>9}")
    assert position.salutation(official) == "Dear Minister {office:>9},"


def test_duplicate_active_office_is_refused():
    make_position(title="Prime Minister", institution="Cabinet", country="JP")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_position(title="Prime Minister", institution="Cabinet", country="JP")


def test_stale_positions():
    fresh = make_position(last_verified=dt.date.today())  # noqa: DTZ011
    old = make_position(last_verified=dt.date(2001, 1, 1))
    never = make_position()
    stale = set(Position.objects.stale(days=30))
    assert stale == {old, never}
    assert not fresh.is_stale(days=30)


def test_changes_are_recorded_in_history():
    position = make_position(title="Prime Minister")
    position.phone = "+81 3 0000 0000"
    position.save()
    assert position.history.count() == 2
    assert position.history.first().phone == "+81 3 0000 0000"
