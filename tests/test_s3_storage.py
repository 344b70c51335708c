"""Image data in an S3-compatible object store, against moto's S3 server on loopback."""

import hashlib

import pytest
from django.core.files.storage import storages

from imagesharing.choices import Status
from imagesharing.images.models import Image

moto_server = pytest.importorskip("moto.server", reason="the test extra (moto) is not installed")


@pytest.fixture
def s3(settings):
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    options = {
        "bucket_name": "images",
        "endpoint_url": f"http://{host}:{port}",
        "region_name": "us-east-1",
        "access_key": "test",
        "secret_key": "test",
        "file_overwrite": False,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    storage = storages["default"]
    storage.connection.meta.client.create_bucket(Bucket="images")
    yield storage
    server.stop()


def test_upload_download_and_delete_through_s3(s3, owner, consumer, dfw, django_capture_on_commit_callbacks):
    data = hashlib.sha512(b"s3").digest() * 40000  # 2.5 MB: more than one chunk
    image = Image.objects.create_image(owner, dfw, name="in s3", visibility="shared")

    image.receive_data(owner, [data[i : i + 1024 * 1024] for i in range(0, len(data), 1024 * 1024)])

    image.refresh_from_db()
    assert image.status == Status.ACTIVE and image.checksum == hashlib.md5(data).hexdigest()
    assert s3.exists(image.file.name) and s3.size(image.file.name) == len(data)
    with image.open_data(owner) as opened:
        assert opened.read() == data

    name = image.file.name
    with django_capture_on_commit_callbacks(execute=True):
        image.destroy(owner)
    assert not s3.exists(name)
