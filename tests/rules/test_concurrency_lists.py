"""R23 under real concurrent transactions (PostgreSQL only): a following list gaining a tenant
while the same list is used to share an image ends with that tenant a member exactly once.

Without the list row's lock, the share would read the list's tenants before the new one
committed, and the change of tenants would read the list's images before the share
committed: the new tenant would never be offered the image. Two lists renamed to one name at
once are serialised on the tenant's row, as making lists is: one is refused, none fails.
"""

import pytest
from django.db import connection

from imagesharing.choices import Action
from imagesharing.memberships.history import Event
from imagesharing.memberships.lists import TenantList, own_images, share_images
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.rules.test_concurrency import held, race

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent transactions and row locks; SQLite serialises writers by itself",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("round_", range(3))
def test_r23_a_tenant_added_while_the_list_is_shared_with_is_a_member_exactly_once(owner, consumer, dfw, round_):
    newcomer = factories.account(dfw, name="New branch")
    tenant_list = TenantList.objects.create_list(owner, "Branches", follows=True)
    tenant_list.set_tenants(owner, [consumer.account.tenant_id])
    image = factories.image(owner, dfw, name="golden")

    def share():
        return share_images(owner, own_images(owner, [image.pk]), tenant_list=tenant_list, acknowledged=True)

    def add():
        return tenant_list.set_tenants(owner, [consumer.account.tenant_id, newcomer.tenant_id])

    results = race([held(share), held(add)])
    assert not any(isinstance(result, Exception) for result in results), results
    assert ImageMember.objects.filter(image=image, member=newcomer).count() == 1
    assert ImageMember.objects.filter(image=image, member=consumer.account).count() == 1
    assert Event.objects.filter(image=image, action=Action.MEMBER_ADDED, member=newcomer).count() == 1


def test_r23_two_lists_renamed_to_one_name_at_once_keep_names_unique(owner):
    first, second = (TenantList.objects.create_list(owner, name) for name in ("First", "Second"))
    results = race([held(lambda: first.rename(owner, "Branches")), held(lambda: second.rename(owner, "Branches"))])
    assert sorted(type(result).__name__ for result in results) == ["InvalidValue", "NoneType"]
    assert sorted(TenantList.objects.values_list("name", flat=True)) in (["Branches", "Second"], ["Branches", "First"])
