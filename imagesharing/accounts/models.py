"""Tenants, the regions they are enabled in, the people who act for them, and API tokens."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from imagesharing.choices import ROLE_RANK, Role
from imagesharing.errors import (
    InvalidValue,
    LastAdmin,
    NotFound,
    NotPermitted,
    QuotaExceeded,
    RegionNotEnabled,
    RoleRequired,
    TenantUnavailable,
)
from imagesharing.lib.decorators import alters_data
from imagesharing.lib.parse import parse_field_value, parse_line, parse_tenant_id
from imagesharing.lib.rows import Columns, fetch_one

TENANT_NAME_MAX_LENGTH = 128
LABEL_MAX_LENGTH = 100
# A tenant's private labels (R21) are its notebook, not a directory: a bound keeps the Labels page one page.
LABELS_PER_TENANT = 1000


def clean_tenant_name(name: object) -> str:
    """R21: a tenant's display name, as operators and the tenant itself give it: 1 to 128 characters."""
    text = parse_line(name, TENANT_NAME_MAX_LENGTH)
    if not text:
        raise InvalidValue(f"A tenant needs a name of 1 to {TENANT_NAME_MAX_LENGTH} characters.")
    return text


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

    def people_seen_by(self, user: "User") -> "models.QuerySet[User]":
        """R27: a tenant admin sees its tenant's people (removed ones too), admins first."""
        user.require_role(Role.ADMIN, "see the tenant's people")
        if user.account_id != self.pk:
            raise NotFound("No such tenant.")
        return self.users.order_by("-is_active", "role", "username")

    def get_person(self, user: "User", person_id: object) -> "User":
        """One person of the tenant, for its admin; anyone else's is NotFound."""
        pk = parse_field_value(User, "pk", person_id)
        person = None if pk is None else self.people_seen_by(user).filter(pk=pk).first()
        if person is None:
            raise NotFound("No such person.")
        return person

    def require_region(self, region: Region) -> None:
        """R8: refuse to act in a region this tenant is not enabled in."""
        if not self.is_enabled_in(region):
            raise RegionNotEnabled(f"Your account is not enabled in region {region.code}.")

    @alters_data
    def rename(self, user: "User", name: object) -> None:
        """R21: a person of the tenant changes its display name (operators do it in the admin);
        R27: its admin."""
        if user.account_id != self.pk:
            raise NotPermitted("Only a person of this tenant can rename it.")
        user.require_role(Role.ADMIN, "rename the tenant")
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

    role = models.CharField(
        max_length=8,
        choices=Role.choices,
        default=Role.MEMBER,
        help_text="R27: admin (everything, people and tokens), member (shares, answers, boots), reader (sees only).",
    )

    def has_role(self, role: str) -> bool:
        """R27: this person's role is `role` or above (an admin is also a member and a reader)."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def can_change(self) -> bool:
        """R27, for templates: whether this person may change anything of the tenant's."""
        return self.has_role(Role.MEMBER)

    @property
    def is_tenant_admin(self) -> bool:
        """R27, for templates: whether this person manages the tenant's people and tokens."""
        return self.has_role(Role.ADMIN)

    def require_role(self, role: str, doing: str) -> None:
        """R27: the one check every method that changes a tenant's things makes first.

        `doing` completes the refusal ("share images"), which names the role needed.
        """
        if self.has_role(role):
            return
        if role == Role.ADMIN:
            raise RoleRequired(f"Only a tenant admin can {doing}.")
        raise RoleRequired(f"Readers cannot {doing}: ask a member or an admin of your tenant.")

    @alters_data
    def set_role(self, by: "User", role: str, *, as_operator: bool = False) -> None:
        """R27: a tenant admin (or an operator) changes a person's role; recorded (who, when,
        before, after). The last active admin is never demoted (`_lock_people`)."""
        if role not in Role.values:
            raise InvalidValue(f"A role is one of {', '.join(Role.values)}.")
        with transaction.atomic():
            person = self._lock_people(by, "change people's roles", as_operator)
            before = person.role
            if before == role:
                return
            if before == Role.ADMIN:
                person._require_another_admin()
            User.objects.filter(pk=person.pk).update(role=role)
            PersonChange.objects.record(by, person, PersonChange.Action.ROLE_CHANGED, before, role, as_operator)
        self.role = role

    @alters_data
    def remove_from_tenant(self, by: "User", *, as_operator: bool = False) -> None:
        """R27: a tenant admin (or an operator) removes a person: the login is deactivated and its
        API tokens and sessions end at once. The last active admin is never removed."""
        with transaction.atomic():
            person = self._lock_people(by, "remove people", as_operator)
            if not person.is_active:
                raise NotFound("No such person.")
            if person.role == Role.ADMIN:
                person._require_another_admin()
            User.objects.filter(pk=person.pk).update(is_active=False)
            person.api_tokens.all().delete()
            person.sessions.all().delete()
            PersonChange.objects.record(by, person, PersonChange.Action.REMOVED, person.role, "", as_operator)
        self.is_active = False

    def _lock_people(self, by: "User", doing: str, as_operator: bool) -> "User":
        """R27's gate for people changes, then the tenant's row locked: every change to a tenant's
        people waits for the one before, so two demotions at once cannot both pass the last-admin
        check. The acting admin is read again under the lock (it may have been demoted or removed
        meanwhile). Returns this person re-read under the lock."""
        if as_operator:
            by.require_operator()
        else:
            by.require_role(Role.ADMIN, doing)
            if by.account_id is None or by.account_id != self.account_id:
                raise NotFound("No such person.")
        if self.account_id is None:
            raise InvalidValue("This login belongs to no tenant.")
        Account.objects.select_for_update().filter(pk=self.account_id).first()
        if not as_operator:
            actor = User.objects.filter(pk=by.pk, is_active=True).first()
            if actor is None:
                raise NotPermitted("Your login was removed from this tenant.")
            actor.require_role(Role.ADMIN, doing)
        return User.objects.get(pk=self.pk)

    def _require_another_admin(self) -> None:
        """R27, under `_lock_people`: some other active person of the tenant is an admin."""
        others = User.objects.filter(account=self.account_id, role=Role.ADMIN, is_active=True).exclude(pk=self.pk)
        if not others.exists():
            raise LastAdmin()

    @alters_data
    def sign_out_everywhere(self) -> int:
        """End every session of this person (on every device and host: sessions live in the
        database); returns how many ended."""
        return self.sessions.all().delete()[0]

    def require_operator(self) -> None:
        """R10 and operator actions: only cloud staff may act outside their tenant's rights."""
        if not self.is_staff:
            raise NotPermitted("Only cloud operators can do that.")


class PersonChangeQuerySet(models.QuerySet["PersonChange"]):
    def seen_by(self, user: User) -> "PersonChangeQuerySet":
        """R27: a tenant admin sees its tenant's people history, newest first."""
        user.require_role(Role.ADMIN, "see the tenant's people")
        rows = self.filter(account=user.account_id).select_related("person", "actor")
        return rows.order_by("-created_at", "-pk")

    @alters_data
    def record(
        self,
        by: User | None,
        person: User | None,
        action: str,
        before: str,
        after: str,
        by_operator: bool = False,
        *,
        account: Account | None = None,
    ) -> "PersonChange":
        """Write one entry, in the change's transaction (`account`: when there is no person yet)."""
        account = account or (person.account if person is not None else None)
        assert account is not None  # only a tenant's people have a history here
        return self.create(
            account=account,
            person=person,
            actor=by,
            by_operator=by_operator,
            action=action,
            before=before,
            after=after,
        )


class PersonChange(models.Model):
    """R27's history of a tenant's people: who changed whom, when, before and after.

    Apart from R16's image history: it concerns people, not images, and only the
    tenant's admins (and operators) read it.
    """

    class Action(models.TextChoices):
        INVITED = "invited"
        JOINED = "joined"
        ROLE_CHANGED = "role_changed", "role changed"
        REMOVED = "removed"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="people_changes")
    person = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_operator = models.BooleanField(default=False)
    action = models.CharField(max_length=16, choices=Action.choices)
    before = models.CharField(max_length=254, blank=True)
    after = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonChangeQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"], name="people_change_account_time")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.person}"


class PersonSession(AbstractBaseSession):
    """A panel session, kept in the database with its person, so that a person's sessions can be
    listed and ended everywhere (`accounts/sessions.py` is the engine that fills `user`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions")
    last_seen_at = models.DateTimeField(auto_now=True)

    @classmethod
    def get_session_store_class(cls):
        from imagesharing.accounts.sessions import SessionStore  # the engine imports this model

        return SessionStore


def kept_tenant_id(value: object) -> int:
    """R17: a tenant ID a tenant keeps for itself (a label, R21; a list, R23; a trusted producer,
    R24) or operators keep for it (an allowed tenant, R28): any well-formed one, never looked up,
    so keeping it tells nothing of whether that tenant exists."""
    try:
        return parse_tenant_id(value)
    except TenantUnavailable:
        raise InvalidValue("A tenant ID is a positive whole number.") from None


def clean_label(text: object) -> str:
    """R21: a private label as typed, stripped; blank clears it."""
    label = parse_line(text, LABEL_MAX_LENGTH)
    if label is None:
        raise InvalidValue(f"A label is at most {LABEL_MAX_LENGTH} characters.")
    return label


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
    def set_label(self, user: User, tenant_id: object, text: object) -> str:
        """R21: write, change or (with blank text) clear the label of a tenant ID of the person's
        tenant (R27: not a reader); returns the label.

        Any well-formed tenant ID is accepted and no tenant is looked up, so labelling
        tells nothing of whether that tenant exists (R17).
        """
        user.require_role(Role.MEMBER, "label tenants")
        owner = user.account
        if owner is None:
            raise NotPermitted("This login does not belong to a tenant.")
        number = kept_tenant_id(tenant_id)
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
    def seen_by(self, user: User) -> "ApiTokenQuerySet":
        """A person's own tokens; R27: a tenant admin sees all of the tenant's, each with its person."""
        if user.is_tenant_admin and user.account_id is not None:
            return self.filter(user__account_id=user.account_id).select_related("user")
        return self.filter(user=user).select_related("user")

    def issue(
        self, user: User, name: str, lifetime: timedelta | None = None, *, as_operator: bool = False
    ) -> tuple["ApiToken", str]:
        """Create a token and return it with its plain text, which is never stored.

        R27: members and admins make their own; a reader's token (read-only, as its person)
        comes from an operator (`manage.py issue_token`).
        """
        if not as_operator:
            user.require_role(Role.MEMBER, "create API tokens")
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
    def revoke(self, user: User) -> None:
        """A person revokes its own tokens, whatever its role (a leaked one must die); R27: a
        tenant admin revokes any of the tenant's. Anyone else is told there is no such token."""
        if self.user_id != user.pk:
            if self.user.account_id != user.account_id or user.account_id is None:
                raise NotFound("No such token.")
            user.require_role(Role.ADMIN, "revoke other people's tokens")
        self.delete()

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


# Invitations (R27), producer rules (R24) and sharing policies (R28) live in their own modules, over
# the classes above; importing them here registers their models with the app, as the memberships
# app's models module does.
from imagesharing.accounts.invitations import Invitation  # noqa: E402
from imagesharing.accounts.policies import AllowedTenant, SharingPolicy, SharingSwitch  # noqa: E402
from imagesharing.accounts.trust import ProducerRule  # noqa: E402

__all__ = [
    "Account",
    "AllowedTenant",
    "ApiToken",
    "Invitation",
    "PersonChange",
    "PersonSession",
    "ProducerRule",
    "Region",
    "SharingPolicy",
    "SharingSwitch",
    "User",
]
