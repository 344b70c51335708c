"""Answering a panel request: the whole page, or for htmx a named fragment of the same template."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import reswap


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that will swap a fragment (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict,
    fragment: str | None = None,
    status: int = 200,
    refresh: tuple[str, ...] = (),
) -> HttpResponse:
    """The full page, or for htmx the named partial of the same template plus out-of-band updates.

    The out-of-band part refreshes the messages (an aria-live region, so changes are
    announced), the pending-offers badge in the header, and the `refresh` partials of
    the template: other parts of the page that show what the action changed.
    """
    if fragment and wants_fragment(request):
        html = render_to_string(f"{template}#{fragment}", context, request)
        for part in refresh:
            html += render_to_string(f"{template}#{part}", {**context, "oob": True}, request)
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


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, default))
