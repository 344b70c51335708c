"""R1 (one owner; only it changes, shares or deletes the image) and R4 (no self-membership)."""

import pytest

from imagesharing.choices import Action, MemberStatus
from imagesharing.errors import NotFound, NotOwner, NotPermitted
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.rules.checks import refused, unchanged


@pytest.fixture
def offered(owner, shared_image, consumer):
    """The consumer holds an accepted offer of the shared image."""
    return factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)


def test_r1_new_image_is_owned_by_the_creators_tenant(owner, dfw):
    image = Image.objects.create_image(owner, dfw, name="fresh")
    assert image.owner == owner.account
    assert image.region == dfw


def test_r1_login_without_tenant_cannot_create_an_image(operator, dfw):
    with refused(NotPermitted, match="does not belong to a tenant"):
        Image.objects.create_image(operator, dfw, name="orphan")


def test_r1_owner_renames_and_changes_properties(owner, image):
    changed = image.update(owner, name="  renamed  ", min_disk=20, protected=True)
    image.refresh_from_db()
    assert sorted(changed) == ["min_disk", "name", "protected"]
    assert (image.name, image.min_disk, image.protected) == ("renamed", 20, True)


def test_r1_owner_shares_adds_removes_and_deletes(owner, image, consumer):
    image.update(owner, visibility="shared")
    member = image.add_member(owner, consumer.account.tenant_id)
    member.remove(owner)
    image.destroy(owner)
    image.refresh_from_db()
    assert image.status == "deleted" and image.visibility == "shared"
    assert not ImageMember.objects.filter(image=image).exists()


@pytest.mark.parametrize("change", [{"name": "mine now"}, {"visibility": "private"}, {"protected": True}])
def test_r1_consumer_cannot_change_the_image(consumer, shared_image, offered, change):
    with refused(NotOwner, match="Only the owner"):
        shared_image.update(consumer, **change)


@pytest.mark.parametrize("change", [{"name": "mine now"}, {"visibility": "shared"}])
def test_r1_stranger_cannot_change_the_image_and_is_told_it_does_not_exist(stranger, image, change):
    with refused(NotFound, match="No such image"):
        image.update(stranger, **change)


def test_r1_consumer_cannot_delete_the_image(consumer, shared_image, offered):
    with refused(NotOwner):
        shared_image.destroy(consumer)


def test_r1_stranger_cannot_delete_the_image(stranger, image):
    with refused(NotFound):
        image.destroy(stranger)


def test_r1_consumer_cannot_add_members(consumer, other_consumer, shared_image, offered):
    with refused(NotOwner):
        shared_image.add_member(consumer, other_consumer.account.tenant_id)


def test_r1_consumer_cannot_share(consumer, other_consumer, shared_image, offered):
    with refused(NotOwner):
        shared_image.share_with(consumer, [other_consumer.account.tenant_id], acknowledged=True)


def test_r1_stranger_cannot_add_members(stranger, other_consumer, shared_image):
    with refused(NotFound):
        shared_image.add_member(stranger, other_consumer.account.tenant_id)


def test_r1_consumer_cannot_remove_another_member(owner, consumer, other_consumer, shared_image, offered):
    other = factories.member(owner, shared_image, other_consumer)
    with refused(NotOwner):
        other.remove(consumer)


def test_r1_stranger_cannot_remove_a_member(stranger, offered):
    with refused(NotFound):
        offered.remove(stranger)


def test_r1_operator_without_operator_flag_is_no_owner(operator, image):
    with refused(NotFound):
        image.update(operator, name="ops")


def test_r1_operator_acting_as_operator_may_delete(operator, image):
    image.destroy(operator, as_operator=True)
    image.refresh_from_db()
    assert image.status == "deleted"
    assert Event.objects.get(action=Action.IMAGE_DELETED).by_operator


def test_r1_non_staff_cannot_claim_operator_rights(stranger, image):
    with refused(NotPermitted, match="Only cloud operators"):
        image.destroy(stranger, as_operator=True)


def test_r4_owner_cannot_add_its_own_tenant(owner, shared_image):
    with refused(NotPermitted, match="own"):
        shared_image.add_member(owner, owner.account.tenant_id)


def test_r4_owner_cannot_share_with_itself_and_image_stays_private(owner, image):
    with unchanged():
        result = image.share_with(owner, [owner.account.tenant_id], acknowledged=True)
    assert not result.made_shared and not result.added
    assert type(result.outcomes[0].error) is NotPermitted


def test_r4_consumer_cannot_add_itself(consumer, shared_image):
    with refused(NotFound):
        shared_image.add_member(consumer, consumer.account.tenant_id)


def test_r4_member_cannot_add_itself_again(consumer, shared_image, offered):
    with refused(NotOwner):
        shared_image.add_member(consumer, consumer.account.tenant_id)


def test_r4_consumer_cannot_remove_itself(consumer, offered):
    with refused(NotPermitted, match="cannot remove itself"):
        offered.remove(consumer)
