"""R23: tenant lists, private to their producer; sharing with a list and bulk shares make one
independent member per (image, tenant) (R2, R8, R11 each); a following list keeps its images in
step with its tenants."""

import pytest
from django.core.management import call_command

from imagesharing.choices import Action, MemberStatus, NoticeKind, Role
from imagesharing.errors import (
    AlreadyMember,
    ChecklistRequired,
    InvalidValue,
    NotFound,
    NotOwner,
    NotShareable,
    QuotaExceeded,
    RoleRequired,
    TenantUnavailable,
)
from imagesharing.memberships.history import Event
from imagesharing.memberships.lists import ListShare, TenantList, own_images, share_images
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import Notice
from tests import factories
from tests.rules.checks import refused, unchanged

UNKNOWN = 999999999


def tenant(user) -> int:
    return user.account.tenant_id


@pytest.fixture
def branches(owner, consumer, other_consumer):
    tenant_list = TenantList.objects.create_list(owner, "All branches")
    tenant_list.set_tenants(owner, [tenant(consumer), str(tenant(other_consumer)), UNKNOWN])
    return tenant_list


def members_of(image) -> list[int]:
    return sorted(image.members.values_list("member__tenant_id", flat=True))


# Lists themselves


def test_r23_a_list_keeps_any_well_formed_tenant_id_as_typed_and_looks_none_up(owner, consumer, branches):
    assert branches.tenant_ids()[-1] == UNKNOWN
    assert TenantList.objects.of(owner.account).get().tenant_count == 3


def test_r23_a_malformed_tenant_id_refuses_the_whole_edit(owner, branches):
    with refused(InvalidValue, match="positive whole number"):
        branches.set_tenants(owner, ["631001", "12ab"])


def test_r23_a_list_holds_at_most_its_bound(owner, settings):
    tenant_list = TenantList.objects.create_list(owner, "Big")
    with refused(QuotaExceeded, match="at most 1000"):
        tenant_list.set_tenants(owner, range(1, 1002))


def test_r23_names_are_unique_per_tenant_and_not_blank(owner, consumer, branches):
    with refused(InvalidValue, match="already have a list"):
        TenantList.objects.create_list(owner, " All branches ")
    with refused(InvalidValue, match="1 to 100"):
        TenantList.objects.create_list(owner, "  ")
    TenantList.objects.create_list(consumer, "All branches")  # another tenant's names are its own


def test_r23_rename_and_delete(owner, branches):
    branches.rename(owner, "Every branch")
    assert TenantList.objects.get().name == "Every branch"
    branches.destroy(owner)
    assert not TenantList.objects.exists()


def test_r23_another_tenants_list_is_not_found_and_unchanged(owner, consumer, branches):
    with refused(NotFound):
        TenantList.objects.get_own(consumer.account, branches.pk)
    for change in (
        lambda: branches.rename(consumer, "Mine now"),
        lambda: branches.set_tenants(consumer, [1]),
        lambda: branches.set_following(consumer, True),
        lambda: branches.destroy(consumer),
    ):
        with refused(NotFound):
            change()


def test_r23_a_reader_changes_no_list(people, branches):
    reader = people["owner reader"]
    assert TenantList.objects.get_own(reader.account, branches.pk) == branches  # readers see
    for change in (
        lambda: TenantList.objects.create_list(reader, "Readers"),
        lambda: branches.rename(reader, "x"),
        lambda: branches.set_tenants(reader, [1]),
        lambda: branches.destroy(reader),
    ):
        with refused(RoleRequired):
            change()


# Sharing with a list


def test_r23_sharing_with_a_list_makes_one_independent_member_per_tenant(
    owner, consumer, other_consumer, image, branches
):
    rows = share_images(owner, own_images(owner, [image.pk]), tenant_list=branches, acknowledged=True)
    assert [(row.outcome.tenant_id, type(row.outcome.error)) for row in rows] == [
        (str(tenant(consumer)), type(None)),
        (str(tenant(other_consumer)), type(None)),
        (str(UNKNOWN), TenantUnavailable),  # R8, R17: "not available", as for a typed ID
    ]
    assert members_of(image) == sorted([tenant(consumer), tenant(other_consumer)])
    assert ListShare.objects.filter(tenant_list=branches, image=image).exists()
    first = ImageMember.objects.get(member=consumer.account)
    first.set_status(consumer, MemberStatus.ACCEPTED)
    assert ImageMember.objects.get(member=other_consumer.account).status == MemberStatus.PENDING  # R2


def test_r23_each_tenant_of_a_list_gets_its_own_offer_notice_and_history(
    owner, consumer, other_consumer, image, branches
):
    share_images(owner, own_images(owner, [image.pk]), tenant_list=branches, acknowledged=True)
    assert Event.objects.filter(action=Action.MEMBER_ADDED).count() == 2
    offered = Notice.objects.filter(kind=NoticeKind.OFFER)
    assert sorted(offered.values_list("recipient__account__tenant_id", flat=True)) == sorted(
        [tenant(consumer), tenant(other_consumer)]
    )


def test_r23_nothing_a_member_sees_names_the_list(owner, consumer, image, branches):
    share_images(owner, own_images(owner, [image.pk]), tenant_list=branches, acknowledged=True)
    notice = Notice.objects.get(recipient=consumer)
    assert "branches" not in notice.summary and "branches" not in notice.next_step
    assert not Event.objects.filter(note__icontains="branches").exists()


def test_r23_the_quota_holds_per_image(owner, consumer, other_consumer, settings, branches):
    settings.IMAGE_MEMBER_QUOTA = 1
    images = [factories.image(owner, name=f"base-{n}") for n in range(2)]
    rows = share_images(owner, own_images(owner, [i.pk for i in images]), tenant_list=branches, acknowledged=True)
    for image in images:
        assert members_of(image) == [tenant(consumer)]
    kinds = [type(row.outcome.error) for row in rows]
    assert kinds == [type(None), QuotaExceeded, QuotaExceeded] * 2  # R11 before the tenant answer (R17)


def test_r23_first_share_needs_the_checklist_and_then_nothing_changes(owner, image, shared_image, branches):
    with refused(ChecklistRequired):
        share_images(owner, own_images(owner, [shared_image.pk, image.pk]), tenant_list=branches)


def test_r23_an_empty_list_shares_nothing(owner, image):
    empty = TenantList.objects.create_list(owner, "Empty")
    with refused(InvalidValue, match="no tenant IDs"):
        share_images(owner, own_images(owner, [image.pk]), tenant_list=empty, acknowledged=True)


def test_r23_another_tenants_list_or_image_cannot_be_used(owner, consumer, image, branches):
    with refused(NotFound):
        share_images(consumer, [image], tenant_list=branches, acknowledged=True)
    with refused(NotFound):
        own_images(consumer, [image.pk])
    with refused(NotFound):
        own_images(owner, [image.pk, "not-an-id"])


def test_r23_a_reader_shares_nothing(people, image, branches):
    with refused(RoleRequired):
        own_images(people["owner reader"], [image.pk])
    with refused(RoleRequired):
        share_images(people["owner reader"], [image], tenant_list=branches, acknowledged=True)


def test_r23_sharing_again_answers_already_a_member(owner, consumer, image, branches):
    share_images(owner, own_images(owner, [image.pk]), tenant_list=branches, acknowledged=True)
    with unchanged():
        rows = share_images(owner, own_images(owner, [image.pk]), tenant_list=branches)
    assert [type(row.outcome.error) for row in rows][:2] == [AlreadyMember, AlreadyMember]


def test_r23_a_public_image_is_refused_as_a_whole_in_its_row(owner, operator, consumer, branches):
    public = factories.image(owner, name="base")
    public.update(operator, visibility="public", as_operator=True)
    rows = share_images(owner, own_images(owner, [public.pk]), tenant_list=branches, acknowledged=True)
    assert len(rows) == 1 and type(rows[0].outcome.error) is NotShareable


# Following lists


@pytest.fixture
def following(owner, consumer, image):
    tenant_list = TenantList.objects.create_list(owner, "Followers", follows=True)
    tenant_list.set_tenants(owner, [tenant(consumer)])
    share_images(owner, own_images(owner, [image.pk]), tenant_list=tenant_list, acknowledged=True)
    return tenant_list


def test_r23_a_tenant_added_to_a_following_list_is_offered_its_images(
    owner, consumer, other_consumer, image, following
):
    change = following.set_tenants(owner, [tenant(consumer), tenant(other_consumer)])
    assert change.added == [tenant(other_consumer)]
    assert [(row.image, row.outcome.added) for row in change.offered] == [(image, True)]
    assert members_of(image) == sorted([tenant(consumer), tenant(other_consumer)])


def test_r23_a_list_that_does_not_follow_offers_nothing_to_a_tenant_added(
    owner, consumer, other_consumer, image, following
):
    following.set_following(owner, False)
    following.set_tenants(owner, [tenant(consumer), tenant(other_consumer)])
    assert members_of(image) == [tenant(consumer)]


def test_r23_a_following_list_offers_only_live_shared_images(owner, consumer, other_consumer, image, following):
    image.update(owner, visibility="private")
    following.set_tenants(owner, [tenant(consumer), tenant(other_consumer)])
    assert not ImageMember.objects.filter(member=other_consumer.account).exists()


def test_r23_a_tenant_removed_from_a_following_list_is_revoked_as_r12(owner, consumer, image, following):
    assert [m.member.tenant_id for m in following.revocations([tenant(consumer)])] == [tenant(consumer)]
    change = following.set_tenants(owner, [])
    assert [m.member_id for m in change.revoked] == [consumer.account.pk]
    assert members_of(image) == []
    removed = Event.objects.get(action=Action.MEMBER_REMOVED)
    assert removed.member == consumer.account and removed.actor == owner
    assert Notice.objects.filter(kind=NoticeKind.REVOKED, recipient=consumer).exists()


def test_r23_a_tenant_removed_from_a_list_that_does_not_follow_keeps_its_member(owner, consumer, image, following):
    following.set_following(owner, False)
    assert not following.revocations([tenant(consumer)]).exists()
    following.set_tenants(owner, [])
    assert members_of(image) == [tenant(consumer)]


def test_r23_deleting_a_list_keeps_its_members(owner, consumer, image, following):
    following.destroy(owner)
    assert members_of(image) == [tenant(consumer)]


# The batched add path (R2, R4, R8, R11 per tenant, in one go)


def test_r23_a_batch_answers_each_tenant_as_one_add_would(owner, consumer, abroad, shared_image, settings):
    settings.IMAGE_MEMBER_QUOTA = 2
    factories.member(owner, shared_image, consumer)
    result = shared_image.share_with(
        owner, [tenant(consumer), tenant(owner), tenant(abroad), "x1", UNKNOWN, 5, 6], acknowledged=True
    )
    kinds = [type(outcome.error).__name__ for outcome in result.outcomes]
    assert kinds == [
        "AlreadyMember",
        "NotPermitted",  # R4: own tenant
        "TenantUnavailable",  # R8: outside the region, as unknown
        "TenantUnavailable",  # malformed
        "TenantUnavailable",
        "TenantUnavailable",
        "TenantUnavailable",
    ]


def test_r23_a_batch_of_many_costs_a_fixed_number_of_queries(owner, shared_image, dfw, django_assert_max_num_queries):
    consumers = [factories.user(factories.account(dfw)) for _ in range(30)]
    with django_assert_max_num_queries(12):
        result = shared_image.share_with(owner, [tenant(c) for c in consumers], acknowledged=True)
    assert len(result.added) == 30
    assert Notice.objects.filter(kind=NoticeKind.OFFER).count() == 30


def test_r23_roles_hear_of_offers_made_through_a_list_as_of_any(people, image):
    tenant_list = TenantList.objects.create_list(people["owner admin"], "Consumers")
    tenant_list.set_tenants(people["owner admin"], [people["consumer admin"].account.tenant_id])
    share_images(
        people["owner member"],
        own_images(people["owner member"], [image.pk]),
        tenant_list=tenant_list,
        acknowledged=True,
    )
    told = set(Notice.objects.values_list("recipient__role", flat=True))
    assert told == {Role.ADMIN, Role.MEMBER}


def test_r23_only_the_owner_shares_its_image_with_a_list(owner, consumer, other_consumer, image):
    theirs = TenantList.objects.create_list(consumer, "Mine")
    theirs.set_tenants(consumer, [tenant(other_consumer)])
    with refused(NotFound):  # R1, R6: a stranger to the image
        share_images(consumer, [image], tenant_list=theirs, acknowledged=True)
    factories.member(owner, image, consumer)
    with refused(NotOwner):  # a member
        share_images(consumer, [image], tenant_list=theirs, acknowledged=True)


# Many offers of a following list are made in the background


def run_worker_once() -> None:
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.mark.django_db(transaction=True)  # the worker commits as it goes, as it does for real
def test_r23_many_offers_of_a_following_list_are_made_by_the_worker(
    monkeypatch, owner, consumer, other_consumer, image, following
):
    monkeypatch.setattr("imagesharing.memberships.lists.INLINE_OFFERS", 0)
    change = following.set_tenants(owner, [tenant(consumer), tenant(other_consumer)])
    assert (change.offered, change.waiting) == ([], 1)
    assert members_of(image) == [tenant(consumer)]
    run_worker_once()
    assert members_of(image) == sorted([tenant(consumer), tenant(other_consumer)])
    assert Event.objects.filter(action=Action.MEMBER_ADDED, member=other_consumer.account).count() == 1


@pytest.mark.django_db(transaction=True)
def test_r23_a_tenant_removed_before_the_worker_ran_is_offered_nothing(
    monkeypatch, owner, consumer, other_consumer, image, following
):
    monkeypatch.setattr("imagesharing.memberships.lists.INLINE_OFFERS", 0)
    following.set_tenants(owner, [tenant(consumer), tenant(other_consumer)])
    following.set_tenants(owner, [tenant(consumer)])
    run_worker_once()
    assert members_of(image) == [tenant(consumer)]
