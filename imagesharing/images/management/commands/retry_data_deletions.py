"""Retry deleting image data whose first deletion failed (for cron or an operator)."""

from django.core.management.base import BaseCommand

from imagesharing.images.models import Image, PendingDeletion


class Command(BaseCommand):
    help = "Delete stored image data left behind by failed deletions; prints what is still pending."

    def handle(self, *args, **options):
        storage = Image._meta.get_field("file").storage
        done = 0
        for pending in PendingDeletion.objects.order_by("pk"):
            try:
                storage.delete(pending.name)
            except Exception as error:  # any backend failure: count it and keep the row
                pending.attempts += 1
                pending.error = str(error)[:500]
                pending.save(update_fields=["attempts", "error", "tried_at"])
                self.stderr.write(f"Still failing: {pending.name}: {pending.error}")
            else:
                pending.delete()
                done += 1
        left = PendingDeletion.objects.count()
        self.stdout.write(f"Deleted {done}; {left} still pending.")
        if left:
            raise SystemExit(1)
