"""
A letter being imported: the source a drafter pasted or uploaded, and the
proposed structure they correct on the review page. Nothing here is a letter
yet; `letters.importing_saving.save_import` makes one when they confirm.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

from letters import importing
from letters.importing_reading import MAX_TEXT_CHARS as MAX_SOURCE_TEXT
from letters.models.letter import Letter
from letters.uploads import CheckedFileField
from recipients.text_limits import MaxLengthConstraint


class ImportSessionQuerySet(models.QuerySet):
    def owned_by(self, user) -> ImportSessionQuerySet:
        return self.filter(created_by=user)


class ImportSession(models.Model):
    """One import, owned by the person who started it, until it is saved as a letter."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="letter_imports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    source_name = models.CharField(max_length=200)
    source_kind = models.CharField(max_length=10)
    source_file = CheckedFileField(upload_to="imports/")
    source_text = models.TextField(
        max_length=MAX_SOURCE_TEXT, validators=[MaxLengthValidator(MAX_SOURCE_TEXT)]
    )
    proposal = models.JSONField()
    letter = models.OneToOneField(
        Letter,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_source",
        help_text="The letter made from this import, which keeps its source file",
    )

    objects = ImportSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            MaxLengthConstraint(
                field="source_text",
                limit=MAX_SOURCE_TEXT,
                name="importsession_source_text_max_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Import of {self.source_name}"

    def get_source_file_url(self) -> str:
        """Only a saved letter's source is served (to whoever may read the letter)."""
        if self.letter_id is None:
            return ""
        return reverse("letters:importing_source", args=[self.letter_id])

    @property
    def blocks(self) -> list[dict]:
        return self.proposal["blocks"]

    def number_blocks(self) -> None:
        """Give every block a stable id: the review page's actions name blocks by it."""
        next_id = self.proposal.get("next_id", 1)
        for block in self.blocks:
            if "id" not in block:
                block["id"] = next_id
                next_id += 1
        self.proposal["next_id"] = next_id

    def index_of(self, block_id: int) -> int | None:
        return next((i for i, b in enumerate(self.blocks) if b["id"] == block_id), None)

    def correct(self, block_id: int, action: str, value: str = "") -> bool:
        """Apply one correction of the review page; False if the block is gone."""
        index = self.index_of(block_id)
        if index is None:
            return False
        blocks = self.blocks
        if action == "merge":
            importing.merge_with_next(blocks, index)
        elif action == "save":
            importing.split_block(blocks, index, value)
        elif action in ("up", "down"):
            importing.move_block(blocks, index, action)
        elif action == "kind":
            importing.set_kind(
                blocks, index, value, default_government=self.proposal.get("country", "")
            )
        elif action == "delete":
            blocks.pop(index)
        self.number_blocks()
        self.save(update_fields=["proposal", "updated_at"])
        return True
