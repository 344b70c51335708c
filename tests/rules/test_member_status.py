"""R3: a member starts pending; only the consumer changes its own status, as often as it likes."""

import pytest

from imagesharing.choices import Action, MemberStatus
from imagesharing.errors import InvalidValue, NotFound, NotPermitted
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.rules.checks import refused, unchanged


@pytest.fixture
def member(owner, consumer, shared_image):
    return factories.member(owner, shared_image, consumer)


def stored_status(member) -> str:
    return ImageMember.objects.get(pk=member.pk).status


def test_r3_new_member_starts_pending(member):
    assert stored_status(member) == MemberStatus.PENDING


def test_r3_consumer_cycles_through_every_status(consumer, member):
    for status in ["accepted", "rejected", "pending", "rejected", "accepted", "pending", "accepted"]:
        assert member.set_status(consumer, status).status == status
        assert stored_status(member) == status
    assert Event.objects.filter(action=Action.MEMBER_STATUS_CHANGED).count() == 7


def test_r3_setting_the_same_status_again_records_nothing(consumer, member):
    member.set_status(consumer, MemberStatus.ACCEPTED)
    with unchanged():
        member.set_status(consumer, MemberStatus.ACCEPTED)
    assert stored_status(member) == MemberStatus.ACCEPTED


@pytest.mark.parametrize("status", ["ACCEPTED", "approved", "", None, "deleted"])
def test_r3_invalid_status_is_refused(consumer, member, status):
    with refused(InvalidValue, match="Status must be one of pending, accepted, rejected"):
        member.set_status(consumer, status)


@pytest.mark.parametrize("status", MemberStatus.values)
def test_r3_owner_can_never_set_member_status(owner, consumer, member, status):
    member.set_status(consumer, MemberStatus.REJECTED)
    with refused(NotPermitted, match="Only the consumer"):
        member.set_status(owner, status)


def test_r3_another_consumer_cannot_set_someone_elses_status(owner, other_consumer, member, shared_image):
    factories.member(owner, shared_image, other_consumer)
    with refused(NotFound):
        member.set_status(other_consumer, MemberStatus.ACCEPTED)


def test_r3_stranger_gets_not_found(stranger, member):
    with refused(NotFound):
        member.set_status(stranger, MemberStatus.ACCEPTED)


def test_r3_removed_member_cannot_change_status(owner, consumer, member):
    member.remove(owner)
    with refused(NotFound):
        member.set_status(consumer, MemberStatus.ACCEPTED)


def test_r3_no_status_change_while_the_image_is_private(owner, consumer, member, shared_image):
    shared_image.update(owner, visibility="private")
    with refused(NotFound):
        member.set_status(consumer, MemberStatus.ACCEPTED)


def test_r3_operator_may_reset_a_member_to_pending(operator, consumer, member):
    member.set_status(consumer, MemberStatus.REJECTED)
    member.set_status(operator, MemberStatus.PENDING, as_operator=True)
    assert stored_status(member) == MemberStatus.PENDING
    event = Event.objects.filter(action=Action.MEMBER_STATUS_CHANGED).first()
    assert (event.actor, event.actor_account, event.by_operator) == (operator, None, True)


def test_r3_non_staff_cannot_act_as_operator(owner, member):
    with refused(NotPermitted, match="Only cloud operators"):
        member.set_status(owner, MemberStatus.ACCEPTED, as_operator=True)
