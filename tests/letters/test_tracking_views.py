from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from letters import drafting
from letters.forms.tracking import FollowUpForm
from letters.models import FollowUp, Letter
from tests.factories import make_follow_up, make_tracked_recommendation

pytestmark = pytest.mark.django_db

ENTRY = {
    "date": "2010-02-03",
    "kind": "reply",
    "response_status": "accepted",
    "implementation_status": "",
    "note": "Written reply from the ministry.",
    "evidence_url": "https://example.org/reply",
    "next_review": "2010-06-01",
}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def rec():
    return make_tracked_recommendation(text="Press China to stop forced returns.")


@pytest.mark.parametrize("persona", ["drafter", "coordinator"])
def test_drafters_and_coordinators_record_a_follow_up(client, request, persona, rec):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.post(rec.get_absolute_url(), ENTRY)
    assert response.status_code == 302
    entry = FollowUp.objects.get(recommendation=rec)
    assert (entry.recorded_by, entry.response_status) == (user, "accepted")
    rec.refresh_from_db()
    assert rec.current_response == "accepted"
    page = client.get(rec.get_absolute_url()).content.decode()
    assert "Written reply from the ministry." in page
    assert "Follow-up recorded" in page


def test_admins_read_the_timeline_but_cannot_record(client, admin_user, rec):
    make_follow_up(rec, note="A meeting in January")
    client.force_login(admin_user)
    page = client.get(rec.get_absolute_url())
    assert page.status_code == 200
    assert b"A meeting in January" in page.content
    assert b"Record a follow-up" not in page.content
    assert client.post(rec.get_absolute_url(), ENTRY).status_code == 403
    assert FollowUp.objects.count() == 1


def test_outsiders_see_nothing_and_record_nothing(client, outsider, rec):
    entry = make_follow_up(rec, note="secret")
    client.force_login(outsider)
    assert client.get(rec.get_absolute_url()).status_code == 403
    assert client.post(rec.get_absolute_url(), ENTRY).status_code == 403
    assert client.get(reverse("letters:tracking_correct", args=[entry.pk])).status_code == 404
    assert client.get(reverse("letters:tracking")).status_code == 403
    assert client.get(reverse("letters:tracking_export", args=["csv"])).status_code == 403
    assert FollowUp.objects.count() == 1


def test_unknown_recommendation_is_404(client, drafter):
    client.force_login(drafter)
    assert client.get(reverse("letters:tracking_recommendation", args=[99999])).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "2999-01-01"}, "A follow-up records something that has happened."),
        ({"evidence_url": "javascript:alert(1)"}, "Enter an http(s) link"),
        ({"response_status": "maybe"}, "Select a valid choice."),
        ({"date": "3 Feb"}, "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(
    client, drafter, rec, change, message
):
    client.force_login(drafter)
    response = client.post(rec.get_absolute_url(), {**ENTRY, **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Written reply from the ministry." in html
    assert not FollowUp.objects.exists()


def test_an_evidence_file_that_is_not_a_pdf_or_image_is_refused(client, drafter, rec):
    client.force_login(drafter)
    upload = SimpleUploadedFile("reply.pdf", b"<html>not a pdf</html>", "application/pdf")
    response = client.post(rec.get_absolute_url(), {**ENTRY, "evidence_file": upload})
    assert response.status_code == 400
    assert b"Evidence must be a PDF, PNG or JPEG file." in response.content
    assert not FollowUp.objects.exists()


def test_evidence_files_are_served_to_staff_as_downloads(client, drafter, outsider, rec):
    client.force_login(drafter)
    upload = SimpleUploadedFile("reply.pdf", b"%PDF-1.4\n% a reply\n", "application/pdf")
    assert (
        client.post(rec.get_absolute_url(), {**ENTRY, "evidence_file": upload}).status_code == 302
    )
    entry = FollowUp.objects.get()
    url = reverse("letters:tracking_evidence", args=[entry.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_an_image_evidence_is_re_encoded(client, drafter, rec):
    client.force_login(drafter)
    upload = SimpleUploadedFile("photo.jpg", png(), "image/jpeg")
    assert (
        client.post(rec.get_absolute_url(), {**ENTRY, "evidence_file": upload}).status_code == 302
    )
    assert FollowUp.objects.get().evidence_file.name.endswith(".png")


def test_a_correction_keeps_history_and_shows_it(client, coordinator, rec):
    entry = make_follow_up(rec, response_status="rejected", note="Misread")
    client.force_login(coordinator)
    url = reverse("letters:tracking_correct", args=[entry.pk])
    assert client.get(url).status_code == 200
    data = {**ENTRY, "response_status": "noted", "note": "Read again", "revision": 1}
    assert client.post(url, {**data, "reason": "The reply says noted"}).status_code == 302
    rec.refresh_from_db()
    assert rec.current_response == "noted"
    page = client.get(rec.get_absolute_url()).content.decode()
    assert "Corrected 1 time" in page
    assert "The reply says noted" in page
    assert "rejected" in page  # the earlier version


def test_a_stale_correction_is_refused_and_keeps_the_typed_text(client, coordinator, rec):
    entry = make_follow_up(rec, note="first")
    client.force_login(coordinator)
    url = reverse("letters:tracking_correct", args=[entry.pk])
    data = {**ENTRY, "revision": 1, "reason": "typo"}
    assert client.post(url, {**data, "note": "mine"}).status_code == 302
    response = client.post(url, {**data, "note": "theirs"})
    assert response.status_code == 400
    assert b"Someone corrected this entry while you were editing it" in response.content
    assert b"theirs" in response.content
    entry.refresh_from_db()
    assert entry.note == "mine"


def test_admins_cannot_correct_entries(client, admin_user, rec):
    entry = make_follow_up(rec)
    client.force_login(admin_user)
    url = reverse("letters:tracking_correct", args=[entry.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {**ENTRY, "revision": 1, "reason": "x"}).status_code == 403


def test_following_and_unfollowing(client, admin_user, rec):
    client.force_login(admin_user)
    url = reverse("letters:tracking_follow", args=[rec.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"follow": "1"})
    assert list(rec.followers.all()) == [admin_user]
    client.post(url, {"follow": "0"})
    assert not rec.followers.exists()


def test_the_page_shows_earlier_and_later_letters_repeating_the_ask(client, drafter):
    original = make_tracked_recommendation(text="Stop forced returns.")
    letter = original.letter
    draft = drafting.copy_letter(letter, reference="NEXT-1")
    later = draft.recommendations.get()
    client.force_login(drafter)
    html = client.get(original.get_absolute_url()).content.decode()
    assert later.reference in html
    html = client.get(later.get_absolute_url()).content.decode()
    assert original.reference in html


def test_a_future_next_review_is_fine_but_the_event_date_is_not(client, drafter, rec):
    client.force_login(drafter)
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert client.post(rec.get_absolute_url(), {**ENTRY, "next_review": future}).status_code == 302
    assert Letter.objects.count() == 1


def test_one_reply_is_recorded_on_several_ticked_recommendations(client, coordinator):
    letter = make_tracked_recommendation().letter
    picked = [make_tracked_recommendation(letter) for _ in range(3)]
    other = make_tracked_recommendation(letter)
    client.force_login(coordinator)
    url = reverse("letters:tracking_record")
    query = "&".join(f"rec={rec.pk}" for rec in picked)
    page = client.get(f"{url}?{query}&back=?letter={letter.reference}")
    assert page.status_code == 200
    assert b"Record one follow-up on 3 recommendations" in page.content
    upload = SimpleUploadedFile("reply.pdf", b"%PDF-1.4\n% reply\n", "application/pdf")
    data = {**ENTRY, "rec": [rec.pk for rec in picked], "evidence_file": upload}
    response = client.post(url, {**data, "back": f"?letter={letter.reference}"})
    assert response.status_code == 302
    assert response.url == f"{reverse('letters:tracking')}?letter={letter.reference}"
    entries = FollowUp.objects.filter(recommendation__in=picked)
    assert entries.count() == 3
    assert len({entry.evidence_file.name for entry in entries}) == 1  # stored once
    assert not other.follow_ups.exists()
    for rec in picked:
        rec.refresh_from_db()
        assert rec.current_response == "accepted"


def test_bulk_recording_with_bad_input_records_nothing(client, coordinator):
    picked = [make_tracked_recommendation() for _ in range(2)]
    client.force_login(coordinator)
    data = {**ENTRY, "date": "2999-01-01", "rec": [rec.pk for rec in picked]}
    response = client.post(reverse("letters:tracking_record"), data)
    assert response.status_code == 400
    assert b"A follow-up records something that has happened." in response.content
    assert not FollowUp.objects.exists()


def test_bulk_recording_refuses_admins_outsiders_and_empty_picks(
    client, admin_user, outsider, coordinator, rec
):
    url = reverse("letters:tracking_record")
    for user in (admin_user, outsider):
        client.force_login(user)
        assert client.post(url, {**ENTRY, "rec": [rec.pk]}).status_code == 403
    client.force_login(coordinator)
    assert client.get(url).status_code == 302
    assert not FollowUp.objects.exists()


def test_picks_that_cannot_be_recommendations_pick_nothing_instead_of_failing(
    client, coordinator, rec
):
    client.force_login(coordinator)
    url = reverse("letters:tracking_record")
    # Too large for a database integer, a Unicode digit, a negative and zero.
    for picks in (["99999999999999999999"], ["²"], ["-1", "0"]):
        response = client.get(url, {"rec": picks})
        assert response.status_code == 302, picks
    response = client.get(url, {"rec": ["99999999999999999999", str(rec.pk)]})
    assert response.status_code == 200 and rec.reference in response.content.decode()


def test_the_blank_choices_say_what_leaving_them_empty_means():
    form = FollowUpForm()
    kind = list(form.fields["kind"].choices)
    assert kind[0] == ("", "Choose…")
    assert ("reply", "Reply received") in kind and len(kind) == 7
    for name in ("response_status", "implementation_status"):
        choices = list(form.fields[name].choices)
        assert choices[0] == ("", "No change")
        assert [value for value, _ in choices].count("") == 1
    assert '<option value="" selected>No change</option>' in str(form["response_status"])


@pytest.mark.django_db(transaction=True)
def test_recommendation_page_is_cached_until_a_follow_up_and_per_role(coordinator, admin_user):
    rec = make_tracked_recommendation(text="Press China to stop forced returns.")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(coordinator)
    browser.get(rec.get_absolute_url())
    with CaptureQueriesContext(connection) as cached:
        page = browser.get(rec.get_absolute_url()).content.decode()
    assert not [q for q in cached.captured_queries if "letters_followup" in q["sql"]]
    assert len(cached.captured_queries) <= 9
    # The cached form posts with this reader's own CSRF token.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.split("Record a")[1])
    assert token and "placeholder" not in token.group(1)
    response = browser.post(
        rec.get_absolute_url(), {**ENTRY, "csrfmiddlewaretoken": token.group(1)}
    )
    assert response.status_code == 302
    assert (
        "Written reply from the ministry." in browser.get(rec.get_absolute_url()).content.decode()
    )

    # An Admin reads the same page without the form; a new heading shows at once.
    rec.section.heading = "Refugees and forced returns"
    rec.section.save()
    reader = Client()
    reader.force_login(admin_user)
    page = reader.get(rec.get_absolute_url()).content.decode()
    assert "Record a follow-up" not in page and "Written reply from the ministry." in page
    assert "Refugees and forced returns" in page
    page = browser.get(rec.get_absolute_url()).content.decode()
    assert "Record a follow-up" in page and "Refugees and forced returns" in page


def test_recommendation_page_query_count_does_not_grow_with_follow_ups(
    client, coordinator, rec, django_assert_max_num_queries
):
    client.force_login(coordinator)
    make_follow_up(rec, note="A meeting", recorded_by=coordinator)
    with django_assert_max_num_queries(16) as few:
        client.get(rec.get_absolute_url())
    for day in range(1, 21):
        entry = make_follow_up(rec, date=dt.date(2010, 3, day), recorded_by=coordinator)
        entry.note = "Corrected"
        entry.save()
    with django_assert_max_num_queries(16) as many:
        client.get(rec.get_absolute_url())
    assert len(many.captured_queries) == len(few.captured_queries)
