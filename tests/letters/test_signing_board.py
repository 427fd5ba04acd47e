"""The sign-on board, the Finalise page and the letter page as a coordinator reads them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import reset_queries
from django.urls import reverse
from django.utils import timezone

from letters import signing
from letters.models import FollowUp, LetterStatus, SignatoryRole
from tests.factories import (
    make_follow_up,
    make_recommendation,
    make_section,
    make_signing_letter,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def circulate(letter, by=None, days=7):
    signing.circulate(letter=letter, by=by, deadline=timezone.now() + dt.timedelta(days=days))
    letter.refresh_from_db()
    return letter


def partner(letter, n=0):
    return list(letter.signatories.filter(role=SignatoryRole.COSIGNER).order_by("order"))[n]


def sign_url(signatory) -> str:
    """The private link as e-mailed, with its token."""
    return reverse("public:sign", args=[signatory.token])


def open_link(client, signatory) -> str:
    """Open the private link as the partner would: the page it leads to has no token."""
    response = client.get(sign_url(signatory))
    assert response.status_code == 302
    return response["Location"]


def approve_data(letter, **extra):
    return {
        "action": "approve",
        "content_hash": letter.content_hash,
        "signer_name": "Sam Signer",
        "signer_title": "Director",
        "consent_to_publish": "on",
        **extra,
    }


def approve_all(client, letter, coordinator):
    for n in range(letter.signatories.filter(role=SignatoryRole.COSIGNER).count()):
        client.post(open_link(client, partner(letter, n)), approve_data(letter))
    lead = letter.signatories.get(role=SignatoryRole.LEAD)
    client.force_login(coordinator)
    client.post(
        reverse("letters:signing_approve_for_lead", args=[letter.pk, lead.pk]),
        {"signer_name": "Lee Lead", "signer_title": "Head"},
    )


def page(client, letter) -> str:
    return client.get(letter.get_absolute_url()).content.decode()


def board_of(html: str) -> str:
    return html.split('id="sign-on"')[1].split("</section>")[0]


# -- declines ---------------------------------------------------------------------


def test_a_decline_stays_in_the_history_after_a_later_approval(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    signatory = partner(letter)
    client.post(
        open_link(client, signatory), {"action": "decline", "reason": "Outside our mandate"}
    )
    client.post(open_link(client, signatory), approve_data(letter))
    signatory.refresh_from_db()
    assert signatory.declined_at is None and signatory.approved_at is not None
    client.force_login(coordinator)
    board = board_of(page(client, letter))
    row = board.split(signatory.organization.name)[1].split("</li>\n    \n")[0]
    assert "Declined" in row and "Outside our mandate" in row
    assert "Approved" in row


def test_the_coordinator_is_emailed_when_an_organisation_declines(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    mail.outbox.clear()
    signatory = partner(letter)
    client.post(
        open_link(client, signatory), {"action": "decline", "reason": "Outside our mandate"}
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert signatory.organization.label in message.subject
    assert "Outside our mandate" in message.body
    assert f"http://testserver{letter.get_absolute_url()}#sign-on" in message.body
    assert signatory.token not in message.body


def test_without_a_coordinator_address_the_decline_still_counts(client, coordinator):
    coordinator.email = ""
    coordinator.save()
    letter = circulate(make_signing_letter(), by=coordinator)
    mail.outbox.clear()
    signatory = partner(letter)
    response = client.post(
        open_link(client, signatory), {"action": "decline", "reason": "No"}, follow=True
    )
    assert "The coordinator sees it on the letter&#x27;s page." in response.content.decode()
    signatory.refresh_from_db()
    assert signatory.declined_at is not None
    assert mail.outbox == []


# -- links ------------------------------------------------------------------------


def test_emailed_links_and_board_links_come_from_the_address_in_use(client, coordinator, settings):
    settings.SITE_ROOT = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["letters.example.org"]
    letter = make_signing_letter()
    client.force_login(coordinator)
    deadline = timezone.localtime() + dt.timedelta(days=3)
    client.post(
        reverse("letters:signing_circulate", args=[letter.pk]),
        {"deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "message": "Hello", "email": "on"},
        HTTP_HOST="letters.example.org",
    )
    signatory = partner(letter)
    link = f"http://letters.example.org{sign_url(signatory)}"
    assert any(link in m.body for m in mail.outbox)
    assert not any("8000" in m.body for m in mail.outbox)
    html = client.get(letter.get_absolute_url(), HTTP_HOST="letters.example.org")
    assert f'value="{link}"' in html.content.decode()


def test_without_a_request_links_use_site_root(settings):
    from letters.links import absolute_url

    settings.SITE_ROOT = "https://letters.example.org/"
    assert absolute_url("/letters/1/") == "https://letters.example.org/letters/1/"
    with pytest.raises(ValueError):
        absolute_url("https://elsewhere.example.com/")


# -- after finalising ----------------------------------------------------------------


def test_after_finalising_the_board_does_not_say_a_link_ended_in_the_future(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    approve_all(client, letter, coordinator)
    response = client.post(reverse("letters:sending_finalise", args=[letter.pk]))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.FINAL
    board = board_of(page(client, letter))
    assert "Link ended" not in board and "works until" not in board
    assert board.count("Link closed: sign-on is over") == 2


def test_an_expired_link_says_when_it_ended(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    signatory = partner(letter)
    past = timezone.now() - dt.timedelta(hours=1)
    signatory.token_expires_at = past
    signatory.save()
    client.force_login(coordinator)
    board = board_of(page(client, letter))
    when = timezone.localtime(past).strftime("%-d %b, %H:%M")
    assert f"Link ended {when}" in board
    assert "Link works until" in board  # the other partner's link is live


def test_a_link_that_ended_in_another_year_says_which(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    signatory = partner(letter)
    signatory.token_expires_at = timezone.now() - dt.timedelta(days=400)
    signatory.save()
    client.force_login(coordinator)
    when = timezone.localtime(signatory.token_expires_at).strftime("%-d %b %Y, %H:%M")
    assert f"Link ended {when}" in board_of(page(client, letter))


def test_the_board_shows_fingerprints_not_hashes(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    client.post(open_link(client, partner(letter)), approve_data(letter))
    client.force_login(coordinator)
    board = board_of(page(client, letter))
    assert "version <code" in board and f">{letter.content_hash[:6]}</code>" in board
    assert letter.content_hash[:7] not in board
    assert "fingerprint of the exact text" in board


# -- the Finalise page ------------------------------------------------------------------


def test_finalise_page_offers_no_finalise_button_while_it_cannot_be_done(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    client.force_login(coordinator)
    html = client.get(reverse("letters:sending_finalise", args=[letter.pk])).content.decode()
    assert "cannot be finalised yet" in html
    assert "Finalise now" not in html
    assert "Back to the letter" in html
    assert "not invited yet" not in html.lower()
    assert "Lead Org has not approved the current text (not approved yet)" in html
    assert letter.content_hash[:7] not in html


def test_finalise_page_offers_the_button_when_it_can_be_done(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    approve_all(client, letter, coordinator)
    html = client.get(reverse("letters:sending_finalise", args=[letter.pk])).content.decode()
    assert "Finalise now" in html and "cannot be finalised yet" not in html


# -- the letter page -------------------------------------------------------------------


def test_the_letter_page_numbers_recommendations_across_sections_as_printed(client, coordinator):
    letter = make_signing_letter()
    second = make_section(letter, heading="Migrants")
    make_recommendation(second, text="Let families visit.")
    client.force_login(coordinator)
    html = page(client, letter)
    numbers = re.findall(r'<span class="rec-number">(\d+)\.</span>', html)
    assert numbers == ["1", "2", "3"]
    letter.recommendation_style = "bulleted"
    letter.save()
    assert 'class="rec-number"' not in page(client, letter)


def test_the_letter_page_labels_both_status_badges(client, coordinator):
    letter = make_signing_letter(status="sent")
    rec = letter.recommendations.first()
    make_follow_up(rec, response_status="partially_accepted", implementation_status="in_progress")
    assert FollowUp.objects.count() == 1
    client.force_login(coordinator)
    html = page(client, letter)
    assert "Response: partially accepted" in html
    assert "Implementation: in progress" in html
    assert "Response: no response yet" in html and "Implementation: not assessed" in html


def test_an_organisation_that_declined_is_not_listed_as_signing(client, coordinator):
    letter = circulate(make_signing_letter(), by=coordinator)
    signatory = partner(letter)
    client.post(open_link(client, signatory), {"action": "decline", "reason": "No"})
    client.force_login(coordinator)
    html = page(client, letter)
    name = signatory.organization.name
    text = html.split('class="letter-paper"')[1].split("</article>")[0]
    listed = html.split('id="sign-heading"')[1].split("</section>")[0]
    assert name not in text and name not in listed
    assert name in board_of(html)  # where it says that it declined


def primaries(html: str) -> int:
    bar = html.split('class="page-actions')[1].split('<div class="row g-4">')[0]
    return len(re.findall(r'class="btn btn-primary"', bar))


@pytest.mark.parametrize("status", ["draft", "circulating", "final", "sent", "published"])
def test_the_letter_page_has_one_primary_action(client, coordinator, drafter, status):
    letter = make_signing_letter(status=status)
    for user in (coordinator, drafter):
        client.force_login(user)
        assert primaries(page(client, letter)) == 1, (user, status)


def test_the_letter_page_query_count_does_not_grow_with_signatories(
    client, coordinator, django_assert_max_num_queries
):
    letter = circulate(make_signing_letter(cosigners=2), by=coordinator)
    client.post(open_link(client, partner(letter)), {"action": "decline", "reason": "No"})
    client.force_login(coordinator)
    reset_queries()
    with django_assert_max_num_queries(60) as small:
        client.get(letter.get_absolute_url())
    count = len(small)
    bigger = circulate(make_signing_letter(cosigners=6, reference="BIG-1"), by=coordinator)
    for n in range(3):
        client.post(open_link(client, partner(bigger, n)), {"action": "decline", "reason": "No"})
        client.post(open_link(client, partner(bigger, n)), approve_data(bigger))
    client.force_login(coordinator)
    reset_queries()
    with django_assert_max_num_queries(count):
        client.get(bigger.get_absolute_url())


def test_approved_signatories_from_an_open_call_fold_into_one_line_of_the_board(
    client, coordinator, django_assert_max_num_queries
):
    from letters.models import Organization, Signatory

    letter = circulate(make_signing_letter(cosigners=1))
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Call Member {n:03d}") for n in range(120)
    )
    Signatory.objects.bulk_create(
        Signatory(
            letter=letter,
            organization=org,
            order=10 + n,
            from_open_call=True,
            approved_at=timezone.now(),
            approved_hash=letter.content_hash if n else "an older text",
        )
        for n, org in enumerate(orgs)
    )
    client.force_login(coordinator)
    board = board_of(page(client, letter))
    assert "119 of 122 approved the current text" in board
    assert "119 organisations from the open call" in board
    assert "Call Member 001" not in board
    # One that approved an older text still has its own row, to be chased.
    assert "Call Member 000" in board
    assert f"/letters/{letter.pk}/call/queue/?status=approved" in board
    with django_assert_max_num_queries(60):
        client.get(letter.get_absolute_url())
