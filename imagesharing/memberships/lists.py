"""R23: a producer's tenant lists ("All branches"), private to its tenant, and shares with them.

A list holds tenant IDs as typed numbers, never keys to `Account`: adding an ID
looks nothing up, so a list tells its owner nothing of whether a tenant exists
(R17); sharing with the list answers "not available" for such an ID exactly as R8
does. Sharing with a list makes one independent member per tenant (R2, R8, R11
for each, through `Image.share_with`), and the list remembers the image
(`ListShare`). A *following* list keeps its remembered images in step with its
tenants: a tenant added is offered each of them, a tenant removed is revoked from
each (R12).

Every change to a list and every share through it locks the list row first, then
the images: a tenant added while the list is being shared with ends up a member
exactly once. Nothing here is shown to the list's tenants: members, notices, mail
and the API know nothing of lists.
"""

import logging
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone
from django_tasks import task

from imagesharing.accounts.models import Account, User, kept_tenant_id
from imagesharing.choices import Role, Status, Visibility
from imagesharing.errors import (
    ChecklistRequired,
    DomainError,
    InvalidValue,
    NotFound,
    NotPermitted,
    NotShareable,
    QuotaExceeded,
)
from imagesharing.images.models import Image, ShareOutcome
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.parse import parse_field_value, parse_line
from imagesharing.memberships.members import ImageMember

logger = logging.getLogger(__name__)

LIST_NAME_MAX_LENGTH = 100
# A tenant's lists are its address book of branches, not a directory: bounds keep each page one page.
LISTS_PER_TENANT = 100
TENANTS_PER_LIST = 1000
# A bulk share takes at most this many images at once (the images list's longest page).
IMAGES_PER_SHARE = 100
# About a second of work (some 0.4 ms an offer, bench/scale.py): more offers than this are made in the background.
INLINE_OFFERS = 2000


def clean_list_name(name: object) -> str:
    """R23: a list's name as typed, stripped: 1 to 100 characters."""
    text = parse_line(name, LIST_NAME_MAX_LENGTH)
    if not text:
        raise InvalidValue(f"A list needs a name of 1 to {LIST_NAME_MAX_LENGTH} characters.")
    return text


def clean_tenant_numbers(tenant_ids: Iterable[object]) -> list[int]:
    """R23: the tenant IDs of a list, each parsed as any tenant ID is (`kept_tenant_id`: none
    is looked up), in the order typed, once each; at most TENANTS_PER_LIST."""
    numbers = list(dict.fromkeys(kept_tenant_id(tenant_id) for tenant_id in tenant_ids))
    if len(numbers) > TENANTS_PER_LIST:
        raise QuotaExceeded(f"A list holds at most {TENANTS_PER_LIST} tenant IDs ({len(numbers)} given).")
    return numbers


@dataclass(frozen=True)
class ImageOutcome:
    """One row of a share's table: what happened to one tenant ID for one image (tenant "" for
    a refusal of the whole image)."""

    image: Image
    outcome: ShareOutcome


@dataclass(frozen=True)
class ListChange:
    """What a change of a list's tenants did: the IDs added and removed, and for a following
    list the offers it made and the members it revoked."""

    added: list[int]
    removed: list[int]
    offered: list[ImageOutcome]
    revoked: list[ImageMember]
    waiting: int = 0  # offers left to the worker (`offer_followed_images`)


class TenantListQuerySet(models.QuerySet["TenantList"]):
    def of(self, owner: Account) -> "TenantListQuerySet":
        """R23: a tenant's own lists and nobody else's, by name, each with its `tenant_count` (one query)."""
        return self.filter(owner=owner).annotate(tenant_count=Count("entries")).order_by("name", "pk")

    def get_own(self, owner: Account, list_id: object) -> "TenantList":
        """R23: one of the tenant's lists by ID; another tenant's is NotFound, as a missing one."""
        pk = parse_field_value(self.model, "pk", list_id)
        found = None if pk is None else self.of(owner).filter(pk=pk).first()
        if found is None:
            raise NotFound("No such list.")
        return found

    @alters_data
    def create_list(self, user: User, name: object, *, follows: bool = False) -> "TenantList":
        """R23, R27: a new, empty list of the person's tenant; names are unique within it."""
        owner = _owner(user, "create tenant lists")
        name = clean_list_name(name)
        with transaction.atomic():
            Account.objects.select_for_update().filter(pk=owner.pk).first()  # serialises the count and the name
            if self.filter(owner=owner).count() >= LISTS_PER_TENANT:
                raise QuotaExceeded(f"A tenant keeps at most {LISTS_PER_TENANT} lists.")
            _require_free_name(owner, name)
            return self.create(owner=owner, name=name, follows=follows)


def _owner(user: User, action: str) -> Account:
    user.require_role(Role.MEMBER, action)  # R27
    if user.account is None:
        raise NotPermitted("This login does not belong to a tenant.")
    return user.account


def _require_free_name(owner: Account, name: str, but: "TenantList | None" = None) -> None:
    taken = TenantList.objects.filter(owner=owner, name=name)
    if but is not None:
        taken = taken.exclude(pk=but.pk)
    if taken.exists():
        raise InvalidValue(f"You already have a list named “{name}”.")


class TenantList(models.Model):
    """R23: a producer's named list of tenant IDs, seen by its own tenant alone."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=LIST_NAME_MAX_LENGTH)
    follows = models.BooleanField(
        default=False,
        help_text="R23: tenants added are offered the images shared through the list; tenants removed are revoked.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantListQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_tenant_list_name")]

    def __str__(self) -> str:
        return self.name

    def tenant_ids(self) -> list[int]:
        return list(self.entries.order_by("pk").values_list("tenant_id", flat=True))

    def shared_images(self) -> models.QuerySet[Image]:
        """R23: the live, shared images shared through this list, the ones a following list keeps in step."""
        return (
            Image.objects.filter(list_shares__tenant_list=self, owner_id=self.owner_id, visibility=Visibility.SHARED)
            .exclude(status=Status.DELETED)
            .order_by("name", "pk")
        )

    def revocations(self, tenant_ids: Iterable[int]) -> models.QuerySet[ImageMember]:
        """R23: the members that removing these tenant IDs from this following list would revoke
        (for the confirmation that names them); none for a list that does not follow."""
        if not self.follows:
            return ImageMember.objects.none()
        return (
            ImageMember.objects.current()
            .filter(image__in=self.shared_images(), member__tenant_id__in=list(tenant_ids))
            .select_related("image", "member")
            .order_by("image__name", "image_id", "member__tenant_id")
        )

    def _lock(self, user: User, action: str) -> "TenantList":
        """R27, then this list's row locked, if it is the person's tenant's (else NotFound)."""
        owner = _owner(user, action)
        locked = TenantList.objects.filter(pk=self.pk, owner=owner).select_for_update().first()
        if locked is None:
            raise NotFound("No such list.")
        return locked

    @alters_data
    def rename(self, user: User, name: object) -> None:
        name = clean_list_name(name)
        with transaction.atomic():
            locked = self._lock(user, "change tenant lists")
            Account.objects.select_for_update().filter(pk=locked.owner_id).first()  # as `create_list`: names
            _require_free_name(locked.owner, name, but=locked)
            TenantList.objects.filter(pk=locked.pk).update(name=name, updated_at=timezone.now())
        self.name = name

    @alters_data
    def set_following(self, user: User, follows: bool) -> None:
        """R23: a following list keeps its images in step with its tenants from now on; turning
        it on or off offers or revokes nothing by itself."""
        with transaction.atomic():
            locked = self._lock(user, "change tenant lists")
            TenantList.objects.filter(pk=locked.pk).update(follows=follows, updated_at=timezone.now())
        self.follows = follows

    @alters_data
    def destroy(self, user: User) -> None:
        """R23: the list goes; the members it made stay, each as independent as ever (R2)."""
        with transaction.atomic():
            self._lock(user, "delete tenant lists").delete()

    @alters_data
    def set_tenants(self, user: User, tenant_ids: Iterable[object]) -> ListChange:
        """R23: the list's tenant IDs become `tenant_ids`. Any well-formed ID is kept, none looked up (R17).

        On a following list, each tenant added is offered every image shared through the
        list (R2, R8, R11 per image, as a share), and each tenant removed is revoked from
        them as the owner's Remove would (R12, R16). The list row is locked throughout, so
        a share with the list at the same moment sees the tenants either before or after.
        More than INLINE_OFFERS offers are left to the worker (`offer_followed_images`),
        enqueued in this transaction: `ListChange.waiting` counts them.
        """
        numbers = clean_tenant_numbers(tenant_ids)
        with transaction.atomic():
            locked = self._lock(user, "change tenant lists")
            before = locked.tenant_ids()
            kept, wanted = set(before), set(numbers)
            added = [number for number in numbers if number not in kept]
            removed = [number for number in before if number not in wanted]
            locked.entries.filter(tenant_id__in=removed).delete()
            TenantListEntry.objects.bulk_create([TenantListEntry(tenant_list=locked, tenant_id=n) for n in added])
            offered: list[ImageOutcome] = []
            revoked: list[ImageMember] = []
            waiting = 0
            if locked.follows:
                revoked = list(locked.revocations(removed))
                for member in revoked:
                    member.remove(user)
                images = list(locked.shared_images()) if added else []
                if len(images) * len(added) > INLINE_OFFERS:
                    offer_followed_images.enqueue(locked.pk, user.pk, added)  # runs after commit, or never
                    waiting = len(images) * len(added)
                else:
                    offered = locked._offer(user, images, added)
            TenantList.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        return ListChange(added, removed, offered, revoked, waiting)

    def _offer(self, user: User, images: list[Image], numbers: list[int]) -> list[ImageOutcome]:
        """R23 on the locked list row: offer these images to these tenants, answering for each."""
        outcomes = []
        for image in images:
            outcomes += [ImageOutcome(image, outcome) for outcome in image.add_members(user, numbers)]
        return outcomes


@task()
def offer_followed_images(tenant_list_id: int, user_id: int, tenant_ids: list[int]) -> int:
    """R23, from `TenantList.set_tenants`: offer a following list's images to the tenants added,
    one image at a time, each under the list's lock and only to those still on the list (one
    removed meanwhile is offered nothing); returns how many offers were made."""
    user = User.objects.select_related("account").filter(pk=user_id).first()
    found = TenantList.objects.filter(pk=tenant_list_id).first()
    if user is None or found is None:
        return 0
    made, added = 0, set(tenant_ids)
    for image in found.shared_images():
        try:
            with transaction.atomic():
                locked = found._lock(user, "change tenant lists")
                still = [number for number in locked.tenant_ids() if number in added]
                if locked.follows and still:
                    made += sum(row.outcome.added for row in locked._offer(user, [image], still))
        except DomainError as error:  # the person lost the right, or the list: nothing more is offered
            logger.warning("Offers of list %s stopped: %s", tenant_list_id, error.message)
            break
    return made


class TenantListEntry(models.Model):
    """R23: one tenant ID on a list, a number as typed (never a key to `Account`: R17)."""

    tenant_list = models.ForeignKey(TenantList, on_delete=models.CASCADE, related_name="entries")
    tenant_id = models.PositiveBigIntegerField(verbose_name="tenant ID")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_list", "tenant_id"], name="unique_tenant_list_entry")]

    def __str__(self) -> str:
        return str(self.tenant_id)


class ListShare(models.Model):
    """R23: an image shared through a list, which a following list keeps in step with its tenants."""

    tenant_list = models.ForeignKey(TenantList, on_delete=models.CASCADE, related_name="shares")
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="list_shares")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant_list", "image"], name="unique_list_share")]

    def __str__(self) -> str:
        return f"{self.image_id} through {self.tenant_list_id}"


def own_images(user: User, image_ids: Iterable[object]) -> list[Image]:
    """R1: the person's tenant's live images named by `image_ids`, in the order given, each with
    its `member_count`; any other ID (another tenant's, a deleted or missing image) is NotFound,
    alike, before anything changes."""
    owner = _owner(user, "share images")
    pks = list(dict.fromkeys(parse_field_value(Image, "pk", image_id) for image_id in image_ids))
    if not pks:
        raise InvalidValue("Select at least one image.")
    if len(pks) > IMAGES_PER_SHARE:
        raise InvalidValue(f"Share at most {IMAGES_PER_SHARE} images at a time ({len(pks)} selected).")
    if None in pks:
        raise NotFound()
    found = {image.pk: image for image in Image.objects.live().filter(owner=owner, pk__in=pks).with_member_count(owner)}
    if len(found) != len(pks):
        raise NotFound()
    return [found[pk] for pk in pks]


def check_bulk_share(
    user: User,
    images: list[Image],
    typed: list[str],
    tenant_list: "TenantList | None",
    *,
    acknowledged: bool,
    note: object,
) -> str:
    """What a bulk share refuses before it changes anything, now or in the background: R27, the
    note (R19), seed 004's checklist if any image's share would be its first, and nothing to
    share with. Returns the note, cleaned."""
    _owner(user, "share images")
    note = ImageMember.clean_note(note)
    if not acknowledged and any(image.is_first_share(getattr(image, "member_count", None)) for image in images):
        raise ChecklistRequired()
    if tenant_list is None and not typed:
        raise InvalidValue("Enter at least one tenant ID.")
    return note


@alters_data
def share_images(
    user: User,
    images: list[Image],
    *,
    tenant_ids: Iterable[object] = (),
    tenant_list: TenantList | None = None,
    acknowledged: bool = False,
    note: object = "",
    offer_expires_at: datetime | None = None,
    access_ends_at: datetime | None = None,
    each_image_apart: bool = False,
) -> list[ImageOutcome]:
    """R23 and bulk shares: share each image (`own_images`) with the tenant IDs, or with every
    tenant of `tenant_list`; one row per (image, tenant), in order.

    Each image is shared as the image page's Share does it (`Image.share_with`: R2, R4, R8,
    R9, R11 per image, R16, R18, R19, R22). Seed 004's checklist is asked once for all:
    if any image's share would be its first and it is not `acknowledged`, nothing changes.
    A public image gets one row with its refusal; any other refusal (R1, R27, the checklist
    if an image's last member went meanwhile) refuses the whole action, changing nothing.
    With a list, its row is locked before each image is shared, its tenants read under that
    lock, and the image remembered for the list (R23).

    `each_image_apart` (the background task): each image in a transaction of its own, so
    that a long share never holds the database, the list or its images for long; a refusal
    then keeps the images shared before it.
    """
    typed = [str(tenant_id) for tenant_id in tenant_ids]
    note = check_bulk_share(user, images, typed, tenant_list, acknowledged=acknowledged, note=note)
    ends = {"offer_expires_at": offer_expires_at, "access_ends_at": access_ends_at}
    rows: list[ImageOutcome] = []
    with nullcontext() if each_image_apart else transaction.atomic():
        for image in images:
            with transaction.atomic():
                locked = None if tenant_list is None else tenant_list._lock(user, "share images")
                tenants: list[object] = list(typed) if locked is None else list(locked.tenant_ids())
                if not tenants:
                    raise InvalidValue("This list has no tenant IDs yet.")
                try:
                    result = image.share_with(user, tenants, acknowledged=acknowledged, note=note, **ends)
                except NotShareable as error:  # a public image: refused as a whole, the others go on
                    rows.append(ImageOutcome(image, ShareOutcome("", error=error)))
                    continue
                rows += [ImageOutcome(image, outcome) for outcome in result.outcomes]
                if locked is not None and image.is_shared:
                    ListShare.objects.get_or_create(tenant_list=locked, image=image)
    return rows
