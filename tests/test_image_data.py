"""Image data (issue 5): streamed in with size and hashes, limits, killed uploads, downloads, deletion."""

import hashlib
import os
import stat
from pathlib import Path

import pytest
from django.core.management import call_command

from imagesharing.choices import Status
from imagesharing.errors import DataMismatch, DataTooLarge, InvalidState, NotFound, NotOwner, RangeNotSatisfiable
from imagesharing.images.models import Image, PendingDeletion
from imagesharing.images.transfer import parse_range
from tests import factories

MIB = 1024 * 1024


def generated(size: int, seed: int = 7) -> bytes:
    """Deterministic, non-repeating-looking bytes."""
    block = hashlib.sha512(str(seed).encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def chunks(data: bytes, size: int = 256 * 1024):
    for start in range(0, len(data), size):
        yield data[start : start + size]


def stored_files(media) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), media) for folder, _, names in os.walk(media) for name in names
    )


@pytest.fixture
def queued(owner, dfw):
    return Image.objects.create_image(owner, dfw, name="upload", disk_format="raw", container_format="bare")


def test_upload_records_size_md5_and_sha512(owner, queued, media):
    data = generated(3 * MIB + 17)

    queued.receive_data(owner, chunks(data))

    queued.refresh_from_db()
    assert queued.status == Status.ACTIVE
    assert queued.size == len(data)
    assert queued.checksum == hashlib.md5(data).hexdigest()
    assert queued.os_hash_algo == "sha512"
    assert queued.os_hash_value == hashlib.sha512(data).hexdigest()
    assert stored_files(media) == [f"images/{queued.pk}"]
    with queued.open_data(owner) as opened:
        assert opened.read() == data


def test_chunks_are_hashed_and_spooled_in_order_however_they_are_batched(owner, queued, monkeypatch):
    monkeypatch.setattr("imagesharing.images.data.BATCH_SIZE", 1000)  # many batches, the reader waiting on them
    monkeypatch.setattr("imagesharing.images.data.IN_FLIGHT", 1)
    data = generated(100_003)

    queued.receive_data(owner, chunks(data, 333))

    queued.refresh_from_db()
    assert (queued.size, queued.checksum) == (len(data), hashlib.md5(data).hexdigest())
    assert queued.os_hash_value == hashlib.sha512(data).hexdigest()
    with queued.open_data(owner) as opened:
        assert opened.read() == data


def test_a_spool_that_cannot_be_written_kills_the_image(owner, queued, media, monkeypatch):
    def disk_full(self, batch):
        raise OSError("No space left on device")

    monkeypatch.setattr("django.core.files.uploadedfile.TemporaryUploadedFile.writelines", disk_full, raising=False)

    with pytest.raises(OSError, match="No space left"):
        queued.receive_data(owner, chunks(generated(3 * MIB)))

    queued.refresh_from_db()
    assert queued.status == Status.KILLED
    assert stored_files(media) == []


def test_matching_declarations_are_accepted(owner, queued):
    data = generated(1000)

    queued.receive_data(owner, [data], declared_size=1000, declared_checksum=hashlib.md5(data).hexdigest().upper())

    queued.refresh_from_db()
    assert queued.status == Status.ACTIVE


@pytest.mark.parametrize(
    "declared, message",
    [
        ({"declared_size": 999}, "1,000 bytes arrived but 999 were declared"),
        ({"declared_checksum": "0" * 32}, "checksum is not the one declared"),
    ],
)
def test_a_declaration_mismatch_kills_the_image_and_keeps_no_data(owner, queued, media, declared, message):
    with pytest.raises(DataMismatch, match=message):
        queued.receive_data(owner, [generated(1000)], **declared)

    queued.refresh_from_db()
    assert queued.status == Status.KILLED
    assert message in queued.status_reason
    assert stored_files(media) == []


def test_an_interrupted_upload_leaves_a_killed_image_and_no_data(owner, queued, media):
    def broken():
        yield generated(MIB)
        raise OSError("client went away")

    with pytest.raises(OSError):
        queued.receive_data(owner, broken())

    queued.refresh_from_db()
    assert queued.status == Status.KILLED
    assert "interrupted" in queued.status_reason
    assert not queued.file
    assert stored_files(media) == []


def test_an_oversize_upload_is_refused_before_it_is_written(owner, queued, media, settings):
    settings.IMAGE_SIZE_CAP = 2 * MIB
    written = []

    def endless():
        while True:
            written.append(MIB)
            yield generated(MIB)

    with pytest.raises(DataTooLarge, match="larger than the 2.0 MiB"):
        queued.receive_data(owner, endless())

    assert sum(written) == 3 * MIB  # the third chunk was refused, not written
    queued.refresh_from_db()
    assert queued.status == Status.KILLED
    assert stored_files(media) == []


def test_the_tenant_storage_quota_counts_only_what_the_owner_stores(owner, consumer, queued, dfw, settings):
    settings.TENANT_STORAGE_QUOTA = 5 * MIB
    shared = factories.image(consumer, dfw, size=4 * MIB, visibility="shared")
    factories.member(consumer, shared, owner, "accepted")  # R14: costs the owner nothing
    factories.image(owner, dfw, size=3 * MIB)

    with pytest.raises(DataTooLarge, match="2.0 MiB"):
        queued.receive_data(owner, [generated(2 * MIB + 1)])
    second = Image.objects.create_image(owner, dfw, name="fits")
    second.receive_data(owner, [generated(2 * MIB)])

    assert Image.objects.storage_charged_to(owner.account) == 5 * MIB


def test_data_is_uploaded_once_and_only_by_the_owner(owner, consumer, stranger, queued):
    factories.member(owner, queued, consumer)
    before = Image.objects.get(pk=queued.pk).status

    with pytest.raises(NotOwner):
        queued.receive_data(consumer, [b"x"])
    with pytest.raises(NotFound):
        queued.receive_data(stranger, [b"x"])
    assert Image.objects.get(pk=queued.pk).status == before

    queued.receive_data(owner, [b"data"])
    with pytest.raises(InvalidState, match="only once"):
        queued.receive_data(owner, [b"other"])
    with queued.open_data(owner) as opened:
        assert opened.read() == b"data"


@pytest.mark.parametrize("status", ["pending", "accepted", "rejected"])
def test_a_member_of_any_status_can_download(owner, consumer, queued, status):
    queued.receive_data(owner, [b"shared bytes"])
    factories.member(owner, queued, consumer, status)

    with queued.open_data(consumer) as opened:
        assert opened.read() == b"shared bytes"


def test_strangers_and_revoked_members_cannot_download(owner, consumer, stranger, queued):
    queued.receive_data(owner, [b"secret"])
    member = factories.member(owner, queued, consumer)

    with pytest.raises(NotFound):
        queued.open_data(stranger)
    member.remove(owner)
    with pytest.raises(NotFound):
        queued.open_data(consumer)


def test_an_image_without_data_has_nothing_to_download(owner, queued):
    with pytest.raises(InvalidState, match="no data"):
        queued.open_data(owner)


@pytest.mark.django_db(transaction=True)
def test_deleting_an_image_deletes_its_data(media):
    owner = factories.user()
    image = Image.objects.create_image(owner, owner.account.regions.get(), name="doomed")
    image.receive_data(owner, [generated(MIB)])
    assert stored_files(media) == [f"images/{image.pk}"]

    image.destroy(owner)

    assert stored_files(media) == []
    assert not PendingDeletion.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_deletion_is_kept_and_retried(media, monkeypatch):
    owner = factories.user()
    image = Image.objects.create_image(owner, owner.account.regions.get(), name="stubborn")
    image.receive_data(owner, [b"bytes"])
    storage = Image._meta.get_field("file").storage

    def offline(name):
        raise OSError("disk offline")

    with monkeypatch.context() as patched:
        patched.setattr(storage, "delete", offline)
        image.destroy(owner)

    pending = PendingDeletion.objects.get()
    assert pending.name == f"images/{image.pk}" and "disk offline" in pending.error
    assert stored_files(media) == [f"images/{image.pk}"]

    call_command("retry_data_deletions")

    assert stored_files(media) == []
    assert not PendingDeletion.objects.exists()


@pytest.mark.parametrize(
    "header, expected",
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=10-", (10, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=95-200", (95, 99)),
        ("bytes=9-3", None),
        ("bytes=-0", None),
        ("bytes=-", None),
        ("items=0-1", None),
        ("bytes=0-1,5-6", None),
        ("", None),
    ],
)
def test_range_parsing(header, expected):
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize(
    "header", ["bytes=100-", "bytes=100-200", f"bytes={'9' * 4301}-", f"bytes={'9' * 20}-{'9' * 30}"]
)
def test_a_range_past_the_end_is_not_satisfiable(header):
    """Issue 9: 4,301 digits were a ValueError from int(), a 500."""
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 100)


@pytest.mark.parametrize(
    "header, expected",
    [(f"bytes=-{'9' * 4301}", (0, 99)), (f"bytes=5-{'9' * 4301}", (5, 99)), ("bytes=²-", None), ("bytes=١-", None)],
)
def test_huge_or_foreign_digits_are_read_safely(header, expected):
    assert parse_range(header, 100) == expected


def test_a_refused_body_is_read_to_its_end_but_no_further_than_the_limit(rf):
    from imagesharing.images.data import CHUNK_SIZE
    from imagesharing.images.transfer import discard_rest

    small = rf.post("/", data=b"x" * 1000, content_type="application/octet-stream")
    discard_rest(small)
    assert small.read() == b""

    large = rf.post("/", data=b"x" * (3 * CHUNK_SIZE), content_type="application/octet-stream")
    discard_rest(large, limit=CHUNK_SIZE)
    assert len(large.read()) == 2 * CHUNK_SIZE  # left for the server to drop with the connection


def test_stored_data_is_private_to_the_service(owner, queued, media):
    """Issue 9, item 8: image files were world-readable (0644)."""
    queued.receive_data(owner, [b"secret bytes"])
    stored = Path(queued.file.path)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
