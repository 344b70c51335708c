"""What every panel view shares: the tenant gate, the current region, and page-or-fragment rendering.

The panel acts for the signed-in user's tenant. A login without a tenant (a
staff-only operator) has nothing to see here and is pointed to the admin.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap

from imagesharing.accounts.models import Region

REGION_SESSION_KEY = "panel_region"


def tenant_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and acting for a tenant; operators without one get a page pointing to the admin."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.account_id is None:
            return render(request, "accounts/no_tenant.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def tenant_regions(request: HttpRequest) -> list[Region]:
    """The regions the tenant is enabled in (R8), read once per request."""
    if not hasattr(request, "_panel_regions"):
        account = request.user.account if request.user.is_authenticated else None
        request._panel_regions = list(account.regions.all()) if account is not None else []
    return request._panel_regions


def current_region(request: HttpRequest) -> Region | None:
    """The region chosen in this session, if the tenant is still enabled in it; else its first region."""
    regions = tenant_regions(request)
    chosen = request.session.get(REGION_SESSION_KEY)
    for region in regions:
        if region.code == chosen:
            return region
    return regions[0] if regions else None


def choose_region(request: HttpRequest, code: str) -> Region | None:
    """Make `code` the current region if the tenant is enabled in it; None (and no change) otherwise."""
    for region in tenant_regions(request):
        if region.code == code:
            request.session[REGION_SESSION_KEY] = region.code
            return region
    return None


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that will swap a fragment (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(request: HttpRequest, template: str, context: dict, fragment: str | None = None,
                status: int = 200) -> HttpResponse:
    """The full page, or for htmx the named partial of the same template plus out-of-band updates.

    The out-of-band part refreshes the messages (an aria-live region, so changes are
    announced) and the pending-offers badge in the header.
    """
    if fragment and wants_fragment(request):
        html = render_to_string(f"{template}#{fragment}", context, request)
        html += render_to_string("_partials/oob.html", context, request)
        response = HttpResponse(html, status=status)
    else:
        response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def messages_only(request: HttpRequest) -> HttpResponse:
    """For htmx: swap nothing but the out-of-band messages and badge (a refusal changed nothing)."""
    response = HttpResponse(render_to_string("_partials/oob.html", {}, request))
    return reswap(response, "none")


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` field when it points inside this site, else `default` (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def page_of(rows: list, size: int, params: dict, marker: str = "marker") -> tuple[list, str]:
    """A keyset page fetched one row long: its `size` rows, and the query string of the
    next page, which starts after the last row ('' when this is the last page)."""
    if len(rows) <= size:
        return rows, ""
    rows = rows[:size]
    return rows, urlencode({**params, marker: rows[-1].pk})


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, default))
