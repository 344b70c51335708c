"""R27: roles in a tenant. Every method that changes a tenant's things asks `User.require_role`
first; a reader is refused with `RoleRequired`, which names the role needed, and nothing changes."""

import pytest

from imagesharing.accounts.models import ApiToken, TenantLabel
from imagesharing.choices import Role
from imagesharing.errors import RoleRequired
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.reports import ImageReport
from imagesharing.servers.models import Server
from tests import factories
from tests.rules.checks import refused


@pytest.fixture
def scene(owner, consumer, dfw):
    shared = factories.image(owner, dfw, name="shared", visibility="shared")
    member = factories.member(owner, shared, consumer)
    return {"shared": shared, "member": member, "server": Server.objects.boot(consumer, shared, "web-1")}


# What a reader of the owner's (o) or the consumer's (c) tenant tries, straight on the model.
CALLS = {
    "create an image": ("owner", lambda u, s, dfw: Image.objects.create_image(u, dfw, name="x")),
    "change an image": ("owner", lambda u, s, dfw: s["shared"].update(u, name="x")),
    "delete an image": ("owner", lambda u, s, dfw: s["shared"].destroy(u)),
    "share": ("owner", lambda u, s, dfw: s["shared"].share_with(u, ["1"], acknowledged=True)),
    "add a member": ("owner", lambda u, s, dfw: s["shared"].add_member(u, "1")),
    "add a member by IDs": ("owner", lambda u, s, dfw: Image.objects.add_member(u, dfw, s["shared"].pk, "1")),
    "upload": ("owner", lambda u, s, dfw: s["shared"].receive_data(u, [b"x"])),
    "remind": ("owner", lambda u, s, dfw: s["member"].remind(u)),
    "remind all pending": ("owner", lambda u, s, dfw: ImageMember.objects.remind_pending(u)),
    "set end dates": ("owner", lambda u, s, dfw: s["member"].set_end_dates(u, None, None)),
    "remove a member": ("owner", lambda u, s, dfw: s["member"].remove(u)),
    "answer": ("consumer", lambda u, s, dfw: s["member"].set_status(u, "accepted")),
    "answer by IDs": (
        "consumer",
        lambda u, s, dfw: ImageMember.objects.answer_by_ids(u, dfw, s["shared"].pk, u.account.tenant_id, "accepted"),
    ),
    "report": ("consumer", lambda u, s, dfw: ImageReport.objects.file(u, s["shared"], "error")),
    "boot": ("consumer", lambda u, s, dfw: Server.objects.boot(u, s["shared"], "web-2")),
    "snapshot": ("consumer", lambda u, s, dfw: s["server"].snapshot(u, "snap")),
    "delete a server": ("consumer", lambda u, s, dfw: s["server"].destroy(u)),
    "create a token": ("consumer", lambda u, s, dfw: ApiToken.objects.issue(u, "ci")),
    "write a note": ("owner", lambda u, s, dfw: s["member"].set_note(u, "hello")),
    "label a tenant": ("consumer", lambda u, s, dfw: TenantLabel.objects.set_label(u, 4242, "Dallas")),
}


@pytest.mark.parametrize("role", [Role.MEMBER, Role.READER])
def test_r27_only_an_admin_renames_the_tenant(people, role):
    with refused(RoleRequired, match="^Only a tenant admin can rename the tenant"):
        people[f"owner {role}"].account.rename(people[f"owner {role}"], "Taken over")
    people["owner admin"].account.rename(people["owner admin"], "Producer Holdings")


@pytest.mark.parametrize("call", list(CALLS))
def test_r27_a_reader_changes_nothing(people, scene, dfw, call):
    side, do = CALLS[call]
    with refused(RoleRequired, match="^Readers cannot"):
        do(people[f"{side} reader"], scene, dfw)


def test_r27_the_refusal_names_the_role_needed(people):
    with pytest.raises(RoleRequired, match="^Only a tenant admin can manage people"):
        people["owner member"].require_role(Role.ADMIN, "manage people")
    assert RoleRequired.http_status == 403


def test_r27_roles_are_ordered(people):
    admin, member, reader = (people[f"owner {role}"] for role in ("admin", "member", "reader"))
    assert admin.is_tenant_admin and admin.can_change
    assert not member.is_tenant_admin and member.can_change
    assert not reader.is_tenant_admin and not reader.can_change


def test_r27_a_person_revokes_its_own_token_whatever_its_role_and_an_admin_anyones(people):
    reader, member, admin = people["owner reader"], people["owner member"], people["owner admin"]
    own, _ = ApiToken.objects.issue(reader, "mine", as_operator=True)
    own.revoke(reader)
    theirs, _ = ApiToken.objects.issue(member, "theirs")
    with refused(RoleRequired, match="^Only a tenant admin"):
        theirs.revoke(people["owner reader"])
    theirs.revoke(admin)
    assert not ApiToken.objects.exists()
