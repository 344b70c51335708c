"""Images and the rules about who sees, changes, shares and deletes them (R1, R2, R4, R5, R6, R8-R11, R14-R16).

Images sit below memberships: an image reaches its member rows and its history
through the reverse relations `members` and `events`, never by importing the
module above it.
"""

import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.files.storage import Storage
from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from imagesharing.accounts.models import Account, Region, User
from imagesharing.accounts.policies import GUARDRAILS_SQL, Guardrails, guardrail_params
from imagesharing.accounts.trust import AUTOMATIC_ANSWER_SQL, AUTOMATIC_NOTES
from imagesharing.choices import (
    CONTAINER_FORMATS,
    DISK_FORMATS,
    NAME_MAX_LENGTH,
    Action,
    MemberStatus,
    Role,
    Status,
    Visibility,
)
from imagesharing.errors import (
    AlreadyMember,
    ApprovalRequired,
    ChecklistRequired,
    DataMismatch,
    DataTooLarge,
    DomainError,
    ImageNotActive,
    ImageProtected,
    InvalidState,
    InvalidValue,
    NotFound,
    NotOwner,
    NotPermitted,
    NotShareable,
    QuotaExceeded,
    StaleChange,
    TenantUnavailable,
    UploadAbandoned,
)
from imagesharing.images.approvals import ShareRequest
from imagesharing.images.data import IncomingData, too_large_message
from imagesharing.images.uploads import ABANDONED, Upload
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.keyset import ordered, rows_after
from imagesharing.lib.parse import parse_field_value, parse_tenant_id
from imagesharing.lib.rows import Columns, fetch_all, fetch_one
from imagesharing.lib.times import utc_minutes

if TYPE_CHECKING:  # types only: memberships sits above images and is never imported at run time
    from imagesharing.memberships.history import Event
    from imagesharing.memberships.members import ImageMember, ImageMemberQuerySet

logger = logging.getLogger(__name__)

SORT_KEYS = ("created_at", "name")
UPLOAD_ONCE = "Image data can be uploaded only once, to a queued image."
# Glance stores min_disk and min_ram as 32-bit signed integers.
INT_MAX = 2**31 - 1
# Glance lets these change while an image waits for its data; here they are set when it is created.
CREATE_ONLY = ("disk_format", "container_format")


def _check_sort(key: str, direction: str) -> None:
    if key not in SORT_KEYS or direction not in ("asc", "desc"):
        raise InvalidValue(f"Sort by one of {', '.join(SORT_KEYS)}, asc or desc.")


@dataclass(frozen=True)
class ShareOutcome:
    """What happened to one tenant ID of a Share request."""

    tenant_id: str
    member: "ImageMember | None" = None
    error: DomainError | None = None

    @property
    def added(self) -> bool:
        return self.member is not None


@dataclass(frozen=True)
class ShareResult:
    outcomes: list[ShareOutcome]
    made_shared: bool

    @property
    def added(self) -> list["ImageMember"]:
        return [outcome.member for outcome in self.outcomes if outcome.member is not None]


def file_held_shares(user: User, outcomes: Iterable[ShareOutcome]) -> None:
    """R28: file a request for each tenant ID held for an operator's approval, after the offer's transaction."""
    ShareRequest.objects.file(
        user, [outcome.error for outcome in outcomes if isinstance(outcome.error, ApprovalRequired)]
    )


@contextmanager
def filing_held_shares(user: User) -> Iterator[None]:
    """R28: an offer held for an operator's approval files its request once the refused change has
    rolled back (wrap the transaction in this), then is refused as before."""
    try:
        yield
    except ApprovalRequired as held:
        ShareRequest.objects.file(user, [held])
        raise


@dataclass(frozen=True)
class _TenantFacts:
    """What `Image._membership_facts` reads of one tenant ID for an offer of one image."""

    account: Account | None  # None: unknown, or not enabled in the image's region (R8)
    existing: int | None  # its member row, current or past its end (R2, R22)
    answer: str | None  # its automatic answer to the owner (R24)
    guardrails: Guardrails  # the owner's policy for the ID (R28)


def check_end_dates(offer_expires_at: datetime | None, access_ends_at: datetime | None) -> None:
    """R22: an offer's expiry and a share's end, when given, lie in the future."""
    now = timezone.now()
    if offer_expires_at is not None and offer_expires_at <= now:
        raise InvalidValue("An offer's expiry must be in the future.")
    if access_ends_at is not None and access_ends_at <= now:
        raise InvalidValue("The end of access must be in the future.")


class ImageQuerySet(models.QuerySet["Image"]):
    def live(self) -> "ImageQuerySet":
        return self.exclude(status=Status.DELETED)

    def _member_rows(self) -> "ImageMemberQuerySet":
        """Every current member row (R22: none past its end), through the reverse relation
        `Image.members` (memberships is not imported)."""
        # ImageMember, known here by name only; the stubs also allow a lazy "self", resolved once models load.
        member_model = cast("type[ImageMember]", self.model._meta.get_field("members").related_model)
        return member_model.objects.current()

    def reachable_by(self, account: Account, statuses: Iterable[str] | None = None) -> "ImageQuerySet":
        """R5 and R6 in one expression: the live images `account` reaches, in any region.

        Its own images, public images, and shared images it is a member of with one of
        `statuses` (any status when None). R5's list is this with `accepted` in one
        region; R6's "open and boot by ID" is this with any status.
        """
        members = self._member_rows().filter(image=OuterRef("pk"), member=account)
        if statuses is not None:
            members = members.filter(status__in=list(statuses))
        member = Q(visibility=Visibility.SHARED) & Exists(members)
        return self.live().filter(Q(owner=account) | Q(visibility=Visibility.PUBLIC) | member)

    def visible_to(self, account: Account, region: Region) -> "ImageQuerySet":
        """R5: the tenant's image list in a region: own, public, and accepted shares."""
        return self.reachable_by(account, [MemberStatus.ACCEPTED]).filter(region=region)

    def usable_by(self, account: Account) -> "ImageQuerySet":
        """R6: images the tenant may open by ID and boot: own, public, or a member of any status."""
        return self.reachable_by(account)

    def listed_for(
        self,
        account: Account,
        region: Region,
        *,
        visibility: str | None = None,
        member_status: str = "accepted",
        owner: str | None = None,
        name: str | None = None,
        status: str | None = None,
    ) -> "ImageQuerySet":
        """R5 with Glance's list filters (the API's GET /v2/images).

        The list is `reachable_by` in the region, with member status `member_status`
        (`all`: any status); with the defaults it is exactly `visible_to`. `visibility`
        (`all`: any) then keeps one kind, so `visibility=shared&member_status=pending`
        is the tenant's own shared images and its pending offers, as in Glance. `owner`
        (a tenant ID; anything else matches nothing), `name` and `status` match exactly.
        """
        if visibility not in (None, "all", *Visibility.values):
            raise InvalidValue(f"Visibility must be one of all, {', '.join(Visibility.values)}.")
        if member_status != "all" and member_status not in MemberStatus.values:
            raise InvalidValue(f"Member status must be one of all, {', '.join(MemberStatus.values)}.")
        images = self.reachable_by(account, None if member_status == "all" else [member_status])
        images = images.filter(region=region)
        if visibility not in (None, "all"):
            images = images.filter(visibility=visibility)
        if owner is not None:
            try:
                images = images.filter(owner__tenant_id=parse_tenant_id(owner))
            except TenantUnavailable:
                return images.none()
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

    def get_usable(self, account: Account, image_id: object) -> "Image":
        """R6: the image by ID, or NotFound, alike for a stranger's image and a missing one."""
        pk = parse_field_value(self.model, "pk", image_id)
        image = None if pk is None else self.usable_by(account).select_related("owner", "region").filter(pk=pk).first()
        if image is None:
            raise NotFound()
        return image

    @alters_data
    def add_member(self, user: User, region: Region, image_id: object, tenant_id: object) -> "ImageMember":
        """Glance's member-create: the owner offers an image of `region` (an endpoint's),
        named by its ID, to one tenant.

        The owner's image is read once, locked (R1 and R6 in the same read, by hand:
        `lib/rows.py` says why); anything else takes the way a refusal is told: R6's
        gate, then `Image.add_member`.
        """
        user.require_role(Role.MEMBER, "share images")  # R27
        pk = parse_field_value(self.model, "pk", image_id)
        with filing_held_shares(user), transaction.atomic():
            locked = None
            if pk is not None and user.account_id is not None:
                lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
                sql = _OWN_IMAGE_SQL.format(image=_IMAGE, lock=lock)
                image = self.model._meta.pk.get_db_prep_value(pk, connection)
                row = fetch_one(sql, [image, user.account_id, region.pk])
                locked = None if row is None else _IMAGE.read(row)
            if locked is not None and not locked.is_deleted:
                return locked._add_to_locked(user, tenant_id)
        if user.account is None:
            raise NotFound()
        return self.filter(region=region).get_usable(user.account, image_id).add_member(user, tenant_id)

    def _lock_for_sharing(self) -> "ImageQuerySet":
        """The image rows locked, and only them (`of`): serialises the member quota (R11) and
        duplicate adds (R2) of one image, while adds to other images go on."""
        return self.select_for_update(of=("self",))

    def sorted_by(self, key: str = "created_at", direction: str = "desc") -> "ImageQuerySet":
        """Order for keyset paging: the sort key, then the ID to break ties."""
        _check_sort(key, direction)
        return ordered(self, key, direction)

    def after(self, marker: "Image", key: str = "created_at", direction: str = "desc") -> "ImageQuerySet":
        """Keyset paging: the images that follow `marker` in `sorted_by(key, direction)` order."""
        _check_sort(key, direction)
        return rows_after(self, marker, key, direction)

    def first_for(self, account: Account, size: int) -> "ImageQuerySet":
        """The first `size` rows of an R5 list of `account` (`visible_to` or `listed_for`, then
        filtered, `sorted_by` and maybe `after` a marker), fast whatever the region holds.

        One OR over the region lets PostgreSQL either walk every image of the region
        (300 ms for a tenant that sees 15 of a million) or gather all of a tenant's own
        (1.1 s for one with 200,000). So the rows are read as the three parts of
        `reachable_by`, each following its own index and stopping after `size` rows: own
        images, others' public images, others' shared images the tenant is a member of.
        bench/lists.py measures it. SQLite allows no LIMIT inside a UNION; there the plain
        query runs.
        """
        if not connection.features.supports_slicing_ordering_in_compound:
            return self[:size]
        memberships = self._member_rows().filter(member=account).values("image_id")
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
        members = self._member_rows().filter(image=OuterRef("pk")).order_by().values("image")
        count: Coalesce | Case = Coalesce(Subquery(members.annotate(n=Count("pk")).values("n")[:1]), 0)
        if owner is not None:
            count = Case(When(owner=owner, then=count), default=None, output_field=IntegerField())
        return self.annotate(member_count=count)

    def with_answer_counts(self, owner: Account) -> "ImageQuerySet":
        """`pending`, `accepted` and `rejected`: how the members of each of `owner`'s images answered.

        One correlated subquery per answer, not a query per row; images of other tenants
        get None (R7: their members are not the viewer's to count).
        """
        members = self._member_rows().filter(image=OuterRef("pk")).order_by().values("image")
        counts = {}
        for status in MemberStatus.values:
            count = Coalesce(Subquery(members.filter(status=status).annotate(n=Count("pk")).values("n")[:1]), 0)
            counts[status] = Case(When(owner=owner, then=count), default=None, output_field=IntegerField())
        return self.annotate(**counts)

    def storage_charged_to(self, account: Account) -> int:
        """R14: bytes stored for images the tenant owns; shared-with-it images cost it nothing."""
        return self.live().filter(owner=account).aggregate(total=Sum("size"))["total"] or 0

    def upload_limit(self, account: Account) -> int:
        """The most bytes the tenant may upload now: the size cap, or what its quota has left (R14)
        beside what it stores and what its uploads in progress have reserved."""
        limit = settings.IMAGE_SIZE_CAP
        if settings.TENANT_STORAGE_QUOTA is not None:
            used = self.storage_charged_to(account) + Upload.objects.reserved_by(account)
            limit = min(limit, max(settings.TENANT_STORAGE_QUOTA - used, 0))
        return limit

    def reap_stuck_uploads(self) -> int:
        """Kill every image whose upload's lease lapsed (its worker died), or `saving` with no upload.

        Deleting the upload row is the claim: an upload that finishes at the same moment
        finds its row gone and stores nothing. Returns how many images were killed.
        """
        killed = 0
        for upload in Upload.objects.lapsed().only("pk"):
            with transaction.atomic():
                if Upload.objects.lapsed().filter(pk=upload.pk).delete()[0]:
                    killed += self._kill_saving(Q(pk=upload.pk))
        return killed + self._kill_saving(Q(upload__isnull=True))

    def _kill_saving(self, which: Q) -> int:
        return self.filter(which, status=Status.SAVING).update(
            status=Status.KILLED, status_reason=ABANDONED, updated_at=timezone.now()
        )

    # R25: deprecation with a replacement.

    def replacements_for(self, image: "Image") -> "ImageQuerySet":
        """R25: the images that may replace `image`: its owner's other live images in its region
        (not killed: they never hold data). The deprecate form lists these; `Image.deprecate` checks them."""
        return (
            self.live()
            .filter(owner_id=image.owner_id, region_id=image.region_id)
            .exclude(pk=image.pk)
            .exclude(status=Status.KILLED)
        )

    def with_offer_status(self, account: Account) -> "ImageQuerySet":
        """`offer_status`: `account`'s answer to each image's offer (None: not offered to it), one subquery."""
        members = self._member_rows().filter(image=OuterRef("pk"), member=account)
        return self.annotate(offer_status=Subquery(members.values("status")[:1]))

    def due_for_deletion(self, now: datetime) -> "ImageQuerySet":
        """R25: deprecated images whose deletion date has passed, protected ones apart (R15: they stay)."""
        return self.live().filter(deprecated_at__isnull=False, delete_after__lte=now, protected=False)

    @alters_data
    def delete_deprecated(self, limit: int = 100) -> int:
        """R25: delete up to `limit` deprecated images whose deletion date has passed, as R15's
        deletion does (members removed and told, history), by nobody. Each is re-read locked
        and still due before it goes, so that hosts sweeping at once, or the owner cancelling
        or protecting it at that moment, never delete one twice or wrongly. Returns how many went."""
        due = self.due_for_deletion(timezone.now())
        deleted = 0
        for pk in list(due.values_list("pk", flat=True)[:limit]):
            with transaction.atomic():
                locked = due.filter(pk=pk).select_for_update(of=("self",)).first()
                if locked is not None:
                    locked._destroy_locked(None, note="deprecated, deleted after its date")
                    deleted += 1
        return deleted

    def create_image(self, user: User, region: Region, *, as_operator: bool = False, **properties) -> "Image":
        """R1: a new image owned by the user's tenant, in a region it is enabled in; `queued` until data arrives."""
        account = user.account
        if account is None:
            raise NotPermitted("This login does not belong to a tenant.")
        if not as_operator:
            user.require_role(Role.MEMBER, "create images")  # R27
        account.require_region(region)
        image = self.model(owner=account, region=region)
        changes = image._clean_changes(user, properties, as_operator, creating=True)
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
    deprecated_at = models.DateTimeField(null=True, blank=True, help_text="R25: since when the owner deprecates it.")
    replacement = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="R25: the owner's image that replaces this deprecated one, in the same region.",
    )
    delete_after = models.DateTimeField(
        null=True, blank=True, help_text="R25: after this, the deprecated image is deleted (unless protected)."
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # R5, own images: "owner's images in a region, newest first", keyset by (created_at, id).
            models.Index(fields=["owner", "region", "-created_at", "-id"], name="image_owner_list"),
            # The same of one visibility (the API's `visibility=shared&member_status=pending`): without
            # it, a tenant owning 200,000 images walked the region's shared ones for its own few (1 s).
            models.Index(
                fields=["owner", "visibility", "region", "-created_at", "-id"], name="image_owner_visibility_list"
            ),
            # R5, public images: "the region's public images, newest first".
            models.Index(fields=["visibility", "region", "-created_at", "-id"], name="image_visibility_list"),
            # Keyset pagination over any mix of the above: "created before the marker".
            models.Index(fields=["region", "-created_at", "-id"], name="image_region_list"),
            # The same two lists sorted by name (first_for reads each part in index order).
            models.Index(fields=["owner", "region", "name", "id"], name="image_owner_by_name"),
            models.Index(fields=["visibility", "region", "name", "id"], name="image_visibility_by_name"),
            # The name search (`name__icontains`) has a trigram index on PostgreSQL only, which
            # Django could not make on SQLite: migrations/0005_name_search_trigram_index.py.
            # R25's sweep: "deprecated images whose deletion date has passed"; few rows have one.
            models.Index(fields=["delete_after"], name="image_delete_after"),
        ]

    def __str__(self) -> str:
        return self.name or str(self.id)

    # What pages ask of an image, so that templates compare no raw status or visibility.

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_shared(self) -> bool:
        return self.visibility == Visibility.SHARED

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE

    @property
    def is_bootable(self) -> bool:
        """R15: only active images boot."""
        return self.status == Status.ACTIVE

    @property
    def is_queued(self) -> bool:
        """Waiting for its data (import step 2)."""
        return self.status == Status.QUEUED

    @property
    def is_killed(self) -> bool:
        return self.status == Status.KILLED

    @property
    def is_deleted(self) -> bool:
        return self.status == Status.DELETED

    @property
    def has_data(self) -> bool:
        return self.status == Status.ACTIVE and bool(self.file)

    @property
    def is_deprecated(self) -> bool:
        """R25: deprecated by its owner; it still works (R6, R15) until it is deleted."""
        return self.deprecated_at is not None

    # Who may act on it.

    def is_usable_by(self, account: Account | None) -> bool:
        return account is not None and Image.objects.usable_by(account).filter(pk=self.pk).exists()

    def require_owner(self, user: User, as_operator: bool = False) -> None:
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
        if not self.is_bootable:
            raise ImageNotActive(f"This image is {self.status}; only active images can be used to boot a server.")

    @alters_data
    def record(
        self,
        user: User | None,
        action: str,
        *,
        member: Account | None = None,
        before: str = "",
        after: str = "",
        by_operator: bool = False,
        note: str = "",
    ) -> "Event":
        """R16: one history entry about this image, written in the caller's transaction with the
        notices it gives the other party (R18, `EventQuerySet.write`).

        `user` is None for what happens by itself, such as an offer's expiry (R22)."""
        entry = self._history_entry(user, action, member, before, after, by_operator, note)
        self.events.write([entry])
        return entry

    def _history_entry(
        self,
        user: User | None,
        action: str,
        member: Account | None,
        before: str,
        after: str,
        by_operator: bool,
        note: str,
    ) -> "Event":
        return self.events.model(
            image=self,
            member=member,
            actor=user,
            actor_account_id=None if user is None else user.account_id,
            action=action,
            before=before,
            after=after,
            by_operator=by_operator,
            note=note,
        )

    # Changes.

    def _clean_changes(self, user: User, changes: dict, as_operator: bool, creating: bool = False) -> dict:
        """Check every requested change before any is written, so bad input changes nothing."""
        cleaned: dict[str, object] = {}
        for field, value in changes.items():
            if field in CREATE_ONLY and not creating:
                raise NotPermitted(f"Attribute '{field}' can be set only when the image is created.")
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

    @property
    def version(self) -> str:
        """The state a form was built from: it changes with every save of the image row."""
        return self.updated_at.isoformat()

    def require_version(self, version: str | None) -> None:
        """A change built on an older state of this image is refused (None: nothing to compare)."""
        if version is not None and version != self.version:
            raise StaleChange()

    @alters_data
    def update(self, user: User, *, as_operator: bool = False, version: str | None = None, **changes) -> list[str]:
        """R1, R9, R10, R16: the owner renames or changes properties; all or nothing.

        Returns the names of the fields that changed. A visibility change is recorded
        in the history; members are kept while an image is not shared (as Glance
        does) but give no access until it is shared again. With `version` (from a
        form built earlier), a change made to the image since is never silently
        undone: the update is refused as stale.
        """
        if not as_operator:
            user.require_role(Role.MEMBER, "change images")  # R27
        with transaction.atomic():
            locked = Image.objects.select_for_update().get(pk=self.pk)
            locked.require_owner(user, as_operator)
            locked.require_version(version)
            cleaned = locked._clean_changes(user, changes, as_operator)
            changed = [field for field, value in cleaned.items() if getattr(locked, field) != value]
            if not changed:
                return []
            before_visibility = locked.visibility
            for field in changed:
                setattr(locked, field, cleaned[field])
            locked.save(update_fields=[*changed, "updated_at"])
            if "visibility" in changed:
                locked.record(
                    user,
                    Action.VISIBILITY_CHANGED,
                    before=before_visibility,
                    after=locked.visibility,
                    by_operator=as_operator,
                )
        self._refresh_from(locked)
        return changed

    # Sharing: the owner's side, on the locked image row (R1, R2, R4, R8, R9, R11, R16).

    def _lock_for_sharing(self, user: User) -> "Image":
        """Check R27, lock the image row (`ImageQuerySet._lock_for_sharing`) and check R1."""
        user.require_role(Role.MEMBER, "share images")
        locked = Image.objects.filter(pk=self.pk)._lock_for_sharing().first()
        if locked is None or locked.is_deleted:
            raise NotFound()
        locked.require_owner(user)
        return locked

    @alters_data
    def add_member(self, user: User, tenant_id: object) -> "ImageMember":
        """The owner offers a shared image to one tenant, as Glance's member-create call (R9: already shared)."""
        with filing_held_shares(user), transaction.atomic():
            return self._lock_for_sharing(user)._add_to_locked(user, tenant_id)

    @alters_data
    def add_members(self, user: User, tenant_ids: Sequence[object]) -> list[ShareOutcome]:
        """The owner offers a shared image to many tenants, answering for each (R23's following
        lists): R9, the image is shared already; R2, R4, R8, R11 per tenant."""
        with transaction.atomic():
            locked = self._lock_for_sharing(user)
            if not locked.is_shared:
                raise NotShareable()
            outcomes = locked._add_many_locked(user, tenant_ids)
        file_held_shares(user, outcomes)
        return outcomes

    def _add_to_locked(self, user: User, tenant_id: object) -> "ImageMember":
        """`add_member` on the image row the caller's transaction holds locked, owned by `user` (R1)."""
        if not self.is_shared:
            raise NotShareable()
        return self._add_locked(user, tenant_id)

    def is_first_share(self, member_count: int | None = None) -> bool:
        """Seed 004: sharing now would be the image's first: it is not shared, or has no members.

        `member_count`, when the caller has just read the members, spares a query.
        """
        if not self.is_shared:
            return True
        return (self.members.count() if member_count is None else member_count) == 0

    @alters_data
    def share_with(
        self,
        user: User,
        tenant_ids: Iterable[object],
        *,
        acknowledged: bool = False,
        offer_expires_at: datetime | None = None,
        access_ends_at: datetime | None = None,
        note: object = "",
    ) -> ShareResult:
        """The panel's Share action: add every valid tenant ID and answer for each one.

        R9: a private image becomes shared, but only if at least one member was added.
        Seed 004: a first share needs the owner to have `acknowledged` the checklist.
        R22: every new member gets the same offer expiry and end of access, if any.
        R19: every new member gets the same `note`; one too long refuses the whole share.
        """
        check_end_dates(offer_expires_at, access_ends_at)
        ends = {"offer_expires_at": offer_expires_at, "access_ends_at": access_ends_at}
        note = self.members.model.clean_note(note)
        with transaction.atomic():
            locked = self._lock_for_sharing(user)
            if locked.is_public:
                raise NotShareable("Public images are already available to everyone and have no members.")
            if locked.is_first_share() and not acknowledged:
                raise ChecklistRequired()
            was_private = locked.is_private
            savepoint = transaction.savepoint()
            if was_private:
                locked.visibility = Visibility.SHARED
                locked.save(update_fields=["visibility", "updated_at"])
                locked.record(user, Action.VISIBILITY_CHANGED, before=Visibility.PRIVATE, after=Visibility.SHARED)
            tenants = list(dict.fromkeys(str(t).strip() for t in tenant_ids))
            outcomes = locked._add_many_locked(user, tenants, note, **ends)
            if was_private and not any(outcome.added for outcome in outcomes):
                transaction.savepoint_rollback(savepoint)
            else:
                transaction.savepoint_commit(savepoint)
                self._refresh_from(locked)
        file_held_shares(user, outcomes)
        return ShareResult(outcomes, made_shared=was_private and any(outcome.added for outcome in outcomes))

    def _add_locked(self, user: User, tenant_id: object, note: str = "", **ends: datetime | None) -> "ImageMember":
        """R2, R4, R8, R11, R16, R24 and R28 for one tenant: `_add_many_locked` with one, raising its refusal."""
        outcome = self._add_many_locked(user, [tenant_id], note, **ends)[0]
        if outcome.error is not None:
            raise outcome.error
        assert outcome.member is not None
        return outcome.member

    def _add_many_locked(
        self, user: User, tenant_ids: Sequence[object], note: str = "", **ends: datetime | None
    ) -> list[ShareOutcome]:
        """R2, R4, R8, R11 and R16 for each tenant, in order, on the locked image row, with the
        producer's `note` (R19, cleaned by `ImageMember.clean_note`) and end dates (R22).

        A fixed handful of queries whatever the number of tenants: the facts of them all
        (`_membership_facts`), then a decision per tenant (refused with its error, or
        added), then one insert of the members and one write of their history and
        notices (R18). The row lock keeps the facts true until the inserts commit, so no
        second request can slip a duplicate (R2) or a member past the quota (R11) in. A
        row of a tenant's past its end (R22) is expired now, as the sweep would.
        """
        numbers: list[int | DomainError] = []
        for tenant_id in tenant_ids:
            try:
                numbers.append(parse_tenant_id(tenant_id))
            except DomainError as error:
                numbers.append(error)
        facts, count = self._membership_facts([n for n in numbers if isinstance(n, int)])
        lapsed = self._lapsed_rows([fact.existing for fact in facts.values() if fact.existing is not None])
        held = self._held_back(facts)
        counts_lapsed = True  # `count` includes rows past their end until it is taken again
        outcomes: list[ShareOutcome] = []
        added: dict[int, ImageMember] = {}
        for tenant_id, number in zip(tenant_ids, numbers, strict=True):
            shown = str(tenant_id).strip()
            if not isinstance(number, int):
                outcomes.append(ShareOutcome(shown, error=number))
                continue
            fact = facts[number]
            if number in added or (fact.existing is not None and fact.existing not in lapsed):
                duplicate = AlreadyMember(f"Tenant {number} is already a member of this image.")  # R2; R7
                outcomes.append(ShareOutcome(shown, error=duplicate))
                continue
            if fact.existing is not None:
                lapsed.pop(fact.existing)._expire_locked(self)
                if counts_lapsed:
                    count -= 1
            if count >= fact.guardrails.member_limit() and counts_lapsed:  # rows past their end count until the sweep
                count, counts_lapsed = self.members.current().count() + len(added), False
            refusal = self._refusal(number, fact, count, held)
            if refusal is not None:
                outcomes.append(ShareOutcome(shown, error=refusal))
                continue
            assert fact.account is not None
            status = fact.answer or MemberStatus.PENDING  # R24: the consumer's lists may answer at once
            added[number] = self.members.model(image=self, member=fact.account, note=note, status=status, **ends)
            outcomes.append(ShareOutcome(shown, member=added[number]))
            count += 1
        self._write_members(user, list(added.values()), note)
        return outcomes

    def _refusal(self, number: int, fact: "_TenantFacts", count: int, held: set[int]) -> DomainError | None:
        """Why one tenant cannot be added, given the image's member `count`, or None.

        R28's policy, R11 and R28's approval come before the tenant answer, and look only at
        the tenant ID as typed: known and unknown IDs get one reply (R17).
        """
        guardrails = fact.guardrails
        refusal = guardrails.refusal()
        if refusal is not None:
            return refusal
        if count >= guardrails.member_limit():
            if guardrails.lowers_quota:
                return guardrails.quota_refusal()
            return QuotaExceeded(f"This image already has {settings.IMAGE_MEMBER_QUOTA} members, the most allowed.")
        if number in held:
            return ApprovalRequired(owner_id=self.owner_id, tenant_id=number, image_id=self.pk)
        if fact.account is None:
            return TenantUnavailable()  # R8, R17: one message for unknown and out of region
        if fact.account.pk == self.owner_id:
            return NotPermitted("You own this image; it cannot be shared with your own tenant.")  # R4
        return None

    def _held_back(self, facts: "dict[int, _TenantFacts]") -> set[int]:
        """R28: the tenant IDs held for an operator's approval (a query only when the cloud's switch is on)."""
        if not any(fact.guardrails.approval_required for fact in facts.values()):
            return set()
        return ShareRequest.objects.held_back(self.owner_id, facts)

    def _lapsed_rows(self, member_ids: list[int]) -> "dict[int, ImageMember]":
        """R22: those of these member rows that are past their end, by ID (no query when none)."""
        if not member_ids:
            return {}
        return {row.pk: row for row in self.members.lapsed(timezone.now()).filter(pk__in=member_ids)}

    def _write_members(self, user: User, members: "list[ImageMember]", note: str) -> None:
        """R2, R16, R18: insert the new members, then their history entries and notices, each in one go.

        A member answered at once (R24) has two entries: the offer, whose `after` is the
        answer, and the answer itself, automatic, by no person.
        """
        if not members:
            return
        if len(members) == 1:
            members[0].save(force_insert=True)  # the API's single member-create: cheaper than a bulk insert
        else:
            self.members.bulk_create(members)
        said = "with a note" if note else ""
        entries = []
        for member in members:
            entries.append(
                self._history_entry(user, Action.MEMBER_ADDED, member.member, "", member.status, False, said)
            )
            if member.status != MemberStatus.PENDING:
                automatic = AUTOMATIC_NOTES[MemberStatus(member.status)]
                changed, pending = Action.MEMBER_STATUS_CHANGED, MemberStatus.PENDING
                entries.append(
                    self._history_entry(None, changed, member.member, pending, member.status, False, automatic)
                )
        self.events.write(entries)

    def _membership_facts(self, tenant_ids: list[int]) -> "tuple[dict[int, _TenantFacts], int]":
        """What R2, R8, R11, R24 and R28 need, in one hand-written query (`lib/rows.py` says why):
        for each tenant ID, the tenant if it is enabled in the image's region, the ID of its
        member row if it has one (current or past its end), its automatic answer to this
        owner's offers (`ProducerRule`) and the owner's guardrails for the ID (`Guardrails`);
        and how many member rows the image has. No query when there is no tenant ID."""
        wanted = sorted(set(tenant_ids))
        if not wanted:
            return {}, 0
        sql = _MEMBERSHIP_FACTS_SQL.format(
            account=_ACCOUNT,
            members=self.members.model._meta.db_table,
            answer=AUTOMATIC_ANSWER_SQL.format(consumer="a.id"),
            guardrails=GUARDRAILS_SQL.format(tenant="n.tenant_id"),
            numbers=" UNION ALL ".join(["SELECT %s AS tenant_id"] * len(wanted)),
        )
        image = self._meta.pk.get_db_prep_value(self.pk, connection)
        owner = self.owner_id
        rows = fetch_all(sql, [owner, *guardrail_params(owner), image, *wanted, self.region_id, image])
        facts = {}
        for row in rows:
            number, existing, answer, *guardrails, count = row[len(_ACCOUNT) :]
            facts[number] = _TenantFacts(_ACCOUNT.read(row), existing, answer, Guardrails.read(guardrails))
        return facts, count

    # Data (issue 5): uploaded once to a queued image, read by whoever may use it (R6).

    @alters_data
    def mark_active(self, size: int, checksum: str = "", os_hash_value: str = "") -> None:
        """The image's data is stored: it can now be booted (R15)."""
        self.status = Status.ACTIVE
        self.size = size
        self.checksum = checksum
        self.os_hash_algo = "sha512" if os_hash_value else ""
        self.os_hash_value = os_hash_value
        self.save(update_fields=["status", "size", "checksum", "os_hash_algo", "os_hash_value", "updated_at"])

    def require_uploadable(self, user: User) -> None:
        """R1, R27: only the owner's members and admins send data, only to a queued image (else 409)."""
        user.require_role(Role.MEMBER, "upload image data")
        self.require_owner(user)
        if not self.is_queued:
            raise InvalidState(UPLOAD_ONCE)

    @alters_data
    def begin_upload(self, user: User, size: int | None = None) -> Upload:
        """R1: only the owner sends data, once, to a queued image, which is `saving` meanwhile.

        The status moves with a conditional UPDATE, so two uploads cannot both start. The
        upload reserves `size` bytes of the owner's quota (R14), or a first step of data
        whose size is not declared; its limit says how much it got.
        """
        self.require_uploadable(user)
        with transaction.atomic():
            claimed = Image.objects.filter(pk=self.pk, status=Status.QUEUED).update(
                status=Status.SAVING, updated_at=timezone.now()
            )
            if not claimed:
                raise InvalidState(UPLOAD_ONCE)
            self.status = Status.SAVING
            upload = Upload.objects.create(image=self, lease_until=Upload.lease_ends())
            upload.reserve(size or 0, exact=size is not None)
        return upload

    @alters_data
    def receive_data(
        self, user: User, chunks: Iterable[bytes], declared_size: int | None = None, declared_checksum: str = ""
    ) -> None:
        """The whole upload for a stream of chunks (the API's PUT .../file, snapshots, the demo)."""
        upload = self.begin_upload(user, declared_size)
        incoming = IncomingData(upload.limit(), upload)
        with upload, self._receiving(incoming):
            incoming.write_all(chunks)
            self._store(upload, incoming, declared_size, declared_checksum)

    @alters_data
    def receive_spooled(self, user: User, incoming: IncomingData, refusal: DomainError | None = None) -> None:
        """The panel's upload, spooled by its upload handler while the form was read.

        `refusal` says why the spool is unusable (too large, cut short). If the image
        cannot take data at all, the spool is dropped and the image left as it was.
        """
        try:
            upload = self.begin_upload(user, incoming.size)
        except DomainError:
            incoming.discard()
            raise
        with upload, self._receiving(incoming):
            if refusal is not None:
                raise refusal
            if incoming.size > upload.limit():
                raise DataTooLarge(too_large_message(upload.limit()))
            self._store(upload, incoming)

    @contextmanager
    def _receiving(self, incoming: IncomingData) -> Iterator[None]:
        """The one failure path of every upload: drop the spool, kill the image saying why, re-raise."""
        try:
            yield
        except DomainError as error:
            incoming.discard()
            self.kill(error.message)
            raise
        except Exception:
            incoming.discard()
            self.kill(incoming.failure)
            raise

    def _store(
        self, upload: Upload, incoming: IncomingData, declared_size: int | None = None, declared_checksum: str = ""
    ) -> None:
        """Check the data against what was declared, store it and make the image active.

        Ending the upload and activating the image are one transaction, so the bytes move
        from the upload's reservation to the image's size at once (R14). An upload that the
        reaper ended meanwhile stores nothing.
        """
        if declared_size is not None and declared_size != incoming.size:
            raise DataMismatch(
                f"{incoming.size:,} bytes arrived but {declared_size:,} were declared; the image was not stored."
            )
        if declared_checksum and declared_checksum.lower() != incoming.checksum:
            raise DataMismatch("The data's MD5 checksum is not the one declared; the image was not stored.")
        storage = self.file.storage
        stored = incoming.stored_as(storage, f"images/{self.pk}")
        try:
            with transaction.atomic():
                upload.finish()
                self.file = stored
                self.status_reason = ""
                self.save(update_fields=["file", "status_reason"])
                self.mark_active(incoming.size, incoming.checksum, incoming.os_hash_value)
        except UploadAbandoned:
            PendingDeletion.objects.delete_stored(storage, stored)
            raise

    @alters_data
    def kill(self, reason: str) -> None:
        """The upload failed: the image is `killed`, says why, holds no data and no quota."""
        with transaction.atomic():
            Upload.objects.filter(image=self).delete()
            self.status = Status.KILLED
            self.status_reason = reason[:255]
            self.save(update_fields=["status", "status_reason", "updated_at"])

    def open_data(self, user: User):
        """R6: the owner and members of any status read the data; anyone else gets NotFound."""
        if user.account is None:
            raise NotFound()
        image = Image.objects.get_usable(user.account, self.pk)
        if not image.has_data:
            raise InvalidState("This image has no data to download.")
        return image.file.storage.open(image.file.name, "rb")

    @alters_data
    def destroy(self, user: User, *, as_operator: bool = False) -> None:
        """R15, R16: delete the image and its members; servers booted from it keep running.

        The row stays with status `deleted` (as Glance's soft delete) so that servers
        and the history still name it; its data file is removed once committed.
        """
        if not as_operator:
            user.require_role(Role.MEMBER, "delete images")  # R27
        with transaction.atomic():
            locked = Image.objects.select_for_update().get(pk=self.pk)
            locked.require_owner(user, as_operator)
            if locked.protected:
                raise ImageProtected()
            locked._destroy_locked(user, as_operator)
        self._refresh_from(locked)

    def _destroy_locked(self, user: User | None, as_operator: bool = False, note: str = "") -> None:
        """R15, R16 on the image row the caller's transaction holds locked: members go, each told (R18).

        `user` is None for what happens by itself (R25's deletion after its date), noted as `note`."""
        members = list(self.members.select_related("member"))
        self.members.all().delete()
        before = self.status
        stored = self.file.name
        self.status = Status.DELETED
        self.deleted_at = timezone.now()
        self.file = ""
        self.save(update_fields=["status", "deleted_at", "file", "updated_at"])
        # Written once the image is deleted, so that each member's notice says so (R18).
        removed = [
            self._history_entry(
                user, Action.MEMBER_REMOVED, member.member, member.status, "", as_operator, "image deleted"
            )
            for member in members
        ]
        deleted = self._history_entry(user, Action.IMAGE_DELETED, None, before, Status.DELETED, as_operator, note)
        self.events.write([*removed, deleted])
        if stored:
            storage = self.file.storage
            transaction.on_commit(lambda: PendingDeletion.objects.delete_stored(storage, stored))

    # R25: deprecation with a replacement, by the owner alone.

    @alters_data
    def deprecate(
        self,
        user: User,
        *,
        replacement: object = None,
        delete_after: datetime | None = None,
        version: str | None = None,
    ) -> bool:
        """R1, R25, R16, R18: the owner marks the image deprecated, naming an optional replacement
        (`replacements_for`: another live image of its own in the region, by ID) and an optional
        date after which the image is deleted. Deprecating again changes the replacement and
        the date and keeps "since when". The image keeps working (R6, R15) until deleted.

        Every current member hears of it; a public image has none (every tenant sees it
        marked). Returns whether anything changed; bad input changes nothing.
        """
        user.require_role(Role.MEMBER, "deprecate images")  # R27
        if delete_after is not None and delete_after <= timezone.now():
            raise InvalidValue("The deletion date must be in the future.")
        named = replacement is not None and replacement != ""
        wanted = parse_field_value(Image, "pk", getattr(replacement, "pk", replacement)) if named else None
        with transaction.atomic():
            # Both rows locked in one order: two changes naming each other wait for each other,
            # and the second finds the loop, rather than deadlock.
            rows = Image.objects.select_for_update().filter(pk__in=[self.pk, wanted]).order_by("pk")
            locked_rows = {row.pk: row for row in rows}
            locked = locked_rows[self.pk]
            locked.require_owner(user)
            locked.require_version(version)
            if named:
                locked._check_replacement(None if wanted is None else locked_rows.get(wanted))
            replacement_id = wanted if named else None
            unchanged = (locked.replacement_id, locked.delete_after) == (replacement_id, delete_after)
            if locked.is_deprecated and unchanged:
                return False
            before = "deprecated" if locked.is_deprecated else ""
            locked.deprecated_at = locked.deprecated_at or timezone.now()
            locked.replacement_id, locked.delete_after = replacement_id, delete_after
            locked.save(update_fields=["deprecated_at", "replacement", "delete_after", "updated_at"])
            said = f"replaced by {replacement_id}" if replacement_id else "no replacement"
            note = f"{said}; deleted after {utc_minutes(delete_after)}" if delete_after else said
            locked.record(user, Action.IMAGE_DEPRECATED, before=before, after="deprecated", note=note)
        self._refresh_from(locked)
        return True

    def _check_replacement(self, chosen: "Image | None") -> None:
        """R25: `chosen` (the row the ID named, locked; None if none) may replace this image.

        One message for a malformed or unknown ID, another tenant's image, another region's,
        a deleted one and the image itself (R17: nothing said of images not the owner's); a
        chain of replacements never leads back to the image it replaces.
        """
        if chosen is None or not Image.objects.replacements_for(self).filter(pk=chosen.pk).exists():
            raise InvalidValue(f"The replacement must be another live image of yours in {self.region_id}.")
        seen, step = {chosen.pk}, chosen.replacement_id
        while step is not None and step not in seen:
            if step == self.pk:
                raise InvalidValue("That image is replaced by this one: a replacement cannot lead back to it.")
            seen.add(step)
            step = Image.objects.filter(pk=step).values_list("replacement_id", flat=True).first()

    @alters_data
    def undeprecate(self, user: User, *, version: str | None = None) -> None:
        """R1, R25, R16: the owner cancels the deprecation, its replacement and deletion date."""
        user.require_role(Role.MEMBER, "deprecate images")  # R27
        with transaction.atomic():
            locked = Image.objects.select_for_update().get(pk=self.pk)
            locked.require_owner(user)
            locked.require_version(version)
            if not locked.is_deprecated:
                raise InvalidState("This image is not deprecated.")
            locked.deprecated_at = locked.replacement_id = locked.delete_after = None
            locked.save(update_fields=["deprecated_at", "replacement", "delete_after", "updated_at"])
            locked.record(user, Action.DEPRECATION_CANCELLED, before="deprecated")
        self._refresh_from(locked)

    def replacement_seen(self, offer_status: str | None) -> "Image | None":
        """R25 with R6 and R17: the replacement a tenant other than the owner may see named: a
        public one, or a shared one offered to it (`offer_status`: its answer, any status); else None,
        and the page says only that one exists. A deleted replacement is none."""
        replacement = self.replacement if self.replacement_id is not None else None
        if replacement is None or replacement.is_deleted:
            return None
        if replacement.is_public or (replacement.is_shared and offer_status is not None):
            return replacement
        return None

    @alters_data
    def offer_replacement(self, user: User, *, acknowledged: bool = False, note: object = "") -> ShareResult:
        """R25: the owner offers the replacement to every current member of this deprecated image,
        through `share_with` (R2, R8, R9, R11, R19, seed 004's checklist), one outcome per tenant."""
        user.require_role(Role.MEMBER, "share images")  # R27
        self.require_owner(user)
        if not self.is_deprecated or self.replacement_id is None:
            raise InvalidState("This image is not deprecated with a replacement.")
        replacement = Image.objects.live().filter(pk=self.replacement_id).first()
        if replacement is None:
            raise InvalidState("The replacement was deleted: choose another one.")
        # R9: a private image's kept members have no access, so nothing to replace.
        members = self.members.current() if self.is_shared else self.members.none()
        tenant_ids = list(members.order_by("created_at", "pk").values_list("member__tenant_id", flat=True))
        if not tenant_ids:
            raise InvalidState("This image has no members to offer its replacement to.")
        return replacement.share_with(user, tenant_ids, acknowledged=acknowledged, note=note)

    def _refresh_from(self, other: "Image") -> None:
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(other, field.attname))


class PendingDeletionQuerySet(models.QuerySet["PendingDeletion"]):
    def delete_stored(self, storage: Storage, name: str) -> None:
        """Delete stored data; a failure is kept as a pending deletion for retry, never lost."""
        try:
            storage.delete(name)
        except Exception as error:  # any storage backend failure: keep it for the retry
            logger.exception("Could not delete image data %s", name)
            self.create(name=name, error=str(error)[:500])

    def retry(self, storage: Storage) -> int:
        """Try every pending deletion again; returns how many succeeded. Failures stay, counted."""
        done = 0
        for pending in self.order_by("pk"):
            try:
                storage.delete(pending.name)
            except Exception as error:  # any backend failure: count it and keep the row
                pending.attempts += 1
                pending.error = str(error)[:500]
                pending.save(update_fields=["attempts", "error", "tried_at"])
            else:
                pending.delete()
                done += 1
        return done


class PendingDeletion(models.Model):
    """Stored data whose deletion failed; `manage.py retry_data_deletions` tries again."""

    name = models.CharField(max_length=255)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    tried_at = models.DateTimeField(auto_now=True)

    objects = PendingDeletionQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


# The member calls' hand-written reads (`lib/rows.py` says why).
_IMAGE, _ACCOUNT = Columns(Image, "i"), Columns(Account, "a")
# R1 and R6 for the owner in one read: its image, in the endpoint's region, locked.
_OWN_IMAGE_SQL = "SELECT {image} FROM images_image i WHERE i.id = %s AND i.owner_id = %s AND i.region_id = %s{lock}"
# One row per tenant ID: the tenant if enabled in the region (R8), its member row (R2), its automatic
# answer to the owner (R24), the owner's guardrails for the ID (R28), and on every row the image's
# member count (R11).
_MEMBERSHIP_FACTS_SQL = """
SELECT {account}, n.tenant_id, m.id, {answer}, {guardrails},
       (SELECT COUNT(*) FROM {members} c WHERE c.image_id = %s)
  FROM ({numbers}) AS n
  LEFT JOIN accounts_account a ON a.tenant_id = n.tenant_id
   AND EXISTS (SELECT 1 FROM accounts_account_regions ar WHERE ar.account_id = a.id AND ar.region_id = %s)
  LEFT JOIN {members} m ON m.image_id = %s AND m.member_id = a.id
"""
