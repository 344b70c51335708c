"""R12: revoking takes the image out of the consumer's lists and boot-by-ID; what it built stays its own."""

import pytest

from imagesharing.choices import MemberStatus
from imagesharing.errors import NotFound
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories
from tests.rules.checks import refused


@pytest.fixture
def revoked(owner, consumer, shared_image):
    """The consumer accepted, booted a server, snapshotted it; then the owner revoked it."""
    member = factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    server = Server.objects.boot(consumer, shared_image, "web-1")
    snapshot = server.snapshot(consumer, "web-1 snap")
    member.remove(owner)
    return server, snapshot


def test_r12_revoke_takes_the_image_out_of_the_list_and_inbox(consumer, dfw, shared_image, revoked):
    assert shared_image not in Image.objects.visible_to(consumer.account, dfw)
    assert not ImageMember.objects.inbox(consumer.account).exists()


def test_r12_revoke_takes_away_boot_by_id(consumer, shared_image, revoked):
    with refused(NotFound):
        Image.objects.get_usable(consumer.account, shared_image.pk)
    with refused(NotFound):
        Server.objects.boot(consumer, shared_image, "web-2")


def test_r12_servers_and_snapshots_survive_and_keep_working(consumer, dfw, shared_image, revoked):
    server, snapshot = revoked
    kept = Server.objects.get_owned(consumer.account, server.pk)
    assert (kept.image_id, kept.status) == (shared_image.pk, "active")
    assert snapshot in Image.objects.visible_to(consumer.account, dfw)
    assert Server.objects.boot(consumer, snapshot, "from snapshot").image == snapshot
    assert kept.snapshot(consumer, "later snap").base_image_id == shared_image.pk


def test_r12_revoking_one_consumer_leaves_another_consumers_access(owner, other_consumer, shared_image, revoked):
    factories.member(owner, shared_image, other_consumer, MemberStatus.ACCEPTED)
    assert Image.objects.get_usable(other_consumer.account, shared_image.pk) == shared_image


def test_r12_revoking_twice_is_not_found(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    member.remove(owner)
    with refused(NotFound, match="No such member"):
        member.remove(owner)
