"""Forms for sign-on: circulating a draft, and approving or declining it."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django_countries import countries

from letters.models import (
    CallSignature,
    Letter,
    Organization,
    Signatory,
    SignOnCall,
)
from letters.signing import DEFAULT_MESSAGE, Moderation, country_code
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


class OpenCallForm(forms.ModelForm):
    class Meta:
        model = SignOnCall
        fields = ["deadline", "intro", "max_unconfirmed"]
        labels = {
            "deadline": "The form closes at",
            "intro": "Introduction on the public page (optional)",
            "max_unconfirmed": "Most offers waiting for e-mail confirmation at once",
        }
        widgets = {
            "deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "intro": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["deadline"].help_text = f"In {zone}."
        self.fields["max_unconfirmed"].validators.append(MaxValueValidator(10_000))
        self.fields["max_unconfirmed"].widget.attrs["max"] = 10_000
        if self.instance.pk is None or self.instance.deadline <= timezone.now():
            self.initial["deadline"] = timezone.localtime(
                timezone.now() + dt.timedelta(days=14)
            ).replace(second=0, microsecond=0)

    def clean_deadline(self) -> dt.datetime:
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise ValidationError("The deadline must be in the future.")
        return deadline


class CallSignatureForm(forms.ModelForm):
    """The public form. `nickname` is a honeypot: hidden from people, filled by bots."""

    nickname = forms.CharField(
        required=False,
        max_length=200,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # A list of every country, not free text: "Republic of Korea" typed by hand
    # matched no name in the directory and printed under "Country not given".
    country = forms.CharField(
        max_length=100,
        label="Country",
        widget=forms.Select(attrs={"autocomplete": "country"}),
        error_messages={
            "required": "Choose your organisation's country from the list.",
            "max_length": "Choose your organisation's country from the list.",
        },
    )

    class Meta:
        model = CallSignature
        fields = [
            "organization_name",
            "country",
            "website",
            "contact_name",
            "contact_email",
            "signer_name",
            "signer_title",
            "consent_to_publish",
        ]
        labels = {
            "contact_name": "Contact person",
            "consent_to_publish": "Our organisation's name may be shown publicly as a signatory",
        }
        help_texts = {
            "contact_email": "We send a link there: your signature counts once you confirm.",
            "signer_name": "Optional: printed with the organisation's name.",
        }

    def __init__(self, *args, call: SignOnCall, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.call = call
        self.fields["website"].widget.attrs["placeholder"] = "https://"
        widget = cast(forms.Select, self.fields["country"].widget)
        widget.choices = [("", "Choose a country…"), *countries]
        widget.attrs.pop("maxlength", None)  # not an attribute of a <select>

    def clean_country(self) -> str:
        # The list sends a code; a script may send a name ("Japan"): both count.
        code = country_code(self.cleaned_data["country"])
        if not code:
            raise ValidationError("Choose your organisation's country from the list.")
        return code

    def is_bot(self) -> bool:
        return bool(self.data.get("nickname"))

    def clean_contact_email(self) -> str:
        email = self.cleaned_data["contact_email"].strip().lower()
        if CallSignature.objects.filter(call=self.call, contact_email=email).exists():
            raise ValidationError(
                "This e-mail address already answered this call: look for our message in "
                "your inbox, or use another address."
            )
        return email

    def validate_unique(self) -> None:
        # The call is set by the workflow, after validation; clean_contact_email checks.
        pass


class ConfirmCallForm(forms.Form):
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ModerationForm(forms.Form):
    action = forms.ChoiceField(choices=Moderation.CHOICES, label="With the selected")
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.order_by("name"),
        required=False,
        label="Organisation to merge with",
        help_text="For “Merge”: the existing organisation the offer is from.",
    )
    signatures = forms.ModelMultipleChoiceField(
        queryset=CallSignature.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Hundreds of offers are moderated at once through the filter, not ticked one by one.
    everything = forms.BooleanField(
        required=False, label="Every offer the filter finds, not only the ticked ones"
    )

    def __init__(self, *args, call: SignOnCall, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        signatures = self.fields["signatures"]
        assert isinstance(signatures, forms.ModelMultipleChoiceField)
        signatures.queryset = call.signatures.all()

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("action") == Moderation.MERGE and not data.get("organization"):
            self.add_error("organization", "Choose the organisation to merge with.")
        if not data.get("signatures") and not data.get("everything"):
            self.add_error("signatures", "Tick the offers to apply this to, or choose every one.")
        return data
