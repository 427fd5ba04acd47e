"""Delete cached PDFs nobody has downloaded for a while (e.g. daily from cron)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from letters.printing.cache import CACHE_DIR, cache_storage


def last_used(storage, name: str) -> dt.datetime:
    # On disk a cache hit reads the file, so atime says when it was last useful
    # (on noatime mounts mtime, when it was rendered); S3 keeps only the latter.
    modified = storage.get_modified_time(name)
    try:
        return max(storage.get_accessed_time(name), modified)
    except NotImplementedError:
        return modified


class Command(BaseCommand):
    help = "Delete cached PDFs not used for --days days (default 30). Safe at any time."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options):
        storage = cache_storage()
        cutoff = timezone.now() - dt.timedelta(days=days)
        removed = freed = 0
        try:
            prefixes, _ = storage.listdir(CACHE_DIR)
        except FileNotFoundError:
            prefixes = []
        for prefix in prefixes:
            for filename in storage.listdir(f"{CACHE_DIR}/{prefix}")[1]:
                name = f"{CACHE_DIR}/{prefix}/{filename}"
                if last_used(storage, name) < cutoff:
                    freed += storage.size(name)
                    storage.delete(name)
                    removed += 1
        self.stdout.write(f"Removed {removed} cached PDFs ({freed / 1_048_576:.1f} MB).")
