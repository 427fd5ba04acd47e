"""
What became of each ask: follow-up entries on a recommendation, and the
response and implementation statuses derived from them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from letters.uploads import CheckedFileField
from recipients.text_limits import MaxLengthConstraint

MAX_NOTE = 5000


class ResponseStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting response"
    ACCEPTED = "accepted", "Accepted"
    PARTIALLY_ACCEPTED = "partially_accepted", "Partially accepted"
    NOTED = "noted", "Noted"
    REJECTED = "rejected", "Rejected"
    NO_REPLY = "no_reply", "No reply"


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PARTIALLY_IMPLEMENTED = "partially_implemented", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"
    REGRESSED = "regressed", "Regressed"


def derive_status(entries) -> dict:
    """
    A recommendation's current state from its follow-up entries (any iterable
    of objects with date, recorded_at, pk, response_status,
    implementation_status, next_review):

    - response / implementation: the latest entry that set each one, by date,
      then by the time it was recorded (two entries on one day: the later
      record wins);
    - review_due: the next review of the latest entry that set one, unless a
      later entry dated on or after that review shows it took place;
    - last_update: the date of the latest entry.
    """
    ordered = sorted(entries, key=lambda e: (e.date, e.recorded_at, e.pk or 0), reverse=True)
    response = next((e.response_status for e in ordered if e.response_status), "")
    implementation = next((e.implementation_status for e in ordered if e.implementation_status), "")
    review_due = None
    for index, entry in enumerate(ordered):
        if entry.next_review:
            later = ordered[:index]
            if not any(e.date >= entry.next_review for e in later):
                review_due = entry.next_review
            break
    return {
        "current_response": response,
        "current_implementation": implementation,
        "review_due": review_due,
        "last_update": ordered[0].date if ordered else None,
    }


DERIVED_STATUS_FIELDS = ("current_response", "current_implementation", "review_due", "last_update")


class FollowUpKind(models.TextChoices):
    REPLY = "reply", "Reply received"
    MEETING = "meeting", "Raised in a meeting"
    STATEMENT = "statement", "Public statement"
    POLICY = "policy", "Law or policy change"
    MEDIA = "media", "Media report"
    OTHER = "other", "Other"


class FollowUpSource(models.TextChoices):
    """How an entry came in: typed on a page, or imported from a file."""

    PAGE = "page", "Recorded on the page"
    CSV = "csv", "Imported from a CSV file"


class FollowUp(models.Model):
    """A dated event in the life of a recommendation, optionally changing its status."""

    recommendation = models.ForeignKey(
        "letters.Recommendation", models.PROTECT, related_name="follow_ups"
    )
    date = models.DateField(default=timezone.localdate)
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    response_status = models.CharField(
        "new response status", max_length=30, choices=ResponseStatus.choices, blank=True
    )
    implementation_status = models.CharField(
        "new implementation status", max_length=30, choices=ImplementationStatus.choices, blank=True
    )
    note = models.TextField(
        blank=True, max_length=MAX_NOTE, validators=[MaxLengthValidator(MAX_NOTE)]
    )
    evidence_url = models.URLField(
        "evidence link",
        blank=True,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"], message="Enter an http(s) link.")],
    )
    evidence_file = CheckedFileField(upload_to="evidence/%Y/", blank=True)
    next_review = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="follow_ups"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    source = models.CharField(
        max_length=10, choices=FollowUpSource.choices, default=FollowUpSource.PAGE, editable=False
    )
    # Bumped on each correction; the form carries it so a stale correction is refused.
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    # Set before save() to have simple-history record why (a correction's reason).
    _change_reason: str
    # Its versions from the history, and those that are corrections, set by
    # letters.views.tracking.recommendation_detail for the template.
    versions: list
    corrections: list

    class Meta:
        ordering = ["-date", "-recorded_at"]
        indexes = [
            models.Index(
                fields=["recommendation", "-date", "-recorded_at"], name="followup_latest_idx"
            ),
            models.Index(fields=["next_review"], name="followup_review_idx"),
            models.Index(fields=["date"], name="followup_date_idx"),
            # "Latest follow-ups" on the dashboard.
            models.Index(fields=["-recorded_at"], name="followup_recorded_idx"),
        ]
        constraints = [
            MaxLengthConstraint(field="note", limit=MAX_NOTE, name="followup_note_max_length"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation.reference} {self.date}: {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        # Entries are the source of truth; the recommendation's status columns
        # follow them in the same transaction, whoever saves (views, admin, demo).
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.recommendation.refresh_status()

    def delete(self, *args, **kwargs):
        raise ValidationError("Follow-up entries are corrected, never deleted.")

    def get_evidence_file_url(self) -> str:
        return reverse("letters:tracking_evidence", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "A follow-up records something that has happened."})
