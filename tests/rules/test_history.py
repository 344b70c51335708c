"""R16: every member and visibility change and every deletion is recorded, and shown to the right tenants."""

import pytest

from imagesharing.choices import Action, MemberStatus
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories

A = Action


def entries(queryset=None) -> list[tuple]:
    queryset = Event.objects.all() if queryset is None else queryset
    fields = ("action", "actor__username", "actor_account", "member", "before", "after")
    return list(queryset.order_by("pk").values_list(*fields))


@pytest.fixture
def story(owner, consumer, other_consumer, operator, image):
    """One image's life: shared, answered, reset by an operator, revoked, deleted."""
    image.share_with(owner, [consumer.account.tenant_id], acknowledged=True)
    member = ImageMember.objects.get(member=consumer.account)
    member.set_status(consumer, MemberStatus.ACCEPTED)
    member.set_status(consumer, MemberStatus.REJECTED)
    member.set_status(operator, MemberStatus.PENDING, as_operator=True)
    other = image.add_member(owner, other_consumer.account.tenant_id)
    member.remove(owner)
    image.destroy(owner)
    return image, other


def test_r16_every_kind_of_change_is_recorded_with_who_before_and_after(
    owner, consumer, other_consumer, operator, story
):
    o, c, x = owner.account.pk, consumer.account.pk, other_consumer.account.pk
    assert entries() == [
        (A.VISIBILITY_CHANGED, "owner", o, None, "private", "shared"),
        (A.MEMBER_ADDED, "owner", o, c, "", "pending"),
        (A.MEMBER_STATUS_CHANGED, "consumer", c, c, "pending", "accepted"),
        (A.MEMBER_STATUS_CHANGED, "consumer", c, c, "accepted", "rejected"),
        (A.MEMBER_STATUS_CHANGED, operator.username, None, c, "rejected", "pending"),
        (A.MEMBER_ADDED, "owner", o, x, "", "pending"),
        (A.MEMBER_REMOVED, "owner", o, c, "pending", ""),
        (A.MEMBER_REMOVED, "owner", o, x, "pending", ""),
        (A.IMAGE_DELETED, "owner", o, None, "active", "deleted"),
    ]


def test_r16_entries_name_the_image_and_when(story):
    image, _ = story
    assert set(Event.objects.values_list("image", flat=True)) == {image.pk}
    times = list(Event.objects.order_by("pk").values_list("created_at", flat=True))
    assert all(times) and times == sorted(times)


def test_r16_operator_actions_are_marked(operator, story):
    event = Event.objects.get(by_operator=True)
    assert (event.actor, event.actor_account) == (operator, None)


def test_r16_owner_sees_its_images_whole_history(owner, story):
    assert entries(Event.objects.visible_to(owner.account)) == entries()


def test_r16_consumer_sees_only_its_own_memberships_history(consumer, story):
    c = consumer.account.pk
    visible = entries(Event.objects.visible_to(consumer.account))
    assert [(action, before, after) for action, _, _, _, before, after in visible] == [
        (A.MEMBER_ADDED, "", "pending"),
        (A.MEMBER_STATUS_CHANGED, "pending", "accepted"),
        (A.MEMBER_STATUS_CHANGED, "accepted", "rejected"),
        (A.MEMBER_STATUS_CHANGED, "rejected", "pending"),
        (A.MEMBER_REMOVED, "pending", ""),
    ]
    assert set(Event.objects.visible_to(consumer.account).values_list("member", flat=True)) == {c}


def test_r16_stranger_sees_no_history(stranger, story):
    assert not Event.objects.visible_to(stranger.account).exists()


def test_r16_nothing_that_changes_nothing_is_recorded(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    before = Event.objects.count()
    shared_image.update(owner, visibility="shared", name=shared_image.name)
    member.set_status(consumer, MemberStatus.PENDING)
    shared_image.update(owner, name="renamed")
    assert Event.objects.count() == before
