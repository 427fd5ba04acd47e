"""
Importing a letter that was already written: paste or upload it, review the
proposed structure beside the source and correct it block by block (htmx),
then save it as a draft or as a letter already sent.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_POST
from django_countries import countries

from letters import importing
from letters.forms.importing import KIND_CHOICES, BlockForm, SaveForm, StartForm
from letters.importing_matching import (
    known_organization_names,
    match_addressees,
    match_signatories,
)
from letters.importing_saving import Choices, ImportRefused, save_import
from letters.models import ImportSession
from letters.permissions import SEE_LETTERS, check_permission, get_letter_for, requires
from letters.views import HtmxHttpRequest

IMPORT = "letters.add_letter"
ACTIONS = {"merge", "up", "down", "kind", "delete", "save"}


def get_import_for(request: HttpRequest, pk: int) -> ImportSession:
    """An import in progress: only its owner, with the right to write letters, sees it."""
    check_permission(request, IMPORT)
    return get_object_or_404(
        ImportSession.objects.owned_by(request.user).filter(letter__isnull=True), pk=pk
    )


@requires(IMPORT)
def start(request: HttpRequest) -> HttpResponse:
    form = StartForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = importing.parse_letter(
                data["source_text"], known_organizations=known_organization_names()
            )
        except importing.NotALetter as error:
            form.add_error(None, str(error))
        else:
            match_addressees(proposal["addressees"], country=proposal["country"])
            match_signatories(proposal["signatories"])
            assert request.user.is_authenticated  # LoginRequiredMiddleware
            session = ImportSession(
                created_by=request.user,
                source_name=data["source_name"],
                source_kind=data["source_kind"],
                source_text=data["source_text"],
                proposal=proposal,
            )
            session.number_blocks()
            name = get_valid_filename(data["source_name"]) or "letter"
            session.source_file.save(name[-100:], ContentFile(data["source_bytes"]), save=False)
            session.save()
            return redirect("letters:importing_review", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    pending = (
        ImportSession.objects.owned_by(request.user)
        .filter(letter__isnull=True)
        .only("pk", "source_name", "created_at")[:10]
    )
    context = {"form": form, "pending": pending}
    return render(request, "letters/importing/start.html", context, status=status)


BLOCK_ACTIONS = [
    ("merge", "Merge with next"),
    ("up", "Move up"),
    ("down", "Move down"),
    ("delete", "Leave out"),
]


def _review_context(session: ImportSession) -> dict:
    names = dict(countries)
    blocks = [
        {
            "block": block,
            "government": names.get(block.get("government", ""), ""),
            "third_state": names.get(block.get("third_state", ""), ""),
        }
        for block in session.blocks
    ]
    return {
        "session": session,
        "blocks": blocks,
        "kinds": KIND_CHOICES,
        "block_actions": BLOCK_ACTIONS,
    }


def review(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_import_for(request, pk)
    form = SaveForm(request.POST or None, session=session, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                letter = save_import(
                    session=session,
                    by=request.user,
                    reference=data["reference"],
                    subject=data["subject"],
                    date=data["date"],
                    choices=Choices(
                        form.picked("addressee_"), form.picked("signatory_"), form.offices()
                    ),
                    sent_on=data["sent_on"] if data["save_as"] == "sent" else None,
                )
            except ImportRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"Imported as {letter.reference} ({letter.get_status_display().lower()}).",
                )
                return redirect(letter)
        status = 400
    context = {**_review_context(session), "form": form}
    return render(request, "letters/importing/review.html", context, status=status)


@require_POST
def block(request: HtmxHttpRequest, pk: int, block_id: int, action: str) -> HttpResponse:
    """One correction; htmx gets the block list back, a plain form post the page."""
    session = get_import_for(request, pk)
    if action not in ACTIONS:
        raise Http404
    value = request.POST.get("value", "")[:20]
    form = BlockForm(request.POST)
    if action == "save" and not form.is_valid():
        notice = " ".join(str(m) for ms in form.errors.values() for m in ms)
        return _after_change(request, session, notice)
    with transaction.atomic():
        # Two corrections sent at once (a double click) apply one after the other.
        session = ImportSession.objects.select_for_update().get(pk=session.pk)
        if action == "save":
            value = form.cleaned_data["text"]
            _set_governments(session, block_id, form.cleaned_data)
        found = session.correct(block_id, action, value)
    notice = "" if found else "That block no longer exists: the page was out of date."
    return _after_change(request, session, notice)


def _set_governments(session: ImportSession, block_id: int, data: dict) -> None:
    index = session.index_of(block_id)
    if index is not None and session.blocks[index]["kind"] == importing.RECOMMENDATION:
        session.blocks[index]["government"] = data["government"]
        session.blocks[index]["third_state"] = data["third_state"]


def _after_change(request: HtmxHttpRequest, session: ImportSession, notice: str) -> HttpResponse:
    if request.htmx:
        context = {**_review_context(session), "notice": notice}
        return render(request, "letters/importing/_blocks.html", context)
    if notice:
        messages.error(request, notice)
    return redirect("letters:importing_review", pk=session.pk)


def block_edit(request: HttpRequest, pk: int, block_id: int) -> HttpResponse:
    """The edit form of one block (htmx swaps it in place of the block)."""
    session = get_import_for(request, pk)
    index = session.index_of(block_id)
    if index is None:
        raise Http404
    item = session.blocks[index]
    form = BlockForm(initial=item, auto_id=f"id_block{block_id}_%s")
    context = {"session": session, "block": item, "form": form}
    return render(request, "letters/importing/_block_form.html", context)


@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_import_for(request, pk)
    session.source_file.delete(save=False)
    session.delete()
    messages.info(request, "The import was discarded; nothing was saved.")
    return redirect("letters:importing_start")


def source(request: HttpRequest, pk: int) -> FileResponse:
    """The file a letter was imported from, kept with it."""
    letter = get_letter_for(request, pk, SEE_LETTERS)
    session = ImportSession.objects.filter(letter=letter).first()
    if session is None or not session.source_file:
        raise Http404
    return FileResponse(
        session.source_file.open("rb"), as_attachment=True, filename=session.source_name
    )
