"""
The organisations directory: list and search, add and edit (Drafters,
Coordinators, Admins), merge duplicates (Admins), import from CSV or Excel.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from letters.filters import OrganizationFilter
from letters.forms.organisations import ImportForm, MergeForm, OrganizationForm
from letters.models import Organization
from letters.organisations import (
    MergeRefused,
    import_organizations,
    merge,
    read_organizations,
)
from letters.permissions import SEE_LETTERS, get_organization_for, requires
from recipients.resources import staged_import

PER_PAGE = 50
MAX_UPLOAD = 2 * 1024 * 1024
IMPORT_SALT = "letters.organisations.import"


@require_http_methods(["GET", "POST"])
@requires(SEE_LETTERS)
def list_view(request: HttpRequest) -> HttpResponse:
    # Lower(): "the Society..." typed in lower case still sorts under S... or T, not last.
    organizations = Organization.objects.annotate(num_letters=Count("signatures")).order_by(
        Lower("name"), "pk"
    )
    found = OrganizationFilter(request.GET or None, queryset=organizations, request=request)
    if found.is_bound and not found.is_valid():
        organizations = organizations.none()
    else:
        organizations = found.qs
    page = Paginator(organizations, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "letters/organisations/list.html",
        {
            "filter": found,
            "page": page,
            "organizations": page.object_list,
            "query": query.urlencode(),
        },
    )


@require_http_methods(["GET", "POST"])
@requires("letters.add_organization")
def create_view(request: HttpRequest) -> HttpResponse:
    return _edit(request, Organization())


@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_organization_for(request, pk, "letters.change_organization"))


def _edit(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"Saved “{saved.name}”.")
        return redirect("letters:organisations_list")
    return render(
        request,
        "letters/organisations/form.html",
        {"form": form, "organization": organization if organization.pk else None},
    )


@require_http_methods(["GET", "POST"])
def merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    duplicate = get_organization_for(request, pk, "letters.delete_organization")
    form = MergeForm(request.POST or None, duplicate=duplicate, initial=request.GET)
    if request.method == "POST" and form.is_valid():
        keep = form.cleaned_data["keep"]
        try:
            moved = merge(keep=keep, duplicate=duplicate, by=request.user)
        except MergeRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                f"Merged “{duplicate.name}” into “{keep.name}”: {moved} "
                f"link{'s' if moved != 1 else ''} moved.",
            )
            return redirect("letters:organisations_list")
    signatures = duplicate.signatures.select_related("letter").order_by("letter__reference")
    return render(
        request,
        "letters/organisations/merge.html",
        {"form": form, "duplicate": duplicate, "signatures": signatures},
    )


@require_http_methods(["GET", "POST"])
@requires("letters.add_organization")
def import_view(request: HttpRequest) -> HttpResponse:
    staged = staged_import(
        request,
        ImportForm,
        read=read_organizations,
        apply=import_organizations,
        salt=IMPORT_SALT,
        max_bytes=MAX_UPLOAD,
    )
    if staged.applied and staged.outcome:
        outcome = staged.outcome
        messages.success(
            request,
            f"Imported {outcome.count('new')} organisations "
            f"({outcome.count('skip')} already in the directory, not added again).",
        )
        return redirect("letters:organisations_list")
    return render(request, "letters/organisations/import.html", vars(staged))
