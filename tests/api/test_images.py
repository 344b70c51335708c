"""POST /v2/images, and GET, PATCH, DELETE /v2/images/{id}: R1, R6, R10, R15, R16 through the API."""

import pytest

from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.api.conftest import error_of, unchanged

# Show


def test_owner_and_members_of_any_status_open_an_image_by_id(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "rejected")
    for user in (owner, consumer):
        response = api_as(user).get(f"/v2/images/{shared_image.pk}")
        assert response.status_code == 200
        assert response.json()["id"] == str(shared_image.pk)


def test_public_images_open_for_everyone_in_the_region(api_as, stranger, dfw):
    public = factories.image(factories.user(username="cloud"), dfw, name="base", visibility="public")
    assert api_as(stranger).get(f"/v2/images/{public.pk}").json()["visibility"] == "public"


@pytest.mark.parametrize("image_id", ["STRANGERS", factories.NO_SUCH_ID, "not-a-uuid", "1", "%F0%9F%9A%80", "x" * 500])
def test_anything_the_caller_cannot_see_is_404_alike(api_as, stranger, image, image_id):
    image_id = str(image.pk) if image_id == "STRANGERS" else image_id
    assert error_of(api_as(stranger).get(f"/v2/images/{image_id}")) == (404, "No such image.")


def test_an_image_of_another_region_is_404_at_this_endpoint(api_as, owner, lon):
    owner.account.regions.add(lon)
    elsewhere = factories.image(owner, lon, name="in london")
    assert error_of(api_as(owner).get(f"/v2/images/{elsewhere.pk}"))[0] == 404
    assert api_as(owner, root="/api/lon").get(f"/v2/images/{elsewhere.pk}").status_code == 200


def test_a_deleted_image_is_404(api_as, owner, image):
    image.destroy(owner)
    assert error_of(api_as(owner).get(f"/v2/images/{image.pk}"))[0] == 404


def test_a_revoked_consumer_gets_404(api_as, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer, "accepted")
    member.remove(owner)
    assert error_of(api_as(consumer).get(f"/v2/images/{shared_image.pk}"))[0] == 404


# Create


def test_create_makes_a_queued_image_owned_by_the_caller_in_the_region(api_as, owner, dfw):
    response = api_as(owner).post(
        "/v2/images",
        {
            "name": "golden",
            "disk_format": "qcow2",
            "container_format": "bare",
            "visibility": "shared",
            "protected": True,
            "min_disk": 10,
            "min_ram": 1024,
            "os_hidden": False,
            "tags": [],
            "owner": str(owner.account.tenant_id),
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"http://testserver/api/dfw/v2/images/{body['id']}"
    image = Image.objects.get(pk=body["id"])
    assert (image.owner, image.region, image.status) == (owner.account, dfw, "queued")
    assert (image.name, image.visibility, image.protected, image.min_disk, image.min_ram) == (
        "golden",
        "shared",
        True,
        10,
        1024,
    )
    assert (body["name"], body["status"], body["size"], body["checksum"]) == ("golden", "queued", None, None)


def test_create_ignores_custom_string_properties(api_as, owner):
    response = api_as(owner).post(
        "/v2/images",
        {
            "name": "sdk",
            "owner_specified.openstack.md5": "",
            "owner_specified.openstack.object": "images/sdk",
        },
    )
    assert response.status_code == 201
    assert "owner_specified.openstack.md5" not in response.json()


def test_create_without_a_name_reads_back_null(api_as, owner):
    assert api_as(owner).post("/v2/images", {}).json()["name"] is None
    assert api_as(owner).post("/v2/images", {"name": None}).json()["name"] is None


@pytest.mark.parametrize(
    "body,expected",
    [
        ({"visibility": "public"}, (403, "Only cloud operators can make an image public.")),
        ({"visibility": "community"}, (400, "Visibility must be one of private, shared, public.")),
        ({"status": "active"}, (403, "Attribute 'status' is read-only.")),
        ({"id": factories.NO_SUCH_ID}, (403, "Attribute 'id' is read-only.")),
        ({"size": 10}, (403, "Attribute 'size' is read-only.")),
        ({"self": "/x"}, (403, "Attribute 'self' is read-only.")),
        ({"deleted": False}, (403, "Attribute 'deleted' is reserved.")),
        ({"owner": "1"}, (403, "An image is owned by the tenant that creates it; the owner cannot be set.")),
        ({"os_hidden": True}, (403, "Hidden images are not supported.")),
        ({"os_hidden": "no"}, (400, "os_hidden must be true or false.")),
        ({"tags": ["web"]}, (400, "Image tags are not supported.")),
        ({"tags": "web"}, (400, "tags must be a list of strings.")),
        ({"name": 5}, (400, "The name must be text of at most 255 characters.")),
        ({"name": "x" * 256}, (400, "The name must be text of at most 255 characters.")),
        ({"protected": "yes"}, (400, "Protected must be true or false.")),
        ({"min_ram": "512"}, (400, "min_ram must be a whole number from 0 to 2147483647.")),
        ({"min_disk": -1}, (400, "min_disk must be a whole number from 0 to 2147483647.")),
        ({"min_disk": 2**31}, (400, "min_disk must be a whole number from 0 to 2147483647.")),
        ({"min_disk": 1.5}, (400, "min_disk must be a whole number from 0 to 2147483647.")),
        (
            {"disk_format": "exe"},
            (400, "Disk format must be one of raw, qcow2, vhd, vhdx, vmdk, vdi, iso, ami, ari, aki, ploop."),
        ),
        (
            {"container_format": ""},
            (400, "Container format must be one of bare, ovf, ova, docker, ami, ari, aki, compressed."),
        ),
        ({"kernel_id": 5}, (400, "Custom property 'kernel_id' must be a string.")),
    ],
)
def test_create_refusals_create_nothing(api_as, owner, body, expected):
    with unchanged():
        assert error_of(api_as(owner).post("/v2/images", {"name": "x", **body})) == expected


def test_create_in_a_region_the_tenant_is_not_enabled_in_is_refused(api_as, abroad, dfw):
    with unchanged():
        assert error_of(api_as(abroad).post("/v2/images", {"name": "x"}))[0] == 403


# Update (JSON patch)


def patch(api, image, *operations, **options):
    return api.patch(f"/v2/images/{image.pk}", list(operations), **options)


def test_owner_patches_name_visibility_protection_and_minimums(api_as, owner, image):
    response = patch(
        api_as(owner),
        image,
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/visibility", "value": "shared"},
        {"op": "replace", "path": "/protected", "value": True},
        {"op": "replace", "path": "/min_disk", "value": 20},
        {"op": "replace", "path": "/min_ram", "value": 2048},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["visibility"], body["protected"], body["min_disk"], body["min_ram"]) == (
        "renamed",
        "shared",
        True,
        20,
        2048,
    )
    image.refresh_from_db()
    assert (image.name, image.visibility, image.protected, image.min_disk, image.min_ram) == (
        "renamed",
        "shared",
        True,
        20,
        2048,
    )
    assert list(Event.objects.filter(image=image).values_list("action", "before", "after")) == [
        ("visibility", "private", "shared")
    ]  # R16


def test_an_empty_patch_answers_the_image(api_as, owner, image):
    with unchanged():
        response = patch(api_as(owner), image)
    assert response.json()["name"] == "web-base"


def test_the_last_operation_on_an_attribute_wins_and_null_name_clears_it(api_as, owner, image):
    response = patch(
        api_as(owner),
        image,
        {"op": "replace", "path": "/name", "value": "a"},
        {"op": "replace", "path": "/name", "value": None},
    )
    assert response.json()["name"] is None
    image.refresh_from_db()
    assert image.name == ""


@pytest.mark.parametrize(
    "operations,expected",
    [
        ([{"op": "replace", "path": "/status", "value": "active"}], (403, "Attribute 'status' is read-only.")),
        ([{"op": "replace", "path": "/checksum", "value": "0"}], (403, "Attribute 'checksum' is read-only.")),
        (
            [{"op": "replace", "path": "/disk_format", "value": "raw"}],
            (403, "Attribute 'disk_format' can be set only when the image is created."),
        ),
        ([{"op": "remove", "path": "/name"}], (403, "Property 'name' may not be removed.")),
        ([{"op": "remove", "path": "/owner"}], (403, "Property 'owner' may not be removed.")),
        ([{"op": "remove", "path": "/os_distro"}], (409, "Property 'os_distro' does not exist.")),
        ([{"op": "add", "path": "/os_distro", "value": "ubuntu"}], (403, "Custom image properties are not supported.")),
        (
            [{"op": "replace", "path": "/owner", "value": "1"}],
            (403, "An image is owned by the tenant that creates it; the owner cannot be set."),
        ),
        (
            [{"op": "replace", "path": "/visibility", "value": "public"}],
            (403, "Only cloud operators can make an image public."),
        ),
        (
            [{"op": "replace", "path": "/visibility", "value": "community"}],
            (400, "Visibility must be one of private, shared, public."),
        ),
        (
            [{"op": "replace", "path": "/name", "value": "ok"}, {"op": "replace", "path": "/min_ram", "value": -5}],
            (400, "min_ram must be a whole number from 0 to 2147483647."),
        ),
        (
            [{"op": "move", "from": "/name", "path": "/x"}],
            (400, "Each operation must be an object whose op is add, replace or remove."),
        ),
        ([{"op": "replace", "path": "/name"}], (400, 'Operation "replace" requires a member named "value".')),
        ([{"op": "replace", "path": "name", "value": "x"}], (400, 'Each operation needs a path such as "/name".')),
        ([{"op": "replace", "path": "/", "value": "x"}], (400, 'Each operation needs a path such as "/name".')),
        (
            [{"op": "replace", "path": "/name/first", "value": "x"}],
            (400, "Path /name/first is not an image attribute; nested paths are not allowed."),
        ),
        (["replace"], (400, "Each operation must be an object whose op is add, replace or remove.")),
    ],
)
def test_patch_refusals_change_nothing(api_as, owner, image, operations, expected):
    with unchanged():
        assert error_of(patch(api_as(owner), image, *operations)) == expected


def test_patch_must_be_a_list(api_as, owner, image):
    response = api_as(owner).patch(f"/v2/images/{image.pk}", {"op": "replace", "path": "/name", "value": "x"})
    assert error_of(response) == (400, "A JSON patch is a list of operations.")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/openstack-images-v2.0-json-patch", "application/json-patch+json", "text/plain"],
)
def test_patch_needs_the_glance_patch_media_type(api_as, owner, image, content_type):
    with unchanged():
        response = patch(
            api_as(owner), image, {"op": "replace", "path": "/name", "value": "x"}, content_type=content_type
        )
    assert error_of(response) == (415, "Send the body as application/openstack-images-v2.1-json-patch.")
    assert response["Accept-Patch"] == "application/openstack-images-v2.1-json-patch"


def test_a_member_cannot_patch_and_a_stranger_gets_404(api_as, owner, consumer, stranger, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    rename = {"op": "replace", "path": "/name", "value": "mine now"}
    with unchanged():
        assert error_of(patch(api_as(consumer), shared_image, rename)) == (
            403,
            "Only the owner of this image can do that.",
        )
        assert error_of(patch(api_as(stranger), shared_image, rename)) == (404, "No such image.")


# Delete


def test_owner_deletes_an_image_and_its_members(api_as, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    response = api_as(owner).delete(f"/v2/images/{shared_image.pk}")
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response
    shared_image.refresh_from_db()
    assert shared_image.status == "deleted"
    assert not ImageMember.objects.filter(image=shared_image).exists()
    assert list(
        Event.objects.filter(image=shared_image, action__in=["member_removed", "image_deleted"])
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["member_removed", "image_deleted"]
    assert error_of(api_as(owner).delete(f"/v2/images/{shared_image.pk}"))[0] == 404


def test_protected_images_are_not_deleted(api_as, owner, image):
    image.update(owner, protected=True)
    with unchanged():
        assert error_of(api_as(owner).delete(f"/v2/images/{image.pk}")) == (
            403,
            "This image is protected and cannot be deleted.",
        )


def test_only_the_owner_deletes(api_as, owner, consumer, stranger, shared_image):
    factories.member(owner, shared_image, consumer)
    with unchanged():
        assert error_of(api_as(consumer).delete(f"/v2/images/{shared_image.pk}"))[0] == 403
        assert error_of(api_as(stranger).delete(f"/v2/images/{shared_image.pk}"))[0] == 404
