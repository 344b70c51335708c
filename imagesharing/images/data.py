"""Image data on its way in: spooled, sized, hashed and stored, in chunks, never whole in memory.

Incoming bytes are spooled to a temporary file on the media disk while their size,
MD5 `checksum` and SHA-512 `os_hash_value` are computed (as Glance does); the file
system storage then stores the spool with a rename, not a second copy. Other
storages (an S3-compatible store) read the spool back in chunks. Nothing here knows
HTTP (that is `images.transfer`) or the Image model (which decides what a failure means).
"""

import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import TemporaryUploadedFile

from imagesharing.errors import DataTooLarge

CHUNK_SIZE = 1024 * 1024
BATCH_SIZE = 2 * 1024 * 1024
IN_FLIGHT = 2
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

    The spool write and the two hashes each run on a thread of their own (file writes and
    hashlib release the GIL), so they overlap one another and the reading of the next
    bytes, and the slowest of them (MD5) sets the pace, not their sum (issue 11). Each
    thread takes the chunks in order, a batch of about BATCH_SIZE at a time (every
    handoff costs thread switches), and the reader waits while IN_FLIGHT batches are
    handed over and not done, so the memory held is the same whatever the upload's size.
    """

    def __init__(self, limit: int, allowance: Allowance | None = None):
        self.limit = limit
        self.allowance = allowance
        self.size = 0
        self.failure = UPLOAD_INTERRUPTED  # what an unexpected error means, until the data is whole
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha512 = hashlib.sha512()
        os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        self.file = TemporaryUploadedFile("image-data", "application/octet-stream", 0, None)
        self._work = {
            name: (ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"image-{name}"), take)
            for name, take in (
                ("md5", _each(self._md5.update)),
                ("sha512", _each(self._sha512.update)),
                ("spool", self.file.writelines),
            )
        }
        self._batch: list[bytes] = []
        self._handed = 0  # bytes handed to the threads
        self._pending: deque[Future] = deque()

    def write(self, chunk: bytes) -> None:
        """Take `chunk`, refused if it passes the limit; it is kept, not copied, until the threads are done."""
        size = self.size + len(chunk)
        if self.allowance is not None:
            self.limit = self.allowance.room(size)
        if size > self.limit:
            raise DataTooLarge(too_large_message(self.limit))
        self.size = size
        self._batch.append(chunk)
        if size - self._handed >= BATCH_SIZE:
            self._hand_over()

    def write_all(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def _hand_over(self) -> None:
        """Give the batch to every thread, once fewer than IN_FLIGHT batches are ahead of it."""
        while len(self._pending) >= IN_FLIGHT * len(self._work):
            self._pending.popleft().result()
        batch, self._batch, self._handed = self._batch, [], self.size
        self._pending.extend(thread.submit(take, batch) for thread, take in self._work.values())

    def _done(self) -> None:
        """Wait until every chunk written so far is hashed and spooled; raises what a thread raised."""
        if self._batch:
            self._hand_over()
        while self._pending:
            self._pending.popleft().result()

    @property
    def checksum(self) -> str:
        self._done()
        return self._md5.hexdigest()

    @property
    def os_hash_value(self) -> str:
        self._done()
        return self._sha512.hexdigest()

    def stored_as(self, storage: Storage, name: str) -> str:
        """Store the spool under `name`; returns the name the storage chose."""
        self.failure = NOT_STORED
        self._done()
        self.file.flush()
        self.file.size = self.size
        self.file.seek(0)
        stored = storage.save(name, self.file, max_length=255)
        self.discard()  # the spool was moved or copied; close it without deleting the stored data
        return stored

    def discard(self) -> None:
        """Drop the spool and the threads; a killed image keeps no partial data."""
        for thread, _ in self._work.values():
            thread.shutdown(wait=True, cancel_futures=True)  # no write after the close below
        self.file.close()


def _each(update: Callable[[bytes], object]) -> Callable[[list[bytes]], None]:
    """A hash's update, for a batch of chunks."""

    def take(batch: list[bytes]) -> None:
        for chunk in batch:
            update(chunk)

    return take


def too_large_message(limit: int) -> str:
    return f"The image data is larger than the {format_bytes(limit)} you may store now."


def format_bytes(size: float) -> str:
    for unit in ["bytes", "KiB", "MiB", "GiB", "TiB"]:
        if size < 1024 or unit == "TiB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
