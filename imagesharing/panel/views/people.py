"""R27: the tenant's people, for its admins: roles, removal, invitations and their history."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from imagesharing.accounts.invitations import Invitation
from imagesharing.accounts.models import PersonChange
from imagesharing.choices import Role
from imagesharing.errors import DomainError, InvalidState, InvalidValue
from imagesharing.panel.forms.people import InviteForm, JoinForm
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.rendering import render_page

HISTORY_ROWS = 50
TENANT_BACKEND = "imagesharing.accounts.backends.TenantBackend"  # signs in one who just chose a password


def people_url(**_) -> str:
    return reverse("accounts:people")


def _people_page(request: TenantRequest, form: InviteForm) -> HttpResponse:
    context = {
        "people": request.account.people_seen_by(request.user),
        "invitations": request.account.invitations.open().select_related("invited_by"),
        "changes": PersonChange.objects.seen_by(request.user)[:HISTORY_ROWS],
        "roles": Role.choices,
        "form": form,
    }
    return render_page(request, "accounts/people.html", context)


@require_http_methods(["GET", "POST"])
@tenant_view()
def people(request: TenantRequest) -> HttpResponse:
    """Who acts for the tenant, with what role, open invitations, and every change to that; a POST invites."""
    if request.method != "POST":
        return _people_page(request, InviteForm())
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = Invitation.objects.invite(request.user, form.cleaned_data["email"], form.cleaned_data["role"])
        except InvalidValue as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Invited {invitation.email} as {invitation.get_role_display().lower()}.")
            return redirect("accounts:people")
    return _people_page(request, form)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: choose a username and password, join the tenant and sign in (R27)."""
    try:
        invitation = Invitation.objects.get_by_token(token)
    except DomainError:
        raise Http404("No such invitation.") from None
    context: dict = {"invitation": invitation, "token": token}
    try:
        invitation.require_open()
    except InvalidState as error:
        return render(request, "accounts/invitation.html", {**context, "closed": error.message}, status=410)
    form = JoinForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person = Invitation.objects.accept(token, data["username"], data["password1"])
        except InvalidValue as error:
            form.add_error(None, error.message)
        except InvalidState as error:  # used or expired since the page was shown
            return render(request, "accounts/invitation.html", {**context, "closed": error.message}, status=410)
        else:
            login(request, person, backend=TENANT_BACKEND)
            messages.success(request, f"Welcome, {person.get_username()}: you act for {invitation.account.name}.")
            return redirect("accounts:home")
    response = render(request, "accounts/invitation.html", {**context, "form": form})
    response["Cache-Control"] = "no-store"
    return response


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
