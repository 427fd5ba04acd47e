"""
The address book: everyone with a role reads it, only Admins change it. The
checks are Django permissions of this app (the roles that carry them are set
up by letters/permissions.py, which this app does not import).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from recipients import directory_cache, holders, proposals
from recipients.addresses import needed_parts
from recipients.filters import PositionFilter
from recipients.forms import (
    ChangeHolderForm,
    ImportForm,
    MailingListForm,
    MergeProposedForm,
    OfficialForm,
    PositionForm,
    TermForm,
    search_text,
)
from recipients.history import official_history, position_history
from recipients.models import (
    DEFAULT_SALUTATION,
    MailingList,
    NameOrder,
    Official,
    Position,
    Term,
)
from recipients.resources import (
    PositionResource,
    import_positions,
    read_upload,
    staged_import,
)

PAGE_SIZE = 50
NATIVE_LANGUAGES = {"JP": "ja", "KR": "ko", "KP": "ko", "CN": "zh", "TW": "zh", "HK": "zh"}


def require_reader(request: HttpRequest) -> None:
    if not request.user.has_perm("recipients.view_position"):
        raise PermissionDenied("You need a role to see the address book. Ask an administrator.")


def require_editor(request: HttpRequest, *permissions: str) -> None:
    require_reader(request)
    if not request.user.has_perms(permissions):
        raise PermissionDenied("Only administrators can change the address book.")


def can_edit(request: HttpRequest, permission: str = "recipients.change_position") -> bool:
    return request.user.has_perm(permission)


def with_current_terms(queryset):
    """Prefetch today's terms and holders, so `current_holder()` costs no query per row."""
    today = timezone.localdate()
    return queryset.prefetch_related(
        Prefetch("terms", queryset=Term.objects.covering(today).select_related("official"))
    )


def _pk_url(name: str) -> Callable[[int], str]:
    """
    The URL of `name` for any pk, reversed once: reverse() costs ~40 us a call
    (locale, prefix, urlconf lookups), three a row on a page of 50.
    """
    marker = "9876543210"
    pattern = reverse(name, args=[int(marker)])
    return lambda pk: pattern.replace(marker, str(pk))


def _directory_row(position: Position, native_lang: str, urls: dict) -> dict:
    """
    What one row prints, worked out once. A dict, not the model: the template
    engine reads a dict key at once, where a model attribute costs it a failed
    key lookup first, and a page has 50 rows of a dozen values each.
    """
    terms: list[Term] = position.current_terms  # type: ignore[attr-defined]  # prefetch to_attr
    term = max(terms, key=lambda t: t.start, default=None)
    holder = term.official if term else None
    proposer = position.proposed_by
    return {
        "pk": position.pk,
        "url": urls["position"](position.pk),
        "verify_url": urls["verify"](position.pk),
        "title": position.title,
        "department": position.department,
        "archived": position.archived_at is not None,
        "proposed": position.proposed,
        "proposed_by": (proposer.get_full_name() or proposer.username) if proposer else "",
        "proposed_at": position.proposed_at,
        "proposed_from": position.proposed_from,
        "holder_url": urls["official"](holder.pk) if holder else "",
        "holder_name": holder.full_name if holder else "",
        "native_name": holder.native_name if holder else "",
        "native_lang": native_lang,
        "collective": position.is_collective,
        "address_lines": position.address_lines_list(),
        "email": position.email,
        "phone": position.phone,
        "fax": position.fax,
        "salutation": position.salutation(holder),
        "last_verified": position.last_verified,
        "stale": position.is_stale(),
    }


def directory_countries(positions) -> list[dict]:
    """
    A page of offices (fetched with `current_terms`, see `directory`) by
    country, then institution, in page order.
    """
    urls = {
        "position": _pk_url("recipients:position"),
        "verify": _pk_url("recipients:position_verify"),
        "official": _pk_url("recipients:official"),
    }
    countries: list[dict] = []
    group: dict = {}
    for position in positions:
        code = position.country.code
        if not countries or countries[-1]["code"] != code:
            countries.append({"code": code, "name": str(position.country.name), "groups": []})
            group = {}
        if not group or group["institution"] != position.institution:
            group = {"institution": position.institution, "rows": []}
            countries[-1]["groups"].append(group)
        native_lang = NATIVE_LANGUAGES.get(code, "und")
        group["rows"].append(_directory_row(position, native_lang, urls))
    return countries


def directory(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    editable = can_edit(request)
    # Everything below the header is the same for every reader of the same
    # query, editors apart: cached until the address book changes.
    body = directory_cache.cached_page(
        request,
        "directory",
        f"{editable}\n{request.get_full_path()}",
        lambda extra: _directory_body(request, editable, extra),
    )
    return render(request, "recipients/directory.html", {"body": mark_safe(body)})


def _directory_body(request: HttpRequest, editable: bool, extra: dict) -> str:
    filterset = PositionFilter(request.GET, queryset=Position.objects.all())
    # Today's terms in a list (to_attr: no queryset per row, as `with_current_terms` makes).
    today = Term.objects.covering().select_related("official")
    positions = (
        filterset.qs.select_related("proposed_by")
        .prefetch_related(Prefetch("terms", queryset=today, to_attr="current_terms"))
        .order_by("country", "institution", "title")
    )
    page = Paginator(positions, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render_to_string(
        "recipients/_directory.html",
        {
            "filter": filterset,
            "page": page,
            "countries": directory_countries(page.object_list),
            "here": request.get_full_path(),
            "query": query.urlencode(),
            "can_edit": editable,
            "proposed_count": Position.objects.proposed().count() if editable else 0,
            **extra,
        },
        request,
    )


# Where the office page's cached part leaves room for the letters to the office,
# which change with letters, not with the address book.
LETTERS_HERE = mark_safe("<!-- letters to this office -->")


def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request)
    position = get_object_or_404(Position, pk=pk)
    editable = can_edit(request)
    body = directory_cache.cached_page(
        request,
        "position",
        f"{editable}\n{pk}",
        lambda extra: _position_body(request, pk, editable, extra),
    )
    before, _, after = body.partition(LETTERS_HERE)
    return render(
        request,
        "recipients/position_detail.html",
        {"position": position, "before": mark_safe(before), "after": mark_safe(after)},
    )


def _position_body(request: HttpRequest, pk: int, editable: bool, extra: dict) -> str:
    # Every term with its holder in one query: the list, today's holder and the
    # greeting (current_holder() reads prefetched terms) all use it.
    terms = Prefetch("terms", queryset=Term.objects.select_related("official").order_by("-start"))
    position = Position.objects.select_related("proposed_by").prefetch_related(terms).get(pk=pk)
    holder = position.current_holder()
    merge = MergeProposedForm(proposed=position) if editable and position.proposed else None
    return render_to_string(
        "recipients/_position_detail.html",
        {
            "position": position,
            "holder": holder,
            "salutation": position.salutation(holder),
            "terms": position.terms.all(),
            "history": position_history(position),
            "can_edit": editable,
            "merge_form": merge,
            "letters_here": LETTERS_HERE,
            **extra,
        },
        request,
    )


@require_POST
def position_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposed office that duplicates one the address book has: its letters move there."""
    require_editor(request, "recipients.change_position")
    position = get_object_or_404(Position, pk=pk)
    form = MergeProposedForm(request.POST, proposed=position)
    if not form.is_valid():
        for message in form.errors.get("into", []):
            messages.error(request, str(message))
        return redirect(position)
    into = form.cleaned_data["into"]
    try:
        moved = proposals.merge_proposed(proposed=position, into=into, by=request.user)
    except proposals.MergeRefused as error:
        messages.error(request, str(error))
        return redirect(position)
    messages.success(
        request,
        f"Merged the proposed {position.title} into {into}: "
        f"{moved} link{'s' if moved != 1 else ''} moved; the proposal is archived.",
    )
    return redirect(into)


def _position_preview(form: PositionForm) -> dict:
    """What the address block and greeting will look like, from the form as typed."""
    form.is_valid()
    position = form.instance
    holder = position.current_holder() if position.pk else None
    sample = holder or Official(
        honorific="H.E.", given_name="Yukio", family_name="Hatoyama",
        name_order=NameOrder.FAMILY_FIRST,
    )  # fmt: skip
    return {
        "preview_name": "" if position.is_collective else sample.formal_name,
        "preview_title": position.title,
        "preview_is_sample": holder is None,
        "preview_lines": position.address_lines_list(),
        "preview_salutation": position.salutation(sample),
        "preview_errors": [e for errors in form.errors.values() for e in errors],
        "preview_needs": needed_parts(position.postal_country),
    }


def position_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_editor(request, "recipients.change_position" if pk else "recipients.add_position")
    position = get_object_or_404(Position, pk=pk) if pk else Position()
    form = PositionForm(request.POST or None, instance=position)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        saved = form.save()
        messages.success(request, f"Saved {saved.title}.")
        return redirect(saved)
    context = {"form": form, "position": position if pk else None}
    if request.method == "POST" or pk:
        context |= _position_preview(PositionForm(request.POST or None, instance=position))
    return render(request, "recipients/position_form.html", context)


@require_POST
def position_preview(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_editor(request, "recipients.change_position" if pk else "recipients.add_position")
    position = get_object_or_404(Position, pk=pk) if pk else Position()
    context = _position_preview(PositionForm(request.POST, instance=position))
    return render(request, "recipients/_position_preview.html", context)


@require_POST
def position_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Checked today; a proposed office becomes an ordinary one."""
    require_editor(request, "recipients.change_position")
    position = get_object_or_404(Position, pk=pk)
    was_proposed = position.proposed
    position.verify(by=request.user)
    if was_proposed:
        messages.success(request, f"{position.title}: verified, no longer a proposal.")
    else:
        messages.success(request, f"{position.title}: confirmed correct today.")
    back = request.POST.get("next", "")
    # Back to the directory page the button was on, never to another site.
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = position.get_absolute_url()
    return redirect(back)


def change_holder(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request, "recipients.add_term", "recipients.change_term")
    position = get_object_or_404(Position, pk=pk)
    form = ChangeHolderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                change = holders.change_holder(
                    position=position,
                    official=form.holder(),
                    start=form.cleaned_data["start"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            new = change.holder
            who = new.full_name if new else "Nobody (vacant)"
            messages.success(
                request, f"{who} holds {position.title} from {date_format(change.start, 'j F Y')}."
            )
            _report_followers(request, change)
            return redirect(position)
    return render(
        request,
        "recipients/change_holder.html",
        {"position": position, "holder": position.current_holder(), "form": form},
    )


def _report_followers(request: HttpRequest, change: holders.HolderChange) -> None:
    """Say what followed a change of holder: the letters that did, the people told."""
    refs = ", ".join(letter.reference for letter in change.letters)
    if change.told:
        names = ", ".join(f"{u.get_full_name() or u.username} <{u.email}>" for u in change.told)
        messages.info(request, f"Told the drafters of {refs} by e-mail: {names}.")
    elif change.letters:
        messages.info(request, f"Draft letters that follow the change: {refs}.")


def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a recorded term (a wrong date or person); the model refuses overlaps."""
    require_editor(request, "recipients.change_term", "recipients.delete_term")
    term = get_object_or_404(Term.objects.select_related("position", "official"), pk=pk)
    form = TermForm(request.POST or None, instance=term)
    if request.method == "POST":
        if "delete" in request.POST:
            with (
                transaction.atomic(),
                holders.watching_holders([term.position], by=request.user) as changes,
            ):
                term.delete()
            messages.success(request, f"Removed the term of {term.official}.")
            for change in changes:
                _report_followers(request, change)
            return redirect(term.position)
        if form.is_valid():
            try:
                with (
                    transaction.atomic(),
                    holders.watching_holders([term.position], by=request.user) as changes,
                ):
                    form.save()
            except IntegrityError:
                form.add_error(None, "This position already has a term starting that day.")
            else:
                messages.success(request, f"Corrected the term of {term.official}.")
                for change in changes:
                    _report_followers(request, change)
                return redirect(term.position)
    return render(request, "recipients/term_form.html", {"form": form, "term": term})


def _kept_by(error: ProtectedError) -> list[str]:
    """
    What refuses a delete, by name. Other apps protect the records they use
    (on_delete=PROTECT); the rows of letters that keep an office or a person
    each point at their letter, named by its reference.
    """
    names = set()
    for row in error.protected_objects:
        if isinstance(row, Term):
            continue
        owner = getattr(row, "letter", row)
        names.add(str(getattr(owner, "reference", owner)))
    return sorted(names)


@require_POST
def position_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request, "recipients.delete_position")
    position = get_object_or_404(Position, pk=pk)
    try:
        with transaction.atomic():
            position.terms.all().delete()
            position.delete()
    except ProtectedError as error:
        messages.error(
            request,
            f"{position.title} cannot be deleted: letters {', '.join(_kept_by(error))} are "
            "addressed to it. Archive it instead; the letters keep it.",
        )
        return redirect(position)
    messages.success(request, f"Deleted {position.title}.")
    return redirect("recipients:list")


@require_POST
def position_archive(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request, "recipients.change_position")
    position = get_object_or_404(Position, pk=pk)
    if position.archived_at is None:
        position.archived_at = timezone.now()
        position.save(update_fields=["archived_at", "updated_at"])
        # The office's page names the letters still being drafted to it.
        messages.success(request, f"Archived {position.title}: hidden from the directory.")
        return redirect(position)
    position.archived_at = None
    try:
        position.validate_constraints()
        with transaction.atomic():
            position.save(update_fields=["archived_at", "updated_at"])
    except (ValidationError, IntegrityError):
        messages.error(
            request,
            "This office already exists for this country; archive or rename that one first.",
        )
    else:
        messages.success(request, f"Restored {position.title}.")
    return redirect(position)


def official_list(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    q = search_text(request.GET)
    officials = Official.objects.all()
    if q:
        officials = (
            officials.filter(family_name__icontains=q)
            | officials.filter(given_name__icontains=q)
            | officials.filter(native_name__icontains=q)
        )
    today = timezone.localdate()
    officials = officials.prefetch_related(
        Prefetch(
            "terms",
            queryset=Term.objects.covering(today).select_related("position"),
            to_attr="current_terms",
        )
    )
    page = Paginator(officials, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recipients/official_list.html",
        {"page": page, "q": q, "can_edit": can_edit(request, "recipients.add_official")},
    )


def official_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request)
    official = get_object_or_404(Official, pk=pk)
    terms = list(official.terms.select_related("position").order_by("-start"))
    # The native-script name is in the language of the country they serve.
    country = str(terms[0].position.country) if terms else ""
    return render(
        request,
        "recipients/official_detail.html",
        {
            "official": official,
            "native_lang": NATIVE_LANGUAGES.get(country, "und"),
            "terms": terms,
            "history": official_history(official),
            "can_edit": can_edit(request, "recipients.change_official"),
        },
    )


def _official_preview(form: OfficialForm) -> dict:
    form.is_valid()
    official = form.instance
    today = timezone.localdate()
    terms = list(official.terms.covering(today).select_related("position")) if official.pk else []
    greetings = [(t.position.title, t.position.salutation(official)) for t in terms]
    if not greetings:
        sample = Position(title="Minister", salutation_pattern=DEFAULT_SALUTATION)
        greetings = [("a minister, for example", sample.salutation(official))]
    return {
        "preview_formal": official.formal_name,
        "preview_display": official.display_name,
        "preview_greetings": greetings,
    }


def official_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_editor(request, "recipients.change_official" if pk else "recipients.add_official")
    official = get_object_or_404(Official, pk=pk) if pk else Official()
    form = OfficialForm(request.POST or None, instance=official)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        saved = form.save()
        messages.success(request, f"Saved {saved.full_name}.")
        return redirect(saved)
    context = {"form": form, "official": official if pk else None}
    if request.method == "POST" or pk:
        context |= _official_preview(OfficialForm(request.POST or None, instance=official))
    return render(request, "recipients/official_form.html", context)


@require_POST
def official_preview(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_editor(request, "recipients.change_official" if pk else "recipients.add_official")
    official = get_object_or_404(Official, pk=pk) if pk else Official()
    context = _official_preview(OfficialForm(request.POST, instance=official))
    return render(request, "recipients/_official_preview.html", context)


@require_POST
def official_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request, "recipients.delete_official")
    official = get_object_or_404(Official, pk=pk)
    try:
        with transaction.atomic():
            official.delete()
    except ProtectedError as error:
        if letters := _kept_by(error):
            problem = f"letters {', '.join(letters)} were sent to them"
        else:
            problem = "the address book records offices they held"
        messages.error(
            request,
            f"{official.full_name} cannot be deleted: {problem}. Archive the record instead.",
        )
        return redirect(official)
    messages.success(request, f"Deleted {official.full_name}.")
    return redirect("recipients:officials")


@require_POST
def official_archive(request: HttpRequest, pk: int) -> HttpResponse:
    require_editor(request, "recipients.change_official")
    official = get_object_or_404(Official, pk=pk)
    official.archived_at = None if official.archived_at else timezone.now()
    official.save(update_fields=["archived_at", "updated_at"])
    state = "Archived" if official.archived_at else "Restored"
    messages.success(request, f"{state} {official.full_name}.")
    return redirect(official)


def export(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    filterset = PositionFilter(request.GET, queryset=Position.objects.all())
    positions = with_current_terms(filterset.qs.order_by("country", "institution", "title"))
    dataset = PositionResource().export(positions)
    stamp = dt.date.today().isoformat()  # noqa: DTZ011 (a file name, local day is fine)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            dataset.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="address-book-{stamp}.xlsx"'
        return response
    # A BOM so that Excel opens the file as UTF-8; the importer accepts it.
    response = HttpResponse("\ufeff" + dataset.export("csv"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="address-book-{stamp}.csv"'
    return response


def import_view(request: HttpRequest) -> HttpResponse:
    require_editor(request, "recipients.add_position", "recipients.change_position")
    staged = staged_import(request, ImportForm, read=read_upload, apply=import_positions)
    if staged.applied and staged.outcome:
        outcome = staged.outcome
        messages.success(
            request,
            f"Imported {outcome.count('new')} new and {outcome.count('update')} "
            f"updated positions ({outcome.count('skip')} unchanged).",
        )
        return redirect("recipients:list")
    return render(request, "recipients/import.html", vars(staged))


# -- mailing lists ----------------------------------------------------------------


def mailing_lists(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    lists = MailingList.objects.annotate(size=Count("positions")).order_by("name")
    return render(
        request,
        "recipients/mailing_lists.html",
        {"lists": lists, "can_edit": can_edit(request, "recipients.add_mailinglist")},
    )


def mailing_list(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request)
    the_list = get_object_or_404(MailingList, pk=pk)
    positions = the_list.positions.order_by("country", "institution", "title")
    return render(
        request,
        "recipients/mailing_list_detail.html",
        {
            "mailing_list": the_list,
            "positions": positions,
            "can_edit": can_edit(request, "recipients.change_mailinglist"),
        },
    )


def mailing_list_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    permission = "recipients.change_mailinglist" if pk else "recipients.add_mailinglist"
    require_editor(request, permission)
    the_list = get_object_or_404(MailingList, pk=pk) if pk else MailingList()
    form = MailingListForm(request.POST or None, instance=the_list)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Saved the mailing list “{saved.name}”.")
        return redirect(saved)
    return render(
        request,
        "recipients/mailing_list_form.html",
        {"form": form, "mailing_list": the_list if pk else None},
    )
