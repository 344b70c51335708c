"""The region the panel works in: one of the tenant's (R8), kept in the session."""

from django.http import HttpRequest

from imagesharing.accounts.models import Region

REGION_SESSION_KEY = "panel_region"


def tenant_regions(request: HttpRequest) -> list[Region]:
    """The regions the tenant is enabled in (R8), read once per request."""
    if not hasattr(request, "_panel_regions"):
        account = request.user.account if request.user.is_authenticated else None
        regions = list(account.regions.all()) if account is not None else []
        request._panel_regions = regions  # type: ignore[attr-defined]  # a per-request cache HttpRequest does not declare
    return request._panel_regions  # type: ignore[attr-defined]  # the cache set above


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
