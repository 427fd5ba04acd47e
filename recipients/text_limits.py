"""
The database's copy of a text field's length limit, for both apps (letters
imports recipients, never the reverse).
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


class MaxLengthConstraint(models.CheckConstraint):
    """
    LENGTH(field) <= limit, in the database. Model validation checks the same
    limit in Python (the field's MaxLengthValidator), so validate() does not
    ask the database again: Django's CheckConstraint would, with one query per
    constraint on every full_clean(), which turned bulk imports into N+1.
    """

    def __init__(self, *, field: str, limit: int, name: str) -> None:
        self.field, self.limit = field, limit
        super().__init__(condition=LessThanOrEqual(Length(field), limit), name=name)

    def validate(self, model, instance, exclude=None, using=None) -> None:
        return None

    def deconstruct(self):
        path, _, kwargs = super().deconstruct()
        return path, (), {"field": self.field, "limit": self.limit, "name": self.name}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MaxLengthConstraint):
            return (self.field, self.limit, self.name) == (other.field, other.limit, other.name)
        return super().__eq__(other)

    __hash__ = models.CheckConstraint.__hash__
