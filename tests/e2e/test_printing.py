from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def download(page, name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    item = info.value
    return item.suggested_filename, Path(item.path()).read_bytes()


def test_coordinator_downloads_the_letter_its_copies_and_labels(
    page, live_server, log_in, demo, coordinator
):
    log_in(coordinator)
    page.goto(f"{live_server.url}/letters/{demo.pk}/")
    card = page.get_by_role("region", name="Print")
    expect(card).to_contain_text("Archive-grade PDF/A-3b")
    assert_accessible(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "printing_letter_page.png", full_page=True)

    name, data = download(page, "Download PDF")
    assert name == "JP-2009-12_2009-12-10.pdf"
    assert "Dear Prime Minister Hatoyama," in PdfReader(io.BytesIO(data)).pages[0].extract_text()

    name, data = download(page, "All copies in one PDF")
    assert name == "JP-2009-12_2009-12-10_all-copies.pdf"
    assert len(PdfReader(io.BytesIO(data)).pages) % 4 == 0

    name, data = download(page, "Copy for Commandant, Japan Coast Guard")
    assert name == "JP-2009-12_2009-12-10_cc_commandant-japan-coast-guard.pdf"

    name, data = download(page, "Address labels")
    assert "Mori Takeshi" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert_accessible(page)


def test_coordinator_prints_every_copy_in_the_background(
    page, live_server, log_in, demo, coordinator
):
    log_in(coordinator)
    page.goto(f"{live_server.url}/letters/{demo.pk}/")
    page.get_by_role("button", name="Print every copy in the background").click()
    ready = page.get_by_role("link", name="Download the copies (ZIP)")
    expect(ready).to_be_visible(timeout=30_000)
    expect(page.get_by_text("4 copies printed")).to_be_visible()
    # The pressed button is gone: focus lands on the downloads, not the page's top.
    expect(ready).to_be_focused()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS / "printing_batch_done.png", full_page=True)

    name, data = download(page, "Download the copies (ZIP)")
    assert name == "JP-2009-12_2009-12-10_copies.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert len(zf.namelist()) == 4
    name, data = download(page, "Download all copies in one PDF")
    assert name == "JP-2009-12_2009-12-10_all-copies.pdf"
    assert len(PdfReader(io.BytesIO(data)).pages) % 4 == 0
    name, data = download(page, "Download the address labels")
    assert "Mori Takeshi" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_the_downloads_work_from_the_keyboard(page, live_server, log_in, demo, drafter):
    log_in(drafter)
    page.goto(f"{live_server.url}/letters/{demo.pk}/")
    expect(page.get_by_role("button", name="Print every copy in the background")).to_have_count(0)
    link = page.get_by_role("link", name="Download PDF")
    link.focus()
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "JP-2009-12_2009-12-10.pdf"
    assert_accessible(page)


def test_the_progress_bar_follows_a_batch_running_in_a_worker(
    page, live_server, log_in, demo, coordinator
):
    from letters.models import PrintBatch

    batch = PrintBatch.objects.create(letter=demo, status="running", total=193, done=40)
    log_in(coordinator)
    page.goto(f"{live_server.url}/letters/{demo.pk}/")
    progress = page.get_by_role("progressbar", name="Printing copies: 40 of 193")
    expect(progress).to_have_attribute("aria-valuenow", "40")
    progress.focus()
    assert_accessible(page)
    page.locator("#printing").screenshot(path=SCREENSHOTS / "printing_batch_running.png")

    # A db_worker elsewhere moves on; htmx polls the status every second.
    PrintBatch.objects.filter(pk=batch.pk).update(done=120)
    progress = page.get_by_role("progressbar", name="Printing copies: 120 of 193")
    expect(progress).to_have_attribute("aria-valuenow", "120")
    expect(progress).to_be_focused()  # the poll swapped it; focus stayed on it
    expect(page.locator("#printing")).not_to_contain_text("{#")
    PrintBatch.objects.filter(pk=batch.pk).update(
        status="done", done=193, file="pdf-batches/copies.zip"
    )
    expect(page.get_by_role("link", name="Download the copies (ZIP)")).to_be_visible()
    expect(page.get_by_text("193 copies printed")).to_be_visible()
    assert_accessible(page)


def test_a_large_mailing_offers_its_merged_pdf_and_labels_through_the_batch(
    page, live_server, log_in, coordinator
):
    from tests import factories

    letter = factories.make_letter()
    for n in range(41):
        factories.make_recipient(letter, order=n)
    for _ in range(2):
        factories.make_section(letter, body="A long paragraph about refugees. " * 600)
    log_in(coordinator)
    page.goto(f"{live_server.url}/letters/{letter.pk}/")
    card = page.get_by_role("region", name="Print")
    expect(card).to_contain_text("A large mailing (41 copies of about 16 pages)")
    expect(card.get_by_role("link", name="All copies in one PDF")).to_have_count(0)
    expect(card.get_by_role("button", name="Print every copy in the background")).to_be_visible()
    assert_accessible(page)
    card.screenshot(path=SCREENSHOTS / "printing_large_mailing.png")
