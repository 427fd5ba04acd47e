from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from letters import drafting
from letters.models import (
    FollowUp,
    Letter,
    LetterRecipient,
    LetterStatus,
    Organization,
    PressRelease,
    Quote,
    Recommendation,
    Section,
    Signatory,
    Theme,
)


class EditsDraftText:
    """
    Saving or deleting a letter's text, recipients or signatories here goes
    through `drafting.record_edit`, as the editor's edits go through drafting:
    a draft moves on to a new version and content hash, so approvals of the
    old text stop counting.
    """

    def edited_letters(self, obj) -> list[Letter]:
        return [obj.letter]

    def _record(self, letters) -> None:
        for letter in {letter.pk: letter for letter in letters}.values():
            drafting.record_edit(letter=letter)

    def save_model(self, request, obj, form, change):
        # A part moved to another letter changes the text of the one it left too.
        before = self.edited_letters(type(obj).objects.get(pk=obj.pk)) if change else []
        super().save_model(request, obj, form, change)
        # The history page's revert saves the object alone, without save_related().
        self._record([*before, *self.edited_letters(obj)])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Again once the inlines are saved: the text is complete only now.
        self._record(self.edited_letters(form.instance))

    def delete_model(self, request, obj):
        letters = self.edited_letters(obj)
        super().delete_model(request, obj)
        self._record(letters)

    def delete_queryset(self, request, queryset):
        letters = [letter for obj in queryset for letter in self.edited_letters(obj)]
        super().delete_queryset(request, queryset)
        self._record(letters)


@admin.register(Organization)
class OrganizationAdmin(EditsDraftText, SimpleHistoryAdmin):
    list_display = ["name", "short_name", "website", "email"]
    search_fields = ["name", "short_name"]

    def edited_letters(self, obj) -> list[Letter]:
        # Its name is in the text of every letter it signs (deleting it is refused).
        return list(
            Letter.objects.filter(status__in=LetterStatus.editable(), signatories__organization=obj)
        )


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["order", "heading", "body", "lead_in"]
    show_change_link = True


class RecipientInline(admin.TabularInline):
    model = LetterRecipient
    extra = 0
    autocomplete_fields = ["position"]
    fields = ["role", "order", "position", "snapshot_name", "sent_on", "send_channel"]
    readonly_fields = ["snapshot_name"]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "order", "signer_name", "signer_title", "approved_at"]
    readonly_fields = ["approved_at"]


@admin.register(Letter)
class LetterAdmin(EditsDraftText, SimpleHistoryAdmin):
    list_display = ["reference", "subject", "date", "status", "lead_organization"]
    list_filter = ["status", "language", "lead_organization", "date"]
    search_fields = ["reference", "subject"]
    date_hierarchy = "date"
    list_select_related = ["lead_organization"]
    autocomplete_fields = ["lead_organization", "repeats_letter"]
    readonly_fields = ["version", "content_hash", "created_by", "created_at", "updated_at"]
    inlines = [RecipientInline, SectionInline, SignatoryInline]
    fieldsets = [
        (None, {"fields": ["reference", "subject", "date", "language", "lead_organization"]}),
        ("Text", {"fields": ["opening", "closing"]}),
        ("Printing", {"fields": ["paper_size", "envelope_window", "recommendation_style"]}),
        (
            "Workflow",
            {
                "fields": [
                    "status",
                    "repeats_letter",
                    "sign_on_deadline",
                    "finalized_at",
                    "sent_at",
                    "published_at",
                    "withdrawn_at",
                ]
            },
        ),
        ("Record", {"fields": readonly_fields}),
    ]

    def edited_letters(self, obj) -> list[Letter]:
        return [obj]


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    extra = 0
    fields = ["order", "text", "government", "third_state", "themes", "repeats"]
    autocomplete_fields = ["themes", "repeats"]


@admin.register(Section)
class SectionAdmin(EditsDraftText, SimpleHistoryAdmin):
    list_display = ["heading", "letter", "order"]
    search_fields = ["heading", "letter__reference"]
    list_select_related = ["letter"]
    autocomplete_fields = ["letter"]
    inlines = [RecommendationInline]


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    can_delete = False  # entries are corrected, never deleted
    fields = ["date", "kind", "response_status", "implementation_status", "note", "next_review"]


@admin.register(Recommendation)
class RecommendationAdmin(EditsDraftText, SimpleHistoryAdmin):
    list_display = ["reference", "short_text", "government", "third_state", "letter"]
    list_filter = ["government", "third_state", "themes", "letter__status"]
    search_fields = ["reference", "text"]
    list_select_related = ["letter"]
    autocomplete_fields = ["section", "themes", "repeats"]
    readonly_fields = ["reference", "number", "letter"]
    inlines = [FollowUpInline]

    @admin.display(description="Text")
    def short_text(self, rec: Recommendation) -> str:
        return rec.text if len(rec.text) < 90 else rec.text[:88] + "…"


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = [
        "recommendation",
        "date",
        "kind",
        "response_status",
        "implementation_status",
        "next_review",
        "recorded_by",
    ]
    list_filter = ["kind", "response_status", "implementation_status", "date"]
    search_fields = ["recommendation__reference", "note"]
    list_select_related = ["recommendation", "recorded_by"]
    autocomplete_fields = ["recommendation"]
    readonly_fields = ["recorded_by", "recorded_at"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Follow-ups are corrected, never deleted: the timeline is the record.
        return False


@admin.register(LetterRecipient)
class LetterRecipientAdmin(EditsDraftText, SimpleHistoryAdmin):
    list_display = ["letter", "role", "position", "snapshot_name", "sent_on"]
    list_filter = ["role", "send_channel"]
    search_fields = ["letter__reference", "position__title", "snapshot_name"]
    list_select_related = ["letter", "position"]
    autocomplete_fields = ["letter", "position", "official"]


@admin.register(Signatory)
class SignatoryAdmin(EditsDraftText, SimpleHistoryAdmin):
    list_display = ["letter", "organization", "role", "signer_name", "approved_at", "declined_at"]
    list_filter = ["role"]
    search_fields = ["letter__reference", "organization__name", "signer_name"]
    list_select_related = ["letter", "organization"]
    autocomplete_fields = ["letter", "organization"]
    exclude = ["token"]


class QuoteInline(admin.StackedInline):
    model = Quote
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(PressRelease)
class PressReleaseAdmin(SimpleHistoryAdmin):
    list_display = ["headline", "letter", "date", "published"]
    list_filter = ["published", "date"]
    search_fields = ["headline", "body", "letter__reference"]
    list_select_related = ["letter"]
    autocomplete_fields = ["letter"]
    inlines = [QuoteInline]


@admin.register(Quote)
class QuoteAdmin(SimpleHistoryAdmin):
    list_display = ["speaker_name", "press_release", "organization"]
    search_fields = ["speaker_name", "text"]
    autocomplete_fields = ["press_release", "organization"]
