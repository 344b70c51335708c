"""R2 (one row per image and tenant), R7 (who sees the members) and R11 (member quota)."""

import pytest

from imagesharing.choices import MemberStatus
from imagesharing.errors import AlreadyMember, NotFound, NotShareable, QuotaExceeded
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.rules.checks import refused, unchanged


def tenant(user) -> int:
    return user.account.tenant_id


# R2


def test_r2_add_makes_one_pending_member(owner, consumer, shared_image):
    member = shared_image.add_member(owner, tenant(consumer))
    assert member.status == MemberStatus.PENDING
    assert list(ImageMember.objects.values_list("image", "member")) == [(shared_image.pk, consumer.account.pk)]


def test_r2_tenant_id_may_be_given_as_text(owner, consumer, shared_image):
    member = shared_image.add_member(owner, f" {tenant(consumer)} ")
    assert member.member == consumer.account


def test_r2_duplicate_add_is_already_member_with_one_row(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    with refused(AlreadyMember, match=f"Tenant {tenant(consumer)} is already a member"):
        shared_image.add_member(owner, tenant(consumer))
    assert ImageMember.objects.get().status == MemberStatus.ACCEPTED


def test_r2_duplicate_in_share_is_answered_per_id_and_keeps_one_row(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    with unchanged():
        result = shared_image.share_with(owner, [tenant(consumer)], acknowledged=True)
    assert type(result.outcomes[0].error) is AlreadyMember
    assert ImageMember.objects.count() == 1


def test_r2_same_id_twice_in_one_share_adds_it_once(owner, consumer, shared_image):
    result = shared_image.share_with(owner, [tenant(consumer), f"{tenant(consumer)} "], acknowledged=True)
    assert len(result.outcomes) == 1 and result.outcomes[0].added
    assert ImageMember.objects.count() == 1


def test_r2_sharing_with_many_makes_independent_members(owner, consumer, other_consumer, shared_image):
    result = shared_image.share_with(owner, [tenant(consumer), tenant(other_consumer)], acknowledged=True)
    assert [outcome.added for outcome in result.outcomes] == [True, True]
    first, second = result.added
    first.set_status(consumer, MemberStatus.ACCEPTED)
    second.refresh_from_db()
    assert second.status == MemberStatus.PENDING


def test_r2_revoking_one_member_leaves_the_others(owner, consumer, other_consumer, shared_image):
    first = factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    second = factories.member(owner, shared_image, other_consumer, MemberStatus.ACCEPTED)
    first.remove(owner)
    assert list(ImageMember.objects.all()) == [second]
    assert ImageMember.objects.get().status == MemberStatus.ACCEPTED


def test_r2_the_same_tenant_may_be_a_member_of_many_images(owner, consumer, dfw):
    images = [factories.image(owner, dfw, visibility="shared") for _ in range(2)]
    for image in images:
        image.add_member(owner, tenant(consumer))
    assert ImageMember.objects.filter(member=consumer.account).count() == 2


def test_r2_removed_member_may_be_added_again_as_pending(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED).remove(owner)
    again = shared_image.add_member(owner, tenant(consumer))
    assert again.status == MemberStatus.PENDING
    assert ImageMember.objects.count() == 1


# R7


@pytest.fixture
def two_members(owner, consumer, other_consumer, shared_image):
    return (
        factories.member(owner, shared_image, consumer, MemberStatus.REJECTED),
        factories.member(owner, shared_image, other_consumer, MemberStatus.ACCEPTED),
    )


def test_r7_owner_sees_every_member_with_status_and_times(owner, shared_image, two_members):
    seen = list(ImageMember.objects.visible_to(owner.account, shared_image))
    assert seen == list(two_members)
    assert [member.status for member in seen] == [MemberStatus.REJECTED, MemberStatus.ACCEPTED]
    assert all(member.created_at and member.updated_at >= member.created_at for member in seen)


@pytest.mark.parametrize("status", MemberStatus.values)
def test_r7_consumer_of_any_status_sees_only_its_own_record(owner, consumer, other_consumer, shared_image, status):
    factories.member(owner, shared_image, other_consumer, MemberStatus.ACCEPTED)
    mine = factories.member(owner, shared_image, consumer, status)
    assert list(ImageMember.objects.visible_to(consumer.account, shared_image)) == [mine]


def test_r7_stranger_gets_not_found(stranger, shared_image, two_members):
    with refused(NotFound) as info:
        ImageMember.objects.visible_to(stranger.account, shared_image)
    assert info.value.message == NotFound().message


def test_r7_revoked_consumer_gets_not_found(owner, consumer, shared_image, two_members):
    two_members[0].remove(owner)
    with refused(NotFound):
        ImageMember.objects.visible_to(consumer.account, shared_image)


def test_r7_nobody_sees_members_of_a_deleted_image(owner, consumer, shared_image, two_members):
    shared_image.destroy(owner)
    for account in (owner.account, consumer.account):
        with refused(NotFound):
            ImageMember.objects.visible_to(account, shared_image)


def test_r7_members_of_a_private_image_are_not_shown(owner, consumer, shared_image, two_members):
    """R9: members kept while the image is private give no access and are not listed."""
    shared_image.update(owner, visibility="private")
    with refused(NotShareable):
        ImageMember.objects.visible_to(owner.account, shared_image)
    with refused(NotFound):
        ImageMember.objects.visible_to(consumer.account, shared_image)


# R11


@pytest.fixture
def quota_of_two(settings):
    settings.IMAGE_MEMBER_QUOTA = 2


def test_r11_add_up_to_the_quota(owner, shared_image, quota_of_two, dfw):
    for _ in range(2):
        shared_image.add_member(owner, factories.account(dfw).tenant_id)
    assert shared_image.members.count() == 2


def test_r11_one_more_than_the_quota_is_refused(owner, shared_image, quota_of_two, dfw):
    for _ in range(2):
        shared_image.add_member(owner, factories.account(dfw).tenant_id)
    third = factories.account(dfw).tenant_id
    with refused(QuotaExceeded, match="already has 2 members, the most allowed"):
        shared_image.add_member(owner, third)
    assert QuotaExceeded.http_status == 413


def test_r11_rejected_members_count_towards_the_quota(owner, consumer, other_consumer, shared_image, quota_of_two, dfw):
    factories.member(owner, shared_image, consumer, MemberStatus.REJECTED)
    factories.member(owner, shared_image, other_consumer, MemberStatus.REJECTED)
    third = factories.account(dfw).tenant_id
    with refused(QuotaExceeded):
        shared_image.add_member(owner, third)


def test_r11_removing_a_member_frees_a_place(owner, consumer, other_consumer, shared_image, quota_of_two, dfw):
    factories.member(owner, shared_image, consumer).remove(owner)
    factories.member(owner, shared_image, other_consumer)
    shared_image.add_member(owner, factories.account(dfw).tenant_id)
    assert shared_image.members.count() == 2


def test_r11_share_adds_until_the_quota_and_refuses_the_rest(owner, shared_image, quota_of_two, dfw):
    ids = [factories.account(dfw).tenant_id for _ in range(4)]
    result = shared_image.share_with(owner, ids, acknowledged=True)
    assert [outcome.added for outcome in result.outcomes] == [True, True, False, False]
    assert {type(outcome.error) for outcome in result.outcomes[2:]} == {QuotaExceeded}
    assert set(shared_image.members.values_list("member__tenant_id", flat=True)) == set(ids[:2])


def test_r11_share_on_a_full_image_changes_nothing(owner, shared_image, quota_of_two, dfw):
    shared_image.share_with(owner, [factories.account(dfw).tenant_id for _ in range(2)], acknowledged=True)
    third = factories.account(dfw).tenant_id
    with unchanged():
        result = shared_image.share_with(owner, [third], acknowledged=True)
    assert type(result.outcomes[0].error) is QuotaExceeded and not result.made_shared


def test_r11_quota_is_per_image(owner, shared_image, quota_of_two, dfw):
    ids = [factories.account(dfw).tenant_id for _ in range(2)]
    shared_image.share_with(owner, ids, acknowledged=True)
    other = factories.image(owner, dfw, visibility="shared")
    assert len(other.share_with(owner, ids, acknowledged=True).added) == 2


def test_r2_existing_member_on_a_full_image_is_still_already_member(
    owner, consumer, other_consumer, shared_image, quota_of_two
):
    factories.member(owner, shared_image, consumer)
    factories.member(owner, shared_image, other_consumer)
    with refused(AlreadyMember):
        shared_image.add_member(owner, tenant(consumer))
