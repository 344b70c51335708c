"""/v2/images/{id}/members[/{tenant}]: Glance's member calls and tempest's member scenarios, in our words.

R1 (only the owner adds and removes), R2 (one member per tenant), R3 (only the
consumer answers), R4, R7 (who sees which members), R8, R9 (shared images only),
R11 (quota), R12 (revoking), R16 (history).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imagesharing.accounts.models import ProducerRule
from imagesharing.errors import TenantUnavailable
from imagesharing.lib.parse import parse_tenant_id
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.api.conftest import error_of, unchanged


def members_path(image) -> str:
    return f"/v2/images/{image.pk}/members"


def member_path(image, user) -> str:
    return f"{members_path(image)}/{user.account.tenant_id}"


def share(api, image, user):
    return api.post(members_path(image), {"member": str(user.account.tenant_id)})


def answer(api, image, user, status):
    return api.put(member_path(image, user), {"status": status})


def listed_ids(api) -> set[str]:
    return {image["id"] for image in api.get("/v2/images").json()["images"]}


# Tempest's scenarios


def test_share_then_accept(api_as, owner, consumer, shared_image):
    producer, me = api_as(owner), api_as(consumer)
    response = share(producer, shared_image, consumer)
    assert response.status_code == 200
    member = response.json()
    assert (member["member_id"], member["image_id"], member["status"]) == (
        str(consumer.account.tenant_id),
        str(shared_image.pk),
        "pending",
    )
    assert member["schema"] == "/v2/schemas/member"
    assert str(shared_image.pk) not in listed_ids(me)

    assert answer(me, shared_image, consumer, "accepted").json()["status"] == "accepted"
    assert str(shared_image.pk) in listed_ids(me)
    members = producer.get(members_path(shared_image)).json()
    assert members["schema"] == "/v2/schemas/members"
    assert [(m["member_id"], m["status"]) for m in members["members"]] == [
        (str(consumer.account.tenant_id), "accepted")
    ]


def test_share_then_reject(api_as, owner, consumer, shared_image):
    share(api_as(owner), shared_image, consumer)
    me = api_as(consumer)
    assert answer(me, shared_image, consumer, "rejected").json()["status"] == "rejected"
    assert str(shared_image.pk) not in listed_ids(me)
    assert me.get(f"/v2/images/{shared_image.pk}").status_code == 200  # R6


def test_show_a_member(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    for user in (owner, consumer):
        body = api_as(user).get(member_path(shared_image, consumer)).json()
        assert (body["member_id"], body["image_id"], body["status"]) == (
            str(consumer.account.tenant_id),
            str(shared_image.pk),
            "accepted",
        )


def test_remove_a_member(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    response = api_as(owner).delete(member_path(shared_image, consumer))
    assert response.status_code == 204
    assert response.content == b"" and "Content-Type" not in response
    me = api_as(consumer)
    assert str(shared_image.pk) not in listed_ids(me)
    assert error_of(me.get(f"/v2/images/{shared_image.pk}"))[0] == 404  # R12
    assert list(Event.objects.filter(image=shared_image).values_list("action", "before").order_by("-pk")[:1]) == [
        ("member_removed", "accepted")
    ]


def test_an_invalid_status_is_400(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    with unchanged():
        assert error_of(answer(api_as(consumer), shared_image, consumer, "notavalidstatus")) == (
            400,
            "Status must be one of pending, accepted, rejected.",
        )


def test_the_owner_cannot_accept_for_the_consumer(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    with unchanged():
        assert error_of(answer(api_as(owner), shared_image, consumer, "accepted")) == (
            403,
            "Only the consumer can change its member status.",
        )
    assert str(shared_image.pk) not in listed_ids(api_as(consumer))


def test_member_schemas(api_as, owner):
    api = api_as(owner)
    assert api.get("/v2/schemas/member").json()["name"] == "member"
    assert api.get("/v2/schemas/members").json()["name"] == "members"


# Adding (R1, R2, R4, R8, R9, R11)


def test_each_share_is_one_independent_member(api_as, owner, consumer, other_consumer, shared_image):
    producer = api_as(owner)
    share(producer, shared_image, consumer)
    share(producer, shared_image, other_consumer)
    producer.delete(member_path(shared_image, consumer))
    assert [m["member_id"] for m in producer.get(members_path(shared_image)).json()["members"]] == [
        str(other_consumer.account.tenant_id)
    ]


def test_a_numeric_member_id_is_accepted_too(api_as, owner, consumer, shared_image):
    response = api_as(owner).post(members_path(shared_image), {"member": consumer.account.tenant_id})
    assert response.json()["member_id"] == str(consumer.account.tenant_id)


def test_duplicate_is_409(api_as, owner, consumer, shared_image):
    share(api_as(owner), shared_image, consumer)
    with unchanged():
        assert error_of(share(api_as(owner), shared_image, consumer)) == (
            409,
            f"Tenant {consumer.account.tenant_id} is already a member of this image.",
        )


def test_quota_is_413(api_as, owner, consumer, other_consumer, shared_image, settings):
    settings.IMAGE_MEMBER_QUOTA = 1
    share(api_as(owner), shared_image, consumer)
    with unchanged():
        assert error_of(share(api_as(owner), shared_image, other_consumer)) == (
            413,
            "This image already has 1 members, the most allowed.",
        )


def test_unknown_and_out_of_region_tenants_get_one_answer(api_as, owner, abroad, shared_image):
    producer = api_as(owner)
    with unchanged():
        unknown = error_of(producer.post(members_path(shared_image), {"member": "424242"}))
        elsewhere = error_of(share(producer, shared_image, abroad))
    assert unknown == elsewhere == (400, "Cannot share with that tenant in this region.")


@pytest.mark.parametrize(
    "body,expected",
    [
        ({}, (400, "Member to be added not specified.")),
        ({"member": ""}, (400, "Member can't be empty.")),
        ({"member": None}, (400, "Member can't be empty.")),
        ({"member": []}, (400, "Member can't be empty.")),
        ({"member": {"id": 1}}, (400, "Cannot share with that tenant in this region.")),
        ({"member": True}, (400, "Cannot share with that tenant in this region.")),
        ({"member": "12ab"}, (400, "Cannot share with that tenant in this region.")),
        ({"member": "１２３"}, (400, "Cannot share with that tenant in this region.")),
        ({"member": "🚀"}, (400, "Cannot share with that tenant in this region.")),
        ({"member": "9" * 40}, (400, "Cannot share with that tenant in this region.")),
        ({"member": "9" * 5000}, (400, "Cannot share with that tenant in this region.")),
        ({"member": 10**100}, (400, "Cannot share with that tenant in this region.")),
        ({"member": 1.5}, (400, "Cannot share with that tenant in this region.")),
    ],
)
def test_bad_member_bodies_are_400(api_as, owner, shared_image, body, expected):
    with unchanged():
        assert error_of(api_as(owner).post(members_path(shared_image), body)) == expected


def test_the_owner_cannot_share_with_itself(api_as, owner, shared_image):
    with unchanged():
        assert error_of(share(api_as(owner), shared_image, owner)) == (
            403,
            "You own this image; it cannot be shared with your own tenant.",
        )


def test_a_consumer_cannot_add_members_and_a_stranger_gets_404(
    api_as, owner, consumer, other_consumer, stranger, shared_image
):
    factories.member(owner, shared_image, consumer, "accepted")
    with unchanged():
        assert error_of(share(api_as(consumer), shared_image, other_consumer)) == (
            403,
            "Only the owner of this image can do that.",
        )
        assert error_of(share(api_as(consumer), shared_image, consumer))[0] == 403
        assert error_of(share(api_as(stranger), shared_image, other_consumer)) == (404, "No such image.")


# Visibility other than shared (R9, R10)


def test_members_of_a_private_image_are_403_for_its_owner(api_as, owner, consumer, image):
    producer = api_as(owner)
    with unchanged():
        assert error_of(share(producer, image, consumer)) == (
            403,
            "Only images with visibility 'shared' can have members.",
        )
        assert error_of(producer.get(members_path(image)))[0] == 403


def test_an_image_made_private_keeps_its_members_but_the_api_refuses_them(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    shared_image.update(owner, visibility="private")
    producer, me = api_as(owner), api_as(consumer)
    with unchanged():
        assert error_of(producer.get(members_path(shared_image)))[0] == 403
        assert error_of(answer(producer, shared_image, consumer, "pending"))[0] == 403
        assert error_of(producer.delete(member_path(shared_image, consumer)))[0] == 403
        assert error_of(producer.get(member_path(shared_image, consumer))) == (404, "No such member.")  # as Glance
        assert error_of(me.get(members_path(shared_image)))[0] == 404
        assert error_of(answer(me, shared_image, consumer, "rejected"))[0] == 404
    assert ImageMember.objects.filter(image=shared_image).count() == 1


def test_public_images_have_no_members(api_as, stranger, consumer, dfw):
    cloud = factories.user(username="cloud")
    public = factories.image(cloud, dfw, name="base", visibility="public")
    with unchanged():
        assert error_of(api_as(cloud).post(members_path(public), {"member": str(consumer.account.tenant_id)}))[0] == 403
        assert error_of(api_as(stranger).get(members_path(public)))[0] == 404


# Listing and showing (R7)


def test_the_owner_lists_every_member_in_order_added(api_as, owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    factories.member(owner, shared_image, other_consumer, "rejected")
    members = api_as(owner).get(members_path(shared_image)).json()["members"]
    assert [(m["member_id"], m["status"]) for m in members] == [
        (str(consumer.account.tenant_id), "accepted"),
        (str(other_consumer.account.tenant_id), "rejected"),
    ]


def test_a_consumer_sees_only_its_own_member_record(api_as, owner, consumer, other_consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    factories.member(owner, shared_image, other_consumer)
    me = api_as(consumer)
    assert [m["member_id"] for m in me.get(members_path(shared_image)).json()["members"]] == [
        str(consumer.account.tenant_id)
    ]
    assert error_of(me.get(member_path(shared_image, other_consumer))) == (404, "No such member.")
    with unchanged():
        assert error_of(answer(me, shared_image, other_consumer, "accepted")) == (404, "No such member.")


def test_strangers_learn_nothing(api_as, owner, consumer, stranger, shared_image):
    factories.member(owner, shared_image, consumer)
    outsider = api_as(stranger)
    with unchanged():
        for response in (
            outsider.get(members_path(shared_image)),
            outsider.get(member_path(shared_image, consumer)),
            answer(outsider, shared_image, consumer, "accepted"),
            outsider.delete(member_path(shared_image, consumer)),
        ):
            assert error_of(response) == (404, "No such image.")


@pytest.mark.parametrize("member_id", ["0", "abc", "-1", "%F0%9F%9A%80", "9" * 40, "9" * 5000, "１"])
def test_a_member_id_that_is_not_a_member_is_404(api_as, owner, shared_image, member_id):
    with unchanged():
        assert error_of(api_as(owner).get(f"{members_path(shared_image)}/{member_id}")) == (404, "No such member.")
        assert error_of(api_as(owner).delete(f"{members_path(shared_image)}/{member_id}")) == (404, "No such member.")


# Answering (R3) and removing (R4, R12)


def test_the_consumer_changes_its_answer_as_often_as_it_likes(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    me = api_as(consumer)
    for status in ("accepted", "rejected", "pending", "accepted"):
        assert answer(me, shared_image, consumer, status).json()["status"] == status
    assert list(
        Event.objects.filter(image=shared_image, action="member_status").values_list("before", "after").order_by("pk")
    ) == [("pending", "accepted"), ("accepted", "rejected"), ("rejected", "pending"), ("pending", "accepted")]


def test_extra_fields_in_the_status_body_are_ignored(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    body = {"status": "accepted", "member": "someone else", "image_id": "x", "schema": 5}
    assert api_as(consumer).put(member_path(shared_image, consumer), body).json()["status"] == "accepted"


@pytest.mark.parametrize(
    "body,expected",
    [
        ({}, (400, "Status not specified.")),
        ({"member": "x"}, (400, "Status not specified.")),
        ({"status": ""}, (400, "Status must be one of pending, accepted, rejected.")),
        ({"status": None}, (400, "Status must be one of pending, accepted, rejected.")),
        ({"status": ["accepted"]}, (400, "Status must be one of pending, accepted, rejected.")),
        ({"status": "ACCEPTED"}, (400, "Status must be one of pending, accepted, rejected.")),
    ],
)
def test_bad_status_bodies_are_400(api_as, owner, consumer, shared_image, body, expected):
    factories.member(owner, shared_image, consumer)
    with unchanged():
        assert error_of(api_as(consumer).put(member_path(shared_image, consumer), body)) == expected


def test_a_consumer_cannot_remove_itself(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    with unchanged():
        assert error_of(api_as(consumer).delete(member_path(shared_image, consumer))) == (
            403,
            "A consumer cannot remove itself; ask the image's owner.",
        )


def test_members_of_a_deleted_image_are_gone(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    shared_image.destroy(owner)
    with unchanged():
        assert error_of(api_as(owner).get(members_path(shared_image)))[0] == 404
        assert error_of(share(api_as(owner), shared_image, consumer))[0] == 404


def test_the_history_names_the_api_caller(api_as, owner, consumer, shared_image):
    share(api_as(owner), shared_image, consumer)
    answer(api_as(consumer), shared_image, consumer, "accepted")
    assert list(
        Event.objects.filter(image=shared_image)
        .exclude(action="visibility")
        .order_by("pk")
        .values_list("actor", "actor_account", "action", "member", "after")
    ) == [
        (owner.pk, owner.account.pk, "member_added", consumer.account.pk, "pending"),
        (consumer.pk, consumer.account.pk, "member_status", consumer.account.pk, "accepted"),
    ]


def test_parse_tenant_id_refuses_numbers_too_long_to_convert():
    """Found through the API: int() raises ValueError past 4300 digits, which was a 500."""
    with pytest.raises(TenantUnavailable):
        parse_tenant_id("9" * 5000)
    assert parse_tenant_id(" 9223372036854775807 ") == 2**63 - 1


# Query counts


def queries_for(api, path) -> int:
    api.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    return len(captured)


def test_member_list_query_count_does_not_grow_with_members(api_as, owner, shared_image, dfw, settings):
    settings.IMAGE_MEMBER_QUOTA = 1000
    api = api_as(owner)

    def add(count):
        tenants = [factories.account(dfw) for _ in range(count)]
        ImageMember.objects.bulk_create(ImageMember(image=shared_image, member=tenant) for tenant in tenants)

    add(3)
    few = queries_for(api, members_path(shared_image))
    add(297)
    assert len(api.get(members_path(shared_image)).json()["members"]) == 300
    assert (
        queries_for(api, members_path(shared_image)) == few == 3
    )  # the token with its region (R8), the image, the members


def statements(call) -> list[str]:
    """The SQL a call runs, savepoints (the test's transaction stands in for BEGIN) left out."""
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return [query["sql"].split()[0] for query in captured if "SAVEPOINT" not in query["sql"]]


# R18: the people to tell (with their e-mail choice), their notices, and the mail task when one wants e-mail.
NOTICES = ["SELECT", "INSERT"]
MAILED = [*NOTICES, "INSERT"]


@pytest.mark.parametrize("email", ["", "consumer@example.com"], ids=["no-email", "email"])
def test_member_create_reads_twice_and_writes_the_member_and_its_history(api_as, owner, consumer, shared_image, email):
    """Issue 11: ten statements before; now the token with its region, the image locked (R1, R6),
    the tenant with R2's duplicate, R11's count, R24's answer and R28's guardrails, then the two
    inserts (R16), then R18's notice."""
    consumer.email = email
    consumer.save(update_fields=["email"])
    producer = api_as(owner)
    producer.get("/v2/images")  # the token's first use is recorded once, not per call

    ran = statements(lambda: share(producer, shared_image, consumer))

    assert ran == ["SELECT", "SELECT", "SELECT", "INSERT", "INSERT", *(MAILED if email else NOTICES)]


def test_member_update_reads_once_and_writes_the_status_and_its_history(api_as, owner, consumer, shared_image):
    """Issue 11: the token with its region, the member's own row locked with its image, then
    the update and its history (R3, R16), then the producer's notice (R18)."""
    factories.member(owner, shared_image, consumer)
    member = api_as(consumer)
    member.get("/v2/images")

    ran = statements(lambda: answer(member, shared_image, consumer, "accepted"))

    assert ran == ["SELECT", "SELECT", "UPDATE", "INSERT", *NOTICES]


def test_r24_an_automatically_accepted_member_reads_as_accepted(api_as, owner, consumer, shared_image):
    ProducerRule.objects.set_answer(consumer, owner.account.tenant_id, "accepted")
    producer, me = api_as(owner), api_as(consumer)
    producer.get("/v2/images")

    ran = statements(lambda: share(producer, shared_image, consumer))

    # No read more than a plain offer: the answer comes with R2's and R11's facts; its history entry is
    # written with the offer's (one INSERT), and each gives the other party its notice (R18): the
    # people of each kind read apart, both notices inserted at once.
    assert ran == ["SELECT", "SELECT", "SELECT", "INSERT", "INSERT", "SELECT", "SELECT", "INSERT"]
    assert producer.get(member_path(shared_image, consumer)).json()["status"] == "accepted"
    assert me.get(member_path(shared_image, consumer)).json()["status"] == "accepted"
    assert str(shared_image.pk) in listed_ids(me)  # R5: in the consumer's default list at once
