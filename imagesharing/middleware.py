"""Response headers every answer carries: a content security policy, a permissions policy, and
no shared caching of what one tenant was shown."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control


class SecurityHeaders:
    """`Content-Security-Policy` and `Permissions-Policy` from settings, and `Cache-Control: private`
    for any answer that says nothing of caching itself (a page or API answer is one tenant's).

    Static files keep the caching WhiteNoise gives them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True)
        return response
