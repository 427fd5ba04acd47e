from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from letters.models import FollowUp, Letter
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"tracker_{name}.png", full_page=True)


def response_chart(page):
    return page.get_by_role("img", name=re.compile(r"^Recommendations by government response"))


# One story from start to end: each step starts where the last one left off, so it
# stays one test (a browser session per step would only repeat the steps before it).
def test_coordinator_records_replies_and_the_chart_changes(
    page, live_server, log_in, demo, coordinator, tmp_path
):
    log_in(coordinator)
    base = live_server.url
    chart = response_chart(page).first
    expect(chart).to_have_accessible_description(re.compile(r"10 no response yet"))
    assert_accessible(page)
    shoot(page, "dashboard")

    # A reply from the ministry on three recommendations, typed in the browser.
    for number in (3, 4, 6):
        rec = demo.recommendations.get(number=number)
        page.goto(f"{base}{rec.get_absolute_url()}")
        expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Date it happened").fill("2010-02-03")
        page.get_by_label("What happened").select_option(label="Reply received")
        page.get_by_label("New response status").select_option(label="Accepted")
        page.get_by_label("Note").fill("Written reply from the Ministry of Foreign Affairs.")
        page.get_by_label("Evidence link").fill("https://example.org/mofa-reply")
        page.get_by_role("button", name="Record follow-up").click()
        expect(page.get_by_text(f"Follow-up recorded on {rec.reference}.")).to_be_visible()
        expect(
            page.get_by_text("Written reply from the Ministry of Foreign Affairs.")
        ).to_be_visible()
    assert_accessible(page)
    shoot(page, "recommendation")
    assert FollowUp.objects.filter(recorded_by=coordinator).count() == 3

    page.goto(f"{base}/")
    expect(response_chart(page).first).to_have_accessible_description(
        re.compile(r"4 accepted.*7 no response yet")
    )

    # The tracker, filtered in the URL, shows them.
    page.goto(f"{base}/letters/tracker/")
    # The filters are folded away until one is used, so the results come first.
    expect(page.get_by_label("Response", exact=True)).to_be_hidden()
    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Response", exact=True).select_option(label="Accepted")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"response=accepted"))
    expect(page.get_by_role("heading", name="4 recommendations")).to_be_visible()
    assert_accessible(page)
    shoot(page, "tracker")

    page.get_by_role("link", name="Charts").click()
    expect(page.get_by_role("img", name=re.compile("per addressed government"))).to_be_visible()
    assert_accessible(page)
    shoot(page, "charts")
    # Printable: no navigation or buttons on paper, the charts and their tables stay.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the tracker")).to_be_hidden()
    expect(page.get_by_role("img", name=re.compile("per theme"))).to_be_visible()
    shoot(page, "charts_print")
    page.emulate_media(media="screen")

    # Export the whole tracker, import it back: nothing changes.
    page.goto(f"{base}/letters/tracker/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = tmp_path / "tracker.csv"
    download.value.save_as(exported)
    page.goto(f"{base}/letters/tracker/")
    page.get_by_role("link", name="Import statuses").click()
    assert_accessible(page)
    page.get_by_label("CSV file").set_input_files(exported)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("there is nothing to import")).to_be_visible()
    assert_accessible(page)
    shoot(page, "import_noop")
    assert FollowUp.objects.count() == 8

    # A follow-up letter with the open recommendations is one click away.
    page.goto(f"{base}{demo.get_absolute_url()}")
    assert_accessible(page)
    shoot(page, "letter")
    page.get_by_role("button", name="Start follow-up letter").click()
    expect(page.get_by_text(re.compile(r"Draft JP-2009-12-F1 started with the 13"))).to_be_visible()
    draft = Letter.objects.get(reference="JP-2009-12-F1")
    # Every recommendation but R02, the only one implemented in the demo.
    carried = sorted(r.repeats.number for r in draft.recommendations.select_related("repeats"))
    assert carried == [n for n in range(1, 15) if n != 2]
    # The draft's page is the drafting area's (its "Edit" button is checked there).
    page.goto(f"{base}{demo.get_absolute_url()}")
    assert_accessible(page)


def test_import_preview_and_a_refused_file_in_the_browser(
    page, live_server, log_in, demo, drafter, tmp_path
):
    log_in(drafter)
    good = tmp_path / "updates.csv"
    good.write_text(
        "reference,response_status,implementation_status,date,kind\n"
        "JP-2009-12-R03,noted,,2010-02-03,reply\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        "reference,response_status,implementation_status\nJP-2009-12-R03,受け入れ,\n".encode(
            "shift_jis"
        )
    )

    page.goto(f"{live_server.url}/letters/tracker/import/")
    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("not UTF-8 text")).to_be_visible()
    assert_accessible(page)
    shoot(page, "import_refused")

    page.get_by_label("CSV file").set_input_files(good)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("cell", name="Noted")).to_be_visible()
    assert_accessible(page)
    shoot(page, "import_preview")
    page.get_by_role("button", name="Import 1 update").click()
    expect(page.get_by_text("Imported: 1 follow-up entries recorded.")).to_be_visible()
    rec = demo.recommendations.get(number=3)
    rec.refresh_from_db()
    assert rec.current_response == "noted"


def test_one_reply_recorded_on_ticked_recommendations(page, live_server, log_in, demo, drafter):
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/tracker/?letter=JP-2009-12&response=none")
    assert_accessible(page)
    page.get_by_label("Select JP-2009-12-R10").check()
    page.get_by_label("Select JP-2009-12-R11").check()
    page.get_by_role("button", name="Record one follow-up on the ticked recommendations").click()
    expect(
        page.get_by_role("heading", name="Record one follow-up on 2 recommendations")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Date it happened").fill("2010-03-01")
    page.get_by_label("What happened").select_option(label="Raised in a meeting")
    page.get_by_label("New response status").select_option(label="Noted")
    page.get_by_role("button", name="Record on 2 recommendations").click()
    expect(page.get_by_text("Follow-up recorded on 2 recommendations.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"letter=JP-2009-12&response=none"))
    expect(page.get_by_role("link", name="JP-2009-12-R10")).to_have_count(0)
    assert_accessible(page)
    shoot(page, "record_many_done")
    assert set(
        FollowUp.objects.filter(response_status="noted", date="2010-03-01").values_list(
            "recommendation__number", flat=True
        )
    ) == {10, 11}


def test_correcting_an_entry_shows_its_history(page, live_server, log_in, demo, coordinator):
    log_in(coordinator)
    rec = demo.recommendations.get(number=9)
    page.goto(f"{live_server.url}{rec.get_absolute_url()}")
    page.get_by_role("link", name="Correct the entry of 3 Feb 2010").click()
    expect(page.get_by_role("heading", name="Correct the entry of 3 Feb 2010")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New response status").select_option(label="Noted")
    page.get_by_role("button", name="Save correction").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()  # the reason
    assert_accessible(page)
    page.get_by_label("Why the correction").fill(
        "The reply notes the request; it does not refuse it"
    )
    page.get_by_role("button", name="Save correction").click()
    expect(page.get_by_text("Entry corrected")).to_be_visible()
    page.get_by_text("Corrected 1 time").click()
    expect(page.get_by_text("it does not refuse it")).to_be_visible()
    assert_accessible(page)
    shoot(page, "recommendation_corrected")
    rec.refresh_from_db()
    assert rec.current_response == "noted"
