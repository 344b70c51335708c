"""The vocabulary every layer shares: image status and visibility, member status, history actions.

Kept below the apps so that images, memberships, servers, the panel and the API
all take them from one place without importing one another.
"""

from django.db import models


class Visibility(models.TextChoices):
    PRIVATE = "private"
    SHARED = "shared"
    PUBLIC = "public"


class Role(models.TextChoices):
    """R27: what a person may do for its tenant. Ordered from most to least."""

    ADMIN = "admin"
    MEMBER = "member"
    READER = "reader"


ROLE_RANK = {Role.READER: 0, Role.MEMBER: 1, Role.ADMIN: 2}


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
    MEMBER_NOTE_CHANGED = "member_note", "offer note changed"
    MEMBER_EXPIRED = "member_expired", "member expired"
    MEMBER_REMINDED = "member_reminded", "member reminded"
    MEMBER_TERMS_CHANGED = "member_terms", "member dates changed"
    MEMBER_APPROVED = "member_approved", "first share approved"
    VISIBILITY_CHANGED = "visibility", "visibility changed"
    IMAGE_DELETED = "image_deleted", "image deleted"
    IMAGE_DEPRECATED = "deprecated", "image deprecated"  # R25
    DEPRECATION_CANCELLED = "undeprecated", "deprecation cancelled"  # R25


DISK_FORMATS = ["raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "iso", "ami", "ari", "aki", "ploop"]
CONTAINER_FORMATS = ["bare", "ovf", "ova", "docker", "ami", "ari", "aki", "compressed"]
NAME_MAX_LENGTH = 255


class NoticeKind(models.TextChoices):
    """R18: what a notice tells its recipient; each kind is one e-mail preference too.

    `reminder` (R20) and `expired` (R22) are written by the rules that add them.
    """

    OFFER = "offer", "an image is offered to you"
    ANSWER = "answer", "a tenant answers your offer"
    REVOKED = "revoked", "an image is no longer shared with you"
    IMAGE_DELETED = "deleted", "an image shared with you is deleted"
    MADE_PRIVATE = "private", "an image shared with you is made private"
    REMINDER = "reminder", "a producer reminds you of an offer"
    EXPIRED = "expired", "an offer or a share expires"
    REPORT = "report", "a tenant reports an image (operators)"
    REPORT_CLOSED = "closed", "an operator closes your tenant's report (admins)"
    DEPRECATED = "deprecated", "an image shared with you is deprecated"  # R25
    UNDEPRECATED = "undeprecated", "an image shared with you is no longer deprecated"  # R25
    SHARE_APPROVED = "approved", "an operator approves a first share you asked for"
    SHARE_REFUSED = "refused", "an operator refuses a first share you asked for"


# The kinds a tenant's people receive, in the order the preferences page lists them.
TENANT_NOTICE_KINDS = [kind for kind in NoticeKind if kind != NoticeKind.REPORT]
