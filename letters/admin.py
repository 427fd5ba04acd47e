from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
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
from recipients.admin import CappedInline

# A plain file field for images: the model's validator (letters.uploads.validate_image)
# then judges the content, with the app's messages (Django's ImageField answers first, less
# precisely).
IMAGE_AS_FILE: dict[type[models.Field], dict[str, Any]] = {
    models.ImageField: {"form_class": forms.FileField}
}


def _is_frozen(letter_id: int | None) -> bool:
    """Past drafting, as the letter is stored now (a version from its history may say otherwise)."""
    if letter_id is None:
        return False
    return not Letter.objects.filter(pk=letter_id, status__in=LetterStatus.editable()).exists()


class LetterPartForm(forms.ModelForm):
    """Nothing is added to, or moved into, a letter that is past drafting."""

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        section = cleaned.get("section")
        letter = cleaned.get("letter") or (section.letter if section else None)
        if isinstance(letter, Letter) and _is_frozen(letter.pk):
            raise ValidationError(
                f"{letter.reference} is {letter.get_status_display().lower()}: its text, "
                "recipients and signatories can no longer change."
            )
        return cleaned


class LetterPartAdmin(SimpleHistoryAdmin):
    """
    A letter, or a part of one: read-only here once the letter is past drafting
    (final, sent, published or withdrawn), as in the app. The inlines follow, as
    Django shows them read-only when their parent cannot change.
    """

    form: type[forms.ModelForm] = LetterPartForm
    # Set where the page must stay open for its inlines (follow-ups on a sent
    # letter's recommendations): the object's own fields are read-only instead.
    inlines_outlive_the_letter = False

    def is_frozen(self, obj) -> bool:
        return obj is not None and _is_frozen(obj.letter_id)

    def has_change_permission(self, request, obj=None):
        if self.is_frozen(obj) and not self.inlines_outlive_the_letter:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.is_frozen(obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.is_frozen(obj):
            opts = self.model._meta
            editable = [f for f in [*opts.concrete_fields, *opts.many_to_many] if f.editable]
            readonly += [f.name for f in editable if not f.primary_key and f.name not in readonly]
        return readonly

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting writes an old version over the stored one; simple-history lets
        # anyone who may view it do so.
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if self.is_frozen(current) or not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


if TYPE_CHECKING:
    # What the mixin's super() calls reach; at run time the admin class it is mixed into.
    _Base = admin.ModelAdmin
else:
    _Base = object


class EditsDraftText(_Base):
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
    formfield_overrides = IMAGE_AS_FILE

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


class SectionInline(CappedInline, admin.StackedInline):
    model = Section
    extra = 0
    max_num = 100
    fields = ["order", "heading", "body", "lead_in"]
    show_change_link = True


class RecipientInline(CappedInline, admin.TabularInline):
    model = LetterRecipient
    extra = 0
    max_num = 300
    autocomplete_fields = ["position"]
    fields = ["role", "order", "position", "snapshot_name", "sent_on", "send_channel"]
    readonly_fields = ["snapshot_name"]


class SignatoryInline(CappedInline, admin.TabularInline):
    model = Signatory
    extra = 0
    max_num = 300
    autocomplete_fields = ["organization"]
    fields = ["organization", "role", "order", "signer_name", "signer_title", "approved_at"]
    readonly_fields = ["approved_at"]


@admin.register(Letter)
class LetterAdmin(EditsDraftText, LetterPartAdmin):
    form = forms.ModelForm
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
        (
            "Printing",
            {
                "fields": [
                    "paper_size",
                    "envelope_window",
                    "recommendation_style",
                    "signatory_layout",
                    "signatory_grouping",
                    "letterhead",
                ]
            },
        ),
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
        ("Record", {"fields": tuple(readonly_fields)}),
    ]

    def edited_letters(self, obj) -> list[Letter]:
        return [obj]

    def is_frozen(self, obj) -> bool:
        return obj is not None and _is_frozen(obj.pk)


class RecommendationInline(CappedInline, admin.StackedInline):
    model = Recommendation
    extra = 0
    max_num = 200
    fields = ["order", "text", "government", "third_state", "themes", "repeats"]
    autocomplete_fields = ["themes", "repeats"]


@admin.register(Section)
class SectionAdmin(EditsDraftText, LetterPartAdmin):
    list_display = ["heading", "letter", "order"]
    search_fields = ["heading", "letter__reference"]
    list_select_related = ["letter"]
    autocomplete_fields = ["letter"]
    inlines = [RecommendationInline]


class FollowUpInline(CappedInline, admin.TabularInline):
    model = FollowUp
    extra = 0
    max_num = 300
    can_delete = False  # entries are corrected, never deleted
    fields = ["date", "kind", "response_status", "implementation_status", "note", "next_review"]


@admin.register(Recommendation)
class RecommendationAdmin(EditsDraftText, LetterPartAdmin):
    list_display = ["reference", "short_text", "government", "third_state", "letter"]
    list_filter = ["government", "third_state", "themes", "letter__status"]
    search_fields = ["reference", "text"]
    list_select_related = ["letter"]
    autocomplete_fields = ["section", "themes", "repeats"]
    readonly_fields = ["reference", "number", "letter"]
    inlines = [FollowUpInline]
    inlines_outlive_the_letter = True

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
class LetterRecipientAdmin(EditsDraftText, LetterPartAdmin):
    list_display = ["letter", "role", "position", "snapshot_name", "sent_on"]
    list_filter = ["role", "send_channel"]
    search_fields = ["letter__reference", "position__title", "snapshot_name"]
    list_select_related = ["letter", "position"]
    autocomplete_fields = ["letter", "position", "official"]


@admin.register(Signatory)
class SignatoryAdmin(EditsDraftText, LetterPartAdmin):
    list_display = ["letter", "organization", "role", "signer_name", "approved_at", "declined_at"]
    list_filter = ["role"]
    search_fields = ["letter__reference", "organization__name", "signer_name"]
    list_select_related = ["letter", "organization"]
    autocomplete_fields = ["letter", "organization"]
    exclude = ["token"]
    formfield_overrides = IMAGE_AS_FILE


class QuoteInline(CappedInline, admin.StackedInline):
    model = Quote
    extra = 0
    max_num = 20
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
