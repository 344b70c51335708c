"""R13 (snapshots belong to the server's tenant), R14 (storage charged to owners) and R15 (deletion, booting)."""

import pytest

from imagesharing.choices import Action, MemberStatus
from imagesharing.errors import ImageNotActive, ImageProtected, InvalidValue, NotFound
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories
from tests.rules.checks import refused


@pytest.fixture
def consumer_server(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    return Server.objects.boot(consumer, shared_image, "web-1")


# R13


def test_r13_snapshot_is_a_private_image_of_the_servers_tenant(owner, consumer, shared_image, consumer_server):
    snapshot = consumer_server.snapshot(consumer, "my snap")
    assert snapshot.owner == consumer.account != owner.account
    assert (snapshot.visibility, snapshot.status, snapshot.region_id) == ("private", "active", "DFW")
    assert snapshot.base_image_id == shared_image.pk
    with snapshot.open_data(consumer) as data:  # a generated data file, hashed like any upload
        assert len(data.read()) == snapshot.size > 0


def test_r13_snapshot_is_not_visible_to_the_producer(owner, dfw, consumer, consumer_server):
    snapshot = consumer_server.snapshot(consumer, "my snap")
    assert snapshot not in Image.objects.visible_to(owner.account, dfw)
    with refused(NotFound):
        Image.objects.get_usable(owner.account, snapshot.pk)


def test_r13_only_the_servers_tenant_may_snapshot_it(owner, consumer_server):
    with refused(NotFound, match="No such server"):
        consumer_server.snapshot(owner, "stolen")


def test_r13_snapshot_needs_a_name(consumer, consumer_server):
    with refused(InvalidValue):
        consumer_server.snapshot(consumer, "   ")


def test_r13_server_is_found_only_by_its_tenant(owner, consumer, consumer_server):
    assert Server.objects.get_owned(consumer.account, str(consumer_server.pk)) == consumer_server
    with refused(NotFound):
        Server.objects.get_owned(owner.account, consumer_server.pk)
    with refused(NotFound):
        Server.objects.get_owned(consumer.account, "garbage")


# R14


def test_r14_storage_is_charged_to_the_owner_alone(owner, consumer, dfw, shared_image):
    factories.image(owner, dfw, size=500)
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    assert Image.objects.storage_charged_to(owner.account) == shared_image.size + 500
    assert Image.objects.storage_charged_to(consumer.account) == 0


def test_r14_consumer_pays_for_a_snapshot_it_takes(consumer, consumer_server):
    assert Image.objects.storage_charged_to(consumer.account) == 0
    snapshot = consumer_server.snapshot(consumer, "snap")
    assert Image.objects.storage_charged_to(consumer.account) == snapshot.size > 0


def test_r14_consumer_pays_for_servers_it_boots(consumer, consumer_server):
    assert list(Server.objects.owned_by(consumer.account)) == [consumer_server]


def test_r14_deleted_and_queued_images_cost_nothing(owner, dfw):
    kept = factories.image(owner, dfw, size=100)
    factories.image(owner, dfw, size=1000).destroy(owner)
    factories.image(owner, dfw, active=False)
    assert Image.objects.storage_charged_to(owner.account) == kept.size


# R15


def test_r15_delete_removes_members_and_keeps_servers(owner, consumer, other_consumer, shared_image, consumer_server):
    factories.member(owner, shared_image, other_consumer)
    shared_image.destroy(owner)
    stored = Image.objects.get(pk=shared_image.pk)
    assert (stored.status, stored.deleted_at is not None) == ("deleted", True)
    assert not ImageMember.objects.exists()
    kept = Server.objects.get_owned(consumer.account, consumer_server.pk)
    assert kept.image_id == shared_image.pk and kept.status == "active"


def test_r15_deleted_image_disappears_for_everyone(owner, consumer, dfw, shared_image, consumer_server):
    shared_image.destroy(owner)
    for account in (owner.account, consumer.account):
        assert shared_image not in Image.objects.visible_to(account, dfw)
        with refused(NotFound):
            Image.objects.get_usable(account, shared_image.pk)


def test_r15_protected_image_cannot_be_deleted(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    shared_image.update(owner, protected=True)
    with refused(ImageProtected, match="protected"):
        shared_image.destroy(owner)


def test_r15_unprotected_image_can_be_deleted_again(owner, image):
    image.update(owner, protected=True)
    image.update(owner, protected=False)
    image.destroy(owner)
    assert Image.objects.get(pk=image.pk).status == "deleted"


def test_r15_deleting_twice_is_not_found(owner, image):
    image.destroy(owner)
    with refused(NotFound):
        image.destroy(owner)


def test_r15_deleted_image_cannot_be_changed(owner, operator, image):
    image.destroy(owner)
    with refused(NotFound):
        image.update(owner, name="zombie")
    with refused(NotFound):
        image.update(operator, visibility="public", as_operator=True)


@pytest.mark.parametrize("status", ["queued", "saving", "killed"])
def test_r15_non_active_image_cannot_be_booted(owner, dfw, status):
    image = factories.image(owner, dfw, active=False)
    Image.objects.filter(pk=image.pk).update(status=status)
    with refused(ImageNotActive, match=f"This image is {status}"):
        Server.objects.boot(owner, image, "vm")


def test_r15_active_image_boots(owner, image):
    assert Server.objects.boot(owner, image, " vm ").name == "vm"


def test_r15_deletion_is_recorded_with_the_removed_members(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    shared_image.destroy(owner)
    removed = Event.objects.get(action=Action.MEMBER_REMOVED)
    assert (removed.member, removed.before, removed.note) == (consumer.account, "accepted", "image deleted")
    deleted = Event.objects.get(action=Action.IMAGE_DELETED)
    assert (deleted.before, deleted.after, deleted.actor) == ("active", "deleted", owner)
