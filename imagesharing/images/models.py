"""Images and the rules about who sees, changes and deletes them (R1, R5, R6, R9, R10, R14, R15)."""

import uuid

from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from imagesharing.accounts.models import Account, Region
from imagesharing.errors import (
    DataMismatch,
    DomainError,
    ImageNotActive,
    ImageProtected,
    InvalidState,
    InvalidValue,
    NotFound,
    NotOwner,
    NotPermitted,
)
from imagesharing.images.data import UPLOAD_INTERRUPTED, IncomingData, delete_stored, storage_limit_for


class Visibility(models.TextChoices):
    PRIVATE = "private"
    SHARED = "shared"
    PUBLIC = "public"


class Status(models.TextChoices):
    QUEUED = "queued"
    SAVING = "saving"
    ACTIVE = "active"
    KILLED = "killed"
    DELETED = "deleted"


DISK_FORMATS = ["raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "iso", "ami", "ari", "aki", "ploop"]
CONTAINER_FORMATS = ["bare", "ovf", "ova", "docker", "ami", "ari", "aki", "compressed"]

NAME_MAX_LENGTH = 255
SORT_KEYS = ("created_at", "name")
UPLOAD_ONCE = "Image data can be uploaded only once, to a queued image."
# Glance stores min_disk and min_ram as 32-bit signed integers.
INT_MAX = 2**31 - 1


def _members_of(account: Account, statuses=None):
    """Membership rows of `account` for the image in the outer query (R5, R6 subqueries)."""
    from imagesharing.memberships.models import ImageMember

    members = ImageMember.objects.filter(image=OuterRef("pk"), member=account)
    return members if statuses is None else members.filter(status__in=statuses)


def rows_after(rows: models.QuerySet, marker: models.Model, key: str = "created_at",
               direction: str = "desc") -> models.QuerySet:
    """Keyset paging for any list ordered by (`key`, pk): the rows after `marker`.

    Uses the index on the sort key instead of OFFSET, so page 10,000 costs what page 1 does.
    """
    op = "lt" if direction == "desc" else "gt"
    value = getattr(marker, key)
    return rows.filter(Q(**{f"{key}__{op}": value}) | Q(**{key: value, f"pk__{op}": marker.pk}))


def _check_sort(key: str, direction: str) -> None:
    if key not in SORT_KEYS or direction not in ("asc", "desc"):
        raise InvalidValue(f"Sort by one of {', '.join(SORT_KEYS)}, asc or desc.")


class ImageQuerySet(models.QuerySet):
    def live(self) -> "ImageQuerySet":
        return self.exclude(status=Status.DELETED)

    def visible_to(self, account: Account, region: Region) -> "ImageQuerySet":
        """R5: the tenant's image list in a region: own, public, and accepted shares."""
        from imagesharing.memberships.models import MemberStatus

        accepted = Q(visibility=Visibility.SHARED) & Exists(_members_of(account, [MemberStatus.ACCEPTED]))
        return self.live().filter(region=region).filter(
            Q(owner=account) | Q(visibility=Visibility.PUBLIC) | accepted
        )

    def listed_for(self, account: Account, region: Region, *, visibility: str | None = None,
                   member_status: str = "accepted", owner: str | None = None, name: str | None = None,
                   status: str | None = None) -> "ImageQuerySet":
        """R5 with Glance's list filters (the API's GET /v2/images, the inbox's pending offers).

        The list is the tenant's own images, the region's public images and the shared
        images it is a member of with status `member_status` (`all`: any status); with
        the defaults it is exactly `visible_to`. `visibility` (`all`: any) then keeps one
        kind, so `visibility=shared&member_status=pending` is the tenant's own shared
        images and its pending offers, as in Glance. `owner` (a tenant ID; anything
        else matches nothing), `name` and `status` match exactly.
        """
        from imagesharing.memberships.models import MemberStatus

        if visibility not in (None, "all", *Visibility.values):
            raise InvalidValue(f"Visibility must be one of all, {', '.join(Visibility.values)}.")
        if member_status != "all" and member_status not in MemberStatus.values:
            raise InvalidValue(f"Member status must be one of all, {', '.join(MemberStatus.values)}.")
        statuses = None if member_status == "all" else [member_status]
        member = Q(visibility=Visibility.SHARED) & Exists(_members_of(account, statuses))
        images = self.live().filter(region=region).filter(
            Q(owner=account) | Q(visibility=Visibility.PUBLIC) | member
        )
        if visibility not in (None, "all"):
            images = images.filter(visibility=visibility)
        if owner is not None:
            if not (owner.isascii() and owner.isdigit() and len(owner) <= 19 and int(owner) < 2**63):
                return images.none()
            images = images.filter(owner__tenant_id=int(owner))
        if name is not None:
            images = images.filter(name=name)
        if status is not None:
            images = images.filter(status=status)
        return images

    def from_source(self, account: Account, source: str) -> "ImageQuerySet":
        """R5's three sources, to filter a `visible_to` list: `own`, `shared` (with the tenant) or `public`.

        After `visible_to`, "shared" keeps exactly the accepted shares; an own image
        is "own" whatever its visibility.
        """
        if source == "own":
            return self.filter(owner=account)
        if source == "shared":
            return self.filter(visibility=Visibility.SHARED).exclude(owner=account)
        if source == "public":
            return self.filter(visibility=Visibility.PUBLIC).exclude(owner=account)
        raise InvalidValue("Source must be one of own, shared, public.")

    def usable_by(self, account: Account) -> "ImageQuerySet":
        """R6: images the tenant may open by ID and boot: own, public, or a member of any status."""
        member = Q(visibility=Visibility.SHARED) & Exists(_members_of(account))
        return self.live().filter(Q(owner=account) | Q(visibility=Visibility.PUBLIC) | member)

    def get_usable(self, account: Account, image_id) -> "Image":
        """R6: the image by ID, or NotFound, alike for a stranger's image and a missing one."""
        try:
            image_id = uuid.UUID(str(image_id))
        except ValueError:
            raise NotFound() from None
        image = self.usable_by(account).select_related("owner", "region").filter(pk=image_id).first()
        if image is None:
            raise NotFound()
        return image

    def sorted_by(self, key: str = "created_at", direction: str = "desc") -> "ImageQuerySet":
        """Order for keyset paging: the sort key, then the ID to break ties."""
        _check_sort(key, direction)
        sign = "-" if direction == "desc" else ""
        return self.order_by(f"{sign}{key}", f"{sign}id")

    def after(self, marker: "Image", key: str = "created_at", direction: str = "desc") -> "ImageQuerySet":
        """Keyset paging: the images that follow `marker` in `sorted_by(key, direction)` order."""
        _check_sort(key, direction)
        return rows_after(self, marker, key, direction)

    def first_for(self, account: Account, size: int) -> "ImageQuerySet":
        """The first `size` rows of an R5 list of `account` (`visible_to` or `listed_for`, then
        filtered, `sorted_by` and maybe `after` a marker), fast whatever the region holds.

        One OR over the region lets PostgreSQL either walk every image of the region
        (300 ms for a tenant that sees 15 of a million) or gather all of a tenant's own
        (1.1 s for one with 200,000). So the rows are read as three parts that partition
        the list, each following its own index and stopping after `size` rows: own images,
        others' public images, others' shared images the tenant is a member of. bench/lists.py
        measures it. SQLite allows no LIMIT inside a UNION; there the plain query runs.
        """
        if not connection.features.supports_slicing_ordering_in_compound:
            return self[:size]
        from imagesharing.memberships.models import ImageMember

        memberships = ImageMember.objects.filter(member=account).values("image_id")
        others = self.exclude(owner=account)
        parts = [
            self.filter(owner=account),
            others.filter(visibility=Visibility.PUBLIC),
            others.filter(visibility=Visibility.SHARED, pk__in=memberships),
        ]
        first = [part.values("pk")[:size] for part in parts]
        return self.filter(pk__in=first[0].union(*first[1:], all=True))[:size]

    def with_member_count(self, owner: Account | None = None) -> "ImageQuerySet":
        """`member_count` for each row, as one correlated subquery rather than a query per row.

        With `owner`, only that tenant's images are counted (R7: how many tenants another
        tenant shares with is not the viewer's to know); the rest get None.
        """
        from imagesharing.memberships.models import ImageMember

        members = ImageMember.objects.filter(image=OuterRef("pk")).order_by().values("image")
        count = Coalesce(Subquery(members.annotate(n=Count("pk")).values("n")[:1]), 0)
        if owner is not None:
            count = Case(When(owner=owner, then=count), default=None, output_field=IntegerField())
        return self.annotate(member_count=count)

    def storage_charged_to(self, account: Account) -> int:
        """R14: bytes stored for images the tenant owns; shared-with-it images cost it nothing."""
        return self.live().filter(owner=account).aggregate(total=Sum("size"))["total"] or 0

    def create_image(self, user, region: Region, *, as_operator: bool = False, **properties) -> "Image":
        """R1: a new image owned by the user's tenant, in a region it is enabled in; `queued` until data arrives."""
        account = user.account
        if account is None:
            raise NotPermitted("This login does not belong to a tenant.")
        account.require_region(region)
        image = self.model(owner=account, region=region)
        changes = image._clean_changes(user, properties, as_operator)
        for field, value in changes.items():
            setattr(image, field, value)
        image.save()
        return image


class Image(models.Model):
    """A server image. It has exactly one owner tenant (R1) and lives in one region."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="images")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="images")
    name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE)
    disk_format = models.CharField(max_length=8, blank=True, choices=[(f, f) for f in DISK_FORMATS])
    container_format = models.CharField(max_length=10, blank=True, choices=[(f, f) for f in CONTAINER_FORMATS])
    size = models.PositiveBigIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=32, blank=True)
    os_hash_algo = models.CharField(max_length=16, blank=True)
    os_hash_value = models.CharField(max_length=128, blank=True)
    min_disk = models.PositiveIntegerField(default=0)
    min_ram = models.PositiveIntegerField(default=0)
    protected = models.BooleanField(default=False)
    file = models.FileField(upload_to="images/", blank=True)
    base_image_id = models.UUIDField(
        null=True, blank=True, help_text="R13: for a snapshot, the image its server was booted from."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=255, blank=True, help_text="Why the image was killed.")

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # R5, own images: "owner's images in a region, newest first", keyset by (created_at, id).
            models.Index(fields=["owner", "region", "-created_at", "-id"], name="image_owner_list"),
            # R5, public images: "the region's public images, newest first".
            models.Index(fields=["visibility", "region", "-created_at", "-id"], name="image_visibility_list"),
            # Keyset pagination over any mix of the above: "created before the marker".
            models.Index(fields=["region", "-created_at", "-id"], name="image_region_list"),
            # The same two lists sorted by name (first_for reads each part in index order).
            models.Index(fields=["owner", "region", "name", "id"], name="image_owner_by_name"),
            models.Index(fields=["visibility", "region", "name", "id"], name="image_visibility_by_name"),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)

    # Who may act on it.

    def is_usable_by(self, account: Account | None) -> bool:
        return account is not None and Image.objects.usable_by(account).filter(pk=self.pk).exists()

    def require_owner(self, user, as_operator: bool = False) -> None:
        """R1: only the owner changes the image; R6: strangers are told it does not exist.

        A deleted image is gone for operators too (R15): nothing changes it any more.
        """
        if self.status == Status.DELETED:
            raise NotFound("This image has been deleted." if as_operator else None)
        if as_operator:
            user.require_operator()
            return
        if user.account_id != self.owner_id:
            raise NotOwner() if self.is_usable_by(user.account) else NotFound()

    def shared_ancestor(self) -> "Image | None":
        """Seed 004's export warning: the nearest image this one was snapshotted from (R13) that
        another tenant shared, following snapshots of snapshots; None for an image of the owner's own.
        """
        seen = {self.pk}
        base_id = self.base_image_id
        while base_id is not None and base_id not in seen:
            seen.add(base_id)
            base = Image.objects.filter(pk=base_id).only("owner", "visibility", "base_image_id").first()
            if base is None:
                return None
            if base.owner_id != self.owner_id and base.visibility != Visibility.PUBLIC:
                return base
            base_id = base.base_image_id
        return None

    def require_bootable(self) -> None:
        """R15: only active images boot."""
        if self.status != Status.ACTIVE:
            raise ImageNotActive(f"This image is {self.status}; only active images can be used to boot a server.")

    # Changes.

    def _clean_changes(self, user, changes: dict, as_operator: bool) -> dict:
        """Check every requested change before any is written, so bad input changes nothing."""
        cleaned = {}
        for field, value in changes.items():
            if field == "name":
                if not isinstance(value, str) or len(value) > NAME_MAX_LENGTH:
                    raise InvalidValue(f"The name must be text of at most {NAME_MAX_LENGTH} characters.")
                cleaned[field] = value.strip()
            elif field == "visibility":
                if value not in Visibility.values:
                    raise InvalidValue(f"Visibility must be one of {', '.join(Visibility.values)}.")
                if value == Visibility.PUBLIC and value != self.visibility:
                    if not as_operator:
                        raise NotPermitted("Only cloud operators can make an image public.")  # R10
                    user.require_operator()
                cleaned[field] = value
            elif field == "protected":
                if not isinstance(value, bool):
                    raise InvalidValue("Protected must be true or false.")
                cleaned[field] = value
            elif field in ("min_disk", "min_ram"):
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT_MAX:
                    raise InvalidValue(f"{field} must be a whole number from 0 to {INT_MAX}.")
                cleaned[field] = value
            elif field == "disk_format":
                if value not in DISK_FORMATS:
                    raise InvalidValue(f"Disk format must be one of {', '.join(DISK_FORMATS)}.")
                cleaned[field] = value
            elif field == "container_format":
                if value not in CONTAINER_FORMATS:
                    raise InvalidValue(f"Container format must be one of {', '.join(CONTAINER_FORMATS)}.")
                cleaned[field] = value
            else:
                raise InvalidValue(f"The property {field!r} cannot be changed.")
        return cleaned

    def update(self, user, *, as_operator: bool = False, **changes) -> list[str]:
        """R1, R9, R10, R16: the owner renames or changes properties; all or nothing.

        Returns the names of the fields that changed. A visibility change is recorded
        in the history; members are kept while an image is not shared (as Glance
        does) but give no access until it is shared again.
        """
        from imagesharing.memberships.models import Event

        with transaction.atomic():
            locked = Image.objects.select_for_update().get(pk=self.pk)
            locked.require_owner(user, as_operator)
            cleaned = locked._clean_changes(user, changes, as_operator)
            changed = [field for field, value in cleaned.items() if getattr(locked, field) != value]
            if not changed:
                return []
            before_visibility = locked.visibility
            for field in changed:
                setattr(locked, field, cleaned[field])
            locked.save(update_fields=[*changed, "updated_at"])
            if "visibility" in changed:
                Event.objects.record(
                    user, locked, Event.Action.VISIBILITY_CHANGED,
                    before=before_visibility, after=locked.visibility, by_operator=as_operator,
                )
        self._refresh_from(locked)
        return changed

    update.alters_data = True

    def mark_active(self, size: int, checksum: str = "", os_hash_value: str = "") -> None:
        """The image's data is stored: it can now be booted (R15)."""
        self.status = Status.ACTIVE
        self.size = size
        self.checksum = checksum
        self.os_hash_algo = "sha512" if os_hash_value else ""
        self.os_hash_value = os_hash_value
        self.save(update_fields=["status", "size", "checksum", "os_hash_algo", "os_hash_value", "updated_at"])

    mark_active.alters_data = True

    def require_uploadable(self, user) -> None:
        """R1: only the owner sends data, and only to a queued image (Glance: 409 otherwise)."""
        self.require_owner(user)
        if self.status != Status.QUEUED:
            raise InvalidState(UPLOAD_ONCE)

    def begin_upload(self, user) -> int:
        """R1: only the owner sends data, once, to a queued image, which is `saving` meanwhile.

        The status moves with a conditional UPDATE, so two uploads cannot both start.
        Returns the most bytes that may be sent: the size cap or the owner's quota left.
        """
        self.require_uploadable(user)
        claimed = Image.objects.filter(pk=self.pk, status=Status.QUEUED).update(
            status=Status.SAVING, updated_at=timezone.now()
        )
        if not claimed:
            raise InvalidState(UPLOAD_ONCE)
        self.status = Status.SAVING
        return storage_limit_for(self.owner)

    begin_upload.alters_data = True

    def finish_upload(self, incoming: IncomingData, declared_size: int | None = None,
                      declared_checksum: str = "") -> None:
        """Check the data against what was declared, store it and make the image active.

        Any failure kills the image with the reason and keeps none of the data.
        """
        try:
            if declared_size is not None and declared_size != incoming.size:
                raise DataMismatch(
                    f"{incoming.size:,} bytes arrived but {declared_size:,} were declared; the image was not stored."
                )
            if declared_checksum and declared_checksum.lower() != incoming.checksum:
                raise DataMismatch("The data's MD5 checksum is not the one declared; the image was not stored.")
            name = incoming.stored_as(self.file.storage, f"images/{self.pk}")
        except DomainError as error:
            incoming.discard()
            self.kill(error.message)
            raise
        except Exception:
            incoming.discard()
            self.kill("The data could not be stored.")
            raise
        self.file = name
        self.status_reason = ""
        self.save(update_fields=["file", "status_reason"])
        self.mark_active(incoming.size, incoming.checksum, incoming.os_hash_value)

    finish_upload.alters_data = True

    def receive_data(self, user, chunks, declared_size: int | None = None, declared_checksum: str = "") -> None:
        """The whole upload for a stream of chunks (the API's PUT .../file)."""
        incoming = IncomingData(self.begin_upload(user))
        try:
            incoming.write_all(chunks)
        except DomainError as error:
            incoming.discard()
            self.kill(error.message)
            raise
        except Exception:
            incoming.discard()
            self.kill(UPLOAD_INTERRUPTED)
            raise
        self.finish_upload(incoming, declared_size, declared_checksum)

    receive_data.alters_data = True

    def kill(self, reason: str) -> None:
        """The upload failed: the image is `killed`, says why, and holds no data."""
        self.status = Status.KILLED
        self.status_reason = reason[:255]
        self.save(update_fields=["status", "status_reason", "updated_at"])

    kill.alters_data = True

    def open_data(self, user):
        """R6: the owner and members of any status read the data; anyone else gets NotFound."""
        image = Image.objects.get_usable(user.account, self.pk) if user.account else None
        if image is None:
            raise NotFound()
        if image.status != Status.ACTIVE or not image.file:
            raise InvalidState("This image has no data to download.")
        return image.file.storage.open(image.file.name, "rb")

    def destroy(self, user, *, as_operator: bool = False) -> None:
        """R15, R16: delete the image and its members; servers booted from it keep running.

        The row stays with status `deleted` (as Glance's soft delete) so that servers
        and the history still name it; its data file is removed once committed.
        """
        from imagesharing.memberships.models import Event

        with transaction.atomic():
            locked = Image.objects.select_for_update().get(pk=self.pk)
            locked.require_owner(user, as_operator)
            if locked.status == Status.DELETED:
                raise NotFound()
            if locked.protected:
                raise ImageProtected()
            members = list(locked.members.all())
            locked.members.all().delete()
            Event.objects.record_many(
                user, locked, Event.Action.MEMBER_REMOVED,
                [(member.member, member.status, "") for member in members],
                by_operator=as_operator, note="image deleted",
            )
            Event.objects.record(
                user, locked, Event.Action.IMAGE_DELETED,
                before=locked.status, after=Status.DELETED, by_operator=as_operator,
            )
            stored = locked.file.name
            locked.status = Status.DELETED
            locked.deleted_at = timezone.now()
            locked.file = ""
            locked.save(update_fields=["status", "deleted_at", "file", "updated_at"])
            if stored:
                storage = locked.file.storage
                transaction.on_commit(lambda: delete_stored(storage, stored))
        self._refresh_from(locked)

    destroy.alters_data = True

    def _refresh_from(self, other: "Image") -> None:
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(other, field.attname))


class PendingDeletion(models.Model):
    """Stored data whose deletion failed; `manage.py retry_data_deletions` tries again."""

    name = models.CharField(max_length=255)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    tried_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name
