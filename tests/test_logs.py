"""Log lines: one per event, each with its request's id; server errors e-mailed to ADMINS."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from advocacy import logs

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_line_records():
    """What the console handler of the settings writes, captured."""
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.RedactTokens())
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(
        logs.OneLineFormatter("{levelname} {name} [{request_id}] {message}", style="{")
    )
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_proxys_id_is_taken_only_when_configured(client, settings):
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID="lb-42")["X-Request-ID"] != "lb-42"
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID="lb-42")["X-Request-ID"] == "lb-42"


def test_a_forged_id_is_replaced(client, settings):
    settings.REQUEST_ID_HEADER = "X-Request-ID"
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="x\nFAKE ERROR line")
    assert "FAKE" not in response["X-Request-ID"]


def test_log_lines_of_a_request_carry_its_id(client, one_line_records):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    line = next(x for x in one_line_records.getvalue().splitlines() if "Not Found" in x)
    assert f"[{response['X-Request-ID']}]" in line


def test_lines_outside_requests_say_so(one_line_records):
    logging.getLogger("letters").warning("from a worker")
    assert "[-] from a worker" in one_line_records.getvalue()


def test_a_traceback_stays_on_one_line(one_line_records):
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        logging.getLogger("letters").exception("it broke")
    lines = one_line_records.getvalue().splitlines()
    assert len(lines) == 1
    assert "it broke" in lines[0] and "Traceback" in lines[0] and "ValueError" in lines[0]


def test_tokens_are_still_redacted(client, one_line_records):
    client.get("/sign/s3cr3t-token/")
    assert "s3cr3t-token" not in one_line_records.getvalue()


def test_admins_are_read_from_the_environment():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='advocacy.settings'; "
        "from django.conf import settings; print(settings.ADMINS)"
    )
    env = {"ADMINS": "Ann Ops <ann@example.org>, ops@example.org", "PATH": "/usr/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[('Ann Ops', 'ann@example.org'), ('ops@example.org', 'ops@example.org')]"


@override_settings(DEBUG=False, ADMINS=[("Ops", "ops@example.org")])
def test_a_server_error_is_mailed_to_the_admins_without_tokens(client, monkeypatch):
    from advocacy import health

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(health, "database_ok", broken)
    client.raise_request_exception = False
    response = client.get(reverse("health"))
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.org"]
    assert "Internal Server Error: /health/" in mail.outbox[0].subject
    assert "RuntimeError" in mail.outbox[0].body
