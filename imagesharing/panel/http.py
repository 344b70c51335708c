"""The signed-in tenant, and the one place where a rule's refusal becomes the panel's answer.

The panel acts for the signed-in user's tenant. A login without a tenant (a
staff-only operator) has nothing to see here and is pointed to the admin.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from imagesharing.accounts.models import Account, User
from imagesharing.errors import DomainError, NotFound, RoleRequired
from imagesharing.panel.rendering import messages_only, safe_next, wants_fragment


class TenantRequest(HttpRequest):
    """What every panel view receives: a person (`user`) acting for a tenant (`account`)."""

    user: User
    account: Account
    htmx: HtmxDetails


View = Callable[..., HttpResponseBase]


def _page_before(request: HttpRequest) -> str:
    """The page the person was on: where to come back after signing in.

    A page asked for with GET is itself that page. An action (a POST, or an htmx
    request for a fragment) is not: its URL may answer POST only. Then it is the
    page htmx says it was sent from, or the Referer, if on this site; else the overview.
    """
    htmx = getattr(request, "htmx", None)
    if request.method == "GET" and not htmx:
        return request.get_full_path()
    origin = (htmx.current_url if htmx else None) or request.headers.get("Referer", "")
    if origin and url_has_allowed_host_and_scheme(origin, {request.get_host()}, require_https=request.is_secure()):
        parts = urlsplit(origin)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("accounts:home")


def sign_in_first(request: HttpRequest) -> HttpResponseBase:
    """No session (never signed in, or it expired): the whole page goes to sign in, then back."""
    to_login = redirect_to_login(_page_before(request))
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(to_login["Location"])  # htmx loads it as a page, not into a row
    return to_login


def tenant_view(*, back: Callable[..., str] | None = None) -> Callable[[View], View]:
    """Signed in and acting for a tenant; refusals answered in one way for every page.

    Without a session the person signs in first and comes back to the page it was on
    (`sign_in_first`), also from an htmx action whose session expired meanwhile.

    NotFound is a 404, alike for a stranger's object and a missing one (R6). A page the
    person's role may not see (R27) is a 403 that names the role. Any other
    DomainError changed nothing (the model checks before it writes): it is shown as a
    message, and htmx swaps nothing but the messages while a plain form goes back to
    its `next` field or to `back(**url_kwargs)`.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: TenantRequest, *args, **kwargs) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return sign_in_first(request)
            account = request.user.account  # a TenantRequest once `account` is set below
            if account is None:
                return render(request, "accounts/no_tenant.html", status=403)
            request.account = account
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404("Not found.") from None
            except RoleRequired as error:
                if back is None:  # a page this role may not see (R27): say which role it needs
                    return render(request, "403.html", {"message": error.message}, status=403)
                return _refused(request, error, back(**kwargs))
            except DomainError as error:
                if back is None:
                    raise
                return _refused(request, error, back(**kwargs))

        return wrapper

    return decorate


def _refused(request: HttpRequest, error: DomainError, back: str) -> HttpResponseBase:
    """A refusal changed nothing: a message, and htmx swaps only the messages."""
    messages.error(request, error.message)
    if wants_fragment(request):
        return messages_only(request)
    return redirect(safe_next(request, back))


# Where a refused action goes back to (`tenant_view(back=...)`), given the view's URL arguments.


def image_url(image_id, **_) -> str:
    return reverse("images:detail", args=[image_id])


def sharing_url(image_id, **_) -> str:
    return image_url(image_id) + "#sharing"


def shared_by_me_url(**_) -> str:
    return reverse("memberships:shared_by_me")


def servers_url(**_) -> str:
    return reverse("servers:list")
