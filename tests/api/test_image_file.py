"""PUT and GET /v2/images/{id}/file: image data through the API (issue 5)."""

import hashlib
import io
import socket
import time
import warnings

import glanceclient
import pytest

from imagesharing.accounts.models import ApiToken
from imagesharing.choices import Status
from imagesharing.images.models import Image
from tests import factories, servers
from tests.api.conftest import error_of, unchanged

OCTETS = "application/octet-stream"
DATA = hashlib.sha512(b"api data").digest() * 5000  # 320,000 bytes


@pytest.fixture
def queued(owner, dfw):
    return Image.objects.create_image(owner, dfw, name="upload", disk_format="raw", container_format="bare")


def test_owner_uploads_then_members_of_any_status_download(api_as, owner, consumer, other_consumer, queued):
    response = api_as(owner).put(f"/v2/images/{queued.pk}/file", raw=DATA, content_type=OCTETS)

    assert response.status_code == 204 and response.content == b""
    body = api_as(owner).get(f"/v2/images/{queued.pk}").json()
    assert (body["status"], body["size"], body["checksum"]) == ("active", len(DATA), hashlib.md5(DATA).hexdigest())
    assert body["os_hash_value"] == hashlib.sha512(DATA).hexdigest()
    factories.member(owner, queued, consumer, "rejected")
    factories.member(owner, queued, other_consumer, "pending")
    for user in (owner, consumer, other_consumer):
        download = api_as(user).get(f"/v2/images/{queued.pk}/file")
        assert download.status_code == 200
        assert download["Content-Length"] == str(len(DATA))
        assert download["Content-MD5"] == hashlib.md5(DATA).hexdigest()
        assert b"".join(download.streaming_content) == DATA


def test_a_range_is_served(api_as, owner, queued):
    api_as(owner).put(f"/v2/images/{queued.pk}/file", raw=DATA, content_type=OCTETS)

    response = api_as(owner).request("GET", f"/v2/images/{queued.pk}/file", headers={"Range": "bytes=100-199"})

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(DATA)}"
    assert b"".join(response.streaming_content) == DATA[100:200]


def test_strangers_cannot_upload_or_download(api_as, owner, consumer, stranger, queued):
    with unchanged():
        assert error_of(api_as(stranger).put(f"/v2/images/{queued.pk}/file", raw=DATA, content_type=OCTETS))[0] == 404
    factories.member(owner, queued, consumer)
    with unchanged():
        assert error_of(api_as(consumer).put(f"/v2/images/{queued.pk}/file", raw=DATA, content_type=OCTETS))[0] == 403
    api_as(owner).put(f"/v2/images/{queued.pk}/file", raw=DATA, content_type=OCTETS)
    assert error_of(api_as(stranger).get(f"/v2/images/{queued.pk}/file"))[0] == 404


def test_an_image_without_data_answers_204(api_as, owner, queued):
    response = api_as(owner).get(f"/v2/images/{queued.pk}/file")

    assert response.status_code == 204 and response.content == b""


def test_data_is_uploaded_once(api_as, owner, queued):
    api_as(owner).put(f"/v2/images/{queued.pk}/file", raw=DATA, content_type=OCTETS)

    with unchanged():
        status, message = error_of(api_as(owner).put(f"/v2/images/{queued.pk}/file", raw=b"x", content_type=OCTETS))

    assert (status, message) == (409, "Image data can be uploaded only once, to a queued image.")


def test_a_wrong_content_type_is_415(api_as, owner, queued):
    with unchanged():
        assert error_of(api_as(owner).put(f"/v2/images/{queued.pk}/file", raw=DATA))[0] == 415


def test_an_oversize_upload_is_413_and_kills_the_image(api_as, owner, queued, settings, media):
    settings.IMAGE_SIZE_CAP = 1000

    status, message = error_of(api_as(owner).put(f"/v2/images/{queued.pk}/file", raw=DATA, content_type=OCTETS))

    assert status == 413 and "larger than" in message
    queued.refresh_from_db()
    assert queued.status == Status.KILLED and not queued.file
    assert not any(path.is_file() for path in media.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_an_upload_cut_short_leaves_a_killed_image_and_no_data(live_server, media):
    owner = factories.user()
    image = Image.objects.create_image(owner, owner.account.regions.get(), name="cut")
    token = ApiToken.objects.issue(owner, "t")[1]
    host, port = live_server.thread.host, live_server.thread.port

    with socket.create_connection((host, port)) as sock:
        sock.sendall(
            f"PUT /api/dfw/v2/images/{image.pk}/file HTTP/1.1\r\nHost: {host}\r\nX-Auth-Token: {token}\r\n"
            f"Content-Type: {OCTETS}\r\nContent-Length: {10 * len(DATA)}\r\n\r\n".encode()
            + DATA
        )
        sock.shutdown(socket.SHUT_WR)  # the client goes away mid-upload
        sock.recv(4096)

    for _ in range(100):
        image.refresh_from_db()
        if image.status == Status.KILLED:
            break
        time.sleep(0.05)
    assert image.status == Status.KILLED
    assert "were declared" in image.status_reason
    assert not any(path.is_file() for path in media.rglob("*"))


def put_chunked(api, image, **environ):
    """A PUT of DATA as glanceclient sends it: no Content-Length, `Transfer-Encoding: chunked`."""
    return api.client.generic(
        "PUT",
        f"/api/dfw/v2/images/{image.pk}/file",
        DATA,
        content_type=OCTETS,
        headers={"X-Auth-Token": api.token, "Transfer-Encoding": "chunked"},
        CONTENT_LENGTH="",
        **environ,
    )


def test_a_chunked_upload_is_read_as_gunicorn_decodes_it(api_as, owner, queued):
    """glanceclient sends no Content-Length but a chunked body; gunicorn decodes it and says so."""
    response = put_chunked(api_as(owner), queued, **{"wsgi.input": io.BytesIO(DATA), "wsgi.input_terminated": True})

    assert response.status_code == 204
    queued.refresh_from_db()
    assert (queued.size, queued.checksum) == (len(DATA), hashlib.md5(DATA).hexdigest())


def test_a_chunked_upload_to_a_server_that_cannot_decode_it_is_411(api_as, owner, queued):
    response = put_chunked(api_as(owner), queued)

    assert error_of(response)[0] == 411
    queued.refresh_from_db()
    assert queued.status == Status.QUEUED  # refused before the upload began


@pytest.fixture
def gunicorn(transactional_db, media, tmp_path):
    with servers.app(tmp_path, media) as url:
        yield url


@pytest.mark.postgres_only
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_glanceclient_uploads_and_downloads_through_gunicorn(gunicorn):
    owner = factories.user()
    consumer = factories.user(factories.account(owner.account.regions.get()))
    endpoint = f"{gunicorn}/api/dfw/"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        producer = glanceclient.Client("2", endpoint=endpoint, token=ApiToken.objects.issue(owner, "t")[1])
        member = glanceclient.Client("2", endpoint=endpoint, token=ApiToken.objects.issue(consumer, "t")[1])
    try:
        image = producer.images.create(
            name="via glanceclient", disk_format="raw", container_format="bare", visibility="shared"
        )
        producer.images.upload(image.id, io.BytesIO(DATA))  # a chunked body
        producer.image_members.create(image.id, str(consumer.account.tenant_id))

        assert producer.images.get(image.id).checksum == hashlib.md5(DATA).hexdigest()
        assert b"".join(member.images.data(image.id)) == DATA  # glanceclient checks the MD5 as it reads
    finally:
        producer.http_client.session.close()
        member.http_client.session.close()


def test_a_range_past_the_end_is_416_json_not_a_500(api_as, owner, queued):
    api = api_as(owner)
    assert api.put(f"/v2/images/{queued.pk}/file", raw=DATA, content_type=OCTETS).status_code == 204
    response = api.request("GET", f"/v2/images/{queued.pk}/file", headers={"Range": f"bytes={'9' * 4301}-"})
    assert response.status_code == 416 and response.json()["error"]["code"] == 416
