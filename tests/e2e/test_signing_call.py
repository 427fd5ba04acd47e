"""
An open call in a real browser: the coordinator opens it, an outsider signs
on the public page and confirms by the e-mailed link, the coordinator
approves the offer in the queue, and the public count and list update. Then
the whole of a 400-organisation letter, from the call to the printed PDF.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from letters.models import CallSignature, CallSignatureStatus, Letter, Organization
from tests.e2e.conftest import assert_accessible
from tests.factories import make_signing_letter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"signing_call_{name}.png", full_page=True)


def confirmation_link() -> str:
    assert len(mail.outbox) == 1
    found = re.search(r"https?://\S+/call/confirm/\S+/", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    return found.group(0)


def test_an_outsider_signs_confirms_and_is_approved(
    page, browser, live_server, log_in, coordinator
):
    letter = make_signing_letter()
    log_in(coordinator)

    # The coordinator opens the call from the letter's page.
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_role("link", name="Open call").click()
    assert_accessible(page)
    page.get_by_label("Introduction on the public page (optional)").fill(
        "Organisations working with refugees are welcome to sign."
    )
    page.get_by_role("button", name="Open the call").click()
    expect(page.get_by_text("The call for signatures is open.")).to_be_visible()
    public_url = page.get_by_role("link", name="Public page").get_attribute("href")

    # An outsider, in a browser of their own, signs on the public page.
    outsider = browser.new_context().new_page()
    outsider.goto(f"{live_server.url}{public_url}")
    expect(outsider.get_by_text("Stop forced returns.")).to_be_visible()
    expect(outsider.get_by_text("0 organisations signed")).to_be_visible()
    assert_accessible(outsider)
    outsider.get_by_label("Organisation name").fill("Refugee Rights Osaka")
    outsider.get_by_label("Country").select_option(label="Japan")
    outsider.get_by_label("Website").fill("https://refugee-rights.example.jp")
    outsider.get_by_label("Contact person").fill("Aiko Tanaka")
    outsider.get_by_label("Contact e-mail").fill("aiko@example.jp")
    outsider.get_by_label("Name of the person signing").fill("Aiko Tanaka")
    outsider.get_by_label("Their title").fill("Coordinator")
    outsider.get_by_label("may be shown publicly").check()
    shot(outsider, "public")
    outsider.get_by_role("button", name="Sign").click()
    expect(outsider.get_by_text("We e-mailed a link to aiko@example.jp")).to_be_visible()

    # The e-mailed link, then the confirmation.
    outsider.goto(confirmation_link())
    expect(outsider).not_to_have_url(re.compile(r"/call/confirm/"))
    assert_accessible(outsider)
    outsider.get_by_role("button", name="Confirm our signature").click()
    expect(outsider.get_by_text("You confirmed this text")).to_be_visible()
    shot(outsider, "confirmation")
    assert CallSignature.objects.get().status == CallSignatureStatus.CONFIRMED

    # Not counted before moderation.
    outsider.goto(f"{live_server.url}{public_url}")
    expect(outsider.get_by_text("0 organisations signed")).to_be_visible()

    # The coordinator approves it in the queue.
    page.reload()
    expect(page.get_by_text("Confirmed, to moderate", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Refugee Rights Osaka").check()
    page.get_by_label("With the selected").select_option("approve")
    shot(page, "queue")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Done for Refugee Rights Osaka.")).to_be_visible()
    expect(page.locator(".call-status")).to_have_text("Approved")
    assert_accessible(page)

    # The public page's live count and list update without a reload.
    count = outsider.locator("#call-count")
    outsider.evaluate("htmx.trigger('#call-count', 'refresh')")
    expect(count.get_by_text("1 organisation signed")).to_be_visible()
    expect(count.get_by_text("Refugee Rights Osaka")).to_be_visible()
    letter = Letter.objects.get(pk=letter.pk)
    signatory = letter.signatories.get(organization__name="Refugee Rights Osaka")
    assert signatory.has_approved(letter.content_hash)
    outsider.context.close()


# -- a coalition's letter, from the call to the printed PDF ---------------------------------

OUTSIDERS = [
    ("Refugee Rights Osaka", "Japan", "aiko@example.jp"),
    ("Nairobi Rights Forum", "Kenya", "wanjiru@example.ke"),
    ("São Paulo Direitos Humanos", "Brazil", "joao@example.br"),
]
SIGNERS = 400
# Countries written as people type them; every fourth offer gives none the directory knows.
TYPED = ["Japan", "kenya", "Brazil", "France", "Germany", "India", "Mexico", "Nepal", "Peru"]


def sign_on_the_public_page(page, url: str, name: str, country: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Organisation name").fill(name)
    page.get_by_label("Country").select_option(label=country)
    page.get_by_label("Contact person").fill("Contact Person")
    page.get_by_label("Contact e-mail").fill(email)
    page.get_by_label("may be shown publicly").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text(f"We e-mailed a link to {email}")).to_be_visible()
    found = re.search(r"https?://\S+/call/confirm/\S+/", mail.outbox[-1].body)
    assert found and mail.outbox[-1].to == [email]
    page.goto(found.group(0))
    page.get_by_role("button", name="Confirm our signature").click()
    expect(page.get_by_text("You confirmed this text")).to_be_visible()


def confirmed_in_bulk(letter: Letter, count: int) -> list[str]:
    """The bulk of the coalition, confirmed by e-mail as the three above were."""
    call = letter.sign_on_call
    names = [f"Coalition Member {n:03d}" for n in range(count)]
    CallSignature.objects.bulk_create(
        CallSignature(
            call=call,
            organization_name=name,
            country=TYPED[n % len(TYPED)] if n % 4 else "Atlantis",
            contact_name="Contact",
            contact_email=f"member{n}@example.org",
            consent_to_publish=True,
            status=CallSignatureStatus.CONFIRMED,
            confirmed_at=call.opened_at,
            confirmed_hash=letter.content_hash,
        )
        for n, name in enumerate(names)
    )
    return names


def printed_words(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def test_a_coordinator_runs_a_400_organisation_letter_from_call_to_printed_pdf(
    page, browser, live_server, log_in, coordinator
):
    letter = make_signing_letter(cosigners=0)
    Organization.objects.filter(name="Lead Org").update(country="GB")
    log_in(coordinator)
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_role("link", name="Open call").click()
    page.get_by_role("button", name="Open the call").click()
    expect(page.get_by_text("The call for signatures is open.")).to_be_visible()
    public = page.get_by_role("link", name="Public page").get_attribute("href")
    public_url = f"{live_server.url}{public}"

    # A few outsiders sign on the public page, each confirming by the e-mailed link...
    outsider = browser.new_context().new_page()
    for name, country, email in OUTSIDERS:
        sign_on_the_public_page(outsider, public_url, name, country, email)
    # ...and the rest of the 400 (the lead is one) as if they had done the same.
    letter = Letter.objects.select_related("sign_on_call").get(pk=letter.pk)
    names = confirmed_in_bulk(letter, SIGNERS - 1 - len(OUTSIDERS))
    names += [name for name, _, _ in OUTSIDERS]

    # The coordinator approves every confirmed offer at once, through the queue's filter.
    page.reload()
    page.get_by_label("Status").select_option("confirmed")
    page.get_by_role("button", name="Filter").click()
    every = page.get_by_label("All 399 offers the filter finds (confirmed, to moderate)")
    expect(page.get_by_text("199 more: narrow the filter to see them.")).to_be_visible()
    assert_accessible(page)
    every.check()
    shot(page, "queue_400")
    page.get_by_label("With the selected").select_option("approve")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Done for 399 offers (Refugee Rights Osaka,")).to_be_visible()
    expect(page.get_by_text("No offer matches.")).to_be_visible()
    page.get_by_role("button", name="Close the call (to edit the text)").click()
    expect(page.get_by_text("The call for signatures is closed")).to_be_visible()

    # A numbered list by country, not 400 signature blocks.
    page.goto(f"{live_server.url}{reverse('letters:drafting_edit', args=[letter.pk])}")
    page.get_by_label("Signatories print as").select_option("list")
    page.get_by_label("List grouped").select_option("country")
    # The lead's letterhead: the 400 are listed with the signatures.
    page.get_by_label("Letterhead").select_option("lead")
    page.get_by_role("button", name="Save letter").click()
    expect(page.get_by_text(f"Saved {letter.reference}")).to_be_visible()

    # The lead approves for itself, then the letter is finalised and printed.
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    page.get_by_label("Signer's name").fill("Lee Lead")
    page.get_by_role("button", name="Approve current text for Lead Org").click()
    page.get_by_role("link", name="Finalise").click()
    page.get_by_role("button", name="Finalise now").click()
    expect(page.get_by_role("region", name="Print")).to_be_visible()
    assert Letter.objects.get(pk=letter.pk).status == "final"
    assert_accessible(page)
    shot(page, "letter_400")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF", exact=True).click()
    words = printed_words(Path(download.value.path()).read_bytes())

    # The lead's United Kingdom and the nine typed ones.
    count_line = f"Signed by {SIGNERS} organisations from 10 countries"
    assert count_line in words
    listed = words[words.index(count_line) :]
    # Grouped by country in alphabetical order, those the directory could not place last.
    headings = ["Brazil", "France", "Germany", "India", "Japan", "Kenya", "Mexico", "Nepal"]
    positions = [listed.index(h) for h in [*headings, "Peru", "United Kingdom"]]
    assert positions == sorted(positions)
    assert listed.index("Country not given") > positions[-1]
    # Every signatory exactly once (the lead also heads the letter), numbered 1 to 400.
    assert [name for name in names if words.count(name) != 1] == []
    assert "Lead Org" in listed
    assert f"{SIGNERS}. " in listed and f"{SIGNERS + 1}. " not in listed
    outsider.context.close()
