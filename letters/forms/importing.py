"""Forms of importing: paste or upload a letter, correct one block, save the letter."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries

from letters import importing
from letters.importing_reading import MAX_TEXT_CHARS, MAX_UPLOAD_BYTES, TEXT, read_upload
from letters.importing_saving import NEW
from letters.models import ImportSession, Letter
from letters.models.letter import REFERENCE_VALIDATOR
from recipients.models import MAX_ADDRESS, validate_address_lines
from recipients.proposals import ProposedOffice


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class StartForm(forms.Form):
    text = forms.CharField(
        label="Paste the letter's text",
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Copied from a web page, an e-mail or a document: the whole letter, "
        "from the addressee to the signatures.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=f"A Word document (.docx), a PDF made from a document, or a saved web page "
        f"(.html); up to {MAX_UPLOAD_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,.pdf,.html,.htm,.txt,text/plain,text/html,application/pdf"}
        ),
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        text, upload = data.get("text", ""), data.get("file")
        if self.errors:
            return data
        if upload and text.strip():
            raise ValidationError("Paste a text or upload a file, not both.")
        if upload:
            try:
                data["source_text"], data["source_kind"] = read_upload(upload)
            except ValidationError as error:
                self.add_error("file", error)
                return data
            upload.seek(0)
            data["source_bytes"] = upload.read()
            data["source_name"] = (upload.name or "letter")[:200]
        elif text.strip():
            data["source_text"], data["source_kind"] = text, TEXT
            data["source_bytes"] = text.encode()
            data["source_name"] = "pasted-letter.txt"
        else:
            raise ValidationError("There is no text to import: paste a letter or choose a file.")
        return data


COUNTRY_CHOICES = [("", "—"), *countries]


class BlockForm(forms.Form):
    """Edit one block: its text (blank lines split it) and, for an ask, its governments."""

    text = forms.CharField(
        label="Text",
        max_length=20_000,
        # htmx focuses it when the form is swapped in.
        widget=forms.Textarea(attrs={"rows": 4, "autofocus": True}),
        help_text="Leave a blank line where the block should be split in two.",
    )
    government = forms.ChoiceField(
        label="Addressed government", choices=COUNTRY_CHOICES, required=False
    )
    third_state = forms.ChoiceField(label="Third state", choices=COUNTRY_CHOICES, required=False)


KIND_CHOICES = list(importing.KINDS.items())


class SaveForm(forms.Form):
    reference = forms.CharField(
        max_length=40, validators=[REFERENCE_VALIDATOR], help_text="A short code, e.g. JP-2009-12"
    )
    subject = forms.CharField(max_length=300)
    date = forms.DateField(
        required=False, widget=DateInput(), help_text="The date printed on the letter"
    )
    save_as = forms.ChoiceField(
        label="Save as",
        choices=[("draft", "A draft to edit"), ("sent", "A letter already sent")],
        widget=forms.RadioSelect,
        initial="draft",
    )
    sent_on = forms.DateField(
        label="Sent on",
        required=False,
        widget=DateInput(),
        help_text="For a letter already sent: follow-ups can be recorded at once.",
    )

    def __init__(self, *args, session: ImportSession, user, **kwargs) -> None:
        proposal = session.proposal
        initial = {
            "subject": proposal.get("subject", ""),
            "date": proposal.get("date") or None,
            "sent_on": proposal.get("date") or None,
        }
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.addressees = proposal["addressees"]
        may_add_orgs = user.has_perm("letters.add_organization")
        # Anyone importing may propose an office the address book lacks; an
        # Admin checks it later (recipients.proposals).
        new_office = (
            "New office in the address book, from the text"
            if user.has_perm("recipients.add_position")
            else "Propose it as a new office, from the text"
        )
        for i, addressee in enumerate(self.addressees):
            self.fields[f"addressee_{i}"] = self._choice(
                f"{addressee['role'].upper()}: {addressee['title'] or addressee['name']}",
                addressee.get("candidates", []),
                addressee.get("position"),
                new_office,
            )
            self._office_fields(i, importing.office_from_addressee(addressee, proposal["country"]))
        for i, block in enumerate(proposal["signatories"]):
            self.fields[f"signatory_{i}"] = self._choice(
                block["organization"],
                block.get("candidates", []),
                block.get("organization_id"),
                "New organisation, from the text" if may_add_orgs else "",
            )

    def _office_fields(self, i: int, office: dict) -> None:
        """The new office's fields, prefilled from the text; checked only when it is chosen."""
        fields: dict[str, forms.Field] = {
            "title": forms.CharField(label="Office", max_length=200, required=False),
            "institution": forms.CharField(
                label="Ministry, agency or department", max_length=200, required=False
            ),
            "country": forms.ChoiceField(
                label="Government", choices=COUNTRY_CHOICES, required=False
            ),
            "address_lines": forms.CharField(
                label="Street address",
                max_length=MAX_ADDRESS,
                required=False,
                validators=[validate_address_lines],
                widget=forms.Textarea(attrs={"rows": 3}),
            ),
            "holder": forms.CharField(
                label="Holder's name",
                max_length=200,
                required=False,
                help_text="If the letter names one",
            ),
        }
        for name, field in fields.items():
            field.initial = office.get(name, "")
            self.fields[f"office_{i}_{name}"] = field

    def letter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("reference", "subject", "date", "save_as", "sent_on")]

    def signatory_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("signatory_")]

    def addressee_groups(self) -> list[dict]:
        """Per addressee: its choice, and the new office's fields (open when it is unmatched)."""
        groups = []
        for i, addressee in enumerate(self.addressees):
            choice = self[f"addressee_{i}"]
            groups.append(
                {
                    "choice": choice,
                    "office": [
                        self[name] for name in self.fields if name.startswith(f"office_{i}_")
                    ],
                    "open": str(choice.value()) == NEW,
                    "addressee": addressee,
                }
            )
        return groups

    @staticmethod
    def _choice(label: str, candidates: list, chosen, new_label: str) -> forms.ChoiceField:
        choices = [(str(c["id"]), f"{c['label']} ({c['score']}% alike)") for c in candidates]
        if new_label:
            choices.append((NEW, new_label))
        choices.append(("", "Leave out"))
        return forms.ChoiceField(
            label=label[:200],
            choices=choices,
            required=False,
            initial=str(chosen) if chosen else (NEW if new_label else ""),
        )

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"]
        if Letter.objects.filter(reference=reference).exists():
            raise ValidationError(f"The reference {reference} is already taken.")
        return reference

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("save_as") == "sent" and not data.get("sent_on"):
            self.add_error("sent_on", "Give the date the letter was sent.")
        for i in range(len(self.addressees)):
            if data.get(f"addressee_{i}") != NEW:
                continue
            if f"office_{i}_title" in data and not data[f"office_{i}_title"].strip():
                self.add_error(f"office_{i}_title", "Give the office's title, or leave it out.")
            if f"office_{i}_country" in data and not data[f"office_{i}_country"]:
                self.add_error(f"office_{i}_country", "Choose the government it belongs to.")
        return data

    def picked(self, prefix: str) -> list[str]:
        return [
            self.cleaned_data.get(name, "")
            for name in self.fields
            if name.startswith(prefix) and name[len(prefix) :].isdigit()
        ]

    def offices(self) -> list[ProposedOffice | None]:
        """The new office for each addressee the drafter chose to add, else None."""
        data = self.cleaned_data
        return [
            ProposedOffice(
                title=data[f"office_{i}_title"].strip(),
                institution=data[f"office_{i}_institution"].strip(),
                country=data[f"office_{i}_country"],
                address_lines=data[f"office_{i}_address_lines"].strip(),
                holder=data[f"office_{i}_holder"].strip(),
            )
            if data.get(f"addressee_{i}") == NEW
            else None
            for i in range(len(self.addressees))
        ]
