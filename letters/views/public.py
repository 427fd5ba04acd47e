"""
Published letters, for people without an account: the index, each letter's
page with its recommendations and their status, the archived copies and the
Atom feed. Nothing here shows a letter that is not published. (A partner's
private sign-on page is in `letters/views/signing.py`.)
"""

from __future__ import annotations

from math import ceil

from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from letters import tracking_cache
from letters.models import (
    Letter,
    LetterStatus,
    Recommendation,
    SentCopy,
    Signatory,
)
from letters.text import letter_context
from letters.uploads import image_response


def _published(reference: str) -> Letter:
    return get_object_or_404(
        Letter.objects.published().select_related("lead_organization"), reference=reference
    )


PUBLISHED_PER_PAGE = 25


@login_not_required
def published_index(request: HttpRequest) -> HttpResponse:
    # A page of published letters, drawn once per write: the list changes only
    # when a letter or a recommendation does (letters.tracking_cache). Pages, not
    # every letter at once: a coalition publishing for years would send thousands.
    letters = _published_letters()
    total = tracking_cache.cached("public count", letters, letters.count)
    last = max(1, ceil(total / PUBLISHED_PER_PAGE))
    asked = str(request.GET.get("page", ""))
    number = min(int(asked), last) if asked.isdigit() and int(asked) > 0 else 1
    html = tracking_cache.cached_by_key(
        "public index", str(number), lambda: _published_page(letters, number)
    )
    return render(request, "public/published_index.html", {"letters": mark_safe(html)})


def _published_letters() -> QuerySet[Letter]:
    return (
        Letter.objects.published()
        .select_related("lead_organization")
        .with_recommendation_count()
        .order_by("-published_at", "-pk")  # letters published at once: a fixed order
    )


def _published_page(letters: QuerySet[Letter], number: int) -> str:
    page = Paginator(letters, PUBLISHED_PER_PAGE).page(number)
    # Escaped by the template.
    return render_to_string("public/_published_list.html", {"page": page})


def public_signatories(context: dict) -> list:
    """Only the organisations that agreed to be named in public."""
    return [s for s in context["signatories"] if s.consent_to_publish]


@login_not_required
def published_detail(request: HttpRequest, reference: str) -> HttpResponse:
    letter = _published(reference)
    # Drawn once per write, like the index: the page changes only with the
    # letter, its parts, its signatories' consent, its recommendations' status
    # and its press releases, each of which changes the token (letters.apps).
    # Nothing in it depends on who asks (base.html adds the CSRF token).
    body = tracking_cache.cached_by_key(
        "public letter",
        f"{letter.pk}:{letter.version}:{letter.content_hash}:{get_language()}",
        lambda: _published_body(letter),
    )
    context = {"letter": letter, "body": mark_safe(body)}
    return render(request, "public/published_detail.html", context)


def _published_body(letter: Letter) -> str:
    context = letter_context(letter)
    named = public_signatories(context)
    # The archived PDFs carry every signature: offer them only when every
    # organisation agreed to be named.
    everyone_named = len(named) == len(context["signatories"])
    context["signatories"] = named
    recommendations = (
        Recommendation.objects.with_followed_status()
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
            # Only the versions that are public themselves.
            "versions": [v for v in letter.other_versions() if v.status == LetterStatus.PUBLISHED],
            "copies": letter.sent_copies.select_related("recipient__position")
            if everyone_named
            else [],
            "press_releases": press_releases,
            "hidden_signatories": not everyone_named,
            "logos": [s.organization for s in named if s.organization.logo],
        }
    )
    # Escaped by the template.
    return render_to_string("public/_published_body.html", context)


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
@require_GET
def published_logo(request: HttpRequest, reference: str, organization_pk: int) -> FileResponse:
    """
    A logo is public once its organisation is named on a published letter: it
    signed it and agreed to be named (`public_signatories`). Other logos, and
    every signature, stay behind a login.
    """
    letter = _published(reference)
    named = get_object_or_404(
        Signatory.objects.select_related("organization"),
        # A translation is signed by its original's signatories.
        letter=letter.original,
        organization_id=organization_pk,
        consent_to_publish=True,
    )
    return image_response(named.organization.logo)


@login_not_required
def published_copy(request: HttpRequest, reference: str, copy_pk: int) -> FileResponse:
    letter = _published(reference)
    # A translation's signatories are its original's: all of them must agree.
    if not all(s.consent_to_publish for s in letter.original.signatories.all()):
        raise Http404
    copy = get_object_or_404(SentCopy, letter=letter, pk=copy_pk)
    return serve_copy(copy)


class PublishedFeed(Feed):
    feed_type = Atom1Feed
    title = "Published joint letters"
    subtitle = "Joint advocacy letters and what became of them"

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Drawn once per write, like the index (letters.tracking_cache). Its
        # links are absolute: one copy per address the site is reached at.
        content, headers = tracking_cache.cached_by_key(
            "public feed",
            f"{request.scheme}://{request.get_host()}",
            lambda: self._drawn(request, *args, **kwargs),
        )
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        return response

    def _drawn(self, request: HttpRequest, *args, **kwargs) -> tuple[bytes, dict[str, str]]:
        response = super().__call__(request, *args, **kwargs)
        return response.content, dict(response.items())

    def link(self) -> str:
        return reverse("public:index")

    def items(self):
        return (
            Letter.objects.published()
            .select_related("lead_organization")
            # Only what an entry shows: letters carry long texts.
            .only("reference", "subject", "published_at", "lead_organization__name")
            .order_by("-published_at", "-pk")[:50]
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
