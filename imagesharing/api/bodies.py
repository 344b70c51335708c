"""Reading request bodies and query strings defensively: every bad input is a 4xx, never a 500.

The database refuses some text that JSON allows (NUL characters, lone UTF-16
surrogates), so such text is turned away here, before any model method sees it.
"""

import json
from typing import Any

from django.http import HttpRequest, QueryDict

from imagesharing.api.errors import ApiError, bad_request

JSON = "application/json"
JSON_PATCH = "application/openstack-images-v2.1-json-patch"
# The largest legitimate body (an image with a few properties) is well under 4 KiB.
MAX_BODY_BYTES = 64 * 1024


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise bad_request("Text must not contain NUL characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("Text must be valid Unicode.") from None


def _check_strings(document: Any) -> None:
    """Every key and string in the document is text the database can store."""
    pending = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def read_json(request: HttpRequest, media_type: str = JSON) -> Any:
    """The decoded body: 413 when too big, 400 when missing or malformed, 415 for another type."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise bad_request("The Content-Length header is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise ApiError(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    raw = request.body
    if not raw:
        raise bad_request("Body expected in request.")
    if request.content_type != media_type:
        raise ApiError(
            415,
            f"Send the body as {media_type}.",
            headers={"Accept-Patch": JSON_PATCH} if media_type == JSON_PATCH else None,
        )
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request("Malformed JSON in request body.") from None
    _check_strings(document)
    return document


def read_object(request: HttpRequest) -> dict:
    """A JSON object body, as every POST and PUT of this API takes."""
    document = read_json(request)
    if not isinstance(document, dict):
        raise bad_request("The request body must be a JSON object.")
    return document


def check_query(query: QueryDict) -> None:
    """Query strings decode leniently but may still carry NUL characters."""
    for key, values in query.lists():
        _check_text(key)
        for value in values:
            _check_text(value)
