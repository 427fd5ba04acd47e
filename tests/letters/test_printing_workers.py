"""
One large mailing printed by two real `manage.py db_worker` processes at once,
as production runs it on several machines sharing PostgreSQL and the media
storage. Run it with DATABASE_URL=postgres://... (CI does).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pypdf
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection

from letters import printing
from letters.models import PrintBatch, PrintChunk
from letters.printing import tasks
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason=(
            "worker processes need a database they can share with the test: the in-memory "
            "SQLite test database lives in this process only; run this file with "
            "DATABASE_URL=postgres://... (CI does)"
        ),
    ),
]

COPIES = 200
TIMEOUT_SECONDS = 300


def make_mailing(copies: int):
    """A one-page letter to `copies` offices: cheap copies, every one its own address."""
    letter = factories.make_letter(opening="We write about one matter.")
    for n in range(copies):
        factories.make_recipient(letter, order=n)
    return letter


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "INFO",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-reload"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def wait_for(what: str, ready, workers: list[subprocess.Popen], logs: list[Path]) -> None:
    """Poll `ready()` until it is true; fail with the workers' logs on timeout or exit."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not ready():
        died = [w for w in workers if w.poll() is not None]
        if died or time.monotonic() > deadline:
            output = "\n".join(log.read_text()[-2000:] for log in logs)
            pytest.fail(f"Gave up waiting for {what}; workers said:\n{output}")
        time.sleep(0.2)


@pytest.fixture
def workers(tmp_path):
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    procs = [start_worker(log) for log in logs]
    # Both must be polling before the mailing is queued, or one could take every chunk.
    wait_for(
        "both workers to start",
        lambda: all("Starting worker" in log.read_text() for log in logs),
        procs,
        logs,
    )
    yield procs, logs
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=30)


def test_two_workers_print_one_mailing_and_every_copy_is_there_once(settings, workers):
    procs, logs = workers
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    letter = make_mailing(COPIES)
    batch = PrintBatch.objects.create(letter=letter)
    tasks.print_all_copies.enqueue(batch.pk)

    def finished() -> bool:
        batch.refresh_from_db()
        return batch.status not in ("queued", "running", "assembling")

    wait_for("the mailing to be printed", finished, procs, logs)

    assert batch.status == "done", batch.error
    assert (batch.done, batch.total) == (COPIES, COPIES)
    chunks = list(batch.chunks.order_by("number"))
    # Chunks cover every copy once, in order, and each was rendered by a worker process.
    assert [c.first for c in chunks] == list(range(0, COPIES, tasks.CHUNK_SIZE))
    assert sum(c.count for c in chunks) == sum(c.done for c in chunks) == COPIES
    pids = {str(p.pid) for p in procs}
    assert {c.worker.rsplit(":", 1)[1] for c in chunks} == pids
    with zipfile.ZipFile(batch.file.open("rb")) as zf:
        names = zf.namelist()
    expected = [printing.pdf_filename(letter, r) for r in printing.copies(letter)]
    assert names == expected and len(set(names)) == COPIES
    with batch.merged.open("rb") as fh:
        assert len(pypdf.PdfReader(fh).pages) == COPIES
    # Assembled exactly once: one ZIP and one merged PDF stored, the chunks' files gone.
    folder = Path(batch.file.name).parent.as_posix()
    stored = default_storage.listdir(folder)[1]
    assert sorted(stored) == sorted(
        Path(f.name).name for f in (batch.file, batch.merged, batch.labels)
    )
    assert not default_storage.listdir("pdf-batches/chunks")[1]


def test_two_chunks_finishing_together_assemble_the_batch_once(monkeypatch):
    letter = make_mailing(2)
    batch = PrintBatch.objects.create(letter=letter)
    chunk_ids = tasks.plan_batch(batch.pk, chunk_size=1)
    assembled: list[int] = []
    monkeypatch.setattr(tasks, "assemble", assembled.append)
    PrintChunk.objects.filter(pk__in=chunk_ids).update(finished_at=batch.created_at)
    barrier = threading.Barrier(2)

    def finish() -> None:
        try:
            barrier.wait()
            tasks._assemble_if_last(batch.pk)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=finish) for _ in chunk_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert assembled == [batch.pk]
