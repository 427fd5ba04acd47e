"""
/health/ for load balancers and orchestrators: is this machine able to serve?

200 when the database answers and the media storage takes a write, 503 when
either fails. With the database task backend it also reports how long ago a
`db_worker` last claimed a task. To make that a heartbeat even when nobody
prints, each check queues one tiny `heartbeat` task unless one is already
waiting: any live worker claims it within its polling interval, so the age
stays small while at least one worker runs, on any machine, and grows when none
does. A stale worker is reported, not a 503: taking web machines out of the load
balancer would not bring a worker back.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import task

logger = logging.getLogger(__name__)

DB_TASK_BACKEND = "django_tasks_db.DatabaseBackend"


@task()
def heartbeat() -> None:
    """Does nothing: claiming it is the worker's sign of life."""


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database does not answer")
        return False


def storage_ok() -> bool:
    """Write and delete a tiny object under a name no other check uses."""
    try:
        name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        default_storage.delete(name)
    except Exception:
        logger.exception("Health check: the media storage refused a write")
        return False
    return True


def worker_status() -> dict | None:
    """The newest claim of any task by a db_worker; None without the database backend."""
    if settings.TASKS["default"]["BACKEND"] != DB_TASK_BACKEND:
        return None
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    results = DBTaskResult.objects.all()
    if not results.filter(task_path=heartbeat.module_path, status=TaskResultStatus.READY).exists():
        heartbeat.enqueue()
    last = (
        results.filter(started_at__isnull=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if last is None:
        return {"status": "never seen", "last_seen_seconds": None}
    age = round((timezone.now() - last).total_seconds())
    stale = age > settings.WORKER_STALE_SECONDS
    return {"status": "stale" if stale else "ok", "last_seen_seconds": age}


@login_not_required
@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    checks: dict = {"database": database_ok(), "storage": storage_ok()}
    healthy = all(checks.values())
    body: dict = {
        "status": "ok" if healthy else "failing",
        **{name: "ok" if ok else "failing" for name, ok in checks.items()},
    }
    if checks["database"]:
        worker = worker_status()
        if worker is not None:
            body["worker"] = worker
    return JsonResponse(body, status=200 if healthy else 503)
