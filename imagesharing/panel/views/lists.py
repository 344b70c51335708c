"""Tenant lists (R23): the Lists page, one list's page (its name, following, tenant IDs and the
images shared through it), and the confirmation before a following list revokes.

Nothing here looks a tenant up: a list keeps any well-formed tenant ID, and only a share
says whether one can be shared with, as R8 does (R17).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from imagesharing.memberships.bulk import share_report
from imagesharing.memberships.lists import ListChange, TenantList
from imagesharing.panel.forms.lists import ListForm, ListTenantsForm
from imagesharing.panel.http import TenantRequest, tenant_view
from imagesharing.panel.rendering import render_page


def lists_url(**_) -> str:
    return reverse("memberships:lists")


def list_url(list_id, **_) -> str:
    return reverse("memberships:list", args=[list_id])


@require_http_methods(["GET", "POST"])
@tenant_view(back=lists_url)
def lists(request: TenantRequest) -> HttpResponse:
    """R23: the tenant's lists, and a form to make one."""
    form = ListForm(request.POST) if request.method == "POST" else ListForm()
    if form.is_valid():
        made = TenantList.objects.create_list(
            request.user, form.cleaned_data["name"], follows=form.cleaned_data["follows"]
        )
        messages.success(request, f"List “{made.name}” made. Add its tenant IDs.")
        return redirect(list_url(made.pk))
    context = {"form": form, "lists": list(TenantList.objects.of(request.account))}
    return render_page(request, "memberships/lists.html", context)


@require_http_methods(["GET", "POST"])
@tenant_view(back=list_url)
def tenant_list(request: TenantRequest, list_id: int) -> HttpResponse:
    """R23: one list: its name and following (POST changes them), tenant IDs and images."""
    found = TenantList.objects.get_own(request.account, list_id)
    form = ListForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        found.rename(request.user, form.cleaned_data["name"])
        found.set_following(request.user, form.cleaned_data["follows"])
        messages.success(request, f"List “{found.name}” saved.")
        return redirect(list_url(found.pk))
    return _list_page(request, found, settings=form)


def _list_page(
    request: TenantRequest,
    found: TenantList,
    *,
    settings: ListForm | None = None,
    tenants: ListTenantsForm | None = None,
    change: ListChange | None = None,
) -> HttpResponse:
    numbers = found.tenant_ids()
    context = {
        "tenant_list": found,
        "tenant_ids": numbers,
        "images": list(found.shared_images()),
        "settings_form": settings or ListForm(initial={"name": found.name, "follows": found.follows}),
        "tenants_form": tenants or ListTenantsForm(initial={"tenant_ids": "\n".join(map(str, numbers))}),
        "offered": share_report(change.offered)["rows"] if change else [],
    }
    return render_page(request, "memberships/list.html", context)


@require_POST
@tenant_view(back=list_url)
def list_tenants(request: TenantRequest, list_id: int) -> HttpResponse:
    """R23: the list's tenant IDs become those typed. A following list first asks to confirm the
    members its removals revoke (naming the images), then offers and revokes (R2, R12)."""
    found = TenantList.objects.get_own(request.account, list_id)
    form = ListTenantsForm(request.POST)
    if not form.is_valid():
        return _list_page(request, found, tenants=form)
    wanted = form.cleaned_data["tenant_ids"]
    if not form.cleaned_data["confirmed"]:
        # Changes nothing: which members the removals would revoke, as the list stands now.
        kept = set(form.cleaned_data["numbers"])
        revoked = list(found.revocations([n for n in found.tenant_ids() if n not in kept]))
        if revoked:
            context = {"tenant_list": found, "revoked": revoked, "tenant_ids": " ".join(wanted)}
            return render_page(request, "memberships/list_revoke.html", context)
    change = found.set_tenants(request.user, wanted)
    said = f"{len(change.added)} tenant ID{'s' if len(change.added) != 1 else ''} added, {len(change.removed)} removed."
    if change.revoked:
        said += f" {len(change.revoked)} member{'s' if len(change.revoked) != 1 else ''} revoked."
    messages.success(request, f"List “{found.name}” saved: {said}")
    if change.waiting:
        offers = f"{change.waiting} offers are" if change.waiting != 1 else "1 offer is"
        messages.info(request, f"{offers} being made to the tenants added, in the background.")
    if change.offered:
        return _list_page(request, found, change=change)
    return redirect(list_url(found.pk))


@require_POST
@tenant_view(back=list_url)
def delete_list(request: TenantRequest, list_id: int) -> HttpResponse:
    """R23: the list goes; the members it made stay."""
    found = TenantList.objects.get_own(request.account, list_id)
    found.destroy(request.user)
    messages.success(request, f"List “{found.name}” deleted. The members it made keep their offers.")
    return redirect(lists_url())
