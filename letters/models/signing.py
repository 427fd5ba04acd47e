"""
Sign-on: the organisations that sign a letter, their private links and
approvals, and the texts they approved.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
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
