"""python-glanceclient and openstacksdk, unchanged, against a live server: the whole sharing handshake.

Each client is given only the region endpoint and a token, as the README tells a
user to do; they must reach nothing else (no Keystone, no network).
"""

import socket
import warnings

import glanceclient
import openstack
import pytest
from glanceclient import exc as glance_errors
from openstack import exceptions as sdk_errors

from imagesharing.accounts.models import ApiToken
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::PendingDeprecationWarning"),
]
LOCAL = {"localhost", "127.0.0.1", "::1"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """The clients may look up no host but the live server's: no Keystone, no discovery elsewhere."""
    lookup = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host not in LOCAL:
            raise OSError(f"test clients must not reach {host}")
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


def endpoint(live_server) -> str:
    return f"{live_server.url}/api/dfw/"


@pytest.fixture
def glance_for(live_server):
    """glanceclient as its documentation shows: version "2", an endpoint and a token."""
    made = []

    def make(user):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            token = ApiToken.objects.issue(user, "gc")[1]
            client = glanceclient.Client("2", endpoint=endpoint(live_server), token=token)
        made.append(client)
        return client

    yield make
    for client in made:  # end keep-alive connections while the live server still shares its database
        client.http_client.session.close()


@pytest.fixture
def sdk_for(live_server):
    """openstacksdk without Keystone: a token for a fixed endpoint, discovering the version there."""
    made = []

    def make(user):
        connection = openstack.connection.Connection(
            auth_type="admin_token",
            auth={"endpoint": endpoint(live_server), "token": ApiToken.objects.issue(user, "sdk")[1]},
            image_endpoint_override=endpoint(live_server),
        )
        made.append(connection)
        return connection

    yield make
    for connection in made:
        connection.close()


def ids(images) -> list[str]:
    return [image.id for image in images]


def test_glanceclient_handshake(glance_for, settings, owner, consumer, other_consumer, stranger):
    producer, tenant = glance_for(owner), str(consumer.account.tenant_id)
    me, outsider = glance_for(consumer), glance_for(stranger)

    image = producer.images.create(
        name="golden", disk_format="qcow2", container_format="bare", visibility="shared", min_ram=512
    )
    assert (image.status, image.visibility, image.owner) == ("queued", "shared", str(owner.account.tenant_id))
    member = producer.image_members.create(image.id, tenant)
    assert (member.member_id, member.image_id, member.status) == (tenant, image.id, "pending")

    inbox = {"visibility": "shared", "member_status": "pending"}
    assert ids(me.images.list(filters=inbox)) == [image.id]
    assert image.id not in ids(me.images.list())
    assert me.images.get(image.id).name == "golden"  # R6: open and boot by ID while pending

    assert me.image_members.update(image.id, tenant, "accepted").status == "accepted"
    assert ids(me.images.list()) == [image.id]
    assert [m.status for m in producer.image_members.list(image.id)] == ["accepted"]

    me.image_members.update(image.id, tenant, "rejected")
    assert image.id not in ids(me.images.list())
    assert ids(me.images.list(filters={"visibility": "shared", "member_status": "rejected"})) == [image.id]
    assert me.images.get(image.id).id == image.id  # R6: rejected still opens by ID

    with pytest.raises(glance_errors.HTTPConflict, match="already a member"):
        producer.image_members.create(image.id, tenant)
    with pytest.raises(glance_errors.HTTPForbidden, match="Only the consumer"):
        producer.image_members.update(image.id, tenant, "accepted")
    with pytest.raises(glance_errors.HTTPForbidden, match="cannot remove itself"):
        me.image_members.delete(image.id, tenant)
    with pytest.raises(glance_errors.HTTPNotFound):
        outsider.images.get(image.id)
    with pytest.raises(glance_errors.HTTPNotFound):
        list(outsider.image_members.list(image.id))
    settings.IMAGE_MEMBER_QUOTA = 1
    with pytest.raises(glance_errors.HTTPOverLimit, match="1 members"):
        producer.image_members.create(image.id, str(other_consumer.account.tenant_id))

    producer.image_members.delete(image.id, tenant)
    with pytest.raises(glance_errors.HTTPNotFound):
        me.images.get(image.id)
    assert not ImageMember.objects.filter(image_id=image.id).exists()
    assert list(Event.objects.filter(image_id=image.id).order_by("pk").values_list("action", "after")) == [
        ("member_added", "pending"),
        ("member_status", "accepted"),
        ("member_status", "rejected"),
        ("member_removed", ""),
    ]

    renamed = producer.images.update(image.id, name="golden-2", protected=True)
    assert (renamed.name, renamed.protected) == ("golden-2", True)
    with pytest.raises(glance_errors.HTTPForbidden, match="protected"):
        producer.images.delete(image.id)
    producer.images.update(image.id, protected=False)
    producer.images.delete(image.id)
    assert Image.objects.get(pk=image.id).status == "deleted"


def test_openstacksdk_handshake(sdk_for, settings, owner, consumer, other_consumer, stranger):
    producer, tenant = sdk_for(owner), str(consumer.account.tenant_id)
    me, outsider = sdk_for(consumer), sdk_for(stranger)

    image = producer.image.create_image("golden", disk_format="raw", container_format="bare")
    assert (image.status, image.visibility) == ("queued", "private")
    with pytest.raises(sdk_errors.ForbiddenException, match="visibility 'shared'"):
        producer.image.add_member(image, member_id=tenant)  # as Glance: share a private image first
    producer.image.update_image(image, visibility="shared")

    member = producer.image.add_member(image, member_id=tenant)
    assert member.status == "pending"
    assert ids(me.image.images(visibility="shared", member_status="pending")) == [image.id]
    assert image.id not in ids(me.image.images())
    assert me.image.get_image(image.id).name == "golden"

    accepted = me.image.update_member(tenant, image, status="accepted")  # the PUT body also carries `member`
    assert accepted.status == "accepted"
    assert ids(me.image.images()) == [image.id]
    assert [m.status for m in me.image.members(image)] == ["accepted"]  # R7: only its own record
    assert me.image.get_member(tenant, image).status == "accepted"

    me.image.update_member(tenant, image, status="rejected")
    assert image.id not in ids(me.image.images())
    assert me.image.get_image(image.id).id == image.id

    with pytest.raises(sdk_errors.ConflictException, match="already a member"):
        producer.image.add_member(image, member_id=tenant)
    with pytest.raises(sdk_errors.ForbiddenException, match="Only the consumer"):
        producer.image.update_member(tenant, image, status="accepted")
    with pytest.raises(sdk_errors.NotFoundException):
        outsider.image.get_image(image.id)
    with pytest.raises(sdk_errors.NotFoundException):
        outsider.image.get_member(tenant, image)
    settings.IMAGE_MEMBER_QUOTA = 1
    with pytest.raises(sdk_errors.HttpException, match="1 members") as info:
        producer.image.add_member(image, member_id=str(other_consumer.account.tenant_id))
    assert info.value.status_code == 413

    producer.image.remove_member(tenant, image)
    with pytest.raises(sdk_errors.NotFoundException):
        me.image.get_image(image.id)
    producer.image.delete_image(image)
    with pytest.raises(sdk_errors.NotFoundException):
        producer.image.get_image(image.id)


def test_glanceclient_pages_through_600_images_each_once(glance_for, owner, dfw):
    Image.objects.bulk_create(Image(owner=owner.account, region=dfw, name=f"bulk-{n}") for n in range(600))
    client = glance_for(owner)
    listed = ids(client.images.list())  # glanceclient asks for pages of 200 and follows `next`
    assert len(listed) == 600
    assert set(listed) == set(map(str, Image.objects.values_list("pk", flat=True)))
    by_name = [image.name for image in client.images.list(page_size=70, sort_key="name", sort_dir="asc")]
    assert by_name == sorted(f"bulk-{n}" for n in range(600))
