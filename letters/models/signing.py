"""
Sign-on: the organisations that sign a letter, their private links and
approvals, and the texts they approved.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_countries import countries
from simple_history.models import HistoricalRecords

from letters.models.letter import Letter, Organization
from letters.uploads import CheckedImageField, validate_image
from recipients.text_limits import MaxLengthConstraint

MAX_DECLINE_REASON = 2000

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SignatoryRole(models.TextChoices):
    LEAD = "lead", "Lead organisation"
    COSIGNER = "cosigner", "Co-signer"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Signatory(models.Model):
    """An organisation signing a letter, and the person who signs for it."""

    letter = models.ForeignKey(Letter, models.CASCADE, related_name="signatories")
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="signatures")
    role = models.CharField(
        max_length=10, choices=SignatoryRole.choices, default=SignatoryRole.COSIGNER
    )
    order = models.PositiveIntegerField(default=0)
    # A heading the coalition groups its signatories under (a region, a type...).
    group = models.CharField(max_length=100, blank=True)
    signer_name = models.CharField(max_length=200, blank=True)
    signer_title = models.CharField(max_length=200, blank=True)
    signature = CheckedImageField(upload_to="signatures/", blank=True, validators=[validate_image])
    consent_to_publish = models.BooleanField(default=False)
    # Approved through an open call (SignOnCall): listed with the letter, but
    # not part of the text the others approve (letters.text.approvable_text).
    from_open_call = models.BooleanField(default=False, editable=False)

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_revoked_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_hash = models.CharField(max_length=64, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(
        blank=True,
        max_length=MAX_DECLINE_REASON,
        validators=[MaxLengthValidator(MAX_DECLINE_REASON)],
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token"])
    # Set before save() to have simple-history record who did it, outside a request.
    _history_user: User | None
    # Whether it approved the text as it is now, set by letters.text for the templates.
    signed: bool

    class Meta:
        ordering = ["letter", "order", "pk"]
        verbose_name_plural = "signatories"
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "organization"],
                name="signatory_unique_organization",
                violation_error_message="This organisation already signs the letter.",
            ),
            models.UniqueConstraint(
                fields=["letter"],
                condition=Q(role="lead"),
                name="signatory_one_lead",
                violation_error_message="A letter has one lead organisation.",
            ),
            MaxLengthConstraint(
                field="decline_reason",
                limit=MAX_DECLINE_REASON,
                name="signatory_decline_reason_max_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} on {self.letter.reference}"

    def get_signature_url(self) -> str:
        return reverse("letters:signing_signature", args=[self.letter_id, self.pk])

    def has_approved(self, content_hash: str) -> bool:
        """An approval counts only for the exact text it was given."""
        return (
            self.approved_at is not None
            and self.withdrawn_at is None
            and self.declined_at is None
            and self.approved_hash == content_hash
        )


class ApprovedText(models.Model):
    """
    A letter's text as it stood when a signatory approved it. Kept (once per
    content hash) so that after a later edit the representative can be shown
    what changed since the version they approved.
    """

    letter = models.ForeignKey(Letter, models.CASCADE, related_name="approved_texts")
    content_hash = models.CharField(max_length=64)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "content_hash"], name="approved_text_unique_hash"
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter.reference} text {self.content_hash[:12]}"


class TranslationApproval(models.Model):
    """
    A signatory's approval of one translation of its letter: each language's text
    is approved on its own, for the exact text it was given (its content hash).
    The original's approval stays on the Signatory.
    """

    signatory = models.ForeignKey(Signatory, models.CASCADE, related_name="translation_approvals")
    translation = models.ForeignKey(Letter, models.CASCADE, related_name="translation_approvals")
    content_hash = models.CharField(max_length=64)
    approved_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["signatory", "translation"], name="translation_approval_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signatory.organization} approved {self.translation.reference}"


MAX_CALL_INTRO = 5000
DEFAULT_UNCONFIRMED_CAP = 200


class SignOnCall(models.Model):
    """
    A public call for signatures on a letter: anyone may offer their
    organisation's signature until the deadline; nothing reaches the letter
    before the contact confirms by e-mail and a coordinator approves it.
    While the call is open the text is frozen.
    """

    letter = models.OneToOneField(Letter, models.CASCADE, related_name="sign_on_call")
    intro = models.TextField(
        blank=True,
        max_length=MAX_CALL_INTRO,
        validators=[MaxLengthValidator(MAX_CALL_INTRO)],
    )
    deadline = models.DateTimeField()
    max_unconfirmed = models.PositiveIntegerField(
        default=DEFAULT_UNCONFIRMED_CAP,
        help_text="The form stops taking signatures while this many wait for e-mail confirmation.",
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            MaxLengthConstraint(
                field="intro", limit=MAX_CALL_INTRO, name="sign_on_call_intro_max_length"
            ),
        ]

    def __str__(self) -> str:
        return f"Open call for {self.letter.reference}"

    def get_absolute_url(self) -> str:
        return reverse("public:signing_call", args=[self.pk])

    def is_open(self, *, now: dt.datetime | None = None) -> bool:
        """Taking signatures: not closed by the coordinator, deadline not passed."""
        now = now or timezone.now()
        return self.closed_at is None and self.deadline > now

    @property
    def freezes_text(self) -> bool:
        """The coordinator closes the call to edit the text (a passed deadline is closed too)."""
        return self.is_open()


class CallSignatureStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", "Waiting for e-mail confirmation"
    CONFIRMED = "confirmed", "Confirmed, to moderate"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Dropped out"


class CallSignatureQuerySet(models.QuerySet):
    def unconfirmed(self) -> CallSignatureQuerySet:
        return self.filter(status=CallSignatureStatus.UNCONFIRMED)


class CallSignature(models.Model):
    """One organisation's answer to an open call, as the public form gave it."""

    call = models.ForeignKey(SignOnCall, models.CASCADE, related_name="signatures")
    organization_name = models.CharField("Organisation name", max_length=200)
    country = models.CharField(max_length=100)
    website = models.URLField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField("Contact e-mail", max_length=254)
    signer_name = models.CharField("Name of the person signing", max_length=200, blank=True)
    signer_title = models.CharField("Their title", max_length=200, blank=True)
    consent_to_publish = models.BooleanField(default=False)

    status = models.CharField(
        max_length=12,
        choices=CallSignatureStatus.choices,
        default=CallSignatureStatus.UNCONFIRMED,
    )
    # Only a hash of the e-mailed confirmation token is kept: the database
    # (and copies of it) never holds a working link.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    submitted_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The letter's content hash the contact confirmed: a confirmation counts
    # only for that text, as a private link's approval does.
    confirmed_hash = models.CharField(max_length=64, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    organization = models.ForeignKey(
        Organization, models.PROTECT, null=True, blank=True, related_name="call_signatures"
    )
    signatory = models.ForeignKey(
        Signatory, models.SET_NULL, null=True, blank=True, related_name="call_signatures"
    )

    objects = CallSignatureQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token_hash"])
    _history_user: User | None

    class Meta:
        ordering = ["call", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "contact_email"],
                name="call_signature_unique_email",
                violation_error_message="This e-mail address already answered this call.",
            ),
        ]
        indexes = [models.Index(fields=["call", "status"], name="call_signature_status")]

    def __str__(self) -> str:
        return f"{self.organization_name} on {self.call}"

    @property
    def country_name(self) -> str:
        """The country's name: the form stores a code; offers from before kept typed text."""
        return countries.name(self.country) or self.country

    def needs_reconfirmation(self, content_hash: str) -> bool:
        return (
            self.status in (CallSignatureStatus.CONFIRMED, CallSignatureStatus.APPROVED)
            and self.confirmed_hash != content_hash
        )
