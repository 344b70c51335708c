"""R28: with the cloud's switch on, a tenant's first share with a tenant it never shared with waits
for an operator: the offer is refused, a request is filed, and an operator approves or refuses it.
On approval the held images are offered as the person who asked would have offered them.

The request names the other tenant by the ID the producer typed, never by a key to `Account`:
an unknown tenant ID is held and filed exactly as a known one is (R17).
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from imagesharing.accounts.models import Account, User
from imagesharing.choices import Action, NoticeKind
from imagesharing.choices import Status as ImageStatus
from imagesharing.errors import ApprovalRequired, DomainError, InvalidState
from imagesharing.lib.decorators import alters_data

if TYPE_CHECKING:  # types only: the image model imports this module, and memberships sits above images
    from imagesharing.images.models import Image
    from imagesharing.memberships.members import ImageMember


class ShareRequestQuerySet(models.QuerySet["ShareRequest"]):
    def pending(self) -> "ShareRequestQuerySet":
        return self.filter(status=ShareRequest.Status.PENDING)

    def held_back(self, owner_id: int, tenant_ids: Iterable[int]) -> set[int]:
        """R28, with the switch on: which of these tenant IDs the owner tenant (an `Account` pk) may
        not offer to yet, in one query: those with no approved request and no member of any of
        its images (a pair that shares already is no first share), nor the owner's own ID (R4 answers it)."""
        wanted = set(tenant_ids)
        if not wanted:
            return set()
        image_model = cast("type[Image]", self.model._meta.get_field("images").related_model)
        members = cast("type[ImageMember]", image_model._meta.get_field("members").related_model)
        approved = self.filter(owner_id=owner_id, tenant_id__in=wanted, status=ShareRequest.Status.APPROVED)
        shared = members.objects.filter(image__owner_id=owner_id, member__tenant_id__in=wanted)
        own = Account.objects.filter(pk=owner_id, tenant_id__in=wanted)
        parts = [
            approved.values_list("tenant_id"),
            shared.values_list("member__tenant_id"),
            own.values_list("tenant_id"),
        ]
        known = parts[0].order_by().union(*(part.order_by() for part in parts[1:]), all=True)
        return wanted - {number for (number,) in known}

    @alters_data
    def file(self, user: User, held: Iterable[ApprovalRequired]) -> list["ShareRequest"]:
        """File (or add to) the pending request of each held offer, once its refusal has rolled back:
        one request per (owner, tenant ID), holding every image offered meanwhile."""
        filed = []
        for refusal in held:
            with transaction.atomic():
                request = self._pending_for(user, refusal.owner_id, refusal.tenant_id)
                request.images.add(refusal.image_id)
            filed.append(request)
        return filed

    def _pending_for(self, user: User, owner_id: int, tenant_id: int) -> "ShareRequest":
        pending = self.pending().filter(owner_id=owner_id, tenant_id=tenant_id)
        request = pending.first()
        if request is not None:
            return request
        try:
            with transaction.atomic():
                return self.create(owner_id=owner_id, tenant_id=tenant_id, requested_by=user)
        except IntegrityError:  # filed by another request at the same moment
            return pending.get()


class ShareRequest(models.Model):
    """R28: an owner tenant asks to share with a tenant ID for the first time; operators decide."""

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for an operator"
        APPROVED = "approved"
        REFUSED = "refused"

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    tenant_id = models.PositiveBigIntegerField(verbose_name="tenant ID", help_text="As the producer typed it.")
    images = models.ManyToManyField("images.Image", related_name="+", help_text="The images held for it.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ShareRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "tenant_id"], condition=models.Q(status="pending"), name="one_pending_share_request"
            ),
        ]
        indexes = [models.Index(fields=["owner", "tenant_id", "status"], name="share_request_pair")]

    def __str__(self) -> str:
        return f"{self.owner.tenant_id} → {self.tenant_id} ({self.status})"

    @alters_data
    def approve(self, operator: User) -> list[tuple["Image", DomainError | None]]:
        """An operator approves: the pair may share from now on, and each held image is offered as
        the person who asked would have (R1, R2, R8, R11, R27 and the other policies still apply;
        a refusal is told per image). The producer hears of it (R18). Returns each image's outcome."""
        images = self._decide(operator, ShareRequest.Status.APPROVED)
        outcomes: list[tuple[Image, DomainError | None]] = []
        for image in images:
            outcomes.append((image, self._offer(image, operator)))
        return outcomes

    def _offer(self, image: "Image", operator: User) -> DomainError | None:
        """One held image offered as its requester would have; R16 records the operator's approval beside it."""
        if self.requested_by is None:
            return InvalidState("The person who asked is gone: the producer can share the image again itself.")
        try:
            with transaction.atomic():
                outcome = image.share_with(self.requested_by, [self.tenant_id], acknowledged=True).outcomes[0]
                if outcome.member is not None:
                    note = "a first share, approved by a cloud operator"
                    image.record(
                        operator, Action.MEMBER_APPROVED, member=outcome.member.member, by_operator=True, note=note
                    )
        except DomainError as error:
            return error
        return outcome.error

    @alters_data
    def refuse(self, operator: User) -> None:
        """An operator refuses: nothing is offered, and the producer hears of it (R18)."""
        self._decide(operator, ShareRequest.Status.REFUSED)

    def _decide(self, operator: User, status: str) -> list["Image"]:
        operator.require_operator()
        with transaction.atomic():
            locked = ShareRequest.objects.select_for_update().filter(pk=self.pk).first()
            if locked is None or locked.status != ShareRequest.Status.PENDING:
                raise InvalidState("This request has been decided already.")
            locked.status, locked.decided_by, locked.decided_at = status, operator, timezone.now()
            locked.save(update_fields=["status", "decided_by", "decided_at"])
            images = list(locked.images.exclude(status=ImageStatus.DELETED))
            kind = NoticeKind.SHARE_APPROVED if status == ShareRequest.Status.APPROVED else NoticeKind.SHARE_REFUSED
            for image in images:
                image.notices.notify(kind, image, to=[self.owner_id], about=None)
        self.status, self.decided_by, self.decided_at = locked.status, locked.decided_by, locked.decided_at
        return images
