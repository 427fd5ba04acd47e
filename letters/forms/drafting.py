"""
Forms for drafting letters. Every form that changes an existing letter
carries the version the page was loaded with; `VersionedForm.clean()` refuses
it when someone else saved first and lists what is saved now against what the
user typed, which stays in the form.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import QueryDict
from django.urls import reverse_lazy
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, format_lazy, slugify
from django_countries.fields import Country

from letters.forms.widgets import LongSelect
from letters.models import (
    Language,
    Letter,
    LetterRecipient,
    Organization,
    RecipientRole,
    Recommendation,
    Section,
    Signatory,
    Theme,
)
from letters.models import letter as letter_models
from letters.models.letter import REFERENCE_VALIDATOR
from letters.uploads import clean_image
from recipients.models import MailingList, Position

# Generous limits that still keep one field from swamping a page or a PDF
# (the text fields' own, held by the models too).
MAX_MARKDOWN = letter_models.MAX_MARKDOWN
MAX_RECOMMENDATION = letter_models.MAX_RECOMMENDATION
MAX_THEMES_TEXT = 400


def _markdown_widget(field: str, rows: int = 6) -> forms.Textarea:
    """A textarea whose rendered Markdown shows live below it (htmx; optional)."""
    return forms.Textarea(
        attrs={
            "rows": rows,
            # Lazy: forms are imported while the URLconf is still loading.
            "hx-post": format_lazy(
                "{}?field={}", reverse_lazy("letters:drafting_markdown_preview"), field
            ),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": f"#{field}-preview",
            "hx-swap": "innerHTML",
            "aria-describedby": f"{field}-preview-label",
        }
    )


def _display(field: forms.Field, value) -> str:
    """A value as a person reads it, for the 'saved now / yours' comparison."""
    if value in (None, "", [], ()):
        return "(empty)"
    if isinstance(value, Country):
        return value.name or "(empty)"
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    if isinstance(value, Model):
        return str(value)
    if hasattr(value, "__iter__") and not isinstance(value, str):
        return ", ".join(sorted(str(v) for v in value)) or "(empty)"
    choices = dict(getattr(field, "choices", []) or [])
    if value in choices:
        return str(choices[value])
    return str(value)


if TYPE_CHECKING:
    # What the mixin is mixed into, for the type checker only.
    _Form = forms.BaseForm
else:
    _Form = object


class VersionedForm(_Form):
    """
    Mixin for forms that change a letter: a hidden `version` field, checked
    against the letter as the request loaded it (under a row lock, see the
    views), so an edit made on top of someone else's newer save is refused.
    """

    stale_message = ""

    def __init__(self, *args, letter: Letter, **kwargs) -> None:
        self.letter = letter
        super().__init__(*args, **kwargs)
        # Not required here: clean() reports a missing version where people
        # see it (errors on a hidden field would not show).
        self.fields["version"] = forms.CharField(
            widget=forms.HiddenInput, initial=letter.version, required=False, max_length=20
        )
        self.conflicts: list[dict] = []
        self.stale = False

    def compared_fields(self) -> list[str]:
        """Fields whose saved value is shown next to the user's after a refusal."""
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return []
        return [name for name in self.fields if name != "version" and hasattr(instance, name)]

    def saved_value(self, name: str) -> Any:
        value = getattr(getattr(self, "instance", None), name)
        if hasattr(value, "all"):
            return list(value.all())
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        raw = cleaned.get("version") or ""
        if not raw.isdigit():
            raise ValidationError(
                "This form lost track of the letter's version. Reload the page and try again.",
                code="no_version",
            )
        version = int(raw)
        if version == self.letter.version:
            return cleaned
        self.stale = True
        for name in self.compared_fields():
            field = self.fields[name]
            saved, yours = (
                _display(field, self.saved_value(name)),
                _display(field, cleaned.get(name)),
            )
            if saved != yours:
                self.conflicts.append({"label": self[name].label, "saved": saved, "yours": yours})
        last = self.letter.history.select_related("history_user").first()
        who = ""
        if last is not None and last.history_user is not None:
            name = last.history_user.get_full_name() or last.history_user.get_username()
            who = f", saved by {name}"
        self.stale_message = (
            f"Not saved: this letter changed since you opened it (you had version {version}, "
            f"it is now version {self.letter.version}{who}). Your text is kept below"
            + (
                "; compare it with what is saved now and save again to keep yours."
                if self.conflicts
                else "; save again to apply it to the new version."
            )
        )
        # Saving again is now a deliberate choice made after seeing the changes.
        # A bound form's data is the request's QueryDict.
        self.data = cast(QueryDict, self.data).copy()
        self.data[self.add_prefix("version")] = str(self.letter.version)
        raise ValidationError(self.stale_message, code="stale")


class LetterCreateForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = ["reference", "subject", "date", "language", "lead_organization"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {"lead_organization": "Lead organisation"}


class LetterForm(VersionedForm, forms.ModelForm):
    opening = forms.CharField(
        required=False,
        max_length=MAX_MARKDOWN,
        widget=_markdown_widget("opening", rows=8),
        help_text="The paragraphs after the greeting. Markdown: *italic*, **bold**, [link](https://…).",
    )
    closing = forms.CharField(
        required=False,
        max_length=MAX_MARKDOWN,
        widget=_markdown_widget("closing", rows=3),
        help_text="The closing line before the signatures. Markdown.",
    )

    class Meta:
        model = Letter
        fields = [
            "subject",
            "subject_prefix",
            "reference",
            "date",
            "language",
            "lead_organization",
            "recommendation_style",
            "signatory_layout",
            "signatory_grouping",
            "letterhead",
            "greeting",
            "greeting_mode",
            "greeting_punctuation",
            "opening",
            "closing",
            "enclosures",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "enclosures": forms.Textarea(attrs={"rows": 2}),
            "lead_organization": LongSelect,
        }
        labels = {
            "lead_organization": "Lead organisation",
            "greeting": "Greeting (optional)",
            "greeting_mode": "With several addressees",
            # Not "Subject …" or "Greeting …": one word, one field, for people and scripts.
            "subject_prefix": "Prefix",
            "greeting_punctuation": "Ends with",
            "enclosures": "Enclosures (optional)",
        }
        help_texts = {
            "subject_prefix": "Printed before the subject, never twice.",
            "greeting": mark_safe(
                "Leave empty to greet each addressee as the address book says. A letter in "
                'Japanese greets in its own way: it opens with <span lang="ja">拝啓</span> '
                'and closes with <span lang="ja">敬具</span>; another opening word here '
                '(<span lang="ja">謹啓</span>) brings its own close '
                '(<span lang="ja">謹白</span>), and comma or colon do not apply.'
            ),
        }

    # Choices a post may leave out (a form from before they existed, a script):
    # the letter keeps its own rather than having "no prefix" typed over it.
    KEPT_IF_ABSENT = (
        "subject_prefix",
        "greeting_mode",
        "greeting_punctuation",
        "signatory_layout",
        "signatory_grouping",
        "letterhead",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        missing = [n for n in self.KEPT_IF_ABSENT if self.add_prefix(n) not in self.data]
        if self.is_bound and missing:
            self.data = cast(QueryDict, self.data).copy()
            for name in missing:
                self.data[self.add_prefix(name)] = getattr(self.instance, name)
        if self.instance.is_translation:
            # Who signs is the original's to say (and to edit).
            del self.fields["lead_organization"]


class TranslationForm(forms.Form):
    """A translation of a letter: into which language, under which reference."""

    language = forms.ChoiceField(label="Translate into")
    reference = forms.CharField(
        max_length=40,
        validators=[REFERENCE_VALIDATOR],
        help_text="A new, unused reference for the translation, e.g. JP-2009-12-JA",
    )

    def __init__(self, *args, source: Letter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        taken = {source.language, *source.translations.values_list("language", flat=True)}
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            (code, label) for code, label in Language.choices if code not in taken
        ]

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        if Letter.objects.filter(reference__iexact=reference).exists():
            raise ValidationError(f"The reference {reference} is already taken.")
        return reference


class DuplicateForm(forms.ModelForm):
    """A new draft from an existing letter: a follow-up or a translation."""

    recommendations = forms.MultipleChoiceField(
        label="Recommendations to carry over",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A follow-up letter may repeat only the asks still open. "
        "Sections left with none are not copied.",
    )

    class Meta:
        model = Letter
        fields = ["reference", "subject"]
        help_texts = {"reference": "A new, unused reference for the copy, e.g. JP-2010-03"}

    def __init__(self, *args, source: Letter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        recs = list(source.recommendations.order_by("section__order", "order", "pk"))
        self.offered = {str(r.pk) for r in recs}
        field = cast(forms.MultipleChoiceField, self.fields["recommendations"])
        field.choices = [
            (str(r.pk), f"{r.reference}: {Truncator(r.text).chars(110)}") for r in recs
        ]
        field.initial = [str(r.pk) for r in recs]
        if not recs:
            del self.fields["recommendations"]

    def chosen_recommendations(self):
        """The recommendations to copy, or None for all of them (and every section)."""
        if "recommendations" not in self.fields:
            return None
        chosen = set(self.cleaned_data["recommendations"])
        if chosen == self.offered:
            return None
        return self.source.recommendations.filter(pk__in=chosen)


class SectionForm(VersionedForm, forms.ModelForm):
    body = forms.CharField(
        required=False,
        max_length=MAX_MARKDOWN,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown.",
    )

    closing = forms.CharField(
        required=False,
        max_length=MAX_MARKDOWN,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Paragraph after the recommendations (optional)",
        help_text="Printed after the section's recommendations. Markdown.",
    )

    class Meta:
        model = Section
        fields = ["heading", "body", "lead_in", "closing"]
        labels = {"heading": "Heading (optional)"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        parts = ("heading", "body", "lead_in", "closing")
        if not any((cleaned.get(name) or "").strip() for name in parts):
            # A heading is optional, but a section with nothing in it prints nothing.
            raise ValidationError("A section needs a heading or some text.", code="empty")
        return cleaned

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The body's live preview sits right under it; ids carry the form's
        # prefix because several section forms can be open on one page.
        name = self.add_prefix("body")
        self.fields["body"].widget = _markdown_widget(name, rows=4)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "heading",
            "body",
            HTML(
                '{% load letters %}<p class="small fw-semibold mb-1" id="'
                + name
                + '-preview-label">'
                'Body as it will read</p><div class="markdown-preview mb-3" id="'
                + name
                + '-preview"'
                ' aria-live="polite">{{ form.body.value|default:""|markdown }}</div>'
            ),
            "lead_in",
            "closing",
            "version",
        )


def default_government_for(letter: Letter) -> str:
    """Most recommendations ask the government the letter is addressed to."""
    first = (
        letter.original.recipients.filter(role=RecipientRole.TO)
        .select_related("position")
        .order_by("order", "pk")
        .first()
    )
    if first is None or first.position is None:
        return ""
    return first.position.country.code


class RecommendationForm(VersionedForm, forms.ModelForm):
    text = forms.CharField(max_length=MAX_RECOMMENDATION, widget=forms.Textarea(attrs={"rows": 3}))
    # Plain choices, read once per page: a ModelMultipleChoiceField would query
    # the themes again for every section's form.
    themes = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    new_themes = forms.CharField(
        label="New themes",
        required=False,
        max_length=MAX_THEMES_TEXT,
        help_text="Themes not listed above, separated by commas.",
    )
    repeats_reference = forms.CharField(
        label="Repeats recommendation",
        required=False,
        max_length=60,
        help_text="Reference of an earlier recommendation this one repeats, e.g. JP-2009-12-R03.",
    )

    class Meta:
        model = Recommendation
        fields = ["text", "government", "third_state", "themes"]

    def __init__(
        self,
        *args,
        theme_choices: list[tuple[int, str]] | None = None,
        default_government: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if theme_choices is None:
            theme_choices = list(Theme.objects.values_list("pk", "name"))
        cast(forms.MultipleChoiceField, self.fields["themes"]).choices = theme_choices
        if self.instance.pk and not self.is_bound:
            self.initial["themes"] = [t.pk for t in self.instance.themes.all()]
            if self.instance.repeats_id:
                self.fields["repeats_reference"].initial = self.instance.repeats.reference
        if not self.instance.pk and not self.is_bound:
            if default_government is None:
                default_government = default_government_for(self.letter)
            self.fields["government"].initial = default_government
        self.fields["third_state"].label = "Third state (optional)"
        self.fields["government"].label = "Addressed to the government of"
        if self.instance.pk:
            # Editing may move the recommendation to another section of its letter.
            self.fields["section"] = forms.ModelChoiceField(
                queryset=self.letter.sections.order_by("order", "pk"),
                initial=self.instance.section_id,
                empty_label=None,
                required=False,  # left out: it stays where it is
                label="Section",
                help_text="Moving it keeps its reference; it goes last in that section.",
            )
        if self.letter.is_translation:
            self._add_original_field()

    def _add_original_field(self) -> None:
        """In a translation: which of the original's recommendations this one says."""
        taken = Recommendation.objects.filter(letter=self.letter, original__isnull=False)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        self.fields["original"] = forms.ModelChoiceField(
            queryset=Recommendation.objects.filter(letter=self.letter.original)
            .exclude(pk__in=taken.values("original_id"))
            .order_by("section__order", "order", "pk"),
            initial=self.instance.original_id,
            required=False,
            label="Translates",
            empty_label="(none: not in the original)",
            help_text="The original's recommendation this one says in another language; "
            "follow-ups are recorded once, on the original.",
        )

    def compared_fields(self) -> list[str]:
        names = super().compared_fields()
        return [n for n in names if n not in ("new_themes", "repeats_reference", "original")]

    def clean_themes(self):
        return Theme.objects.filter(pk__in=self.cleaned_data["themes"])

    def clean_new_themes(self) -> list[str]:
        names = []
        for raw in self.cleaned_data["new_themes"].split(","):
            name = " ".join(raw.split())
            if not name:
                continue
            if len(name) > 80:
                raise ValidationError(f"“{name[:20]}…” is too long for a theme (80 characters).")
            if not slugify(name):
                raise ValidationError(f"“{name}” needs at least one letter or digit.")
            names.append(name)
        return names

    def clean_repeats_reference(self) -> Recommendation | None:
        reference = self.cleaned_data["repeats_reference"].strip()
        if not reference:
            return None
        earlier = (
            Recommendation.objects.filter(reference__iexact=reference)
            .exclude(letter=self.letter)
            .first()
        )
        if earlier is None:
            raise ValidationError(
                f"No recommendation of another letter has the reference “{reference}”."
            )
        return earlier

    def clean(self) -> dict:
        cleaned = super().clean()
        government, third = cleaned.get("government"), cleaned.get("third_state")
        if government and third and str(government) == str(third):
            self.add_error("third_state", "The third state must differ from the government.")
        return cleaned

    def save(self, commit: bool = True) -> Recommendation:
        self.instance.repeats = self.cleaned_data.get("repeats_reference")
        if "original" in self.fields:
            self.instance.original = self.cleaned_data.get("original")
        return super().save(commit=commit)

    def save_themes(self) -> None:
        """Add the themes typed in `new_themes`, reusing one that exists under any case."""
        for name in self.cleaned_data.get("new_themes", []):
            theme = Theme.objects.filter(name__iexact=name).first()
            if theme is None:
                slug, n = slugify(name)[:70], 1
                base = slug
                while Theme.objects.filter(slug=slug).exists():
                    n += 1
                    slug = f"{base}-{n}"
                theme = Theme.objects.create(name=name, slug=slug)
            self.instance.themes.add(theme)

    def save_related(self) -> None:
        """After `save(commit=False)` and the recommendation's own save: its themes."""
        self.save_m2m()
        self.save_themes()


class RecipientForm(VersionedForm, forms.Form):
    position = forms.ModelChoiceField(
        queryset=Position.objects.active(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "That office is not in the address book (it may have been archived).",
            "required": "Choose an office from the search results.",
        },
    )
    role = forms.ChoiceField(choices=RecipientRole.choices)

    def clean_position(self) -> Position:
        position = self.cleaned_data["position"]
        if LetterRecipient.objects.filter(letter=self.letter, position=position).exists():
            raise ValidationError(f"{position.title} is already a recipient of this letter.")
        return position


class MailingListForm(VersionedForm, forms.Form):
    """Every office of a mailing list at once, each to get its own copy."""

    mailing_list = forms.ModelChoiceField(
        queryset=MailingList.objects.all(),
        label="Mailing list",
        empty_label="Choose a list",
        error_messages={
            "invalid_choice": "That mailing list no longer exists.",
            "required": "Choose a mailing list.",
        },
    )
    role = forms.ChoiceField(choices=RecipientRole.choices, initial=RecipientRole.TO)


class SignatoryForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["organization", "role", "group", "signer_name", "signer_title"]
        widgets = {"organization": LongSelect}
        labels = {
            "organization": "Organisation",
            "group": "Group (optional, e.g. a region)",
            "signer_name": "Signer's name",
            "signer_title": "Signer's title",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Offer only organisations that do not sign yet (a letter signed by 400
            # listed them all again); a post naming one still gets the clear error below.
            field = cast(forms.ModelChoiceField, self.fields["organization"])
            field.queryset = Organization.objects.exclude(signatures__letter=self.letter)

    def clean_organization(self):
        organization = self.cleaned_data["organization"]
        if Signatory.objects.filter(letter=self.letter, organization=organization).exists():
            raise ValidationError(f"{organization} already signs this letter.")
        return organization


class SignatoryEditForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["role", "group", "signer_name", "signer_title", "signature"]
        labels = {
            "group": "Group (optional, e.g. a region)",
            "signer_name": "Signer's name",
            "signer_title": "Signer's title",
        }

    def __init__(self, *args, allow_signature: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not allow_signature:
            del self.fields["signature"]
        else:
            # A plain file field: letters.uploads.clean_image judges the content
            # itself (Django's ImageField would answer first, less precisely).
            self.fields["signature"] = forms.FileField(
                label="Signature image",
                required=False,
                help_text="PNG or JPEG, up to 2 MB.",
                widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
            )

    def compared_fields(self) -> list[str]:
        return [n for n in super().compared_fields() if n != "signature"]

    def clean_signature(self):
        upload = self.cleaned_data.get("signature")
        if upload and hasattr(upload, "content_type"):
            return clean_image(upload)
        return upload
