"""What every API view needs before it runs: its region, its method, its caller; and JSON errors after.

Order, as in Glance behind keystonemiddleware: an unknown region is 404, then a
missing or bad token is 401, then an unsupported method is 405 (with `Allow`).
"""

import functools
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from imagesharing.accounts.models import Account, Region, User
from imagesharing.api.auth import UNAUTHORIZED, authenticate
from imagesharing.api.bodies import check_query
from imagesharing.api.errors import ApiError, error_response, from_exception
from imagesharing.errors import DomainError, NotPermitted

_Response = TypeVar("_Response", bound=HttpResponseBase)

REGION_CODE = re.compile(r"[a-z0-9-]{1,8}")


@dataclass(frozen=True)
class Call:
    """The endpoint's region and, for authenticated views, the user and the tenant it acts for."""

    region: Region
    caller: User | None = None

    @property
    def user(self) -> User:
        """The authenticated caller; only views with `authenticated=False` have none, and ask for none."""
        if self.caller is None:
            raise RuntimeError("This endpoint is not authenticated: the call has no user.")
        return self.caller

    @property
    def account(self) -> Account:
        """The caller's tenant: `_caller` refuses a login without one."""
        account = self.user.account
        if account is None:
            raise RuntimeError("The caller acts for no tenant.")
        return account


def json_response(body: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status)


def no_content() -> HttpResponse:
    """204 as Glance sends it: no body and no Content-Type."""
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response


def find_region(code: str) -> Region:
    """The region of an endpoint, named by its lower-case code (`/api/dfw/`)."""
    region = Region.objects.filter(code=code.upper()).first() if REGION_CODE.fullmatch(code) else None
    if region is None:
        raise ApiError(404, f"There is no region {code!r}; endpoints are /api/<region code in lower case>/.")
    return region


def _call(request: HttpRequest, code: str) -> Call:
    """The region and the caller, in one query when all is well (the token's, which reads the
    region too); the refusals, in Glance's order, may take another."""
    found = authenticate(request, code.upper()) if REGION_CODE.fullmatch(code) else None
    if found is None:
        find_region(code)  # an unknown region is 404 before a bad token is 401
        raise ApiError(401, UNAUTHORIZED)
    user, region = found
    if user.account is None:
        find_region(code)
        raise NotPermitted("This login belongs to no tenant; API calls act for a tenant.")
    if region is None:
        region = find_region(code)
        user.account.require_region(region)  # R8: 403 for a region that is not the tenant's
    return Call(region, user)


def endpoint(*methods: str, authenticated: bool = True) -> Callable:
    """Wrap a view `view(request, call, **url_kwargs)` serving `methods` in one region's endpoint."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, region: str, **kwargs) -> HttpResponseBase:
            try:
                call = _call(request, region) if authenticated else Call(find_region(region))
                if request.method not in methods:
                    raise ApiError(
                        405,
                        f"The method {request.method} is not allowed here.",
                        headers={"Allow": ", ".join(methods)},
                    )
                check_query(request.GET)
                response = view(request, call, **kwargs)
            except (ApiError, DomainError) as error:
                response = from_exception(error)
            return with_request_id(response)

        return wrapper

    return decorate


def with_request_id(response: _Response) -> _Response:
    """Glance names every response so that clients can log it; glanceclient passes it on."""
    response["X-OpenStack-Request-ID"] = f"req-{uuid.uuid4()}"
    return response


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other URL under /api/: a JSON 404 rather than Django's HTML page."""
    return with_request_id(error_response(404, "The resource could not be found."))
