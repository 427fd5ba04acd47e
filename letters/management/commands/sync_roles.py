from django.core.management.base import BaseCommand

from letters.permissions import sync_groups


class Command(BaseCommand):
    help = "Create the Drafter, Coordinator and Admin groups and reset their permissions."

    def handle(self, *args, **options):
        sync_groups()
        self.stdout.write(self.style.SUCCESS("Roles are up to date."))
