"""Image data on its way in: spooled, sized, hashed and stored, in chunks, never whole in memory.

Incoming bytes are spooled to a temporary file on the media disk while their size,
MD5 `checksum` and SHA-512 `os_hash_value` are computed (as Glance does); the file
system storage then stores the spool with a rename, not a second copy. Other
storages (an S3-compatible store) read the spool back in chunks. Nothing here knows
HTTP (that is `images.transfer`) or the Image model (which decides what a failure means).
"""

import hashlib
import os
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import TemporaryUploadedFile

from imagesharing.errors import DataTooLarge

CHUNK_SIZE = 1024 * 1024
UPLOAD_INTERRUPTED = "The upload was interrupted before all the data arrived."
NOT_STORED = "The data could not be stored."


class Allowance(Protocol):
    """What lets more bytes in: an upload that reserves its tenant's quota as data arrives."""

    def room(self, size: int) -> int:
        """The most bytes that may arrive, after making room for `size` in all if it can."""
        ...


class IncomingData:
    """The bytes of one image on their way in: sized, hashed and cut off at `limit`, which an
    `allowance` may raise as they arrive.

    The two hashes run on worker threads (hashlib releases the GIL), overlapping the
    next read and write: on two cores this doubles the upload rate. Each hash is fed
    the chunks in order, and only one chunk waits for them at a time.
    """

    def __init__(self, limit: int, allowance: Allowance | None = None):
        self.limit = limit
        self.allowance = allowance
        self.size = 0
        self.failure = UPLOAD_INTERRUPTED  # what an unexpected error means, until the data is whole
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha512 = hashlib.sha512()
        self._hashing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="image-hash")
        self._pending: list[Future] = []
        os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        self.file = TemporaryUploadedFile("image-data", "application/octet-stream", 0, None)

    def write(self, chunk: bytes) -> None:
        size = self.size + len(chunk)
        if self.allowance is not None:
            self.limit = self.allowance.room(size)
        if size > self.limit:
            raise DataTooLarge(too_large_message(self.limit))
        self.size = size
        self._hashed()
        self._pending = [
            self._hashing.submit(self._md5.update, chunk),
            self._hashing.submit(self._sha512.update, chunk),
        ]
        self.file.write(chunk)

    def write_all(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def _hashed(self) -> None:
        """Wait until the hashes have taken in every chunk written so far."""
        for pending in self._pending:
            pending.result()
        self._pending = []

    @property
    def checksum(self) -> str:
        self._hashed()
        return self._md5.hexdigest()

    @property
    def os_hash_value(self) -> str:
        self._hashed()
        return self._sha512.hexdigest()

    def stored_as(self, storage: Storage, name: str) -> str:
        """Store the spool under `name`; returns the name the storage chose."""
        self.failure = NOT_STORED
        self._hashed()
        self.file.flush()
        self.file.size = self.size
        self.file.seek(0)
        stored = storage.save(name, self.file, max_length=255)
        self.discard()  # the spool was moved or copied; close it without deleting the stored data
        return stored

    def discard(self) -> None:
        """Drop the spool and the hashing threads; a killed image keeps no partial data."""
        self._hashing.shutdown(wait=True, cancel_futures=True)
        self.file.close()


def too_large_message(limit: int) -> str:
    return f"The image data is larger than the {format_bytes(limit)} you may store now."


def format_bytes(size: float) -> str:
    for unit in ["bytes", "KiB", "MiB", "GiB", "TiB"]:
        if size < 1024 or unit == "TiB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
