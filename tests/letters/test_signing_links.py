"""
A partner's private link keeps its token out of logs and addresses: it is
traded for a session at the first visit, and the page it leads to has none.
"""

from __future__ import annotations

import datetime as dt
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config

from letters import signing
from letters.models import SignatoryRole
from tests.factories import make_signing_letter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    frozen = SimpleNamespace(time=lambda: 1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", frozen)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def circulating():
    letter = make_signing_letter()
    signing.circulate(letter=letter, by=None, deadline=timezone.now() + dt.timedelta(days=7))
    letter.refresh_from_db()
    return letter


def partners(letter):
    return list(letter.signatories.filter(role=SignatoryRole.COSIGNER).order_by("order"))


def link(signatory) -> str:
    return reverse("public:sign", args=[signatory.token])


def page(signatory) -> str:
    return reverse("public:sign_page", args=[signatory.pk])


def approve_data(letter) -> dict:
    return {
        "action": "approve",
        "content_hash": letter.content_hash,
        "signer_name": "Sam Signer",
        "signer_title": "Director",
        "consent_to_publish": "on",
    }


def test_the_link_redirects_to_a_page_without_the_token(client, circulating):
    signatory = partners(circulating)[0]
    response = client.get(link(signatory))
    assert response.status_code == 302
    assert response["Location"] == page(signatory)
    assert signatory.token not in response["Location"]
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert "Stop forced returns." in shown.content.decode()
    assert signatory.token not in shown.content.decode()


def test_the_page_without_the_token_works_only_in_the_session_that_opened_the_link(
    client, circulating
):
    signatory = partners(circulating)[0]
    client.get(link(signatory))
    stranger = Client()
    response = stranger.get(page(signatory))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open the link from your e-mail again" in html
    assert "Stop forced returns." not in html and signatory.organization.name not in html
    assert stranger.post(page(signatory), approve_data(circulating)).status_code == 200
    signatory.refresh_from_db()
    assert signatory.approved_at is None


def test_a_page_address_for_another_organisation_grants_nothing(client, circulating):
    first, second = partners(circulating)
    client.get(link(first))
    response = client.get(page(second))
    assert "Open the link from your e-mail again" in response.content.decode()
    assert second.organization.name not in response.content.decode()


def test_two_partners_links_in_one_browser_each_work(client, circulating):
    # A coordinator trying two partners' links in one browser.
    first, second = partners(circulating)
    client.get(link(first))
    client.get(link(second))
    assert first.organization.name in client.get(page(first)).content.decode()
    assert second.organization.name in client.get(page(second)).content.decode()
    response = client.post(page(first), approve_data(circulating))
    assert response.status_code == 302 and response["Location"] == page(first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.has_approved(circulating.content_hash)
    assert second.approved_at is None


def test_a_reissued_link_stops_the_page_opened_with_the_old_one(client, circulating):
    signatory = partners(circulating)[0]
    client.get(link(signatory))
    signing.reissue_link(signatory=signatory, by=None)
    response = client.get(page(signatory))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    signatory.refresh_from_db()
    assert client.get(link(signatory)).status_code == 302
    assert client.get(page(signatory)).status_code == 200


def test_a_bad_token_is_a_404_that_logs_no_token(client, circulating, caplog):
    signatory = partners(circulating)[0]
    signing.revoke_link(signatory=signatory, by=None)
    guess = "Zq3" * 14
    with caplog.at_level(logging.INFO):
        assert client.get(link(signatory)).status_code == 404
        assert client.get(f"/sign/{guess}/").status_code == 404
    messages = [record.getMessage() for record in caplog.records]
    assert "Not Found: /sign/[redacted]/" in messages
    assert not [m for m in messages if signatory.token in m or guess in m]


def test_a_rate_limited_token_logs_no_token(client, caplog):
    with caplog.at_level(logging.WARNING):
        statuses = [client.get(f"/sign/guess-{n:04}-secret/").status_code for n in range(121)]
    assert statuses[-1] == 429
    messages = [record.getMessage() for record in caplog.records]
    assert "Too Many Requests: /sign/[redacted]/" in messages
    assert not [m for m in messages if "secret" in m]


def test_the_development_server_log_redacts_tokens():
    # runserver's request lines go to "django.server", which does not propagate.
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    logger = logging.getLogger("django.server")
    handler = Keep()
    logger.addHandler(handler)
    try:
        logger.info('"%s" %s %s', "GET /sign/s3cretToken_-x/ HTTP/1.1", "302", "0")
        logger.info('"%s" %s %s', "GET /sign/page/12/ HTTP/1.1", "200", "9000")
        logger.info('"%s" %s %s', "GET /reset/MQ/c1a2b3-0123abc/ HTTP/1.1", "302", "0")
    finally:
        logger.removeHandler(handler)
    assert seen == [
        '"GET /sign/[redacted]/ HTTP/1.1" 302 0',
        '"GET /sign/page/12/ HTTP/1.1" 200 9000',
        '"GET /reset/MQ/[redacted]/ HTTP/1.1" 302 0',
    ]


def test_gunicorns_access_log_redacts_tokens():
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    config = Config()
    logger = conf["logger_class"](config)
    token = "s3cretToken_-x"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/sign/{token}/",
        "PATH_INFO": f"/sign/{token}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://letters.example.org/sign/{token}/",
    }
    response = SimpleNamespace(status="404 Not Found", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, dt.timedelta(milliseconds=5))
    line = config.access_log_format % atoms
    assert '"GET /sign/[redacted]/ HTTP/1.1" 404' in line
    assert "https://letters.example.org/sign/[redacted]/" in line
    assert not [key for key, value in atoms.items() if token in str(value)]


def test_a_refused_csrf_check_on_a_link_logs_no_token(circulating, caplog):
    signatory = partners(circulating)[0]
    strict = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING):
        assert strict.post(link(signatory), {"action": "withdraw"}).status_code == 403
    messages = [record.getMessage() for record in caplog.records]
    assert any("CSRF" in m and "/sign/[redacted]/" in m for m in messages), messages
    assert not [m for m in messages if signatory.token in m]


def test_behind_a_configured_proxy_the_per_address_limit_counts_each_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    statuses = [
        client.get(
            f"/sign/guess-{n}/", HTTP_X_FORWARDED_FOR=f"192.0.2.{n % 200}, 203.0.113.5", **proxy
        ).status_code
        for n in range(121)
    ]
    # One client, whatever it writes in front of the header.
    assert statuses[120] == 429
    other = client.get("/sign/guess-x/", HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert other.status_code == 404
