"""
Importing in the browser: paste a letter copied from a web page, correct one
wrong split on the review page, save it as sent, and record a follow-up on one
of its recommendations at once; and propose a minister the address book lacks,
which an Admin then verifies.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from letters.models import FollowUp, Letter
from recipients.models import Position
from tests.e2e.conftest import assert_accessible
from tests.factories import make_official, make_organization, make_position, make_term

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Copied from a web page: the browser kept the line break in the middle of the
# first paragraph, which the rules take for two paragraphs.
LETTER = """Skip to main content
Home
Donate
Letter to the Prime Minister on refugees

10 December 2009

Mr. Yukio Hatoyama
Prime Minister of Japan
1-6-1 Nagata-cho, Chiyoda-ku
Tokyo 100-8968

Dear Prime Minister Hatoyama,

We write about North Koreans who flee their country.
Many of them are returned by force and punished.

Refugees
We recommend that the Government of Japan:
- Press China to stop returning North Koreans who cross its border.
- Grant protection to North Koreans who reach Japan.

Sincerely,

Aiko Tanaka
Director
Rights Now Japan

© 2009 Rights Now Japan. All rights reserved.
"""


def test_drafter_imports_a_sent_letter_and_follows_it_up(page, live_server, log_in, drafter):
    pm = make_position(title="Prime Minister", institution="Cabinet Secretariat", country="JP")
    make_term(pm, make_official(given_name="Yukio", family_name="Hatoyama"))
    make_organization(name="Rights Now Japan", short_name="RNJ")
    log_in(drafter)

    page.goto(f"{live_server.url}/letters/")
    page.get_by_role("link", name="Import a letter").click()
    assert_accessible(page)
    page.get_by_label("Paste the letter's text").fill(LETTER)
    page.get_by_role("button", name="Read the letter").click()

    expect(page.get_by_role("heading", name="Review the import")).to_be_visible()
    assert_accessible(page)
    blocks = page.locator("#blocks > li")
    expect(blocks).to_have_count(7)
    first_half = blocks.filter(has_text="We write about North Koreans who flee their country.")
    first_half.get_by_role("button", name="Merge with next").click()
    expect(blocks).to_have_count(6)
    merged = blocks.first
    expect(merged).to_contain_text(
        "We write about North Koreans who flee their country. "
        "Many of them are returned by force and punished."
    )
    # Focus stays on the block the drafter was working on.
    expect(merged.get_by_role("button", name="Merge with next")).to_be_focused()
    assert_accessible(page)
    # Editing a block: its text gets focus, and after saving its Edit button has it.
    merged.get_by_role("link", name="Edit or split").click()
    expect(page.get_by_role("textbox", name="Text")).to_be_focused()
    page.get_by_role("button", name="Save block").click()
    expect(blocks.first.get_by_role("link", name="Edit or split")).to_be_focused()

    expect(page.get_by_label("TO: Prime Minister of Japan")).to_have_value(str(pm.pk))
    page.get_by_label("Reference").fill("JP-2009-12")
    page.get_by_label("A letter already sent").check()
    page.get_by_label("Sent on").fill("2009-12-10")
    page.get_by_role("button", name="Save the letter").click()
    expect(page.get_by_text("Imported as JP-2009-12 (sent).")).to_be_visible()

    letter = Letter.objects.get(reference="JP-2009-12")
    assert letter.opening == (
        "We write about North Koreans who flee their country. "
        "Many of them are returned by force and punished."
    )
    rec = letter.recommendations.get(number=1)
    assert (rec.government.code, rec.third_state.code) == ("JP", "CN")

    page.goto(f"{live_server.url}{rec.get_absolute_url()}")
    page.get_by_label("Date it happened").fill("2010-02-03")
    page.get_by_label("What happened").select_option(label="Reply received")
    page.get_by_label("New response status").select_option(label="Noted")
    page.get_by_role("button", name="Record follow-up").click()
    expect(page.get_by_text(f"Follow-up recorded on {rec.reference}.")).to_be_visible()
    assert FollowUp.objects.get(recommendation=rec).response_status == "noted"


# A minister the address book has, and one it does not (in cc).
TWO_MINISTERS = """Letter to the Prime Minister on refugees

10 December 2009

Mr. Yukio Hatoyama
Prime Minister of Japan
1-6-1 Nagata-cho, Chiyoda-ku
Tokyo 100-8968

Dear Prime Minister Hatoyama,

We write about North Koreans who flee their country.

Refugees
We recommend that the Government of Japan:
- Grant protection to North Koreans who reach Japan.

Sincerely,

Aiko Tanaka
Director
Rights Now Japan

cc:
Ms. Keiko Chiba
Minister of Justice
1-1-1 Kasumigaseki, Chiyoda-ku
Tokyo 100-8977
"""


def test_drafter_proposes_an_unmatched_minister_and_an_admin_verifies_it(
    page, live_server, log_in, drafter, admin_user
):
    pm = make_position(title="Prime Minister", institution="Cabinet Secretariat", country="JP")
    make_term(pm, make_official(given_name="Yukio", family_name="Hatoyama"))
    make_organization(name="Rights Now Japan", short_name="RNJ")
    log_in(drafter)

    page.goto(f"{live_server.url}/letters/import/")
    page.get_by_label("Paste the letter's text").fill(TWO_MINISTERS)
    page.get_by_role("button", name="Read the letter").click()

    expect(page.get_by_role("heading", name="Review the import")).to_be_visible()
    expect(page.get_by_label("TO: Prime Minister of Japan")).to_have_value(str(pm.pk))
    justice = page.get_by_role("group", name="CC: Minister of Justice")
    expect(justice.get_by_label("CC: Minister of Justice")).to_have_value("new")
    # Prefilled from the text, open to correct, before anything is saved.
    expect(justice.get_by_label("Office", exact=True)).to_have_value("Minister of Justice")
    expect(justice.get_by_label("Holder's name")).to_have_value("Ms. Keiko Chiba")
    justice.get_by_label("Ministry, agency or department").fill("Ministry of Justice")
    assert_accessible(page)
    page.screenshot(path="/tmp/i17-offices-review.png", full_page=True)
    page.get_by_label("Reference").fill("JP-2009-12")
    page.get_by_label("A letter already sent").check()
    page.get_by_label("Sent on").fill("2009-12-10")
    page.get_by_role("button", name="Save the letter").click()
    expect(page.get_by_text("Imported as JP-2009-12 (sent).")).to_be_visible()
    recipients = page.get_by_role("region", name="Recipients")
    expect(recipients).to_contain_text("Minister of Justice, Ministry of Justice")

    proposed = Position.objects.get(title="Minister of Justice")
    assert proposed.proposed and proposed.proposed_by == drafter
    assert Letter.objects.get(reference="JP-2009-12").recipients.filter(position=proposed).exists()

    page.context.clear_cookies()
    log_in(admin_user)
    page.goto(f"{live_server.url}/directory/")
    page.get_by_role("link", name="Proposed offices to check").click()
    row = page.get_by_role("row").filter(has_text="Minister of Justice")
    expect(row).to_contain_text("Proposed")
    expect(row).to_contain_text(f"by {drafter.username}")
    expect(row).to_contain_text("the import of “pasted-letter.txt” for JP-2009-12")
    assert_accessible(page)
    page.screenshot(path="/tmp/i17-offices-queue.png", full_page=True)
    # Its page says where it came from, and offers to merge it into an existing office.
    row.get_by_role("link", name="Edit or merge the proposed Minister of Justice").click()
    expect(page.get_by_role("heading", name="Proposed, not yet checked")).to_be_visible()
    expect(page.get_by_role("combobox", name="The office it duplicates")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/i17-offices-proposed.png", full_page=True)
    page.go_back()
    row.get_by_role("button", name="Verify the proposed Minister of Justice").click()

    expect(page.get_by_text("Minister of Justice: verified, no longer a proposal.")).to_be_visible()
    expect(page.get_by_text("No position matches.")).to_be_visible()
    proposed.refresh_from_db()
    assert not proposed.proposed and proposed.last_verified is not None
