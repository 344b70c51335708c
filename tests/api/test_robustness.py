"""Hostile and sloppy input: every one is a 4xx JSON answer that changes nothing, never a 500.

The one exception is image data: an upload that began and then failed leaves its image
`killed`, saying why (docs/rules.md, "Image data is uploaded once").
"""

import logging
import socket
import time
from types import SimpleNamespace

import pytest
from gunicorn.http.body import Body, ChunkedReader
from gunicorn.http.unreader import IterUnreader

from imagesharing.accounts.models import ApiToken
from imagesharing.api.bodies import MAX_BODY_BYTES
from imagesharing.choices import Status
from imagesharing.images.data import UPLOAD_INTERRUPTED
from imagesharing.images.models import Image
from imagesharing.images.transfer import NOT_CHUNKED
from tests import factories, servers
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


# Chunked uploads (issue 9, item 7): gunicorn decodes them and raises inside the read
# when the body stops early (NoMoreData) or is badly framed (InvalidChunkSize,
# ChunkMissingTerminator, InvalidChunkExtension). Here gunicorn's own decoder reads the
# bytes; `test_crafted_chunked_bodies_through_gunicorn` sends them to a real gunicorn.
CRAFTED_CHUNKED = {
    "cut short inside a chunk": (b"a\r\nhello", UPLOAD_INTERRUPTED),
    "cut short between chunks": (b"5\r\nhello\r\n", UPLOAD_INTERRUPTED),
    "a chunk size that is not hex": (b"5\r\nhello\r\nzz\r\nxx\r\n0\r\n\r\n", NOT_CHUNKED),
    "a negative chunk size": (b"5\r\nhello\r\n-1\r\n\r\n", NOT_CHUNKED),
    "a 0x chunk size": (b"5\r\nhello\r\n0x5\r\nhello\r\n0\r\n\r\n", NOT_CHUNKED),
    "a chunk longer than its size": (b"5\r\nhelloXX3\r\nabc\r\n0\r\n\r\n", NOT_CHUNKED),
    "a bad chunk extension": (b'5;a="\r\nhello\r\n0\r\n\r\n', NOT_CHUNKED),
    "no end after the last chunk": (b"5\r\nhello\r\n0\r\n", NOT_CHUNKED),
}


def decoded_by_gunicorn(raw: bytes) -> Body:
    """`raw` as gunicorn's chunked decoder reads it from a socket that then closes."""
    return Body(ChunkedReader(SimpleNamespace(), IterUnreader([raw])))


@pytest.fixture
def queued(owner, dfw):
    return Image.objects.create_image(owner, dfw, name="upload", disk_format="raw", container_format="bare")


@pytest.mark.parametrize("case", CRAFTED_CHUNKED)
def test_a_chunked_upload_cut_short_or_badly_framed_is_400_and_kills_the_image(
    api_as, owner, queued, media, caplog, case
):
    raw, reason = CRAFTED_CHUNKED[case]
    api = api_as(owner)
    response = api.client.generic(
        "PUT",
        f"/api/dfw/v2/images/{queued.pk}/file",
        raw,
        content_type="application/octet-stream",
        headers={"X-Auth-Token": api.token, "Transfer-Encoding": "chunked"},
        CONTENT_LENGTH="",
        **{"wsgi.input": decoded_by_gunicorn(raw), "wsgi.input_terminated": True},
    )

    assert error_of(response) == (400, reason)
    assert response.json()["error"]["title"] == "Bad Request"
    queued.refresh_from_db()
    assert (queued.status, queued.status_reason, queued.size, queued.file.name) == (Status.KILLED, reason, None, "")
    assert not any(path.is_file() for path in media.rglob("*"))
    assert [record.levelno for record in caplog.records if record.name == "django.request"] == [logging.WARNING]


@pytest.fixture
def gunicorn(transactional_db, media, tmp_path):
    with servers.app(tmp_path, media) as url:
        yield url


def _send_raw(url: str, head: str, raw: bytes, *, vanish: bool) -> bytes:
    """Send a request's bytes over a socket; then read the answer, or go away at once."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head.encode() + raw)
        if vanish:
            return b""
        sock.shutdown(socket.SHUT_WR)  # the body ends here, as when a client stops sending
        sock.settimeout(30)
        answer = b""
        while data := sock.recv(65536):
            answer += data
        return answer


def _killed(image: Image) -> Image:
    for _ in range(200):
        image.refresh_from_db()
        if image.status == Status.KILLED:
            break
        time.sleep(0.05)
    return image


@pytest.mark.postgres_only
@pytest.mark.parametrize("vanish", [False, True], ids=["client reads the answer", "client vanished"])
@pytest.mark.parametrize("case", ["cut short inside a chunk", "a chunk size that is not hex"])
def test_crafted_chunked_bodies_through_gunicorn(gunicorn, tmp_path, case, vanish):
    """The real thing: raw bytes to gunicorn. Before issue 9, item 7 these answered an HTML 500
    with a traceback in the log."""
    owner = factories.user()
    image = Image.objects.create_image(owner, owner.account.regions.get(), name="crafted")
    token = ApiToken.objects.issue(owner, "t")[1]
    raw, reason = CRAFTED_CHUNKED[case]
    head = (
        f"PUT /api/dfw/v2/images/{image.pk}/file HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: {token}\r\n"
        "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    )

    answer = _send_raw(gunicorn, head, raw, vanish=vanish)

    if not vanish:
        status_line, _, rest = answer.partition(b"\r\n")
        assert status_line == b"HTTP/1.1 400 Bad Request"
        assert rest.endswith(b'{"error": {"code": 400, "title": "Bad Request", "message": "' + reason.encode() + b'"}}')
    assert (_killed(image).status, image.status_reason) == (Status.KILLED, reason)
    log = (tmp_path / "gunicorn" / "gunicorn.log").read_text()
    assert "Traceback" not in log and "Internal Server Error" not in log
