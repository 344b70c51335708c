"""Tenants, the regions they are enabled in, the people who act for them, and API tokens."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from imagesharing.errors import InvalidValue, NotPermitted, QuotaExceeded, RegionNotEnabled, TenantUnavailable
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.parse import parse_tenant_id
from imagesharing.lib.rows import Columns, fetch_one

TENANT_NAME_MAX_LENGTH = 128
LABEL_MAX_LENGTH = 100
# A tenant's private labels (R21) are its notebook, not a directory: a bound keeps the Labels page one page.
LABELS_PER_TENANT = 1000


def clean_tenant_name(name: object) -> str:
    """R21: a tenant's display name, as operators and the tenant itself give it: 1 to 128 characters."""
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > TENANT_NAME_MAX_LENGTH or "\x00" in name:
        raise InvalidValue(f"A tenant needs a name of 1 to {TENANT_NAME_MAX_LENGTH} characters.")
    return name


class RegionQuerySet(models.QuerySet["Region"]):
    def enabled_for(self, account) -> "RegionQuerySet":
        """R8: the regions a tenant (an Account, or a reference to one in an outer query) acts in."""
        return self.filter(accounts=account)


class Region(models.Model):
    """A cloud region; every image and server lives in exactly one."""

    code = models.CharField(max_length=8, primary_key=True, help_text="Upper case, for example DFW.")
    name = models.CharField(max_length=64)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class AccountQuerySet(models.QuerySet["Account"]):
    def enabled_in(self, region: Region | str) -> "AccountQuerySet":
        """R8: the tenants an image in `region` may be shared with."""
        return self.filter(regions=region)

    def create_tenant(self, tenant_id, name: str, region_codes: list[str]) -> "Account":
        """A new tenant enabled in the given regions; refuses bad, duplicate or unknown values."""
        try:
            tenant_id = parse_tenant_id(tenant_id)
        except TenantUnavailable:
            raise InvalidValue(f"A tenant ID is a positive whole number, not {tenant_id!r}.") from None
        name = clean_tenant_name(name)
        codes = [code.upper() for code in region_codes]
        regions = list(Region.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {region.code for region in regions})
        if unknown or not codes:
            raise InvalidValue(f"Unknown region: {', '.join(unknown)}." if unknown else "Name at least one region.")
        with transaction.atomic():
            if self.filter(tenant_id=tenant_id).exists():
                raise InvalidValue(f"Tenant {tenant_id} already exists.")
            try:
                with transaction.atomic():
                    account = self.create(tenant_id=tenant_id, name=name)
            except IntegrityError:
                raise InvalidValue(f"Tenant {tenant_id} already exists.") from None
            account.regions.set(regions)
        return account


class Account(models.Model):
    """A tenant: the unit that owns images and servers and is charged for them."""

    tenant_id = models.PositiveBigIntegerField(unique=True, verbose_name="tenant ID")
    name = models.CharField(
        max_length=TENANT_NAME_MAX_LENGTH,
        verbose_name="display name",
        help_text="R21: shown beside the tenant ID to its counterparties only (its members, the owners of images "
        "shared with it); the tenant changes it in its panel.",
    )
    regions = models.ManyToManyField(Region, related_name="accounts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id"]

    def __str__(self) -> str:
        return f"{self.tenant_id} ({self.name})"

    def is_enabled_in(self, region: Region) -> bool:
        """R8. A query that already established it (the API's token lookup) leaves the answer here."""
        if region.pk in self.known_regions:
            return True
        return Region.objects.enabled_for(self).filter(pk=region.pk).exists()

    @property
    def known_regions(self) -> set[str]:
        """Codes of regions this tenant is known, by an earlier read, to be enabled in."""
        return self.__dict__.setdefault("_known_regions", set())

    def require_region(self, region: Region) -> None:
        """R8: refuse to act in a region this tenant is not enabled in."""
        if not self.is_enabled_in(region):
            raise RegionNotEnabled(f"Your account is not enabled in region {region.code}.")

    @alters_data
    def rename(self, user: "User", name: object) -> None:
        """R21: a person of the tenant changes its display name (operators do it in the admin)."""
        if user.account_id != self.pk:
            raise NotPermitted("Only a person of this tenant can rename it.")
        self.name = clean_tenant_name(name)
        self.save(update_fields=["name"])


class User(AbstractUser):
    """A person signing in. Acts for exactly one tenant; operators may have none."""

    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text="The tenant this user acts for. Only staff-only operator logins may have none.",
    )

    def require_operator(self) -> None:
        """R10 and operator actions: only cloud staff may act outside their tenant's rights."""
        if not self.is_staff:
            raise NotPermitted("Only cloud operators can do that.")


def label_tenant_id(value: object) -> int:
    """R21, R17: any well-formed tenant ID may be labelled; whether it exists is never looked up."""
    try:
        return parse_tenant_id(value)
    except TenantUnavailable:
        raise InvalidValue("A tenant ID is a positive whole number.") from None


def clean_label(text: object) -> str:
    """R21: a private label as typed, stripped; blank clears it."""
    text = text.strip() if isinstance(text, str) else ""
    if len(text) > LABEL_MAX_LENGTH or "\x00" in text:
        raise InvalidValue(f"A label is at most {LABEL_MAX_LENGTH} characters.")
    return text


class TenantLabelQuerySet(models.QuerySet["TenantLabel"]):
    def of(self, owner: Account) -> "TenantLabelQuerySet":
        """R21: a tenant's own labels, and nobody else's, by tenant ID."""
        return self.filter(owner=owner).order_by("tenant_id")

    def for_tenants(self, owner: Account, tenant_ids: Iterable[int]) -> dict[int, str]:
        """R21: the owner's labels of these tenant IDs (a page's), in one query; none asked, none run."""
        wanted = set(tenant_ids)
        if not wanted:
            return {}
        return dict(self.of(owner).filter(tenant_id__in=wanted).values_list("tenant_id", "text"))

    @alters_data
    def set_label(self, owner: Account, tenant_id: object, text: object) -> str:
        """R21: write, change or (with blank text) clear the owner's label of a tenant ID; returns the label.

        Any well-formed tenant ID is accepted and no tenant is looked up, so labelling
        tells nothing of whether that tenant exists (R17).
        """
        number = label_tenant_id(tenant_id)
        text = clean_label(text)
        mine = self.of(owner).filter(tenant_id=number)
        if not text:
            mine.delete()
            return ""
        with transaction.atomic():
            if mine.update(text=text, updated_at=timezone.now()):
                return text
            if self.of(owner).count() >= LABELS_PER_TENANT:
                raise QuotaExceeded(f"You have {LABELS_PER_TENANT} labels, the most allowed: clear one first.")
            try:
                with transaction.atomic():
                    self.create(owner=owner, tenant_id=number, text=text)
            except IntegrityError:  # the same tenant ID labelled at the same moment: this later text wins
                mine.update(text=text, updated_at=timezone.now())
        return text


class TenantLabel(models.Model):
    """R21: a tenant's private name for another tenant ID ("Dallas branch"), seen only by that tenant.

    The tenant ID is a number, not a key to `Account`: a label must not reveal, by
    a refusal or a cascade, whether such a tenant exists (R17).
    """

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    tenant_id = models.PositiveBigIntegerField(verbose_name="tenant ID")
    text = models.CharField(max_length=LABEL_MAX_LENGTH)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantLabelQuerySet.as_manager()

    class Meta:
        constraints = [
            # One label per (owner, tenant ID); its index also serves a page's lookup and the Labels page.
            models.UniqueConstraint(fields=["owner", "tenant_id"], name="unique_tenant_label"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.text}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def issue(self, user: User, name: str, lifetime: timedelta | None = None) -> tuple["ApiToken", str]:
        """Create a token and return it with its plain text, which is never stored."""
        name = (name or "").strip()
        if not name or len(name) > 100:
            raise InvalidValue("A token needs a name of 1 to 100 characters.")
        plain = secrets.token_urlsafe(32)
        token = self.create(
            user=user,
            name=name,
            prefix=plain[:8],
            digest=_digest(plain),
            expires_at=timezone.now() + lifetime if lifetime else None,
        )
        return token, plain

    def authenticate(self, plain: str, region_code: str | None = None) -> tuple[User, Region | None] | None:
        """The user a presented token acts for, or None if it is unknown or expired.

        With `region_code`, the same query also reads that region if the user's tenant
        is enabled in it (R8), and returns it beside the user: an API call needs its
        region, its caller and that rule, and gets all three from one query. The
        region is None when it is unknown or not the tenant's; the caller tells which.
        """
        digest = _digest(plain)
        token, region_name = _read_token(digest, region_code)
        if token is None or not hmac.compare_digest(token.digest, digest):
            return None
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            return None
        user = token.user
        if not user.is_active:
            return None
        token.touch(now)
        region = None
        if region_name is not None and region_code is not None and user.account is not None:
            region = Region(code=region_code, name=region_name)
            user.account.known_regions.add(region_code)
        return user, region


class ApiToken(models.Model):
    """A credential for the API. Only a SHA-256 digest of the token is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, help_text="The first characters, to recognise a token.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @alters_data
    def touch(self, now) -> None:
        """Record use, at most once a minute, so that a busy script does not write per request."""
        if self.last_used_at is None or now - self.last_used_at > timedelta(minutes=1):
            self.last_used_at = now
            self.save(update_fields=["last_used_at"])


_TOKEN, _USER, _ACCOUNT = Columns(ApiToken, "t"), Columns(User, "u"), Columns(Account, "a")
# R8 beside the caller: the region's name if the token's tenant is enabled in it.
_TOKEN_SQL = """
SELECT {token}, {user}, {account},
       (SELECT r.name FROM accounts_region r
          JOIN accounts_account_regions ar ON ar.region_id = r.code
         WHERE ar.account_id = a.id AND r.code = %s)
  FROM accounts_apitoken t
  JOIN accounts_user u ON u.id = t.user_id
  LEFT JOIN accounts_account a ON a.id = u.account_id
 WHERE t.digest = %s
"""


def _read_token(digest: str, region_code: str | None) -> tuple[ApiToken | None, str | None]:
    """The token with its user and tenant, and the name of `region_code` if the tenant is
    enabled in it, in one hand-written query (`lib/rows.py` says why)."""
    sql = _TOKEN_SQL.format(token=_TOKEN, user=_USER, account=_ACCOUNT)
    row = fetch_one(sql, [region_code, digest])
    if row is None:
        return None, None
    token, user = _TOKEN.read(row), _USER.read(row, len(_TOKEN))
    assert token is not None and user is not None  # joined on non-null keys
    user.account = _ACCOUNT.read(row, len(_TOKEN) + len(_USER))
    token.user = user
    return token, row[-1]


_SESSION_USER_SQL = """
SELECT {user}, {account}
  FROM accounts_user u
  LEFT JOIN accounts_account a ON a.id = u.account_id
 WHERE u.id = %s
"""


def read_user(user_id: int) -> User | None:
    """A session's user with its tenant, the first read of every panel page, by hand
    (`lib/rows.py` says why)."""
    row = fetch_one(_SESSION_USER_SQL.format(user=_USER, account=_ACCOUNT), [user_id])
    if row is None:
        return None
    user = _USER.read(row)
    if user is not None:
        user.account = _ACCOUNT.read(row, len(_USER))
    return user
