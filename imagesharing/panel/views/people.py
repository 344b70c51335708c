"""R27: the tenant's people, for its admins: roles, removal, invitations and their history."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from imagesharing.accounts.models import PersonChange
from imagesharing.choices import Role
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.rendering import render_page

HISTORY_ROWS = 50


def people_url(**_) -> str:
    return reverse("accounts:people")


@require_safe
@tenant_view()
def people(request: TenantRequest) -> HttpResponse:
    """Who acts for the tenant, with what role, and every change to that."""
    context = {
        "people": request.account.people_seen_by(request.user),
        "changes": PersonChange.objects.seen_by(request.user)[:HISTORY_ROWS],
        "roles": Role.choices,
    }
    return render_page(request, "accounts/people.html", context)


@require_POST
@tenant_view(back=people_url)
def set_role(request: TenantRequest, person_id: int) -> HttpResponse:
    person = request.account.get_person(request.user, person_id)
    person.set_role(request.user, request.POST.get("role", ""))
    messages.success(request, f"{person.get_username()} is now {person.get_role_display().lower()}.")
    return redirect("accounts:people")


@require_http_methods(["GET", "POST"])
@tenant_view(back=people_url)
def remove_person(request: TenantRequest, person_id: int) -> HttpResponse:
    """Confirm, then remove: the login is deactivated, its tokens and sessions end at once."""
    person = request.account.get_person(request.user, person_id)
    if request.method == "GET":
        return render_page(request, "accounts/remove_person.html", {"person": person})
    person.remove_from_tenant(request.user)
    messages.success(request, f"Removed {person.get_username()}: signed out everywhere, API tokens revoked.")
    return redirect("accounts:people")
