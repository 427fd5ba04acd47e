"""
Finalising, withdrawing or superseding a letter, recording how it was sent,
publishing it, and its press releases. Each view gets its letter through
`get_letter_for`, which checks the permission.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from letters import sending
from letters.forms.sending import PressReleaseForm, QuoteFormSet, SendingFormSet, SupersedeForm
from letters.models import PressRelease, SentCopy
from letters.permissions import SEE_LETTERS, get_letter_for


def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.finalize_letter")
    problems: list[str] = []
    if request.method == "POST":
        problems = sending.finalise(letter=letter, by=request.user)
        if not problems:
            messages.success(
                request, "The letter is final: its text, recipients and signatories are frozen."
            )
            return redirect(letter)
        letter.refresh_from_db()
    else:
        problems = sending.finalise_problems(letter=letter)
    return render(
        request, "letters/sending/finalise.html", {"letter": letter, "problems": problems}
    )


def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.finalize_letter")
    if request.method == "POST":
        try:
            sending.withdraw_letter(letter=letter, by=request.user)
        except sending.SendingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The letter is withdrawn.")
        return redirect(letter)
    return render(request, "letters/sending/withdraw.html", {"letter": letter})


def supersede(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.add_letter")
    form = SupersedeForm(request.POST or None, initial={"reference": f"{letter.reference}-v2"})
    if request.method == "POST" and form.is_valid():
        try:
            draft = sending.supersede(
                letter=letter, by=request.user, reference=form.cleaned_data["reference"]
            )
        except sending.SendingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"New draft {draft.reference} copied from {letter.reference}."
            )
            return redirect(draft)
    return render(request, "letters/sending/supersede.html", {"letter": letter, "form": form})


def send(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.send_letter")
    if refusal := letter.refusal("send"):
        messages.error(request, refusal)
        return redirect(letter)
    recipients = letter.original.recipients.select_related("position").order_by(
        "-role", "order", "pk"
    )
    formset = SendingFormSet(request.POST or None, queryset=recipients)
    if request.method == "POST" and formset.is_valid():
        entries = [
            (form.instance, form.cleaned_data["sent_on"], form.cleaned_data["send_channel"])
            for form in formset.forms
        ]
        try:
            sending.record_sending(letter=letter, by=request.user, entries=entries)
        except sending.SendingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Sending recorded; the PDFs that went out are archived.")
            return redirect(letter)
    return render(request, "letters/sending/send.html", {"letter": letter, "formset": formset})


def sent_copy(request: HttpRequest, pk: int, copy_pk: int) -> FileResponse:
    letter = get_letter_for(request, pk, SEE_LETTERS)
    copy = get_object_or_404(SentCopy, letter=letter, pk=copy_pk)
    from letters.views.public import serve_copy

    return serve_copy(copy)


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.publish_letter")
    try:
        sending.publish(letter=letter, by=request.user)
    except sending.SendingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The letter is published.")
    return redirect(letter)


@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.publish_letter")
    try:
        sending.unpublish(letter=letter, by=request.user)
    except sending.SendingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The letter is no longer public.")
    return redirect(letter)


def press_release(request: HttpRequest, pk: int, release_pk: int | None = None) -> HttpResponse:
    permission = "letters.change_pressrelease" if release_pk else "letters.add_pressrelease"
    letter = get_letter_for(request, pk, permission)
    release = (
        get_object_or_404(PressRelease, letter=letter, pk=release_pk)
        if release_pk
        else PressRelease(letter=letter)
    )
    form = PressReleaseForm(request.POST or None, instance=release)
    quotes = QuoteFormSet(request.POST or None, instance=release, prefix="quotes")
    if request.method == "POST" and form.is_valid() and quotes.is_valid():
        with transaction.atomic():
            release = form.save()
            quotes.instance = release
            quotes.save()
        messages.success(request, "Press release saved.")
        return redirect("letters:sending_press_release", pk=letter.pk, release_pk=release.pk)
    return render(
        request,
        "letters/sending/press_release.html",
        {"letter": letter, "form": form, "quotes": quotes, "release": release},
    )


@require_POST
def press_release_from_letter(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.add_pressrelease")
    release = sending.start_press_release(letter=letter, by=request.user)
    messages.success(request, "A press release drafted from the letter: edit it below.")
    return redirect("letters:sending_press_release", pk=letter.pk, release_pk=release.pk)
