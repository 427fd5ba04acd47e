"""
Printed documents: the letter, each recipient's copy, all copies merged, address
labels, and background batches of copies. Bytes come from letters/printing/; these
views add permissions, file names, ETags and messages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from letters import printing
from letters.models import Letter, LetterRecipient, PrintBatch, PrintBatchStatus
from letters.permissions import SEE_LETTERS, get_letter_for
from letters.printing import layout
from letters.printing.tasks import print_all_copies
from letters.views import HtmxHttpRequest


def _pdf_response(
    request: HttpRequest,
    letter: Letter,
    document: tuple[str, Callable[[], bytes]],
    filename: str,
) -> HttpResponse:
    key, produce = document
    etag = f'"{key}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        try:
            data = produce()
        except printing.PdfError as exc:
            messages.error(request, f"The PDF could not be made: {exc.message}")
            return redirect(letter)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(True, filename)
    response["ETag"] = etag
    # Private (letters may be confidential) and always revalidated: an edit
    # gives a new ETag, an unchanged letter a cheap 304.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def preview_stylesheet(request: HttpRequest) -> HttpResponse:
    """print.css for the on-screen preview; the URL carries the template version."""
    version = layout.template_version()
    response = HttpResponse(layout.preview_stylesheet(version), content_type="text/css")
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as the main addressee receives it."""
    letter = get_letter_for(request, pk, SEE_LETTERS)
    return _pdf_response(request, letter, printing.document(letter), printing.pdf_filename(letter))


@require_GET
def copy_pdf(request: HttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, SEE_LETTERS)
    recipient = get_object_or_404(
        LetterRecipient.objects.select_related("position"),
        pk=recipient_pk,
        # A translation prints a copy for each of its original's recipients.
        letter_id=letter.original.pk,
    )
    return _pdf_response(
        request,
        letter,
        printing.document(letter, copy_for=recipient),
        printing.pdf_filename(letter, recipient),
    )


def _large_mailing(request: HttpRequest, letter: Letter, part: str) -> HttpResponse | None:
    """
    For a mailing too large to print in a request: the latest batch's file when
    it is done for this version of the letter, else the letter page, which says why.
    """
    if not printing.is_large_mailing(letter, copies=letter.original.recipients.count()):
        return None
    batch = letter.print_batches.first()
    if batch and batch.status == PrintBatchStatus.DONE and batch.letter_version == letter.version:
        return redirect(batch.get_file_url() + f"?part={part}")
    messages.info(
        request,
        "This mailing is too large to print while you wait: all copies in one PDF and "
        "the address labels come with the background printing of every copy.",
    )
    return redirect(letter.get_absolute_url() + "#printing")


@require_GET
def all_copies_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, SEE_LETTERS)
    if large := _large_mailing(request, letter, "all"):
        return large
    return _pdf_response(
        request,
        letter,
        printing.document(letter, kind="all"),
        printing.pdf_filename(letter, kind="all"),
    )


@require_GET
def labels_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, SEE_LETTERS)
    if large := _large_mailing(request, letter, "labels"):
        return large
    return _pdf_response(
        request,
        letter,
        printing.document(letter, kind="labels"),
        printing.pdf_filename(letter, kind="labels"),
    )


def _progress(
    request: HttpRequest, letter: Letter, batch: PrintBatch | None, *, started: bool = False
) -> HttpResponse:
    context = {
        "letter": letter,
        "batch": batch,
        "can_batch": request.user.has_perm(printing.BATCH_PERMISSION),
        # The button that was pressed is gone: focus moves to the progress bar,
        # and to the downloads when a batch finishes while the page polls.
        "started": started,
        "swapped": True,
    }
    return render(request, "letters/printing/_batch.html", context)


@require_POST
def batch_start(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, printing.BATCH_PERMISSION)
    assert request.user.is_authenticated  # LoginRequiredMiddleware; and it has the permission
    with transaction.atomic():
        # Two clicks at once must not start two batches: serialise on the letter row.
        Letter.objects.select_for_update().filter(pk=letter.pk).first()
        running = next((b for b in letter.print_batches.all()[:1] if b.is_active), None)
        if running is not None:
            messages.info(request, "Copies of this letter are being printed already.")
            batch = running
        elif not letter.original.recipients.exists():
            messages.error(request, "Add recipients before printing their copies.")
            return redirect(letter)
        else:
            batch = PrintBatch.objects.create(
                letter=letter, requested_by=request.user, letter_version=letter.version
            )
            # With the database backend the worker must see the committed row.
            transaction.on_commit(lambda: print_all_copies.enqueue(batch.pk))
    if request.htmx:
        batch.refresh_from_db()
        return _progress(request, letter, batch, started=True)
    return redirect(letter.get_absolute_url() + "#printing")


@require_GET
def batch_status(request: HtmxHttpRequest, pk: int, batch_pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, SEE_LETTERS)
    batch = get_object_or_404(PrintBatch, pk=batch_pk, letter=letter)
    if not request.htmx:
        return redirect(letter.get_absolute_url() + "#printing")
    return _progress(request, letter, batch)


# ?part= of a batch's download: its file field, file name kind and type.
BATCH_PARTS = {
    "copies": ("file", "batch", "application/zip"),
    "all": ("merged", "all", "application/pdf"),
    "labels": ("labels", "labels", "application/pdf"),
}


@require_GET
def batch_download(request: HttpRequest, pk: int, batch_pk: int) -> FileResponse:
    """The ZIP of copies, or with ?part=all|labels all copies in one PDF or the labels."""
    letter = get_letter_for(request, pk, SEE_LETTERS)
    batch = get_object_or_404(PrintBatch, pk=batch_pk, letter=letter)
    part = BATCH_PARTS.get(request.GET.get("part", "copies"))
    if part is None:
        raise Http404("No such file in a batch.")
    field, kind, content_type = part
    file = getattr(batch, field)
    if not file:
        raise Http404("These copies are not ready.")
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=printing.pdf_filename(letter, kind=kind),
        content_type=content_type,
    )
