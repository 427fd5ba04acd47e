"""/health/: what a load balancer asks each web machine."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advocacy import health

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def get(client):
    response = client.get(reverse("health"))
    return response, json.loads(response.content)


def test_it_answers_without_login_with_json(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response, body = get(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body == {"status": "ok", "database": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_writes_and_deletes_a_tiny_object_in_storage(client, monkeypatch):
    saved = []
    real_save = default_storage.save

    def spy(name, content, **kwargs):
        saved.append(real_save(name, content, **kwargs))
        return saved[-1]

    monkeypatch.setattr(storages["default"], "save", spy)
    get(client)
    assert len(saved) == 1 and saved[0].startswith("health/")
    assert not default_storage.exists(saved[0])


def test_it_fails_with_503_when_storage_refuses_a_write(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(storages["default"], "save", refuse)
    response, body = get(client)
    assert response.status_code == 503
    assert body["storage"] == "failing" and body["status"] == "failing"
    assert "read-only" not in response.content.decode()  # no detail leaks


def test_it_fails_with_503_when_the_database_does_not_answer(client, monkeypatch):
    def down():
        raise OperationalError("could not connect to server: password=hunter2")

    monkeypatch.setattr(health.connection, "cursor", down)
    response, body = get(client)
    assert response.status_code == 503
    assert body == {"status": "failing", "database": "failing", "storage": "ok"}
    assert "hunter2" not in response.content.decode()


def test_it_refuses_post(client):
    assert client.post(reverse("health")).status_code == 405


def test_a_worker_never_seen_is_reported_and_a_heartbeat_queued(client, settings):
    settings.TASKS = DB_TASKS
    response, body = get(client)
    assert response.status_code == 200
    assert body["worker"] == {"status": "never seen", "last_seen_seconds": None}
    get(client)  # a second check while the first heartbeat waits queues no other
    assert DBTaskResult.objects.filter(task_path=health.heartbeat.module_path).count() == 1


# The worker closes its database connection: a real transaction, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_running_worker_claims_the_heartbeat_and_looks_alive(client, settings):
    settings.TASKS = DB_TASKS
    get(client)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, stdout=io.StringIO())
    response, body = get(client)
    assert body["worker"]["status"] == "ok"
    assert 0 <= body["worker"]["last_seen_seconds"] < 60


# The worker closes its database connection: a real transaction, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_worker_silent_for_long_is_stale_but_the_machine_still_serves(client, settings):
    settings.TASKS = DB_TASKS
    settings.WORKER_STALE_SECONDS = 300
    get(client)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, stdout=io.StringIO())
    DBTaskResult.objects.update(started_at=timezone.now() - dt.timedelta(minutes=10))
    response, body = get(client)
    assert response.status_code == 200
    assert body["worker"]["status"] == "stale"
    assert body["worker"]["last_seen_seconds"] >= 600


def test_the_worker_check_costs_the_same_queries_however_many_tasks(
    client, settings, django_assert_num_queries
):
    settings.TASKS = DB_TASKS
    get(client)
    with django_assert_num_queries(3):  # SELECT 1, the waiting heartbeat, the newest claim
        get(client)
    for _ in range(20):
        health.heartbeat.enqueue()
    with django_assert_num_queries(3):
        get(client)
