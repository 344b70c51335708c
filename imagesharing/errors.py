"""The one hierarchy of domain errors raised by the sharing rules (R1 to R17).

Model methods raise these; the panel turns them into messages and form errors,
the API into Glance's status codes. `http_status` is the code Glance answers
with for the same refusal, so the mapping lives here once.
"""


class DomainError(Exception):
    """A sharing rule refused the action. `message` is safe to show any user."""

    http_status = 400
    default_message = "The request was refused."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError):
    """R6, R7: the object does not exist or the caller may not know it does."""

    http_status = 404
    default_message = "No such image."


class NotOwner(DomainError):
    """R1: only the owner of the image may do this."""

    http_status = 403
    default_message = "Only the owner of this image can do that."


class NotPermitted(DomainError):
    """A rule forbids the action for this caller (R3, R4, R10)."""

    http_status = 403
    default_message = "You are not allowed to do that."


class RoleRequired(NotPermitted):
    """R27: the person's role in its tenant does not allow this; the message names the role needed."""

    default_message = "Your role in this tenant does not allow that."


class LastAdmin(DomainError):
    """R27: a tenant always keeps at least one active admin."""

    http_status = 409
    default_message = "A tenant always keeps at least one admin: make someone else an admin first."


class TooSoon(DomainError):
    """R20: a reminder before the interval since the last one has passed."""

    http_status = 429
    default_message = "Too soon: try again later."


class TenantUnavailable(DomainError):
    """R8, R17: one message for an unknown tenant and one outside the region."""

    http_status = 400
    default_message = "Cannot share with that tenant in this region."


class RegionNotEnabled(DomainError):
    """R8: the acting tenant is not enabled in the image's region."""

    http_status = 403
    default_message = "Your account is not enabled in this region."


class QuotaExceeded(DomainError):
    """R11: the image already has the most members allowed."""

    http_status = 413
    default_message = "This image has reached its member limit."


class AlreadyMember(DomainError):
    """R2: that tenant is already a member of the image."""

    http_status = 409
    default_message = "That tenant is already a member of this image."


class NotShareable(DomainError):
    """R9, R10: only images with visibility 'shared' have members."""

    http_status = 403
    default_message = "Only images with visibility 'shared' can have members."


class ChecklistRequired(DomainError):
    """Seed 004: the owner acknowledges the security and legal checklist before an image's first share."""

    http_status = 400
    default_message = "Confirm the security and legal checklist before the first share."


class StaleChange(DomainError):
    """The change was made on an older state of the image: something changed it since."""

    http_status = 409
    default_message = (
        "This image changed since the page was loaded, so nothing was saved. "
        "Here it is as it is now: make your change again if it still applies."
    )


class InvalidValue(DomainError):
    """A value is not one the rules accept (a member status, a name, a visibility)."""

    http_status = 400
    default_message = "That value is not valid."


class ImageProtected(DomainError):
    """R15: a protected image cannot be deleted."""

    http_status = 403
    default_message = "This image is protected and cannot be deleted."


class ImageNotActive(DomainError):
    """R15: only active images can be booted."""

    http_status = 409
    default_message = "Only active images can be used to boot a server."


class InvalidState(DomainError):
    """The image is not in a state that allows this (Glance answers 409 Conflict)."""

    http_status = 409
    default_message = "The image is not in a state that allows this."


class UploadAbandoned(InvalidState):
    """The reaper ended this upload (its worker stopped renewing its lease): its data is not stored."""

    default_message = "The upload stopped: the server receiving it went away. Create a new image and upload again."


class DataTooLarge(DomainError):
    """The image data would pass the size cap or the tenant's storage quota."""

    http_status = 413
    default_message = "The image data is larger than allowed."


class DataMismatch(DomainError):
    """The data received does not match the size or checksum declared for it."""

    http_status = 400
    default_message = "The data received does not match what was declared."


class BodyUnreadable(DomainError):
    """The request body stopped early or is not framed as it says (a bad chunk, a form that never ends)."""

    http_status = 400
    default_message = "The request body could not be read."


class LengthRequired(DomainError):
    """A chunked body reached a server that cannot decode it (only gunicorn's does)."""

    http_status = 411
    default_message = "This server reads no chunked bodies; send a Content-Length."


class RangeNotSatisfiable(DomainError):
    """A download's byte range starts past the end of the data (HTTP 416)."""

    http_status = 416
    default_message = "The requested range starts past the end of the image data."


class PolicyRefused(NotPermitted):
    """R28: a sharing policy the cloud's operators set refuses this share; it never says whether
    the other tenant exists (R17)."""

    default_message = "A sharing policy set by the cloud's operators does not allow this share."


class ApprovalRequired(PolicyRefused):
    """R28: a tenant's first share with a tenant waits for an operator's approval; a request is filed
    for it (by the caller, once the refused change has rolled back)."""

    default_message = (
        "An operator of the cloud must approve your tenant's first share with that tenant ID. "
        "A request was filed: the image will be offered once an operator approves it."
    )

    def __init__(self, message: str | None = None, *, owner_id: int = 0, tenant_id: int = 0, image_id=None):
        super().__init__(message)
        self.owner_id, self.tenant_id, self.image_id = owner_id, tenant_id, image_id
