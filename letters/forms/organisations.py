"""Forms of the organisations directory: an entry, a merge, an import."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html

from letters.models import Organization
from letters.organisations import Directory
from letters.uploads import clean_image


class OrganizationForm(forms.ModelForm):
    """An entry of the directory; refuses to create a duplicate unless told it is not one."""

    not_a_duplicate = forms.BooleanField(
        required=False,
        label="This is a different organisation, not a duplicate",
        help_text="Tick only when the entry named above is really another organisation.",
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "short_name",
            "country",
            "kind",
            "website",
            "contact_name",
            "email",
            "consent_to_publish",
            "logo",
        ]
        labels = {"kind": "Type", "email": "Contact e-mail"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A plain file field: letters.uploads.clean_image judges the content itself.
        self.fields["logo"] = forms.FileField(
            label="Logo",
            required=False,
            help_text="PNG or JPEG, up to 2 MB.",
            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        )
        # Offered only once a duplicate is found, so that saving it anyway is a choice.
        self.fields["not_a_duplicate"].widget = forms.HiddenInput()
        self.duplicate: Organization | None = None

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if upload and hasattr(upload, "content_type"):
            return clean_image(upload)
        return upload

    def clean(self):
        cleaned = super().clean() or {}
        name = cleaned.get("name")
        if name and not cleaned.get("not_a_duplicate"):
            found = Directory.load().duplicate_of(
                name, cleaned.get("website") or "", exclude=self.instance.pk
            )
            if found:
                self.duplicate, reason = found
                self.fields["not_a_duplicate"].widget = forms.CheckboxInput()
                self.add_error(
                    None,
                    format_html(
                        "“{}” is already in the directory with {}. Use that entry, or tick "
                        "“This is a different organisation” below.",
                        self.duplicate.name,
                        reason,
                    ),
                )
        return cleaned


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Organization.objects.only("pk", "name", "country"),
        label="Keep this organisation",
        help_text="Its signatures, letters and quotes stay; the other's move to it.",
    )

    def __init__(self, *args, duplicate: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["keep"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.only("pk", "name", "country").exclude(pk=duplicate.pk)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text=(
            "UTF-8 CSV or .xlsx with a first row naming the columns: name (required), "
            "short_name, country (two-letter code), type, website, contact_name, email, "
            "consent_to_publish. At most 1 MB and 2,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


MAX_LIST_BYTES = 1024 * 1024
MAX_LIST_CHARS = 200_000
GROUP_HELP = "Optional: the heading these organisations are listed under, e.g. a region."


class SignatoryPickForm(forms.Form):
    """Organisations ticked in the directory, to sign a letter together."""

    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.only("pk"), label="Organisations"
    )
    group = forms.CharField(max_length=100, required=False, help_text=GROUP_HELP)


class SignatoryListForm(forms.Form):
    """A pasted or uploaded list of organisations: one a line, or CSV name, country, website."""

    text = forms.CharField(
        label="Paste a list",
        required=False,
        max_length=MAX_LIST_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One organisation a line, or CSV lines: name, country code, website.",
    )
    file = forms.FileField(
        label="Or upload a .csv or .txt file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt"}),
        help_text="UTF-8, at most 1 MB and 1,000 lines.",
    )
    group = forms.CharField(max_length=100, required=False, help_text=GROUP_HELP)

    def clean(self):
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload:
            if not upload.name.lower().endswith((".csv", ".txt")):
                self.add_error("file", "Upload a .csv or .txt file.")
                return cleaned
            if upload.size > MAX_LIST_BYTES:
                self.add_error("file", "The file is larger than 1 MB. Split it.")
                return cleaned
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "This file is not UTF-8 text. Save it as UTF-8.")
                return cleaned
        if not cleaned.get("text", "").strip() and not self.errors:
            raise forms.ValidationError("Paste a list or upload a file.")
        return cleaned
