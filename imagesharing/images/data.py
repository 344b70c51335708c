"""Image data in and out, in chunks, never whole in memory.

Incoming bytes are spooled to a temporary file on the media disk while their size,
MD5 `checksum` and SHA-512 `os_hash_value` are computed (as Glance does); the file
system storage then stores the spool with a rename, not a second copy. Other
storages (an S3-compatible store) read the spool back in chunks.
"""

import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, StreamingHttpResponse

from imagesharing.errors import DataTooLarge, DomainError, LengthRequired

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
UPLOAD_INTERRUPTED = "The upload was interrupted before all the data arrived."
DISCARD_LIMIT = 64 * 1024 * 1024


class IncomingData:
    """The bytes of one image on their way in: sized, hashed and cut off at `limit`.

    The two hashes run on worker threads (hashlib releases the GIL), overlapping the
    next read and write: on two cores this doubles the upload rate. Each hash is fed
    the chunks in order, and only one chunk waits for them at a time.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha512 = hashlib.sha512()
        self._hashing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="image-hash")
        self._pending: list[Future] = []
        os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        self.file = TemporaryUploadedFile("image-data", "application/octet-stream", 0, None)

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self.limit:
            raise DataTooLarge(too_large_message(self.limit))
        self.size += len(chunk)
        self._hashed()
        self._pending = [self._hashing.submit(self._md5.update, chunk),
                         self._hashing.submit(self._sha512.update, chunk)]
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


def format_bytes(size: int) -> str:
    for unit in ["bytes", "KiB", "MiB", "GiB", "TiB"]:
        if size < 1024 or unit == "TiB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


class ImageUploadHandler(FileUploadHandler):
    """Streams a form's file field straight into `IncomingData`, so the panel's upload is
    written once and refused as soon as it passes the limit, not after filling the disk."""

    chunk_size = CHUNK_SIZE

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.limit = limit
        self.incoming: IncomingData | None = None
        self.error: DomainError | None = None
        self.completed = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.incoming = IncomingData(self.limit)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        try:
            self.incoming.write(raw_data)
        except DomainError as error:
            self.error = error
            self.incoming.discard()
            raise StopUpload(connection_reset=True) from None

    def file_complete(self, file_size: int):
        self.completed = True
        return self.incoming.file

    def upload_interrupted(self) -> None:
        if self.incoming is not None:
            self.incoming.discard()


def read_chunks(stream, size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """A file object (or a request with a Content-Length) as chunks."""
    while chunk := stream.read(size):
        yield chunk


def discard_rest(request: HttpRequest, limit: int = DISCARD_LIMIT) -> None:
    """Read what is left of a refused request body, up to `limit` bytes, and drop it.

    A server that closes a connection with request data unread (gunicorn does) resets
    it, and the browser then shows a network error instead of the answer. Past `limit`
    the reset is the cheaper evil: the panel's script refuses oversize files before
    sending them, so only a browser without JavaScript gets that far.
    """
    try:
        for chunk in read_chunks(request):
            limit -= len(chunk)
            if limit <= 0:
                return
    except OSError:  # the client went away: nobody is left to answer
        pass


def request_chunks(request: HttpRequest) -> Iterator[bytes]:
    """A request body as chunks, also when sent with `Transfer-Encoding: chunked`.

    glanceclient streams uploads that way, and Django reads no body without a
    Content-Length; gunicorn decodes chunked bodies and says so (`wsgi.input_terminated`),
    so the decoded stream is read directly. A server that does not is refused (411).
    """
    if request.META.get("HTTP_TRANSFER_ENCODING", "").lower() != "chunked":
        return read_chunks(request)
    if not request.META.get("wsgi.input_terminated"):
        raise LengthRequired()
    return read_chunks(request.META["wsgi.input"])


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=` range as (first, last) inclusive, or None when absent or unusable."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None or size == 0 or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        return (max(size - suffix, 0), size - 1) if suffix else None
    first, last = int(first), int(last) if last else size - 1
    if first > last or first >= size:
        return None
    return first, min(last, size - 1)


def stream_file(opened, first: int = 0, length: int | None = None) -> Iterator[bytes]:
    """The bytes of an opened stored file from `first`, `length` of them (all by default)."""
    try:
        if first:
            opened.seek(first)
        remaining = length
        while remaining is None or remaining > 0:
            chunk = opened.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
    finally:
        opened.close()


def data_response(request: HttpRequest, image, opened, *, attachment: bool) -> StreamingHttpResponse:
    """A streamed download of an image's data, with Content-Length, Content-MD5 and one byte range."""
    size = image.size
    wanted = parse_range(request.headers.get("Range", ""), size)
    if wanted is None:
        response = StreamingHttpResponse(stream_file(opened), content_type="application/octet-stream")
        response["Content-Length"] = str(size)
    else:
        first, last = wanted
        response = StreamingHttpResponse(
            stream_file(opened, first, last - first + 1), status=206, content_type="application/octet-stream"
        )
        response["Content-Length"] = str(last - first + 1)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    if image.checksum:
        response["Content-MD5"] = image.checksum
    if attachment:
        filename = re.sub(r"[^A-Za-z0-9._-]+", "_", image.name or str(image.pk))[:100] or str(image.pk)
        response["Content-Disposition"] = f'attachment; filename="{filename}.{image.disk_format or "img"}"'
    return response


def storage_limit_for(account) -> int:
    """The most bytes the tenant may upload now: the size cap, or what its quota has left (R14)."""
    from imagesharing.images.models import Image

    limit = settings.IMAGE_SIZE_CAP
    if settings.TENANT_STORAGE_QUOTA is not None:
        left = settings.TENANT_STORAGE_QUOTA - Image.objects.storage_charged_to(account)
        limit = min(limit, max(left, 0))
    return limit


def delete_stored(storage: Storage, name: str) -> None:
    """Delete stored data; a failure is kept as a pending deletion for retry, never lost."""
    from imagesharing.images.models import PendingDeletion

    try:
        storage.delete(name)
    except Exception as error:  # any storage backend failure: keep it for the retry command
        logger.exception("Could not delete image data %s", name)
        PendingDeletion.objects.create(name=name, error=str(error)[:500])
