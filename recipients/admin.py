from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.formsets import TOTAL_FORM_COUNT
from django.forms.models import BaseInlineFormSet
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from recipients import holders
from recipients.models import MailingList, Official, Position, Term
from recipients.resources import CSVFormat, PositionResource, XLSXFormat


def _term_positions(formsets) -> list[Position]:
    """The offices whose terms the inline forms change: each term's old and new office."""
    pks = set()
    for formset in formsets:
        if formset.model is Term:
            for form in formset.forms:
                pks |= {form.initial.get("position"), form.instance.position_id}
    pks.discard(None)
    return list(Position.objects.filter(pk__in=pks))


class CappedInlineFormSet(BaseInlineFormSet):
    """
    A form for each saved row and at most MAX_NEW new ones, whatever the POST's
    TOTAL_FORMS says (Django's default builds up to 2,000 and renders them all
    again with the error); more is a form error.
    """

    MAX_NEW = 20

    def total_form_count(self) -> int:
        total = super().total_form_count()
        if self.is_bound:
            return min(total, len(self.get_queryset()) + self.MAX_NEW)
        return total

    def clean(self) -> None:
        super().clean()
        wanted = self.management_form.cleaned_data.get(TOTAL_FORM_COUNT) or 0
        if self.is_bound and wanted > len(self.get_queryset()) + self.MAX_NEW:
            raise ValidationError(f"Add at most {self.MAX_NEW} rows at a time.")


class CappedInline(admin.options.InlineModelAdmin):
    """An inline that builds a bounded number of forms, whatever a POST claims."""

    formset = CappedInlineFormSet
    max_num = 100

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)


class TermInline(CappedInline, admin.TabularInline):
    model = Term
    extra = 0
    autocomplete_fields = ["official"]
    fields = ["official", "start", "end", "note"]
    ordering = ["-start"]


@admin.register(Position)
class PositionAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    # The same resource as the directory's import: same checks, all or nothing.
    resource_classes = [PositionResource]
    # Read through the directory's own reader: size, zip and row limits apply.
    import_formats = [CSVFormat, XLSXFormat]
    list_display = ["title", "institution", "country", "holder", "last_verified", "archived_at"]
    list_filter = ["country", "last_verified", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = [
        "title",
        "institution",
        "department",
        "locality",
        "terms__official__family_name",
    ]
    inlines = [TermInline]
    fieldsets = [
        (None, {"fields": ["title", "institution", "department", "country"]}),
        (
            "Postal address",
            {"fields": ["address_lines", "locality", "region", "postal_code", "address_country"]},
        ),
        ("Contact", {"fields": ["email", "fax", "phone", "salutation_pattern"]}),
        ("Upkeep", {"fields": ["last_verified", "archived_at"]}),
    ]

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        if isinstance(e, ValidationError):
            form.add_error("import_file", e)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    @admin.display(description="Current holder")
    def holder(self, position: Position) -> str:
        holder = position.current_holder()
        return str(holder) if holder else "Vacant"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("terms__official")

    def save_related(self, request, form, formsets, change):
        # Terms edited inline may change who holds the office: announce it.
        with holders.watching_holders(_term_positions(formsets), by=request.user):
            super().save_related(request, form, formsets, change)


@admin.register(Official)
class OfficialAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "honorific", "native_name", "name_order", "archived_at"]
    list_filter = ["name_order"]
    search_fields = ["given_name", "family_name", "native_name"]
    inlines = [TermInline]
    fields = ["honorific", "given_name", "family_name", "name_order", "native_name", "archived_at"]

    def save_related(self, request, form, formsets, change):
        with holders.watching_holders(_term_positions(formsets), by=request.user):
            super().save_related(request, form, formsets, change)


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ["official", "position", "start", "end"]
    list_filter = ["position__country", "start"]
    search_fields = ["official__family_name", "official__given_name", "position__title"]
    autocomplete_fields = ["official", "position"]
    list_select_related = ["official", "position"]
    date_hierarchy = "start"

    # Every edit here may change who holds an office today: announce it, as
    # the directory's own pages do.
    def save_model(self, request, obj, form, change):
        pks = {obj.position_id, form.initial.get("position")} - {None}
        with holders.watching_holders(Position.objects.filter(pk__in=pks), by=request.user):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with holders.watching_holders([obj.position], by=request.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        positions = Position.objects.filter(terms__in=queryset).distinct()
        # The delete action runs outside the admin's transaction for a form.
        with transaction.atomic(), holders.watching_holders(positions, by=request.user):
            super().delete_queryset(request, queryset)


@admin.register(MailingList)
class MailingListAdmin(SimpleHistoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]
    filter_horizontal = ["positions"]
