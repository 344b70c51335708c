"""R28: the guardrails operators put on a tenant's sharing, and the cloud-wide switch that holds a
tenant's first share with a new tenant until an operator approves it.

Every check here looks at the owner's policy and the tenant ID as typed, never at whether
that tenant exists, so an unknown tenant and a known one get the same answer (R17).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from imagesharing.accounts.models import Account, User, kept_tenant_id
from imagesharing.errors import InvalidValue, PolicyRefused
from imagesharing.lib.decorators import alters_data

SHARING_OFF = "A sharing policy set by the cloud's operators does not allow your tenant to share images."
NOT_ALLOWED = "A sharing policy set by the cloud's operators does not allow your tenant to share with that tenant ID."


# R28 as SQL columns, so that the read an offer makes anyway can carry them (`Image._membership_facts`):
# the owner's policy mode and member quota, whether its allowed list holds the tenant ID `{tenant}`,
# and the cloud's switch. Its parameters: `guardrail_params(owner_id)`.
GUARDRAILS_SQL = """(SELECT p.mode FROM accounts_sharingpolicy p WHERE p.account_id = %s),
       (SELECT p.member_quota FROM accounts_sharingpolicy p WHERE p.account_id = %s),
       EXISTS (SELECT 1 FROM accounts_allowedtenant t JOIN accounts_sharingpolicy p ON p.id = t.policy_id
                WHERE p.account_id = %s AND t.tenant_id = {tenant}),
       (SELECT s.approve_first_shares FROM accounts_sharingswitch s WHERE s.id = 1)"""


def guardrail_params(owner_id: int) -> list[int]:
    return [owner_id] * 3


@dataclass(frozen=True)
class Guardrails:
    """R28 for one owner tenant's offer to one tenant ID, as `GUARDRAILS_SQL` reads them."""

    mode: str = ""
    member_quota: int | None = None
    allowed: bool = False
    approval_required: bool = False

    @classmethod
    def read(cls, columns: Sequence) -> "Guardrails":
        mode, quota, allowed, approval = columns
        return cls(mode or "", quota, bool(allowed), bool(approval))

    def refusal(self) -> PolicyRefused | None:
        """Why the policy refuses the offer (before any member count), or None."""
        if self.mode == SharingPolicy.Mode.OFF:
            return PolicyRefused(SHARING_OFF)
        if self.mode == SharingPolicy.Mode.LISTED and not self.allowed:
            return PolicyRefused(NOT_ALLOWED)
        return None

    def member_limit(self) -> int:
        """The most members one of the owner's images may have: R11's, or the policy's lower quota."""
        if self.member_quota is None:
            return settings.IMAGE_MEMBER_QUOTA
        return min(self.member_quota, settings.IMAGE_MEMBER_QUOTA)

    def quota_refusal(self) -> PolicyRefused:
        return PolicyRefused(
            f"A sharing policy set by the cloud's operators allows your images {self.member_limit()} members each; "
            "this image has that many."
        )

    @property
    def lowers_quota(self) -> bool:
        return self.member_limit() < settings.IMAGE_MEMBER_QUOTA


class SharingPolicy(models.Model):
    """R28: what the cloud's operators allow one tenant's sharing. No row: no limits."""

    class Mode(models.TextChoices):
        OPEN = "open", "shares with any tenant"
        OFF = "off", "sharing off"
        LISTED = "listed", "shares only with the allowed tenant IDs"

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="sharing_policy")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.OPEN)
    member_quota = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The most members each of this tenant's images may have, below IMAGE_MEMBER_QUOTA; "
        "empty: IMAGE_MEMBER_QUOTA. Images that have more keep them; no more are added.",
    )
    reason = models.CharField(max_length=200, blank=True, help_text="For operators: why, and who asked.")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name_plural = "sharing policies"

    def __str__(self) -> str:
        return f"{self.account.tenant_id}: {self.get_mode_display()}"

    def clean_quota(self) -> None:
        """R28: a policy lowers the member quota; it never raises it past IMAGE_MEMBER_QUOTA."""
        if self.member_quota is not None and not 0 < self.member_quota < settings.IMAGE_MEMBER_QUOTA:
            raise InvalidValue(f"A policy's member quota is from 1 to {settings.IMAGE_MEMBER_QUOTA - 1}.")

    @alters_data
    def save_by(self, operator: User, allowed: Iterable[object] | None = None) -> None:
        """An operator sets the policy (and, given, its allowed tenant IDs), recorded as theirs, now."""
        operator.require_operator()
        self.clean_quota()
        numbers = None if allowed is None else {kept_tenant_id(number) for number in allowed}
        with transaction.atomic():
            self.changed_by, self.changed_at = operator, timezone.now()
            self.save()
            if numbers is not None:
                self.allowed.exclude(tenant_id__in=numbers).delete()
                kept = set(self.allowed.values_list("tenant_id", flat=True))
                AllowedTenant.objects.bulk_create(
                    AllowedTenant(policy=self, tenant_id=number) for number in sorted(numbers - kept)
                )


class AllowedTenant(models.Model):
    """R28: a tenant ID a `listed` policy lets its tenant share with; a number, not a key to `Account` (R17)."""

    policy = models.ForeignKey(SharingPolicy, on_delete=models.CASCADE, related_name="allowed")
    tenant_id = models.PositiveBigIntegerField(verbose_name="tenant ID")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "tenant_id"], name="unique_allowed_tenant")]

    def __str__(self) -> str:
        return str(self.tenant_id)


class SharingSwitch(models.Model):
    """R28's cloud-wide switch, one row that operators edit: hold each tenant's first share with a
    new tenant until an operator approves it."""

    approve_first_shares = models.BooleanField(
        default=False,
        help_text="A tenant's first offer to a tenant it has never shared with waits for an operator's approval.",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "sharing approval switch"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_sharing_switch")]

    def __str__(self) -> str:
        return "First shares need approval" if self.approve_first_shares else "First shares need no approval"

    @classmethod
    def current(cls) -> "SharingSwitch":
        return cls.objects.get_or_create(pk=1)[0]

    @alters_data
    def save_by(self, operator: User) -> None:
        """An operator turns the switch, recorded as theirs, now."""
        operator.require_operator()
        self.pk = 1
        self.changed_by, self.changed_at = operator, timezone.now()
        self.save()
