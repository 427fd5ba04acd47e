"""
Printing many copies at once: a background batch with its progress.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from letters.models.letter import Letter
from letters.uploads import CheckedFileField
from recipients.text_limits import MaxLengthConstraint

MAX_ERROR = 2000


class PrintBatchStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    ASSEMBLING = "assembling", "Assembling"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PrintBatch(models.Model):
    """
    One background run that prints every copy of a letter (letters/printing/tasks.py),
    split into chunks that any worker picks up: its progress for the progress bar
    (copies done, from every chunk), and when done the ZIP of copies, all copies
    in one PDF and the address labels.
    """

    letter = models.ForeignKey(Letter, models.CASCADE, related_name="print_batches")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=PrintBatchStatus.choices, default=PrintBatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(
        blank=True, max_length=MAX_ERROR, validators=[MaxLengthValidator(MAX_ERROR)]
    )
    file = CheckedFileField(upload_to="pdf-batches/%Y/", blank=True)
    merged = CheckedFileField(upload_to="pdf-batches/%Y/", blank=True)
    labels = CheckedFileField(upload_to="pdf-batches/%Y/", blank=True)
    letter_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "print batches"
        indexes = [models.Index(fields=["letter", "-created_at"], name="printbatch_letter_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="printbatch_done_lte_total"
            ),
            MaxLengthConstraint(field="error", limit=MAX_ERROR, name="printbatch_error_max_length"),
        ]

    def __str__(self) -> str:
        return f"{self.letter.reference}: {self.done}/{self.total} ({self.status})"

    def get_file_url(self) -> str:
        return reverse("letters:printing_batch_download", args=[self.letter_id, self.pk])

    def get_merged_url(self) -> str:
        return self.get_file_url() + "?part=all"

    def get_labels_url(self) -> str:
        return self.get_file_url() + "?part=labels"

    # A batch of 193 copies takes well under a minute; one "running" for an hour
    # lost its worker (killed, redeployed) and must not block a new one forever.
    ABANDONED_AFTER_SECONDS = 3600

    @property
    def is_active(self) -> bool:
        return (
            self.status
            in (PrintBatchStatus.QUEUED, PrintBatchStatus.RUNNING, PrintBatchStatus.ASSEMBLING)
            and (timezone.now() - self.created_at).total_seconds() < self.ABANDONED_AFTER_SECONDS
        )

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


MAX_WORKER = 200


class PrintChunk(models.Model):
    """
    A slice of a batch's copies (`first` to `first + count - 1`, in the letter's
    order) that one task renders, on whichever worker picks it up. Its copies are
    stored as a ZIP through the storage API until the batch is assembled.
    """

    batch = models.ForeignKey(PrintBatch, models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    # Which worker rendered it ("host:pid"): operators see where time went.
    worker = models.CharField(max_length=MAX_WORKER, blank=True)
    file = CheckedFileField(upload_to="pdf-batches/chunks/", blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="printchunk_batch_number"),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("count")), name="printchunk_done_lte_count"
            ),
        ]

    def __str__(self) -> str:
        return f"batch {self.batch_id} chunk {self.number}: {self.done}/{self.count}"

    def get_file_url(self) -> str:
        """A chunk's copies are served in its batch's ZIP (its own file is a worker's part)."""
        return self.batch.get_file_url()
