"""R26: the owner sees, per member, how many of its servers run from the image and when it last
booted one; never the servers themselves. Members and strangers never see it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from imagesharing.errors import NotFound, NotOwner
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import NO_USAGE, MemberUsage, Server
from tests import factories
from tests.rules.checks import refused


def booted(user, image, name: str, minutes_ago: int) -> Server:
    """A server booted `minutes_ago` (the rules read only its count and boot time)."""
    server = Server.objects.boot(user, image, name)
    Server.objects.filter(pk=server.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    server.refresh_from_db()
    return server


def usage_of(owner, image, consumer) -> MemberUsage:
    member = ImageMember.objects.get(image=image, member=consumer.account)
    return Server.objects.usage_by_member(owner, image).of(member)


def test_r26_the_owner_sees_counts_and_last_boot_per_member(owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    factories.member(owner, shared_image, other_consumer, "pending")
    booted(consumer, shared_image, "web-1", 30)
    newest = booted(consumer, shared_image, "web-2", 5)
    booted(consumer, shared_image, "web-3", 60)
    only = booted(other_consumer, shared_image, "db-1", 10)
    assert usage_of(owner, shared_image, consumer) == MemberUsage(running=3, last_boot=newest.created_at)
    assert usage_of(owner, shared_image, other_consumer) == MemberUsage(running=1, last_boot=only.created_at)


def test_r26_a_member_without_servers_has_none(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    assert usage_of(owner, shared_image, consumer) == NO_USAGE == MemberUsage(running=0, last_boot=None)


def test_r26_only_servers_still_running_count(owner, consumer, shared_image):
    """A deleted server is gone (the consumer's own business): it neither counts nor leaves a boot time."""
    factories.member(owner, shared_image, consumer, "accepted")
    kept = booted(consumer, shared_image, "kept", 20)
    booted(consumer, shared_image, "deleted", 1).destroy(consumer)
    assert usage_of(owner, shared_image, consumer) == MemberUsage(running=1, last_boot=kept.created_at)


def test_r26_other_images_and_other_tenants_servers_do_not_count(owner, consumer, stranger, shared_image, dfw):
    factories.member(owner, shared_image, consumer, "accepted")
    elsewhere = factories.image(owner, dfw, name="another", visibility="shared")
    factories.member(owner, elsewhere, consumer, "accepted")
    booted(consumer, elsewhere, "on-another-image", 1)
    booted(consumer, factories.image(consumer, dfw, name="its own"), "on-its-own-image", 1)
    booted(owner, shared_image, "the-owners-own", 1)  # the owner is no member of its image (R4)
    mine = booted(consumer, shared_image, "mine", 30)
    usage = Server.objects.usage_by_member(owner, shared_image)
    assert usage.of(ImageMember.objects.get(image=shared_image)) == MemberUsage(1, mine.created_at)
    assert usage.of(ImageMember.objects.get(image=elsewhere)) == NO_USAGE  # asked about shared_image only


def test_r26_a_revoked_tenants_servers_are_not_shown(owner, consumer, shared_image):
    """R12: its servers keep running, but they are no longer the owner's to count; shared again,
    the tenant is a current member again and they count once more."""
    member = factories.member(owner, shared_image, consumer, "accepted")
    booted(consumer, shared_image, "still-running", 5)
    member.remove(owner)
    assert Server.objects.filter(owner=consumer.account, image=shared_image).count() == 1
    with CaptureQueriesContext(connection) as queries:
        usage = Server.objects.usage_by_member(owner, shared_image)
    assert usage.of(member) == NO_USAGE and len(queries) == 1
    factories.member(owner, shared_image, consumer)
    assert usage_of(owner, shared_image, consumer).running == 1


def test_r26_a_private_images_kept_members_still_show_their_servers(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    booted(consumer, shared_image, "before-private", 5)
    shared_image.update(owner, visibility="private")
    assert usage_of(owner, shared_image, consumer).running == 1


def test_r26_one_query_whatever_the_number_of_members_and_servers(settings, owner, shared_image, dfw):
    consumers = [factories.user(factories.account(dfw)) for _ in range(12)]
    for number, consumer in enumerate(consumers):
        factories.member(owner, shared_image, consumer, "accepted")
        for count in range(number % 4):
            Server.objects.boot(consumer, shared_image, f"box-{count}")
    with CaptureQueriesContext(connection) as queries:
        usage = Server.objects.usage_by_member(owner, shared_image)
    assert len(queries) == 1
    running = [usage.of(member).running for member in ImageMember.objects.filter(image=shared_image)]
    assert sorted(running) == sorted(number % 4 for number in range(12))


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_r26_a_member_never_sees_usage_not_even_its_own(status, owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer, status)
    factories.member(owner, shared_image, other_consumer, "accepted")
    booted(other_consumer, shared_image, "theirs", 1)
    with refused(NotOwner):
        Server.objects.usage_by_member(consumer, shared_image)


def test_r26_a_stranger_is_told_the_image_does_not_exist(owner, consumer, stranger, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    booted(consumer, shared_image, "box", 1)
    with refused(NotFound):
        Server.objects.usage_by_member(stranger, shared_image)


def test_r26_a_reader_of_the_owner_tenant_sees_usage(people, shared_image):
    """R27: seeing changes nothing, so a reader sees what its tenant sees."""
    owner, consumer = people["owner admin"], people["consumer admin"]
    factories.member(owner, shared_image, consumer, "accepted")
    booted(consumer, shared_image, "box", 1)
    assert usage_of(people["owner reader"], shared_image, consumer).running == 1


def test_r26_several_offers_count_only_the_tenants_own_images(owner, consumer, stranger, shared_image, dfw):
    """Shared by me's bulk Remove asks about members of several images at once."""
    second = factories.image(owner, dfw, name="second", visibility="shared")
    theirs = factories.image(stranger, dfw, name="theirs", visibility="shared")
    offers = [factories.member(owner, image, consumer, "accepted") for image in (shared_image, second)]
    foreign = factories.member(stranger, theirs, consumer, "accepted")
    first = booted(consumer, shared_image, "a", 3)
    booted(consumer, shared_image, "b", 9)
    booted(consumer, theirs, "c", 1)
    with CaptureQueriesContext(connection) as queries:
        usage = Server.objects.usage_of_offers(owner.account, [*offers, foreign])
    assert len(queries) == 1
    assert usage.of(offers[0]) == MemberUsage(2, first.created_at)
    assert usage.of(offers[1]) == NO_USAGE
    assert usage.of(foreign) == NO_USAGE  # another owner's member: not this tenant's to count
