"""The panel's error pages: branded, with the header where a session exists (templates/error.html).

Django's own handlers render 403.html and 404.html with the request and 500.html
without it (the fault may be anywhere). Here: 400 with the request, the CSRF failure
page, and a page for the empty 405 answers of `require_POST` and its kind.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form without a valid token: nothing was changed. htmx reloads the page, which gets a fresh token."""
    response = render(request, "403_csrf.html", status=403)
    if getattr(request, "htmx", None):
        response["HX-Refresh"] = "true"
    return response


class MethodNotAllowedPage:
    """Give an empty 405 (a button's address opened as a page) the branded page, keeping `Allow`.

    The API's 405s carry their JSON error and are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:  # type: ignore[attr-defined]
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response["Allow"]
        return page
