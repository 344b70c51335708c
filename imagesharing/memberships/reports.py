"""Seed 004's "Report this image": a consumer's report about a shared image, in the operators' queue."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from imagesharing.accounts.models import Account, User
from imagesharing.choices import NoticeKind, Role
from imagesharing.errors import InvalidValue, NotFound, NotPermitted
from imagesharing.images.models import Image
from imagesharing.lib.decorators import alters_data
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import Notice

REPORT_DETAILS_MAX_LENGTH = 2000


class ImageReportQuerySet(models.QuerySet["ImageReport"]):
    def open(self) -> "ImageReportQuerySet":
        """The operators' queue: reports nobody has closed yet, oldest first."""
        return self.filter(closed_at__isnull=True).order_by("created_at", "pk")

    def file(self, user: User, image: Image, reason: str, details: str = "") -> "ImageReport":
        """Seed 004: a consumer reports an image shared with it in error or with malicious intent.

        Only a member (any status) of a live shared image may report it; the owner is
        refused, anyone else is told the image does not exist (R6). Every operator gets a
        notice (R18).
        """
        account = user.account
        if account is None:
            raise NotPermitted("This login does not belong to a tenant.")
        user.require_role(Role.MEMBER, "report images")  # R27
        if reason not in ImageReport.Reason.values:
            raise InvalidValue(f"Reason must be one of {', '.join(ImageReport.Reason.values)}.")
        if not isinstance(details, str) or len(details) > REPORT_DETAILS_MAX_LENGTH:
            raise InvalidValue(f"Details must be text of at most {REPORT_DETAILS_MAX_LENGTH} characters.")
        if account.pk == image.owner_id:
            raise NotPermitted("You own this image; only the tenants it is shared with can report it.")
        if image.is_public:
            raise NotPermitted(
                "Public images are the cloud's own base images; only images shared with you are reported here."
            )
        if not ImageMember.objects.active().filter(image=image, member=account).exists():
            raise NotFound()
        with transaction.atomic():
            report = self.create(
                image=image, reporter=account, reported_by=user, reason=reason, details=details.strip()
            )
            Notice.objects.notify(NoticeKind.REPORT, image, to=None, about=account.pk, report=report)  # R18
        return report


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

    @alters_data
    def close(self, user: User, resolution: str = "") -> None:
        """Operators only: take the report off the queue, saying what was done."""
        user.require_operator()
        if len(resolution) > 200:
            raise InvalidValue("The resolution must be at most 200 characters.")
        self.closed_at = timezone.now()
        self.closed_by = user
        self.resolution = resolution.strip()
        with transaction.atomic():
            self.save(update_fields=["closed_at", "closed_by", "resolution"])
            # R27: the outcome goes to the reporting tenant's admins (R18's AUDIENCE).
            Notice.objects.notify(NoticeKind.REPORT_CLOSED, self.image, to=[self.reporter_id], about=None, report=self)
