"""
The pages every role reads: the dashboard, the list of letters and a letter's
page, which gathers what each subdomain shows about the letter.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from letters import printing, signing, tracking_cache, tracking_charts
from letters.filters import LetterFilter
from letters.models import (
    FollowUp,
    ImportSession,
    Letter,
    LetterStatus,
    Organization,
    Recommendation,
    ResponseStatus,
    Section,
)
from letters.permissions import SEE_LETTERS, get_letter_for, requires
from letters.uploads import image_response
from recipients.models import Position

LETTERS_PER_PAGE = 25


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(SEE_LETTERS):
        return render(request, "letters/no_role.html", status=403)

    # Everything below the header reads whole tables and changes only with a write
    # (letters, follow-ups, the address book) or the day: drawn once until then.
    board = tracking_cache.cached_by_key("dashboard-board", "", _dashboard_board)
    # The board is our template's output, escaped as it was drawn.
    return render(request, "letters/dashboard.html", {"board": mark_safe(board)})


def _dashboard_board() -> str:
    """The dashboard below its header, as HTML: the same for every reader, on one day."""
    columns, empty_statuses = _letter_board()
    today = timezone.localdate()
    # Sorting every rejected ask by its letter's date reads thousands of rows:
    # these lists change only with a write, so they are cached until the next one
    # (all four under one key: one cache read, and no SQL compiled to make keys).
    lists = tracking_cache.cached_by_key("dashboard", "", partial(_attention_lists, today))

    # Offices whose address nobody has confirmed lately.
    stale = Position.objects.active().stale().order_by(F("last_verified").asc(nulls_first=True))
    # Status of every recommendation of the letters that went out (two queries).
    summary = tracking_charts.status_summary(
        Recommendation.objects.originals().filter(letter__status__in=LetterStatus.followed())
    )
    return render_to_string(
        "letters/_dashboard_board.html",
        {
            "columns": columns,
            "empty_statuses": empty_statuses,
            **lists,
            "today": today,
            "stale_positions": stale[:6],
            "stale_positions_total": stale.count(),
            "stale_after_days": settings.STALE_AFTER_DAYS,
            "tracking_summary": summary,
        },
    )


def _letter_board() -> tuple[list, list[str]]:
    """
    The 200 latest letters by status, up to 8 shown per status. Statuses and
    keys first (one narrow query), then only the letters shown, with their
    counts: loading and counting all 200 cost more than the rest of the page.
    """
    latest = Letter.objects.order_by("-updated_at").values_list("pk", "status")[:200]
    by_status: dict[str, list[int]] = {status: [] for status in LetterStatus.values}
    for pk, status in latest:
        by_status[status].append(pk)
    shown_pks = [pk for pks in by_status.values() for pk in pks[:8]]
    shown = Letter.objects.select_related("lead_organization").with_recommendation_count()
    shown_by_pk = {letter.pk: letter for letter in shown.filter(pk__in=shown_pks)}
    # A status no letter is in gets a mention, not a column of "None".
    columns = [
        (LetterStatus(status).label, status, [shown_by_pk[pk] for pk in pks[:8]], len(pks))
        for status, pks in by_status.items()
        if pks
    ]
    empty_statuses = [LetterStatus(status).label for status, pks in by_status.items() if not pks]
    return columns, empty_statuses


def _attention_lists(today: datetime.date) -> dict[str, list]:
    """What needs attention among the recommendations that went out."""
    recs = (
        Recommendation.objects.originals()
        .with_status()
        .select_related("letter")
        .filter(letter__status__in=LetterStatus.followed())
    )
    # On the stored columns, which are indexed (the annotations are not).
    return {
        "overdue": list(recs.filter(review_due__lt=today).order_by("review_due")[:10]),
        "unanswered": list(
            recs.filter(current_response="").order_by("letter__date", "number")[:10]
        ),
        "rejected": list(
            recs.filter(current_response=ResponseStatus.REJECTED).order_by("-letter__date")[:10]
        ),
        # Not who recorded them: the page does not say, and users stay out of the cache.
        "recent": list(
            FollowUp.objects.select_related("recommendation").order_by("-recorded_at")[:6]
        ),
    }


@requires(SEE_LETTERS)
def letter_list(request: HttpRequest) -> HttpResponse:
    letters: QuerySet[Letter] = (
        Letter.objects.select_related("lead_organization")
        .with_recommendation_count()
        .order_by("-date", "-created_at", "-pk")
    )
    letter_filter = LetterFilter(request.GET or None, queryset=letters, request=request)
    if letter_filter.is_bound and not letter_filter.is_valid():
        # An unknown choice in the URL lists nothing rather than failing;
        # the form says which filter was wrong.
        letters = letters.none()
    else:
        letters = letter_filter.qs
    paginator = Paginator(letters, LETTERS_PER_PAGE)
    # Counting every letter (or every match) on each view: counted once per write.
    paginator.count = tracking_cache.cached("letter-count", letters, letters.count)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "letters/letter_list.html",
        {
            "filter": letter_filter,
            "page": page,
            "letters": page.object_list,
            "query": query.urlencode(),
        },
    )


def _signing_board(request: HttpRequest, letter: Letter) -> signing.Board:
    board = signing.board(letter)
    for row in board.rows:
        # The address the coordinator is using, which is what they will share.
        if row["live"]:
            row["link"] = signing.link_for(row["signatory"], request)
    return board


def _print_card(letter: Letter, user, recipients: list) -> dict:
    """The letter page's printing card: one copy per addressee, then per cc."""
    # From the length of the text, which changes only with the letter's version.
    pages = tracking_cache.cached_by_key(
        "estimated-pages",
        f"{letter.pk}:{letter.version}",
        partial(printing.estimated_pages, letter),
    )
    return {
        "recipients": [r for r in recipients if r.role == "to"]
        + [r for r in recipients if r.role == "cc"],
        "batch": letter.print_batches.first(),
        "can_batch": user.has_perm(printing.BATCH_PERMISSION),
        "archival": printing.is_archival(letter),
        "watermark": printing.watermark(letter),
        "pages": pages,
        "large": len(recipients) * pages > printing.LARGE_MAILING_PAGES,
    }


def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, SEE_LETTERS)
    # A callable: the template reads the sections only when its cached block is missing.
    sections = partial(_sections_shown, letter)
    # A translation goes to its original's recipients, signed by its signatories.
    shared = letter.original
    # Ordered within the letter: the models' default orderings start with "letter",
    # which joins the letters table and sorts by its date (a scan of every letter).
    recipients = list(
        shared.recipients.select_related("position", "official").order_by("-role", "order", "pk")
    )
    # Those that declined or withdrew do not sign: the board says what they did.
    signatories = list(
        shared.signatories.filter(declined_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("organization")
        .order_by("order", "pk")
    )
    user = request.user
    if letter.is_translation:
        approvals = signing.translation_approvals(letter)
        # Each of the original's signatories, and whether it approved this text.
        for s in signatories:
            s.signed = signing.approves(s, letter, approvals)
    board = _signing_board(request, letter)
    # Follow-ups are recorded on the original's recommendations: a translation shows theirs.
    summary = tracking_charts.status_summary(Recommendation.objects.filter(letter=shared))
    return render(
        request,
        "letters/letter_detail.html",
        {
            "letter": letter,
            "versions": letter.other_versions(),
            "sections": sections,
            "numbered": letter.recommendation_style == "numbered",
            "primary_action": primary_action(letter, user),
            "recipients": recipients,
            "ccs": [r for r in recipients if r.role == "cc"],
            "signatories": signatories,
            "press_releases": list(letter.press_releases.all()),
            "board": board,
            "copies": list(
                letter.sent_copies.select_related("recipient__position").order_by(
                    "-recipient__role", "recipient__order", "recipient__pk"
                )
            ),
            "imported_from": ImportSession.objects.filter(letter=letter)
            .only("source_name")
            .first(),
            "print_card": _print_card(letter, user, recipients),
            "follow_up": {
                "summary": summary,
                "is_followed": letter.is_followed,
                "can_start": (
                    letter.allows("start_follow_up") and user.has_perm("letters.add_letter")
                ),
            },
        },
    )


@require_GET
@requires("letters.view_organization")
def organisation_logo(request: HttpRequest, pk: int) -> FileResponse:
    """An organisation's logo, for signed-in readers (the admin links it here)."""
    return image_response(get_object_or_404(Organization, pk=pk).logo)


def _sections_shown(letter: Letter) -> list[Section]:
    """
    The letter's sections with their recommendations as the page shows them:
    numbered as printed, each with its themes' names (`theme_names`, from one
    query on the link table rather than a prefetch of theme objects) and its
    governments' names (`government_name`, `third_state_name`), looked up once
    per country: django-countries translates a name on every access, and fifty
    recommendations usually go to one or two governments.
    """
    sections = list(
        Section.objects.filter(letter=letter)
        .order_by("order", "pk")  # not by the letter's date first (a join to every letter)
        .prefetch_related(
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.with_followed_status().order_by("order", "pk"),
            )
        )
    )
    number_as_printed(sections)
    themes: dict[int, list[str]] = {}
    links = Recommendation.themes.through.objects.filter(recommendation__letter=letter)
    for rec_id, name in links.order_by("theme__name").values_list(
        "recommendation_id", "theme__name"
    ):
        themes.setdefault(rec_id, []).append(name)
    names: dict[str, str] = {}
    for section in sections:
        for rec in section.recommendations.all():
            rec.theme_names = themes.get(rec.pk, [])  # type: ignore[attr-defined]
            rec.government_name = _country_name(rec.government, names)  # type: ignore[attr-defined]
            rec.third_state_name = _country_name(rec.third_state, names)  # type: ignore[attr-defined]
    return sections


def _country_name(country, names: dict[str, str]) -> str:
    code = country.code if country else ""
    if code not in names:
        names[code] = str(country.name) if code else ""
    return names[code]


def number_as_printed(sections: list[Section]) -> None:
    """Number the recommendations on from one section to the next, as the PDF does."""
    number = 0
    for section in sections:
        for rec in section.recommendations.all():
            number += 1
            rec.printed_number = number  # type: ignore[attr-defined]


def primary_action(letter: Letter, user) -> str:
    """
    The one action of the letter page's bar shown as the main one: the next
    step of the workflow this user may take, else editing, else the PDF.
    """
    next_steps = [
        ("finalise", "letters.finalize_letter"),
        ("send", "letters.send_letter"),
        ("publish", "letters.publish_letter"),
    ]
    for action, perm in next_steps:
        if letter.allows(action) and user.has_perm(perm):
            return "sending"
    if letter.is_editable and user.has_perm("letters.change_letter"):
        return "drafting"
    return "printing"
