"""Image members: the consumer's side of the handshake and what each party may see (R2, R3, R4, R7, R9, R12, R16),
reminders (R20) and the ends of offers and shares (R22).

The owner's side (adding members, sharing with many tenants) locks the image row
and so lives on the image: `Image.add_member` and `Image.share_with`.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from imagesharing.accounts.models import Account, Region, User
from imagesharing.choices import Action, MemberStatus, Role, Status, Visibility
from imagesharing.errors import InvalidValue, NotFound, NotPermitted, NotShareable, TenantUnavailable, TooSoon
from imagesharing.images.models import Image, check_end_dates
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.parse import parse_field_value, parse_tenant_id
from imagesharing.lib.rows import Columns, fetch_one
from imagesharing.lib.times import utc_minutes

# The inbox shows offers still waiting for a decision first.
INBOX_GROUPS = {MemberStatus.PENDING: 0, MemberStatus.REJECTED: 1, MemberStatus.ACCEPTED: 2}
INBOX_ORDER = Case(
    *(When(status=status, then=Value(group)) for status, group in INBOX_GROUPS.items()),
    output_field=IntegerField(),
)


NO_SUCH_MEMBER = "No such member."
NOTE_MAX_LENGTH = 500


def require_known_status(status: str) -> None:
    if status not in MemberStatus.values:
        raise InvalidValue(f"Status must be one of {', '.join(MemberStatus.values)}.")


def _lapsed(now: datetime) -> Q:
    """R22: a share past its end of access, or an offer still pending past its expiry."""
    return Q(access_ends_at__lte=now) | Q(status=MemberStatus.PENDING, offer_expires_at__lte=now)


def _still_offered(locked: "ImageMember") -> "ImageMember | None":
    """A member row just read, unless its image is deleted (R15) or it has ended (R22)."""
    return None if locked.image.is_deleted or locked.has_ended(timezone.now()) else locked


class ImageMemberQuerySet(models.QuerySet["ImageMember"]):
    def current(self) -> "ImageMemberQuerySet":
        """R22: members not past their end, whether or not the sweep has removed the others yet:
        every page and call reads members through this, so none shows an ended offer as live."""
        return self.exclude(_lapsed(timezone.now()))

    def lapsed(self, now: datetime) -> "ImageMemberQuerySet":
        """R22: the members the sweep removes at `now`."""
        return self.filter(_lapsed(now))

    def active(self) -> "ImageMemberQuerySet":
        """Members that give access: current (R22), and their image is live and shared (R9)."""
        return self.current().filter(image__visibility=Visibility.SHARED).exclude(image__status=Status.DELETED)

    @alters_data
    def expire_lapsed(self, limit: int = 1000) -> int:
        """R22: remove up to `limit` members past their end, as R12, recorded as expired.

        Each is re-read locked and still lapsed before it goes, so that hosts sweeping
        at once, or an answer or a new date at the same moment, never expire one twice
        or wrongly. Returns how many went.
        """
        now = timezone.now()
        due = self.lapsed(now).exclude(image__status=Status.DELETED)
        expired = 0
        for pk in list(due.values_list("pk", flat=True)[:limit]):
            with transaction.atomic():
                locked = due.filter(pk=pk).select_for_update(of=("self",)).select_related("image", "member").first()
                if locked is not None:
                    locked._expire_locked(locked.image)
                    expired += 1
        return expired

    @alters_data
    def remind_pending(self, user: User) -> int:
        """R20 for every pending member of the producer's shared images that a reminder is due
        to ("remind all pending"); the others are left alone. Returns how many were reminded."""
        user.require_role(Role.MEMBER, "remind members")  # R27
        if user.account is None:
            return 0
        now = timezone.now()
        since = now - timedelta(seconds=settings.REMINDER_INTERVAL)
        with transaction.atomic():
            due = (
                self.shared_by(user.account)
                .filter(status=MemberStatus.PENDING)
                .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=since))
                .select_for_update(of=("self",))
            )
            members = list(due)
            for member in members:
                member._remind_locked(user, now)
        return len(members)

    def visible_to(self, account: Account, image: Image) -> "ImageMemberQuerySet":
        """R7: the owner sees every member, a consumer only itself, anyone else nothing (NotFound)."""
        if image.is_deleted:
            raise NotFound()
        members = self.current().filter(image=image).select_related("member").order_by("created_at", "pk")
        if account.pk == image.owner_id:
            if not image.is_shared:
                raise NotShareable()
            return members
        own = members.filter(member=account)
        if not image.is_shared or not own.exists():
            raise NotFound()
        return own

    def get_visible(self, account: Account, image: Image, member_id: object) -> "ImageMember":
        """R7: one member of `image` by its tenant ID, as `visible_to` allows; else NotFound."""
        try:
            tenant_id = parse_tenant_id(member_id)
        except TenantUnavailable:
            raise NotFound(NO_SUCH_MEMBER) from None
        member = self.visible_to(account, image).filter(member__tenant_id=tenant_id).first()
        if member is None:
            raise NotFound(NO_SUCH_MEMBER)
        return member

    @alters_data
    def answer_by_ids(
        self, user: User, region: Region, image_id: object, member_id: object, status: str
    ) -> "ImageMember":
        """Glance's member-update: the consumer answers its offer of an image of `region`
        (an endpoint's), named by IDs.

        When the caller is that member, one locked read finds the row (by hand:
        `lib/rows.py` says why); anything else takes the way a refusal is told: R6's
        gate, R7's view of the members, then `set_status` (the owner, for example,
        learns it cannot answer its own offer).
        """
        user.require_role(Role.MEMBER, "accept or reject offers")  # R27
        with transaction.atomic():
            locked = self._lock_own_offer(user, region, image_id, member_id)
            if locked is not None:
                require_known_status(status)
                return locked._change_status(user, status)
        if user.account is None:
            raise NotFound()
        image = Image.objects.filter(region=region).get_usable(user.account, image_id)
        return self.get_visible(user.account, image, member_id).set_status(user, status)

    def _lock_own_offer(self, user: User, region: Region, image_id: object, member_id: object) -> "ImageMember | None":
        """The caller's own member row of that image, with its image and tenant, locked; None
        if the IDs do not name one, or it is no offer any more (R22)."""
        pk = parse_field_value(Image, "pk", image_id)
        try:
            tenant_id = parse_tenant_id(member_id)
        except TenantUnavailable:
            return None
        if pk is None or user.account_id is None:
            return None
        lock = " FOR UPDATE OF m" if connection.features.has_select_for_update_of else ""
        sql = _OWN_OFFER_SQL.format(member=_MEMBER, image=_IMAGE, account=_ACCOUNT, lock=lock)
        row = fetch_one(sql, [Image._meta.pk.get_db_prep_value(pk, connection), user.account_id, tenant_id, region.pk])
        if row is None:
            return None
        image_at, tenant_at = len(_MEMBER), len(_MEMBER) + len(_IMAGE)
        locked, image, tenant = _MEMBER.read(row), _IMAGE.read(row, image_at), _ACCOUNT.read(row, tenant_at)
        assert locked is not None and image is not None and tenant is not None  # inner joins
        locked.image, locked.member = image, tenant
        return _still_offered(locked)

    def lock_one(self, **lookup) -> "ImageMember | None":
        """The member row, locked (not its image: answers to other offers of it need not wait);
        None if there is none, or it is no offer any more (R22)."""
        if None in lookup.values():
            return None
        locked = self.select_for_update(of=("self",)).select_related("image", "member").filter(**lookup).first()
        return None if locked is None else _still_offered(locked)

    def dormant(self, account: Account, image: Image) -> "ImageMemberQuerySet":
        """R9: the members a private image keeps, for its owner's eyes only (R7).

        They give no access while the image is private and have it again when it is
        shared; anyone but the owner, and any image that is not private, gets none.
        """
        if account.pk != image.owner_id or not image.is_private:
            return self.none()
        return self.current().filter(image=image).select_related("member").order_by("created_at", "pk")

    def shared_by(self, account: Account) -> "ImageMemberQuerySet":
        """The producer's board: every member of its live shared images, in all its regions (R7).

        Members of a private image are not offers any more (R9) and are not listed.
        """
        return self.active().filter(image__owner=account).select_related("image__region", "member")

    def offered_to(self, account: Account, statuses: list[str] | None = None) -> "ImageMemberQuerySet":
        """R5: the offers the tenant has, with one of `statuses` (any when None), in no order."""
        offers = self.active().filter(member=account)
        return offers if statuses is None else offers.filter(status__in=statuses)

    def inbox(self, account: Account, statuses: list[str] | None = None) -> "ImageMemberQuerySet":
        """R5: the "Shared with me" offers; pending first, then rejected, then accepted."""
        return (
            self.offered_to(account, statuses)
            .select_related("image__owner", "image__region")
            .annotate(inbox_group=INBOX_ORDER)
            .order_by("inbox_group", "-updated_at", "-pk")
        )

    def inbox_after(self, marker: "ImageMember") -> "ImageMemberQuerySet":
        """Keyset paging of `inbox`: the offers after `marker` in its order (group, newest change, id)."""
        group = INBOX_GROUPS[MemberStatus(marker.status)]
        return self.filter(
            Q(inbox_group__gt=group)
            | Q(inbox_group=group, updated_at__lt=marker.updated_at)
            | Q(inbox_group=group, updated_at=marker.updated_at, pk__lt=marker.pk)
        )

    def with_replacements(self, account: Account) -> "ImageMemberQuerySet":
        """R25: each offer's image with its replacement, and `account`'s answer to the replacement's
        offer as `replacement_status` (None: not offered to it), read with the rows, never per row;
        `Image.replacement_seen` says what of it the tenant may see."""
        offers = self.model.objects.current().filter(image=OuterRef("image__replacement"), member=account)
        return self.select_related("image__replacement").annotate(
            replacement_status=Subquery(offers.values("status")[:1])
        )

    def answer(self, user: User, image: Image, status: str) -> "ImageMember":
        """R3: the signed-in tenant answers its own offer of `image` (the panel's status buttons).

        The owner cannot answer (R4: it is never a member), nor can a tenant the image
        is not shared with (a public image): both are told so, and nothing changes.
        """
        member = None
        if user.account_id != image.owner_id:
            member = self.active().filter(image=image, member_id=user.account_id).first()
        if member is None:
            raise NotPermitted("Only a tenant this image is shared with can accept or reject it.")
        return member.set_status(user, status)


class ImageMember(models.Model):
    """One (image, consumer tenant) pair: 1-to-1 sharing (R2)."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=8, choices=MemberStatus.choices, default=MemberStatus.PENDING)
    note = models.CharField(
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text="R19: the producer's note on the offer, plain text, seen only by the producer and this consumer.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    offer_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="R22: unanswered (still pending) by then, the offer is withdrawn."
    )
    access_ends_at = models.DateTimeField(
        null=True, blank=True, help_text="R22: at this time the member is removed, whatever its answer."
    )
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="R20: the owner's last reminder.")

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
            # R22's sweep: "members whose offer or access has ended"; few rows have either date.
            models.Index(fields=["offer_expires_at"], name="member_offer_expiry"),
            models.Index(fields=["access_ends_at"], name="member_access_end"),
        ]

    def __str__(self) -> str:
        return f"{self.member.tenant_id} on {self.image_id} ({self.status})"

    # What pages ask of a member, so that templates compare no raw status.

    @property
    def is_pending(self) -> bool:
        return self.status == MemberStatus.PENDING

    @property
    def is_accepted(self) -> bool:
        return self.status == MemberStatus.ACCEPTED

    @property
    def is_rejected(self) -> bool:
        return self.status == MemberStatus.REJECTED

    @staticmethod
    def clean_note(note: object) -> str:
        """R19: a note as the producer typed it, stripped, with one kind of line break; at most 500 characters."""
        text = "\n".join(note.strip().splitlines()) if isinstance(note, str) else ""
        if len(text) > NOTE_MAX_LENGTH or "\x00" in text:
            raise InvalidValue(f"A note is at most {NOTE_MAX_LENGTH} characters of plain text ({len(text)} given).")
        return text

    @alters_data
    def set_note(self, user: User, note: object) -> "ImageMember":
        """R1, R19, R16: the owner rewrites (or, blank, clears) its note on this offer.

        History records that the note changed, never its text: operators read every
        entry, and the note is for the producer and this consumer alone.
        """
        user.require_role(Role.MEMBER, "write notes on offers")  # R27
        note = self.clean_note(note)
        with transaction.atomic():
            locked = self._lock()
            image = locked.image
            if user.account_id == locked.member_id and image.is_shared:
                raise NotPermitted("Only the image's owner writes the note on its offer.")
            image.require_owner(user)
            if not image.is_shared:
                raise NotShareable()
            if locked.note != note:
                # Not `save()`: `updated_at` is when the consumer last answered, and a note is no answer.
                ImageMember.objects.filter(pk=locked.pk).update(note=note)
                change = "cleared" if not note else "written" if not locked.note else "rewritten"
                image.record(user, Action.MEMBER_NOTE_CHANGED, member=locked.member, note=change)
        self.note = note
        return self

    def has_ended(self, now: datetime) -> bool:
        """R22 for a row already read: `ImageMemberQuerySet.lapsed` in Python (a test holds the two together)."""
        if self.access_ends_at is not None and self.access_ends_at <= now:
            return True
        return self.is_pending and self.offer_expires_at is not None and self.offer_expires_at <= now

    @property
    def next_reminder_at(self) -> datetime | None:
        """R20: when the owner may remind this member again; None if it never has."""
        if self.reminded_at is None:
            return None
        return self.reminded_at + timedelta(seconds=settings.REMINDER_INTERVAL)

    @alters_data
    def remind(self, user: User) -> "ImageMember":
        """R20, R16: the owner reminds a pending member of its offer, at most once per
        REMINDER_INTERVAL; an accepted or rejected member has answered and is never reminded."""
        user.require_role(Role.MEMBER, "remind members")  # R27
        with transaction.atomic():
            locked = self._lock()
            locked._remind_locked(user, timezone.now())
        self.reminded_at = locked.reminded_at
        return self

    def _remind_locked(self, user: User, now: datetime) -> None:
        image = self.image
        image.require_owner(user)
        if not image.is_shared:
            raise NotShareable()
        tenant = self.member.tenant_id
        if not self.is_pending:
            raise NotPermitted(f"Tenant {tenant} has answered ({self.status}): only pending members are reminded.")
        due = self.next_reminder_at
        if due is not None and now < due:
            last, next_one = utc_minutes(self.reminded_at), utc_minutes(due)
            raise TooSoon(f"You reminded tenant {tenant} at {last}; remind it again after {next_one}.")
        ImageMember.objects.filter(pk=self.pk).update(reminded_at=now)  # not a change of answer: updated_at stays
        self.reminded_at = now
        image.record(user, Action.MEMBER_REMINDED, member=self.member, before=self.status, after=self.status)

    @alters_data
    def set_end_dates(self, user: User, offer_expires_at: datetime | None, access_ends_at: datetime | None) -> None:
        """R22, R16: the owner sets or clears when this offer expires and when the share ends."""
        user.require_role(Role.MEMBER, "set end dates")  # R27
        check_end_dates(offer_expires_at, access_ends_at)
        with transaction.atomic():
            locked = self._lock()
            locked.image.require_owner(user)
            if not locked.image.is_shared:
                raise NotShareable()
            before = (locked.offer_expires_at, locked.access_ends_at)
            if before == (offer_expires_at, access_ends_at):
                return
            ImageMember.objects.filter(pk=locked.pk).update(
                offer_expires_at=offer_expires_at, access_ends_at=access_ends_at
            )
            note = f"offer expires {utc_minutes(offer_expires_at)}; access ends {utc_minutes(access_ends_at)}"
            locked.image.record(user, Action.MEMBER_TERMS_CHANGED, member=locked.member, note=note)
        self.offer_expires_at, self.access_ends_at = offer_expires_at, access_ends_at

    def _expire_locked(self, image: Image) -> None:
        """R22 on a row the caller's transaction holds locked: removed as R12, recorded as expired."""
        access_ended = self.access_ends_at is not None and self.access_ends_at <= timezone.now()
        self.delete()
        note = "the share reached its end of access" if access_ended else "the offer expired unanswered"
        image.record(None, Action.MEMBER_EXPIRED, member=self.member, before=self.status, note=note)

    @alters_data
    def set_status(self, user: User, status: str, *, as_operator: bool = False) -> "ImageMember":
        """R3, R16: only the consumer changes its own status, as often as it likes.

        The owner trying to answer its own offer is refused here, whatever page or
        call it comes from. Concurrent changes are last-writer-wins; the row lock makes
        each history entry's `before` the status that change really replaced. Setting
        the current status again changes nothing and records nothing.
        """
        if not as_operator:
            user.require_role(Role.MEMBER, "accept or reject offers")  # R27
        require_known_status(status)
        with transaction.atomic():
            locked = self._lock()._change_status(user, status, as_operator=as_operator)
        self.status, self.updated_at = locked.status, locked.updated_at
        return self

    def _change_status(self, user: User, status: str, *, as_operator: bool = False) -> "ImageMember":
        """R3 and R16 on a row the caller's transaction holds locked."""
        if as_operator:
            user.require_operator()
        elif user.account_id == self.image.owner_id:
            raise NotPermitted("Only the consumer can change its member status.")
        elif user.account_id != self.member_id or not self.image.is_shared:
            raise NotFound()
        if self.status != status:
            before = self.status
            self.status = status
            self.save(update_fields=["status", "updated_at"])
            self.image.record(
                user,
                Action.MEMBER_STATUS_CHANGED,
                member=self.member,
                before=before,
                after=status,
                by_operator=as_operator,
            )
        return self

    @alters_data
    def remove(self, user: User, *, as_operator: bool = False) -> None:
        """R1, R4, R12, R16: the owner revokes one consumer; the others keep their access.

        Servers and snapshots the consumer made stay its own (they do not depend on
        the member row).
        """
        if not as_operator:
            user.require_role(Role.MEMBER, "remove members")  # R27
        with transaction.atomic():
            locked = self._lock()
            image = locked.image
            if as_operator:
                user.require_operator()
            elif user.account_id == locked.member_id and image.is_shared:
                raise NotPermitted("A consumer cannot remove itself; ask the image's owner.")
            else:
                image.require_owner(user)
                if not image.is_shared:
                    raise NotShareable()
            locked.delete()
            image.record(
                user, Action.MEMBER_REMOVED, member=locked.member, before=locked.status, by_operator=as_operator
            )

    def _lock(self) -> "ImageMember":
        locked = ImageMember.objects.lock_one(pk=self.pk)
        if locked is None:
            raise NotFound(NO_SUCH_MEMBER)
        return locked


# The member-update call's hand-written read (`lib/rows.py` says why): the caller's own
# offer of an image of the endpoint's region, named by the image's ID and its tenant ID.
_MEMBER, _IMAGE, _ACCOUNT = Columns(ImageMember, "m"), Columns(Image, "i"), Columns(Account, "a")
_OWN_OFFER_SQL = """
SELECT {member}, {image}, {account}
  FROM memberships_imagemember m
  JOIN images_image i ON i.id = m.image_id
  JOIN accounts_account a ON a.id = m.member_id
 WHERE m.image_id = %s AND m.member_id = %s AND a.tenant_id = %s AND i.region_id = %s{lock}
"""
