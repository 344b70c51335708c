"""R5 (a tenant's image list and its inbox) and R6 (open and boot by ID, any member status)."""

import uuid

import pytest

from imagesharing.choices import MemberStatus
from imagesharing.errors import NotFound
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories
from tests.rules.checks import refused


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_r5_list_is_own_public_and_accepted_in_the_region(consumer, dfw, world):
    assert names(Image.objects.visible_to(consumer.account, dfw)) == {
        "own private",
        "own shared",
        "own queued",
        "base",
        "accepted",
    }


def test_r5_list_in_another_region_shows_that_regions_images(consumer, lon, world):
    assert names(Image.objects.visible_to(consumer.account, lon)) == {"base lon", "accepted lon"}


@pytest.mark.parametrize(
    "left_out", ["pending", "rejected", "private_with_member", "deleted", "strangers", "strangers_shared"]
)
def test_r5_list_leaves_out_what_is_not_own_public_or_accepted(consumer, dfw, world, left_out):
    assert not Image.objects.visible_to(consumer.account, dfw).filter(pk=world[left_out].pk).exists()


def test_r5_accepting_brings_an_image_into_the_list_and_rejecting_takes_it_out(consumer, dfw, world):
    member = ImageMember.objects.get(image=world["pending"], member=consumer.account)
    member.set_status(consumer, MemberStatus.ACCEPTED)
    assert "pending" in names(Image.objects.visible_to(consumer.account, dfw))
    member.set_status(consumer, MemberStatus.REJECTED)
    assert "pending" not in names(Image.objects.visible_to(consumer.account, dfw))


def test_r5_stranger_list_has_own_and_public_only(stranger, dfw, world):
    assert names(Image.objects.visible_to(stranger.account, dfw)) == {"base", "not mine", "shared elsewhere"}


def test_r5_owner_list_does_not_depend_on_member_status(owner, dfw, world):
    listed = names(Image.objects.visible_to(owner.account, dfw))
    assert listed == {"base", "accepted", "pending", "rejected", "made private"}


def test_r5_inbox_finds_pending_and_rejected_offers_pending_first(consumer, world):
    inbox = list(ImageMember.objects.inbox(consumer.account))
    assert [member.image.name for member in inbox][:2] == ["pending", "rejected"]
    assert {member.image.name for member in inbox} == {"pending", "rejected", "accepted", "accepted lon"}


@pytest.mark.parametrize(
    "statuses, expected",
    [
        (["pending"], {"pending"}),
        (["rejected"], {"rejected"}),
        (["pending", "rejected"], {"pending", "rejected"}),
    ],
)
def test_r5_inbox_filters_by_status(consumer, world, statuses, expected):
    assert {member.image.name for member in ImageMember.objects.inbox(consumer.account, statuses)} == expected


def test_r5_inbox_leaves_out_private_and_deleted_images(consumer, world):
    inboxed = {member.image_id for member in ImageMember.objects.inbox(consumer.account)}
    assert world["private_with_member"].pk not in inboxed and world["deleted"].pk not in inboxed


@pytest.mark.parametrize("status", MemberStatus.values)
def test_r6_member_of_any_status_opens_and_boots_by_id(owner, consumer, shared_image, status):
    factories.member(owner, shared_image, consumer, status)
    assert Image.objects.get_usable(consumer.account, str(shared_image.pk)) == shared_image
    server = Server.objects.boot(consumer, shared_image, "web-1")
    assert (server.owner, server.image_id) == (consumer.account, shared_image.pk)


def test_r6_owner_and_public_users_open_by_id(owner, stranger, world):
    assert Image.objects.get_usable(owner.account, world["pending"].pk) == world["pending"]
    assert Image.objects.get_usable(stranger.account, world["public"].pk) == world["public"]


@pytest.mark.parametrize("key", ["strangers", "strangers_shared", "private_with_member", "deleted"])
def test_r6_non_member_gets_not_found_as_for_a_missing_id(consumer, world, key):
    with refused(NotFound) as hidden:
        Image.objects.get_usable(consumer.account, world[key].pk)
    with refused(NotFound) as missing:
        Image.objects.get_usable(consumer.account, uuid.uuid4())
    assert hidden.value.message == missing.value.message


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "", None, 42, "../etc/passwd"])
def test_r6_malformed_id_gets_the_same_not_found(consumer, bad_id):
    with refused(NotFound) as info:
        Image.objects.get_usable(consumer.account, bad_id)
    assert info.value.message == NotFound().message


def test_r6_stranger_cannot_boot_a_shared_image(stranger, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    with refused(NotFound) as info:
        Server.objects.boot(stranger, shared_image, "sneaky")
    assert info.value.message == NotFound().message
