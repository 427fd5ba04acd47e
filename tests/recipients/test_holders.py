from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from letters.models import LetterStatus
from recipients.holders import change_holder
from recipients.models import NameOrder
from tests.factories import (
    make_letter,
    make_official,
    make_position,
    make_recipient,
    make_term,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def prime_minister():
    position = make_position(
        title="Prime Minister", salutation_pattern="Dear {office} {family_name},"
    )
    hatoyama = make_official(
        honorific="H.E. Mr", given_name="Yukio", family_name="Hatoyama",
        name_order=NameOrder.FAMILY_FIRST,
    )  # fmt: skip
    make_term(position, hatoyama, start=dt.date(2009, 9, 16))
    return position


@pytest.fixture
def kan():
    return make_official(
        honorific="H.E. Mr", given_name="Naoto", family_name="Kan",
        name_order=NameOrder.FAMILY_FIRST,
    )  # fmt: skip


def test_new_holder_ends_the_current_term_the_day_before(prime_minister, kan, admin_user):
    change = change_holder(
        position=prime_minister, official=kan, start=dt.date(2010, 6, 8), by=admin_user
    )

    assert change.ended.end == dt.date(2010, 6, 7)
    assert change.started.start == dt.date(2010, 6, 8)
    assert prime_minister.current_holder(on=dt.date(2010, 6, 7)).family_name == "Hatoyama"
    assert prime_minister.current_holder(on=dt.date(2010, 6, 8)) == kan
    assert change.started.history.first().history_user == admin_user


def test_drafts_follow_the_new_holder_and_finalised_letters_keep_their_snapshot(
    prime_minister, kan, admin_user, django_capture_on_commit_callbacks
):
    dana = make_user("dana2", role="Drafter")
    draft = make_letter(created_by=dana)
    draft_to = make_recipient(draft, prime_minister)
    final = make_letter(created_by=dana, status=LetterStatus.SENT)
    final_to = make_recipient(final, prime_minister)
    final_to.take_snapshot()
    final_to.save()

    with django_capture_on_commit_callbacks(execute=True):
        change = change_holder(
            position=prime_minister, official=kan, start=dt.date(2010, 6, 8), by=admin_user
        )

    draft_to.refresh_from_db()
    final_to.refresh_from_db()
    assert draft_to.addressee()["salutation"] == "Dear Prime Minister Kan,"
    assert draft_to.addressee()["name"] == "H.E. Mr Kan Naoto"
    assert final_to.addressee()["salutation"] == "Dear Prime Minister Hatoyama,"
    assert final_to.addressee()["name"] == "H.E. Mr Hatoyama Yukio"
    assert change.letters == [draft]
    assert change.told == [dana]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [dana.email]
    assert draft.reference in mail.outbox[0].body
    assert "Kan Naoto holds the office" in mail.outbox[0].subject


def test_no_mail_goes_out_when_the_change_is_refused(prime_minister, kan, admin_user):
    make_letter(created_by=make_user("dana3", role="Drafter"))
    with pytest.raises(ValidationError):
        change_holder(position=prime_minister, official=kan, start=dt.date(2009, 9, 16))
    assert mail.outbox == []


def test_a_change_before_an_existing_term_starts_is_refused(prime_minister, kan):
    with pytest.raises(ValidationError, match="already holds this office from"):
        change_holder(position=prime_minister, official=kan, start=dt.date(2009, 1, 1))
    assert prime_minister.terms.count() == 1
    assert prime_minister.terms.get().end is None


def test_the_same_person_cannot_take_over_from_themselves(prime_minister):
    hatoyama = prime_minister.current_holder()
    with pytest.raises(ValidationError, match="already holds this office on that day"):
        change_holder(position=prime_minister, official=hatoyama, start=dt.date(2010, 1, 1))


def test_an_office_can_be_left_vacant_and_shows_as_vacant(prime_minister):
    change_holder(position=prime_minister, official=None, start=dt.date(2010, 6, 2))
    assert prime_minister.is_vacant
    assert prime_minister.salutation(prime_minister.current_holder()) == "Dear Prime Minister,"
    with pytest.raises(ValidationError, match="already vacant"):
        change_holder(position=prime_minister, official=None, start=dt.date(2010, 7, 1))


def test_a_vacant_office_can_be_filled(kan):
    position = make_position()
    assert position.is_vacant
    change = change_holder(position=position, official=kan, start=dt.date(2010, 6, 8))
    assert change.ended is None
    assert position.current_holder() == kan


def test_a_new_holder_makes_approvals_of_a_circulating_letter_stale(
    prime_minister, kan, admin_user
):
    from tests.factories import make_signatory

    letter = make_letter(status=LetterStatus.CIRCULATING)
    make_recipient(letter, prime_minister)
    letter.touch()
    letter.refresh_from_db()
    signatory = make_signatory(
        letter, approved_hash=letter.content_hash, approved_at=dt.datetime.now(dt.UTC)
    )
    assert signatory.has_approved(letter.content_hash)
    version = letter.version

    change_holder(position=prime_minister, official=kan, start=dt.date(2010, 6, 8), by=admin_user)

    letter.refresh_from_db()
    assert letter.version == version + 1
    assert not signatory.has_approved(letter.content_hash)
