"""
Organisations in the browser: a coordinator pastes a 400-line list of
signatories on the letter editor, sees matches, new ones, a doubtful one and
duplicates flagged, picks, and adds them; the directory page lists them.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from letters.models import Organization
from tests.e2e.conftest import assert_accessible
from tests.factories import make_draft, make_organization

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_400_line_paste_is_matched_with_duplicates_flagged_and_added(
    page, live_server, log_in, coordinator
):
    letter = make_draft()
    for n in range(150):
        make_organization(name=f"Coalition Member {n:03d}", short_name="", country="JP")
    make_organization(name="Life Funds for North Korean Refugees", short_name="")
    lines = [f"The Coalition Member {n:03d}, Inc." for n in range(150)]
    lines += [f"Fresh Group {n:03d},KR" for n in range(245)]
    lines += ["Life Fund North Korea"]
    lines += ["coalition member 007", "COALITION MEMBER 008", "Fresh Group 000", "fresh group 001"]
    assert len(lines) == 400
    log_in(coordinator)

    page.goto(f"{live_server.url}/letters/{letter.pk}/edit/")
    page.get_by_role("link", name="Add many organisations").click()
    assert_accessible(page)
    page.get_by_label("Paste a list").fill("\n".join(lines))
    page.get_by_label("Group").first.fill("Coalition")
    page.get_by_role("button", name="Match against the directory").click()

    expect(page.locator("#match-summary")).to_contain_text(
        "150 found in the directory, 245 new (created on confirm), 1 doubtful (pick one), "
        "4 repeated in the list"
    )
    expect(page.locator('tr[data-status="repeat"]')).to_have_count(4)
    expect(page.locator('tr[data-status="repeat"]').first).to_contain_text("Duplicate")
    assert_accessible(page)
    page.get_by_label("Which organisation is “Life Fund North Korea”?").select_option(
        label="Life Funds for North Korean Refugees (86%)"
    )
    page.get_by_role("button", name="Add the ticked organisations").first.click()

    expect(page.get_by_role("status").or_(page.locator(".alert-success")).first).to_contain_text(
        "Added 396 signing organisations"
    )
    assert letter.signatories.filter(group="Coalition").count() == 396
    # The editor shows a page of them at a time, with the whole count, and finds any one.
    total = letter.signatories.count()
    expect(page.locator("#signatory-count")).to_contain_text(f"of {total} signing organisations")
    search = page.get_by_label("Find a signing organisation (name, short name, group or signer)")
    search.fill("Fresh Group 244")
    search.press("Enter")
    expect(page.locator("#signatories")).to_contain_text("Fresh Group 244")
    expect(page.locator("#signatory-count")).to_contain_text(f"1 of {total} signing organisations")
    assert Organization.objects.filter(name__startswith="Fresh Group").count() == 245

    page.goto(f"{live_server.url}/letters/organisations/?country=KR")
    expect(page.get_by_role("status").first).to_contain_text("245 organisations")
    assert_accessible(page)
