"""
The coordinator's side of sign-on: circulate, manage links, remind,
finalise, withdraw or supersede, record sending, publish, and the press
release. Each view checks the role, then the letter, then the permission.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from letters import sending, signing
from letters.models import (
    Letter,
    LetterStatus,
    PressRelease,
    SentCopy,
    Signatory,
    SignatoryRole,
)
from letters.signon_forms import (
    CirculateForm,
    LeadApprovalForm,
    PressReleaseForm,
    QuoteFormSet,
    SendingFormSet,
    SupersedeForm,
)
from letters.views import get_letter, require_role


def _letter_for(request: HttpRequest, pk: int, perm: str) -> Letter:
    require_role(request)
    letter = get_letter(request, pk)
    if not request.user.has_perm(f"letters.{perm}"):
        raise PermissionDenied("Your role may not do this.")
    return letter


def _names(signatories) -> str:
    return ", ".join(s.organization.name for s in signatories)


def _report_mailing(request: HttpRequest, mailing: signing.Mailing, what: str) -> None:
    if mailing.sent:
        messages.info(request, f"{what} e-mailed to {_names(mailing.sent)}.")
    if mailing.without_email:
        messages.warning(
            request,
            f"No e-mail address for {_names(mailing.without_email)}: "
            "copy their link from the sign-on board.",
        )
    if mailing.failed:
        messages.error(
            request,
            f"The mail server refused the message to {_names(mailing.failed)}: "
            "copy their link from the sign-on board, or try again later.",
        )


def circulate(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "circulate_letter")
    if letter.status not in (LetterStatus.DRAFT, LetterStatus.CIRCULATING):
        messages.error(request, "Only a draft can be circulated for sign-on.")
        return redirect(letter)
    form = CirculateForm(request.POST or None, letter=letter)
    if request.method == "POST" and form.is_valid():
        try:
            pending = signing.circulate(
                letter=letter, by=request.user, deadline=form.cleaned_data["deadline"]
            )
        except signing.SigningError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The letter is circulating for sign-on.")
            if form.cleaned_data["email"]:
                mailing = signing.mail_links(
                    pending, letter=letter, message=form.cleaned_data["message"], reminder=False
                )
                _report_mailing(request, mailing, "Links")
            return redirect(letter)
    cosigners = letter.signatories.filter(role=SignatoryRole.COSIGNER).select_related(
        "organization"
    )
    return render(
        request,
        "letters/signing/circulate.html",
        {"letter": letter, "form": form, "cosigners": cosigners},
    )


def _signatory(letter: Letter, signatory_pk: int) -> Signatory:
    return get_object_or_404(letter.signatories.select_related("organization"), pk=signatory_pk)


@require_POST
def reissue_link(request: HttpRequest, pk: int, signatory_pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "circulate_letter")
    signatory = _signatory(letter, signatory_pk)
    try:
        signing.reissue_link(signatory=signatory, by=request.user)
    except signing.SigningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"New link for {signatory.organization.name}; the old one no longer works."
        )
    return redirect(letter.get_absolute_url() + "#sign-on")


@require_POST
def revoke_link(request: HttpRequest, pk: int, signatory_pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "circulate_letter")
    signatory = _signatory(letter, signatory_pk)
    signing.revoke_link(signatory=signatory, by=request.user)
    messages.success(request, f"The link of {signatory.organization.name} no longer works.")
    return redirect(letter.get_absolute_url() + "#sign-on")


@require_POST
def approve_for_lead(request: HttpRequest, pk: int, signatory_pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "circulate_letter")
    signatory = _signatory(letter, signatory_pk)
    form = LeadApprovalForm(request.POST, instance=signatory)
    if not form.is_valid():
        messages.error(request, "Enter the name of the person who signs for the lead.")
        return redirect(letter.get_absolute_url() + "#sign-on")
    try:
        signing.approve_for_lead(
            signatory=signatory,
            by=request.user,
            signer_name=form.cleaned_data["signer_name"],
            signer_title=form.cleaned_data["signer_title"],
        )
    except signing.SigningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{signatory.organization.name} approved the current text.")
    return redirect(letter.get_absolute_url() + "#sign-on")


@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "circulate_letter")
    try:
        pending = signing.pending_reminders(letter=letter)
    except signing.SigningError as exc:
        messages.error(request, str(exc))
        return redirect(letter)
    if not pending:
        messages.info(request, "Nobody to remind: every live link has answered the current text.")
    else:
        mailing = signing.mail_links(
            pending,
            letter=letter,
            message=(
                "A reminder: your organisation has not yet approved the current text of this "
                "joint letter."
            ),
            reminder=True,
        )
        _report_mailing(request, mailing, "Reminder")
    return redirect(letter.get_absolute_url() + "#sign-on")


def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "finalize_letter")
    problems: list[str] = []
    if request.method == "POST":
        problems = signing.finalise(letter=letter, by=request.user)
        if not problems:
            messages.success(
                request, "The letter is final: its text, recipients and signatories are frozen."
            )
            return redirect(letter)
        letter.refresh_from_db()
    else:
        problems = signing.finalise_problems(letter=letter)
    return render(
        request, "letters/signing/finalise.html", {"letter": letter, "problems": problems}
    )


def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "finalize_letter")
    if request.method == "POST":
        try:
            signing.withdraw_letter(letter=letter, by=request.user)
        except signing.SigningError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "The letter is withdrawn.")
        return redirect(letter)
    return render(request, "letters/signing/withdraw.html", {"letter": letter})


def supersede(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "add_letter")
    form = SupersedeForm(request.POST or None, initial={"reference": f"{letter.reference}-v2"})
    if request.method == "POST" and form.is_valid():
        try:
            draft = signing.supersede(
                letter=letter, by=request.user, reference=form.cleaned_data["reference"]
            )
        except signing.SigningError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"New draft {draft.reference} copied from {letter.reference}."
            )
            return redirect(draft)
    return render(request, "letters/signing/supersede.html", {"letter": letter, "form": form})


def send(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "send_letter")
    if letter.status != LetterStatus.FINAL:
        messages.error(request, "Only a final letter that has not gone out can be sent.")
        return redirect(letter)
    recipients = letter.recipients.select_related("position").order_by("-role", "order", "pk")
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
    return render(request, "letters/signing/send.html", {"letter": letter, "formset": formset})


def sent_copy(request: HttpRequest, pk: int, copy_pk: int) -> FileResponse:
    require_role(request)
    letter = get_letter(request, pk)
    copy = get_object_or_404(SentCopy, letter=letter, pk=copy_pk)
    from letters.views.public import serve_copy

    return serve_copy(copy)


@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "publish_letter")
    try:
        sending.publish(letter=letter, by=request.user)
    except sending.SendingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The letter is published.")
    return redirect(letter)


@require_POST
def unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "publish_letter")
    try:
        sending.unpublish(letter=letter, by=request.user)
    except sending.SendingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The letter is no longer public.")
    return redirect(letter)


def press_release(request: HttpRequest, pk: int, release_pk: int | None = None) -> HttpResponse:
    letter = _letter_for(request, pk, "change_pressrelease")
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
        return redirect("letters:press_release", pk=letter.pk, release_pk=release.pk)
    return render(
        request,
        "letters/signing/press_release.html",
        {"letter": letter, "form": form, "quotes": quotes, "release": release},
    )


@require_POST
def press_release_from_letter(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk, "add_pressrelease")
    release = sending.start_press_release(letter=letter, by=request.user)
    messages.success(request, "A press release drafted from the letter: edit it below.")
    return redirect("letters:press_release", pk=letter.pk, release_pk=release.pk)
