"""The sign-on page (token only) and the coordinator's views, through the test client."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from letters import signing
from letters.models import Letter, LetterStatus, SignatoryRole
from recipients.holders import change_holder
from tests.factories import make_official, make_recommendation, make_signing_letter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    # django-ratelimit's windows are aligned to the clock: a test whose requests
    # straddled a window's edge would see its count restart. Stop that clock.
    frozen = SimpleNamespace(time=lambda: 1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", frozen)
    cache.clear()
    yield
    cache.clear()


def circulate(letter):
    signing.circulate(
        letter=letter,
        by=None,
        deadline=timezone.now() + dt.timedelta(days=7),
    )
    letter.refresh_from_db()
    return letter


@pytest.fixture
def circulating():
    return circulate(make_signing_letter())


def partner(letter, n=0):
    return list(letter.signatories.filter(role=SignatoryRole.COSIGNER).order_by("order"))[n]


def sign_url(client, signatory) -> str:
    """Open the private link as the partner would: the page it leads to has no token in its URL."""
    link = reverse("public:sign", args=[signatory.token])
    response = client.get(link)
    return response["Location"] if response.status_code == 302 else link


def approve_data(letter, **extra):
    return {
        "action": "approve",
        "content_hash": letter.content_hash,
        "signer_name": "Sam Signer",
        "signer_title": "Director",
        "consent_to_publish": "on",
        **extra,
    }


# -- the sign-on page ---------------------------------------------------------------


def test_a_live_link_shows_the_full_letter_without_login(client, circulating):
    signatory = partner(circulating)
    response = client.get(sign_url(client, signatory))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop forced returns." in html and "Open the asylum procedure." in html
    assert "Dear Prime Minister" in html or "Prime Minister" in html
    assert signatory.organization.name in html
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    signatory.refresh_from_db()
    assert signatory.opened_at is not None


def bad_link_states(letter):
    """Every way a link can be dead, each as a callable returning the token to try."""
    first, second = (partner(letter, 0), partner(letter, 1))

    def wrong():
        return "x" * 43

    def expired():
        first.token_expires_at = timezone.now() - dt.timedelta(seconds=1)
        first.save()
        return first.token

    def revoked():
        signing.revoke_link(signatory=first, by=None)
        return first.token

    def reissued():
        old = second.token
        signing.reissue_link(signatory=second, by=None)
        return old

    def finalised():
        Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.FINAL)
        return first.token

    def withdrawn():
        Letter.objects.filter(pk=letter.pk).update(status=LetterStatus.WITHDRAWN)
        return first.token

    def lead_never_invited():
        return letter.signatories.get(role=SignatoryRole.LEAD).token

    return {
        "wrong": wrong,
        "expired": expired,
        "revoked": revoked,
        "reissued": reissued,
        "finalised": finalised,
        "withdrawn": withdrawn,
        "never invited": lead_never_invited,
    }


def main(response) -> str:
    """The page's content; the rest differs only by the per-response CSRF mask."""
    return response.content.decode().split('<main id="main"')[1].split("</main>")[0]


@pytest.mark.parametrize(
    "state",
    ["wrong", "expired", "revoked", "reissued", "finalised", "withdrawn", "never invited"],
)
def test_a_dead_link_gets_the_same_plain_page(client, circulating, state):
    token = bad_link_states(circulating)[state]()
    baseline = client.get(reverse("public:sign", args=["nonexistent-token"]))
    for method in (client.get, client.post):
        response = method(reverse("public:sign", args=[token]), approve_data(circulating))
        assert response.status_code == 404
        assert main(response) == main(baseline)
        assert circulating.subject.encode() not in response.content
    assert not any(s.approved_at for s in circulating.signatories.all())


def test_approving_records_the_hash_and_the_details(client, circulating):
    signatory = partner(circulating)
    response = client.post(sign_url(client, signatory), approve_data(circulating))
    assert response.status_code == 302
    signatory.refresh_from_db()
    assert signatory.has_approved(circulating.content_hash)
    assert signatory.signer_name == "Sam Signer" and signatory.consent_to_publish
    page = client.get(sign_url(client, signatory)).content.decode()
    assert "approved this text" in page


def test_missing_name_is_refused_and_what_was_typed_is_kept(client, circulating):
    signatory = partner(circulating)
    data = approve_data(circulating, signer_name="", signer_title="Kept title")
    response = client.post(sign_url(client, signatory), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert 'value="Kept title"' in html
    signatory.refresh_from_db()
    assert signatory.approved_at is None


def png_upload(name="sig.png", size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_a_signature_image_is_checked_and_reencoded(client, circulating):
    signatory = partner(circulating)
    data = approve_data(circulating, signature_upload=png_upload("my sig.png"))
    assert client.post(sign_url(client, signatory), data).status_code == 302
    signatory.refresh_from_db()
    assert signatory.signature.name.endswith(".png")
    with Image.open(signatory.signature.path) as image:
        assert image.format == "PNG"


def test_a_file_that_is_not_an_image_is_refused_with_a_message(client, circulating):
    signatory = partner(circulating)
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "sig.png"
    response = client.post(
        sign_url(client, signatory), approve_data(circulating, signature_upload=fake)
    )
    assert response.status_code == 200
    assert "not a PNG or JPEG image" in response.content.decode()
    signatory.refresh_from_db()
    assert signatory.approved_at is None


def test_approving_a_text_that_changed_meanwhile_shows_the_changes(client, circulating):
    signatory = partner(circulating)
    client.post(sign_url(client, signatory), approve_data(circulating))
    seen = circulating.content_hash
    rec = circulating.recommendations.first()
    rec.text = "Stop every forced return."
    rec.save()
    circulating.touch()

    page = client.get(sign_url(client, signatory)).content.decode()
    assert "The letter changed since you approved it" in page
    assert "What changed since your approval" in page
    assert "Stop<ins> every</ins> forced <del>returns.</del><ins>return.</ins>" in page

    response = client.post(
        sign_url(client, signatory), approve_data(circulating, content_hash=seen)
    )
    assert response.status_code == 302
    signatory.refresh_from_db()
    assert not signatory.has_approved(Letter.objects.get(pk=circulating.pk).content_hash)
    follow = client.get(response.url).content.decode()
    assert "changed while you were reading" in follow


def test_a_new_office_holder_reopens_the_approval_and_the_page_shows_the_new_greeting(
    client, circulating
):
    signatory = partner(circulating)
    client.post(sign_url(client, signatory), approve_data(circulating))
    signatory.refresh_from_db()
    assert signatory.has_approved(circulating.content_hash)
    position = circulating.recipients.get().position
    old_family_name = position.current_holder().family_name

    kan = make_official(honorific="H.E.", given_name="Naoto", family_name="Kan")
    change_holder(position=position, official=kan, start=dt.date(2010, 6, 8))

    letter = Letter.objects.get(pk=circulating.pk)
    signatory.refresh_from_db()
    assert not signatory.has_approved(letter.content_hash)
    page = client.get(sign_url(client, signatory)).content.decode()
    assert "The letter changed since you approved it" in page
    assert "the text reads the same" not in page
    changes = page.split("What changed since your approval")[1].split("</section>")[0]
    assert "Recipients" in changes and "Greeting" in changes
    assert f"<del>{old_family_name},</del><ins>Kan,</ins>" in changes
    # The recipients' change reads, without what it deletes, as the letter now does.
    now_reads = re.sub(r"<[^>]+>", "", re.sub(r"<del>.*?</del>", "", changes))
    assert "To: H.E. Naoto Kan, Prime Minister" in now_reads


def test_decline_needs_a_reason_and_the_board_shows_it(client, coordinator, circulating):
    signatory = partner(circulating)
    response = client.post(sign_url(client, signatory), {"action": "decline", "reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    client.post(sign_url(client, signatory), {"action": "decline", "reason": "Outside our mandate"})
    signatory.refresh_from_db()
    assert signatory.declined_at and signatory.decline_reason == "Outside our mandate"
    client.force_login(coordinator)
    board = client.get(circulating.get_absolute_url()).content.decode()
    assert "Outside our mandate" in board and "Declined" in board


def test_withdraw_from_the_link(client, circulating):
    signatory = partner(circulating)
    client.post(sign_url(client, signatory), approve_data(circulating))
    assert client.post(sign_url(client, signatory), {"action": "withdraw"}).status_code == 302
    signatory.refresh_from_db()
    assert signatory.withdrawn_at is not None


def test_the_page_says_who_else_has_signed(client, circulating):
    first, second = partner(circulating, 0), partner(circulating, 1)
    client.post(sign_url(client, first), approve_data(circulating))
    page = client.get(sign_url(client, second)).content.decode()
    section = page.split("Who else has signed")[1].split("</section>")[0]
    assert first.organization.name in section


def test_sign_on_pages_are_rate_limited(client, circulating, settings):
    url = reverse("public:sign", args=["guess"])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


def test_the_sign_page_needs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, circulating
):
    page = sign_url(client, partner(circulating))
    client.get(page)
    with django_assert_max_num_queries(20) as small:
        client.get(page)
    count = len(small)
    section = circulating.sections.first()
    for n in range(30):
        make_recommendation(section, text=f"Extra {n}")
    circulating.touch()
    cache.clear()
    with django_assert_max_num_queries(count):
        client.get(page)


def test_reading_a_live_link_s_page_does_not_use_up_its_limits(client, circulating):
    page = sign_url(client, partner(circulating))
    assert [client.get(page).status_code for _ in range(40)] == [200] * 40


def test_a_live_link_s_page_is_refused_once_its_address_used_up_its_limit(client, circulating):
    page = sign_url(client, partner(circulating))  # counts once
    for n in range(118):
        client.get(reverse("public:sign", args=[f"guess-{n}"]))
    assert client.get(page).status_code == 200
    client.get(reverse("public:sign", args=["guess-last"]))
    assert client.get(page).status_code == 429


def test_with_the_database_cache_reading_a_page_checks_the_limits_in_one_read(
    client, circulating, database_cache
):
    page = sign_url(client, partner(circulating))
    client.get(page)
    with CaptureQueriesContext(connection) as read:
        assert client.get(page).status_code == 200
    # Both counters in one SELECT; nothing added, counted or culled. (The
    # letter's text is drawn, not cached, inside the test's transaction.)
    on_cache = [q["sql"] for q in read.captured_queries if database_cache in q["sql"]]
    assert len(on_cache) == 1
    assert on_cache[0].startswith("SELECT") and on_cache[0].count(":rl:") == 2


def test_answers_on_the_page_count_against_its_limit(client, circulating):
    page = sign_url(client, partner(circulating))
    statuses = [client.post(page, {"action": "neither"}).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_opening_the_page_without_its_link_counts_against_its_limit(client, circulating):
    url = reverse("public:sign_page", args=[partner(circulating).pk])
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


@pytest.mark.django_db(transaction=True)
def test_the_text_is_drawn_once_for_every_partner_and_follows_the_office_it_addresses(
    client, circulating
):
    page = sign_url(client, partner(circulating, 0))
    assert "Stop forced returns." in client.get(page).content.decode()
    other = Client()
    other_page = sign_url(other, partner(circulating, 1))
    with CaptureQueriesContext(connection) as cached:
        html = other.get(other_page).content.decode()
    assert "Stop forced returns." in html and "Prime Minister" in html
    assert not any("letters_section" in q["sql"] for q in cached.captured_queries)
    with CaptureQueriesContext(connection) as again:
        other.get(other_page)
    # The session and the link (the cache is in memory here), and no write:
    # reading the page counts nothing.
    statements = [q["sql"].split()[0] for q in again.captured_queries]
    assert statements.count("SELECT") <= 2
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements)
    position = circulating.recipients.get().position
    position.title = "Acting Prime Minister"
    position.save()
    assert "Acting Prime Minister" in client.get(page).content.decode()
    section = circulating.sections.get()
    section.heading = "Returns to the North"
    section.save()
    circulating.touch()
    assert "Returns to the North" in other.get(other_page).content.decode()
    circulating.refresh_from_db()
    client.post(page, approve_data(circulating))
    html = other.get(other_page).content.decode()
    assert "Partner 1</li>" in html.split("Who else has signed")[1].split("</section>")[0]


# -- coordinator views ---------------------------------------------------------------

PERSONAS = ["coordinator", "drafter", "outsider"]


def expect_for(persona: str, allowed: int) -> int:
    return {"coordinator": allowed, "drafter": 403, "outsider": 403}[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_coordinator_may_circulate(
    client, request, persona, django_capture_on_commit_callbacks
):
    letter = make_signing_letter()
    client.force_login(request.getfixturevalue(persona))
    url = reverse("letters:signing_circulate", args=[letter.pk])
    assert client.get(url).status_code == expect_for(persona, 200)
    deadline = timezone.localtime() + dt.timedelta(days=3)
    data = {"deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "message": "Hello", "email": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == expect_for(persona, 302)
    letter.refresh_from_db()
    expected = LetterStatus.CIRCULATING if persona == "coordinator" else LetterStatus.DRAFT
    assert letter.status == expected
    assert len(mail.outbox) == (2 if persona == "coordinator" else 0)


def test_circulate_refuses_a_past_deadline_and_keeps_the_message(client, coordinator):
    letter = make_signing_letter()
    client.force_login(coordinator)
    data = {"deadline": "2001-01-01T10:00", "message": "My careful words", "email": "on"}
    response = client.post(reverse("letters:signing_circulate", args=[letter.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The deadline must be in the future." in html
    assert "My careful words" in html


def test_unknown_letter_is_404_for_coordinator_views(client, coordinator):
    client.force_login(coordinator)
    for name in [
        "signing_circulate",
        "sending_finalise",
        "sending_send",
        "sending_supersede",
        "sending_withdraw",
    ]:
        assert client.get(reverse(f"letters:{name}", args=[999999])).status_code == 404


def test_anonymous_visitors_go_to_login_for_coordinator_views(client, circulating):
    response = client.get(reverse("letters:sending_finalise", args=[circulating.pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_the_board_shows_states_and_links_only_to_coordinators(client, request, circulating):
    first = partner(circulating)
    client.post(sign_url(client, first), approve_data(circulating))
    client.force_login(request.getfixturevalue("coordinator"))
    html = client.get(circulating.get_absolute_url()).content.decode()
    assert "Approved the current text" in html and "Invited" in html
    assert partner(circulating, 1).token in html
    client.force_login(request.getfixturevalue("drafter"))
    html = client.get(circulating.get_absolute_url()).content.decode()
    assert "Approved the current text" in html
    assert partner(circulating, 1).token not in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_link_management_is_for_coordinators(client, request, persona, circulating):
    signatory = partner(circulating)
    old = signatory.token
    client.force_login(request.getfixturevalue(persona))
    url = reverse("letters:signing_reissue_link", args=[circulating.pk, signatory.pk])
    if persona == "coordinator":
        assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == expect_for(persona, 302)
    signatory.refresh_from_db()
    assert (signatory.token != old) == (persona == "coordinator")


def test_reminder_button_emails_those_pending(
    client, coordinator, circulating, django_capture_on_commit_callbacks
):
    client.post(sign_url(client, partner(circulating)), approve_data(circulating))
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:signing_remind", args=[circulating.pk]))
    assert [m.to for m in mail.outbox] == [["partner2@example.org"]]
    html = client.get(circulating.get_absolute_url()).content.decode()
    assert "1 reminder" in html


def approve_all(client, letter, coordinator):
    for n in range(2):
        client.post(sign_url(client, partner(letter, n)), approve_data(letter))
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    client.force_login(coordinator)
    client.post(
        reverse("letters:signing_approve_for_lead", args=[letter.pk, lead.pk]),
        {"signer_name": "Lee Lead", "signer_title": "Head"},
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_coordinator_may_finalise(client, request, persona, circulating, coordinator):
    approve_all(client, circulating, coordinator)
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("letters:sending_finalise", args=[circulating.pk]))
    assert response.status_code == expect_for(persona, 302)
    circulating.refresh_from_db()
    expected = LetterStatus.FINAL if persona == "coordinator" else LetterStatus.CIRCULATING
    assert circulating.status == expected
    if persona == "coordinator":
        html = client.get(circulating.get_absolute_url()).content.decode()
        assert "Finalised" in html
        assert f">{circulating.content_hash[:6]}</code>" in html
        assert circulating.content_hash[:7] not in html


def test_finalise_shows_what_is_missing(client, coordinator, circulating):
    client.force_login(coordinator)
    response = client.post(reverse("letters:sending_finalise", args=[circulating.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be finalised yet" in html and "Partner 2 has not approved" in html


def test_stale_approvals_block_finalising_until_everyone_approves_again(
    client, coordinator, circulating
):
    approve_all(client, circulating, coordinator)
    rec = circulating.recommendations.first()
    rec.text = "Changed after approval."
    rec.save()
    circulating.touch()
    client.force_login(coordinator)
    html = client.post(reverse("letters:sending_finalise", args=[circulating.pk])).content.decode()
    assert html.count("has not approved the current text (approved an older text)") == 3


def test_the_board_needs_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    from tests.factories import make_organization, make_signatory

    letter = circulate(make_signing_letter())
    client.force_login(coordinator)
    client.get(letter.get_absolute_url())
    with django_assert_max_num_queries(40) as small:
        client.get(letter.get_absolute_url())
    count = len(small)
    for n in range(25):
        make_signatory(letter, make_organization(), order=10 + n)
    letter.touch()
    circulate(letter)
    with django_assert_max_num_queries(count):
        html = client.get(letter.get_absolute_url()).content.decode()
    assert html.count('class="list-group-item signing-row"') == 28


def test_the_per_address_limit_covers_many_different_links(client, settings):
    statuses = [
        client.get(reverse("public:sign", args=[f"guess-{n}"])).status_code for n in range(121)
    ]
    assert statuses[:120] == [404] * 120
    assert statuses[120] == 429


@pytest.mark.parametrize(
    ("persona", "status"), [("coordinator", 302), ("drafter", 302), ("outsider", 403)]
)
def test_drafters_and_coordinators_may_supersede_a_frozen_letter(
    client, request, persona, status, circulating
):
    Letter.objects.filter(pk=circulating.pk).update(status=LetterStatus.FINAL)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("letters:sending_supersede", args=[circulating.pk])
    response = client.post(url, {"reference": "NEXT-1"})
    assert response.status_code == status
    assert Letter.objects.filter(reference="NEXT-1").exists() == (status == 302)


def test_supersede_refuses_a_taken_reference_and_keeps_it(client, coordinator, circulating):
    Letter.objects.filter(pk=circulating.pk).update(status=LetterStatus.FINAL)
    client.force_login(coordinator)
    url = reverse("letters:sending_supersede", args=[circulating.pk])
    response = client.post(url, {"reference": circulating.reference})
    assert response.status_code == 200
    assert "This reference is already taken." in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_coordinator_withdraws_a_letter(client, request, persona, circulating):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("letters:sending_withdraw", args=[circulating.pk]))
    assert response.status_code == expect_for(persona, 302)
    circulating.refresh_from_db()
    withdrawn = circulating.status == LetterStatus.WITHDRAWN
    assert withdrawn == (persona == "coordinator")
    if withdrawn:
        assert client.get(sign_url(client, partner(circulating))).status_code == 404


def test_the_finalise_page_says_what_is_missing_before_anyone_clicks(
    client, coordinator, circulating
):
    client.force_login(coordinator)
    html = client.get(reverse("letters:sending_finalise", args=[circulating.pk])).content.decode()
    assert "Partner 1 has not approved the current text (invited)." in html
    approve_all(client, circulating, coordinator)
    html = client.get(reverse("letters:sending_finalise", args=[circulating.pk])).content.decode()
    assert "the letter can be finalised" in html
    circulating.refresh_from_db()
    assert circulating.status == LetterStatus.CIRCULATING
