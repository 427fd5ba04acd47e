from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from letters.models import Letter
from tests.factories import (
    make_letter,
    make_section,
    make_tracked_recommendation,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """Two sections; three of five recommendations still open."""
    letter = make_letter(reference="FU-2009", status="sent")
    food = make_section(letter, heading="Food aid", order=0)
    refugees = make_section(letter, heading="Refugees", order=1)
    recs = {
        "done": make_tracked_recommendation(letter, section=food, implementation="implemented"),
        "rejected": make_tracked_recommendation(letter, section=food, response="rejected"),
        "partial": make_tracked_recommendation(
            letter, section=refugees, implementation="partially_implemented"
        ),
        "silent": make_tracked_recommendation(letter, section=refugees),
        "also_done": make_tracked_recommendation(
            letter, section=refugees, implementation="implemented"
        ),
    }
    return letter, recs


def test_follow_up_letter_carries_exactly_the_open_recommendations(client, coordinator, sent):
    letter, recs = sent
    client.force_login(coordinator)
    response = client.post(reverse("letters:tracking_follow_up_letter", args=[letter.pk]))
    draft = Letter.objects.get(reference="FU-2009-F1")
    assert response.status_code == 302 and response.url == draft.get_absolute_url()
    assert draft.status == "draft" and draft.repeats_letter == letter
    carried = {rec.repeats_id for rec in draft.recommendations.all()}
    assert carried == {recs["rejected"].pk, recs["partial"].pk, recs["silent"].pk}
    by_section = {
        section.heading: [r.repeats_id for r in section.recommendations.all()]
        for section in draft.sections.all()
    }
    assert by_section == {
        "Food aid": [recs["rejected"].pk],
        "Refugees": [recs["partial"].pk, recs["silent"].pk],
    }
    # Twice makes a second draft, not a clash.
    client.post(reverse("letters:tracking_follow_up_letter", args=[letter.pk]))
    assert Letter.objects.filter(reference="FU-2009-F2").exists()


def test_follow_up_letter_from_a_tracker_view_takes_the_open_ones_in_that_view(
    client, drafter, sent
):
    letter, recs = sent
    client.force_login(drafter)
    response = client.post(
        reverse("letters:tracking_follow_up_letter_filtered"),
        {"letter": letter.reference, "response": "rejected"},
    )
    assert response.status_code == 302
    draft = Letter.objects.get(reference="FU-2009-F1")
    assert [r.repeats_id for r in draft.recommendations.all()] == [recs["rejected"].pk]


def test_tracker_view_without_one_letter_cannot_start_a_letter(client, drafter, sent):
    client.force_login(drafter)
    response = client.post(
        reverse("letters:tracking_follow_up_letter_filtered"), {"response": "rejected"}
    )
    assert response.status_code == 302
    assert Letter.objects.count() == 1


def test_nothing_open_means_no_draft_and_a_message(client, coordinator):
    letter = make_letter(status="sent")
    make_tracked_recommendation(letter, implementation="implemented")
    client.force_login(coordinator)
    response = client.post(
        reverse("letters:tracking_follow_up_letter", args=[letter.pk]), follow=True
    )
    assert b"nothing to carry forward" in response.content
    assert Letter.objects.count() == 1


@pytest.mark.parametrize(("persona", "status"), [("admin_user", 403), ("outsider", 403)])
def test_only_drafters_and_coordinators_start_follow_up_letters(
    client, request, sent, persona, status
):
    letter, _ = sent
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.post(reverse("letters:tracking_follow_up_letter", args=[letter.pk])).status_code
        == status
    )
    assert client.get(
        reverse("letters:tracking_follow_up_letter", args=[letter.pk])
    ).status_code in (
        403,
        405,
    )
    assert Letter.objects.count() == 1


def test_the_letter_page_offers_the_button_and_a_status_chart(client, coordinator, sent):
    letter, _ = sent
    client.force_login(coordinator)
    html = client.get(letter.get_absolute_url()).content.decode()
    assert "Start follow-up letter" in html
    assert 'role="img"' in html
    assert "5 recommendations by implementation: 2 implemented, 1 partially implemented" in html


def test_the_daily_digest_mails_each_follower_their_overdue_recommendations():
    dana = make_user("dana2", role="Drafter")
    chris = make_user("chris2", role="Coordinator")
    nobody = make_user("nobody", role="Drafter")
    late = make_tracked_recommendation(review=dt.date(2010, 1, 1))
    later = make_tracked_recommendation(review=dt.date(2010, 2, 1))
    future = make_tracked_recommendation(review=dt.date(2099, 1, 1))
    late.followers.add(dana, chris)
    later.followers.add(dana)
    future.followers.add(nobody)

    call_command("send_review_digest", stdout=io.StringIO())

    by_person = {message.to[0]: message for message in mail.outbox}
    assert set(by_person) == {"dana2@example.org", "chris2@example.org"}
    assert by_person["dana2@example.org"].subject == "2 recommendation reviews overdue"
    assert late.reference in by_person["dana2@example.org"].body
    assert later.reference in by_person["dana2@example.org"].body
    assert later.reference not in by_person["chris2@example.org"].body
    assert late.get_absolute_url() in by_person["chris2@example.org"].body


def test_the_digest_can_run_as_of_a_date():
    person = make_user("pat", role="Drafter")
    rec = make_tracked_recommendation(review=dt.date(2010, 1, 1))
    rec.followers.add(person)
    call_command("send_review_digest", date="2009-12-01", stdout=io.StringIO())
    assert mail.outbox == []
    call_command("send_review_digest", date="2010-01-02", stdout=io.StringIO())
    assert len(mail.outbox) == 1
