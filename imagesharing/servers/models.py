"""Simulated compute: servers booted from images, and their snapshots (R6, R8, R12, R13, R15),
and what an image's owner may know of its members' servers (R26).

There is no real VM: a server is a record and a state. What matters here is which
images a tenant may boot and who owns what a server produces.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from imagesharing.accounts.models import Account, Region, User
from imagesharing.choices import NAME_MAX_LENGTH, Role, Visibility
from imagesharing.errors import InvalidValue, NotFound, NotPermitted
from imagesharing.images.models import Image
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.parse import parse_field_value
from imagesharing.memberships.members import ImageMember, ImageMemberQuerySet


def _clean_server_name(name) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX_LENGTH:
        raise InvalidValue(f"A server needs a name of 1 to {NAME_MAX_LENGTH} characters.")
    return name.strip()


@dataclass(frozen=True)
class MemberUsage:
    """R26: all an owner learns of one member's servers booted from its image: how many run,
    and when the newest of them on record was booted. Never which servers, nor their names."""

    running: int = 0
    last_boot: datetime | None = None


NO_USAGE = MemberUsage()


class Usage:
    """R26: the usage of some members, from one aggregate query; a member with no server has NO_USAGE."""

    def __init__(self, rows: Iterable[dict]):
        self._by_pair = {(row["image"], row["owner"]): MemberUsage(row["running"], row["last_boot"]) for row in rows}

    def of(self, member: ImageMember) -> MemberUsage:
        return self._by_pair.get((member.image_id, member.member_id), NO_USAGE)


class ServerQuerySet(models.QuerySet["Server"]):
    def owned_by(self, account: Account) -> "ServerQuerySet":
        return self.filter(owner=account)

    def get_owned(self, account: Account, server_id) -> "Server":
        """A server of the tenant's, or NotFound alike for another tenant's and a missing one."""
        pk = parse_field_value(self.model, "pk", server_id)
        server = None if pk is None else self.owned_by(account).select_related("image", "region").filter(pk=pk).first()
        if server is None:
            raise NotFound("No such server.")
        return server

    def boot(self, user: User, image: Image | str, name: str, region: Region | None = None) -> "Server":
        """R6, R8, R15: boot from an image the tenant may use, in the image's region only.

        `image` is an Image or an image ID as typed; either way it goes through the R6
        gate (a member of any status may boot). `region`, when given, is where the
        caller is working and must be the image's.
        """
        account = user.account
        if account is None:
            raise NotPermitted("This login does not belong to a tenant.")
        user.require_role(Role.MEMBER, "boot servers")  # R27
        name = _clean_server_name(name)
        image = Image.objects.get_usable(account, getattr(image, "pk", image))
        image.require_bootable()
        if region is not None and region.pk != image.region_id:
            raise InvalidValue(f"This image is in region {image.region_id}; servers boot only in their image's region.")
        account.require_region(image.region)
        return self.create(owner=account, region=image.region, image=image, name=name)

    def usage_by_member(self, user: User, image: Image) -> Usage:
        """R26: for the owner of `image`, each current member's servers booted from it, as counts and a date.

        Only current members count (R22's `current()`, private images' kept members
        included): a revoked tenant's servers are its own business (R12), and showing
        them would tell the owner what a former member still does. `running` counts the
        servers still running; `last_boot` is the newest of the member's servers on
        record, running or not (a deleted server leaves no record). A member is
        refused (NotOwner) and a stranger told the image does not exist (R1, R7).
        """
        image.require_owner(user)
        return Usage(self.usage_rows(ImageMember.objects.current().filter(image=image), [image.pk]))

    def usage_of_offers(self, account: Account, offers: Iterable[ImageMember]) -> Usage:
        """R26 for several members of several images (Shared by me's bulk Remove): only those of
        the tenant's own images count; any other is left out, as if it had no server."""
        offers = list(offers)
        members = ImageMember.objects.current().filter(pk__in=[offer.pk for offer in offers], image__owner=account)
        return Usage(self.usage_rows(members, {offer.image_id for offer in offers}))

    def usage_rows(self, members: ImageMemberQuerySet, image_ids: Iterable) -> models.QuerySet:
        """R26's one query, whatever the number of members and servers: a row per (image, member
        tenant) of `members` with servers from images `image_ids`, its count running and last boot.
        The callers above choose `members`; nothing else should, as it decides who is seen."""
        pair = members.filter(image=OuterRef("image"), member=OuterRef("owner"))
        return (
            self.filter(Exists(pair), image__in=list(image_ids))
            .order_by()
            .values("image", "owner")
            .annotate(running=Count("status", filter=Q(status=Server.State.ACTIVE)), last_boot=Max("created_at"))
        )


class Server(models.Model):
    """A tenant's server. It keeps the image it booted from even after revocation or deletion (R12, R15)."""

    class State(models.TextChoices):
        ACTIVE = "active"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="servers")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="servers")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    image = models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        related_name="servers",
        help_text="The image it booted from; kept after the image is revoked or deleted.",
        db_index=False,  # `server_image_usage` begins with it
    )
    status = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ServerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Servers page: "this tenant's servers in a region, newest first".
            models.Index(fields=["owner", "region", "-created_at", "-id"], name="server_owner_list"),
            # R26: "an image's servers per tenant": counts and the last boot, read from the index alone.
            models.Index(fields=["image", "owner", "status", "created_at"], name="server_image_usage"),
        ]

    def __str__(self) -> str:
        return self.name

    def require_owner(self, user: User) -> None:
        if user.account_id != self.owner_id:
            raise NotFound("No such server.")

    @alters_data
    def snapshot(self, user: User, name: str) -> Image:
        """R13: a new private image owned by the server's tenant, never by the base image's producer.

        Its data is a small generated file (there is no real disk to copy), stored and
        hashed like any upload so that it can be downloaded like any image (R14: its
        bytes are charged to the snapshot's owner).
        """
        user.require_role(Role.MEMBER, "take snapshots")  # R27
        self.require_owner(user)
        name = _clean_server_name(name)
        base = self.image
        image = Image.objects.create(
            owner_id=self.owner_id,
            region_id=self.region_id,
            name=name,
            visibility=Visibility.PRIVATE,
            disk_format=base.disk_format,
            container_format=base.container_format,
            min_disk=base.min_disk,
            min_ram=base.min_ram,
            base_image_id=base.pk,
        )
        image.receive_data(user, [self._snapshot_data(image)])
        return image

    def _snapshot_data(self, image: Image) -> bytes:
        return (
            f"Simulated snapshot {image.pk}\n"
            f"of server {self.pk} ({self.name}) in {self.region_id},\n"
            f"booted from image {self.image_id}, taken {image.created_at.isoformat()}.\n"
        ).encode()

    @alters_data
    def destroy(self, user: User) -> None:
        """Only the owner deletes its server; images are untouched."""
        user.require_role(Role.MEMBER, "delete servers")  # R27
        self.require_owner(user)
        self.delete()
