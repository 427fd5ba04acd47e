"""
What went out: the archived copy each recipient received, and the press
releases (with their quotes) that accompany a letter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from letters.models.letter import MAX_MARKDOWN, Letter, LetterRecipient, Organization
from letters.uploads import CheckedFileField
from recipients.text_limits import MaxLengthConstraint

MAX_QUOTE = 2000

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class PressRelease(models.Model):
    letter = models.ForeignKey(Letter, models.PROTECT, related_name="press_releases")
    headline = models.CharField(max_length=300)
    dateline = models.CharField(max_length=100, blank=True, help_text="e.g. TOKYO")
    date = models.DateField(default=timezone.localdate)
    body = models.TextField(
        help_text="Markdown", max_length=MAX_MARKDOWN, validators=[MaxLengthValidator(MAX_MARKDOWN)]
    )
    published = models.BooleanField(default=False)

    history = HistoricalRecords()
    # Set before save() to have simple-history record who did it, outside a request.
    _history_user: User | None

    class Meta:
        ordering = ["-date"]
        constraints = [
            MaxLengthConstraint(
                field="body", limit=MAX_MARKDOWN, name="pressrelease_body_max_length"
            ),
        ]

    def __str__(self) -> str:
        return self.headline


class Quote(models.Model):
    press_release = models.ForeignKey(PressRelease, models.CASCADE, related_name="quotes")
    order = models.PositiveIntegerField(default=0)
    text = models.TextField(max_length=MAX_QUOTE, validators=[MaxLengthValidator(MAX_QUOTE)])
    speaker_name = models.CharField(max_length=200)
    speaker_title = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, models.PROTECT, null=True, blank=True, related_name="quotes"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["press_release", "order", "pk"]
        constraints = [
            MaxLengthConstraint(field="text", limit=MAX_QUOTE, name="quote_text_max_length"),
        ]

    def __str__(self) -> str:
        return f"{self.speaker_name}: {self.text[:40]}"


class SentCopy(models.Model):
    """The exact PDF bytes that went to one recipient, kept forever with their SHA-256."""

    letter = models.ForeignKey(Letter, models.PROTECT, related_name="sent_copies")
    recipient = models.ForeignKey(LetterRecipient, models.PROTECT, related_name="sent_copies")
    file = CheckedFileField(upload_to="sent/%Y/")
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_hash = models.CharField(
        max_length=64, help_text="The letter's content hash the copy was printed from"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["letter", "-recipient__role", "recipient__order", "recipient__pk"]
        verbose_name_plural = "sent copies"
        constraints = [
            models.UniqueConstraint(fields=["letter", "recipient"], name="sent_copy_unique")
        ]

    def __str__(self) -> str:
        return self.filename

    def get_file_url(self) -> str:
        return reverse("letters:sending_sent_copy", args=[self.letter_id, self.pk])
