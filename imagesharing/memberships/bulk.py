"""Bulk shares (issue 14): many images shared with tenant IDs or a list (R23) in one action, and
the report of what happened to each (image, tenant).

A small share runs in the request. A large one runs in the background: sharing 100 images
with a 500-tenant list (50,000 offers) took 19 to 23 s on SQLite and on PostgreSQL alike
(`bench/scale.py`), far beyond what a request may take. `BulkShareQuerySet.start` checks in
the request what can be checked before anything is written (R27, seed 004's checklist, the
note, something to share with), so bad input is answered at once and changes nothing; the
task then shares as its person, every rule checked again as it runs, and keeps the report
for the page that shows it to the owner's tenant alone.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django_tasks import task

from imagesharing.accounts.models import Account, User
from imagesharing.errors import (
    AlreadyMember,
    DomainError,
    InvalidValue,
    NotFound,
    NotPermitted,
    QuotaExceeded,
    TenantUnavailable,
)
from imagesharing.images.models import Image
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.parse import parse_field_value
from imagesharing.memberships.lists import ImageOutcome, TenantList, check_bulk_share, own_images, share_images
from imagesharing.memberships.members import NOTE_MAX_LENGTH

# A report lists every row up to this many; beyond, only the offers not made (counts say the rest).
ROWS_KEPT = 500
KINDS = {AlreadyMember: "exists", TenantUnavailable: "unavailable", QuotaExceeded: "quota"}


def share_report(results: list[ImageOutcome], malformed: Iterable[str] = ()) -> dict:
    """What a share did, as plain values a page shows and a task keeps: counts per image, and
    one row per (image, tenant ID) with its outcome's kind and message."""
    per_image: dict[str, dict] = {}
    rows = []
    for result in results:
        error, image = result.outcome.error, result.image
        kind = "added" if error is None else KINDS.get(type(error), "refused")
        counts = per_image.setdefault(str(image.pk), {"image": str(image.pk), "name": image.name, "added": 0, "not": 0})
        counts["added" if kind == "added" else "not"] += 1
        message = "" if error is None else error.message
        row = {"image": str(image.pk), "name": image.name, "tenant_id": result.outcome.tenant_id, "kind": kind}
        rows.append({**row, "message": message})
    rows += [
        {"image": "", "name": "", "tenant_id": entry, "kind": "malformed", "message": "Not a tenant ID."}
        for entry in malformed
    ]
    added = sum(row["kind"] == "added" for row in rows)
    shown = rows if len(rows) <= ROWS_KEPT else [row for row in rows if row["kind"] != "added"][:ROWS_KEPT]
    return {"per_image": list(per_image.values()), "rows": shown, "total": len(rows), "added": added}


class BulkShareQuerySet(models.QuerySet["BulkShare"]):
    def get_own(self, owner: Account, bulk_share_id: object) -> "BulkShare":
        """A bulk share of the tenant's; another tenant's is NotFound, as a missing one."""
        pk = parse_field_value(self.model, "pk", bulk_share_id)
        found = None if pk is None else self.filter(owner=owner, pk=pk).first()
        if found is None:
            raise NotFound("No such share.")
        return found

    @alters_data
    def start(
        self,
        user: User,
        images: list[Image],
        *,
        tenant_ids: Iterable[object] = (),
        tenant_list: TenantList | None = None,
        acknowledged: bool = False,
        note: object = "",
        malformed: Iterable[str] = (),
    ) -> "BulkShare":
        """Check what can be checked now, then leave the share (`share_images`) to the worker.

        `images` come from `own_images`. R27, the checklist (seed 004), the note (R19) and
        something to share with are refused here, changing nothing.
        """
        tenants = [str(tenant_id).strip() for tenant_id in tenant_ids]
        note = check_bulk_share(user, images, tenants, tenant_list, acknowledged=acknowledged, note=note)
        assert user.account is not None  # `check_bulk_share` refuses a login without a tenant
        if tenant_list is not None and not tenant_list.entries.exists():
            raise InvalidValue("This list has no tenant IDs yet.")
        with transaction.atomic():
            made = self.create(
                owner=user.account,
                requested_by=user,
                image_ids=[str(image.pk) for image in images],
                tenant_ids=[] if tenant_list else tenants,
                malformed=list(malformed),
                tenant_list=tenant_list,
                list_name=tenant_list.name if tenant_list else "",
                acknowledged=acknowledged,
                note=note,
            )
            run_bulk_share.enqueue(made.pk)  # a row in this transaction: it runs after commit, or never
        return made


class BulkShare(models.Model):
    """A bulk share left to the worker, and its report once done; seen by its tenant alone."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    image_ids = models.JSONField()
    tenant_ids = models.JSONField(default=list, blank=True)
    malformed = models.JSONField(default=list, blank=True)
    tenant_list = models.ForeignKey(TenantList, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    list_name = models.CharField(max_length=100, blank=True)
    acknowledged = models.BooleanField(default=False)
    note = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = BulkShareQuerySet.as_manager()

    def __str__(self) -> str:
        return f"bulk share {self.pk} of {len(self.image_ids)} images"

    @property
    def is_done(self) -> bool:
        return self.finished_at is not None

    def run(self) -> None:
        """Share as the person who asked, every rule checked again now; keep the report, or the refusal."""
        try:
            if self.requested_by is None:
                raise NotPermitted("The person who asked for this share is no longer in the tenant.")
            if self.list_name and self.tenant_list is None:
                raise InvalidValue(f"The list “{self.list_name}” was deleted before the share ran; nothing was shared.")
            results = share_images(
                self.requested_by,
                own_images(self.requested_by, self.image_ids),
                tenant_ids=self.tenant_ids,
                tenant_list=self.tenant_list,
                acknowledged=self.acknowledged,
                note=self.note,
                each_image_apart=True,
            )
            self.report = share_report(results, self.malformed)
        except DomainError as error:
            self.error = error.message
        self.finished_at = timezone.now()
        self.save(update_fields=["report", "error", "finished_at"])


@task()
def run_bulk_share(bulk_share_id: int) -> str:
    """A bulk share left to the worker (`BulkShareQuerySet.start`); one already done is not run again."""
    waiting = BulkShare.objects.select_related("requested_by__account", "tenant_list").filter(
        pk=bulk_share_id, finished_at__isnull=True
    )
    found = waiting.first()
    if found is None:
        return "done already"
    found.run()
    return "done"
