"""
Someone who forgot their password tries too often, is paused, resets the
password by e-mail in a real browser, and logs in with the new one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
NEW_PASSWORD = "a brand new long passphrase"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"login_{name}.png", full_page=True)


def test_a_paused_user_resets_the_password_by_email_and_logs_in(page, live_server, settings):
    settings.SITE_ROOT = live_server.url
    make_user("dana", first_name="Dana", last_name="Drafter")
    page.goto(f"{live_server.url}/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        page.get_by_label("Username").fill("dana")
        page.get_by_label("Password").fill("not my password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    page.get_by_label("Password").fill("still not it")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many failed log-in attempts")).to_be_visible()
    expect(page.get_by_text("paused for 15 minutes")).to_be_visible()
    assert_accessible(page)
    shot(page, "locked_out")

    page.get_by_role("link", name="Reset my password").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill("dana@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible(page)
    shot(page, "reset_sent")

    [message] = mail.outbox
    link = re.search(r"http://\S+/reset/\S+/", message.body).group(0)
    page.goto(link)
    # The token is traded for the session: the address bar no longer shows it.
    expect(page).to_have_url(re.compile(r"/reset/\w+/set-password/$"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label(re.compile(r"New password\W*$")).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill("a typo")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("The two password fields didn’t match.")).to_be_visible()
    assert_accessible(page)
    shot(page, "reset_mismatch")
    page.get_by_label(re.compile(r"New password\W*$")).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    # The link works once.
    page.goto(link)
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    assert_accessible(page)
