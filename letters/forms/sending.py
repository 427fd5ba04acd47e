"""Forms for finalising, superseding, recording sending, and the press release."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseModelFormSet, inlineformset_factory, modelformset_factory
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils import timezone

from letters.models import Letter, LetterRecipient, PressRelease, Quote
from letters.models.letter import REFERENCE_VALIDATOR


class SupersedeForm(forms.Form):
    reference = forms.CharField(
        label="Reference of the new draft", max_length=40, validators=[REFERENCE_VALIDATOR]
    )

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        if Letter.objects.filter(reference=reference).exists():
            raise ValidationError("This reference is already taken.")
        return reference


class SendingForm(forms.ModelForm):
    class Meta:
        model = LetterRecipient
        fields = ["sent_on", "send_channel"]
        labels = {"sent_on": "Date sent", "send_channel": "Channel"}
        widgets = {"sent_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].required = True
        self.fields["send_channel"].required = True
        if not self.instance.sent_on:
            self.initial["sent_on"] = timezone.localdate()

    def clean_sent_on(self) -> dt.date:
        sent_on = self.cleaned_data["sent_on"]
        if sent_on > timezone.localdate():
            raise ValidationError("A letter cannot have been sent in the future.")
        return sent_on


# Caps on what a POST can make a formset build (its TOTAL_FORMS is the
# client's word): a collective letter goes to ~200 missions, a press release
# quotes a few people.
MAX_RECIPIENT_FORMS = 500
MAX_QUOTES = 20


class BaseSendingFormSet(BaseModelFormSet):
    """One form per recipient of the letter, whatever the POST claims; never new rows."""

    def total_form_count(self) -> int:
        return min(super().total_form_count(), len(self.get_queryset()))

    def clean(self) -> None:
        super().clean()
        if not self.is_bound or self.non_form_errors():
            return
        counts = self.management_form.cleaned_data
        expected = len(self.get_queryset())
        if counts[TOTAL_FORM_COUNT] != expected or counts[INITIAL_FORM_COUNT] != expected:
            raise ValidationError("The letter's recipients changed; reload the page.")


SendingFormSet = modelformset_factory(
    LetterRecipient,
    form=SendingForm,
    formset=BaseSendingFormSet,
    extra=0,
    max_num=MAX_RECIPIENT_FORMS,
    absolute_max=MAX_RECIPIENT_FORMS,
    validate_max=True,
)


class PressReleaseForm(forms.ModelForm):
    class Meta:
        model = PressRelease
        fields = ["headline", "dateline", "date", "body", "published"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 10}),
        }
        labels = {"published": "Show on the public page once the letter is published"}
        help_texts = {"body": "Markdown: *emphasis*, lists, links."}


QuoteFormSet = inlineformset_factory(
    PressRelease,
    Quote,
    fields=["text", "speaker_name", "speaker_title", "organization"],
    widgets={"text": forms.Textarea(attrs={"rows": 3})},
    labels={"organization": "Organisation"},
    extra=1,
    can_delete=True,
    max_num=MAX_QUOTES,
    absolute_max=MAX_QUOTES,
    validate_max=True,
)
