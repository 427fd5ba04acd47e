"""Forms for sign-on: circulating a draft, and approving or declining it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from letters.models import (
    Letter,
    Signatory,
)
from letters.signing import DEFAULT_MESSAGE
from letters.uploads import clean_image


class CirculateForm(forms.Form):
    deadline = forms.DateTimeField(
        label="Sign-on deadline",
        help_text="Links stop working at this time.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    message = forms.CharField(
        label="Message to the organisations",
        widget=forms.Textarea(attrs={"rows": 6}),
        initial=DEFAULT_MESSAGE,
        max_length=5000,
    )
    email = forms.BooleanField(
        label="E-mail each organisation its link now",
        required=False,
        initial=True,
        help_text="Organisations without an e-mail address are listed so you can copy their link.",
    )

    def __init__(self, *args, letter: Letter, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["deadline"].help_text = f"Links stop working at this time ({zone})."
        default = letter.sign_on_deadline or timezone.now() + dt.timedelta(days=7)
        self.fields["deadline"].initial = timezone.localtime(default).replace(
            second=0, microsecond=0
        )

    def clean_deadline(self) -> dt.datetime:
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise ValidationError("The deadline must be in the future.")
        return deadline


class ApproveForm(forms.ModelForm):
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    signature_upload = forms.FileField(
        label="Signature image (optional)",
        required=False,
        help_text="PNG or JPEG, up to 2 MB. It is printed above your name.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    class Meta:
        model = Signatory
        fields = ["signer_name", "signer_title", "consent_to_publish"]
        labels = {
            "signer_name": "Your name",
            "signer_title": "Your title",
            "consent_to_publish": "We agree that our organisation's name is published with the "
            "letter",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer_name"].required = True
        self.fields["signer_title"].required = True

    def clean_signature_upload(self):
        upload = self.cleaned_data.get("signature_upload")
        if not upload:
            return None
        return clean_image(upload)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why is your organisation not signing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The coordinator sees this.",
    )


class LeadApprovalForm(forms.ModelForm):
    class Meta:
        model = Signatory
        fields = ["signer_name", "signer_title"]
        labels = {"signer_name": "Signer's name", "signer_title": "Signer's title"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer_name"].required = True
