"""Batches of copies through the database task backend, as production runs them."""

from __future__ import annotations

import gc
import io
import os
import re
import zipfile

import pikepdf
import pytest
from django.core.management import call_command
from django.urls import reverse

from letters import printing
from letters.models import PrintBatch, PrintChunk
from letters.permissions import sync_groups
from letters.printing import cache, engine, layout, tasks
from letters.printing.tasks import run_batch
from tests import factories


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_a_db_worker_prints_the_batch_the_page_started(client, database_tasks, demo):
    sync_groups()  # transactional tests flush the groups the migration made
    coordinator = factories.make_user("casey", role="Coordinator")
    client.force_login(coordinator)
    client.post(reverse("letters:printing_batch_start", args=[demo.pk]))
    batch = PrintBatch.objects.get(letter=demo)
    assert batch.status == "queued"  # nothing ran in the request

    call_command("db_worker", batch=True, startup_delay=False, reload=False, stdout=io.StringIO())

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", 4, 4)
    with zipfile.ZipFile(batch.file.open("rb")) as zf:
        assert len(zf.namelist()) == 4


@pytest.mark.django_db
def test_a_batch_reuses_cached_copies_and_renders_the_rest(demo, monkeypatch):
    # Sending the demo letter may have cached every copy already: start from one.
    call_command("prune_pdf_cache", "--days", "-1", stdout=io.StringIO())
    commandant = demo.recipients.get(position__title="Commandant")
    cached = printing.render_letter_pdf(demo, copy_for=commandant)
    rendered = []
    real = engine.render_many

    def counting(documents, **kwargs):
        rendered.append([archival for _, archival in documents])
        return real(documents, **kwargs)

    monkeypatch.setattr(engine, "render_many", counting)
    batch = run_batch(PrintBatch.objects.create(letter=demo).pk, workers=1)
    assert batch.status == "done"
    # The labels first (plain PDF), in the same pool, then the three copies not cached.
    assert rendered == [[False, True, True, True]]
    with zipfile.ZipFile(batch.file.open("rb")) as zf:
        assert zf.read("JP-2009-12_2009-12-10_cc_commandant-japan-coast-guard.pdf") == cached


@pytest.mark.django_db
def test_copies_from_the_pool_match_copies_rendered_one_by_one(demo):
    # US #10's small window sizes each address's type by its own line count.
    demo.envelope_window = "us10"
    demo.save()
    htmls = [html for _, html in layout.copies_html(demo, archival=True)]
    pooled = dict(engine.render_many([(html, True) for html in htmls], workers=2))
    for index, recipient in enumerate(printing.copies(demo)):
        assert pooled[index] == printing.render_letter_pdf(demo, copy_for=recipient)


def test_many_renders_keep_the_collector_off_the_heap_and_give_it_back(monkeypatch):
    seen = []

    def render(html, *, archival=False, seconds=None):
        seen.append(gc.get_freeze_count())
        return html.encode()

    monkeypatch.setattr(engine, "html_to_pdf", render)
    before = gc.get_freeze_count()  # 0: nothing else freezes it
    assert dict(engine.render_many([("a", False), ("b", False)], workers=1)) == {0: b"a", 1: b"b"}
    # What the process held before was frozen while rendering, and is not afterwards.
    assert all(count > before for count in seen)
    assert gc.get_freeze_count() == before


@pytest.mark.django_db
@pytest.mark.skipif(os.environ.get("STORAGE_BACKEND") == "s3", reason="S3 cannot backdate a file")
def test_prune_pdf_cache_deletes_only_old_entries(demo):
    import time

    printing.render_letter_pdf(demo)
    old_key = "ab" + "0" * 62
    cache.store_pdf(old_key, b"%PDF-old\n%%EOF")
    long_ago = time.time() - 40 * 86400
    os.utime(cache.cache_storage().path(cache.cache_name(old_key)), (long_ago, long_ago))
    out = io.StringIO()
    call_command("prune_pdf_cache", "--days", "30", stdout=out)
    assert "Removed 1 cached PDFs" in out.getvalue()
    assert not cache.cache_storage().exists(cache.cache_name(old_key))
    assert cache.cached_pdf(cache.pdf_cache_key(demo)) is not None


@pytest.mark.django_db
def test_a_chunk_run_again_after_its_worker_died_counts_its_copies_once():
    letter = factories.make_letter()
    for n in range(3):
        factories.make_recipient(letter, order=n)
    batch = PrintBatch.objects.create(letter=letter)
    (chunk_id,) = tasks.plan_batch(batch.pk)
    # The first attempt counted two copies, then its worker was killed.
    PrintChunk.objects.filter(pk=chunk_id).update(done=2)
    PrintBatch.objects.filter(pk=batch.pk).update(done=2)
    tasks.run_chunk(chunk_id)
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", 3, 3)
    with zipfile.ZipFile(io.BytesIO(batch.file.read())) as zf:
        assert len(zf.namelist()) == 3


@pytest.mark.django_db
def test_prune_pdf_cache_reads_dates_from_any_storage(demo, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    printing.render_letter_pdf(demo)
    key = cache.pdf_cache_key(demo)
    call_command("prune_pdf_cache", "--days", "30", stdout=io.StringIO())
    assert cache.cached_pdf(key) is not None
    later = timezone.now() + dt.timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    out = io.StringIO()
    call_command("prune_pdf_cache", "--days", "30", stdout=out)
    # Loading the demo may have cached its sent copies too (whether it rendered
    # them depends on the tests before): a month on, every entry goes, ours with them.
    assert re.search(r"Removed [1-9]\d* cached PDFs", out.getvalue())
    assert cache.cached_pdf(key) is None
    out = io.StringIO()
    call_command("prune_pdf_cache", "--days", "30", stdout=out)
    assert "Removed 0 cached PDFs" in out.getvalue()


@pytest.mark.django_db
def test_the_worker_that_splits_a_batch_makes_its_labels_while_others_print(demo, database_tasks):
    call_command("prune_pdf_cache", "--days", "-1", stdout=io.StringIO())
    batch = PrintBatch.objects.create(letter=demo)
    labels_key, _ = printing.document(demo, kind="labels")
    assert cache.cached_pdf(labels_key) is None

    tasks.print_all_copies.call(batch.pk)

    # The chunks are only queued, and the labels wait in the cache for the assembly.
    assert not PrintChunk.objects.filter(batch=batch, finished_at__isnull=False).exists()
    assert cache.cached_pdf(labels_key) is not None


@pytest.mark.django_db
def test_the_merged_pdf_is_the_copies_put_together_with_their_bookmarks(demo):
    batch = run_batch(PrintBatch.objects.create(letter=demo).pk, workers=1)
    with zipfile.ZipFile(batch.file.open("rb")) as zf:
        copies = [pikepdf.open(io.BytesIO(zf.read(name))) for name in zf.namelist()]
    merged = pikepdf.open(io.BytesIO(batch.merged.read()))

    assert len(merged.pages) == sum(len(c.pages) for c in copies)
    page_number = {page.obj.objgen: n for n, page in enumerate(merged.pages)}
    with merged.open_outline() as outline:
        tops = list(outline.root)
        assert [str(t.title) for t in tops] == [demo.subject_line] * len(copies)
        first_pages = [page_number[t.destination[0].objgen] for t in tops]
        assert first_pages == [sum(len(c.pages) for c in copies[:i]) for i in range(len(copies))]
        assert all(len(t.children) == demo.sections.count() for t in tops)
    # The same page content as each copy's own page, in order.
    offset = 0
    for copy in copies:
        for n, page in enumerate(copy.pages):
            assert merged.pages[offset + n].Contents.read_bytes() == page.Contents.read_bytes()
        offset += len(copy.pages)
