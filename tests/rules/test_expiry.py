"""R22: an offer may expire unanswered and a share may end; then the member is removed as R12,
recorded as expired. Pages and calls never show an ended offer as live, even before the sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imagesharing.choices import Action, MemberStatus
from imagesharing.errors import AlreadyMember, InvalidValue, NotFound, NotOwner
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories
from tests.rules.checks import refused


def lapse(member: ImageMember, field: str) -> None:
    """Move a date into the past, as time passing would."""
    ImageMember.objects.filter(pk=member.pk).update(**{field: timezone.now() - timedelta(seconds=1)})


def in_days(days: int):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def offered(owner, consumer, shared_image):
    return factories.member(owner, shared_image, consumer)


def test_r22_sharing_sets_the_dates_for_every_new_member(owner, consumer, other_consumer, shared_image):
    expires, ends = in_days(7), in_days(90)
    ids = [consumer.account.tenant_id, other_consumer.account.tenant_id]
    shared_image.share_with(owner, ids, acknowledged=True, offer_expires_at=expires, access_ends_at=ends)
    assert set(ImageMember.objects.values_list("offer_expires_at", "access_ends_at")) == {(expires, ends)}


@pytest.mark.parametrize("field", ["offer_expires_at", "access_ends_at"])
def test_r22_dates_in_the_past_are_refused(field, owner, consumer, shared_image, offered):
    with refused(InvalidValue, match="in the future"):
        shared_image.share_with(owner, [123456], acknowledged=True, **{field: timezone.now()})
    with refused(InvalidValue, match="in the future"):
        offered.set_end_dates(owner, **{"offer_expires_at": None, "access_ends_at": None, field: timezone.now()})


def test_r22_only_the_owner_sets_the_dates_and_history_records_it(owner, consumer, shared_image, offered):
    with refused(NotOwner):
        offered.set_end_dates(consumer, in_days(1), None)
    offered.set_end_dates(owner, in_days(1), in_days(30))
    entry = Event.objects.get(action=Action.MEMBER_TERMS_CHANGED)
    assert entry.member == consumer.account and "offer expires 20" in entry.note


def test_r22_an_expired_offer_is_gone_before_the_sweep(owner, consumer, dfw, shared_image, offered):
    offered.set_end_dates(owner, in_days(1), None)
    lapse(offered, "offer_expires_at")
    assert not ImageMember.objects.inbox(consumer.account).exists()
    assert not ImageMember.objects.shared_by(owner.account).exists()
    with refused(NotFound):
        Image.objects.get_usable(consumer.account, shared_image.pk)
    with refused(NotFound):
        ImageMember.objects.visible_to(consumer.account, shared_image)
    assert list(ImageMember.objects.visible_to(owner.account, shared_image)) == []
    with refused(NotFound):
        Server.objects.boot(consumer, shared_image, "too late")


def test_r22_an_answered_offer_does_not_expire(owner, consumer, dfw, shared_image, offered):
    offered.set_status(consumer, MemberStatus.ACCEPTED)
    offered.set_end_dates(owner, in_days(1), None)
    lapse(offered, "offer_expires_at")
    assert shared_image in Image.objects.visible_to(consumer.account, dfw)
    assert ImageMember.objects.expire_lapsed() == 0


def test_r22_a_share_ends_whatever_the_answer_and_servers_keep_running(owner, consumer, dfw, shared_image, offered):
    offered.set_status(consumer, MemberStatus.ACCEPTED)
    server = Server.objects.boot(consumer, shared_image, "web-1")
    offered.set_end_dates(owner, None, in_days(1))
    lapse(offered, "access_ends_at")
    assert shared_image not in Image.objects.visible_to(consumer.account, dfw)

    assert ImageMember.objects.expire_lapsed() == 1
    assert not ImageMember.objects.filter(pk=offered.pk).exists()
    entry = Event.objects.get(action=Action.MEMBER_EXPIRED)
    assert (entry.member, entry.actor, entry.before) == (consumer.account, None, "accepted")
    assert "end of access" in entry.note
    assert Server.objects.get_owned(consumer.account, server.pk).status == "active"  # R12


def test_r22_the_sweep_removes_an_expired_offer_once(owner, consumer, shared_image, offered):
    offered.set_end_dates(owner, in_days(1), None)
    lapse(offered, "offer_expires_at")
    assert ImageMember.objects.expire_lapsed() == 1
    assert ImageMember.objects.expire_lapsed() == 0
    entry = Event.objects.get(action=Action.MEMBER_EXPIRED)
    assert (entry.before, entry.note) == ("pending", "the offer expired unanswered")


def test_r22_an_expired_member_frees_its_place_for_a_new_offer(owner, consumer, shared_image, offered):
    offered.set_end_dates(owner, in_days(1), None)
    lapse(offered, "offer_expires_at")
    again = shared_image.add_member(owner, consumer.account.tenant_id)  # before the sweep: expired on the spot
    assert again.pk != offered.pk and again.offer_expires_at is None
    assert [e.action for e in Event.objects.filter(member=consumer.account).order_by("pk")][-2:] == [
        Action.MEMBER_EXPIRED,
        Action.MEMBER_ADDED,
    ]
    with refused(AlreadyMember):
        shared_image.add_member(owner, consumer.account.tenant_id)


def test_r22_a_new_date_saves_a_share_from_the_sweep(owner, consumer, shared_image, offered):
    offered.set_end_dates(owner, None, in_days(1))
    offered.set_end_dates(owner, None, None)
    assert ImageMember.objects.expire_lapsed() == 0
    assert ImageMember.objects.filter(pk=offered.pk).exists()


@pytest.mark.parametrize("status", list(MemberStatus))
@pytest.mark.parametrize("offer_days", [None, -1, 1])
@pytest.mark.parametrize("access_days", [None, -1, 1])
def test_r22_has_ended_says_what_lapsed_selects(status, offer_days, access_days, owner, consumer, shared_image):
    """The rule is written twice, as a query and in Python for a row already read: they must agree."""
    member = factories.member(owner, shared_image, consumer, status)
    dates = {
        "offer_expires_at": None if offer_days is None else in_days(offer_days),
        "access_ends_at": None if access_days is None else in_days(access_days),
    }
    ImageMember.objects.filter(pk=member.pk).update(**dates)
    now = timezone.now()
    row = ImageMember.objects.get(pk=member.pk)
    assert row.has_ended(now) == ImageMember.objects.lapsed(now).filter(pk=member.pk).exists()


def test_r22_an_expired_offer_cannot_be_answered(owner, consumer, dfw, shared_image, offered):
    offered.set_end_dates(owner, in_days(1), None)
    lapse(offered, "offer_expires_at")
    with refused(NotFound):
        ImageMember.objects.answer_by_ids(
            consumer, dfw, shared_image.pk, consumer.account.tenant_id, MemberStatus.ACCEPTED
        )
    with refused(NotFound):
        offered.set_status(consumer, MemberStatus.ACCEPTED)
