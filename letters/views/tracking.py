"""
Follow-up tracker: a recommendation's page and timeline, recording and
correcting entries, the tracker across letters with its charts, the CSV
round-trip, and starting a follow-up letter.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from advocacy import fragments
from letters import tracking, tracking_cache, tracking_charts, tracking_csv
from letters.filters import RecommendationFilter
from letters.forms.tracking import CorrectionForm, FollowUpForm, ImportForm
from letters.models import (
    FollowUp,
    ImplementationStatus,
    Letter,
    Recommendation,
    ResponseStatus,
)
from letters.permissions import (
    SEE_LETTERS,
    get_follow_up_for,
    get_letter_for,
    get_recommendation_for,
    requires,
)

PAGE_SIZE = 50
IMPORT_SALT = "letters.tracker.import"
IMPORT_MAX_AGE = 60 * 60


def _with_letter(pk: int | None) -> Recommendation | None:
    """One step back along a chain of repeats: one query, with the letter the page names."""
    if pk is None:
        return None
    return Recommendation.objects.select_related("letter").filter(pk=pk).first()


def _chain(rec: Recommendation) -> tuple[list[Recommendation], list[Recommendation]]:
    """Earlier letters' versions of this ask (oldest first), and later ones."""
    earlier: list[Recommendation] = []
    seen = {rec.pk}
    current = _with_letter(rec.repeats_id)
    while current is not None and current.pk not in seen and len(earlier) < 20:
        earlier.append(current)
        seen.add(current.pk)
        current = _with_letter(current.repeats_id)
    later: list[Recommendation] = []
    frontier = [rec.pk]
    while frontier and len(later) < 50:
        found = list(
            Recommendation.objects.filter(repeats_id__in=frontier)
            .exclude(pk__in=seen)
            .select_related("letter")
        )
        later.extend(found)
        seen.update(r.pk for r in found)
        frontier = [r.pk for r in found]
    return list(reversed(earlier)), later


def _followed(rec: Recommendation) -> Recommendation:
    """The recommendation whose follow-ups count for `rec`: the original's, in a translation."""
    if rec.original_id is None:
        return rec
    return Recommendation.objects.select_related("letter", "section").get(pk=rec.original_id)


def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recording = request.method == "POST"
    rec = get_recommendation_for(request, pk, "letters.add_followup" if recording else SEE_LETTERS)
    assert request.user.is_authenticated  # LoginRequiredMiddleware; and it may see letters
    # A translation's recommendation is followed up on the original's, once for both.
    followed = _followed(rec)
    form = None
    if recording:
        form = FollowUpForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                tracking.record_follow_up(
                    entry=form.save(commit=False), recommendation=followed, by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Follow-up recorded on {rec.reference}.")
                return redirect(rec)
    elif request.user.has_perm("letters.add_followup"):
        form = FollowUpForm(initial={"date": timezone.localdate()})
    context = {
        "rec": rec,
        "followed": followed,
        "letter": rec.letter,
        "form": form,
        "can_correct": request.user.has_perm("letters.change_followup"),
        "is_following": followed.followers.filter(pk=request.user.pk).exists(),
    }
    if recording:  # a form with its errors is nobody else's page
        body = _recommendation_body(request, context)
    else:
        # The same for everyone with the same rights until the next write it shows
        # (letters.tracking_cache: its section's too). The empty form's date is
        # today's, which the key holds too.
        rights = (form is not None, context["can_correct"], context["is_following"])
        key = "\n".join(str(value) for value in (rec.pk, *rights))
        body = tracking_cache.cached_by_key(
            "recommendation page", key, lambda: _recommendation_body(request, context)
        )
    return render(
        request,
        "letters/tracking/recommendation_detail.html",
        {"rec": rec, "body": mark_safe(fragments.with_csrf_token(body, request))},
        status=400 if form is not None and form.is_bound else 200,
    )


def _recommendation_body(request: HttpRequest, context: dict) -> str:
    """The page below its title: the recommendation, its timeline and the follow-up form."""
    rec, followed = context["rec"], context["followed"]
    entries = list(
        followed.follow_ups.select_related("recorded_by").order_by("-date", "-recorded_at", "-pk")
    )
    # Every version of every entry in one query: corrections are shown, never hidden.
    versions: dict[int, list] = {}
    history = FollowUp.history.filter(recommendation_id=followed.pk).select_related("history_user")
    for version in history.order_by("history_date", "history_id"):
        versions.setdefault(version.id, []).append(version)
    for entry in entries:
        entry.versions = versions.get(entry.pk, [])
        entry.corrections = [v for v in entry.versions if v.history_type == "~"]
    earlier, later = _chain(followed)
    languages = [
        other
        for other in [followed, *followed.translations.select_related("letter")]
        if other.pk != rec.pk
    ]
    return render_to_string(
        "letters/tracking/_recommendation_detail.html",
        {
            **context,
            "languages": languages,
            "entries": entries,
            "earlier": earlier,
            "later": later,
            **fragments.placeholder_token(),
        },
        request,
    )


# The largest primary key a 64-bit column holds: larger numbers in a query
# string would overflow the database driver instead of matching nothing.
MAX_ID = 2**63 - 1


def _ids(values: list[str]) -> list[int]:
    """The values that can be primary keys; anything else picks nothing."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]


@requires("letters.add_followup")
def record_many(request: HttpRequest) -> HttpResponse:
    """One event recorded on several recommendations picked in the tracker."""
    data = request.POST if request.method == "POST" else request.GET
    pks = _ids(data.getlist("rec"))[: tracking.MAX_BULK]
    recs = list(
        Recommendation.objects.visible_to(request.user)
        .originals()
        .filter(pk__in=pks)
        .select_related("letter")
        .order_by("reference")
    )
    back = data.get("back", "")
    if not back.startswith("?"):
        back = ""
    if not recs:
        messages.error(request, "Tick the recommendations to record a follow-up on.")
        return redirect(reverse("letters:tracking") + back)
    if request.method == "POST":
        form = FollowUpForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                entries = tracking.record_follow_ups(
                    entry=form.save(commit=False), recommendations=recs, by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"Follow-up recorded on {len(entries)} recommendation"
                    f"{'s' if len(entries) != 1 else ''}.",
                )
                return redirect(reverse("letters:tracking") + back)
        status = 400
    else:
        form = FollowUpForm(initial={"date": timezone.localdate()})
        status = 200
    return render(
        request,
        "letters/tracking/record_many.html",
        {"form": form, "recs": recs, "back": back},
        status=status,
    )


@require_POST
def recommendation_follow(request: HttpRequest, pk: int) -> HttpResponse:
    rec = get_recommendation_for(request, pk, SEE_LETTERS)
    assert request.user.is_authenticated  # LoginRequiredMiddleware; and it may see letters
    followed = _followed(rec)
    if request.POST.get("follow") == "1":
        followed.followers.add(request.user)
        messages.success(request, "You will get an e-mail when its review is overdue.")
    else:
        followed.followers.remove(request.user)
        messages.success(request, "You no longer follow this recommendation.")
    return redirect(rec)


def follow_up_correct(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_follow_up_for(request, pk, "letters.change_followup")
    rec = entry.recommendation
    if request.method == "POST":
        form = CorrectionForm(request.POST, request.FILES, instance=entry)
        if form.is_valid():
            try:
                tracking.correct_follow_up(
                    entry=form.save(commit=False),
                    by=request.user,
                    loaded_revision=form.cleaned_data["revision"],
                    reason=form.cleaned_data["reason"],
                )
            except tracking.StaleEdit:
                form.add_error(
                    None,
                    "Someone corrected this entry while you were editing it. Your changes are "
                    "still in the form: check the entry's history, then save again.",
                )
                # Let the next save go through against the version now stored.
                data = request.POST.copy()  # what the form was bound to
                data["revision"] = str(FollowUp.objects.get(pk=entry.pk).revision)
                form.data = data
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Entry corrected; the earlier version is in its history.")
                return redirect(rec)
        status = 400
    else:
        form = CorrectionForm(instance=entry, initial={"revision": entry.revision})
        status = 200
    return render(
        request,
        "letters/tracking/follow_up_correct.html",
        {"form": form, "entry": entry, "rec": rec},
        status=status,
    )


def follow_up_evidence(request: HttpRequest, pk: int) -> FileResponse:
    entry = get_follow_up_for(request, pk, SEE_LETTERS)
    if not entry.evidence_file:
        raise Http404
    # Always a download: evidence is never rendered in our origin.
    return FileResponse(entry.evidence_file.open("rb"), as_attachment=True)


def _filtered(request: HttpRequest, data=None) -> RecommendationFilter:
    filterset = RecommendationFilter(
        data if data is not None else (request.GET or None),
        # A translation's recommendations are their originals' asks: counted once.
        queryset=Recommendation.objects.visible_to(request.user).originals(),
    )
    filterset.request_user = request.user
    return filterset


def _selected_letter(filterset: RecommendationFilter) -> Letter | None:
    """The one letter the view is filtered by, if any."""
    if not filterset.is_bound or not filterset.is_valid():
        return None
    reference = filterset.form.cleaned_data.get("letter")
    if not reference:
        return None
    letters = Letter.objects.visible_to(filterset.request_user)
    return letters.filter(reference__iexact=reference).first()


class PageByIds(Paginator):
    """
    A page found in two steps: its ids first, from the sort's index alone (an
    index-only scan even a thousand pages in), then the rows it shows.
    """

    def __init__(self, recommendations: QuerySet[Recommendation], per_page: int) -> None:
        super().__init__(recommendations, per_page)
        self.recommendations = recommendations

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        recs = self.recommendations
        ids = list(recs.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = recs.filter(pk__in=ids).select_related("letter").prefetch_related("themes")
        by_id = {rec.pk: rec for rec in rows}
        return Page([by_id[pk] for pk in ids if pk in by_id], number, self)


@requires(SEE_LETTERS)
def index(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    if filterset.is_bound and not filterset.is_valid():
        recs = Recommendation.objects.none()
    else:
        recs = filterset.qs
    summary = tracking_charts.status_summary(recs)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "query": query.urlencode(),
        "summary": summary,
        "selected_letter": _selected_letter(filterset),
    }
    can_record = request.user.has_perm("letters.add_followup")

    def results() -> str:
        paginator = PageByIds(recs, PAGE_SIZE)
        paginator.count = summary.total  # already counted by the summary's query (or cached)
        context["page"] = page = paginator.get_page(request.GET.get("page"))
        return render_to_string(
            "letters/tracking/_results.html",
            {
                "page": page,
                "query": context["query"],
                "can_record": can_record,
                "today": timezone.localdate(),
            },
        )

    # The rows are most of the page's work and change only with a write:
    # drawn once per query string (and per whether they can be ticked).
    key = repr((sorted(request.GET.lists()), can_record))
    context["results"] = mark_safe(tracking_cache.cached_by_key("tracker", key, results))
    return render(request, "letters/tracking/index.html", context)


@requires(SEE_LETTERS)
def charts(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    recs = filterset.qs if not filterset.is_bound or filterset.is_valid() else None
    if recs is None:
        recs = Recommendation.objects.none()
    kind = "implementation" if request.GET.get("kind") == "implementation" else "response"
    query = request.GET.copy()
    query.pop("kind", None)

    def drawn() -> str:
        """Five charts with their tables: more work to draw than to count, so cached too."""
        return render_to_string(
            "letters/tracking/_charts.html",
            {
                "overall": getattr(tracking_charts.status_summary(recs), kind),
                "per_letter": tracking_charts.status_breakdown(recs, kind=kind, by="letter"),
                "per_government": tracking_charts.status_breakdown(
                    recs, kind=kind, by="government"
                ),
                "per_theme": tracking_charts.status_breakdown(recs, kind=kind, by="theme"),
                "over_time": tracking_charts.follow_ups_over_time(recs),
            },
        )

    key = repr(sorted(request.GET.lists()))
    return render(
        request,
        "letters/tracking/charts.html",
        {
            "filter": filterset,
            "kind": kind,
            "query": query.urlencode(),
            "drawn": mark_safe(tracking_cache.cached_by_key("charts", key, drawn)),
        },
    )


@requires(SEE_LETTERS)
def export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filterset = _filtered(request)
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest("The filters are not valid; fix them on the tracker page.")
    recs = filterset.qs
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        if recs.count() > tracking_csv.MAX_XLSX_ROWS:
            messages.error(
                request,
                f"XLSX exports are limited to {tracking_csv.MAX_XLSX_ROWS:,} rows: "
                "narrow the filters or export CSV.",
            )
            return redirect(f"{reverse('letters:tracking')}?{request.GET.urlencode()}")
        response = HttpResponse(
            tracking_csv.xlsx_bytes(tracking_csv.export_rows(recs)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="tracker-{stamp}.xlsx"'
        return response
    stream = StreamingHttpResponse(
        tracking_csv.stream_csv(tracking_csv.export_rows(recs)),
        content_type="text/csv; charset=utf-8",
    )
    stream["Content-Disposition"] = f'attachment; filename="tracker-{stamp}.csv"'
    return stream


@requires("letters.add_followup")
def import_statuses(request: HttpRequest) -> HttpResponse:
    """Upload, preview every change and problem, then confirm: all rows or none."""
    form = ImportForm()
    report = None
    payload = ""
    status = 200
    if request.method == "POST" and "payload" in request.POST:
        try:
            data = signing.loads(
                request.POST["payload"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
            ).encode()
        except signing.BadSignature:
            messages.error(request, "This preview has expired; upload the file again.")
            return redirect("letters:tracking_import")
        # Checked again: the statuses may have changed since the preview.
        report = tracking_csv.read_import(data)
        if report.ok and report.updates:
            try:
                entries = tracking.import_status_updates(updates=report.updates, by=request.user)
            except ValidationError as exc:
                report.errors.extend(exc.messages)
            else:
                messages.success(request, f"Imported: {len(entries)} follow-up entries recorded.")
                return redirect("letters:tracking")
        elif report.ok:
            messages.info(request, "Nothing to import: every row matches what is recorded.")
            return redirect("letters:tracking")
        status = 400
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            report = tracking_csv.read_import(data)
            if report.ok:
                payload = signing.dumps(data.decode("utf-8-sig"), salt=IMPORT_SALT, compress=True)
            else:
                status = 400
        else:
            status = 400
    return render(
        request,
        "letters/tracking/import.html",
        {
            "form": form,
            "report": report,
            "payload": payload,
            "response_codes": ResponseStatus.values,
            "implementation_codes": ImplementationStatus.values,
        },
        status=status,
    )


@require_POST
def follow_up_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """From a letter: a draft carrying forward its recommendations not yet implemented."""
    letter = get_letter_for(request, pk, "letters.add_letter")
    return _start_follow_up_letter(request, letter, None)


@require_POST
@requires("letters.add_letter")
def follow_up_letter_filtered(request: HttpRequest) -> HttpResponse:
    """From a tracker view of one letter: the open recommendations in that view."""
    filterset = _filtered(request, request.POST)
    letter = _selected_letter(filterset)
    if letter is None:
        messages.error(request, "Filter the tracker by one letter to start its follow-up letter.")
        return redirect("letters:tracking")
    return _start_follow_up_letter(request, letter, filterset.qs)


def _start_follow_up_letter(request: HttpRequest, letter: Letter, recs) -> HttpResponse:
    try:
        draft = tracking.start_follow_up_letter(
            letter=letter, by=request.user, recommendations=recs
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(letter)
    messages.success(
        request,
        f"Draft {draft.reference} started with the {draft.recommendations.count()} "
        "recommendations still open.",
    )
    return redirect(draft)
