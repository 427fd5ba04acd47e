"""
The letter page and the sign-on board as a coordinator reads them: one main
action, recommendations numbered as printed, labelled statuses, fingerprints
rather than hashes, a decline that stays on the record and reaches the
coordinator by e-mail, and a Finalise page that does not offer what it refuses.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from letters import signing
from letters.models import SignatoryRole
from tests.e2e.conftest import assert_accessible
from tests.factories import make_signing_letter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
HASH = re.compile(r"\b[0-9a-f]{12,64}\b")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"letter_page_{name}.png", full_page=True)


def test_the_sent_letter_page_reads_as_printed(page, live_server, log_in, demo, coordinator):
    log_in(coordinator)
    page.goto(f"{live_server.url}{demo.get_absolute_url()}")
    actions = page.locator(".page-actions")
    expect(actions.locator(".btn-primary")).to_have_count(1)
    numbers = page.locator(".letter-paper .rec-number")
    expect(numbers).to_have_count(14)
    expect(numbers.first).to_have_text("1.")
    expect(numbers.last).to_have_text("14.")
    expect(page.get_by_text("Response: rejected").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Implementation: ")).first).to_be_visible()
    assert not HASH.search(page.locator("main").inner_text())
    assert_accessible(page)
    shot(page, "sent")


def test_a_decline_is_kept_mailed_and_finalising_waits(
    page, browser, live_server, log_in, coordinator
):
    letter = make_signing_letter(reference="BOARD-1")
    signing.circulate(letter=letter, by=coordinator, deadline=timezone.now() + dt.timedelta(days=5))
    partner = letter.signatories.filter(role=SignatoryRole.COSIGNER).order_by("order").first()
    mail.outbox.clear()

    # The partner declines, then thinks again and approves, in a browser of their own.
    signer = browser.new_context().new_page()
    signer.goto(f"{live_server.url}{reverse('public:sign', args=[partner.token])}")
    signer.get_by_label("Why is your organisation not signing?").fill("Not our mandate")
    signer.get_by_role("button", name="Decline to sign").click()
    expect(
        signer.get_by_text("Your organisation declined. The coordinator is told.")
    ).to_be_visible()
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert "Not our mandate" in mail.outbox[0].body
    signer.get_by_label("Your name").fill("Sam Signer")
    signer.get_by_label("Your title").fill("Director")
    signer.get_by_role("button", name="Approve this text").click()
    expect(signer.get_by_text("Thank you: your organisation approved this text.")).to_be_visible()
    signer.context.close()

    log_in(coordinator)
    page.goto(f"{live_server.url}{letter.get_absolute_url()}")
    row = page.locator(".signing-row", has_text=partner.organization.name)
    expect(row.get_by_text(re.compile(r"^Declined .*Not our mandate"))).to_be_visible()
    expect(row.get_by_text(re.compile(r"^Approved version"))).to_be_visible()
    lead = page.locator(".signing-row", has_text="Lead Org")
    expect(lead.locator(".signing-state")).to_have_text("Not approved yet")
    expect(page.locator(".page-actions .btn-primary")).to_have_count(1)
    assert not HASH.search(page.locator("main").inner_text())
    assert_accessible(page)
    shot(page, "board")

    page.get_by_role("link", name="Finalise").click()
    expect(page.get_by_role("heading", name="The letter cannot be finalised yet")).to_be_visible()
    expect(page.get_by_role("button", name="Finalise now")).to_have_count(0)
    expect(
        page.get_by_text("Lead Org has not approved the current text (not approved yet)")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Back to the letter")).to_be_visible()
    assert_accessible(page)
    shot(page, "finalise_refused")
