"""A person's own page: its role, its password and its sessions (R27). Personal, so every role may use it."""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.rendering import render_page


@require_safe
@tenant_view()
def profile(request: TenantRequest) -> HttpResponse:
    sessions = request.user.sessions.filter(expire_date__gt=timezone.now()).order_by("-last_seen_at")
    context = {"sessions": sessions, "current": request.session.session_key}
    return render_page(request, "accounts/profile.html", context)


@require_POST
@tenant_view()
def sign_out_everywhere(request: TenantRequest) -> HttpResponse:
    """Every session of this person ends, this one too: a lost laptop or a shared computer is signed out."""
    ended = request.user.sign_out_everywhere()
    logout(request)
    messages.success(request, f"Signed out of {ended} session{'s' if ended != 1 else ''}. Sign in again here.")
    return redirect("accounts:login")
