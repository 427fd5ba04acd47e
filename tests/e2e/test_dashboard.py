from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def test_coordinator_logs_in_and_sees_the_demo_letter(page, live_server, log_in, demo, coordinator):
    log_in(coordinator)

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    card = page.get_by_role("link", name="JP-2009-12")
    expect(card).to_contain_text("Human rights in Japan's policy towards North Korea")
    rejected = page.get_by_role("region", name="Rejected: worth pressing again")
    expect(rejected.get_by_text("JP-2009-12-R09")).to_be_visible()
    assert_accessible(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)

    card.click()
    expect(page.get_by_role("heading", name="Food aid")).to_be_visible()
    expect(page.get_by_text("Dear Prime Minister Hatoyama,")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "letter_detail.png", full_page=True)


def test_wrong_password_is_refused_with_a_message(page, live_server, coordinator):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(coordinator.username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(coordinator.username)
    assert_accessible(page)
