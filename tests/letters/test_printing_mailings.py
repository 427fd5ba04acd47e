"""
Large mailings: all copies in one PDF and the labels come from the background
batch when a request could not print them in time, with a progress bar that
counts the copies every chunk has printed.
"""

from __future__ import annotations

import io

import pypdf
import pytest
from django.urls import reverse

from letters import printing
from letters.models import PrintBatch
from letters.printing import tasks
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def make_mailing(copies: int, **overrides):
    letter = factories.make_letter(**overrides)
    for n in range(copies):
        factories.make_recipient(letter, order=n)
    return letter


def pdf_pages(response) -> list[str]:
    data = b"".join(response.streaming_content)
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_page_estimate_is_close_to_the_printed_demo_letter(demo):
    printed = len(pypdf.PdfReader(io.BytesIO(printing.render_letter_pdf(demo))).pages)
    assert abs(printing.estimated_pages(demo) - printed) <= 1
    assert not printing.is_large_mailing(demo, copies=demo.recipients.count())


def test_41_copies_of_a_16_page_letter_are_sent_to_the_background_batch(client, coordinator):
    letter = make_mailing(41)
    for _ in range(2):
        factories.make_section(letter, body="A long paragraph about refugees. " * 600)
    assert printing.estimated_pages(letter) == 16
    client.force_login(coordinator)

    for name in ("letters:printing_pdf_all", "letters:printing_labels"):
        response = client.get(reverse(name, args=[letter.pk]), follow=True)
        assert response.redirect_chain == [(letter.get_absolute_url() + "#printing", 302)]
        assert "too large to print while you wait" in response.content.decode()

    page = client.get(letter.get_absolute_url()).content.decode()
    assert "A large mailing (41 copies of about 16 pages)" in page
    assert reverse("letters:printing_pdf_all", args=[letter.pk]) not in page
    assert "Print every copy in the background" in page
    assert "{#" not in page


def test_a_small_mailing_still_prints_all_copies_while_you_wait(client, coordinator):
    letter = make_mailing(2)
    client.force_login(coordinator)
    response = client.get(reverse("letters:printing_pdf_all", args=[letter.pk]))
    assert response["Content-Type"] == "application/pdf"


def test_a_200_copy_mailing_completes_with_its_progress_bar(
    client, coordinator, django_capture_on_commit_callbacks
):
    letter = make_mailing(200, opening="We write about one matter.")
    client.force_login(coordinator)
    start = reverse("letters:printing_batch_start", args=[letter.pk])
    # Queued, as with a database backend: the chunks then run as workers would.
    with django_capture_on_commit_callbacks(execute=False):
        html = client.post(start, **HTMX).content.decode()
    batch = PrintBatch.objects.get(letter=letter)
    assert 'aria-valuenow="0"' in html and "autofocus" in html

    first, *rest = tasks.plan_batch(batch.pk)
    tasks.run_chunk(first)
    status = reverse("letters:printing_batch_status", args=[letter.pk, batch.pk])
    html = client.get(status, **HTMX).content.decode()
    assert f"Printing copies: {tasks.CHUNK_SIZE} of 200" in html
    assert f'aria-valuenow="{tasks.CHUNK_SIZE}"' in html and 'aria-valuemax="200"' in html
    assert 'hx-trigger="every 1s"' in html

    for chunk in rest:
        tasks.run_chunk(chunk)
    html = client.get(status, **HTMX).content.decode()
    assert "200 copies printed" in html and "hx-trigger" not in html

    response = client.get(reverse("letters:printing_pdf_all", args=[letter.pk]), follow=True)
    pages = pdf_pages(response)
    assert len(pages) == 200
    assert [p.count("We write about one matter.") for p in pages] == [1] * 200
    labels = pdf_pages(
        client.get(reverse("letters:printing_labels", args=[letter.pk]), follow=True)
    )
    recipients = printing.copies(letter)
    assert recipients[0].position.title in labels[0]
    assert recipients[-1].position.title in labels[-1]


def test_a_batch_serves_only_its_own_files(client, coordinator):
    letter = make_mailing(1)
    batch = tasks.run_batch(PrintBatch.objects.create(letter=letter).pk, workers=1)
    client.force_login(coordinator)
    url = reverse("letters:printing_batch_download", args=[letter.pk, batch.pk])
    assert client.get(url + "?part=labels")["Content-Type"] == "application/pdf"
    assert client.get(url + "?part=../../settings").status_code == 404
