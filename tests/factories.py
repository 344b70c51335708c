"""Small factories: real rows through the real model methods, no fixtures files, no mocks."""

import itertools

from imagesharing.accounts.models import Account, Region, User
from imagesharing.choices import Role, Visibility
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember

_tenant_ids = itertools.count(900001)

# A well-formed image or server ID that no row has (the models' IDs are random uuid4s;
# this one's version nibble is 0, so uuid4() never makes it). A constant and not a
# uuid4() call, because parametrize IDs must be the same in every pytest-xdist worker.
NO_SUCH_ID = "00000000-0000-0000-0000-0000deadbeef"


def region(code: str = "DFW") -> Region:
    return Region.objects.get_or_create(code=code, defaults={"name": code})[0]


def account(*regions: Region, name: str = "", tenant_id: int | None = None) -> Account:
    tenant_id = tenant_id or next(_tenant_ids)
    created = Account.objects.create(tenant_id=tenant_id, name=name or f"Tenant {tenant_id}")
    created.regions.set(regions or [region()])
    return created


def user(account_: Account | None = None, *, username: str = "", staff: bool = False, role: str = Role.ADMIN) -> User:
    """A person of `account_`; an admin unless told otherwise, as everyone was before R27."""
    account_ = account_ if account_ is not None or staff else account()
    username = username or f"user{User.objects.count() + 1}-{account_.tenant_id if account_ else 'op'}"
    return User.objects.create_user(
        username, password="password", account=account_, is_staff=staff, is_superuser=staff, role=role
    )


def operator() -> User:
    return user(None, staff=True)


def image(
    owner: User,
    region_: Region | None = None,
    *,
    name: str = "image",
    size: int = 1024,
    visibility: str = Visibility.PRIVATE,
    active: bool = True,
) -> Image:
    region_ = region_ or owner.account.regions.first()
    created = Image.objects.create_image(owner, region_, name=name)
    if active:
        created.mark_active(size=size)
    if visibility == Visibility.SHARED:
        created.update(owner, visibility=Visibility.SHARED)
    elif visibility == Visibility.PUBLIC:
        created.update(operator(), visibility=Visibility.PUBLIC, as_operator=True)
    return created


def member(owner: User, image_: Image, consumer: User, status: str = "pending") -> ImageMember:
    """Share `image_` with the consumer's tenant and let the consumer answer."""
    if image_.visibility != Visibility.SHARED:
        image_.update(owner, visibility=Visibility.SHARED)
    added = image_.add_member(owner, consumer.account.tenant_id)
    if status != "pending":
        added.set_status(consumer, status)
    return added
