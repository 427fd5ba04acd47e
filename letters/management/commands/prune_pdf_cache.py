"""Delete cached PDFs nobody has downloaded for a while (e.g. daily from cron)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from letters.printing.cache import cache_root


class Command(BaseCommand):
    help = "Delete cached PDFs not used for --days days (default 30). Safe at any time."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options):
        cutoff = time.time() - days * 86400
        removed = freed = 0
        for path in cache_root().glob("*/*"):
            stat = path.stat()
            # A cache hit reads the file, so atime says when it was last useful;
            # on noatime mounts mtime (when it was rendered) is what we get.
            if max(stat.st_atime, stat.st_mtime) < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
                freed += stat.st_size
        self.stdout.write(f"Removed {removed} cached PDFs ({freed / 1_048_576:.1f} MB).")
