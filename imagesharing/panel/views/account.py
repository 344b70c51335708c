"""The tenant's own pages: overview, region switcher, usage (R14) and API tokens."""

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imagesharing.accounts.models import ApiToken
from imagesharing.choices import MemberStatus
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from imagesharing.panel.forms.tokens import TokenForm
from imagesharing.panel.gates import token_for
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.regions import choose_region, current_region
from imagesharing.panel.rendering import redirect_next, render_page
from imagesharing.servers.models import Server

USAGE_ROWS = 20


@require_safe
@tenant_view()
def home(request: TenantRequest) -> HttpResponse:
    """The landing page: who you act for, the ID to hand to producers, what waits for you and for others."""
    offers = ImageMember.objects.shared_by(request.account).filter(status=MemberStatus.PENDING)
    context = {"region": current_region(request), "unanswered": offers.count()}
    return render_page(request, "accounts/home.html", context)


@require_POST
@tenant_view()
def switch_region(request: TenantRequest) -> HttpResponse:
    """Work in another of the tenant's regions (R8); any other code changes nothing."""
    region = choose_region(request, request.POST.get("region", ""))
    if region is None:
        messages.error(request, "Your tenant is not enabled in that region.")
    else:
        messages.success(request, f"Now working in {region.code} ({region.name}).")
    return redirect_next(request, reverse("images:list"))


@require_safe
@tenant_view()
def usage(request: TenantRequest) -> HttpResponse:
    """R14: what the tenant pays for in this region; images shared with it cost nothing."""
    account = request.account
    region = current_region(request)
    context: dict = {"region": region}
    if region is not None:
        own = Image.objects.live().filter(owner=account, region=region)
        servers = Server.objects.owned_by(account).filter(region=region)
        shared = ImageMember.objects.inbox(account).filter(image__region=region)
        context.update(
            storage=Image.objects.filter(region=region).storage_charged_to(account),
            own_count=own.count(),
            largest=own.order_by("-size", "-created_at")[:USAGE_ROWS],
            server_count=servers.count(),
            servers=servers.select_related("image")[:USAGE_ROWS],
            shared_count=shared.count(),
            shared=shared[:USAGE_ROWS],
            rows=USAGE_ROWS,
        )
    return render_page(request, "accounts/usage.html", context)


def _tokens_page(request: TenantRequest, form: TokenForm, created: dict | None = None) -> HttpResponse:
    region = current_region(request)
    context = {
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.seen_by(request.user).order_by("-created_at", "-pk"),
        "region": region,
        "endpoint": request.build_absolute_uri(f"/api/{region.code.lower()}/") if region else "",
    }
    response = render_page(request, "accounts/tokens.html", context, fragment="tokens")
    response["Cache-Control"] = "no-store"  # a new token is shown once and must not be cached
    return response


@require_http_methods(["GET", "POST"])
@tenant_view(back=lambda **_: reverse("accounts:tokens"))
def tokens(request: TenantRequest) -> HttpResponse:
    """List the user's API tokens; a POST creates one and shows its secret this once."""
    if request.method != "POST":
        return _tokens_page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form)
    token, plain = ApiToken.objects.issue(request.user, form.cleaned_data["name"], form.lifetime_delta)
    messages.success(request, f"Token “{token.name}” created. Copy it now: it will not be shown again.")
    return _tokens_page(request, TokenForm(), created={"token": token, "plain": plain})


@require_POST
@tenant_view(back=lambda **_: reverse("accounts:tokens"))
def revoke_token(request: TenantRequest, token_id: int) -> HttpResponse:
    """Revoke at once: scripts using it are refused from their next request."""
    token = token_for(request, token_id)
    token.revoke(request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    if request.htmx:
        return _tokens_page(request, TokenForm())
    return redirect_next(request, reverse("accounts:tokens"))
