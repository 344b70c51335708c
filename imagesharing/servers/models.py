"""Simulated compute: servers booted from images, and their snapshots (R6, R8, R12, R13, R15).

There is no real VM: a server is a record and a state. What matters here is which
images a tenant may boot and who owns what a server produces.
"""

import uuid

from django.db import models
from django.utils import timezone

from imagesharing.accounts.models import Account, Region, User
from imagesharing.choices import NAME_MAX_LENGTH, Role, Visibility
from imagesharing.errors import InvalidValue, NotFound, NotPermitted
from imagesharing.images.models import Image
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.parse import parse_field_value


def _clean_server_name(name) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX_LENGTH:
        raise InvalidValue(f"A server needs a name of 1 to {NAME_MAX_LENGTH} characters.")
    return name.strip()


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
    )
    status = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ServerQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Servers page: "this tenant's servers in a region, newest first".
            models.Index(fields=["owner", "region", "-created_at", "-id"], name="server_owner_list"),
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
