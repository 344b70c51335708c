"""Several hosts as one (issue 9): two app servers on one PostgreSQL and one object store
(moto's S3 server) behave as one. Nothing that matters between requests lives in a process:
a sign-in on one is good on the other, failed sign-ins count across both, data uploaded
through one downloads from the other, and the storage quota holds across both."""

import hashlib
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import requests

from imagesharing.accounts.models import ApiToken
from imagesharing.images.models import Image
from tests import servers

moto_server = pytest.importorskip("moto.server", reason="the test extra (moto) is not installed")

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

PASSWORD = "password"  # the factories' password
QUOTA = 3 * 1024 * 1024
LIMIT = 3  # failed sign-ins before a username is refused


@pytest.fixture
def object_store():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    client.create_bucket(Bucket="images")
    yield endpoint, client
    server.stop()


@pytest.fixture
def hosts(object_store, media, tmp_path):
    endpoint, _ = object_store
    env = {
        "S3_BUCKET": "images",
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "TENANT_STORAGE_QUOTA": str(QUOTA),
        "LOGIN_FAILURE_LIMIT": str(LIMIT),
    }
    # Each host its own media folder: only the object store and the database are shared.
    with (
        servers.app(tmp_path, media / "a", "host-a", **env) as a,
        servers.app(tmp_path, media / "b", "host-b", **env) as b,
    ):
        yield a, b


def sign_in(session: requests.Session, host: str, password: str) -> requests.Response:
    form = session.get(f"{host}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return session.post(
        f"{host}/login/",
        {"username": "owner", "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{host}/login/"},
        allow_redirects=False,
    )


def test_a_sign_in_on_one_host_is_good_on_the_other(hosts, owner):
    a, b = hosts
    session = requests.Session()

    assert sign_in(session, a, PASSWORD).status_code == 302
    page = session.get(f"{b}/images/", allow_redirects=False)

    assert page.status_code == 200
    assert "Producer" in page.text  # the owner's tenant, signed in on b by a's session


def test_failed_sign_ins_count_across_hosts(hosts, owner):
    a, b = hosts
    statuses = [sign_in(requests.Session(), host, "wrong").status_code for host in [a, b, a]]

    assert statuses == [200, 200, 429]  # the third failure, counted over both, locks
    refused = sign_in(requests.Session(), b, PASSWORD)
    assert refused.status_code == 429 and "Sign-in is paused for this username" in refused.text


def test_data_uploaded_through_one_host_downloads_from_the_other(hosts, owner, dfw, object_store):
    a, b = hosts
    _, s3 = object_store
    token = {"X-Auth-Token": ApiToken.objects.issue(owner, "two hosts")[1]}
    image = Image.objects.create_image(owner, dfw, name="across hosts", disk_format="raw", container_format="bare")
    data = hashlib.sha512(b"two hosts").digest() * 20000  # 1.28 MB

    uploaded = requests.put(
        f"{a}/api/dfw/v2/images/{image.pk}/file",
        data=data,
        headers={**token, "Content-Type": "application/octet-stream"},
    )
    downloaded = requests.get(f"{b}/api/dfw/v2/images/{image.pk}/file", headers=token)

    assert uploaded.status_code == 204
    assert downloaded.status_code == 200 and downloaded.content == data
    assert downloaded.headers["Content-MD5"]
    stored = s3.list_objects_v2(Bucket="images")["Contents"]
    assert [(item["Key"], item["Size"]) for item in stored] == [(f"images/{image.pk}", len(data))]


def test_the_storage_quota_holds_across_hosts(hosts, owner, dfw):
    """Issue 9, item 5, over two hosts: 8 parallel uploads of 1,000,000 bytes, 3 MiB quota."""
    token = {"X-Auth-Token": ApiToken.objects.issue(owner, "two hosts")[1], "Content-Type": "application/octet-stream"}
    images = [Image.objects.create_image(owner, dfw, name=f"parallel {n}") for n in range(8)]
    start = threading.Barrier(len(images))

    def upload(index: int) -> int:
        host = hosts[index % 2]
        start.wait(timeout=30)
        return requests.put(
            f"{host}/api/dfw/v2/images/{images[index].pk}/file", data=b"q" * 1_000_000, headers=token
        ).status_code

    with ThreadPoolExecutor(len(images)) as pool:
        statuses = sorted(pool.map(upload, range(len(images))))

    assert statuses == [204] * 3 + [413] * 5
    assert Image.objects.storage_charged_to(owner.account) == 3_000_000
