"""Image data over HTTP: a form's file streamed into `IncomingData`, a request body as
chunks (chunked ones too), and streamed downloads with one byte range.

Used by the panel and the API alike; the rules about who may send or read data
are the Image model's.
"""

import re
from collections.abc import Iterator

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, StreamingHttpResponse

from imagesharing.errors import BodyUnreadable, DomainError, LengthRequired, RangeNotSatisfiable
from imagesharing.images.data import CHUNK_SIZE, UPLOAD_INTERRUPTED, IncomingData

# The most of a refused body read and dropped so that the client sees the answer.
DISCARD_LIMIT = 64 * 1024 * 1024
# Request bodies are read in pieces of this size. gunicorn and Django's multipart parser
# copy each piece a few times; at this size they spent the fewest CPU cycles per byte
# (measured against 64 KiB and 1 MiB, issue 11).
READ_SIZE = 256 * 1024

NO_FILE = "Choose the image file to upload."
FORM_NEVER_ENDS = (
    "The upload arrived whole but its file part never ends (the form is malformed); nothing was stored"
    " and the image still waits for its data."
)
NOT_CHUNKED = (
    "The request body is not valid chunked encoding (a chunk size or chunk end is wrong, or it stops"
    " before its last chunk); the image was not stored."
)


class ImageUploadHandler(FileUploadHandler):
    """Streams a form's file field straight into `IncomingData`, so the panel's upload is
    written once and refused as soon as it passes the limit, not after filling the disk."""

    chunk_size = READ_SIZE

    def __init__(self, request: HttpRequest, limit: int):
        super().__init__(request)
        self.request: HttpRequest = request  # typed: the base class allows None
        self.limit = limit
        self.incoming: IncomingData | None = None
        self.error: DomainError | None = None
        self.completed = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.incoming = IncomingData(self.limit)

    @property
    def _spool(self) -> IncomingData:
        """The current file's spool; Django calls `new_file` before it hands over any data."""
        if self.incoming is None:
            raise RuntimeError("new_file() was not called before the file's data.")
        return self.incoming

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        try:
            self._spool.write(raw_data)
        except DomainError as error:
            self.error = error  # the view hands it to `Image.receive_spooled`, which discards and kills
            raise StopUpload(connection_reset=True) from None

    def spooled(self) -> IncomingData:
        """The form's file, for `Image.receive_spooled` to store, or to kill the image with `refusal`.

        A form without a file is refused here, and so is one that arrived whole but whose
        file part never ends (its boundary is not the header's): nothing was uploaded, so
        the spool is dropped and the image keeps waiting for its data (issue 9, item 7).
        """
        if self.incoming is None:
            raise DomainError(NO_FILE)
        if not self.completed and self.error is None and not body_cut_short(self.request):
            self.incoming.discard()
            raise BodyUnreadable(FORM_NEVER_ENDS)
        return self.incoming

    @property
    def refusal(self) -> DomainError | None:
        """Why the spooled file cannot be stored (too large, cut short); None when it arrived whole."""
        if self.error is not None:
            return self.error
        return None if self.completed else BodyUnreadable(UPLOAD_INTERRUPTED)

    def file_complete(self, file_size: int):
        self.completed = True
        return self._spool.file

    def upload_interrupted(self) -> None:
        if self.incoming is not None:
            self.incoming.discard()


def body_cut_short(request: HttpRequest) -> bool:
    """Whether the body ended before its Content-Length: the client went away mid-upload.

    Django reads a WSGI body through a `LimitedStream` that stops at the Content-Length
    and counts what it read; a client that goes away just ends the stream early, so that
    count is the only sign of it.
    """
    stream = getattr(request, "_stream", None)
    return isinstance(stream, LimitedStream) and stream._pos < stream.limit  # type: ignore[attr-defined]


def read_chunks(stream, size: int = READ_SIZE) -> Iterator[bytes]:
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
    return _decoded_chunks(request.META["wsgi.input"])


def _decoded_chunks(stream) -> Iterator[bytes]:
    """A chunked body as the server decodes it. What the server raises on a body cut short
    (gunicorn's NoMoreData, an OSError) or badly framed (InvalidChunkSize, ChunkMissingTerminator)
    is the client's fault: a 400 that kills the upload saying why, not a 500 (issue 9, item 7)."""
    try:
        yield from read_chunks(stream)
    except OSError:
        raise BodyUnreadable(UPLOAD_INTERRUPTED) from None
    except Exception:
        raise BodyUnreadable(NOT_CHUNKED) from None


_RANGE = re.compile(r"^bytes=([0-9]*)-([0-9]*)$")  # ASCII digits only: int() takes others
# A position of more digits than 2**63 has lies past the end of any data.
POSITION_DIGITS = 19
PAST_ANY_END = 2**63


def _position(digits: str) -> int:
    return int(digits) if len(digits) <= POSITION_DIGITS else PAST_ANY_END


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One `bytes=` range as (first, last) inclusive, or None when absent or unusable (the whole
    data is sent). A range that starts past the end raises RangeNotSatisfiable (416)."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None or size == 0 or match.groups() == ("", ""):
        return None
    first_digits, last_digits = match.groups()
    if first_digits == "":
        suffix = _position(last_digits)
        return (max(size - suffix, 0), size - 1) if suffix else None
    first, last = _position(first_digits), _position(last_digits) if last_digits else size - 1
    if first >= size:
        raise RangeNotSatisfiable()
    if first > last:
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
