"""The charts as a reader sees them: text of a readable size, nothing cut, filters folded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

# For every text of every chart: its drawn size in CSS pixels (the font size
# times the SVG's scale on screen), and whether it lies inside its drawing.
MEASURE = """() => [...document.querySelectorAll('svg.chart-svg text')].map(t => {
  const svg = t.ownerSVGElement.getBoundingClientRect();
  const box = t.getBoundingClientRect();
  const scale = t.ownerSVGElement.getScreenCTM().a;
  return {
    text: t.textContent,
    px: parseFloat(getComputedStyle(t).fontSize) * scale,
    inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5
      && box.top >= svg.top - 0.5 && box.bottom <= svg.bottom + 0.5,
  };
})"""


@pytest.mark.parametrize("width", [1280, 390])
def test_chart_text_is_at_least_12_px_and_never_cut(
    page, live_server, log_in, demo, coordinator, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(coordinator)
    page.goto(f"{live_server.url}/letters/tracker/charts/")
    months = page.get_by_role("img", name=re.compile("^Follow-ups per month"))
    expect(months).to_be_visible()
    expect(months).to_have_accessible_description(re.compile(r"follow-up entries from"))
    texts = page.evaluate(MEASURE)
    assert len(texts) > 20
    small = [t for t in texts if t["px"] < 12]
    assert not small, small
    cut = [t for t in texts if not t["inside"]]
    assert not cut, cut
    theme = page.get_by_role("img", name=re.compile("per theme"))
    expect(theme).to_have_accessible_description(re.compile(r"^\d+ recommendations, counted once"))
    assert_accessible(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"tracker_charts_{width}.png", full_page=True)


def test_the_filters_open_from_the_keyboard_and_stay_open_when_used(
    page, live_server, log_in, demo, drafter
):
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/tracker/")
    results = page.get_by_role("heading", name=re.compile(r"^\d+ recommendations"))
    expect(results).to_be_in_viewport()
    summary = page.locator("summary", has_text="Filters")
    summary.focus()
    page.keyboard.press("Enter")
    response = page.get_by_label("Response", exact=True)
    expect(response).to_be_visible()
    response.select_option(label="Accepted")
    page.get_by_label("Include drafts").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"response=accepted.*include_drafts=on"))
    expect(page.get_by_label("Response", exact=True)).to_be_visible()
    expect(summary).to_contain_text("2 active")
    assert_accessible(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "tracker_filters_open.png", full_page=True)
