from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from letters import drafting
from letters.models import Letter, Recommendation, Signatory
from tests.factories import (
    make_follow_up,
    make_letter,
    make_official,
    make_organization,
    make_position,
    make_recipient,
    make_recommendation,
    make_section,
    make_signatory,
    make_term,
)

pytestmark = pytest.mark.django_db


def test_recommendations_get_stable_references_in_their_letter():
    letter = make_letter(reference="JP-2009-12")
    section = make_section(letter)
    first = make_recommendation(section)
    second = make_recommendation(section)
    assert (first.reference, second.reference) == ("JP-2009-12-R01", "JP-2009-12-R02")
    first.delete()
    third = make_recommendation(section)
    assert third.reference == "JP-2009-12-R03"


def test_status_comes_from_the_latest_entry_of_each_kind():
    rec = make_recommendation()
    make_follow_up(rec, date=dt.date(2010, 1, 1), response_status="accepted")
    make_follow_up(rec, date=dt.date(2010, 2, 1), implementation_status="in_progress")
    make_follow_up(rec, date=dt.date(2010, 3, 1), note="Meeting, nothing new")

    annotated = Recommendation.objects.with_status().get(pk=rec.pk)
    assert annotated.response_status == "accepted"
    assert annotated.implementation_status == "in_progress"
    rec.refresh_from_db()
    assert (rec.current_response, rec.current_implementation) == ("accepted", "in_progress")


def test_status_ties_on_the_same_day_go_to_the_entry_recorded_last():
    rec = make_recommendation()
    day = dt.date(2010, 1, 1)
    now = timezone.now()
    make_follow_up(rec, date=day, response_status="rejected", recorded_at=now)
    make_follow_up(rec, date=day, response_status="noted", recorded_at=now - dt.timedelta(hours=1))
    assert Recommendation.objects.with_status().get(pk=rec.pk).response_status == "rejected"


def test_recommendation_without_follow_ups_has_no_status():
    rec = make_recommendation()
    annotated = Recommendation.objects.with_status().get(pk=rec.pk)
    assert annotated.response_status is None
    assert annotated.implementation_status is None


def test_overdue_reviews():
    late = make_recommendation()
    make_follow_up(late, next_review=dt.date(2010, 1, 1))
    later = make_recommendation()
    make_follow_up(later, next_review=dt.date(2099, 1, 1))
    assert list(Recommendation.objects.overdue()) == [late]


def test_recommendation_with_follow_ups_cannot_be_deleted():
    rec = make_recommendation()
    make_follow_up(rec)
    with pytest.raises(ProtectedError):
        rec.delete()


def test_position_used_by_a_letter_cannot_be_deleted():
    recipient = make_recipient(make_letter())
    with pytest.raises(ProtectedError):
        recipient.position.delete()


def test_one_lead_organisation_per_letter():
    letter = make_letter()
    make_signatory(letter, role="lead")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_signatory(letter, role="lead")


def test_same_organisation_cannot_sign_twice():
    letter = make_letter()
    org = make_organization()
    make_signatory(letter, org)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_signatory(letter, org)


def test_letter_references_are_unique():
    make_letter(reference="JP-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_letter(reference="JP-1")


def test_content_hash_changes_with_text_recipients_and_signatories():
    letter = make_letter()
    rec = make_recommendation(make_section(letter))
    before = letter.compute_content_hash()
    assert before == letter.compute_content_hash()

    rec.text = "Something else"
    rec.save()
    after_text = letter.compute_content_hash()
    assert after_text != before

    make_recipient(letter)
    after_recipient = letter.compute_content_hash()
    assert after_recipient != after_text

    make_signatory(letter)
    assert letter.compute_content_hash() != after_recipient


def test_approval_counts_only_for_the_text_it_was_given():
    signatory = make_signatory(make_letter())
    signatory.approved_at = timezone.now()
    signatory.approved_hash = "a" * 64
    assert signatory.has_approved("a" * 64)
    assert not signatory.has_approved("b" * 64)
    signatory.withdrawn_at = timezone.now()
    assert not signatory.has_approved("a" * 64)


def test_draft_follows_current_holder_but_snapshot_is_frozen():
    position = make_position(
        title="Prime Minister", salutation_pattern="Dear {office} {family_name},"
    )
    make_term(position, make_official(family_name="Aso"), start=dt.date(2008, 9, 24),
              end=dt.date(2009, 9, 15))  # fmt: skip
    make_term(position, make_official(family_name="Hatoyama"), start=dt.date(2009, 9, 16))
    recipient = make_recipient(make_letter(), position)
    assert recipient.addressee()["salutation"] == "Dear Prime Minister Hatoyama,"

    recipient.take_snapshot()
    recipient.save()
    position.terms.filter(end__isnull=True).update(end=dt.date(2010, 6, 3))
    make_term(position, make_official(family_name="Kan"), start=dt.date(2010, 6, 4))

    recipient.refresh_from_db()
    assert recipient.addressee()["salutation"] == "Dear Prime Minister Hatoyama,"
    draft = make_recipient(make_letter(), position)
    assert draft.addressee()["salutation"] == "Dear Prime Minister Kan,"


def test_visible_to_requires_a_role(drafter, outsider):
    letter = make_letter()
    assert list(Letter.objects.visible_to(drafter)) == [letter]
    assert list(Letter.objects.visible_to(outsider)) == []


def test_str_is_readable():
    letter = make_letter(reference="JP-2009-12", subject="Refugees")
    assert str(letter) == "JP-2009-12: Refugees"
    sig = Signatory(letter=letter, organization=make_organization(name="Rights Watchers"))
    assert str(sig) == "Rights Watchers on JP-2009-12"


def test_copy_letter_links_each_recommendation_to_the_one_it_repeats(demo, drafter):
    copy = drafting.copy_letter(demo, reference="JP-2010-01", by=drafter)
    assert copy.status == "draft"
    assert copy.repeats_letter == demo
    assert copy.recommendations.count() == 14
    for rec in copy.recommendations.select_related("repeats"):
        assert rec.repeats.letter == demo
        assert rec.text == rec.repeats.text
    assert [r.position_id for r in copy.recipients.all()] == [
        r.position_id for r in demo.recipients.all()
    ]
    assert not any(r.is_frozen for r in copy.recipients.all())
    assert copy.signatories.count() == 4
    assert not copy.signatories.filter(approved_at__isnull=False).exists()


def test_copy_letter_can_carry_only_some_recommendations(demo):
    keep = demo.recommendations.filter(number__in=[1, 8])
    copy = drafting.copy_letter(demo, reference="JP-2010-02", recommendations=keep)
    assert sorted(r.repeats.number for r in copy.recommendations.all()) == [1, 8]
    assert copy.sections.count() == 2


def test_a_copy_starts_with_the_hash_of_its_own_text(demo):
    copy = drafting.copy_letter(demo, reference="JP-2010-03")
    copy.refresh_from_db()
    assert copy.content_hash == copy.compute_content_hash()
    assert copy.content_hash != demo.content_hash


def test_touch_bumps_the_version_and_rehashes(letter):
    rec = make_recommendation(make_section(letter))
    letter.touch()
    assert letter.version == 2
    assert letter.content_hash == letter.compute_content_hash()
    rec.text = "Changed"
    rec.save()
    letter.touch()
    letter.refresh_from_db()
    assert letter.version == 3
    assert letter.content_hash == letter.compute_content_hash()
