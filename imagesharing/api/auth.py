"""Token authentication: `X-Auth-Token` names the user, and through it the tenant, of every call.

No sessions and no cookies: each request stands alone, as with Keystone tokens.
"""

from django.http import HttpRequest

from imagesharing.accounts.models import ApiToken, User
from imagesharing.api.errors import ApiError

# Glance's keystonemiddleware answers a missing or bad token the same way.
UNAUTHORIZED = (
    "This server could not verify that you are authorized to access the resource. "
    "Send a valid token in the X-Auth-Token header."
)
# Tokens are URL-safe base64 of 32 bytes; anything far longer is not one of ours.
MAX_TOKEN_LENGTH = 256


def authenticate(request: HttpRequest) -> User:
    """The user the request's token acts for, or a 401 ApiError."""
    plain = request.headers.get("X-Auth-Token", "").strip()
    if not plain or len(plain) > MAX_TOKEN_LENGTH:
        raise ApiError(401, UNAUTHORIZED)
    user = ApiToken.objects.authenticate(plain)
    if user is None:
        raise ApiError(401, UNAUTHORIZED)
    return user
