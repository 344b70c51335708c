"""R27 in the panel: every action, for an admin, a member and a reader of the owner's and of the
consumer's tenant. Admins and members change what the action changes; a reader is told which
role it needs and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from imagesharing.choices import Role
from imagesharing.images.models import Image
from imagesharing.memberships.lists import TenantList
from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import messages_of, signed_in
from tests.rules.checks import snapshot


@pytest.fixture
def scene(people, owner, consumer, stranger, dfw):
    """What each action works on: the owner's images (one shared with the consumer, pending), a
    queued one, and a server of the consumer's booted from the shared image."""
    shared = factories.image(owner, dfw, name="shared", visibility="shared")
    member = factories.member(owner, shared, consumer)
    server = Server.objects.boot(consumer, shared, "web-1")
    branches = TenantList.objects.create_list(owner, "Branches")
    branches.set_tenants(owner, [consumer.account.tenant_id])
    return {
        "list": branches,
        "shared": shared,
        "member": member,
        "private": factories.image(owner, dfw, name="private"),
        "queued": factories.image(owner, dfw, name="queued", active=False),
        "server": server,
        "stranger": stranger.account.tenant_id,
        "consumer": consumer.account.tenant_id,
    }


def _member_path(s, tail):
    return f"/images/{s['shared'].pk}/members/{s['consumer']}/{tail}/"


def _deprecated(s, tail):
    """R25: the shared image, deprecated with the private one as its replacement (set up before the action)."""
    Image.objects.filter(pk=s["shared"].pk).update(deprecated_at=timezone.now(), replacement=s["private"])
    return f"/images/{s['shared'].pk}/{tail}/"


# (side, action): the POST each makes. The side is the tenant whose person acts.
ACTIONS = {
    ("owner", "import"): lambda s: (
        "/images/import/",
        {"name": "new", "disk_format": "qcow2", "container_format": "bare", "min_disk": "0", "min_ram": "0"},
    ),
    ("owner", "upload"): lambda s: (
        f"/images/{s['queued'].pk}/upload/",
        {"file": SimpleUploadedFile("disk.qcow2", b"x" * 100)},
    ),
    ("owner", "edit"): lambda s: (f"/images/{s['private'].pk}/edit/", {"name": "renamed", "visibility": "private"}),
    ("owner", "delete"): lambda s: (f"/images/{s['private'].pk}/delete/", {}),
    ("owner", "share"): lambda s: (
        f"/images/{s['shared'].pk}/share/",
        {"tenant_ids": str(s["stranger"]), "acknowledge": "on"},
    ),
    ("owner", "remove"): lambda s: (_member_path(s, "remove"), {}),
    ("owner", "remind"): lambda s: (_member_path(s, "remind"), {}),
    ("owner", "dates"): lambda s: (_member_path(s, "dates"), {"access_until": "2999-01-01"}),
    ("owner", "remind all pending"): lambda s: ("/shared-by-me/remind/", {}),
    ("owner", "remove offers"): lambda s: ("/shared-by-me/remove/", {"member": [s["member"].pk], "confirmed": "yes"}),
    ("owner", "create token"): lambda s: ("/tokens/", {"name": "ci", "lifetime": "30"}),
    ("owner", "note"): lambda s: (_member_path(s, "note"), {"note": "Use the 2026 build."}),
    ("owner", "label"): lambda s: ("/labels/", {"tenant_id": "4242", "text": "Dallas branch"}),
    ("owner", "rename tenant"): lambda s: ("/account/", {"name": "Producer Holdings"}),
    ("owner", "deprecate"): lambda s: (f"/images/{s['private'].pk}/deprecate/", {"replacement": ""}),
    ("owner", "cancel deprecation"): lambda s: (_deprecated(s, "undeprecate"), {}),
    ("owner", "offer replacement"): lambda s: (_deprecated(s, "offer-replacement"), {"acknowledge": "on"}),
    ("consumer", "trust producer"): lambda s: ("/trusted-producers/", {"tenant_id": "4242", "answer": "accepted"}),
    ("owner", "make list"): lambda s: ("/lists/", {"name": "Everyone"}),
    ("owner", "list settings"): lambda s: (f"/lists/{s['list'].pk}/", {"name": "Renamed", "follows": "on"}),
    ("owner", "list tenant IDs"): lambda s: (f"/lists/{s['list'].pk}/tenants/", {"tenant_ids": "4242"}),
    ("owner", "delete list"): lambda s: (f"/lists/{s['list'].pk}/delete/", {}),
    ("owner", "bulk share"): lambda s: (
        "/images/share/",
        {"image": [s["private"].pk], "tenant_ids": str(s["stranger"]), "acknowledge": "on"},
    ),
    ("owner", "bulk share with a list"): lambda s: (
        "/images/share/",
        {"image": [s["private"].pk], "tenant_list": s["list"].pk, "acknowledge": "on"},
    ),
    ("consumer", "accept"): lambda s: (f"/images/{s['shared'].pk}/status/", {"status": "accepted"}),
    ("consumer", "report"): lambda s: (f"/images/{s['shared'].pk}/report/", {"reason": "error", "details": ""}),
    ("consumer", "boot"): lambda s: ("/servers/boot/", {"image_id": str(s["shared"].pk), "name": "web-2"}),
    ("consumer", "snapshot"): lambda s: (f"/servers/{s['server'].pk}/snapshot/", {"name": "snap"}),
    ("consumer", "delete server"): lambda s: (f"/servers/{s['server'].pk}/delete/", {}),
}
ROLES = [Role.ADMIN, Role.MEMBER, Role.READER]
ADMIN_ONLY = {"rename tenant"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side, action", list(ACTIONS))
def test_r27_every_panel_action_for_every_role(people, scene, operator, side, action, role):
    """operator: a report has someone to notify, so that it changes something when allowed."""
    client = signed_in(people[f"{side} {role}"])
    path, data = ACTIONS[side, action](scene)
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code in (200, 302)
    refusal = "Readers cannot" if role == Role.READER else None
    if action in ADMIN_ONLY and role != Role.ADMIN:
        refusal = "Only a tenant admin can"
    if refusal:
        assert snapshot() == before
        assert any(refusal in message for message in messages_of(response)) or refusal.encode() in response.content
    else:
        assert snapshot() != before, messages_of(response)


@pytest.mark.parametrize("role", ROLES)
def test_r27_personal_things_stay_each_persons_own_for_every_role(people, scene, role):
    """Reading one's notices, one's mail preferences and the region one works in are not the tenant's."""
    client = signed_in(people[f"consumer {role}"])
    assert client.post("/notices/read/").status_code == 302
    assert client.post("/notices/preferences/", {"email": []}).status_code == 302
    assert client.post("/region/", {"region": "DFW"}).status_code == 302


def test_r27_a_readers_refused_upload_leaves_the_image_queued(people, scene):
    signed_in(people["owner reader"]).post(
        f"/images/{scene['queued'].pk}/upload/", {"file": SimpleUploadedFile("disk.qcow2", b"x" * 100)}
    )
    assert Image.objects.get(pk=scene["queued"].pk).status == "queued"


# R27: a reader's pages show no button that would be refused (the model would refuse it anyway).
REFUSED_MARKS = [
    "Import an image",
    'action="/images/{shared}/upload/"',
    "Share</button>",
    "Save settings",
    "Delete this image",
    ">Remove<",
    ">Dates<",
    "Remind",
    "Accept<",
    "Reject<",
    "Boot server",
    "Boot a server<span",
    "Snapshot<",
    "Delete<",
    "report this image",
    "Create token",
    "Remove selected",
    "Deprecate…",
    "Cancel deprecation",
    "Accept the replacement",
    "Save to list",
    "Share selected images",
    "Make the list",
    "Save tenant IDs",
    "Delete the list",
]


def _pages(scene) -> list[str]:
    shared = scene["shared"].pk
    return [
        "/images/",
        f"/images/{shared}/",
        f"/images/{scene['queued'].pk}/",
        "/shared/",
        "/shared-by-me/",
        "/servers/",
        f"/servers/boot/?image={shared}",
        "/tokens/",
        "/trusted-producers/",
        "/lists/",
        f"/lists/{scene['list'].pk}/",
    ]


@pytest.mark.parametrize("side", ["owner", "consumer"])
def test_r27_a_readers_panel_shows_no_button_that_would_be_refused(people, scene, side):
    client = signed_in(people[f"{side} reader"])
    for path in _pages(scene):
        if side == "consumer" and str(scene["queued"].pk) in path:
            continue  # the owner's queued image is not the consumer's to see (R6)
        if side == "consumer" and path.startswith("/lists/") and path != "/lists/":
            continue  # the owner's list is not the consumer's to see (R23)
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        for mark in REFUSED_MARKS:
            assert mark.format(shared=scene["shared"].pk) not in page, (path, mark)


@pytest.mark.parametrize("side", ["owner", "consumer"])
def test_r27_a_members_panel_shows_them(people, scene, side):
    client = signed_in(people[f"{side} member"])
    pages = "".join(
        client.get(path).content.decode() for path in _pages(scene) if side == "owner" or "/lists/" not in path
    )
    expected = ["Import an image", "Boot server", "Create token", "Save to list"] + (
        [
            "Share</button>",
            "Save settings",
            ">Remove<",
            "Remind",
            "Deprecate…",
            "Share selected images",
            "Save tenant IDs",
        ]
        if side == "owner"
        else ["Accept<", "Snapshot<"]
    )
    for mark in expected:
        assert mark in pages, mark


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MEMBER, Role.READER])
@pytest.mark.parametrize("side", ["owner", "consumer"])
def test_r26_usage_shows_to_every_role_of_the_owner_and_to_nobody_of_the_consumer(people, scene, side, role):
    """R26 is seeing, not changing: every person of the owner's tenant sees it, no one of the member's."""
    page = signed_in(people[f"{side} {role}"]).get(f"/images/{scene['shared'].pk}/").content.decode()
    assert ('<td data-label="Servers running">1</td>' in page) == (side == "owner")
    assert ("Last boot" in page) == (side == "owner")


# R27: the confirmation pages of refused actions, opened by their URL, are refused too: a reader is
# sent back to the page it came from with the refusal, and never shown a form it cannot send.
CONFIRMATIONS = {
    ("owner", "delete image"): lambda s: (f"/images/{s['private'].pk}/delete/", "/images/{private}/"),
    ("owner", "remove member"): lambda s: (_member_path(s, "remove"), "/images/{shared}/"),
    ("owner", "end dates"): lambda s: (_member_path(s, "dates"), "/images/{shared}/"),
    ("owner", "note"): lambda s: (_member_path(s, "note"), "/images/{shared}/"),
    ("consumer", "report"): lambda s: (f"/images/{s['shared'].pk}/report/", "/images/{shared}/"),
    ("consumer", "delete server"): lambda s: (f"/servers/{s['server'].pk}/delete/", "/servers/"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("side, page", list(CONFIRMATIONS))
def test_r27_a_confirmation_page_opens_for_those_who_may_confirm_it(people, scene, side, page, role):
    path, back = CONFIRMATIONS[side, page](scene)
    response = signed_in(people[f"{side} {role}"]).get(path)
    if role == Role.READER:
        assert response.status_code == 302
        assert response["Location"].startswith(back.format(private=scene["private"].pk, shared=scene["shared"].pk))
        assert any("Readers cannot" in message for message in messages_of(response))
    else:
        assert response.status_code == 200
