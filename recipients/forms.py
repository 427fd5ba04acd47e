from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from recipients.models import MailingList, NameOrder, Official, Position, Term

STALE_EDIT = (
    "Someone else saved this record after you opened it. Your changes are still in the "
    "form but were not saved: open the page again in a new tab to see theirs, then save again."
)


if TYPE_CHECKING:
    # What the mixin is mixed into, for the type checker only.
    _ModelForm = forms.ModelForm
else:
    _ModelForm = object


class StaleEditMixin(_ModelForm):
    """Refuse a save when the record changed after the form was loaded."""

    def add_loaded_field(self) -> None:
        self.fields["loaded"] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=40
        )
        if self.instance.pk and not self.is_bound:
            self.initial["loaded"] = self.instance.updated_at.isoformat()

    def check_not_stale(self) -> None:
        loaded = self.cleaned_data.get("loaded")
        if not (self.instance.pk and loaded):
            return
        current = (
            type(self.instance)
            .objects.filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
        )
        if current and current[0].isoformat() != loaded:
            raise ValidationError(STALE_EDIT, code="stale")


MAX_SEARCH = 100


def search_text(params: Mapping[str, str], name: str = "q") -> str:
    """
    What a search box asks for, as a query can take it: at most MAX_SEARCH
    characters, without NUL characters (nobody types one, and PostgreSQL
    refuses them in a query with an error).
    """
    return str(params.get(name, "")).replace("\x00", "").strip()[:MAX_SEARCH]


class MergeProposedForm(forms.Form):
    """Which office a proposed one duplicates: one in use, of the same government."""

    into = forms.ModelChoiceField(
        label="The office it duplicates",
        queryset=Position.objects.none(),
        empty_label="Choose an office",
        error_messages={"invalid_choice": "Choose an office from the list."},
    )

    def __init__(self, *args, proposed: Position, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Position.objects.active()
            .filter(country=proposed.country)
            .exclude(pk=proposed.pk)
            .order_by("institution", "title")
        )
        self.auto_id = f"id_merge{proposed.pk}_%s"


class PositionForm(StaleEditMixin, forms.ModelForm):
    class Meta:
        model = Position
        fields = [
            "title",
            "institution",
            "department",
            "country",
            "kind",
            "delivery",
            "address_lines",
            "locality",
            "region",
            "postal_code",
            "address_country",
            "email",
            "fax",
            "phone",
            "salutation_pattern",
        ]
        widgets = {"address_lines": forms.Textarea(attrs={"rows": 3})}
        labels = {"address_lines": "Street address"}

    # Added after scripts and tests were written: left out of a post, the office
    # keeps its own (ModelForm leaves fields with defaults alone when omitted).
    KEPT_IF_ABSENT = ("kind", "delivery")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_loaded_field()
        for name in self.KEPT_IF_ABSENT:
            self.fields[name].required = False
        self.fields[
            "address_country"
        ].help_text = "Only if the postal address is in another country than the government's"
        self.fields[
            "postal_code"
        ].help_text = (
            "Where the country's post asks for one: the preview says what its addresses need."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Office",
                "title",
                Row(Column("institution"), Column("department")),
                "country",
                Row(Column("kind"), Column("delivery")),
            ),
            Fieldset(
                "Postal address",
                "address_lines",
                Row(Column("locality"), Column("region")),
                Row(Column("postal_code"), Column("address_country")),
            ),
            Fieldset("Contact", Row(Column("email"), Column("phone"), Column("fax"))),
            Fieldset("In letters", "salutation_pattern"),
            "loaded",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.check_not_stale()
        return self.cleaned_data

    def add_error(self, field, error) -> None:
        # A field that failed its own checks (too long, say) never reached the
        # model, whose "needs a street address" about it would only mislead.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            failed = getattr(self, "_errors", None) or {}
            error = ValidationError(
                {name: errors for name, errors in error.error_dict.items() if name not in failed}
            )
        super().add_error(field, error)


class MailingListForm(StaleEditMixin, forms.ModelForm):
    positions = forms.ModelMultipleChoiceField(
        queryset=Position.objects.active().order_by("country", "institution", "title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Offices",
        help_text="Each office on the list gets its own copy of a letter sent to the list.",
    )

    class Meta:
        model = MailingList
        fields = ["name", "description", "positions"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_loaded_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.check_not_stale()
        return self.cleaned_data


class OfficialForm(StaleEditMixin, forms.ModelForm):
    class Meta:
        model = Official
        fields = ["honorific", "given_name", "family_name", "name_order", "native_name"]
        widgets = {"name_order": forms.RadioSelect}
        labels = {"native_name": "Native-script name"}
        help_texts = {
            "name_order": "Japanese, Korean and Chinese names are written family name first.",
            "native_name": "Optional: the name in its own script, e.g. 鳩山由紀夫",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_loaded_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.check_not_stale()
        return self.cleaned_data


class TermForm(forms.ModelForm):
    """Correct a term's dates or person; a new holder goes through ChangeHolderForm."""

    class Meta:
        model = Term
        fields = ["official", "start", "end", "note"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"official": "Person", "start": "First day", "end": "Last day"}


class ChangeHolderForm(forms.Form):
    """ "From day D, this person holds the office": an existing official, a new one, or nobody."""

    start = forms.DateField(
        label="First day in office",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The current term ends the day before.",
    )
    official = forms.ModelChoiceField(
        label="Person",
        queryset=Official.objects.filter(archived_at__isnull=True),
        required=False,
    )
    honorific = forms.CharField(label="Honorific", max_length=40, required=False)
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    name_order = forms.ChoiceField(
        label="Name order",
        choices=NameOrder.choices,
        initial=NameOrder.GIVEN_FIRST,
        widget=forms.RadioSelect,
    )
    native_name = forms.CharField(label="Native-script name", max_length=100, required=False)
    vacant = forms.BooleanField(label="Nobody: the office is vacant", required=False)
    note = forms.CharField(max_length=200, required=False, help_text="e.g. Cabinet reshuffle")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("start", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        new_name = cleaned.get("given_name") or cleaned.get("family_name")
        chosen = [bool(cleaned.get("official")), bool(new_name), bool(cleaned.get("vacant"))]
        if sum(chosen) != 1:
            raise ValidationError(
                "Choose someone already in the address book, or enter a new person's "
                "names, or tick “vacant”: exactly one of the three."
            )
        if new_name and not (cleaned.get("given_name") and cleaned.get("family_name")):
            raise ValidationError("A new person needs both a given name and a family name.")
        return cleaned

    def holder(self) -> Official | None:
        """The chosen official, creating the new one if names were given (call in a transaction)."""
        data = self.cleaned_data
        if data["vacant"]:
            return None
        if data["official"]:
            return data["official"]
        official = Official(
            honorific=data["honorific"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            name_order=data["name_order"],
            native_name=data["native_name"],
        )
        official.full_clean()
        official.save()
        return official


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel file",
        help_text="UTF-8 CSV (as exported here) or .xlsx; at most 1 MB and 2,000 rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
