"""Error bodies shaped as Glance's, so that glanceclient and openstacksdk show our message.

Both clients look for a `message` inside each top-level object of the JSON body,
hence the dict of dicts: `{"error": {"code": 409, "title": "Conflict", "message": "..."}}`.
"""

from http import HTTPStatus

from django.http import JsonResponse

from imagesharing.errors import DomainError


class ApiError(Exception):
    """A request the API refuses before any model method is asked (bad JSON, wrong type...)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        self.status = status
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JsonResponse:
    body = {"error": {"code": status, "title": HTTPStatus(status).phrase, "message": message}}
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_exception(error: ApiError | DomainError) -> JsonResponse:
    """The JSON answer for a refusal; domain errors carry Glance's status code themselves."""
    if isinstance(error, DomainError):
        return error_response(error.http_status, error.message)
    return error_response(error.status, error.message, error.headers)
