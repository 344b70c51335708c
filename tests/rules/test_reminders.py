"""R20: the owner may remind a pending member, at most once per REMINDER_INTERVAL; never one that answered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imagesharing.choices import Action, MemberStatus
from imagesharing.errors import NotFound, NotOwner, NotPermitted, NotShareable, TooSoon
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.rules.checks import refused


def reminders(image) -> int:
    return Event.objects.filter(image=image, action=Action.MEMBER_REMINDED).count()


def test_r20_the_owner_reminds_a_pending_member_and_history_says_so(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    changed = ImageMember.objects.get(pk=member.pk).updated_at
    member.remind(owner)
    row = ImageMember.objects.get(pk=member.pk)
    assert row.reminded_at is not None and row.status == MemberStatus.PENDING
    assert row.updated_at == changed  # a reminder is not a change of answer
    entry = Event.objects.get(image=shared_image, action=Action.MEMBER_REMINDED)
    assert (entry.member, entry.actor, entry.before, entry.after) == (consumer.account, owner, "pending", "pending")


@pytest.mark.parametrize("status", [MemberStatus.ACCEPTED, MemberStatus.REJECTED])
def test_r20_a_member_that_answered_is_never_reminded(status, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer, status)
    with refused(NotPermitted, match="only pending members are reminded"):
        member.remind(owner)


def test_r20_at_most_once_per_interval(settings, owner, consumer, shared_image):
    settings.REMINDER_INTERVAL = 3600
    member = factories.member(owner, shared_image, consumer)
    member.remind(owner)
    with refused(TooSoon, match="remind it again after"):
        member.remind(owner)
    ImageMember.objects.filter(pk=member.pk).update(reminded_at=timezone.now() - timedelta(seconds=3601))
    member.remind(owner)
    assert reminders(shared_image) == 2


def test_r20_only_the_owner_reminds(owner, consumer, other_consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    factories.member(owner, shared_image, other_consumer)
    for someone in (consumer, other_consumer):
        with refused(NotOwner):
            member.remind(someone)


def test_r20_no_reminder_for_a_private_images_dormant_member(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    shared_image.update(owner, visibility="private")
    with refused(NotShareable):
        member.remind(owner)


def test_r20_a_removed_member_cannot_be_reminded(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    member.remove(owner)
    with refused(NotFound):
        member.remind(owner)


def test_r20_remind_all_pending_skips_answered_and_recently_reminded(
    settings, owner, consumer, other_consumer, stranger, shared_image, dfw
):
    settings.REMINDER_INTERVAL = 3600
    second = factories.image(owner, dfw, name="second", visibility="shared")
    pending = factories.member(owner, shared_image, consumer)
    factories.member(owner, shared_image, other_consumer, MemberStatus.ACCEPTED)
    recent = factories.member(owner, second, stranger)
    recent.remind(owner)
    factories.member(owner, second, consumer)

    assert ImageMember.objects.remind_pending(owner) == 2  # consumer on both images; not the accepted, not the recent
    assert ImageMember.objects.get(pk=pending.pk).reminded_at is not None
    assert reminders(shared_image) == 1 and reminders(second) == 2
    assert ImageMember.objects.remind_pending(owner) == 0  # all reminded within the interval


def test_r20_remind_all_pending_touches_only_the_callers_images(owner, consumer, stranger, shared_image, dfw):
    theirs = factories.image(stranger, dfw, name="theirs", visibility="shared")
    factories.member(stranger, theirs, consumer)
    assert ImageMember.objects.remind_pending(owner) == 0
    assert reminders(theirs) == 0
