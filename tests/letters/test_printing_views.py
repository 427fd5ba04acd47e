"""Downloads of printed letters, for the three personas."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from letters import printing
from letters.models import PrintBatch
from letters.printing import engine
from tests import factories

pytestmark = pytest.mark.django_db


def urls(letter) -> list[str]:
    recipient = letter.recipients.first()
    return [
        reverse("letters:printing_pdf", args=[letter.pk]),
        reverse("letters:printing_pdf_all", args=[letter.pk]),
        reverse("letters:printing_pdf_copy", args=[letter.pk, recipient.pk]),
        reverse("letters:printing_labels", args=[letter.pk]),
    ]


def test_a_coordinator_downloads_every_document_with_a_sensible_name(client, coordinator, demo):
    client.force_login(coordinator)
    names = []
    for url in urls(demo):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response["ETag"]
        assert response["Cache-Control"] == "private, no-cache"
        assert PdfReader(io.BytesIO(response.content)).pages
        names.append(response["Content-Disposition"])
    assert names == [
        'attachment; filename="JP-2009-12_2009-12-10.pdf"',
        'attachment; filename="JP-2009-12_2009-12-10_all-copies.pdf"',
        'attachment; filename="JP-2009-12_2009-12-10_to_prime-minister-cabinet-secretariat.pdf"',
        'attachment; filename="JP-2009-12_2009-12-10_labels.pdf"',
    ]


def test_a_drafter_may_download_too(client, drafter, demo):
    client.force_login(drafter)
    for url in urls(demo):
        assert client.get(url).status_code == 200


def test_an_outsider_gets_nothing(client, outsider, demo):
    client.force_login(outsider)
    for url in urls(demo):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, demo):
    response = client.get(urls(demo)[0])
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_copy_of_another_letters_recipient_is_not_found(client, coordinator, demo, letter):
    other = factories.make_recipient(letter)
    client.force_login(coordinator)
    response = client.get(reverse("letters:printing_pdf_copy", args=[demo.pk, other.pk]))
    assert response.status_code == 404


def test_an_unknown_letter_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("letters:printing_pdf", args=[999999])).status_code == 404


def test_an_unchanged_letter_answers_304_to_its_etag(client, coordinator, demo, monkeypatch):
    client.force_login(coordinator)
    url = reverse("letters:printing_pdf", args=[demo.pk])
    first = client.get(url)

    def no_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(engine, "html_to_pdf", no_render)
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert client.get(url).content == first.content  # from the cache


def test_an_edit_changes_the_etag(client, coordinator, demo):
    client.force_login(coordinator)
    url = reverse("letters:printing_pdf", args=[demo.pk])
    first = client.get(url)
    demo.paper_size = "letter"
    demo.save()
    second = client.get(url, headers={"if-none-match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]


def test_a_letter_that_cannot_print_shows_a_message_not_an_error(client, coordinator, letter):
    for _ in range(11):  # each section within its limit, the letter beyond the printer's
        factories.make_section(letter, body="word " * 3_900)
    client.force_login(coordinator)
    response = client.get(reverse("letters:printing_pdf", args=[letter.pk]), follow=True)
    assert response.status_code == 200
    assert "The PDF could not be made: The letter is too long to print" in response.content.decode()


def test_a_cache_hit_takes_a_fixed_number_of_queries(
    client, coordinator, demo, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("letters:printing_pdf", args=[demo.pk])
    client.get(url)
    # Session, user, its permissions (own and groups'), the letter, and the three
    # queries of its approvable text: nothing that grows with the letter.
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_letter_page_offers_the_downloads(client, coordinator, demo):
    client.force_login(coordinator)
    html = client.get(reverse("letters:detail", args=[demo.pk])).content.decode()
    assert reverse("letters:printing_pdf", args=[demo.pk]) in html
    assert reverse("letters:printing_pdf_all", args=[demo.pk]) in html
    assert reverse("letters:printing_labels", args=[demo.pk]) in html
    for recipient in demo.recipients.all():
        assert reverse("letters:printing_pdf_copy", args=[demo.pk, recipient.pk]) in html
    assert "Print every copy in the background" in html


def test_drafters_are_not_offered_the_batch(client, drafter, demo):
    client.force_login(drafter)
    html = client.get(reverse("letters:detail", args=[demo.pk])).content.decode()
    assert "Print every copy in the background" not in html


# --- Batches ----------------------------------------------------------------------------


def test_a_coordinator_prints_every_copy_in_a_batch(
    client, coordinator, demo, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:printing_batch_start", args=[demo.pk]))
    assert response.status_code == 302
    batch = PrintBatch.objects.get(letter=demo)
    assert batch.status == "done" and batch.done == batch.total == 4
    assert batch.requested_by == coordinator

    page = client.get(reverse("letters:detail", args=[demo.pk])).content.decode()
    assert "4 copies printed" in page

    download = client.get(reverse("letters:printing_batch_download", args=[demo.pk, batch.pk]))
    assert download.status_code == 200
    assert "JP-2009-12_2009-12-10_copies.zip" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as zf:
        names = zf.namelist()
        assert len(names) == 4
        assert "JP-2009-12_2009-12-10_cc_commandant-japan-coast-guard.pdf" in names
        commandant = demo.recipients.get(position__title="Commandant")
        assert zf.read(names[3]) == printing.render_letter_pdf(demo, copy_for=commandant)


def test_the_batch_start_answers_htmx_with_the_progress(
    client, coordinator, demo, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("letters:printing_batch_start", args=[demo.pk]), headers={"hx-request": "true"}
        )
    # The task runs once the batch row is committed: the answer starts the polling...
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in response.content.decode()
    # ...and the next poll finds the copies ready, and stops polling.
    batch = PrintBatch.objects.get(letter=demo)
    status = client.get(
        reverse("letters:printing_batch_status", args=[demo.pk, batch.pk]),
        headers={"hx-request": "true"},
    ).content.decode()
    assert "Download the copies (ZIP)" in status
    assert "hx-trigger" not in status


def test_progress_is_polled_while_a_batch_runs(client, coordinator, demo):
    batch = PrintBatch.objects.create(letter=demo, status="running", total=193, done=40)
    client.force_login(coordinator)
    url = reverse("letters:printing_batch_status", args=[demo.pk, batch.pk])
    html = client.get(url, headers={"hx-request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'max="193" value="40"' in html
    assert "Printing copies: 40 of 193" in html
    # A second click while it runs starts nothing new.
    client.post(reverse("letters:printing_batch_start", args=[demo.pk]))
    assert PrintBatch.objects.filter(letter=demo).count() == 1


def test_a_failed_batch_says_why(client, coordinator, letter, django_capture_on_commit_callbacks):
    factories.make_recipient(letter)
    letter.closing = ">" * 100 + " deep"
    letter.save()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:printing_batch_start", args=[letter.pk]))
    batch = PrintBatch.objects.get(letter=letter)
    assert batch.status == "failed"
    page = client.get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert "The copies could not be printed: The letter has lists or quotes nested" in page


def test_a_drafter_may_not_start_a_batch(client, drafter, demo):
    client.force_login(drafter)
    assert client.post(reverse("letters:printing_batch_start", args=[demo.pk])).status_code == 403
    assert not PrintBatch.objects.exists()


def test_an_outsider_may_not_start_a_batch_or_see_one(client, outsider, demo):
    batch = PrintBatch.objects.create(letter=demo, status="done", total=4, done=4)
    client.force_login(outsider)
    assert client.post(reverse("letters:printing_batch_start", args=[demo.pk])).status_code == 403
    status = reverse("letters:printing_batch_status", args=[demo.pk, batch.pk])
    assert client.get(status, headers={"hx-request": "true"}).status_code == 403
    download = reverse("letters:printing_batch_download", args=[demo.pk, batch.pk])
    assert client.get(download).status_code == 403


def test_batch_start_refuses_get(client, coordinator, demo):
    client.force_login(coordinator)
    assert client.get(reverse("letters:printing_batch_start", args=[demo.pk])).status_code == 405


def test_an_unfinished_batch_has_nothing_to_download(client, coordinator, demo):
    batch = PrintBatch.objects.create(letter=demo, status="running", total=4, done=1)
    client.force_login(coordinator)
    url = reverse("letters:printing_batch_download", args=[demo.pk, batch.pk])
    assert client.get(url).status_code == 404


def test_an_abandoned_batch_does_not_block_a_new_one(
    client, coordinator, demo, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    PrintBatch.objects.create(
        letter=demo, status="running", total=4, created_at=timezone.now() - dt.timedelta(hours=2)
    )
    client.force_login(coordinator)
    page = client.get(reverse("letters:detail", args=[demo.pk])).content.decode()
    assert "The last batch of copies stopped before it finished" in page
    assert "hx-trigger" not in page.split('id="print-batch"')[1].split(">")[0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:printing_batch_start", args=[demo.pk]))
    assert PrintBatch.objects.filter(letter=demo, status="done").count() == 1
