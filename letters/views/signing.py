"""
Sign-on: the coordinator circulates a draft, manages the private links,
reminds and approves for the lead organisation; a partner organisation's
representative opens their link (no account) and approves or declines.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation as i18n
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import ALL, is_ratelimited
from django_ratelimit.decorators import ratelimit

from letters import signing, tracking_cache
from letters.forms.signing import (
    ApproveForm,
    CallSignatureForm,
    CirculateForm,
    ConfirmCallForm,
    DeclineForm,
    LeadApprovalForm,
    ModerationForm,
    OpenCallForm,
)
from letters.models import (
    ApprovedText,
    CallSignature,
    CallSignatureStatus,
    Letter,
    Signatory,
    SignatoryRole,
    SignOnCall,
    TranslationApproval,
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
def approve_translation_for_lead(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator approves a translation's text for the lead organisation."""
    letter = get_letter_for(request, pk, "letters.circulate_letter")
    try:
        lead = signing.approve_translation_for_lead(translation=letter, by=request.user)
    except signing.SigningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"{lead.organization.name} approved the text of {letter.reference}."
        )
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


def _address_key(group: str, request: HttpRequest) -> str:
    return ratelimit_core._get_ip(request)  # what key="ip" counts


# The limits of the sign-on links, as django-ratelimit counts them for `sign`.
_SIGN_LIMITS = (
    ("sign-ip", SIGN_RATE_PER_ADDRESS, _address_key),
    ("sign", SIGN_RATE_PER_LINK, _link_key),
)


def _count_attempt(request: HttpRequest) -> bool:
    """Count this request against both limits; True when it goes over either."""
    over = [
        is_ratelimited(request, group=group, key=key, rate=rate, method=ALL, increment=True)
        for group, rate, key in _SIGN_LIMITS
    ]
    return any(over)


def _over_limit(request: HttpRequest) -> bool:
    """
    True when either limit is used up, so that one more counted request would
    be refused. Read in one query, without counting this request; the keys are
    django-ratelimit's own (its private helpers: the version is pinned).
    """
    keys = {}
    for group, rate, key in _SIGN_LIMITS:
        limit, period = ratelimit_core._split_rate(rate)
        value = key(group, request)
        window = ratelimit_core._get_window(value, period)
        keys[ratelimit_core._make_cache_key(group, window, rate, value, ALL)] = limit
    counts = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")].get_many(keys)
    return any(counts.get(key, 0) >= limit for key, limit in keys.items())


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
def sign_page(request: HttpRequest, signatory_pk: int) -> HttpResponse:
    token = request.session.get(SESSION_TOKENS, {}).get(str(signatory_pk))
    signatory = signing.signatory_for_token(token) if token else None
    live = signatory is not None and signatory.pk == signatory_pk
    # Failed and answering requests count against the limits, as every
    # request to /sign/<token>/ does; showing a live link's page only checks
    # them (one read), so a partner reading the letter costs no write.
    counted = request.method == "POST" or not live
    if _count_attempt(request) if counted else _over_limit(request):
        return _too_many(request)
    if token is None:
        # Another browser, or a session that ended: the address alone grants nothing.
        return render(request, "letters/signing/open_link_again.html")
    if signatory is None or not live:
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
    if action == "approve_translation":
        translated = signing.approve_translation(
            token=token,
            translation_pk=_int(request.POST.get("translation", "")),
            content_hash=request.POST.get("content_hash", "")[:64],
        )
        messages.success(
            request, f"Thank you: your organisation approved the text of {translated.reference}."
        )
        return True
    if action == "withdraw":
        signing.withdraw(token=token)
        messages.info(request, "Your organisation's approval is withdrawn.")
        return True
    messages.error(request, "Choose approve, decline or withdraw.")
    return False


def _int(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 18 else 0


def _shared(letter: Letter) -> dict:
    """
    What every partner's page shows alike: the letter as it prints (without
    signatures), each translation's text, and which organisations approved
    this text. Drawn once per write (letters.tracking_cache: the token changes
    with the letter, its translations, parts and signatories, and the offices
    it is addressed to); nothing in it depends on whose link it is.
    """
    return tracking_cache.cached_by_key(
        "sign-on letter",
        f"{letter.pk}:{letter.version}:{letter.content_hash}:{i18n.get_language()}",
        lambda: {
            "text": _text(letter),
            "translations": [
                (translated, _text(translated))
                for translated in letter.translations.order_by("language")
            ],
            # Signatory.has_approved, in the letter's order.
            "approved": list(
                letter.signatories.filter(
                    approved_at__isnull=False,
                    approved_hash=letter.content_hash,
                    declined_at__isnull=True,
                    withdrawn_at__isnull=True,
                )
                .order_by("order", "pk")
                .values_list("pk", "organization__name")
            ),
        },
    )


def _text(letter: Letter) -> str:
    with i18n.override(letter.language if letter.is_translation else i18n.get_language()):
        return render_to_string(
            "letters/_letter_text.html", {**letter_context(letter), "show_signatures": False}
        )


def _translations(shared: dict, signatory: Signatory) -> list[dict]:
    """Each translation's text as it prints, and whether this organisation approved it."""
    if not shared["translations"]:
        return []
    approved = dict(
        TranslationApproval.objects.filter(signatory=signatory).values_list(
            "translation_id", "content_hash"
        )
    )
    return [
        {
            "letter": translated,
            "text": mark_safe(text),  # escaped by the template
            "approved": approved.get(translated.pk) == translated.content_hash,
            "approved_older": approved.get(translated.pk, translated.content_hash)
            != translated.content_hash,
        }
        for translated, text in shared["translations"]
    ]


def _page(request: HttpRequest, signatory: Signatory, forms: dict) -> HttpResponse:
    """The exact text, where this organisation stands, and what changed since it approved."""
    letter = signatory.letter
    state = signing.sign_on_state(signatory, letter)
    changes = None
    if state == signing.State.APPROVED_OLDER:
        seen = ApprovedText.objects.filter(
            letter=letter, content_hash=signatory.approved_hash
        ).first()
        if seen is not None:
            changes = diff_snapshots(seen.snapshot, approvable_text(letter))
    shared = _shared(letter)
    context = {
        "letter": letter,
        "letter_text": mark_safe(shared["text"]),  # escaped by the template
        "signatory": signatory,
        "state": state,
        "state_label": signing.State.LABELS[state],
        "changes": changes,
        "others": [name for pk, name in shared["approved"] if pk != signatory.pk],
        "translations": _translations(shared, signatory),
        **forms,
    }
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


# -- open calls: the coordinator's side -------------------------------------------

QUEUE_PAGE = 200


@require_http_methods(["GET", "POST"])
def call_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open or reopen the public call; reopening after an edit asks earlier signers again."""
    letter = get_letter_for(request, pk, "letters.circulate_letter")
    call = SignOnCall.objects.filter(letter=letter).first()
    form = OpenCallForm(request.POST or None, instance=call)
    if request.method == "POST" and form.is_valid():
        try:
            call, stale = signing.open_call(
                letter=letter,
                by=request.user,
                deadline=form.cleaned_data["deadline"],
                intro=form.cleaned_data["intro"],
                max_unconfirmed=form.cleaned_data["max_unconfirmed"],
            )
        except signing.SigningError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The call for signatures is open.")
            if stale:
                letter.refresh_from_db()
                sent = signing.mail_reconfirmations(stale, letter=letter, request=request)
                messages.info(
                    request,
                    f"The text changed since {len(stale)} organisation(s) confirmed: "
                    f"{sent} were e-mailed what changed, to confirm again or drop out.",
                )
            return redirect("letters:signing_call_queue", pk=letter.pk)
    return render(
        request,
        "letters/signing/call_open.html",
        {"letter": letter, "call": call, "form": form},
    )


@require_POST
def call_close(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.circulate_letter")
    call = get_object_or_404(SignOnCall, letter=letter)
    signing.close_call(call=call, by=request.user)
    messages.success(request, "The call for signatures is closed; the text can be edited again.")
    return redirect("letters:signing_call_queue", pk=letter.pk)


def _queue(call: SignOnCall, request: HttpRequest):
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:200]
    rows = call.signatures.select_related("organization")
    if status in CallSignatureStatus.values:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(organization_name__icontains=query) | rows.filter(
            contact_email__icontains=query
        )
    return rows.order_by("submitted_at", "pk"), status, query


@require_http_methods(["GET", "POST"])
def call_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The moderation queue: filters in the URL, bulk approve, reject or merge."""
    letter = get_letter_for(request, pk, "letters.circulate_letter")
    call = SignOnCall.objects.filter(letter=letter).first()
    if call is None:
        return redirect("letters:signing_call_open", pk=letter.pk)
    form = ModerationForm(request.POST or None, call=call)
    rows, status, query = _queue(call, request)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["everything"]:
            # The filter in the address the form posts to: what the page showed.
            chosen = list(rows.values_list("pk", flat=True))
        else:
            chosen = [s.pk for s in form.cleaned_data["signatures"]]
        try:
            result = signing.moderate(
                call=call,
                signature_pks=chosen,
                action=form.cleaned_data["action"],
                by=request.user,
                organization=form.cleaned_data["organization"],
            )
        except signing.SigningError as exc:
            messages.error(request, str(exc))
        else:
            _report_moderation(request, result)
        return redirect(request.get_full_path())
    counts = dict(
        call.signatures.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return render(
        request,
        "letters/signing/call_queue.html",
        {
            "letter": letter,
            "call": call,
            "form": form,
            "rows": rows[:QUEUE_PAGE],
            "total": (total := rows.count()),
            "more": max(0, total - QUEUE_PAGE),
            "statuses": [(v, label, counts.get(v, 0)) for v, label in CallSignatureStatus.choices],
            "status": status,
            "query": query,
            "current_hash": letter.content_hash,
            "is_open": call.is_open(),
        },
    )


def _some(names: list[str], most: int = 5) -> str:
    """A few names and how many more: a bulk action on 400 offers is one line."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{len(names)} offers ({', '.join(names[:most])} and {len(names) - most} more)"


def _report_moderation(request: HttpRequest, result: signing.Moderated) -> None:
    if result.done:
        messages.success(request, f"Done for {_some([s.organization_name for s in result.done])}.")
    skipped: dict[str, list[str]] = {}
    for signature, reason in result.skipped:
        skipped.setdefault(reason, []).append(signature.organization_name)
    for reason, names in skipped.items():
        messages.warning(request, f"{_some(names)}: {reason}.")


# -- open calls: the public page ---------------------------------------------------

# Per client address, and per e-mail address typed into the form, so that
# neither one machine nor one inbox can flood the queue.
CALL_RATE_PER_ADDRESS = "20/h"
CALL_RATE_PER_EMAIL = "3/h"
# The confirmation links opened in this browser: signature pk -> token.
SESSION_CALL_TOKENS = "call_tokens"


def _email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("contact_email", "").strip().lower()[:254]


def _public_call(call_pk: int) -> SignOnCall:
    return get_object_or_404(SignOnCall.objects.select_related("letter"), pk=call_pk)


def _text_context(letter: Letter) -> dict:
    """
    The letter as its co-authors approved it: organisations that answered the
    call are listed apart, and named only with their consent.
    """
    context = letter_context(letter)
    context["signatories"] = [s for s in context["signatories"] if not s.from_open_call]
    return context


def _call_page_context(call: SignOnCall) -> dict:
    letter = call.letter
    counted = signing.counted(letter)
    return {
        **_text_context(letter),
        "call": call,
        "is_open": call.is_open() and letter.allows("sign"),
        "count": len(counted),
        "named": [s for s in counted if s.consent_to_publish],
    }


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=CALL_RATE_PER_ADDRESS, method="POST", block=False, group="call-ip")
@ratelimit(key=_email_key, rate=CALL_RATE_PER_EMAIL, method="POST", block=False, group="call-mail")
def call_page(request: HttpRequest, call_pk: int) -> HttpResponse:
    """The public call: the exact text, the deadline, the count and the form."""
    call = _public_call(call_pk)
    if call.letter.status not in (Letter.ACTIONS["sign"].allowed_from):
        raise Http404("No call for signatures here.")
    form = CallSignatureForm(request.POST or None, call=call)
    if request.method == "POST":
        if getattr(request, "limited", False):
            return _too_many(request)
        if form.is_bot():
            # Answer as if it worked: a bot learns nothing, and nothing is kept.
            messages.success(request, "Thank you. Please confirm with the link we e-mailed you.")
            return redirect(call.get_absolute_url())
        if form.is_valid():
            try:
                token = signing.submit(call=call, signature=form.instance)
            except signing.SigningError as exc:
                form.add_error(None, str(exc))
            else:
                signing.mail_confirmation(form.instance, token, request=request)
                messages.success(
                    request,
                    f"Thank you. We e-mailed a link to {form.instance.contact_email}: your "
                    "signature counts once you confirm and the coordinators have checked it.",
                )
                return redirect(call.get_absolute_url())
    context = {**_call_page_context(call), "form": form}
    return render(request, "letters/signing/call.html", context)


@login_not_required
@require_GET
def call_count(request: HttpRequest, call_pk: int) -> HttpResponse:
    """The live count and the names that may be shown, for the page to poll."""
    call = _public_call(call_pk)
    if call.letter.status not in (Letter.ACTIONS["sign"].allowed_from):
        raise Http404("No call for signatures here.")
    counted = signing.counted(call.letter)
    context = {
        "call": call,
        "count": len(counted),
        "named": [s for s in counted if s.consent_to_publish],
    }
    return render(request, "letters/signing/_call_count.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=SIGN_RATE_PER_ADDRESS, method=ratelimit.ALL, block=False, group="sign-ip")
def call_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: the token goes into the session, as /sign/<token>/ does."""
    if getattr(request, "limited", False):
        return _too_many(request)
    signature = signing.call_signature_for_token(token)
    if signature is None:
        return _link_not_working(request)
    tokens = request.session.get(SESSION_CALL_TOKENS, {})
    tokens[str(signature.pk)] = token
    request.session[SESSION_CALL_TOKENS] = tokens
    return redirect("public:signing_call_confirmation", signature_pk=signature.pk)


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=SIGN_RATE_PER_ADDRESS, method=ratelimit.ALL, block=False, group="sign-ip")
def call_confirmation(request: HttpRequest, signature_pk: int) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many(request)
    token = request.session.get(SESSION_CALL_TOKENS, {}).get(str(signature_pk))
    if token is None:
        return render(request, "letters/signing/open_link_again.html")
    signature = signing.call_signature_for_token(token)
    if signature is None or signature.pk != signature_pk:
        return _link_not_working(request)
    if request.method == "POST":
        try:
            _answer_call(request, token)
        except signing.TextChanged as exc:
            messages.warning(request, str(exc))
        except signing.SigningError:
            return _link_not_working(request)
        return redirect("public:signing_call_confirmation", signature_pk=signature_pk)
    response = render(
        request, "letters/signing/call_confirmation.html", _confirmation_context(signature)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _answer_call(request: HttpRequest, token: str) -> None:
    if request.POST.get("action") == "drop_out":
        signing.drop_out(token=token)
        messages.info(request, "Your organisation no longer signs this letter.")
        return
    form = ConfirmCallForm(request.POST)
    if form.is_valid():
        signing.confirm(token=token, content_hash=form.cleaned_data["content_hash"])
        messages.success(request, "Thank you: you confirmed your organisation's signature.")


def _confirmation_context(signature: CallSignature) -> dict:
    letter = signature.call.letter
    changes = None
    if signature.needs_reconfirmation(letter.content_hash):
        seen = ApprovedText.objects.filter(
            letter=letter, content_hash=signature.confirmed_hash
        ).first()
        if seen is not None:
            changes = diff_snapshots(seen.snapshot, approvable_text(letter))
    return {
        **_text_context(letter),
        "signature": signature,
        "changes": changes,
        "confirmed_current": signature.confirmed_hash == letter.content_hash
        and signature.status != CallSignatureStatus.UNCONFIRMED,
        "form": ConfirmCallForm(initial={"content_hash": letter.content_hash}),
        "show_signatures": False,
    }
