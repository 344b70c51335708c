"""The signed-in tenant, and the one place where a rule's refusal becomes the panel's answer.

The panel acts for the signed-in user's tenant. A login without a tenant (a
staff-only operator) has nothing to see here and is pointed to the admin.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from imagesharing.accounts.models import Account, User
from imagesharing.errors import DomainError, NotFound
from imagesharing.panel.rendering import messages_only, safe_next, wants_fragment


class TenantRequest(HttpRequest):
    """What every panel view receives: a person (`user`) acting for a tenant (`account`)."""

    user: User
    account: Account
    htmx: HtmxDetails


View = Callable[..., HttpResponseBase]


def tenant_view(*, back: Callable[..., str] | None = None) -> Callable[[View], View]:
    """Signed in and acting for a tenant; refusals answered in one way for every page.

    NotFound is a 404, alike for a stranger's object and a missing one (R6). Any other
    DomainError changed nothing (the model checks before it writes): it is shown as a
    message, and htmx swaps nothing but the messages while a plain form goes back to
    its `next` field or to `back(**url_kwargs)`.
    """

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: TenantRequest, *args, **kwargs) -> HttpResponseBase:
            # A TenantRequest once `account` is set below: `login_required` lets only signed-in users in.
            account = request.user.account
            if account is None:
                return render(request, "accounts/no_tenant.html", status=403)
            request.account = account
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404("Not found.") from None
            except DomainError as error:
                if back is None:
                    raise
                messages.error(request, error.message)
                if wants_fragment(request):
                    return messages_only(request)
                return redirect(safe_next(request, back(**kwargs)))

        return wrapper

    return decorate


def image_page(image_id, **_) -> str:
    return reverse("images:detail", args=[image_id])


def sharing_section(image_id, **_) -> str:
    return image_page(image_id) + "#sharing"


def servers_page(**_) -> str:
    return reverse("servers:list")
