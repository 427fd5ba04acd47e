"""A Japanese translation of an English letter, from the letter page to a shared follow-up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from letters.models import FollowUp, Letter
from tests import factories
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp")


def shoot(page, name: str) -> None:
    page.screenshot(path=SHOTS / f"i14-translations-{name}.png", full_page=True)


def test_drafter_translates_a_letter_and_sees_the_originals_follow_up_on_it(
    page, live_server, log_in, drafter
):
    letter = factories.make_draft(reference="HR-2024-07", language="en", status="sent")
    original_rec = letter.recommendations.get(number=1)
    log_in(drafter)
    base = live_server.url

    page.goto(f"{base}{letter.get_absolute_url()}")
    page.get_by_role("link", name="Translate").click()
    assert_accessible(page)
    page.get_by_label("Translate into").select_option(label="Japanese")
    expect(page.get_by_label("Reference")).to_have_value("HR-2024-07-JA")
    page.get_by_role("button", name="Create the translation").click()
    expect(page.get_by_text(re.compile(r"HR-2024-07-JA is a draft translation"))).to_be_visible()
    translation = Letter.objects.get(reference="HR-2024-07-JA")

    # The editor: the original in English, the shared recipients, every ask matched.
    expect(page.get_by_role("navigation", name="Other languages").get_by_role("link")).to_have_text(
        "English"
    )
    expect(page.get_by_role("link", name="Edit them on HR-2024-07")).to_be_visible()
    expect(page.get_by_text("Every recommendation matches one of the original's.")).to_be_visible()

    # Translate the first recommendation inline.
    first = page.get_by_role("listitem").filter(has_text="HR-2024-07-JA-R01")
    first.get_by_role("link", name="Edit HR-2024-07-JA-R01").click()
    editing = page.locator("li.editing")
    expect(editing.get_by_label("Translates")).to_have_value(str(original_rec.pk))
    editing.get_by_label("Text").fill("あらゆる会談で人権を提起すること。")
    assert_accessible(page)
    editing.get_by_role("button", name="Save").click()
    expect(page.locator("li.editing")).to_have_count(0)
    row = page.locator(f"#rec-{translation.recommendations.get(number=1).pk}")
    expect(row.locator(".rec-text")).to_have_text("あらゆる会談で人権を提起すること。")
    expect(row.locator(".rec-text")).to_have_attribute("lang", "ja")
    expect(row).to_contain_text("Translates HR-2024-07-R01")
    assert_accessible(page)
    shoot(page, "editor")

    # A reply recorded on the original's recommendation...
    page.goto(f"{base}{original_rec.get_absolute_url()}")
    page.get_by_label("Date it happened").fill("2024-09-03")
    page.get_by_label("What happened").select_option(label="Reply received")
    page.get_by_label("New response status").select_option(label="Accepted")
    page.get_by_label("Note").fill("The ministry replied in writing.")
    page.get_by_role("button", name="Record follow-up").click()
    expect(page.get_by_text("Follow-up recorded on HR-2024-07-R01.")).to_be_visible()
    expect(page.get_by_role("link", name="HR-2024-07-JA-R01")).to_be_visible()
    assert_accessible(page)

    # ...is the translation's too, and is recorded once.
    page.get_by_role("link", name="HR-2024-07-JA-R01").click()
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "ja")
    expect(page.get_by_text("The ministry replied in writing.")).to_be_visible()
    expect(page.locator(".rec-facts")).to_contain_text("Accepted")
    expect(page.get_by_text(re.compile(r"This translates HR-2024-07-R01"))).to_be_visible()
    assert_accessible(page)
    shoot(page, "recommendation")
    assert FollowUp.objects.filter(recommendation__letter=letter).count() == 1
    assert not FollowUp.objects.filter(recommendation__letter=translation).exists()

    # The translation's letter page names the original, in English.
    page.goto(f"{base}{translation.get_absolute_url()}")
    versions = page.get_by_role("navigation", name="Other languages")
    expect(versions.get_by_role("link", name="English")).to_have_attribute("lang", "en")
    expect(page.locator("#sign-on")).to_contain_text("Not approved this text yet")
    assert_accessible(page)
    shoot(page, "letter")
    page.goto(f"{base}{letter.get_absolute_url()}")
    expect(
        page.get_by_role("navigation", name="Other languages").get_by_role("link", name="日本語")
    ).to_have_attribute("lang", "ja")
    assert_accessible(page)
    shoot(page, "original")


def test_a_partner_approves_the_japanese_text_on_the_originals_sign_on_page(page, live_server):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from letters import drafting, signing
    from letters.models import SignatoryRole, TranslationApproval

    letter = factories.make_signing_letter(language="en", cosigners=1)
    signing.circulate(letter=letter, by=None, deadline=timezone.now() + dt.timedelta(days=7))
    translation = drafting.create_translation(
        letter=letter, language="ja", reference=f"{letter.reference}-JA"
    )
    rec = translation.recommendations.order_by("number").first()
    rec.text = "強制送還をやめること。"
    drafting.save_recommendation(letter=translation, recommendation=rec, section=None)
    partner = letter.signatories.get(role=SignatoryRole.COSIGNER)

    page.goto(f"{live_server.url}{reverse('public:sign', args=[partner.token])}")
    section = page.get_by_role("region", name=re.compile(r"日本語"))
    expect(section).to_contain_text("Not approved yet")
    section.get_by_text("Read the Japanese text").click()
    expect(section.locator(".letter-text")).to_have_attribute("lang", "ja")
    expect(section.get_by_text("強制送還をやめること。")).to_be_visible()
    assert_accessible(page)
    shoot(page, "sign")
    section.get_by_role("button", name="Approve the Japanese text").click()
    expect(page.get_by_text(f"approved the text of {translation.reference}")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile(r"日本語"))).to_contain_text(
        "Approved by your organisation"
    )
    assert_accessible(page)
    approval = TranslationApproval.objects.get()
    translation.refresh_from_db()
    assert approval.signatory == partner and approval.content_hash == translation.content_hash
