"""R27 through the API: a token acts with its person's role at the time of each call. Admins and
members write; a reader's token reads, and every write is a 403 in Glance's error shape that
changes nothing."""

import pytest

from imagesharing.choices import Role
from tests import factories
from tests.api.conftest import error_of
from tests.rules.checks import snapshot


@pytest.fixture
def scene(people, owner, consumer, stranger, dfw):
    shared = factories.image(owner, dfw, name="shared", visibility="shared")
    factories.member(owner, shared, consumer)
    return {
        "shared": shared,
        "private": factories.image(owner, dfw, name="private"),
        "queued": factories.image(owner, dfw, name="queued", active=False),
        "stranger": str(stranger.account.tenant_id),
        "consumer": str(consumer.account.tenant_id),
    }


OCTETS = "application/octet-stream"
PATCH = "application/openstack-images-v2.1-json-patch"
# (side, call): method, path and body of each write.
WRITES = {
    ("owner", "create image"): lambda s: ("POST", "/v2/images", {"name": "new"}, {}),
    ("owner", "update image"): lambda s: (
        "PATCH",
        f"/v2/images/{s['private'].pk}",
        [{"op": "replace", "path": "/name", "value": "renamed"}],
        {"content_type": PATCH},
    ),
    ("owner", "delete image"): lambda s: ("DELETE", f"/v2/images/{s['private'].pk}", None, {}),
    ("owner", "upload data"): lambda s: (
        "PUT",
        f"/v2/images/{s['queued'].pk}/file",
        None,
        {"raw": b"x" * 10, "content_type": OCTETS},
    ),
    ("owner", "add member"): lambda s: ("POST", f"/v2/images/{s['shared'].pk}/members", {"member": s["stranger"]}, {}),
    ("owner", "remove member"): lambda s: ("DELETE", f"/v2/images/{s['shared'].pk}/members/{s['consumer']}", None, {}),
    ("consumer", "answer"): lambda s: (
        "PUT",
        f"/v2/images/{s['shared'].pk}/members/{s['consumer']}",
        {"status": "accepted"},
        {},
    ),
}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER, Role.READER])
@pytest.mark.parametrize("side, call", list(WRITES))
def test_r27_every_api_write_for_every_role(api_as, people, scene, side, call, role):
    api = api_as(people[f"{side} {role}"])
    method, path, body, options = WRITES[side, call](scene)
    api.get("/v2/images")  # the token's first use is recorded (ApiToken.touch) before the snapshot
    before = snapshot()
    response = api.request(method, path, body, **options)
    if role == Role.READER:
        status, message = error_of(response)
        assert status == 403 and message.startswith("Readers cannot")
        assert snapshot() == before
    else:
        assert response.status_code < 300, response.content
        assert snapshot() != before


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER, Role.READER])
def test_r27_every_role_reads(api_as, people, scene, role):
    api = api_as(people[f"consumer {role}"])
    assert api.get(f"/v2/images/{scene['shared'].pk}").status_code == 200
    assert api.get("/v2/images", visibility="shared", member_status="all").status_code == 200
    assert api.get(f"/v2/images/{scene['shared'].pk}/members/{scene['consumer']}").status_code == 200


def test_r27_a_token_acts_with_its_persons_role_now_not_when_it_was_issued(api_as, people, scene):
    person = people["owner member"]
    api = api_as(person)
    person.role = Role.READER
    person.save(update_fields=["role"])
    assert api.post(f"/v2/images/{scene['shared'].pk}/members", {"member": scene["stranger"]}).status_code == 403


@pytest.mark.parametrize("removal", ["deactivated", "deleted"])
def test_r27_a_token_dies_with_its_person(api_as, people, scene, removal):
    person = people["consumer member"]
    api = api_as(person)
    if removal == "deleted":
        person.delete()
    else:
        person.is_active = False
        person.save(update_fields=["is_active"])
    assert api.get("/v2/images").status_code == 401
