"""
Pages for people without an account: a representative's sign-on link, and
published letters with their feed. Nothing here shows a letter that is not
published, except to the holder of a live sign-on link for that letter.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from letters import signing
from letters.models import (
    ApprovedText,
    Letter,
    Recommendation,
    SentCopy,
)
from letters.rendering import letter_context
from letters.signon_forms import ApproveForm, DeclineForm
from letters.textdiff import diff_snapshots, text_snapshot

# Tokens are unguessable; the limits keep a flood of guesses, or a stuck
# client hammering one link, from costing anything. Behind a reverse proxy,
# REMOTE_ADDR must be the client's address (see README) or every visitor
# shares the per-address limit.
SIGN_RATE_PER_LINK = "30/m"
SIGN_RATE_PER_ADDRESS = "120/m"


def _link_key(group: str, request: HttpRequest) -> str:
    return request.resolver_match.kwargs.get("token", "")[:64]


def _link_not_working(request: HttpRequest) -> HttpResponse:
    # One page and one status for every bad link, so a link reveals nothing.
    return render(request, "public/link_not_working.html", status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "public/too_many_requests.html", status=429)


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=SIGN_RATE_PER_ADDRESS, method=ratelimit.ALL, block=False, group="sign-ip")
@ratelimit(key=_link_key, rate=SIGN_RATE_PER_LINK, method=ratelimit.ALL, block=False, group="sign")
def sign(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many(request)
    signatory = signing.signatory_for_token(token)
    if signatory is None:
        return _link_not_working(request)
    letter = signatory.letter

    approve_form = ApproveForm(instance=signatory, initial={"content_hash": letter.content_hash})
    decline_form = DeclineForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                approve_form = ApproveForm(request.POST, request.FILES, instance=signatory)
                if approve_form.is_valid():
                    data = approve_form.cleaned_data
                    signing.approve(
                        token=token,
                        content_hash=data["content_hash"],
                        signer_name=data["signer_name"],
                        signer_title=data["signer_title"],
                        consent_to_publish=data["consent_to_publish"],
                        signature=data["signature_upload"],
                    )
                    messages.success(request, "Thank you: your organisation approved this text.")
                    return redirect("public:sign", token=token)
            elif action == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    signing.decline(token=token, reason=decline_form.cleaned_data["reason"])
                    messages.info(request, "Your organisation declined. The coordinator is told.")
                    return redirect("public:sign", token=token)
            elif action == "withdraw":
                signing.withdraw(token=token)
                messages.info(request, "Your organisation's approval is withdrawn.")
                return redirect("public:sign", token=token)
            else:
                messages.error(request, "Choose approve, decline or withdraw.")
        except signing.TextChanged as exc:
            messages.warning(request, str(exc))
            return redirect("public:sign", token=token)
        except signing.SigningError:
            return _link_not_working(request)
    else:
        signing.mark_opened(signatory=signatory)

    context = letter_context(letter)
    state = signing.sign_on_state(signatory, letter)
    changes = None
    if state == signing.State.APPROVED_OLDER:
        seen = ApprovedText.objects.filter(
            letter=letter, content_hash=signatory.approved_hash
        ).first()
        if seen is not None:
            changes = diff_snapshots(seen.snapshot, text_snapshot(letter))
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
            "approve_form": approve_form,
            "decline_form": decline_form,
            # Uploaded images are served to logged-in staff only; the page
            # says a signature is on file instead of showing a broken image.
            "show_signatures": False,
        }
    )
    response = render(request, "public/sign.html", context)
    # The token is in the URL: keep the page out of shared caches. (Referer
    # headers stay on this site: SECURE_REFERRER_POLICY is same-origin; a
    # stricter "no-referrer" would make browsers send "Origin: null" with the
    # form and fail the CSRF check.)
    response["Cache-Control"] = "private, no-store"
    return response


def _published(reference: str) -> Letter:
    return get_object_or_404(
        Letter.objects.published().select_related("lead_organization"), reference=reference
    )


@login_not_required
def published_index(request: HttpRequest) -> HttpResponse:
    letters = (
        Letter.objects.published()
        .select_related("lead_organization")
        .annotate(num_recommendations=Count("recommendations"))
        .order_by("-published_at")
    )
    return render(request, "public/published_index.html", {"letters": letters})


def public_signatories(context: dict) -> list:
    """Only the organisations that agreed to be named in public."""
    return [s for s in context["signatories"] if s.consent_to_publish]


@login_not_required
def published_detail(request: HttpRequest, reference: str) -> HttpResponse:
    letter = _published(reference)
    context = letter_context(letter)
    named = public_signatories(context)
    # The archived PDFs carry every signature: offer them only when every
    # organisation agreed to be named.
    everyone_named = len(named) == len(context["signatories"])
    context["signatories"] = named
    recommendations = (
        Recommendation.objects.with_status()
        .filter(letter=letter)
        .select_related("section")
        .order_by("section__order", "order", "pk")
    )
    press_releases = letter.press_releases.filter(published=True).prefetch_related(
        "quotes__organization"
    )
    context.update(
        {
            "recommendations": recommendations,
            "copies": letter.sent_copies.select_related("recipient__position")
            if everyone_named
            else [],
            "press_releases": press_releases,
            "hidden_signatories": not everyone_named,
        }
    )
    return render(request, "public/published_detail.html", context)


def serve_copy(copy: SentCopy, *, download: bool = False) -> FileResponse:
    """The archived bytes, never re-rendered."""
    response = FileResponse(
        copy.file.open("rb"),
        content_type="application/pdf",
        as_attachment=download,
        filename=copy.filename,
    )
    response["X-Content-SHA256"] = copy.sha256
    return response


@login_not_required
def published_copy(request: HttpRequest, reference: str, copy_pk: int) -> FileResponse:
    letter = _published(reference)
    if not all(s.consent_to_publish for s in letter.signatories.all()):
        raise Http404
    copy = get_object_or_404(SentCopy, letter=letter, pk=copy_pk)
    return serve_copy(copy)


class PublishedFeed(Feed):
    feed_type = Atom1Feed
    title = "Published joint letters"
    subtitle = "Joint advocacy letters and what became of them"

    def link(self) -> str:
        return reverse("public:index")

    def items(self):
        return (
            Letter.objects.published()
            .select_related("lead_organization")
            .order_by("-published_at")[:50]
        )

    def item_title(self, item: Letter) -> str:
        return f"{item.reference}: {item.subject}"

    def item_description(self, item: Letter) -> str:
        lead = item.lead_organization.name if item.lead_organization else ""
        return f"A joint letter led by {lead}." if lead else "A joint letter."

    def item_link(self, item: Letter) -> str:
        return reverse("public:detail", args=[item.reference])

    def item_pubdate(self, item: Letter):
        return item.published_at

    def item_updateddate(self, item: Letter):
        return item.published_at


published_feed = login_not_required(PublishedFeed())
