"""Uploads in progress: the bytes each has reserved of its tenant's quota (R14) and its lease.

An upload reserves quota before its bytes arrive, under a lock on its tenant's row,
so that parallel uploads on any number of hosts never store more than the quota
together; what it does not use is released when it ends. While it runs, a thread
of its worker renews its lease; a lease that lapses means the worker died (a
timeout, an out-of-memory kill, a redeploy), and the reaper kills its image.
"""

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Sum
from django.utils import timezone

from imagesharing.accounts.models import Account
from imagesharing.errors import UploadAbandoned

logger = logging.getLogger(__name__)

# An upload of undeclared size (a chunked body) reserves as it goes: a first step, then
# as much again as it holds, at most this much more at a time. Small parallel uploads
# then each get their share; a long one takes the tenant's lock a few dozen times.
FIRST_STEP = 1024 * 1024
RESERVATION_STEP = 64 * 1024 * 1024
ABANDONED = UploadAbandoned.default_message


class UploadQuerySet(models.QuerySet["Upload"]):
    def reserved_by(self, account: Account) -> int:
        """R14: bytes that the tenant's uploads in progress have reserved of its quota."""
        return self.filter(image__owner=account).aggregate(total=Sum("reserved"))["total"] or 0

    def lapsed(self) -> "UploadQuerySet":
        return self.filter(lease_until__lt=timezone.now())


class Upload(models.Model):
    """The one upload in progress into a `saving` image; deleted when it ends, either way."""

    image = models.OneToOneField("images.Image", on_delete=models.CASCADE, primary_key=True, related_name="upload")
    reserved = models.PositiveBigIntegerField(default=0, help_text="bytes of the tenant's quota held for this upload")
    lease_until = models.DateTimeField(help_text="renewed while the upload's worker lives")
    started_at = models.DateTimeField(auto_now_add=True)

    objects = UploadQuerySet.as_manager()
    _heartbeat: "Heartbeat | None" = None  # renewing the lease while the upload runs (`with upload:`)

    class Meta:
        indexes = [models.Index(fields=["lease_until"], name="upload_lease_idx")]  # the reaper's scan

    def __str__(self) -> str:
        return f"upload into {self.image_id}"

    def __enter__(self) -> "Upload":
        """Renew the lease from a thread of its own until the block ends."""
        self._heartbeat = Heartbeat(self.pk)
        self._heartbeat.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._heartbeat is not None:
            self._heartbeat.stop()

    @staticmethod
    def lease_ends() -> datetime:
        return timezone.now() + timedelta(seconds=settings.UPLOAD_LEASE_SECONDS)

    def renew(self) -> None:
        """Extend the lease; an upload the reaper has ended is refused."""
        if not Upload.objects.filter(pk=self.pk).update(lease_until=self.lease_ends()):
            raise UploadAbandoned()

    def reserve(self, size: int, *, exact: bool = False) -> int:
        """Make room for `size` bytes in all, if the quota allows; returns the most that may arrive.

        Without `exact` it reserves a step ahead (see FIRST_STEP), so that a long upload
        takes the lock once per step, not per chunk. The renewal writes first, so that SQLite takes
        its write lock before reading the sums; on PostgreSQL the tenant's row lock
        serialises the reservations of one tenant across hosts.
        """
        cap = settings.IMAGE_SIZE_CAP
        if settings.TENANT_STORAGE_QUOTA is None:
            return cap
        with transaction.atomic():
            self.renew()
            owner = Account.objects.select_for_update().get(pk=self.image.owner_id)
            others = Upload.objects.reserved_by(owner) - self.reserved
            stored = type(self.image).objects.storage_charged_to(owner)
            room = max(settings.TENANT_STORAGE_QUOTA - stored - others, 0)
            step = min(max(self.reserved, FIRST_STEP), RESERVATION_STEP)
            wanted = size if exact else max(size, self.reserved + step)
            self.reserved = max(min(wanted, room, cap), self.reserved)
            Upload.objects.filter(pk=self.pk).update(reserved=self.reserved)
        return min(room, cap)

    def limit(self) -> int:
        """The most bytes this upload may hold without reserving more."""
        return settings.IMAGE_SIZE_CAP if settings.TENANT_STORAGE_QUOTA is None else self.reserved

    def room(self, size: int) -> int:
        """Called before each chunk: the most bytes that may arrive, making room for `size` if needed."""
        if self._heartbeat is not None and self._heartbeat.lost:
            raise UploadAbandoned()
        if size > self.limit():
            return self.reserve(size)
        return self.limit()

    def finish(self) -> None:
        """End the upload, releasing its reservation; refused if the reaper ended it first."""
        if not Upload.objects.filter(pk=self.pk).delete()[0]:
            raise UploadAbandoned()


class Heartbeat(threading.Thread):
    """Renews one upload's lease every third of its length, for as long as the worker lives.

    A thread of its own, so that a slow client (a chunk may take minutes to arrive)
    does not look like a dead worker. It has its own database connection, closed when
    it stops.
    """

    def __init__(self, upload_pk) -> None:
        super().__init__(name=f"upload-lease-{upload_pk}", daemon=True)
        self.upload_pk = upload_pk
        self.lost = False
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.wait(settings.UPLOAD_LEASE_SECONDS / 3):
                if not Upload.objects.filter(pk=self.upload_pk).update(lease_until=Upload.lease_ends()):
                    self.lost = True
                    return
        except Exception:  # a database hiccup: the next beat tries again, or the lease lapses
            logger.exception("Could not renew the lease of the upload into %s", self.upload_pk)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopping.set()
        self.join()
