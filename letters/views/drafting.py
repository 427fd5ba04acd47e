"""
Drafting views: create, edit, preview and duplicate a letter, and the inline
endpoints for its sections, recommendations, recipients and signatories.

Every inline endpoint answers an htmx request with the fragment to swap and a
plain form post with a redirect (or a full page when the form has errors), so
the editor works without JavaScript. POSTs lock the letter row first, so the
version check and the edit happen atomically.
"""

from __future__ import annotations

from collections import Counter
from functools import partial, wraps

from django.contrib import messages
from django.core import signing as django_signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from letters import drafting, markdown, organisations, signing
from letters.filters import OrganizationFilter
from letters.forms.drafting import (
    DuplicateForm,
    LetterCreateForm,
    LetterForm,
    MailingListForm,
    RecipientForm,
    RecommendationForm,
    SectionForm,
    SignatoryEditForm,
    SignatoryForm,
    TranslationForm,
    VersionedForm,
)
from letters.forms.organisations import SignatoryListForm, SignatoryPickForm
from letters.models import (
    Letter,
    LetterRecipient,
    Organization,
    RecipientRole,
    Recommendation,
    Section,
    Signatory,
)
from letters.permissions import SEE_LETTERS, UPLOAD_SIGNATURES, get_letter_for, requires
from letters.printing import layout
from letters.text import greeting
from letters.views import HtmxHttpRequest
from recipients.forms import search_text
from recipients.models import MailingList, Position

SEARCH_LIMIT = 20
SIGNATORIES_PER_PAGE = 25
DIRECTIONS = {drafting.UP, drafting.DOWN}


def atomic_writes(view):
    """
    The view in one transaction when it may write (POST), in none when it only
    reads: on SQLite every transaction takes the database's write lock at BEGIN,
    so two readers of the editor waited on each other (p99 near a second).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with transaction.atomic():
            return view(request, *args, **kwargs)

    return wrapped


# -- access ------------------------------------------------------------------


def get_draft(request: HttpRequest, pk: int, *, lock: bool = False) -> Letter:
    """
    The letter if this user may edit it (see `get_letter_for`), and only while
    it is a draft: a letter past drafting -> 403.
    With `lock`, the row is locked until the request's transaction ends.
    """
    letter = get_letter_for(request, pk, "letters.change_letter")
    if lock:
        # Check the status on the locked row: a coordinator may have finalised the
        # letter since this request read it.
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if refusal := letter.refusal("edit"):
        raise PermissionDenied(refusal)
    if signing.text_frozen(letter):
        raise PermissionDenied(signing.FROZEN)
    return letter


def get_original_draft(request: HttpRequest, pk: int, *, lock: bool = False) -> Letter:
    """
    `get_draft()` for the recipients and signatories: a translation shares its
    original's, which are edited there only (403 on a translation).
    """
    letter = get_draft(request, pk, lock=lock)
    if letter.is_translation:
        raise PermissionDenied(SHARED_ON_ORIGINAL.format(reference=letter.original.reference))
    return letter


SHARED_ON_ORIGINAL = (
    "A translation shares its original's recipients and signatories: edit them on {reference}."
)


def _direction(request: HttpRequest) -> str:
    direction = request.POST.get("direction", "")
    if direction not in DIRECTIONS:
        raise Http404("Unknown direction")
    return direction


def _version_matches(request: HttpRequest, letter: Letter) -> bool:
    return request.POST.get("version", "") == str(letter.version)


def _stale_notice(letter: Letter) -> str:
    return (
        f"Nothing changed: someone else saved this letter first (it is now version "
        f"{letter.version}). Check the letter as it is now and try again."
    )


# -- the editor page and its blocks -------------------------------------------


def _sections(letter: Letter) -> list[Section]:
    sections = list(
        letter.sections.order_by("order", "pk").prefetch_related(
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.order_by("order", "pk")
                .select_related("repeats", "original")
                .prefetch_related("themes"),
            )
        )
    )
    number = 0
    for section in sections:
        section.numbered = []
        for rec in section.recommendations.all():
            number += 1
            section.numbered.append((number, rec))
    return sections


def sections_context(letter: Letter, **extra) -> dict:
    # Each section links to its own "add a recommendation" form rather than
    # carrying one: 250-country selects in every section made long letters slow.
    # A callable: the template reads the sections only when its cached block is missing.
    sections = partial(_sections, letter)
    add_form = extra.pop("section_form", None) or SectionForm(letter=letter, prefix="section-new")
    context = {"letter": letter, "sections": sections, "section_form": add_form, **extra}
    if letter.is_translation:
        # Re-read with every change of the sections, so the warning follows the edits.
        context["gaps"] = drafting.translation_gaps(letter)
    return context


def _recipient_rows(letter: Letter) -> dict[str, list[LetterRecipient]]:
    recipients = list(
        letter.recipients.select_related("position", "mailing_list")
        .prefetch_related("position__terms__official")
        .order_by("-role", "order", "pk")  # within the letter: no join to every letter
    )
    for recipient in recipients:
        recipient.shown = recipient.addressee()
    for recipient in recipients:
        # The greeting this recipient's copy will print, which the letter decides.
        recipient.copy_greeting = greeting(letter, recipients, copy_for=recipient)
    return {
        "to": [r for r in recipients if r.role == RecipientRole.TO],
        "cc": [r for r in recipients if r.role == RecipientRole.CC],
    }


def recipients_context(letter: Letter, **extra) -> dict:
    return {
        "letter": letter,
        # A callable: the template reads the recipients only when its cached block is missing.
        "recipient_rows": partial(_recipient_rows, letter),
        "mailing_lists": list(MailingList.objects.order_by("name").values_list("pk", "name")),
        **extra,
    }


def signatories_context(
    letter: Letter,
    *,
    q: str = "",
    page: str | int = 1,
    show: int | None = None,
    **extra,
) -> dict:
    """
    One page of the signing organisations (a letter may have hundreds), found by
    `q`; `show` (a signatory's pk) asks for the page that holds it, the one just changed.
    """
    add_form = extra.pop("signatory_form", None) or SignatoryForm(
        letter=letter, prefix="signatory-new"
    )
    everyone = letter.signatories.order_by("order", "pk")
    total = everyone.count()
    listed = everyone.select_related("organization")
    if q:
        listed = listed.filter(
            Q(organization__name__icontains=q)
            | Q(organization__short_name__icontains=q)
            | Q(group__icontains=q)
            | Q(signer_name__icontains=q)
        )
    elif show is not None:
        order = everyone.filter(pk=show).values_list("order", flat=True).first()
        if order is not None:
            before = everyone.filter(Q(order__lt=order) | Q(order=order, pk__lt=show))
            page = before.count() // SIGNATORIES_PER_PAGE + 1
    paginator = Paginator(listed, SIGNATORIES_PER_PAGE)
    if not q:
        paginator.count = total  # known already: one query fewer
    shown = paginator.get_page(page)
    rows = list(shown)
    for row in rows:
        row.at_first = row.at_last = False  # type: ignore[attr-defined]
    if rows and shown.number == 1:
        rows[0].at_first = True  # type: ignore[attr-defined]
    if rows and not shown.has_next():
        rows[-1].at_last = True  # type: ignore[attr-defined]
    return {
        "letter": letter,
        "signatories": rows,
        "signatory_page": shown,
        "signatory_total": total,
        "signatory_q": q,
        "signatory_form": add_form,
        **extra,
    }


def signatory_listing(params) -> dict:
    """The search and page of the signatories a request asks for (GET or POST)."""
    return {"q": search_text(params, "sq"), "page": str(params.get("spage", "1"))[:6]}


def search_positions(letter: Letter, q: str) -> list[Position]:
    positions = list(
        Position.objects.active()
        .search(q)
        .prefetch_related("terms__official")
        .order_by("country", "institution", "title")[:SEARCH_LIMIT]
    )
    taken = set(letter.recipients.values_list("position_id", flat=True))
    for position in positions:
        position.holder = position.current_holder()
        position.preview_salutation = position.salutation(position.holder)
        position.taken = position.pk in taken
    return positions


BLOCKS = {
    "sections": ("letters/drafting/_sections.html", sections_context),
    "recipients": ("letters/drafting/_recipients.html", recipients_context),
    "signatories": ("letters/drafting/_signatories.html", signatories_context),
}


def _block(
    request: HttpRequest, letter: Letter, name: str, *, saved: bool = True, **extra
) -> HttpResponse:
    """One block of the editor, for htmx to swap; `saved` tells the page the new version."""
    template, context = BLOCKS[name]
    if name == "signatories":
        params = request.POST if request.method == "POST" else request.GET
        extra = {**signatory_listing(params), **extra}
        if "show" not in extra and str(params.get("show", "")).isdigit():
            extra["show"] = int(params["show"])
    response = render(request, template, context(letter, **extra))
    if saved:
        # drafting.js copies it into every form on the page, so the user's own
        # edits never make their other open forms look stale.
        response["X-Letter-Version"] = str(letter.version)
    return retarget(reswap(response, "outerHTML"), f"#{name}")


def _done(
    request: HtmxHttpRequest,
    letter: Letter,
    block: str,
    anchor: str,
    notice: str = "",
    **extra,
) -> HttpResponse:
    """After a successful inline change: the fresh block for htmx, a redirect otherwise."""
    if request.htmx:
        response = _block(request, letter, block, notice=notice, **extra)
        if anchor != block:
            # The item added or changed: static/js/focus.js moves focus there.
            response["X-Focus"] = anchor
        return response
    if notice:
        messages.success(request, notice)
    return redirect(reverse("letters:drafting_edit", args=[letter.pk]) + f"#{anchor}")


def _refused(
    request: HtmxHttpRequest, letter: Letter, block: str, anchor: str, error: str
) -> HttpResponse:
    """An action (move, delete) that could not happen: say why, change nothing."""
    if request.htmx:
        return _block(request, letter, block, saved=False, error=error)
    messages.error(request, error)
    return redirect(reverse("letters:drafting_edit", args=[letter.pk]) + f"#{anchor}")


def _form_response(
    request: HtmxHttpRequest,
    letter: Letter,
    form: VersionedForm,
    *,
    fragment: str,
    title: str,
    action: str,
    **extra,
) -> HttpResponse:
    """A form to fill in or fix: its fragment for htmx, a full page without JavaScript."""
    context = {"letter": letter, "form": form, "action": action, "title": title, **extra}
    if request.htmx:
        return render(request, fragment, context)
    return render(request, "letters/drafting/form_page.html", {**context, "fragment": fragment})


@require_http_methods(["GET", "POST"])
@requires("letters.add_letter")
def letter_create(request: HttpRequest) -> HttpResponse:
    form = LetterCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = drafting.create_letter(letter=form.save(commit=False), by=request.user)
        except drafting.ReferenceTaken as exc:
            form.add_error("reference", str(exc))
        else:
            messages.success(request, f"{letter.reference} created. Now write its text.")
            return redirect("letters:drafting_edit", letter.pk)
    return render(request, "letters/drafting/create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@atomic_writes
def letter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=request.method == "POST")
    if request.method == "POST":
        old_lead, old_reference = letter.lead_organization_id, letter.reference
        form = LetterForm(request.POST, instance=letter, letter=letter)
        if form.is_valid():
            letter = form.save(commit=False)
            drafting.save_letter(
                letter=letter,
                lead_changed=letter.lead_organization_id != old_lead,
                reference_changed=letter.reference != old_reference,
            )
            messages.success(request, f"Saved {letter.reference} (version {letter.version}).")
            return redirect("letters:drafting_edit", letter.pk)
        # The instance took the user's values during validation; show the
        # blocks and the header from the saved letter.
        letter = Letter.objects.get(pk=pk)
        form.letter = letter
    else:
        form = LetterForm(instance=letter, letter=letter)

    q = search_text(request.GET)
    context = {
        "letter": letter,
        "letter_form": form,
        "q": q,
        "results": search_positions(letter, q) if len(q) >= 2 else None,
        "versions": letter.other_versions(),
        **sections_context(letter),
    }
    if not letter.is_translation:
        context.update(recipients_context(letter))
        context.update(signatories_context(letter, **signatory_listing(request.GET)))
    return render(request, "letters/drafting/edit.html", context)


@require_POST
@requires("letters.change_letter")
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The Markdown of one textarea, rendered and sanitised, for the live preview."""
    field = request.GET.get("field", "")
    text = request.POST.get(field, "")
    html = markdown.render(text)
    return HttpResponse(html or '<p class="empty-note">Nothing to preview yet.</p>')


@require_GET
def letter_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The first addressee's copy as it prints: the PDF's own sheet and print CSS."""
    letter = get_letter_for(request, pk, SEE_LETTERS)
    context = layout.sheet_context(letter)
    context["sheet_classes"] = layout.preview_classes(letter, context)
    # The browser loads logos and signatures through the views that check who
    # asks; the PDF renderer reads them from storage (`storage_url`).
    context["in_browser"] = True
    context["can_edit"] = letter.allows("edit") and request.user.has_perm("letters.change_letter")
    return render(request, "letters/drafting/preview.html", context)


@require_http_methods(["GET", "POST"])
def letter_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request, pk, "letters.add_letter")
    initial = {"reference": f"{letter.reference}-copy", "subject": letter.subject}
    form = DuplicateForm(request.POST or None, initial=initial, source=letter)
    if request.method == "POST" and form.is_valid():
        try:
            copy = drafting.copy_letter(
                letter,
                reference=form.cleaned_data["reference"],
                subject=form.cleaned_data["subject"],
                by=request.user,
                recommendations=form.chosen_recommendations(),
            )
        except drafting.ReferenceTaken as exc:
            form.add_error("reference", str(exc))
            return render(
                request, "letters/drafting/duplicate.html", {"letter": letter, "form": form}
            )
        messages.success(
            request,
            f"{copy.reference} is a new draft copied from {letter.reference}; each "
            "recommendation links to the one it repeats.",
        )
        return redirect("letters:drafting_edit", copy.pk)
    return render(request, "letters/drafting/duplicate.html", {"letter": letter, "form": form})


@require_http_methods(["GET", "POST"])
def letter_translate(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft translating the letter into another language, linked to it."""
    letter = get_letter_for(request, pk, "letters.add_letter")
    if letter.is_translation:
        messages.info(request, "Translations are made from the original letter.")
        return redirect("letters:drafting_translate", letter.translation_of_id)
    language = "en" if letter.language.startswith("ja") else "ja"
    initial = {"language": language, "reference": f"{letter.reference}-{language.upper()}"}
    form = TranslationForm(request.POST or None, initial=initial, source=letter)
    if request.method == "POST" and form.is_valid():
        try:
            translation = drafting.create_translation(
                letter=letter,
                language=form.cleaned_data["language"],
                reference=form.cleaned_data["reference"],
                by=request.user,
            )
        except drafting.EditRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{translation.reference} is a draft translation of {letter.reference}: "
                "translate its text here. Its recipients and signatories are the original's.",
            )
            return redirect("letters:drafting_edit", translation.pk)
    return render(request, "letters/drafting/translate.html", {"letter": letter, "form": form})


@require_GET
def block(request: HtmxHttpRequest, pk: int, name: str) -> HttpResponse:
    """A block as saved now: what Cancel on an inline form goes back to."""
    letter = get_draft(request, pk)
    if name not in BLOCKS:
        raise Http404("No such block")
    if not request.htmx:
        return redirect(reverse("letters:drafting_edit", args=[letter.pk]) + f"#{name}")
    return _block(request, letter, name, saved=False)


# -- sections -------------------------------------------------------------------


@require_POST
@atomic_writes
def section_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=True)
    form = SectionForm(request.POST, letter=letter, prefix="section-new")
    if form.is_valid():
        section = drafting.add_section(letter=letter, section=form.save(commit=False))
        return _done(request, letter, "sections", f"section-{section.pk}", "Section added.")
    return _form_response(
        request,
        letter,
        form,
        fragment="letters/drafting/_section_add_form.html",
        title="Add a section",
        action=reverse("letters:drafting_section_add", args=[letter.pk]),
        section_form=form,
    )


@require_http_methods(["GET", "POST"])
@atomic_writes
def section_edit(request: HtmxHttpRequest, pk: int, section_pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=request.method == "POST")
    section = get_object_or_404(Section, pk=section_pk, letter=letter)
    prefix = f"section-{section.pk}"
    form = SectionForm(request.POST or None, instance=section, letter=letter, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        drafting.save_section(letter=letter, section=form.save(commit=False))
        return _done(request, letter, "sections", f"section-{section.pk}", "Section saved.")
    return _form_response(
        request,
        letter,
        form,
        fragment="letters/drafting/_section_form.html",
        title=f"Edit section “{section.heading}”",
        action=reverse("letters:drafting_section_edit", args=[letter.pk, section.pk]),
        section=section,
    )


@require_POST
@atomic_writes
def section_move(request: HtmxHttpRequest, pk: int, section_pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=True)
    section = get_object_or_404(Section, pk=section_pk, letter=letter)
    direction = _direction(request)
    if not _version_matches(request, letter):
        return _refused(request, letter, "sections", f"section-{section.pk}", _stale_notice(letter))
    section.letter = letter
    if not drafting.move_section(section=section, direction=direction):
        return _refused(
            request,
            letter,
            "sections",
            f"section-{section.pk}",
            f"“{section.heading}” is already {'first' if direction == 'up' else 'last'}.",
        )
    return _done(
        request, letter, "sections", f"section-{section.pk}", f"Moved “{section.heading}”."
    )


@require_POST
@atomic_writes
def section_delete(request: HtmxHttpRequest, pk: int, section_pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=True)
    section = get_object_or_404(Section, pk=section_pk, letter=letter)
    if not _version_matches(request, letter):
        return _refused(request, letter, "sections", "sections", _stale_notice(letter))
    section.letter = letter
    try:
        drafting.delete_section(section=section)
    except drafting.EditRefused as exc:
        return _refused(request, letter, "sections", f"section-{section.pk}", str(exc))
    return _done(request, letter, "sections", "sections", f"Deleted “{section.heading}”.")


# -- recommendations ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@atomic_writes
def recommendation_add(request: HtmxHttpRequest, pk: int, section_pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=request.method == "POST")
    section = get_object_or_404(Section, pk=section_pk, letter=letter)
    form = RecommendationForm(request.POST or None, letter=letter, prefix=f"rec-new-{section.pk}")
    if request.method == "POST" and form.is_valid():
        section.letter = letter
        rec = drafting.add_recommendation(
            section=section,
            recommendation=form.save(commit=False),
            save_m2m=form.save_related,
        )
        return _done(request, letter, "sections", f"rec-{rec.pk}", f"Added {rec.reference}.")
    return _form_response(
        request,
        letter,
        form,
        fragment="letters/drafting/_recommendation_add_form.html",
        title=f"Add a recommendation to “{section.heading}”",
        action=reverse("letters:drafting_recommendation_add", args=[letter.pk, section.pk]),
        section=section,
    )


def _get_recommendation(letter: Letter, rec_pk: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.select_related("section", "repeats"), pk=rec_pk, letter=letter
    )


@require_http_methods(["GET", "POST"])
@atomic_writes
def recommendation_edit(request: HtmxHttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=request.method == "POST")
    rec = _get_recommendation(letter, rec_pk)
    form = RecommendationForm(
        request.POST or None, instance=rec, letter=letter, prefix=f"rec-{rec.pk}"
    )
    if request.method == "POST" and form.is_valid():
        drafting.save_recommendation(
            letter=letter,
            recommendation=form.save(commit=False),
            section=form.cleaned_data.get("section"),
            save_m2m=form.save_related,
        )
        return _done(request, letter, "sections", f"rec-{rec.pk}", f"Saved {rec.reference}.")
    return _form_response(
        request,
        letter,
        form,
        fragment="letters/drafting/_recommendation_form.html",
        title=f"Edit {rec.reference}",
        action=reverse("letters:drafting_recommendation_edit", args=[letter.pk, rec.pk]),
        rec=rec,
    )


@require_POST
@atomic_writes
def recommendation_move(request: HtmxHttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=True)
    rec = _get_recommendation(letter, rec_pk)
    direction = _direction(request)
    if not _version_matches(request, letter):
        return _refused(request, letter, "sections", f"rec-{rec.pk}", _stale_notice(letter))
    rec.section.letter = letter
    if not drafting.move_recommendation(recommendation=rec, direction=direction):
        where = "first" if direction == drafting.UP else "last"
        return _refused(
            request,
            letter,
            "sections",
            f"rec-{rec.pk}",
            f"{rec.reference} is already {where} in its section.",
        )
    return _done(request, letter, "sections", f"rec-{rec.pk}", f"Moved {rec.reference}.")


@require_POST
@atomic_writes
def recommendation_delete(request: HtmxHttpRequest, pk: int, rec_pk: int) -> HttpResponse:
    letter = get_draft(request, pk, lock=True)
    rec = _get_recommendation(letter, rec_pk)
    if not _version_matches(request, letter):
        return _refused(request, letter, "sections", f"rec-{rec.pk}", _stale_notice(letter))
    rec.letter = letter
    try:
        drafting.delete_recommendation(recommendation=rec)
    except drafting.EditRefused as exc:
        return _refused(request, letter, "sections", f"rec-{rec.pk}", str(exc))
    return _done(
        request, letter, "sections", f"section-{rec.section_id}", f"Deleted {rec.reference}."
    )


# -- recipients -------------------------------------------------------------------


@require_GET
def recipient_search(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk)
    q = search_text(request.GET)
    if not request.htmx:
        query = urlencode({"q": q})
        return redirect(reverse("letters:drafting_edit", args=[letter.pk]) + f"?{query}#recipients")
    results = search_positions(letter, q) if len(q) >= 2 else None
    return render(
        request,
        "letters/drafting/_position_results.html",
        {"letter": letter, "q": q, "results": results},
    )


@require_POST
@atomic_writes
def recipient_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=True)
    form = RecipientForm(request.POST, letter=letter)
    if form.is_valid():
        recipient = drafting.add_recipient(
            letter=letter, position=form.cleaned_data["position"], role=form.cleaned_data["role"]
        )
        return _done(
            request,
            letter,
            "recipients",
            f"recipient-{recipient.pk}",
            f"Added {recipient.office_title} as {recipient.get_role_display()}.",
        )
    error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if form.stale:
        error = form.stale_message
    return _refused(request, letter, "recipients", "recipients", error)


@require_POST
@atomic_writes
def recipient_add_list(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=True)
    form = MailingListForm(request.POST, letter=letter)
    if form.is_valid():
        mailing_list = form.cleaned_data["mailing_list"]
        added = drafting.add_mailing_list(
            letter=letter, mailing_list=mailing_list, role=form.cleaned_data["role"]
        )
        if not added:
            return _refused(
                request,
                letter,
                "recipients",
                "recipients",
                f"Every office of “{mailing_list}” is already a recipient of this letter.",
            )
        return _done(
            request,
            letter,
            "recipients",
            "recipients",
            f"Added {len(added)} office{'s' if len(added) != 1 else ''} of “{mailing_list}”, "
            "each with its own copy.",
        )
    error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if form.stale:
        error = form.stale_message
    return _refused(request, letter, "recipients", "recipients", error)


def _get_recipient(letter: Letter, recipient_pk: int) -> LetterRecipient:
    return get_object_or_404(
        LetterRecipient.objects.select_related("position"), pk=recipient_pk, letter=letter
    )


@require_POST
@atomic_writes
def recipient_move(request: HtmxHttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=True)
    recipient = _get_recipient(letter, recipient_pk)
    direction = _direction(request)
    if not _version_matches(request, letter):
        return _refused(request, letter, "recipients", "recipients", _stale_notice(letter))
    recipient.letter = letter
    if not drafting.move_recipient(recipient=recipient, direction=direction):
        return _refused(
            request,
            letter,
            "recipients",
            "recipients",
            f"{recipient.office_title} is already {'first' if direction == 'up' else 'last'}.",
        )
    return _done(request, letter, "recipients", "recipients", f"Moved {recipient.office_title}.")


@require_POST
@atomic_writes
def recipient_remove(request: HtmxHttpRequest, pk: int, recipient_pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=True)
    recipient = _get_recipient(letter, recipient_pk)
    if not _version_matches(request, letter):
        return _refused(request, letter, "recipients", "recipients", _stale_notice(letter))
    recipient.letter = letter
    try:
        drafting.remove_recipient(recipient=recipient)
    except drafting.EditRefused as exc:
        return _refused(request, letter, "recipients", "recipients", str(exc))
    return _done(request, letter, "recipients", "recipients", f"Removed {recipient.office_title}.")


# -- signatories ----------------------------------------------------------------------


@require_POST
@atomic_writes
def signatory_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=True)
    form = SignatoryForm(request.POST, letter=letter, prefix="signatory-new")
    if form.is_valid():
        signatory = drafting.add_signatory(letter=letter, signatory=form.save(commit=False))
        return _done(
            request,
            letter,
            "signatories",
            "signatories",
            f"{signatory.organization} signs as {signatory.get_role_display().lower()}.",
            show=signatory.pk,
        )
    return _form_response(
        request,
        letter,
        form,
        fragment="letters/drafting/_signatory_add_form.html",
        title="Add a signing organisation",
        action=reverse("letters:drafting_signatory_add", args=[letter.pk]),
        signatory_form=form,
    )


def _get_signatory(letter: Letter, signatory_pk: int) -> Signatory:
    return get_object_or_404(
        Signatory.objects.select_related("organization"), pk=signatory_pk, letter=letter
    )


@require_http_methods(["GET", "POST"])
@atomic_writes
def signatory_edit(request: HtmxHttpRequest, pk: int, signatory_pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=request.method == "POST")
    signatory = _get_signatory(letter, signatory_pk)
    form = SignatoryEditForm(
        request.POST or None,
        request.FILES or None,
        instance=signatory,
        letter=letter,
        prefix=f"signatory-{signatory.pk}",
        allow_signature=request.user.has_perm(UPLOAD_SIGNATURES),
    )
    if request.method == "POST" and form.is_valid():
        signatory = form.save(commit=False)
        signatory.letter = letter
        drafting.save_signatory(signatory=signatory)
        return _done(
            request,
            letter,
            "signatories",
            "signatories",
            f"Saved {signatory.organization}.",
            show=signatory.pk,
        )
    return _form_response(
        request,
        letter,
        form,
        fragment="letters/drafting/_signatory_form.html",
        title=f"Edit {signatory.organization}",
        action=reverse("letters:drafting_signatory_edit", args=[letter.pk, signatory.pk]),
        signatory=signatory,
    )


@require_POST
@atomic_writes
def signatory_move(request: HtmxHttpRequest, pk: int, signatory_pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=True)
    signatory = _get_signatory(letter, signatory_pk)
    direction = _direction(request)
    if not _version_matches(request, letter):
        return _refused(request, letter, "signatories", "signatories", _stale_notice(letter))
    signatory.letter = letter
    if not drafting.move_signatory(signatory=signatory, direction=direction):
        where = "first" if direction == drafting.UP else "last"
        return _refused(
            request,
            letter,
            "signatories",
            "signatories",
            f"{signatory.organization} is already {where}.",
        )
    return _done(
        request,
        letter,
        "signatories",
        "signatories",
        f"Moved {signatory.organization}.",
        show=signatory.pk,
    )


@require_POST
@atomic_writes
def signatory_remove(request: HtmxHttpRequest, pk: int, signatory_pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=True)
    signatory = _get_signatory(letter, signatory_pk)
    if not _version_matches(request, letter):
        return _refused(request, letter, "signatories", "signatories", _stale_notice(letter))
    signatory.letter = letter
    try:
        drafting.remove_signatory(signatory=signatory)
    except drafting.EditRefused as exc:
        return _refused(request, letter, "signatories", "signatories", str(exc))
    return _done(
        request, letter, "signatories", "signatories", f"Removed {signatory.organization}."
    )


# -- many signatories at once --------------------------------------------------------

PICK_LIMIT = 300


@require_http_methods(["GET", "POST"])
@atomic_writes
def signatory_add_many(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick organisations in the directory, or paste a list matched against it."""
    letter = get_original_draft(request, pk, lock=request.method == "POST")
    action = request.POST.get("action", "")
    pick_form = SignatoryPickForm(request.POST if action == "pick" else None)
    list_form = SignatoryListForm(
        request.POST if action == "match" else None, request.FILES if action == "match" else None
    )
    rows: list[organisations.ListRow] = []
    token = problem = ""
    if action == "pick" and pick_form.is_valid():
        added = drafting.add_signatories(
            letter=letter,
            organizations=list(pick_form.cleaned_data["organizations"]),
            group=pick_form.cleaned_data["group"],
            by=request.user,
        )
        return _added_many(request, letter, len(added))
    if action == "match" and list_form.is_valid():
        try:
            rows = organisations.parse_list(list_form.cleaned_data["text"])
        except ValueError as error:
            list_form.add_error("text", str(error))
        else:
            organisations.match_list(rows, letter_id=letter.pk)
            token = _list_token(letter, rows, list_form.cleaned_data["group"])
    if action == "confirm":
        try:
            count = _confirm_list(request, letter)
        except django_signing.BadSignature:
            problem = "The preview expired; paste the list again."
        else:
            return _added_many(request, letter, count)
    directory = OrganizationFilter(request.GET or None, queryset=Organization.objects.all())
    candidates = (
        directory.qs.exclude(signatures__letter=letter).order_by("name")[:PICK_LIMIT]
        if not directory.is_bound or directory.is_valid()
        else Organization.objects.none()
    )
    return render(
        request,
        "letters/drafting/signatories_many.html",
        {
            "letter": letter,
            "pick_form": pick_form,
            "list_form": list_form,
            "directory": directory,
            "candidates": candidates,
            "pick_limit": PICK_LIMIT,
            "rows": rows,
            "counts": Counter(row.status for row in rows),
            "token": token,
            "problem": problem,
        },
    )


def _list_token(letter: Letter, rows: list[organisations.ListRow], group: str) -> str:
    """The matched list, signed, so the confirming post needs no second match."""
    return django_signing.dumps(
        {"rows": organisations.rows_to_data(rows), "group": group},
        salt=f"letters.signatory_list.{letter.pk}",
        compress=True,
    )


def _confirm_list(request: HttpRequest, letter: Letter) -> int:
    """Add the organisations the drafter kept from a matched list; how many were added."""
    payload = django_signing.loads(
        request.POST.get("token", ""), salt=f"letters.signatory_list.{letter.pk}", max_age=60 * 60
    )
    choices = {
        int(key.removeprefix("choice-")): str(value)
        for key, value in request.POST.items()
        if key.startswith("choice-") and key[7:].isdigit()
    }
    chosen = organisations.organizations_for(
        organisations.rows_from_data(payload["rows"]), choices, by=request.user
    )
    added = drafting.add_signatories(
        letter=letter, organizations=chosen, group=payload["group"][:100], by=request.user
    )
    return len(added)


def _added_many(request: HttpRequest, letter: Letter, count: int) -> HttpResponse:
    messages.success(request, f"Added {count} signing organisation{'s' if count != 1 else ''}.")
    return redirect(reverse("letters:drafting_edit", args=[letter.pk]) + "#signatories")


@require_POST
@atomic_writes
def signatory_sort(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_original_draft(request, pk, lock=True)
    drafting.sort_signatories(letter=letter, by=request.user)
    messages.success(request, "Signing organisations sorted by group, then name.")
    return redirect(reverse("letters:drafting_edit", args=[letter.pk]) + "#signatories")
