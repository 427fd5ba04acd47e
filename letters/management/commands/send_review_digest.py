"""
E-mail each person the recommendations they follow whose review is overdue.
Run it daily from cron or a scheduled task: `manage.py send_review_digest`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from letters.links import absolute_url
from letters.models import Recommendation


class Command(BaseCommand):
    help = "E-mail each follower the recommendations whose next review date has passed."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true", help="Say who would get mail.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must look like 2010-07-01") from None

        overdue = (
            Recommendation.objects.filter(review_due__lt=today)
            .select_related("letter")
            .order_by("review_due", "reference")
        )
        people = (
            get_user_model()
            .objects.filter(is_active=True, followed_recommendations__review_due__lt=today)
            .exclude(email="")
            .distinct()
            .prefetch_related(
                Prefetch("followed_recommendations", queryset=overdue, to_attr="overdue")
            )
        )
        sent = 0
        for person in people:
            context = {
                "person": person,
                "recommendations": person.overdue,
                "today": today,
                # The same rule as every link the app sends (no request here).
                "site_root": absolute_url("/").rstrip("/"),
                "tracker_url": reverse("letters:tracking") + "?overdue=on",
            }
            count = len(person.overdue)
            subject = f"{count} recommendation review{'s' if count != 1 else ''} overdue"
            if options["dry_run"]:
                self.stdout.write(f"{person.email}: {subject}")
                continue
            send_mail(
                subject,
                render_to_string("letters/tracking/review_digest.txt", context),
                None,
                [person.email],
            )
            sent += 1
        self.stdout.write(f"Sent {sent} digest{'s' if sent != 1 else ''}.")
