"""R28: operators' guardrails on a tenant's sharing (sharing off, only with allowed tenant IDs, a
lower member quota) and the cloud-wide switch that holds a first share with a new tenant until an
operator approves it. A refusal says a policy refused it, changes nothing, and is the same for an
unknown tenant ID as for a known one (R17)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imagesharing.accounts.policies import SharingPolicy, SharingSwitch
from imagesharing.accounts.trust import ProducerRule
from imagesharing.choices import Action, MemberStatus, NoticeKind
from imagesharing.errors import (
    ApprovalRequired,
    InvalidState,
    InvalidValue,
    NotPermitted,
    PolicyRefused,
    TenantUnavailable,
)
from imagesharing.images.approvals import ShareRequest
from imagesharing.memberships.history import Event
from imagesharing.memberships.letters import letter
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import Notice
from tests import factories
from tests.rules.checks import refused, snapshot

UNKNOWN = 987654321


def policy(owner, operator, mode=SharingPolicy.Mode.OPEN, quota=None, allowed=()):
    rules = SharingPolicy(account=owner.account, mode=mode, member_quota=quota)
    rules.save_by(operator, allowed=allowed)
    return rules


def switch_on(operator):
    switch = SharingSwitch.current()
    switch.approve_first_shares = True
    switch.save_by(operator)


def answers(call, *tenant_ids) -> list[tuple[str, str]]:
    """The refusal each tenant ID gets, with the ID itself taken out of the message."""
    said = []
    for tenant_id in tenant_ids:
        with pytest.raises(PolicyRefused) as info:
            call(tenant_id)
        said.append((type(info.value).__name__, info.value.message.replace(str(tenant_id), "N")))
    return said


# Without a policy, sharing is as before.


def test_r28_a_tenant_without_a_policy_shares_freely(owner, consumer, shared_image):
    assert shared_image.add_member(owner, consumer.account.tenant_id).status == MemberStatus.PENDING


# Sharing off.


def test_r28_sharing_off_refuses_every_share_and_changes_nothing(owner, consumer, operator, shared_image, image):
    policy(owner, operator, SharingPolicy.Mode.OFF)
    with refused(PolicyRefused, match="policy set by the cloud's operators does not allow your tenant to share"):
        shared_image.add_member(owner, consumer.account.tenant_id)
    before = snapshot()
    result = image.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    assert snapshot() == before and not result.made_shared  # R9: the private image stays private
    assert isinstance(result.outcomes[0].error, PolicyRefused)


def test_r28_r17_sharing_off_answers_an_unknown_tenant_as_a_known_one(owner, consumer, abroad, operator, shared_image):
    policy(owner, operator, SharingPolicy.Mode.OFF)
    said = answers(lambda number: shared_image.add_member(owner, number), consumer.account.tenant_id, UNKNOWN)
    assert said[0] == said[1]
    assert answers(lambda number: shared_image.add_member(owner, number), abroad.account.tenant_id) == [said[0]]


def test_r28_a_policy_binds_its_tenant_only(owner, consumer, operator, dfw):
    """The consumer's own sharing is off; offers to it, and other tenants' shares, go on."""
    policy(consumer, operator, SharingPolicy.Mode.OFF)
    shared = factories.image(owner, dfw, visibility="shared")
    assert shared.add_member(owner, consumer.account.tenant_id).status == MemberStatus.PENDING
    assert not Notice.objects.filter(kind__in=[NoticeKind.SHARE_APPROVED, NoticeKind.SHARE_REFUSED]).exists()


# Only with allowed tenant IDs.


def test_r28_an_allowed_list_lets_its_tenant_ids_through(owner, consumer, other_consumer, operator, shared_image):
    policy(owner, operator, SharingPolicy.Mode.LISTED, allowed=[str(consumer.account.tenant_id)])
    assert shared_image.add_member(owner, consumer.account.tenant_id).status == MemberStatus.PENDING
    with refused(PolicyRefused, match="does not allow your tenant to share with that tenant ID"):
        shared_image.add_member(owner, other_consumer.account.tenant_id)


def test_r28_r17_an_allowed_list_answers_an_unknown_tenant_as_a_known_one(owner, stranger, operator, shared_image):
    policy(owner, operator, SharingPolicy.Mode.LISTED, allowed=[4242])
    said = answers(lambda number: shared_image.add_member(owner, number), stranger.account.tenant_id, UNKNOWN)
    assert said[0] == said[1]


def test_r28_an_allowed_unknown_id_gets_r8s_one_answer(owner, operator, shared_image):
    """Listing an ID makes no tenant of it: past the policy, R8 answers as for any unknown ID."""
    policy(owner, operator, SharingPolicy.Mode.LISTED, allowed=[UNKNOWN])
    with refused(TenantUnavailable):
        shared_image.add_member(owner, UNKNOWN)


# A lower member quota.


def test_r28_a_lower_quota_holds_per_image(owner, consumer, other_consumer, stranger, operator, dfw, shared_image):
    policy(owner, operator, quota=1)
    shared_image.add_member(owner, consumer.account.tenant_id)
    with refused(PolicyRefused, match="allows your images 1 members each"):
        shared_image.add_member(owner, other_consumer.account.tenant_id)
    other = factories.image(owner, dfw, visibility="shared")
    assert other.add_member(owner, other_consumer.account.tenant_id).status == MemberStatus.PENDING
    said = answers(lambda number: shared_image.add_member(owner, number), stranger.account.tenant_id, UNKNOWN)
    assert said[0] == said[1]


@pytest.mark.parametrize("quota", [0, 128, 500])
def test_r28_a_policys_quota_only_lowers_r11s(owner, operator, quota):
    with pytest.raises(InvalidValue, match="from 1 to 127"):
        policy(owner, operator, quota=quota)
    assert not SharingPolicy.objects.exists()


def test_r28_only_operators_set_policies_and_each_change_names_them(owner, operator):
    with pytest.raises(NotPermitted):
        SharingPolicy(account=owner.account, mode=SharingPolicy.Mode.OFF).save_by(owner)
    assert not SharingPolicy.objects.exists()
    rules = policy(owner, operator, SharingPolicy.Mode.LISTED, allowed=["11", 12])
    assert (rules.changed_by, sorted(rules.allowed.values_list("tenant_id", flat=True))) == (operator, [11, 12])
    rules.save_by(operator, allowed=[12, 13])
    assert sorted(rules.allowed.values_list("tenant_id", flat=True)) == [12, 13]
    with pytest.raises(InvalidValue):
        rules.save_by(operator, allowed=["12a"])


# The cloud's switch: first shares wait for an operator.


def _no_offers():
    return not ImageMember.objects.exists() and not Event.objects.filter(action=Action.MEMBER_ADDED).exists()


def test_r28_with_the_switch_on_a_first_share_is_held_and_filed(owner, consumer, operator, shared_image):
    switch_on(operator)
    with pytest.raises(ApprovalRequired, match="operator of the cloud must approve") as info:
        shared_image.add_member(owner, consumer.account.tenant_id)
    assert info.value.http_status == 403
    assert _no_offers() and not Notice.objects.exists()
    request = ShareRequest.objects.get()
    assert (request.owner, request.tenant_id, request.status, request.requested_by) == (
        owner.account,
        consumer.account.tenant_id,
        "pending",
        owner,
    )
    assert list(request.images.all()) == [shared_image]


def test_r28_r17_an_unknown_tenant_is_held_and_filed_as_a_known_one(owner, consumer, operator, shared_image):
    switch_on(operator)
    said = answers(lambda number: shared_image.add_member(owner, number), consumer.account.tenant_id, UNKNOWN)
    assert said[0] == said[1] and said[0][0] == "ApprovalRequired"
    assert sorted(ShareRequest.objects.values_list("tenant_id", flat=True)) == sorted(
        [consumer.account.tenant_id, UNKNOWN]
    )


def test_r28_the_panels_share_holds_each_new_tenant_and_keeps_a_private_image_private(owner, consumer, operator, image):
    switch_on(operator)
    result = image.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    assert isinstance(result.outcomes[0].error, ApprovalRequired) and not result.made_shared
    image.refresh_from_db()
    assert image.is_private and _no_offers()
    assert ShareRequest.objects.get().images.get() == image


def test_r28_a_second_image_joins_the_pending_request(owner, consumer, operator, dfw, shared_image):
    switch_on(operator)
    other = factories.image(owner, dfw, name="second", visibility="shared")
    for held in (shared_image, other, other):
        with pytest.raises(ApprovalRequired):
            held.add_member(owner, consumer.account.tenant_id)
    assert ShareRequest.objects.get().images.count() == 2


def test_r28_a_pair_that_shares_already_needs_no_approval(owner, consumer, operator, dfw, shared_image):
    shared_image.add_member(owner, consumer.account.tenant_id)
    switch_on(operator)
    other = factories.image(owner, dfw, visibility="shared")
    assert other.add_member(owner, consumer.account.tenant_id).status == MemberStatus.PENDING
    assert not ShareRequest.objects.exists()


def test_r28_approval_offers_the_held_images_as_the_producer_would_have(owner, consumer, operator, dfw, image):
    switch_on(operator)
    image.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    request = ShareRequest.objects.get()
    outcomes = request.approve(operator)
    assert outcomes == [(image, None)]
    member = ImageMember.objects.get()
    assert (member.image, member.member, member.status) == (image, consumer.account, MemberStatus.PENDING)
    added = Event.objects.get(action=Action.MEMBER_ADDED)
    assert (added.actor, added.actor_account) == (owner, owner.account)  # as the person who asked
    approved = Event.objects.get(action=Action.MEMBER_APPROVED)  # R16: and recorded as the operator's approval
    assert (approved.actor, approved.by_operator, approved.member) == (operator, True, consumer.account)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", operator) and request.decided_at
    told = Notice.objects.get(recipient=owner)
    assert told.kind == NoticeKind.SHARE_APPROVED and "approved" in told.summary
    assert Notice.objects.get(recipient=consumer).kind == NoticeKind.OFFER
    later = factories.image(owner, dfw, visibility="shared")
    assert later.add_member(owner, consumer.account.tenant_id).status == MemberStatus.PENDING  # approved pair


def test_r28_an_approved_offer_still_meets_the_other_rules(owner, operator, shared_image):
    """An unknown tenant ID, approved, is still no tenant: R8's answer, told to the operator."""
    switch_on(operator)
    with pytest.raises(ApprovalRequired):
        shared_image.add_member(owner, UNKNOWN)
    [(image, refusal)] = ShareRequest.objects.get().approve(operator)
    assert image == shared_image and refusal is not None and "Cannot share with that tenant" in refusal.message
    assert not ImageMember.objects.exists() and not Event.objects.filter(action=Action.MEMBER_APPROVED).exists()


def test_r28_refusal_offers_nothing_and_tells_the_producer(owner, consumer, operator, shared_image):
    switch_on(operator)
    with pytest.raises(ApprovalRequired):
        shared_image.add_member(owner, consumer.account.tenant_id)
    request = ShareRequest.objects.get()
    request.refuse(operator)
    assert _no_offers()
    assert Notice.objects.get(recipient=owner).kind == NoticeKind.SHARE_REFUSED
    with pytest.raises(InvalidState):
        request.approve(operator)
    with pytest.raises(ApprovalRequired):  # asking again files a new request
        shared_image.add_member(owner, consumer.account.tenant_id)
    assert ShareRequest.objects.filter(status="pending").count() == 1


def test_r28_only_operators_decide(owner, consumer, operator, shared_image):
    switch_on(operator)
    with pytest.raises(ApprovalRequired):
        shared_image.add_member(owner, consumer.account.tenant_id)
    request = ShareRequest.objects.get()
    with pytest.raises(NotPermitted):
        request.approve(owner)
    request.refresh_from_db()
    assert request.status == "pending" and _no_offers()


def test_r28_with_the_switch_off_nothing_is_held(owner, consumer, operator, shared_image):
    switch = SharingSwitch.current()
    assert not switch.approve_first_shares
    assert shared_image.add_member(owner, consumer.account.tenant_id).status == MemberStatus.PENDING
    assert not ShareRequest.objects.exists()


def test_r28_r4_the_owners_own_tenant_id_is_no_first_share(owner, operator, shared_image):
    switch_on(operator)
    with refused(NotPermitted, match="own tenant"):
        shared_image.add_member(owner, owner.account.tenant_id)
    assert not ShareRequest.objects.exists()


def test_r28_the_producers_notice_reads_well_by_e_mail(owner, consumer, operator, shared_image):
    switch_on(operator)
    with pytest.raises(ApprovalRequired):
        shared_image.add_member(owner, consumer.account.tenant_id)
    ShareRequest.objects.get().approve(operator)
    message = letter(Notice.objects.get(recipient=owner))
    assert "A cloud operator approved your tenant's first share of “shared-base” with a new tenant." in message.body
    assert f"/images/{shared_image.pk}/#sharing" in message.body


def test_r24_r28_a_share_with_many_tenants_answers_each_at_a_constant_cost(owner, operator, dfw):
    """One share, many tenant IDs: each gets its own answer (R24's automatic ones, R28's refusal, R8's),
    and ten tenants cost the queries three do: the facts of all are read at once."""
    consumers = [factories.user(factories.account(dfw)) for _ in range(10)]
    ProducerRule.objects.set_answer(consumers[0], owner.account.tenant_id, MemberStatus.ACCEPTED)
    ProducerRule.objects.set_answer(consumers[1], owner.account.tenant_id, MemberStatus.REJECTED)
    refused_one = consumers[2]
    policy(
        owner, operator, SharingPolicy.Mode.LISTED, allowed=[c.account.tenant_id for c in consumers[:2] + consumers[3:]]
    )

    def share(tenants):
        image = factories.image(owner, dfw)
        with CaptureQueriesContext(connection) as queries:
            result = image.share_with(owner, [c.account.tenant_id for c in tenants] + [UNKNOWN], acknowledged=True)
        said = {
            outcome.tenant_id: outcome.member.status if outcome.added else type(outcome.error).__name__
            for outcome in result.outcomes
        }
        return said, len(queries)

    few, few_queries = share(consumers[:4])
    many, many_queries = share(consumers)
    assert few == {
        str(consumers[0].account.tenant_id): MemberStatus.ACCEPTED,
        str(consumers[1].account.tenant_id): MemberStatus.REJECTED,
        str(refused_one.account.tenant_id): "PolicyRefused",
        str(consumers[3].account.tenant_id): MemberStatus.PENDING,
        str(UNKNOWN): "PolicyRefused",
    }
    assert {many[str(c.account.tenant_id)] for c in consumers[4:]} == {MemberStatus.PENDING}
    assert few_queries == many_queries
