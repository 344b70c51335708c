"""Image members and the sharing handshake (R2, R3, R4, R7, R8, R9, R11, R12, R16)."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from imagesharing.accounts.models import Account
from imagesharing.errors import (
    AlreadyMember,
    DomainError,
    InvalidValue,
    NotFound,
    NotPermitted,
    NotShareable,
    QuotaExceeded,
    TenantUnavailable,
)
from imagesharing.images.models import Image, Status, Visibility


class MemberStatus(models.TextChoices):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# The inbox shows offers still waiting for a decision first.
INBOX_GROUPS = {MemberStatus.PENDING: 0, MemberStatus.REJECTED: 1, MemberStatus.ACCEPTED: 2}
INBOX_ORDER = Case(
    *(When(status=status, then=Value(group)) for status, group in INBOX_GROUPS.items()),
    output_field=IntegerField(),
)


def parse_tenant_id(value) -> int:
    """A tenant ID as given by a person or a script; anything else is an unavailable tenant (R8, R17)."""
    if isinstance(value, bool):
        raise TenantUnavailable()
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        if len(value.strip()) > 19:  # past 2**63; and int() refuses strings of over 4300 digits
            raise TenantUnavailable()
        number = int(value.strip())
    else:
        raise TenantUnavailable()
    if not 0 < number < 2**63:
        raise TenantUnavailable()
    return number


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
        return [outcome.member for outcome in self.outcomes if outcome.added]


def _lock_image(image: Image) -> Image:
    """Lock the image row: serialises the member quota check (R11) and duplicate adds (R2).

    Only the image row (`of`): locking the joined region too would make every add in
    a region wait for every other one.
    """
    locked = Image.objects.select_for_update(of=("self",)).select_related("region").filter(pk=image.pk).first()
    if locked is None or locked.status == Status.DELETED:
        raise NotFound()
    return locked


class ImageMemberQuerySet(models.QuerySet):
    def active(self) -> "ImageMemberQuerySet":
        """Members that give access: their image is live and shared (R9)."""
        return self.filter(image__visibility=Visibility.SHARED).exclude(image__status=Status.DELETED)

    def visible_to(self, account: Account, image: Image) -> "ImageMemberQuerySet":
        """R7: the owner sees every member, a consumer only itself, anyone else nothing (NotFound)."""
        if image.status == Status.DELETED:
            raise NotFound()
        members = self.filter(image=image).select_related("member").order_by("created_at", "pk")
        if account.pk == image.owner_id:
            if image.visibility != Visibility.SHARED:
                raise NotShareable()
            return members
        own = members.filter(member=account)
        if image.visibility != Visibility.SHARED or not own.exists():
            raise NotFound()
        return own

    def inbox(self, account: Account, statuses=None) -> "ImageMemberQuerySet":
        """R5: the "Shared with me" offers; pending first, then rejected, then accepted."""
        offers = self.active().filter(member=account)
        if statuses is not None:
            offers = offers.filter(status__in=statuses)
        return offers.select_related("image__owner", "image__region").annotate(inbox_group=INBOX_ORDER).order_by(
            "inbox_group", "-updated_at", "-pk"
        )

    def inbox_after(self, marker: "ImageMember") -> "ImageMemberQuerySet":
        """Keyset paging of `inbox`: the offers after `marker` in its order (group, newest change, id)."""
        group = INBOX_GROUPS[marker.status]
        return self.filter(
            Q(inbox_group__gt=group)
            | Q(inbox_group=group, updated_at__lt=marker.updated_at)
            | Q(inbox_group=group, updated_at=marker.updated_at, pk__lt=marker.pk)
        )

    def add(self, user, image: Image, tenant_id) -> "ImageMember":
        """R1, R2, R4, R8, R9, R11, R16: the owner offers a shared image to one tenant.

        As Glance's member-create call: the image must already be `shared`.
        """
        with transaction.atomic():
            locked = _lock_image(image)
            locked.require_owner(user)
            if locked.visibility != Visibility.SHARED:
                raise NotShareable()
            return self._add_locked(user, locked, tenant_id)

    def share(self, user, image: Image, tenant_ids) -> ShareResult:
        """The panel's Share action: add every valid tenant ID and answer for each one.

        R9: a private image becomes shared, but only if at least one member was added.
        """
        with transaction.atomic():
            locked = _lock_image(image)
            locked.require_owner(user)
            if locked.visibility == Visibility.PUBLIC:
                raise NotShareable("Public images are already available to everyone and have no members.")
            was_private = locked.visibility == Visibility.PRIVATE
            savepoint = transaction.savepoint()
            if was_private:
                locked.visibility = Visibility.SHARED
                locked.save(update_fields=["visibility", "updated_at"])
                Event.objects.record(
                    user, locked, Event.Action.VISIBILITY_CHANGED,
                    before=Visibility.PRIVATE, after=Visibility.SHARED,
                )
            outcomes = []
            for tenant_id in dict.fromkeys(str(t).strip() for t in tenant_ids):
                try:
                    outcomes.append(ShareOutcome(tenant_id, member=self._add_locked(user, locked, tenant_id)))
                except DomainError as error:
                    outcomes.append(ShareOutcome(tenant_id, error=error))
            if was_private and not any(outcome.added for outcome in outcomes):
                transaction.savepoint_rollback(savepoint)
                locked.visibility = Visibility.PRIVATE
                return ShareResult(outcomes, made_shared=False)
            transaction.savepoint_commit(savepoint)
        image.visibility = locked.visibility
        return ShareResult(outcomes, made_shared=was_private)

    def _add_locked(self, user, image: Image, tenant_id) -> "ImageMember":
        number = parse_tenant_id(tenant_id)
        account = Account.objects.enabled_in(image.region).filter(tenant_id=number).first()
        members = self.filter(image=image)
        if account is not None and members.filter(member=account).exists():
            raise AlreadyMember(f"Tenant {number} is already a member of this image.")  # R2; R7: owner knows it
        # R11 before the tenant answer: on a full image, known and unknown IDs get one reply (R17).
        if members.count() >= settings.IMAGE_MEMBER_QUOTA:
            raise QuotaExceeded(
                f"This image already has {settings.IMAGE_MEMBER_QUOTA} members, the most allowed."
            )
        if account is None:
            raise TenantUnavailable()  # R8, R17: one message for unknown and out of region
        if account.pk == image.owner_id:
            raise NotPermitted("You own this image; it cannot be shared with your own tenant.")  # R4
        try:
            with transaction.atomic():
                member = self.create(image=image, member=account)
        except IntegrityError:
            # Another request added the same member first (R2); the constraint kept one row.
            raise AlreadyMember(f"Tenant {number} is already a member of this image.") from None
        Event.objects.record(
            user, image, Event.Action.MEMBER_ADDED, member=account, after=member.status
        )
        return member


class ImageMember(models.Model):
    """One (image, consumer tenant) pair: 1-to-1 sharing (R2)."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=8, choices=MemberStatus.choices, default=MemberStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImageMemberQuerySet.as_manager()

    class Meta:
        constraints = [
            # R2: one row per pair, enforced by the database even when requests race.
            # Its index also serves "an image's members" (R7) and the quota count (R11).
            models.UniqueConstraint(fields=["image", "member"], name="unique_image_member"),
        ]
        indexes = [
            # R5 list and R6 boot-by-ID: "is this tenant a member (with this status) of image X",
            # and the inbox: "this tenant's offers with status S".
            models.Index(fields=["member", "status", "image"], name="member_status_image"),
        ]

    def __str__(self) -> str:
        return f"{self.member.tenant_id} on {self.image_id} ({self.status})"

    def set_status(self, user, status: str, *, as_operator: bool = False) -> "ImageMember":
        """R3, R16: only the consumer changes its own status, as often as it likes.

        Concurrent changes are last-writer-wins; the row lock makes each history entry's
        `before` the status that change really replaced. Setting the current status
        again changes nothing and records nothing.
        """
        if status not in MemberStatus.values:
            raise InvalidValue(f"Status must be one of {', '.join(MemberStatus.values)}.")
        with transaction.atomic():
            locked = self._lock()
            if as_operator:
                user.require_operator()
            elif user.account_id == locked.image.owner_id:
                raise NotPermitted("Only the consumer can change its member status.")
            elif user.account_id != locked.member_id or locked.image.visibility != Visibility.SHARED:
                raise NotFound()
            if locked.status != status:
                before = locked.status
                locked.status = status
                locked.save(update_fields=["status", "updated_at"])
                Event.objects.record(
                    user, locked.image, Event.Action.MEMBER_STATUS_CHANGED,
                    member=locked.member, before=before, after=status, by_operator=as_operator,
                )
        self.status, self.updated_at = locked.status, locked.updated_at
        return self

    set_status.alters_data = True

    def remove(self, user, *, as_operator: bool = False) -> None:
        """R1, R4, R12, R16: the owner revokes one consumer; the others keep their access.

        Servers and snapshots the consumer made stay its own (they do not depend on
        the member row).
        """
        with transaction.atomic():
            locked = self._lock()
            image = locked.image
            if as_operator:
                user.require_operator()
            elif user.account_id == locked.member_id and image.visibility == Visibility.SHARED:
                raise NotPermitted("A consumer cannot remove itself; ask the image's owner.")
            else:
                image.require_owner(user)
                if image.visibility != Visibility.SHARED:
                    raise NotShareable()
            locked.delete()
            Event.objects.record(
                user, locked.image, Event.Action.MEMBER_REMOVED,
                member=locked.member, before=locked.status, by_operator=as_operator,
            )

    remove.alters_data = True

    def _lock(self) -> "ImageMember":
        locked = (
            ImageMember.objects.select_for_update(of=("self",))
            .select_related("image", "member")
            .filter(pk=self.pk)
            .first()
        )
        if locked is None or locked.image.status == Status.DELETED:
            raise NotFound("No such member.")
        return locked


class EventQuerySet(models.QuerySet):
    def record(self, user, image: Image, action: str, *, member: Account | None = None,
               before: str = "", after: str = "", by_operator: bool = False, note: str = "") -> "Event":
        return self.create(
            image=image, member=member, actor=user, actor_account_id=user.account_id,
            action=action, before=before, after=after, by_operator=by_operator, note=note,
        )

    def record_many(self, user, image: Image, action: str, rows, *, by_operator: bool = False,
                    note: str = "") -> None:
        """One entry per (member, before, after) row, in one INSERT."""
        self.bulk_create(
            self.model(
                image=image, member=member, actor=user, actor_account_id=user.account_id,
                action=action, before=before, after=after, by_operator=by_operator, note=note,
            )
            for member, before, after in rows
        )

    def visible_to(self, account: Account) -> "EventQuerySet":
        """R16: an owner sees its images' history; a consumer its own memberships' history."""
        return self.filter(Q(image__owner=account) | Q(member=account))


class Event(models.Model):
    """R16: who did what to an image or a membership, when, before and after. Never edited."""

    class Action(models.TextChoices):
        MEMBER_ADDED = "member_added", "member added"
        MEMBER_STATUS_CHANGED = "member_status", "member status changed"
        MEMBER_REMOVED = "member_removed", "member removed"
        VISIBILITY_CHANGED = "visibility", "visibility changed"
        IMAGE_DELETED = "image_deleted", "image deleted"

    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="events")
    member = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="member_events",
        help_text="The consumer tenant concerned, for member events.",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The tenant the actor acted for; empty for an operator without a tenant.",
    )
    by_operator = models.BooleanField(default=False)
    action = models.CharField(max_length=16, choices=Action.choices)
    before = models.CharField(max_length=16, blank=True)
    after = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "history entry"
        verbose_name_plural = "history"
        indexes = [
            # R16 owner view: "the history of image X, newest first".
            models.Index(fields=["image", "-created_at"], name="event_image_recent"),
            # R16 consumer view: "the history of tenant T's memberships, newest first".
            models.Index(fields=["member", "-created_at"], name="event_member_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.image_id}"


class ImageReportQuerySet(models.QuerySet):
    def open(self) -> "ImageReportQuerySet":
        """The operators' queue: reports nobody has closed yet, oldest first."""
        return self.filter(closed_at__isnull=True).order_by("created_at", "pk")

    def file(self, user, image: Image, reason: str, details: str = "") -> "ImageReport":
        """Seed 004: a consumer reports an image shared with it in error or with malicious intent.

        Only a member (any status) of a live shared image may report it; the owner is
        refused, anyone else is told the image does not exist (R6).
        """
        account = user.account
        if account is None:
            raise NotPermitted("This login does not belong to a tenant.")
        if reason not in ImageReport.Reason.values:
            raise InvalidValue(f"Reason must be one of {', '.join(ImageReport.Reason.values)}.")
        if not isinstance(details, str) or len(details) > REPORT_DETAILS_MAX_LENGTH:
            raise InvalidValue(f"Details must be text of at most {REPORT_DETAILS_MAX_LENGTH} characters.")
        if account.pk == image.owner_id:
            raise NotPermitted("You own this image; only the tenants it is shared with can report it.")
        if not ImageMember.objects.active().filter(image=image, member=account).exists():
            raise NotFound()
        return self.create(image=image, reporter=account, reported_by=user, reason=reason, details=details.strip())


REPORT_DETAILS_MAX_LENGTH = 2000


class ImageReport(models.Model):
    """A consumer's report about a shared image, waiting in the operators' queue until closed."""

    class Reason(models.TextChoices):
        ERROR = "error", "shared with us in error"
        MALICIOUS = "malicious", "shared with malicious intent"
        CONTENT = "content", "holds content that should not be shared (licensed, infringing, personal data)"

    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="image_reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=REPORT_DETAILS_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True, help_text="What the operator did about it.")

    objects = ImageReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The operators' queue: "open reports, oldest first".
            models.Index(fields=["closed_at", "created_at"], name="report_queue"),
        ]

    def __str__(self) -> str:
        return f"Report on {self.image_id} by {self.reporter.tenant_id}"

    def close(self, user, resolution: str = "") -> None:
        """Operators only: take the report off the queue, saying what was done."""
        user.require_operator()
        if len(resolution) > 200:
            raise InvalidValue("The resolution must be at most 200 characters.")
        self.closed_at = timezone.now()
        self.closed_by = user
        self.resolution = resolution.strip()
        self.save(update_fields=["closed_at", "closed_by", "resolution"])

    close.alters_data = True
