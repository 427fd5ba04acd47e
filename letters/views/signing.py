"""
Sign-on: the coordinator circulates a draft, manages the private links,
reminds and approves for the lead organisation; a partner organisation's
representative opens their link (no account) and approves or declines.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from letters import signing
from letters.forms.signing import ApproveForm, CirculateForm, DeclineForm, LeadApprovalForm
from letters.models import (
    ApprovedText,
    Letter,
    Signatory,
    SignatoryRole,
)
from letters.permissions import SEE_LETTERS, get_letter_for
from letters.text import approvable_text, diff_snapshots, letter_context
from letters.uploads import image_response


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
    letter = get_letter_for(request, pk, "letters.circulate_letter")
    if refusal := letter.refusal("circulate"):
        messages.error(request, refusal)
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
                    pending,
                    letter=letter,
                    message=form.cleaned_data["message"],
                    reminder=False,
                    request=request,
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
    letter = get_letter_for(request, pk, "letters.circulate_letter")
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
    letter = get_letter_for(request, pk, "letters.circulate_letter")
    signatory = _signatory(letter, signatory_pk)
    signing.revoke_link(signatory=signatory, by=request.user)
    messages.success(request, f"The link of {signatory.organization.name} no longer works.")
    return redirect(letter.get_absolute_url() + "#sign-on")


@require_POST
def approve_for_lead(request: HttpRequest, pk: int, signatory_pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.circulate_letter")
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
    letter = get_letter_for(request, pk, "letters.circulate_letter")
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
            request=request,
        )
        _report_mailing(request, mailing, "Reminder")
    return redirect(letter.get_absolute_url() + "#sign-on")


# -- the representative's page, reached through a private link (no account) --

# Tokens are unguessable; the limits keep a flood of guesses, or a stuck
# client hammering one link, from costing anything. Behind a reverse proxy the
# address comes from the header named in the settings (advocacy/proxy.py).
SIGN_RATE_PER_LINK = "30/m"
SIGN_RATE_PER_ADDRESS = "120/m"
# The links opened in this browser session: signatory pk -> token. Several,
# so a coordinator can try two partners' links side by side.
SESSION_TOKENS = "sign_tokens"


def _link_key(group: str, request: HttpRequest) -> str:
    assert request.resolver_match is not None  # ratelimit calls it from inside the view
    kwargs = request.resolver_match.kwargs
    return kwargs["token"][:64] if "token" in kwargs else f"page-{kwargs['signatory_pk']}"


def _link_not_working(request: HttpRequest) -> HttpResponse:
    # One page and one status for every bad link, so a link reveals nothing.
    return render(request, "letters/signing/link_not_working.html", status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "letters/signing/too_many_requests.html", status=429)


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=SIGN_RATE_PER_ADDRESS, method=ratelimit.ALL, block=False, group="sign-ip")
@ratelimit(key=_link_key, rate=SIGN_RATE_PER_LINK, method=ratelimit.ALL, block=False, group="sign")
def sign(request: HttpRequest, token: str) -> HttpResponse:
    """
    The private link from the e-mail. As Django's password-reset confirmation
    does, it keeps the token in the session and redirects to an address
    without it, so the token stays out of access logs, browser history and
    Referer headers.
    """
    if getattr(request, "limited", False):
        return _too_many(request)
    signatory = signing.signatory_for_token(token)
    if signatory is None:
        return _link_not_working(request)
    tokens = request.session.get(SESSION_TOKENS, {})
    tokens[str(signatory.pk)] = token
    request.session[SESSION_TOKENS] = tokens
    return redirect("public:sign_page", signatory_pk=signatory.pk)


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=SIGN_RATE_PER_ADDRESS, method=ratelimit.ALL, block=False, group="sign-ip")
@ratelimit(key=_link_key, rate=SIGN_RATE_PER_LINK, method=ratelimit.ALL, block=False, group="sign")
def sign_page(request: HttpRequest, signatory_pk: int) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many(request)
    token = request.session.get(SESSION_TOKENS, {}).get(str(signatory_pk))
    if token is None:
        # Another browser, or a session that ended: the address alone grants nothing.
        return render(request, "letters/signing/open_link_again.html")
    signatory = signing.signatory_for_token(token)
    if signatory is None or signatory.pk != signatory_pk:
        return _link_not_working(request)
    letter = signatory.letter
    forms = {
        "approve_form": ApproveForm(
            instance=signatory, initial={"content_hash": letter.content_hash}
        ),
        "decline_form": DeclineForm(),
    }
    if request.method == "POST":
        try:
            done = _answer(request, token, signatory, forms)
        except signing.TextChanged as exc:
            messages.warning(request, str(exc))
            return redirect("public:sign_page", signatory_pk=signatory_pk)
        except signing.SigningError:
            return _link_not_working(request)
        if done:
            return redirect("public:sign_page", signatory_pk=signatory_pk)
    else:
        signing.mark_opened(signatory=signatory)
    return _page(request, signatory, forms)


def _answer(request: HttpRequest, token: str, signatory: Signatory, forms: dict) -> bool:
    """
    Take the representative's answer (approve, decline, withdraw). True when it
    was taken; False when the page is shown again, with the form's errors in `forms`.
    """
    action = request.POST.get("action")
    if action == "approve":
        form = forms["approve_form"] = ApproveForm(request.POST, request.FILES, instance=signatory)
        if not form.is_valid():
            return False
        signing.approve(
            token=token,
            content_hash=form.cleaned_data["content_hash"],
            signer_name=form.cleaned_data["signer_name"],
            signer_title=form.cleaned_data["signer_title"],
            consent_to_publish=form.cleaned_data["consent_to_publish"],
            signature=form.cleaned_data["signature_upload"],
        )
        messages.success(request, "Thank you: your organisation approved this text.")
        return True
    if action == "decline":
        declined = forms["decline_form"] = DeclineForm(request.POST)
        if not declined.is_valid():
            return False
        signatory = signing.decline(token=token, reason=declined.cleaned_data["reason"])
        if signing.mail_decline(signatory, request=request):
            messages.info(request, "Your organisation declined. The coordinator is told.")
        else:
            messages.info(
                request, "Your organisation declined. The coordinator sees it on the letter's page."
            )
        return True
    if action == "withdraw":
        signing.withdraw(token=token)
        messages.info(request, "Your organisation's approval is withdrawn.")
        return True
    messages.error(request, "Choose approve, decline or withdraw.")
    return False


def _page(request: HttpRequest, signatory: Signatory, forms: dict) -> HttpResponse:
    """The exact text, where this organisation stands, and what changed since it approved."""
    letter = signatory.letter
    context = letter_context(letter)
    state = signing.sign_on_state(signatory, letter)
    changes = None
    if state == signing.State.APPROVED_OLDER:
        seen = ApprovedText.objects.filter(
            letter=letter, content_hash=signatory.approved_hash
        ).first()
        if seen is not None:
            changes = diff_snapshots(seen.snapshot, approvable_text(letter))
    others = [
        s
        for s in context["signatories"]
        if s.pk != signatory.pk and s.has_approved(letter.content_hash)
    ]
    context.update(
        {
            "signatory": signatory,
            "state": state,
            "state_label": signing.State.LABELS[state],
            "changes": changes,
            "others": others,
            **forms,
            # Uploaded images are served to logged-in staff only; the page
            # says a signature is on file instead of showing a broken image.
            "show_signatures": False,
        }
    )
    response = render(request, "letters/signing/sign.html", context)
    # The page shows what the session's token grants: keep it out of shared
    # caches.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def signature(request: HttpRequest, pk: int, signatory_pk: int) -> FileResponse:
    """A signer's signature image, for whoever may read the letter it signs."""
    letter = get_letter_for(request, pk, SEE_LETTERS)
    signatory = get_object_or_404(Signatory, pk=signatory_pk, letter=letter)
    return image_response(signatory.signature)
