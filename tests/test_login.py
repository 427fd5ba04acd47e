"""
Logging in: failed attempts pause an address and an account separately, the
client's address comes from a proxy header only when one is configured, and a
forgotten password is reset by e-mail.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from advocacy.proxy import client_ip
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    # django-ratelimit's windows are aligned to the clock: stop it, so a test's
    # requests never straddle a window's edge.
    frozen = SimpleNamespace(time=lambda: 1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", frozen)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limit(settings) -> int:
    return settings.AXES_FAILURE_LIMIT


def log_in(client, username, password="wrong password", **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


# -- throttling ------------------------------------------------------------------------


def test_one_password_sprayed_over_twenty_accounts_from_one_address_is_stopped(client, limit):
    users = [make_user(f"staff{n}") for n in range(21)]
    statuses = [log_in(client, user.username, "Summer2026!").status_code for user in users[:20]]
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert statuses[limit - 1 :] == [429] * (20 - limit + 1)
    # Even the right password is refused from that address for now...
    assert log_in(client, users[20].username, PASSWORD).status_code == 429
    # ...but not from another one.
    response = log_in(client, users[20].username, PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302


def test_one_account_tried_from_many_addresses_is_paused(client, limit):
    user = make_user("dana")
    statuses = [
        log_in(client, "dana", REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    response = log_in(client, "dana", PASSWORD, REMOTE_ADDR="192.0.2.99")
    assert response.status_code == 429
    page = response.content.decode()
    assert "15 minutes" in page and reverse("password_reset") in page
    # Other accounts, from those addresses, are not affected.
    make_user("chris")
    assert log_in(client, "chris", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 302
    assert user.last_login is None


def test_the_pause_ends_after_the_cool_off(client, settings, limit):
    make_user("dana")
    for n in range(limit):
        log_in(client, "dana", REMOTE_ADDR=f"198.51.100.{n}")
    assert log_in(client, "dana", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)
    assert log_in(client, "dana", PASSWORD).status_code == 302


def test_logging_in_to_ones_own_account_does_not_clear_the_count_of_an_address(client, limit):
    # An attacker with an account of their own cannot keep spraying by
    # logging in to it every few attempts.
    make_user("insider")
    for n in range(limit - 1):
        make_user(f"staff{n}")
        assert log_in(client, f"staff{n}").status_code == 200
    assert log_in(client, "insider", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "staff0").status_code == 429


# -- the client's address ----------------------------------------------------------------


def request_from(remote: str, forwarded: str | None = None, header="HTTP_X_FORWARDED_FOR"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta[header] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_configured_proxy_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("203.0.113.5", "192.0.2.1")) == "203.0.113.5"


def test_with_one_proxy_the_address_is_the_one_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote the first entry itself; our proxy appended the second.
    assert client_ip(request_from("10.0.0.1", "192.0.2.1, 203.0.113.5")) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.2", "192.0.2.1, 203.0.113.5, 10.0.0.1")) == (
        "203.0.113.5"
    )


def test_a_header_that_our_proxies_cannot_have_sent_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.2", "203.0.113.5")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.1", "192.0.2.1, not-an-address")) == "10.0.0.1"


def test_the_header_name_is_configurable(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PROXY_IP_HEADER = "X-Real-IP"
    request = request_from("10.0.0.1", "203.0.113.5", header="HTTP_X_REAL_IP")
    assert client_ip(request) == "203.0.113.5"
    assert client_ip(request_from("10.0.0.1", "203.0.113.5")) == "10.0.0.1"


def test_a_spoofed_forwarded_for_does_not_escape_the_pause(client, limit):
    # No proxy configured: every attempt comes from REMOTE_ADDR, whatever the header says.
    for n in range(limit + 2):
        make_user(f"staff{n}")
    statuses = [
        log_in(client, f"staff{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(limit + 2)
    ]
    assert statuses[-3:] == [429] * 3
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_configured_proxy_clients_are_told_apart_and_spoofing_does_not_help(
    client, settings, limit
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(limit + 1):
        make_user(f"staff{n}")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    statuses = [
        log_in(
            client, f"staff{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5", **proxy
        ).status_code
        for n in range(limit)
    ]
    assert statuses[-1] == 429
    # Another client behind the same proxy is not paused.
    other = log_in(client, f"staff{limit}", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert other.status_code == 302


# -- password reset ------------------------------------------------------------------------


def reset_link(message) -> str:
    match = re.search(r"https?://\S+/reset/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def request_reset(client, email: str, **meta):
    return client.post(reverse("password_reset"), {"email": email}, **meta)


def test_the_login_page_links_to_password_reset(client):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_a_forgotten_password_is_reset_through_the_emailed_link(client, settings):
    settings.SITE_ROOT = "https://letters.example.org/"
    user = make_user("dana")
    response = request_reset(client, "DANA@example.org")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert "Check your e-mail" in client.get(response["Location"]).content.decode()
    [message] = mail.outbox
    assert message.to == ["dana@example.org"]
    link = reset_link(message)
    assert link.startswith("https://letters.example.org/reset/")
    path = link.removeprefix("https://letters.example.org")
    # Like the sign-on link: the token is traded for the session at once.
    form_url = client.get(path)["Location"]
    assert form_url.endswith("/set-password/")
    assert "Choose a new password" in client.get(form_url).content.decode()
    mismatch = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 200
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")
    assert log_in(client, "dana", PASSWORD).status_code == 200
    assert log_in(client, "dana", NEW_PASSWORD)["Location"] == reverse("dashboard")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once.
    client.logout()
    assert "This link does not work" in client.get(path, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = request_reset(client, "nobody@example.org")
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_reset_works_while_the_account_is_paused_and_lifts_the_pause(client, limit):
    # Someone who forgot their password paused both their account and their address.
    make_user("dana")
    make_user("chris")
    for _ in range(limit):
        log_in(client, "dana")
    assert log_in(client, "dana", PASSWORD).status_code == 429
    assert log_in(client, "chris", PASSWORD).status_code == 429
    request_reset(client, "dana@example.org")
    form_url = client.get(reset_link(mail.outbox[0]).split("testserver", 1)[-1])["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert log_in(client, "dana", NEW_PASSWORD).status_code == 302
    # Their own failures no longer count against the address either.
    client.logout()
    assert log_in(client, "chris", PASSWORD).status_code == 302


def test_a_reset_does_not_lift_the_pause_others_failures_put_on_an_address(client, limit):
    # An attacker resetting their own account's password cannot unpause their address.
    make_user("attacker")
    for n in range(limit):
        make_user(f"staff{n}")
        log_in(client, f"staff{n}")
    request_reset(client, "attacker@example.org")
    form_url = client.get(reset_link(mail.outbox[0]).split("testserver", 1)[-1])["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert log_in(client, "attacker", NEW_PASSWORD).status_code == 429


def test_reset_requests_are_throttled_per_email_address(client):
    make_user("dana")
    statuses = [request_reset(client, "dana@example.org").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    response = request_reset(client, "Dana@Example.org ")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many password-reset requests" in page
    # What was typed is kept.
    assert 'value="Dana@Example.org ' in page


def test_reset_requests_are_throttled_per_address(client):
    statuses = [request_reset(client, f"someone{n}@example.org").status_code for n in range(11)]
    assert statuses == [302] * 10 + [429]
    other = request_reset(client, "someone@example.org", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


def test_the_login_page_carries_the_sites_name_not_the_host(client, settings):
    html = client.get(reverse("login")).content.decode()
    assert f"<span>{settings.SITE_NAME}</span>" in html
