"""
Background printing: every copy of a letter (a letter to all 193 UN missions is
193 copies), with progress stored on a PrintBatch for the progress bar, and at
the end a ZIP of the copies, all copies in one PDF and the address labels.

A batch is split into chunks (`PrintChunk`), one task each, so any number of
`manage.py db_worker` processes, on any machines sharing the database and the
media storage, print one mailing together. Each chunk stores its copies through
the storage API and adds what it did to the batch's count (an atomic F()
increment); the chunk that finishes last claims the batch with a conditional
UPDATE, so exactly one worker assembles it.

The immediate backend runs all of this inside the request; with
TASKS_BACKEND=django_tasks_db.DatabaseBackend, `manage.py db_worker` runs it.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import time
import zipfile

import pikepdf
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from letters import printing
from letters.models import Letter, PrintBatch, PrintBatchStatus, PrintChunk
from letters.models.printing import MAX_ERROR, MAX_WORKER
from letters.printing import cache, engine, layout, limits

logger = logging.getLogger(__name__)

# Progress is written at most this often, so 193 copies cost a handful of UPDATEs.
PROGRESS_EVERY_SECONDS = 0.5
# Copies per chunk task: small enough that workers finish a mailing together (with
# 20, two workers split 100 copies 60:40), large enough that the per-task
# overhead (about 50 ms: a few queries, the letter's context, a ZIP) stays noise.
CHUNK_SIZE = 10
UNEXPECTED = "Printing failed unexpectedly. Try again, or tell an administrator."


@task()
def print_all_copies(batch_id: int) -> None:
    """Split the batch into chunk tasks, which any worker may pick up."""
    try:
        chunks = plan_batch(batch_id)
    except printing.PdfError as exc:
        _fail(batch_id, exc.message)
        return
    except Exception:
        logger.exception("Print batch %s could not be planned", batch_id)
        _fail(batch_id, UNEXPECTED)
        return
    for chunk_id in chunks:
        print_chunk.enqueue(chunk_id)
    # While other workers print the chunks, this one makes the labels, which the
    # assembly then finds in the cache (with the immediate backend the chunks ran
    # already, and this is a cache hit).
    try:
        _labels(PrintBatch.objects.select_related("letter").get(pk=batch_id).letter)
    except Exception:  # the assembly renders them again and reports what fails
        logger.warning("Print batch %s: labels not made ahead", batch_id, exc_info=True)


@task()
def print_chunk(chunk_id: int) -> None:
    run_chunk(chunk_id)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:MAX_WORKER]


def _update(batch_id: int, **fields) -> None:
    # PrintBatch keeps no history, so a plain UPDATE is fine and avoids
    # overwriting fields another process wrote.
    PrintBatch.objects.filter(pk=batch_id).update(**fields)


def _fail(batch_id: int, message: str) -> None:
    # Only a batch still under way fails: a late chunk never undoes a finished one.
    PrintBatch.objects.filter(
        pk=batch_id,
        status__in=[PrintBatchStatus.QUEUED, PrintBatchStatus.RUNNING, PrintBatchStatus.ASSEMBLING],
    ).update(status=PrintBatchStatus.FAILED, error=message[:MAX_ERROR], finished_at=timezone.now())


def plan_batch(batch_id: int, *, chunk_size: int = CHUNK_SIZE) -> list[int]:
    """The batch's chunks, created once, as ids in order; the batch is running."""
    batch = PrintBatch.objects.select_related("letter").get(pk=batch_id)
    existing = list(batch.chunks.values_list("pk", flat=True))
    if existing:  # the planning task ran before (a worker restarted): keep its chunks
        return existing
    total = batch.letter.original.recipients.count()
    if not total:
        raise printing.PdfError("The letter has no recipients to print copies for.")
    with transaction.atomic():
        chunks = PrintChunk.objects.bulk_create(
            PrintChunk(batch=batch, number=n, first=first, count=min(chunk_size, total - first))
            for n, first in enumerate(range(0, total, chunk_size))
        )
        _update(batch_id, status=PrintBatchStatus.RUNNING, started_at=timezone.now(), total=total)
    return [chunk.pk for chunk in chunks]


def run_batch(batch_id: int, *, workers: int | None = None) -> PrintBatch:
    """
    The whole batch in this process, as one chunk on every core (bench, tests),
    its labels rendered in the same pool as its copies.
    """
    chunks: list[int] = []
    try:
        chunks = plan_batch(batch_id, chunk_size=2**31)
    except printing.PdfError as exc:
        _fail(batch_id, exc.message)
    except Exception:
        logger.exception("Print batch %s could not be planned", batch_id)
        _fail(batch_id, UNEXPECTED)
    for chunk_id in chunks:
        run_chunk(chunk_id, workers=workers, with_labels=True)
    return PrintBatch.objects.get(pk=batch_id)


def run_chunk(chunk_id: int, *, workers: int | None = 1, with_labels: bool = False) -> None:
    """
    Render one chunk's copies (from the cache where it has them), and the
    batch's labels too if asked, store them, and assemble the batch if this was
    the last chunk. One process by default: with chunks, the workers are the
    parallelism.
    """
    chunk = PrintChunk.objects.select_related("batch__letter").get(pk=chunk_id)
    batch = chunk.batch
    if chunk.finished_at is not None or batch.status != PrintBatchStatus.RUNNING:
        return  # ran already, or the batch failed: nothing to add
    PrintChunk.objects.filter(pk=chunk_id).update(worker=worker_name(), started_at=timezone.now())
    try:
        copies = _render_copies(chunk, batch.letter, workers=workers, with_labels=with_labels)
        chunk.file.save(
            f"batch-{batch.pk}-chunk-{chunk.number}.zip", ContentFile(_zip(copies)), save=False
        )
        PrintChunk.objects.filter(pk=chunk_id).update(
            file=chunk.file.name, finished_at=timezone.now()
        )
        _assemble_if_last(batch.pk)
    except printing.PdfError as exc:
        _fail(batch.pk, exc.message)
    except Exception:
        logger.exception("Print batch %s, chunk %s failed", batch.pk, chunk.number)
        _fail(batch.pk, UNEXPECTED)


def _count(chunk: PrintChunk, done: int) -> None:
    """
    Record `done` copies of this chunk, and add what is new to the batch's count:
    an atomic increment, so chunks finishing on several workers all count. A
    chunk re-run after a worker died starts from what it had counted.
    """
    if done == chunk.done:
        return
    with transaction.atomic():
        PrintChunk.objects.filter(pk=chunk.pk).update(done=done)
        _update(chunk.batch_id, done=F("done") + (done - chunk.done))
    chunk.done = done


def _render_copies(
    chunk: PrintChunk, letter: Letter, *, workers: int | None, with_labels: bool = False
) -> list[tuple[str, bytes]]:
    """
    The chunk's copies as file name and PDF, in the letter's order: from the
    cache where it has them, the rest rendered (and cached), with progress.
    With `with_labels`, the labels are rendered (and cached) in the same pool,
    first, so that no core waits for them at the end.
    """
    archival = printing.is_archival(letter)
    inputs = cache.key_inputs(letter)
    jobs = layout.copies_html(
        letter, archival=archival, only=slice(chunk.first, chunk.first + chunk.count)
    )
    keys = [
        cache.pdf_cache_key(letter, copy_for=r, archival=archival, inputs=inputs) for r, _ in jobs
    ]
    results: dict[int, bytes] = {}
    for index, key in enumerate(keys):
        data = cache.cached_pdf(key)
        if data is not None:
            results[index] = data
    _count(chunk, len(results))
    # What to render: cache key, HTML, archival, and which copy (None: the labels).
    todo: list[tuple[str, str, bool, int | None]] = [
        (keys[index], html, archival, index)
        for index, (_, html) in enumerate(jobs)
        if index not in results
    ]
    if with_labels:
        todo[:0] = _labels_to_render(letter)

    last = time.monotonic()
    rendered = engine.render_many(
        [(html, variant) for _, html, variant, _ in todo],
        workers=workers,
        seconds=limits.MAX_BACKGROUND_SECONDS,
    )
    for position, data in rendered:
        key, _, _, copy = todo[position]
        cache.store_pdf(key, data)
        if copy is None:
            continue
        results[copy] = data
        if time.monotonic() - last > PROGRESS_EVERY_SECONDS:
            _count(chunk, len(results))
            last = time.monotonic()
    _count(chunk, len(results))
    return [
        (printing.pdf_filename(letter, recipient), results[index])
        for index, (recipient, _) in enumerate(jobs)
    ]


def _assemble_if_last(batch_id: int) -> None:
    # Each chunk's finish is committed before this count, so of two chunks that
    # finish together the later one sees the other's; the conditional UPDATE
    # then lets exactly one caller through even if both see none left.
    if PrintChunk.objects.filter(batch_id=batch_id, finished_at=None).exists():
        return
    claimed = PrintBatch.objects.filter(pk=batch_id, status=PrintBatchStatus.RUNNING).update(
        status=PrintBatchStatus.ASSEMBLING
    )
    if claimed:
        assemble(batch_id)


def assemble(batch_id: int) -> None:
    """The ZIP of every copy, all copies in one PDF, and the address labels."""
    batch = PrintBatch.objects.select_related("letter").get(pk=batch_id)
    letter = batch.letter
    chunks = list(batch.chunks.order_by("number"))
    copies: list[tuple[str, bytes]] = []
    for chunk in chunks:
        with chunk.file.open("rb") as fh, zipfile.ZipFile(fh) as zf:
            copies += [(name, zf.read(name)) for name in zf.namelist()]
    batch.file.save(
        printing.pdf_filename(letter, kind="batch"), ContentFile(_zip(copies)), save=False
    )
    batch.merged.save(
        printing.pdf_filename(letter, kind="all"), ContentFile(_merge(copies)), save=False
    )
    labels = _labels(letter)
    batch.labels.save(printing.pdf_filename(letter, kind="labels"), ContentFile(labels), save=False)
    _update(
        batch_id,
        file=batch.file.name,
        merged=batch.merged.name,
        labels=batch.labels.name,
        done=len(copies),
        status=PrintBatchStatus.DONE,
        finished_at=timezone.now(),
    )
    # The chunks' files were only a way between workers: the batch holds them now.
    for chunk in chunks:
        chunk.file.delete(save=False)
    PrintChunk.objects.filter(batch_id=batch_id).update(file="")


def _labels(letter: Letter) -> bytes:
    """The labels as the labels page gives them, cached for it too."""
    key, _ = printing.document(letter, kind="labels")
    data = cache.cached_pdf(key)
    if data is None:
        html = layout.labels_html(letter)
        data = engine.html_to_pdf(html, archival=False, seconds=limits.MAX_BACKGROUND_SECONDS)
        cache.store_pdf(key, data)
    return data


def _labels_to_render(letter: Letter) -> list[tuple[str, str, bool, int | None]]:
    """The labels to render with a chunk's copies, unless the cache has them."""
    key, _ = printing.document(letter, kind="labels")
    if cache.cached_pdf(key) is not None:
        return []
    return [(key, layout.labels_html(letter), False, None)]


def _zip(copies: list[tuple[str, bytes]]) -> bytes:
    archive = io.BytesIO()
    # PDFs are compressed already: store them as they are.
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in copies:
            zf.writestr(name, data)
    return archive.getvalue()


def _merge(copies: list[tuple[str, bytes]]) -> bytes:
    """
    Every copy's pages, in order, in one PDF to print in one go: the rendered
    copies put together as they are (pikepdf, about 4 ms a copy), with each
    copy's bookmarks, not rendered again.
    """
    merged = pikepdf.new()
    sources: list[pikepdf.Pdf] = []
    try:
        with merged.open_outline() as outline:
            for _, data in copies:
                # Page contents are copied when `merged` is saved: keep the sources open.
                source = pikepdf.open(io.BytesIO(data))
                sources.append(source)
                merged.pages.extend(source.pages)
                with source.open_outline() as theirs:
                    outline.root.extend(_copied_outline(merged, theirs.root))
                if "/Names" not in merged.Root:
                    _copy_named_destinations(merged, source)
        for page in merged.pages:
            # The copies' structure trees stay behind, so nothing refers to them.
            if "/StructParents" in page.obj:
                del page.obj["/StructParents"]
        out = io.BytesIO()
        merged.save(
            out,
            min_version=max(source.pdf_version for source in sources) if sources else "",
            # Streams are compressed already: pass them through.
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return out.getvalue()
    finally:
        for source in sources:
            source.close()


def _copied_destination(merged: pikepdf.Pdf, destination):
    """[page, /XYZ, left, top, zoom] pointing at the page as copied into `merged`."""
    if isinstance(destination, pikepdf.Array) and len(destination):
        return pikepdf.Array([merged.copy_foreign(destination[0]), *list(destination)[1:]])
    return None


def _copied_outline(merged: pikepdf.Pdf, items) -> list[pikepdf.OutlineItem]:
    copied = []
    for item in items:
        new = pikepdf.OutlineItem(str(item.title), _copied_destination(merged, item.destination))
        new.children.extend(_copied_outline(merged, item.children))
        copied.append(new)
    return copied


def _copy_named_destinations(merged: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    """The first copy's named destinations (one per recommendation), as before the merge."""
    tree = source.Root.get("/Names")
    dests = tree.get("/Dests") if isinstance(tree, pikepdf.Dictionary) else None
    names = dests.get("/Names") if isinstance(dests, pikepdf.Dictionary) else None
    if not isinstance(names, pikepdf.Array):
        return
    pairs = list(names)
    flat: list = []
    for name, destination in zip(pairs[::2], pairs[1::2], strict=True):
        copied = _copied_destination(merged, destination)
        if copied is not None:
            flat += [name, copied]
    merged.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(flat)))
