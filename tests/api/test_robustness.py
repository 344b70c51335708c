"""Hostile and sloppy input: every one is a 4xx JSON answer that changes nothing, never a 500."""

import pytest

from imagesharing.api.bodies import MAX_BODY_BYTES
from imagesharing.images.models import Image
from tests import factories
from tests.api.conftest import error_of, unchanged

JSON_PATCH = "application/openstack-images-v2.1-json-patch"


@pytest.fixture
def target(owner, consumer, shared_image):
    """A shared image with a pending member, and the body-taking calls about it."""
    factories.member(owner, shared_image, consumer)
    member = f"/v2/images/{shared_image.pk}/members/{consumer.account.tenant_id}"
    return {
        "create": ("POST", "/v2/images", "application/json"),
        "share": ("POST", f"/v2/images/{shared_image.pk}/members", "application/json"),
        "answer": ("PUT", member, "application/json"),
        "patch": ("PATCH", f"/v2/images/{shared_image.pk}", JSON_PATCH),
    }


CALLS = ["create", "share", "answer", "patch"]


def send(api, call, raw: bytes, content_type: str | None = None):
    method, path, default_type = call
    return api.request(method, path, raw=raw, content_type=content_type or default_type)


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"{'a': 1}",
        b"[1,]",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"\xff\xfe",
        b"nul",
        b"[" * 60000,
        b'{"a": "\\ud800"}',
        b'{"a": "x\\u0000y"}',
        b'{"\\u0000": 1}',
    ],
)
def test_malformed_bodies_are_400(api_as, owner, consumer, target, name, raw):
    user = consumer if name == "answer" else owner
    with unchanged():
        status, _ = error_of(send(api_as(user), target[name], raw))
    assert status == 400


@pytest.mark.parametrize("name", ["create", "share", "answer"])
@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"42", b"null", b"true"])
def test_bodies_that_are_not_objects_are_400(api_as, owner, consumer, target, name, raw):
    user = consumer if name == "answer" else owner
    with unchanged():
        assert error_of(send(api_as(user), target[name], raw)) == (400, "The request body must be a JSON object.")


@pytest.mark.parametrize("name", CALLS)
def test_an_empty_body_is_400(api_as, owner, consumer, target, name):
    user = consumer if name == "answer" else owner
    with unchanged():
        assert error_of(send(api_as(user), target[name], b"")) == (400, "Body expected in request.")


@pytest.mark.parametrize("name", CALLS)
def test_a_huge_body_is_413(api_as, owner, consumer, target, name):
    user = consumer if name == "answer" else owner
    raw = b'{"name": "' + b"x" * MAX_BODY_BYTES + b'"}'
    with unchanged():
        assert error_of(send(api_as(user), target[name], raw)) == (
            413,
            f"The request body is larger than {MAX_BODY_BYTES} bytes.",
        )


@pytest.mark.parametrize("name", ["create", "share", "answer"])
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", JSON_PATCH, "application/xml"]
)
def test_wrong_content_types_are_415(api_as, owner, consumer, target, name, content_type):
    user = consumer if name == "answer" else owner
    with unchanged():
        response = send(api_as(user), target[name], b'{"name": "x", "member": "1", "status": "accepted"}', content_type)
    assert error_of(response) == (415, "Send the body as application/json.")


def test_json_with_a_charset_is_fine(api_as, owner):
    response = api_as(owner).post("/v2/images", {"name": "x"}, content_type="application/json; charset=utf-8")
    assert response.status_code == 201


def test_four_byte_characters_round_trip(api_as, owner):
    name = "𝔤𝔬𝔩𝔡𝔢𝔫 🚀 イメージ"
    api = api_as(owner)
    created = api.post("/v2/images", {"name": name}).json()
    assert created["name"] == name
    assert Image.objects.get(pk=created["id"]).name == name
    assert [i["id"] for i in api.get("/v2/images", name=name).json()["images"]] == [created["id"]]
    renamed = api.patch(f"/v2/images/{created['id']}", [{"op": "replace", "path": "/name", "value": "🐍" * 255}])
    assert renamed.json()["name"] == "🐍" * 255


@pytest.mark.parametrize("query", [{"name": "a\x00b"}, {"marker": "\x00"}, {"owner": "1\x00"}, {"\x00": "x"}])
def test_nul_characters_in_queries_are_400(api_as, owner, query):
    assert error_of(api_as(owner).get("/v2/images", **query)) == (400, "Text must not contain NUL characters.")


def test_empty_query_values(api_as, owner, image):
    api = api_as(owner)
    assert api.get("/v2/images", name="").json()["images"] == []
    assert error_of(api.get("/v2/images", marker=""))[0] == 400
    assert error_of(api.get("/v2/images", sort_key=""))[0] == 400


ALLOWED = {
    "/v2/images": "GET, POST",
    "/v2/images/{id}": "GET, PATCH, DELETE",
    "/v2/images/{id}/members": "GET, POST",
    "/v2/images/{id}/members/{tenant}": "GET, PUT, DELETE",
    "/v2/schemas/image": "GET",
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")


@pytest.mark.parametrize(
    "path,method",
    [(path, method) for path, allowed in ALLOWED.items() for method in METHODS if method not in allowed.split(", ")],
)
def test_other_methods_are_405_with_allow(api_as, owner, consumer, target, shared_image, path, method):
    allowed = ALLOWED[path]
    path = path.format(id=shared_image.pk, tenant=consumer.account.tenant_id)
    with unchanged():
        response = api_as(owner).request(method, path, {"status": "accepted"})
    assert response.status_code == 405
    assert response["Allow"] == allowed
    if method != "HEAD":
        assert error_of(response) == (405, f"The method {method} is not allowed here.")


def test_bodiless_calls_ignore_the_content_type_glanceclient_sends(api_as, owner, shared_image):
    response = api_as(owner).request("GET", f"/v2/images/{shared_image.pk}", content_type="application/octet-stream")
    assert response.status_code == 200
    response = api_as(owner).request("DELETE", f"/v2/images/{shared_image.pk}", content_type="application/octet-stream")
    assert response.status_code == 204


def test_answers_are_json(api_as, owner, image):
    api = api_as(owner)
    for response in (
        api.get("/v2/images"),
        api.get(f"/v2/images/{image.pk}"),
        api.get("/v2/schemas/images"),
        api.get("/v2/images/nope"),
        api.post("/v2/images", raw=b"{"),
    ):
        assert response["Content-Type"] == "application/json"
        assert response["X-OpenStack-Request-ID"].startswith("req-")
