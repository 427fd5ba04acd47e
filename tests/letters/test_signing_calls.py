"""
Open calls for signatures: a public page with the exact text and a form,
confirmation by an e-mailed link, a moderation queue, a frozen text, and the
limits that keep the form from being abused.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advocacy.logs import redact
from letters import drafting, signing
from letters.models import (
    CallSignature,
    CallSignatureStatus,
    Letter,
    LetterStatus,
    Organization,
    SignOnCall,
)
from tests.factories import make_organization, make_signing_letter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    frozen = SimpleNamespace(time=lambda: 1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", frozen)
    cache.clear()
    yield
    cache.clear()


def open_on(letter: Letter, *, days: int = 7, cap: int = 200) -> SignOnCall:
    call, _ = signing.open_call(
        letter=letter,
        by=None,
        deadline=timezone.now() + dt.timedelta(days=days),
        intro="Join the coalition.",
        max_unconfirmed=cap,
    )
    return call


@pytest.fixture
def call():
    return open_on(make_signing_letter())


def offer(**overrides) -> dict:
    data = {
        "organization_name": "Rights Watch Busan",
        "country": "KR",
        "website": "https://rights.example.kr",
        "contact_name": "Min-ji Park",
        "contact_email": "minji@example.kr",
        "signer_name": "Min-ji Park",
        "signer_title": "Director",
        "consent_to_publish": "on",
        "nickname": "",
    }
    return {**data, **overrides}


def page(call: SignOnCall) -> str:
    return reverse("public:signing_call", args=[call.pk])


def link_in(message) -> str:
    found = re.search(r"https?://\S+/call/confirm/\S+/", message.body)
    assert found, message.body
    return found.group(0).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def confirm_by_mail(client: Client, message) -> str:
    """Open the e-mailed link and confirm the text shown; the page's address."""
    response = client.get(link_in(message))
    assert response.status_code == 302
    shown = client.get(response["Location"])
    content_hash = re.search(r'name="content_hash" value="(\w+)"', shown.content.decode())
    assert content_hash
    client.post(response["Location"], {"action": "confirm", "content_hash": content_hash[1]})
    return response["Location"]


def submitted(client: Client, call: SignOnCall, **overrides) -> CallSignature:
    response = client.post(page(call), offer(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return CallSignature.objects.get(contact_email=offer(**overrides)["contact_email"])


def moderate(client, coordinator, call, signature, action="approve", **extra):
    client.force_login(coordinator)
    url = reverse("letters:signing_call_queue", args=[call.letter_id])
    response = client.post(url, {"action": action, "signatures": [signature.pk], **extra})
    assert response.status_code == 302
    client.logout()


# -- opening ----------------------------------------------------------------------------


def test_a_coordinator_opens_a_call_and_a_draft_starts_circulating(client, coordinator):
    letter = make_signing_letter()
    client.force_login(coordinator)
    deadline = timezone.localtime(timezone.now() + dt.timedelta(days=10))
    response = client.post(
        reverse("letters:signing_call_open", args=[letter.pk]),
        {
            "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "intro": "Please join.",
            "max_unconfirmed": "50",
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CIRCULATING
    call = SignOnCall.objects.get(letter=letter)
    assert call.is_open() and call.max_unconfirmed == 50


def test_a_drafter_cannot_open_a_call(client, drafter):
    letter = make_signing_letter()
    client.force_login(drafter)
    url = reverse("letters:signing_call_open", args=[letter.pk])
    assert client.post(url, {"deadline": "2099-01-01T10:00"}).status_code == 403
    assert not SignOnCall.objects.exists()


def test_the_public_page_shows_the_exact_text_the_deadline_and_the_form(client, call):
    html = client.get(page(call)).content.decode()
    assert "Stop forced returns." in html and "Open the asylum procedure." in html
    assert "Join the coalition." in html
    assert "Organisations can sign until" in html
    assert 'name="organization_name"' in html and 'maxlength="200"' in html
    assert "0 organisations signed" in html


def test_the_public_page_of_a_finalised_letter_is_gone(client, call):
    Letter.objects.filter(pk=call.letter_id).update(status=LetterStatus.FINAL)
    assert client.get(page(call)).status_code == 404


# -- submitting and confirming -------------------------------------------------------------


def test_an_offer_is_confirmed_by_the_emailed_link_and_does_not_count_before_moderation(
    client, call
):
    signature = submitted(client, call)
    assert signature.status == CallSignatureStatus.UNCONFIRMED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["minji@example.kr"]
    token = link_in(mail.outbox[0]).split("/")[-2]
    # Only a hash of the token is stored.
    assert token not in signature.token_hash and len(signature.token_hash) == 64
    address = confirm_by_mail(Client(), mail.outbox[0])
    assert token not in address
    signature.refresh_from_db()
    assert signature.status == CallSignatureStatus.CONFIRMED
    assert signature.confirmed_hash == call.letter.content_hash
    # Nothing from the form reaches the letter before a coordinator approves.
    assert not call.letter.signatories.filter(organization__name="Rights Watch Busan").exists()
    assert "0 organisations signed" in client.get(page(call)).content.decode()


def test_the_confirmation_page_needs_the_browser_that_opened_the_link(client, call):
    submitted(client, call)
    opener = Client()
    address = opener.get(link_in(mail.outbox[0]))["Location"]
    stranger = Client().get(address).content.decode()
    assert "Open the link from your e-mail again" in stranger
    assert "Rights Watch Busan" not in stranger


def test_a_wrong_confirmation_link_does_not_work(client, call):
    response = client.get(reverse("public:signing_call_confirm", args=["x" * 43]))
    assert response.status_code == 404


def test_the_confirmation_link_is_kept_out_of_log_lines():
    line = '"GET /call/confirm/Abc-123_xyz/ HTTP/1.1" 302'
    assert redact(line) == '"GET /call/confirm/[redacted]/ HTTP/1.1" 302'


def test_the_confirmation_link_is_redacted_by_the_logging_filter(client, call, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(reverse("public:signing_call_confirm", args=["secret-token-value"]))
    assert "secret-token-value" not in caplog.text


def test_bad_input_keeps_what_was_typed(client, call):
    response = client.post(page(call), offer(contact_email="not an address", country=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rights Watch Busan" in html and "not an address" in html
    assert "Enter a valid email address." in html
    assert not CallSignature.objects.exists() and not mail.outbox


def test_one_address_answers_a_call_once(client, call):
    submitted(client, call)
    response = client.post(page(call), offer(organization_name="Another name"))
    assert response.status_code == 200
    assert "already answered this call" in response.content.decode()
    assert CallSignature.objects.count() == 1


# -- moderation -----------------------------------------------------------------------------


def test_approving_creates_the_organisation_and_a_signatory_for_the_current_text(
    client, coordinator, call
):
    signature = submitted(client, call)
    confirm_by_mail(Client(), mail.outbox[0])
    moderate(client, coordinator, call, signature)
    signature.refresh_from_db()
    letter = Letter.objects.get(pk=call.letter_id)
    assert signature.status == CallSignatureStatus.APPROVED
    organization = Organization.objects.get(name="Rights Watch Busan")
    assert organization.website == "https://rights.example.kr"
    signatory = letter.signatories.get(organization=organization)
    assert signatory.has_approved(letter.content_hash)
    assert signatory.signer_name == "Min-ji Park"
    # The list of public signers is not part of the text the partners approved.
    assert letter.compute_content_hash() == letter.content_hash
    count = client.get(reverse("public:signing_call_count", args=[call.pk])).content.decode()
    assert "1 organisation signed" in count
    assert "Rights Watch Busan" in count


def test_a_signer_without_consent_counts_but_is_not_named(client, coordinator, call):
    signature = submitted(client, call, consent_to_publish="")
    confirm_by_mail(Client(), mail.outbox[0])
    moderate(client, coordinator, call, signature)
    html = client.get(page(call)).content.decode()
    assert "1 organisation signed" in html
    assert "Rights Watch Busan" not in html


def test_an_unconfirmed_offer_is_not_approved(client, coordinator, call):
    signature = submitted(client, call)
    client.force_login(coordinator)
    url = reverse("letters:signing_call_queue", args=[call.letter_id])
    response = client.post(url, {"action": "approve", "signatures": [signature.pk]}, follow=True)
    assert "not confirmed by e-mail yet" in response.content.decode()
    signature.refresh_from_db()
    assert signature.status == CallSignatureStatus.UNCONFIRMED
    assert not Organization.objects.filter(name="Rights Watch Busan").exists()


def test_merging_links_an_existing_organisation_instead_of_a_new_one(client, coordinator, call):
    existing = make_organization(name="Rights Watch (Busan office)")
    signature = submitted(client, call)
    confirm_by_mail(Client(), mail.outbox[0])
    moderate(client, coordinator, call, signature, action="merge", organization=existing.pk)
    signature.refresh_from_db()
    assert signature.organization == existing
    assert not Organization.objects.filter(name="Rights Watch Busan").exists()
    assert call.letter.signatories.filter(organization=existing, from_open_call=True).exists()


def test_bulk_reject_and_the_queue_filters(client, coordinator, call):
    first = submitted(client, call)
    second = submitted(client, call, contact_email="b@example.org", organization_name="Beta")
    client.force_login(coordinator)
    url = reverse("letters:signing_call_queue", args=[call.letter_id])
    client.post(url, {"action": "reject", "signatures": [first.pk, second.pk]})
    assert set(CallSignature.objects.values_list("status", flat=True)) == {"rejected"}
    listed = client.get(url, {"status": "rejected", "q": "beta"}).content.decode()
    assert "<strong>Beta</strong>" in listed
    assert "<strong>Rights Watch Busan</strong>" not in listed


def test_approving_files_the_country_the_form_was_given(client, coordinator, call):
    signature = submitted(client, call, country="japan")
    confirm_by_mail(Client(), mail.outbox[0])
    moderate(client, coordinator, call, signature)
    assert Organization.objects.get(name="Rights Watch Busan").country == "JP"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Japan", "JP"), (" kenya ", "KE"), ("gb", "GB"), ("Viet Nam", "VN"), ("Atlantis", "")],
)
def test_a_typed_country_is_read_by_name_or_code(typed, code):
    assert signing.country_code(typed) == code


def confirmed_offers(call: SignOnCall, count: int, **fields) -> None:
    CallSignature.objects.bulk_create(
        CallSignature(
            call=call,
            organization_name=f"Offer {n}",
            country="Kenya",
            contact_name="C",
            contact_email=f"offer{n}@example.org",
            status=CallSignatureStatus.CONFIRMED,
            confirmed_hash=call.letter.content_hash,
            **fields,
        )
        for n in range(count)
    )


def test_every_offer_the_filter_finds_is_moderated_at_once(client, coordinator, call):
    confirmed_offers(call, 230)
    waiting = submitted(client, call)
    client.force_login(coordinator)
    url = reverse("letters:signing_call_queue", args=[call.letter_id])
    shown = client.get(url, {"status": "confirmed"}).content.decode()
    assert "All 230 offers the filter finds (confirmed, to moderate)" in shown
    response = client.post(
        f"{url}?status=confirmed", {"action": "approve", "everything": "on"}, follow=True
    )
    # More than a page of the queue shows, and one line says so.
    assert "Done for 230 offers (Offer 0, Offer 1, Offer 2, Offer 3, Offer 4 and 225 more)." in (
        response.content.decode()
    )
    assert call.letter.signatories.filter(from_open_call=True).count() == 230
    waiting.refresh_from_db()
    assert waiting.status == CallSignatureStatus.UNCONFIRMED


def test_moderating_needs_ticked_offers_or_every_one(client, coordinator, call):
    confirmed_offers(call, 2)
    client.force_login(coordinator)
    url = reverse("letters:signing_call_queue", args=[call.letter_id])
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 200
    assert "Tick the offers to apply this to, or choose every one." in response.content.decode()
    assert not call.letter.signatories.filter(from_open_call=True).exists()


def test_the_queue_takes_a_fixed_number_of_queries(
    client, coordinator, call, django_assert_max_num_queries
):
    for n in range(30):
        CallSignature.objects.create(
            call=call,
            organization_name=f"Org {n}",
            country="Kenya",
            contact_name="C",
            contact_email=f"c{n}@example.org",
        )
    client.force_login(coordinator)
    url = reverse("letters:signing_call_queue", args=[call.letter_id])
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_the_public_page_takes_a_fixed_number_of_queries(
    client, coordinator, call, django_assert_max_num_queries
):
    letter = call.letter
    for n in range(30):
        org = make_organization(name=f"Signer {n}")
        letter.signatories.create(
            organization=org,
            order=10 + n,
            from_open_call=True,
            consent_to_publish=True,
            approved_at=timezone.now(),
            approved_hash=letter.content_hash,
        )
    with django_assert_max_num_queries(25):
        html = client.get(page(call)).content.decode()
    assert "30 organisations signed" in html


# -- the deadline and abuse ---------------------------------------------------------------------


def test_the_form_closes_at_the_deadline(client, call):
    SignOnCall.objects.filter(pk=call.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    html = client.get(page(call)).content.decode()
    assert "This call for signatures is closed." in html
    assert 'name="organization_name"' not in html
    response = client.post(page(call), offer())
    assert "This call for signatures is closed." in response.content.decode()
    assert not CallSignature.objects.exists() and not mail.outbox


def test_the_honeypot_keeps_nothing_and_sends_nothing(client, call):
    response = client.post(page(call), offer(nickname="bot"))
    assert response.status_code == 302
    assert not CallSignature.objects.exists() and not mail.outbox


def test_the_cap_on_unconfirmed_offers_pauses_the_form_and_keeps_the_input(client):
    call = open_on(make_signing_letter(), cap=1)
    submitted(client, call)
    response = client.post(page(call), offer(contact_email="second@example.org"))
    html = response.content.decode()
    assert "Too many signatures are waiting for confirmation" in html
    assert "second@example.org" in html
    assert CallSignature.objects.count() == 1


def test_one_email_address_is_rate_limited(client, call):
    for n in range(3):
        client.post(page(call), offer(organization_name=f"Org {n}", contact_email="x@example.org"))
    response = client.post(page(call), offer(contact_email="x@example.org"))
    assert response.status_code == 429


def test_one_client_address_is_rate_limited(client, call):
    statuses = [
        client.post(page(call), offer(contact_email=f"p{n}@example.org")).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [302] * 20 and statuses[20] == 429
    assert CallSignature.objects.count() == 20


def test_the_rate_limit_follows_the_address_our_proxy_saw(client, call, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(20):
        client.post(
            page(call),
            offer(contact_email=f"p{n}@example.org"),
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    other = client.post(
        page(call), offer(contact_email="q@example.org"), HTTP_X_FORWARDED_FOR="203.0.113.10"
    )
    assert other.status_code == 302


# -- the frozen text and re-confirmation ------------------------------------------------------


def test_the_text_is_frozen_while_the_call_is_open(client, drafter, call):
    client.force_login(drafter)
    response = client.get(reverse("letters:drafting_edit", args=[call.letter_id]))
    assert response.status_code == 403
    assert "close the call to edit it" in response.content.decode()
    section = call.letter.sections.first()
    response = client.post(
        reverse("letters:drafting_section_edit", args=[call.letter_id, section.pk]),
        {"heading": "Changed"},
    )
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.heading == "Refugees"


def test_closing_the_call_lets_the_text_be_edited(client, coordinator, call):
    client.force_login(coordinator)
    client.post(reverse("letters:signing_call_close", args=[call.letter_id]))
    call.refresh_from_db()
    assert not call.is_open()
    assert client.get(reverse("letters:drafting_edit", args=[call.letter_id])).status_code == 200
    assert "This call for signatures is closed." in Client().get(page(call)).content.decode()


def test_a_changed_text_asks_confirmed_signers_again_with_the_diff(client, coordinator, call):
    signature = submitted(client, call)
    signer = Client()
    confirm_by_mail(signer, mail.outbox[0])
    moderate(client, coordinator, call, signature)
    signing.close_call(call=call, by=coordinator)
    letter = Letter.objects.get(pk=call.letter_id)
    letter.opening = "We write again about returnees."
    drafting.save_letter(letter=letter, lead_changed=False, reference_changed=False)
    mail.outbox.clear()
    client.force_login(coordinator)
    deadline = timezone.localtime(timezone.now() + dt.timedelta(days=3))
    client.post(
        reverse("letters:signing_call_open", args=[letter.pk]),
        {"deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "intro": "", "max_unconfirmed": "200"},
    )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "{+We write again about returnees.+}" in body
    letter.refresh_from_db()
    signatory = letter.signatories.get(organization__name="Rights Watch Busan")
    assert not signatory.has_approved(letter.content_hash)
    assert "0 organisations signed" in Client().get(page(call)).content.decode()
    # The signer sees what changed and confirms again: the approval counts for the new text.
    again = Client()
    address = again.get(link_in(mail.outbox[0]))["Location"]
    html = again.get(address).content.decode()
    assert "What changed since you confirmed" in html and "<ins>" in html
    again.post(address, {"action": "confirm", "content_hash": letter.content_hash})
    signatory.refresh_from_db()
    assert signatory.has_approved(letter.content_hash)
    # The first link no longer works.
    assert signer.get(link_in(mail.outbox[0])).status_code == 302


def test_a_signer_drops_out_and_stops_counting(client, coordinator, call):
    signature = submitted(client, call)
    signer = Client()
    address = confirm_by_mail(signer, mail.outbox[0])
    moderate(client, coordinator, call, signature)
    signer.post(address, {"action": "drop_out"})
    signature.refresh_from_db()
    assert signature.status == CallSignatureStatus.WITHDRAWN
    # Gone from the letter: it neither prints nor holds up finalising.
    assert signature.signatory is None
    assert not call.letter.signatories.filter(organization__name="Rights Watch Busan").exists()
    assert "0 organisations signed" in client.get(page(call)).content.decode()


def test_private_links_keep_working_beside_the_call(client, call):
    partner = call.letter.signatories.get(order=1)
    partner.invited_at = timezone.now()
    partner.token_expires_at = timezone.now() + dt.timedelta(days=7)
    partner.save()
    response = client.get(reverse("public:sign", args=[partner.token]), follow=True)
    assert response.status_code == 200
    assert "Stop forced returns." in response.content.decode()


def test_the_country_is_a_labelled_list_of_every_country(client, call):
    html = client.get(page(call)).content.decode()
    assert 'for="id_country"' in html and 'id="id_country"' in html
    select = html.split('<select name="country"')[1].split("</select>")[0]
    assert 'autocomplete="country"' in select
    assert '<option value="" selected>Choose a country…</option>' in select
    assert '<option value="KR">' in select and '<option value="JP">' in select
    assert select.count("<option") > 240


def test_korea_chosen_from_the_list_is_filed_as_korea(client, coordinator, call):
    signature = submitted(client, call, country="KR")
    assert signature.country == "KR" and signature.country_name == "South Korea"
    confirm_by_mail(Client(), mail.outbox[0])
    moderate(client, coordinator, call, signature)
    assert Organization.objects.get(name="Rights Watch Busan").country == "KR"
    client.force_login(coordinator)
    queue = client.get(
        reverse("letters:signing_call_queue", args=[call.letter.pk]), {"status": "approved"}
    )
    assert "South Korea" in queue.content.decode()


@pytest.mark.parametrize("country", ["", "Atlantis", "XX", "Republic of Atlantis" * 10])
def test_a_country_not_on_the_list_is_refused_clearly(client, call, country):
    response = client.post(page(call), offer(country=country))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose your organisation&#x27;s country from the list." in html
    assert 'value="Rights Watch Busan"' in html and 'value="minji@example.kr"' in html
    assert not CallSignature.objects.exists() and not mail.outbox


def test_the_chosen_country_is_kept_when_another_field_is_wrong(client, call):
    response = client.post(page(call), offer(contact_email="not an address"))
    assert '<option value="KR" selected>' in response.content.decode()
