"""Image and member JSON exactly as Glance v2 writes it, so that clients' schema checks pass.

Links are relative to the endpoint root (`/v2/...`), as Glance's are; both
glanceclient and openstacksdk join them to the endpoint they were given.
"""

from datetime import UTC, datetime

from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember


def isotime(moment: datetime) -> str:
    """Glance's time format: UTC, whole seconds, `Z` (for example 2016-08-23T14:42:32Z)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _or_null(value: str) -> str | None:
    """Glance reports an unset text property as null; the model keeps it as ''."""
    return value or None


def image_json(image: Image) -> dict:
    """One image; the owner must be loaded with it (select_related) to keep lists at fixed queries."""
    path = f"/v2/images/{image.pk}"
    return {
        "id": str(image.pk),
        "name": _or_null(image.name),
        "status": image.status,
        "visibility": image.visibility,
        "protected": image.protected,
        "os_hidden": False,
        "owner": str(image.owner.tenant_id),
        "disk_format": _or_null(image.disk_format),
        "container_format": _or_null(image.container_format),
        "size": image.size,
        "virtual_size": None,
        "checksum": _or_null(image.checksum),
        "os_hash_algo": _or_null(image.os_hash_algo),
        "os_hash_value": _or_null(image.os_hash_value),
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "created_at": isotime(image.created_at),
        "updated_at": isotime(image.updated_at),
        "tags": [],
        "self": path,
        "file": f"{path}/file",
        "schema": "/v2/schemas/image",
    }


def member_json(member: ImageMember) -> dict:
    """One member; `member_id` is the consumer's tenant ID as a string, as Glance's project IDs are."""
    return {
        "image_id": str(member.image_id),
        "member_id": str(member.member.tenant_id),
        "status": member.status,
        "created_at": isotime(member.created_at),
        "updated_at": isotime(member.updated_at),
        "schema": "/v2/schemas/member",
    }
