"""
An open call in a real browser: the coordinator opens it, an outsider signs
on the public page and confirms by the e-mailed link, the coordinator
approves the offer in the queue, and the public count and list update.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from letters.models import CallSignature, CallSignatureStatus, Letter
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
    outsider.get_by_label("Country").fill("Japan")
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
