"""Forms of the follow-up tracker: record or correct an entry, upload a CSV of statuses."""

from __future__ import annotations

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from letters.models import FollowUp
from letters.uploads import clean_document


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _name_blank_choice(field: forms.Field, label: str) -> None:
    """Show `label` instead of Django's "---------" for a choice field's blank choice."""
    choice_field = cast(forms.ChoiceField, field)
    # Read back, choices are a list of pairs; the stubs give the getter the setter's type.
    choices = cast("list[tuple[str, str]]", choice_field.choices)
    choice_field.choices = [("", label), *choices[1:]]


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = [
            "date",
            "kind",
            "response_status",
            "implementation_status",
            "note",
            "evidence_url",
            "evidence_file",
            "next_review",
        ]
        widgets = {
            "date": DateInput(),
            "next_review": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"date": "Date it happened", "kind": "What happened"}
        help_texts = {
            "response_status": "Leave empty if this entry does not change the response.",
            "implementation_status": "Leave empty if this entry does not change it.",
            "evidence_url": "An http(s) link to the reply, statement or report.",
            "evidence_file": "A PDF, PNG or JPEG (up to 10 MB).",
            "next_review": "When to look at this recommendation again.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        evidence_url = cast(forms.URLField, self.fields["evidence_url"])
        # The stubs know assume_scheme only as an argument of URLField().
        evidence_url.assume_scheme = "https"  # type: ignore[attr-defined]
        evidence_url.error_messages["invalid"] = (
            "Enter an http(s) link, like https://example.org/reply."
        )
        _name_blank_choice(self.fields["kind"], "Choose…")
        _name_blank_choice(self.fields["response_status"], "No change")
        _name_blank_choice(self.fields["implementation_status"], "No change")

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        # Only a new upload is checked; an existing stored file passes as it is.
        if isinstance(upload, UploadedFile):
            return clean_document(upload)
        return upload


class CorrectionForm(FollowUpForm):
    reason = forms.CharField(
        label="Why the correction",
        max_length=100,
        help_text="Kept in the entry's history, e.g. 'wrong date: the reply is dated 3 Feb'.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(FollowUpForm.Meta):
        pass


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "UTF-8 (with or without BOM), at most 1 MB and 5,000 rows. Columns: reference, "
            "response_status, implementation_status; optional: date, kind, note, "
            "evidence_url, next_review. Other columns (as in the export) are ignored."
        ),
    )

    def clean_file(self):
        from letters.tracking_csv import MAX_IMPORT_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                f"The file is {upload.size // 1024} KB; the limit is "
                f"{MAX_IMPORT_BYTES // 1024} KB. Split it into smaller files."
            )
        return upload
