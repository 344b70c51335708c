"""The standing cast: a producer, consumers in the image's region, a stranger, and an
outsider whose tenant is not enabled in the region."""

import pytest

from imagesharing.choices import MemberStatus, Role
from tests import factories


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Image data goes to a fresh folder per test, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "media" / "uploads")
    return settings.MEDIA_ROOT


@pytest.fixture
def dfw(db):
    return factories.region("DFW")


@pytest.fixture
def lon(db):
    return factories.region("LON")


@pytest.fixture
def owner(dfw):
    return factories.user(factories.account(dfw, name="Producer"), username="owner")


@pytest.fixture
def consumer(dfw):
    return factories.user(factories.account(dfw, name="Consumer"), username="consumer")


@pytest.fixture
def people(owner, consumer):
    """R27: a person of each role in the owner's and in the consumer's tenant, keyed "owner admin",
    "consumer reader"...; the admins are `owner` and `consumer` themselves."""
    cast = {"owner admin": owner, "consumer admin": consumer}
    for side, admin in (("owner", owner), ("consumer", consumer)):
        for role in (Role.MEMBER, Role.READER):
            cast[f"{side} {role}"] = factories.user(admin.account, username=f"{side}-{role}", role=role)
    return cast


@pytest.fixture
def other_consumer(dfw):
    return factories.user(factories.account(dfw, name="Second consumer"), username="other")


@pytest.fixture
def stranger(dfw):
    return factories.user(factories.account(dfw, name="Stranger"), username="stranger")


@pytest.fixture
def abroad(lon):
    """A tenant enabled only in LON, outside the DFW images' region."""
    return factories.user(factories.account(lon, name="UK tenant"), username="abroad")


@pytest.fixture
def operator(db):
    return factories.operator()


@pytest.fixture
def image(owner, dfw):
    return factories.image(owner, dfw, name="web-base")


@pytest.fixture
def shared_image(owner, dfw):
    return factories.image(owner, dfw, name="shared-base", visibility="shared")


@pytest.fixture
def world(owner, consumer, stranger, dfw, lon):
    """Images of every kind around the consumer, keyed by what they are to it."""
    both = factories.user(factories.account(dfw, lon, name="Two regions"), username="both")
    cloud = factories.user(factories.account(dfw, lon, name="Cloud"), username="cloud")
    images = {
        "own_private": factories.image(consumer, dfw, name="own private"),
        "own_shared": factories.image(consumer, dfw, name="own shared", visibility="shared"),
        "own_queued": factories.image(consumer, dfw, name="own queued", active=False),
        "public": factories.image(cloud, dfw, name="base", visibility="public"),
        "public_lon": factories.image(cloud, lon, name="base lon", visibility="public"),
        "accepted": factories.image(owner, dfw, name="accepted", visibility="shared"),
        "pending": factories.image(owner, dfw, name="pending", visibility="shared"),
        "rejected": factories.image(owner, dfw, name="rejected", visibility="shared"),
        "accepted_lon": factories.image(both, lon, name="accepted lon", visibility="shared"),
        "private_with_member": factories.image(owner, dfw, name="made private", visibility="shared"),
        "deleted": factories.image(owner, dfw, name="deleted", visibility="shared"),
        "strangers": factories.image(stranger, dfw, name="not mine"),
        "strangers_shared": factories.image(stranger, dfw, name="shared elsewhere", visibility="shared"),
    }
    consumer.account.regions.add(lon)
    for key in ("accepted", "pending", "rejected", "private_with_member", "deleted"):
        status = key if key in MemberStatus.values else MemberStatus.ACCEPTED
        factories.member(owner, images[key], consumer, status)
    factories.member(both, images["accepted_lon"], consumer, MemberStatus.ACCEPTED)
    factories.member(stranger, images["strangers_shared"], factories.user(username="third"), "accepted")
    images["private_with_member"].update(owner, visibility="private")
    images["deleted"].destroy(owner)
    return images
