from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from letters import tracking
from letters.models import FollowUp, Recommendation
from tests.factories import make_follow_up, make_recommendation

pytestmark = pytest.mark.django_db


def test_status_is_the_latest_entry_of_each_kind_whatever_order_they_were_recorded_in():
    rec = make_recommendation()
    make_follow_up(rec, date=dt.date(2010, 3, 1), implementation_status="in_progress")
    make_follow_up(rec, date=dt.date(2010, 1, 1), response_status="rejected")
    make_follow_up(rec, date=dt.date(2010, 2, 1), response_status="accepted")
    make_follow_up(rec, date=dt.date(2010, 1, 15), implementation_status="not_started")
    make_follow_up(rec, date=dt.date(2010, 4, 1), note="A meeting, nothing new")

    rec.refresh_from_db()
    assert rec.current_response == "accepted"
    assert rec.current_implementation == "in_progress"
    assert rec.last_update == dt.date(2010, 4, 1)
    annotated = Recommendation.objects.with_status().get(pk=rec.pk)
    assert (annotated.response_status, annotated.implementation_status) == (
        "accepted",
        "in_progress",
    )


def test_entries_on_the_same_day_are_ordered_by_the_time_they_were_recorded():
    rec = make_recommendation()
    day = dt.date(2010, 1, 1)
    now = timezone.now()
    make_follow_up(rec, date=day, implementation_status="implemented", recorded_at=now)
    make_follow_up(
        rec, date=day, implementation_status="regressed", recorded_at=now - dt.timedelta(hours=2)
    )
    rec.refresh_from_db()
    assert rec.current_implementation == "implemented"
    assert Recommendation.objects.with_status().get(pk=rec.pk).implementation_status == (
        "implemented"
    )


def test_a_later_entry_after_the_review_date_means_the_review_happened():
    rec = make_recommendation()
    make_follow_up(rec, date=dt.date(2010, 1, 1), next_review=dt.date(2010, 3, 1))
    rec.refresh_from_db()
    assert rec.review_due == dt.date(2010, 3, 1)
    assert list(Recommendation.objects.overdue()) == [rec]

    make_follow_up(rec, date=dt.date(2010, 3, 5), note="Raised again at the ministry")
    rec.refresh_from_db()
    assert rec.review_due is None
    assert list(Recommendation.objects.overdue()) == []


def test_an_entry_before_the_review_date_keeps_the_review():
    rec = make_recommendation()
    make_follow_up(rec, date=dt.date(2010, 1, 1), next_review=dt.date(2010, 3, 1))
    make_follow_up(rec, date=dt.date(2010, 2, 1), note="Media report")
    rec.refresh_from_db()
    assert rec.review_due == dt.date(2010, 3, 1)


def test_correcting_an_entry_recomputes_the_status_and_keeps_the_old_version(drafter):
    rec = make_recommendation()
    entry = make_follow_up(rec, response_status="rejected")
    entry.response_status = "accepted"
    tracking.correct_follow_up(
        entry=entry, by=drafter, loaded_revision=1, reason="Misread the reply"
    )
    rec.refresh_from_db()
    assert rec.current_response == "accepted"
    versions = list(entry.history.order_by("history_date"))
    assert [v.response_status for v in versions] == ["rejected", "accepted"]
    assert versions[-1].history_change_reason == "Misread the reply"


def test_a_stale_correction_is_refused(drafter):
    entry = make_follow_up(make_recommendation(), note="first")
    first = FollowUp.objects.get(pk=entry.pk)
    second = FollowUp.objects.get(pk=entry.pk)
    first.note = "corrected by A"
    tracking.correct_follow_up(entry=first, by=drafter, loaded_revision=1, reason="A")
    second.note = "corrected by B"
    with pytest.raises(tracking.StaleEdit):
        tracking.correct_follow_up(entry=second, by=drafter, loaded_revision=1, reason="B")
    assert FollowUp.objects.get(pk=entry.pk).note == "corrected by A"


def test_entries_cannot_be_deleted():
    entry = make_follow_up(make_recommendation())
    with pytest.raises(ValidationError):
        entry.delete()
    assert FollowUp.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://example.org/reply.pdf", "file:///etc/passwd"]
)
def test_evidence_links_must_be_http(link):
    entry = FollowUp(recommendation=make_recommendation(), kind="reply", evidence_url=link)
    with pytest.raises(ValidationError) as info:
        entry.full_clean()
    assert "evidence_url" in info.value.message_dict


def test_a_follow_up_cannot_be_dated_in_the_future():
    entry = FollowUp(
        recommendation=make_recommendation(),
        kind="reply",
        date=timezone.localdate() + dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as info:
        entry.full_clean()
    assert "date" in info.value.message_dict


def test_recording_a_follow_up_makes_the_recorder_a_follower(coordinator):
    rec = make_recommendation()
    tracking.record_follow_up(
        entry=FollowUp(kind="reply", response_status="noted", date=dt.date(2010, 1, 1)),
        recommendation=rec,
        by=coordinator,
    )
    assert list(rec.followers.all()) == [coordinator]
    rec.refresh_from_db()
    assert rec.current_response == "noted"


def test_saving_a_stale_copy_of_a_recommendation_keeps_the_status_from_the_entries():
    rec = make_recommendation()
    stale = Recommendation.objects.get(pk=rec.pk)
    make_follow_up(rec, response_status="accepted", next_review=dt.date(2099, 1, 1))
    stale.text = "Edited text"
    stale.save()
    rec.refresh_from_db()
    assert (rec.text, rec.current_response, rec.review_due) == (
        "Edited text",
        "accepted",
        dt.date(2099, 1, 1),
    )
