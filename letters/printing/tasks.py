"""
Background printing: every copy of a letter (a letter to all 193 UN missions is
193 copies) rendered on every core through the Django Tasks API, with progress
stored on a PrintBatch for the progress bar, and a ZIP of the copies at the end.

The immediate backend runs this inside the request; with
TASKS_BACKEND=django_tasks_db.DatabaseBackend, `manage.py db_worker` runs it.
"""

from __future__ import annotations

import io
import logging
import time
import zipfile

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from letters import printing
from letters.models import Letter, PrintBatch, PrintBatchStatus
from letters.models.printing import MAX_ERROR
from letters.printing import cache, engine, layout

logger = logging.getLogger(__name__)

# Progress is written at most this often, so 193 copies cost a handful of UPDATEs.
PROGRESS_EVERY_SECONDS = 0.5


@task()
def print_all_copies(batch_id: int) -> None:
    run_batch(batch_id)


def _update(batch_id: int, **fields) -> None:
    # PrintBatch keeps no history, so a plain UPDATE is fine and avoids
    # overwriting fields another process wrote.
    PrintBatch.objects.filter(pk=batch_id).update(**fields)


def run_batch(batch_id: int, *, workers: int | None = None) -> PrintBatch:
    batch = PrintBatch.objects.select_related("letter").get(pk=batch_id)
    letter = batch.letter
    _update(batch_id, status=PrintBatchStatus.RUNNING, started_at=timezone.now())
    try:
        copies = _render_copies(batch_id, letter, workers=workers)
        batch.file.save(
            printing.pdf_filename(letter, kind="batch"), ContentFile(_zip(copies)), save=False
        )
        _update(
            batch_id,
            file=batch.file.name,
            done=len(copies),
            status=PrintBatchStatus.DONE,
            finished_at=timezone.now(),
        )
    except printing.PdfError as exc:
        _update(
            batch_id,
            status=PrintBatchStatus.FAILED,
            error=exc.message[:MAX_ERROR],
            finished_at=timezone.now(),
        )
    except Exception:
        logger.exception("Print batch %s failed", batch_id)
        _update(
            batch_id,
            status=PrintBatchStatus.FAILED,
            error="Printing failed unexpectedly. Try again, or tell an administrator.",
            finished_at=timezone.now(),
        )
    batch.refresh_from_db()
    return batch


def _render_copies(
    batch_id: int, letter: Letter, *, workers: int | None
) -> list[tuple[str, bytes]]:
    """
    Every copy's file name and PDF, in the letter's order: from the cache where
    it has them, the rest rendered (and cached), with progress on the batch.
    """
    archival = printing.is_archival(letter)
    inputs = cache.key_inputs(letter)
    jobs = layout.copies_html(letter, archival=archival)
    keys = [
        cache.pdf_cache_key(letter, copy_for=r, archival=archival, inputs=inputs) for r, _ in jobs
    ]
    results: dict[int, bytes] = {}
    for index, key in enumerate(keys):
        data = cache.cached_pdf(key)
        if data is not None:
            results[index] = data
    todo = [index for index in range(len(jobs)) if index not in results]
    _update(batch_id, total=len(jobs), done=len(results))

    last = time.monotonic()
    rendered = engine.render_many(
        [jobs[index][1] for index in todo], archival=archival, workers=workers
    )
    for position, data in rendered:
        index = todo[position]
        cache.store_pdf(keys[index], data)
        results[index] = data
        if time.monotonic() - last > PROGRESS_EVERY_SECONDS:
            _update(batch_id, done=len(results))
            last = time.monotonic()
    return [
        (printing.pdf_filename(letter, recipient), results[index])
        for index, (recipient, _) in enumerate(jobs)
    ]


def _zip(copies: list[tuple[str, bytes]]) -> bytes:
    archive = io.BytesIO()
    # PDFs are compressed already: store them as they are.
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in copies:
            zf.writestr(name, data)
    return archive.getvalue()
