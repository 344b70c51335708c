"""Retry deleting image data whose first deletion failed (for cron or an operator)."""

from django.core.management.base import BaseCommand

from imagesharing.images.models import Image, PendingDeletion


class Command(BaseCommand):
    help = "Delete stored image data left behind by failed deletions; prints what is still pending."

    def handle(self, *args, **options):
        done = PendingDeletion.objects.retry(Image._meta.get_field("file").storage)
        left = list(PendingDeletion.objects.order_by("pk"))
        for pending in left:
            self.stderr.write(f"Still failing: {pending.name}: {pending.error}")
        self.stdout.write(f"Deleted {done}; {len(left)} still pending.")
        if left:
            raise SystemExit(1)
