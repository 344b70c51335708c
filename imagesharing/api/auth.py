"""Token authentication: `X-Auth-Token` names the user, and through it the tenant, of every call.

No sessions and no cookies: each request stands alone, as with Keystone tokens.
"""

from django.http import HttpRequest

from imagesharing.accounts.models import ApiToken, Region, User

# Glance's keystonemiddleware answers a missing or bad token the same way.
UNAUTHORIZED = (
    "This server could not verify that you are authorized to access the resource. "
    "Send a valid token in the X-Auth-Token header."
)
# Tokens are URL-safe base64 of 32 bytes; anything far longer is not one of ours.
MAX_TOKEN_LENGTH = 256


def authenticate(request: HttpRequest, region_code: str) -> tuple[User, Region | None] | None:
    """The user the request's token acts for, and the region if its tenant is enabled in it;
    None for a missing or bad token."""
    plain = request.headers.get("X-Auth-Token", "").strip()
    if not plain or len(plain) > MAX_TOKEN_LENGTH:
        return None
    return ApiToken.objects.authenticate(plain, region_code)
