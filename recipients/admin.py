from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from recipients.models import Official, Position, Term
from recipients.resources import PositionResource


class TermInline(admin.TabularInline):
    model = Term
    extra = 0
    autocomplete_fields = ["official"]
    fields = ["official", "start", "end", "note"]
    ordering = ["-start"]


@admin.register(Position)
class PositionAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    # The same resource as the directory's import: same checks, all or nothing.
    resource_classes = [PositionResource]
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

    @admin.display(description="Current holder")
    def holder(self, position: Position) -> str:
        holder = position.current_holder()
        return str(holder) if holder else "Vacant"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("terms__official")


@admin.register(Official)
class OfficialAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "honorific", "native_name", "name_order", "archived_at"]
    list_filter = ["name_order"]
    search_fields = ["given_name", "family_name", "native_name"]
    inlines = [TermInline]
    fields = ["honorific", "given_name", "family_name", "name_order", "native_name", "archived_at"]


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ["official", "position", "start", "end"]
    list_filter = ["position__country", "start"]
    search_fields = ["official__family_name", "official__given_name", "position__title"]
    autocomplete_fields = ["official", "position"]
    list_select_related = ["official", "position"]
    date_hierarchy = "start"
