"""The schema documents, and every image and member the API writes validating against them.

glanceclient builds its models from these schemas and validates what it receives
(member answers and created images), so an answer outside them breaks the client.
"""

import jsonschema
import pytest

from tests import factories
from tests.api.conftest import error_of


@pytest.mark.parametrize("name", ["image", "images", "member", "members"])
def test_schema_documents(api_as, owner, name):
    response = api_as(owner).get(f"/v2/schemas/{name}")
    assert response.status_code == 200
    document = response.json()
    assert document["name"] == name
    jsonschema.Draft4Validator.check_schema(document)


def test_unknown_schema_is_404(api_as, owner):
    assert error_of(api_as(owner).get("/v2/schemas/task"))[0] == 404


def test_image_schema_lists_what_this_api_serves(api_as, owner):
    properties = api_as(owner).get("/v2/schemas/image").json()["properties"]
    assert properties["visibility"]["enum"] == ["private", "shared", "public"]
    assert properties["disk_format"]["enum"][0] is None
    assert properties["checksum"]["readOnly"] is True


def validator(api, name):
    return jsonschema.Draft4Validator(api.get(f"/v2/schemas/{name}").json())


def test_every_answer_fits_its_schema(api_as, owner, consumer, dfw):
    api = api_as(owner)
    created = api.post("/v2/images", {"name": None, "disk_format": "qcow2", "container_format": "bare"}).json()
    active = factories.image(owner, dfw, name="ünïcödé 🚀", size=2**40, visibility="shared")
    active.mark_active(size=2**40, checksum="0" * 32, os_hash_value="f" * 128)
    member = api.post(f"/v2/images/{active.pk}/members", {"member": str(consumer.account.tenant_id)}).json()

    validator(api, "image").validate(created)
    validator(api, "image").validate(api.get(f"/v2/images/{active.pk}").json())
    listed = api.get("/v2/images", limit=1).json()
    assert "next" in listed
    validator(api, "images").validate(listed)
    validator(api, "member").validate(member)
    validator(api, "members").validate(api.get(f"/v2/images/{active.pk}/members").json())


def test_image_json_has_glances_fields_and_formats(api_as, owner, dfw):
    image = factories.image(owner, dfw, name="web", size=2048)
    body = api_as(owner).get(f"/v2/images/{image.pk}").json()
    assert list(body) == [
        "id",
        "name",
        "status",
        "visibility",
        "protected",
        "os_hidden",
        "owner",
        "disk_format",
        "container_format",
        "size",
        "virtual_size",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "min_disk",
        "min_ram",
        "created_at",
        "updated_at",
        "tags",
        "self",
        "file",
        "schema",
    ]
    assert body["created_at"] == image.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (body["self"], body["file"], body["schema"]) == (
        f"/v2/images/{image.pk}",
        f"/v2/images/{image.pk}/file",
        "/v2/schemas/image",
    )
    assert (body["owner"], body["size"], body["disk_format"]) == (str(owner.account.tenant_id), 2048, None)
