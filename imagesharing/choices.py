"""The vocabulary every layer shares: image status and visibility, member status, history actions.

Kept below the apps so that images, memberships, servers, the panel and the API
all take them from one place without importing one another.
"""

from django.db import models


class Visibility(models.TextChoices):
    PRIVATE = "private"
    SHARED = "shared"
    PUBLIC = "public"


class Status(models.TextChoices):
    """An image's life: `queued` until its data arrives, `saving` meanwhile, then `active`."""

    QUEUED = "queued"
    SAVING = "saving"
    ACTIVE = "active"
    KILLED = "killed"
    DELETED = "deleted"


class MemberStatus(models.TextChoices):
    """R3: a consumer's answer to an offer."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Action(models.TextChoices):
    """R16: what a history entry records."""

    MEMBER_ADDED = "member_added", "member added"
    MEMBER_STATUS_CHANGED = "member_status", "member status changed"
    MEMBER_REMOVED = "member_removed", "member removed"
    MEMBER_EXPIRED = "member_expired", "member expired"
    MEMBER_REMINDED = "member_reminded", "member reminded"
    MEMBER_TERMS_CHANGED = "member_terms", "member dates changed"
    VISIBILITY_CHANGED = "visibility", "visibility changed"
    IMAGE_DELETED = "image_deleted", "image deleted"


DISK_FORMATS = ["raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "iso", "ami", "ari", "aki", "ploop"]
CONTAINER_FORMATS = ["bare", "ovf", "ova", "docker", "ami", "ari", "aki", "compressed"]
NAME_MAX_LENGTH = 255
